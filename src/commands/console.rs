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
    // Lines of an expression still open (unclosed brackets): Terraform's
    // interactive console keeps reading, prompting with one dot per level.
    let mut pending: Vec<String> = Vec::new();
    loop {
        if interactive {
            let open = if pending.is_empty() { 0 } else { open_brackets(&pending.join("\n")) };
            let prompt = if open > 0 { format!("{} ", ".".repeat(open as usize)) } else { "> ".to_string() };
            let _ = write!(out, "{prompt}");
            let _ = out.flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let raw = line.trim_end_matches(['\n', '\r']);
        let text = if interactive {
            let trimmed = raw.trim();
            if trimmed.is_empty() && pending.is_empty() {
                continue;
            }
            if !trimmed.is_empty() {
                pending.push(trimmed.to_string());
            }
            let whole = pending.join("\n");
            if open_brackets(&whole) > 0 {
                continue;
            }
            pending.clear();
            whole
        } else {
            raw.to_string()
        };
        match text.trim() {
            "" => continue,
            "exit" => break,
            "help" => {
                let _ = writeln!(out, "{HELP}");
                continue;
            }
            _ => {}
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
                // Terraform shows diagnostics sorted by where they point.
                let mut diags = e.diags;
                diags.sort_by_key(|d| d.subject.map(|s| (s.file.0, s.start)));
                ui::print_diags(&files, &diags, false);
                status = 1;
                if !interactive {
                    break;
                }
            }
        }
    }
    if interactive {
        let _ = writeln!(out);
        // An interactive session ends successfully; errors were shown as they came.
        return 0;
    }
    status
}

const HELP: &str = "The Terraform console allows you to experiment with Terraform interpolations.
You may access resources in the state (if you have one) just as you would
from a configuration. For example: \"aws_instance.foo.id\" would evaluate
to the ID of \"aws_instance.foo\" if it exists in your state.

Type in the interpolation to test and hit <enter> to see the result.

To exit the console, type \"exit\" and hit <enter>, or use Control-C or
Control-D.";

/// How many `(`, `[` and `{` are still open in `text`, ignoring those inside
/// quoted strings, heredoc bodies and comments; negative when more close than open.
fn open_brackets(text: &str) -> i64 {
    let (mut paren, mut brack, mut brace) = (0i64, 0i64, 0i64);
    let mut chars = text.chars().peekable();
    let mut heredoc: Option<String> = None;
    let mut line_start = true;
    while let Some(c) = chars.next() {
        if let Some(delim) = &heredoc {
            // inside a heredoc body: look for the closing delimiter line
            if line_start {
                let rest: String = chars.clone().take_while(|c| *c != '\n').collect();
                let line = format!("{c}{rest}");
                if line.trim() == delim {
                    heredoc = None;
                }
            }
            line_start = c == '\n';
            continue;
        }
        line_start = c == '\n';
        match c {
            '(' => paren += 1,
            ')' => paren -= 1,
            '[' => brack += 1,
            ']' => brack -= 1,
            '{' => brace += 1,
            '}' => brace -= 1,
            '#' => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' => {
                // a quoted template: skip to its closing quote, minding escapes
                // and nested interpolations
                let mut depth = 0i64;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '$' | '%' if chars.peek() == Some(&'{') => {
                            chars.next();
                            depth += 1;
                        }
                        '}' if depth > 0 => depth -= 1,
                        '"' if depth == 0 => break,
                        '\n' => break,
                        _ => {}
                    }
                }
            }
            '<' if chars.peek() == Some(&'<') => {
                chars.next();
                if chars.peek() == Some(&'-') {
                    chars.next();
                }
                let delim: String = std::iter::from_fn(|| chars.next_if(|c| c.is_alphanumeric() || *c == '_')).collect();
                if !delim.is_empty() {
                    // the rest of this line is part of the expression; the body starts on the next
                    while chars.peek().is_some_and(|c| *c != '\n') {
                        chars.next();
                    }
                    if chars.next().is_some() {
                        line_start = true;
                    }
                    heredoc = Some(delim);
                    // the heredoc is open until its delimiter: count it as one level
                }
            }
            _ => {}
        }
    }
    if paren < 0 || brack < 0 || brace < 0 {
        return -1;
    }
    paren + brack + brace + i64::from(heredoc.is_some())
}

#[cfg(test)]
mod tests {
    use super::open_brackets;

    #[test]
    fn counts_open_brackets_outside_strings() {
        assert_eq!(open_brackets("[1,"), 1);
        assert_eq!(open_brackets("{ a = ["), 2);
        assert_eq!(open_brackets("[1]"), 0);
        assert_eq!(open_brackets("\"[{(\""), 0);
        assert_eq!(open_brackets("\"${\"]\"}\" ["), 1);
        assert_eq!(open_brackets("())"), -1);
        assert_eq!(open_brackets("[ # ]"), 1);
        assert_eq!(open_brackets("<<EOT\n[\n"), 1);
        assert_eq!(open_brackets("<<EOT\n[\nEOT"), 0);
        assert_eq!(open_brackets("upper(<<-EOT\n  x\n  EOT\n)"), 0);
    }
}
