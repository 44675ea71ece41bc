//! What a person sees: diagnostics, plan rendering, progress lines.

pub mod plan;

use std::io::Write;

use plinth_syntax::{Diagnostic, Files};

/// Whether to colour output: not with `-no-color`, `NO_COLOR`, or when not a terminal.
pub fn use_color(no_color_flag: bool) -> bool {
    use std::io::IsTerminal;
    !no_color_flag && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

pub fn bold(s: &str, color: bool) -> String {
    if color {
        format!("\x1b[1m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Prints diagnostics as Terraform does: errors to stderr, warnings to stdout.
pub fn print_diags(files: &Files, diags: &[Diagnostic], color: bool) {
    for d in diags {
        let text = d.render(files);
        let text = if color {
            let (c, word) = if d.is_error() { ("\x1b[1;31m", "Error:") } else { ("\x1b[1;33m", "Warning:") };
            text.replacen(word, &format!("{c}{word}\x1b[0m\x1b[1m"), 1).replacen('\n', "\x1b[0m\n", 1)
        } else {
            text
        };
        if d.is_error() {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "\n{text}");
        } else {
            let mut o = std::io::stdout().lock();
            let _ = writeln!(o, "\n{text}");
        }
    }
}
