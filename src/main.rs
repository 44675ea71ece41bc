//! The `plinth` command: parses the command line, wires the providers in,
//! runs one command, and turns its outcome into an exit code.

mod args;
mod backend_config;
mod commands;
mod encryption;
mod interrupt;
mod ui;
mod workdir;

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(commands::run(argv))
}
