//! Command dispatch, and what commands share: loading a run (configuration,
//! variables, backend, state, lock) and printing its diagnostics once.

mod console;
mod fmt;
mod import;
mod init;
mod output;
mod planfile;
mod providers;
pub(crate) mod run;
mod state;
mod test;
mod workspace;

use std::path::PathBuf;

use crate::args::{self, Args, FlagError};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const USAGE: &str = "Usage: plinth [global options] <subcommand> [args]

Main commands:
  init          Prepare your working directory for other commands
  validate      Check whether the configuration is valid
  plan          Show changes required by the current configuration
  apply         Create or update infrastructure
  destroy       Destroy previously-created infrastructure

All other commands:
  console       Try plinth expressions at an interactive command prompt
  drift         Report changes made outside plinth (exit 2 when there are)
  fmt           Reformat your configuration in the standard style
  force-unlock  Release a stuck lock on the current workspace
  graph         Generate a Graphviz graph of the steps in an operation
  import        Associate existing infrastructure with a plinth resource
  output        Show output values from your root module
  providers     Show the providers required for this configuration
  show          Show the current state or a saved plan
  state         Advanced state management
  taint         Mark a resource instance as not fully functional
  test          Execute integration tests for plinth modules
  untaint       Remove the 'tainted' state from a resource instance
  version       Show the current plinth version
  workspace     Workspace management

Global options (use these before the subcommand, if any):
  -chdir=DIR    Switch to a different working directory before executing the
                given subcommand.
  -help         Show this help output, or the help for a specified subcommand.
  -version      An alias for the \"version\" subcommand.
";

/// Runs one command line; returns the exit status.
pub fn run(argv: Vec<String>) -> u8 {
    let mut rest = argv.as_slice();
    let mut chdir: Option<String> = None;
    while let Some(first) = rest.first() {
        if let Some(d) = first.strip_prefix("-chdir=").or_else(|| first.strip_prefix("--chdir=")) {
            chdir = Some(d.to_string());
            rest = &rest[1..];
        } else if first == "-version" || first == "--version" || first == "-v" {
            return version();
        } else if first == "-help" || first == "--help" || first == "-h" {
            print!("{USAGE}");
            return 0;
        } else {
            break;
        }
    }
    if let Some(d) = chdir {
        if let Err(e) = std::env::set_current_dir(&d) {
            eprintln!("Error handling -chdir option: chdir {d}: {e}");
            return 1;
        }
    }
    let Some((cmd, rest)) = rest.split_first() else {
        print!("{USAGE}");
        return 127;
    };
    let args = match parse_flags(cmd, rest) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let dir = PathBuf::from(".");
    match cmd.as_str() {
        "version" => version(),
        "init" => init::run(&dir, &args),
        "validate" => run::validate(&dir, &args),
        "plan" => run::plan(&dir, &args),
        "apply" => run::apply(&dir, &args, false),
        "destroy" => run::apply(&dir, &args, true),
        "refresh" => run::refresh(&dir, &args),
        "console" => console::run(&dir, &args),
        "output" => output::run(&dir, &args),
        "show" => output::show(&dir, &args),
        "state" => state::run(&dir, &args),
        "workspace" | "env" => workspace::run(&dir, &args),
        "force-unlock" => state::force_unlock(&dir, &args),
        "taint" => state::taint(&dir, &args, true),
        "untaint" => state::taint(&dir, &args, false),
        "graph" => run::graph(&dir, &args),
        "fmt" => fmt::run(&args),
        "drift" => run::drift(&dir, &args),
        "import" => import::run(&dir, &args),
        "test" => test::run(&dir, &args),
        "providers" => providers::run(&dir, &args),
        other => {
            eprintln!("plinth has no command named {other:?}.\n\n{USAGE}");
            1
        }
    }
}

fn version() -> u8 {
    println!(
        "plinth v{VERSION}\non {}_{}",
        std::env::consts::OS,
        if std::env::consts::ARCH == "x86_64" { "amd64" } else { std::env::consts::ARCH }
    );
    0
}

/// Parses a command's flags with its table (`state` and `workspace` by
/// subcommand, which comes first and stays the first positional argument).
/// Errors are reported as Terraform reports them; `Err` is the exit status.
fn parse_flags(cmd: &str, rest: &[String]) -> Result<Args, u8> {
    let sub = matches!(cmd, "state" | "workspace" | "env" | "providers").then(|| rest.first()).flatten().filter(|s| !s.starts_with('-'));
    let (sub_name, argv) = match sub {
        Some(s) => (Some(s.as_str()), &rest[1..]),
        None => (None, rest),
    };
    // An unknown subcommand is the command's to report.
    let Some(tables) = args::flags_for(cmd, sub_name) else {
        return Ok(Args { flags: Vec::new(), positional: rest.to_vec() });
    };
    let full = match sub_name {
        Some(s) => format!("{cmd} {s}"),
        None => cmd.to_string(),
    };
    match Args::parse(argv, &tables) {
        Ok(mut a) => {
            if let Some(s) = sub_name {
                a.positional.insert(0, s.to_string());
            }
            Ok(a)
        }
        Err(FlagError::Help) => {
            println!("Usage: plinth [global options] {full} [options]\n\nSee Terraform's documentation of \"terraform {full}\"; plinth takes the same options.");
            Err(0)
        }
        Err(FlagError::Invalid(e)) => {
            let color = crate::ui::use_color(argv.iter().any(|a| a == "-no-color" || a == "--no-color"));
            let d = plinth_syntax::Diagnostic::error("Failed to parse command-line flags", crate::ui::word_wrap(&e, 78));
            crate::ui::print_diags(&plinth_syntax::Files::new(), &[d], color);
            // Terraform's state and workspace subcommands print no help pointer.
            if sub_name.is_none() {
                eprintln!("\nFor more help on using this command, run:\n  plinth {full} -help");
            }
            Err(1)
        }
    }
}
