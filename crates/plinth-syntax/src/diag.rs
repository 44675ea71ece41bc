//! Source files, byte spans, and diagnostics rendered the way Terraform prints them.

use std::fmt::Write as _;

/// Index of a file in [`Files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }
    /// Whether a diagnostic about `subject` is inside this block, as
    /// Terraform names context: the block holds the byte before the
    /// subject (a subject that is the block's own header is not inside).
    pub fn holds_subject(self, subject: Span) -> bool {
        subject.file == self.file && subject.start > self.start && subject.start <= self.end
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A 1-based line and column (column counted in characters, as Terraform does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

/// Every source file read during one run, so diagnostics can quote them.
#[derive(Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn new() -> Files {
        Files::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        self.files.push(SourceFile { name: name.into(), text, line_starts });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.files[id.0 as usize].name
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.files[id.0 as usize].text
    }

    pub fn get(&self, id: FileId) -> Option<(&str, &str)> {
        self.files.get(id.0 as usize).map(|f| (f.name.as_str(), f.text.as_str()))
    }

    /// Line and column of a byte offset.
    pub fn pos(&self, id: FileId, byte: usize) -> Pos {
        let f = &self.files[id.0 as usize];
        let byte = byte.min(f.text.len());
        let line = match f.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = f.line_starts[line];
        let column = f.text.get(start..byte).map_or(byte - start, |s| s.chars().count()) + 1;
        Pos { line: line + 1, column, byte }
    }

    /// A span as Terraform's `hcl.Range.String()` writes it in messages:
    /// `main.tf:1,1-30` (one line) or `main.tf:1,1-3,2`.
    pub fn range_text(&self, span: Span) -> String {
        if self.get(span.file).is_none() {
            return String::from("(unknown position)");
        }
        let (a, b) = (self.pos(span.file, span.start as usize), self.pos(span.file, span.end as usize));
        let name = self.name(span.file);
        if a.line == b.line {
            format!("{name}:{},{}-{}", a.line, a.column, b.column)
        } else {
            format!("{name}:{},{}-{},{}", a.line, a.column, b.line, b.column)
        }
    }

    fn line_text(&self, id: FileId, line: usize) -> &str {
        let f = &self.files[id.0 as usize];
        let start = f.line_starts[line - 1];
        let end = f.line_starts.get(line).map_or(f.text.len(), |e| e - 1);
        f.text[start..end].trim_end_matches('\r')
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the input, with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The exact construct at fault (underlined when rendered).
    pub subject: Option<Span>,
    /// The enclosing block header, e.g. `in output "x"`, when known.
    pub context: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), subject: None, context: None }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(summary, detail) }
    }

    pub fn with_subject(mut self, span: Span) -> Diagnostic {
        self.subject = Some(span);
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Diagnostic {
        if self.context.is_none() {
            self.context = Some(context.into());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as Terraform does without colour:
    ///
    /// ```text
    /// Error: Unsupported attribute
    ///
    ///   on main.tf line 3, in output "x":
    ///    3:   value = local.foo.bar
    ///
    /// This object does not have an attribute named "bar".
    /// ```
    pub fn render(&self, files: &Files) -> String {
        let mut out = String::new();
        let word = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        let _ = writeln!(out, "{word}: {}", self.summary);
        if let Some(span) = self.subject {
            if files.get(span.file).is_some() {
                let pos = files.pos(span.file, span.start as usize);
                let _ = write!(out, "\n  on {} line {}", files.name(span.file), pos.line);
                match &self.context {
                    Some(c) => {
                        let _ = writeln!(out, ", in {c}:");
                    }
                    None => out.push_str(":\n"),
                }
                let text = files.line_text(span.file, pos.line);
                let _ = writeln!(out, "{:>4}: {}", pos.line, text);
                // Underline the subject within its first line.
                let line_start = span.start as usize - (pos.column - 1).min(span.start as usize);
                let _ = line_start;
                let end_pos = files.pos(span.file, span.end as usize);
                let from = pos.column - 1;
                let to = if end_pos.line == pos.line { end_pos.column - 1 } else { text.chars().count() };
                if to > from {
                    let pad: String = text.chars().take(from).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                    let _ = writeln!(out, "      {pad}{}", "^".repeat(to - from));
                }
            }
        }
        if !self.detail.is_empty() {
            let _ = write!(out, "\n{}\n", self.detail);
        }
        out
    }
}

/// A collected list of diagnostics with convenience queries.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d)
    }
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(ds)
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_and_underline() {
        let mut files = Files::new();
        let f = files.add("main.tf", "output \"x\" {\n  value = local.foo.bar\n}\n");
        let d = Diagnostic::error("Unsupported attribute", "This object does not have an attribute named \"bar\".")
            .with_subject(Span::new(f, 33, 36))
            .with_context("output \"x\"");
        let r = d.render(&files);
        assert!(r.contains("on main.tf line 2, in output \"x\":"), "{r}");
        assert!(r.contains("   2:   value = local.foo.bar"), "{r}");
        assert!(r.contains(&format!("\n{}^^^\n", " ".repeat(26))), "{r}");
    }
}
