//! HCL syntax for plinth: source files, spans, diagnostics and the parsed tree.
//!
//! This crate knows nothing about values or evaluation. It turns text into an
//! [`ast::Body`] / [`ast::Expr`] where every node carries a [`Span`], and it never
//! fails outright: parsing returns the best tree it could build plus a list of
//! [`Diagnostic`]s (rust-analyzer style), so callers can report every problem once.
//!
//! The native-syntax parser is hand-written rather than taken from `hcl-edit`:
//! plinth needs byte-exact spans on every expression node for Terraform-style
//! diagnostics, Terraform's exact error wording, and correct `<<-` heredoc
//! indentation stripping around `%{}` directives, which the crates mishandle.

pub mod ast;
mod diag;
mod json;
mod lexer;
mod parser;

pub use diag::{Diagnostic, Diagnostics, FileId, Files, Pos, Severity, Span};

/// HCL's `ValidIdentifier`: a letter or `_`, then letters, digits, `_` and
/// `-` (the names of blocks' labels, variables, attributes shown bare).
pub fn valid_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(lexer::is_ident_start) && c.all(lexer::is_ident_continue)
}

/// Adds a source file read from disk to `files`: a UTF-8 byte order mark is
/// dropped (Terraform accepts one), and bytes that are not UTF-8 become
/// U+FFFD with an "Invalid character encoding" error at the first of them,
/// Terraform's message, so the caller reports it with file and line rather
/// than a bare read failure.
pub fn add_source(files: &mut Files, name: impl Into<String>, bytes: Vec<u8>) -> (FileId, Option<Diagnostic>) {
    let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => (files.add(name, text), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = files.add(name, text);
            let d = Diagnostic::error(
                "Invalid character encoding",
                "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
            )
            .with_subject(Span::new(id, at, at + '\u{fffd}'.len_utf8()));
            (id, Some(d))
        }
    }
}

/// Parses a native-syntax HCL file (`.tf`, `.tfvars`) into its top-level body.
pub fn parse_file(file: FileId, src: &str) -> (ast::Body, Vec<Diagnostic>) {
    parser::parse_file(file, "", src)
}

/// [`parse_file`] of a file in `files`, whose name appears in details that
/// point at another place in it ("already set at main.tf:1,1-2").
pub fn parse_file_in(files: &Files, file: FileId) -> (ast::Body, Vec<Diagnostic>) {
    parser::parse_file(file, files.name(file), files.text(file))
}

/// Parses a single native-syntax expression (console input, `-var` values).
pub fn parse_expr(file: FileId, src: &str) -> (ast::Expr, Vec<Diagnostic>) {
    parser::parse_expr(file, src)
}

/// Parses a bare template (the text of `templatefile` / `templatestring`): the whole
/// input is template literal text with `${}` / `%{}` sequences, no surrounding quotes.
pub fn parse_template(file: FileId, src: &str) -> (ast::Expr, Vec<Diagnostic>) {
    parser::parse_template(file, src)
}

/// Parses a JSON-syntax HCL file (`.tf.json`, `.tfvars.json`). JSON bodies are
/// converted into the same AST; string values become templates as HCL's JSON
/// syntax specifies, and the caller decides (per schema) how to interpret them.
pub fn parse_json_file(file: FileId, src: &str) -> (ast::Body, Vec<Diagnostic>) {
    json::parse_json_file(file, src)
}

/// Parses a JSON variables file (`.tfvars.json`): like [`parse_json_file`], but
/// every top-level property is an attribute, even one named like a block type
/// (`data`, `module`, ...), since there it is just a variable name.
/// Its strings are literal text (never templates), and a property given
/// twice is an error.
pub fn parse_json_tfvars(files: &Files, file: FileId) -> (ast::Body, Vec<Diagnostic>) {
    json::parse_json_attributes(file, files.name(file), files.text(file))
}

#[cfg(test)]
mod tests;
