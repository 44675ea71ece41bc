//! `console`: evaluates expressions against the configuration and state.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use plinth_engine::{ConsoleSession, Context};
use plinth_syntax::Diagnostic;

use crate::args::Args;
use crate::ui;

pub fn run(dir: &Path, args: &Args) -> u8 {
    let run = match super::run::load_run(dir, args, "OperationTypeInvalid", false) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let providers = run.wd.providers();
    let ctx = Context {
        tree: &run.wd.tree,
        graph: &run.graph,
        providers: &providers,
        inputs: &run.inputs,
        workspace: &run.workspace,
        root_dir: run.wd.dir.clone(),
        files: &run.wd.files,
    };
    let (session, _diags) = ConsoleSession::new(&ctx, run.state.clone());
    let mut files = plinth_syntax::Files::new();
    let interactive = std::io::stdin().is_terminal();
    let stdin = std::io::stdin();
    let mut status = 0;
    let mut out = std::io::stdout();
    loop {
        if interactive {
            let _ = write!(out, "> ");
            let _ = out.flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        if interactive && (text.trim() == "exit" || text.trim() == "quit") {
            break;
        }
        let id = files.add("<console-input>", text.to_string());
        let (expr, pdiags) = plinth_syntax::parse_expr(id, files.text(id));
        if pdiags.iter().any(Diagnostic::is_error) {
            ui::print_diags(&files, &pdiags, false);
            status = 1;
            if !interactive {
                break;
            }
            continue;
        }
        match session.eval(&expr) {
            Ok(v) => {
                let _ = writeln!(out, "{}", plinth_value::display_value(&v));
            }
            Err(e) => {
                ui::print_diags(&files, &e.diags, false);
                status = 1;
                if !interactive {
                    break;
                }
            }
        }
    }
    status
}
