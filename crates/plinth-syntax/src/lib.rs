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

/// Parses a native-syntax HCL file (`.tf`, `.tfvars`) into its top-level body.
pub fn parse_file(file: FileId, src: &str) -> (ast::Body, Vec<Diagnostic>) {
    parser::parse_file(file, src)
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
pub fn parse_json_tfvars(file: FileId, src: &str) -> (ast::Body, Vec<Diagnostic>) {
    json::parse_json_attributes(file, src)
}

#[cfg(test)]
mod tests;
