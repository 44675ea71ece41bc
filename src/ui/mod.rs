//! What a person sees: diagnostics, plan rendering, progress lines.

pub mod diff;
pub mod json;
pub mod plan;
pub mod progress;
pub mod state;

use std::borrow::Cow;
use std::io::Write;

use plinth_syntax::{Diagnostic, Files};

/// Whether to colour output: not with `-no-color`, `NO_COLOR`, or when not a terminal.
pub fn use_color(no_color_flag: bool) -> bool {
    use std::io::IsTerminal;
    !no_color_flag && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// ANSI colouring as Terraform's `colorstring` does it, or none. Without
/// colour each method hands back its argument as it is, allocating nothing.
#[derive(Clone, Copy)]
pub struct Paint {
    pub color: bool,
}

impl Paint {
    fn wrap<'s>(&self, code: &str, s: &'s str) -> Cow<'s, str> {
        if self.color {
            Cow::Owned(format!("\x1b[{code}m{s}\x1b[0m"))
        } else {
            Cow::Borrowed(s)
        }
    }
    pub fn bold<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("1", s)
    }
    pub fn red<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("31", s)
    }
    pub fn green<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("32", s)
    }
    pub fn yellow<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("33", s)
    }
    pub fn cyan<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("36", s)
    }
    pub fn gray<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.wrap("90", s)
    }

    /// `s` with the text between its leading and trailing spaces painted by
    /// `paint` (`spaced(Paint::green, "  + ")`); `s` itself without colour.
    pub fn spaced(&self, paint: for<'s> fn(&Paint, &'s str) -> Cow<'s, str>, s: &'static str) -> Cow<'static, str> {
        if !self.color {
            return Cow::Borrowed(s);
        }
        let text = s.trim();
        let start = s.len() - s.trim_start().len();
        Cow::Owned(format!("{}{}{}", &s[..start], paint(self, text), &s[start + text.len()..]))
    }

    /// Appends `args` to `out` as [`Paint::bold`] would paint them, without
    /// formatting them into a string of their own first.
    pub fn bold_to(&self, out: &mut String, args: std::fmt::Arguments) {
        use std::fmt::Write as _;
        if self.color {
            let _ = write!(out, "\x1b[1m{args}\x1b[0m");
        } else {
            let _ = out.write_fmt(args);
        }
    }
}

pub fn bold(s: &str, color: bool) -> String {
    Paint { color }.bold(s).into_owned()
}

/// Terraform's `format.WordWrap`: wraps each paragraph at `width` columns,
/// keeping lines that start with whitespace (indented lists) as they are.
pub fn word_wrap(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.split('\n') {
        if line.starts_with(' ') || line.starts_with('\t') || line.is_empty() {
            out.push(line.to_string());
            continue;
        }
        let mut cur = String::new();
        for word in line.split(' ') {
            if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut cur));
            } else if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        out.push(cur);
    }
    out.join("\n")
}

/// One diagnostic as Terraform prints it on a terminal: the plain rendering
/// framed by a rule down the left (`╷ │ ╵`), severity coloured.
pub fn boxed_diag(files: &Files, d: &Diagnostic, p: &Paint) -> String {
    let text = d.render(files);
    let (rule, word) = if d.is_error() { ("31", "Error:") } else { ("33", "Warning:") };
    let bar = |s: &str| if p.color { format!("\x1b[{rule}m{s}\x1b[0m") } else { s.to_string() };
    let mut out = format!("{}\n", bar("╷"));
    for (i, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        let line = if i == 0 {
            let rest = line.strip_prefix(word).unwrap_or(line);
            format!("{}{}", p.bold(&p.wrap(rule, word)), p.bold(rest))
        } else {
            line.to_string()
        };
        out += &format!("{} {line}\n", bar("│"));
    }
    out += &bar("╵");
    out
}

/// Prints diagnostics as Terraform does: errors to stderr, warnings to
/// stdout; boxed on a terminal, plain with `-no-color`.
pub fn print_diags(files: &Files, diags: &[Diagnostic], color: bool) {
    let p = Paint { color };
    for d in diags {
        let text = if color { boxed_diag(files, d, &p) } else { d.render(files) };
        if d.is_error() {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "\n{text}");
        } else {
            let mut o = std::io::stdout().lock();
            let _ = writeln!(o, "\n{text}");
        }
    }
}

/// Diagnostics as JSON UI messages with `-json`, else as [`print_diags`] does.
pub fn report_diags(json: bool, files: &Files, diags: &[Diagnostic], color: bool) {
    if json {
        for d in diags {
            json::emit_diagnostic(files, d);
        }
    } else {
        print_diags(files, diags, color);
    }
}
