//! Recursive-descent parser for HCL native syntax, following hashicorp/hcl v2
//! `hclsyntax` (grammar, precedence, recovery and diagnostic wording).
//!
//! Tokens come on demand from [`crate::lexer`]; template text is scanned here
//! directly. Newline significance is parser state (`self.nl`): newlines end
//! arguments in bodies and separate object items, but are ignored inside
//! parentheses, brackets, interpolations and `for` expressions.
//!
//! Robustness: every loop makes progress, all slicing happens on char
//! boundaries, and recursion depth plus tree height are capped so that no input
//! can overflow the stack (here or in later tree walks).

use std::cell::Cell;

use unicode_normalization::UnicodeNormalization;

use crate::ast::*;
use crate::lexer::{self, char_at, char_len, Tok, T};
use crate::{Diagnostic, FileId, Span};

/// Cap on parser recursion (nesting of brackets, templates, blocks...). Debug
/// builds use several KiB of stack per level, so this stays well within a 2 MiB
/// thread stack.
const MAX_DEPTH: usize = 128;
/// Cap on the height of the produced tree (nesting plus operator/traversal
/// chains), so later recursive walks (evaluation, drop) cannot overflow either.
const MAX_HEIGHT: usize = 1024;

pub(crate) struct Parser<'a> {
    src: &'a str,
    file: FileId,
    /// The file's name as diagnostics show it (in "already set at
    /// main.tf:1,1-2" details); empty when unknown.
    name: &'a str,
    pub(crate) pos: usize,
    /// Are newlines significant at the current point?
    nl: bool,
    depth: usize,
    height: usize,
    depth_reported: bool,
    pub(crate) diags: Vec<Diagnostic>,
    /// The last token lexed, with the offset and newline mode it was lexed
    /// at: the parser peeks at the same token several times (once per
    /// precedence level, for postfix operators, ...), and lexing it again
    /// each time was a visible share of parsing time.
    peeked: Cell<Option<(usize, bool, Tok)>>,
}

pub(crate) fn parse_file(file: FileId, name: &str, src: &str) -> (Body, Vec<Diagnostic>) {
    let mut p = Parser::new(file, src);
    p.name = name;
    let body = p.parse_body(None);
    (body, p.diags)
}

/// `name:line,col-col` (or `name:line,col-line,col`), as hcl's `Range.String`
/// writes a range in diagnostic details; columns count characters.
pub(crate) struct RangeText<'s> {
    name: &'s str,
    src: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> RangeText<'s> {
    pub(crate) fn new(name: &'s str, src: &'s str) -> RangeText<'s> {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        RangeText { name, src, line_starts }
    }

    fn pos(&self, off: usize) -> (usize, usize) {
        let off = off.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= off) - 1;
        let start = self.line_starts[line];
        (line + 1, self.src.get(start..off).map_or(off - start, |t| t.chars().count()) + 1)
    }

    pub(crate) fn of(&self, start: usize, end: usize) -> String {
        let ((l1, c1), (l2, c2)) = (self.pos(start), self.pos(end));
        let name = self.name;
        if l1 == l2 {
            format!("{name}:{l1},{c1}-{c2}")
        } else {
            format!("{name}:{l1},{c1}-{l2},{c2}")
        }
    }
}

pub(crate) fn parse_expr(file: FileId, src: &str) -> (Expr, Vec<Diagnostic>) {
    let mut p = Parser::new(file, src);
    let e = p.parse_expression();
    if !p.has_new_errors(0) {
        p.nl = false;
        let t = p.peek();
        if t.kind != T::Eof {
            p.unexpected(
                t,
                ("Extra characters after expression", "An expression was successfully parsed, but extra characters were found after it."),
            );
        }
    }
    (e, p.diags)
}

pub(crate) fn parse_template(file: FileId, src: &str) -> (Expr, Vec<Diagnostic>) {
    let mut p = Parser::new(file, src);
    let e = p.parse_bare_template();
    (e, p.diags)
}

/// How a template's literal text ends.
#[derive(Clone, Copy)]
enum TEnd<'s> {
    Quote,
    Heredoc(&'s str),
    Eof,
}

/// One element of the flat template sequence, before control structure is built.
struct TItem {
    kind: TKind,
    span: Span,
    strip_l: bool,
    strip_r: bool,
}

enum TKind {
    /// Decoded text, plus (text index, source offset) of each line that starts
    /// in literal context (heredocs only; used for `<<-` indentation).
    Lit(String, Vec<(usize, usize)>),
    Interp(Expr),
    If(Expr),
    Else,
    EndIf,
    For(Option<Ident>, Ident, Expr),
    EndFor,
}

fn binop(kind: T) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        T::Or => (BinaryOp::Or, 1),
        T::And => (BinaryOp::And, 2),
        T::EqEq => (BinaryOp::Eq, 3),
        T::NotEq => (BinaryOp::Ne, 3),
        T::Lt => (BinaryOp::Lt, 4),
        T::Gt => (BinaryOp::Gt, 4),
        T::Le => (BinaryOp::Le, 4),
        T::Ge => (BinaryOp::Ge, 4),
        T::Plus => (BinaryOp::Add, 5),
        T::Minus => (BinaryOp::Sub, 5),
        T::Star => (BinaryOp::Mul, 6),
        T::Slash => (BinaryOp::Div, 6),
        T::Percent => (BinaryOp::Mod, 6),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    pub(crate) fn new(file: FileId, src: &'a str) -> Parser<'a> {
        Parser {
            src,
            file,
            name: "",
            pos: 0,
            nl: true,
            depth: 0,
            height: 0,
            depth_reported: false,
            diags: Vec::new(),
            peeked: Cell::new(None),
        }
    }

    /// The whole input as template text (no quotes, no backslash escapes).
    pub(crate) fn parse_bare_template(&mut self) -> Expr {
        let parts = self.template_body(TEnd::Eof, false, 0, false);
        Expr::new(ExprKind::Template(parts), self.sp(0, self.src.len()))
    }

    // ---------------------------------------------------------------- helpers

    fn sp(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn err(&mut self, summary: &str, detail: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error(summary, detail).with_subject(span));
    }

    fn peek(&self) -> Tok {
        if let Some((pos, nl, t)) = self.peeked.get() {
            if pos == self.pos && nl == self.nl {
                return t;
            }
        }
        let t = lexer::lex(self.src, self.pos, self.nl);
        self.peeked.set(Some((self.pos, self.nl, t)));
        t
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek();
        self.pos = t.end;
        t
    }

    fn text(&self, t: Tok) -> &'a str {
        &self.src[t.start..t.end]
    }

    fn is_kw(&self, t: Tok, kw: &str) -> bool {
        t.kind == T::Ident && self.text(t) == kw
    }

    fn has_new_errors(&self, since: usize) -> bool {
        self.diags[since.min(self.diags.len())..].iter().any(Diagnostic::is_error)
    }

    fn line_col(&self, pos: usize) -> String {
        let before = self.src.get(..pos).unwrap_or(self.src);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line},{col}")
    }

    /// Enters one level of recursion / tree height; false (with one diagnostic)
    /// when the cap is reached.
    fn enter(&mut self, at: usize) -> bool {
        self.enter_n(at, 1)
    }

    /// Like [`Self::enter`] but costs `n` levels (for constructs whose parsing
    /// uses much more stack per level, such as nested templates).
    fn enter_n(&mut self, at: usize, n: usize) -> bool {
        if self.depth + n > MAX_DEPTH || self.height + n > MAX_HEIGHT {
            if !self.depth_reported {
                self.depth_reported = true;
                let end = at + char_len(self.src, at).min(self.src.len().saturating_sub(at));
                self.err(
                    "Expression nesting too deep",
                    "This expression is nested too deeply (or is too long a chain of operators or traversals) to be processed.",
                    self.sp(at, end),
                );
            }
            return false;
        }
        self.depth += n;
        self.height += n;
        true
    }

    fn leave(&mut self) {
        self.leave_n(1)
    }

    fn leave_n(&mut self, n: usize) {
        self.depth -= n;
        self.height -= n;
    }

    /// One more link in an operator or traversal chain: grows the tree but not
    /// the parser's recursion.
    fn grow(&mut self, at: usize) -> bool {
        if self.height >= MAX_HEIGHT {
            let d = self.depth;
            // Report through the common path (depth is unaffected).
            self.depth = MAX_DEPTH;
            self.enter(at);
            self.depth = d;
            return false;
        }
        self.height += 1;
        true
    }

    fn shrink(&mut self, n: usize) {
        self.height -= n;
    }

    fn placeholder(&self, start: usize, end: usize) -> Expr {
        Expr::new(ExprKind::Null, self.sp(start, end.max(start)))
    }

    /// Diagnostic for a token that cannot appear where it was found. Invalid
    /// characters get their specific wording; anything else gets `generic`.
    fn unexpected(&mut self, t: Tok, generic: (&str, &str)) {
        let span = self.sp(t.start, t.end);
        let ch = char_at(self.src, t.start).unwrap_or(' ');
        match t.kind {
            T::Invalid => {
                let detail = match ch {
                    '`' => "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".",
                    '\'' => "Single quotes are not valid. Use double quotes (\") to enclose strings.",
                    ';' => "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.",
                    '\u{201c}' | '\u{201d}' => "\"Curly quotes\" are not valid here. These can sometimes be inadvertently introduced when sharing code via documents or discussion forums. It might help to replace the character with a \"straight quote\".",
                    _ => "This character is not used within the language.",
                };
                self.err("Invalid character", detail, span)
            }
            T::Bitwise => {
                let suggestion = match ch {
                    '&' => " Did you mean boolean AND (\"&&\")?",
                    '|' => " Did you mean boolean OR (\"||\")?",
                    _ => "",
                };
                self.err("Unsupported operator", format!("Bitwise operators are not supported.{suggestion}"), span)
            }
            T::Power => self.err(
                "Unsupported operator",
                "\"**\" is not a supported operator. Exponentiation is not supported as an operator.",
                span,
            ),
            T::UnterminatedComment => self.err(
                "Unterminated comment",
                "There is no closing \"*/\" for this comment before the end of the file.",
                self.sp(t.start, t.start + 2),
            ),
            _ => self.err(generic.0, generic.1, span),
        }
    }

    // ----------------------------------------------------------------- bodies

    /// Parses body items until EOF (top level) or a `}` (nested; not consumed).
    fn parse_body(&mut self, open: Option<Tok>) -> Body {
        let saved_nl = self.nl;
        self.nl = true;
        let mut body = Body { attributes: vec![], blocks: vec![], span: self.sp(0, self.src.len()) };
        let nested = open.is_some();
        let entered = self.enter(self.pos);
        loop {
            let t = self.peek();
            match t.kind {
                T::Newline => {
                    self.pos = t.end;
                }
                T::Eof => {
                    if let Some(o) = open {
                        self.err("Unclosed configuration block", "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.", self.sp(o.start, o.end));
                    }
                    break;
                }
                T::RBrace if nested => break,
                T::Ident if entered => self.parse_body_item(t, &mut body),
                T::OQuote if entered => {
                    self.pos = t.end;
                    let save = self.pos;
                    let _ = self.quoted_parts();
                    let after = self.peek();
                    self.pos = save;
                    if after.kind == T::Eq {
                        self.err("Invalid argument name", "Argument names must not be quoted.", self.sp(t.start, after.start));
                    } else {
                        self.err(
                            "Argument or block definition required",
                            "An argument or block definition is required here.",
                            self.sp(t.start, t.end),
                        );
                    }
                    self.pos = t.start;
                    self.recover_after_body_item();
                }
                _ => {
                    if entered {
                        self.unexpected(t, ("Argument or block definition required", "An argument or block definition is required here."));
                    }
                    self.recover_after_body_item();
                }
            }
            if self.pos <= t.start {
                // Always make progress (e.g. a stray `}` at top level).
                self.pos = t.end.max(t.start + 1).min(self.src.len());
            }
        }
        if entered {
            self.leave();
        }
        self.nl = saved_nl;
        self.reject_redefined(&mut body);
        body
    }

    /// hclsyntax's "Attribute redefined": an argument set twice in one body
    /// is an error, and the first definition is the one kept.
    fn reject_redefined(&mut self, body: &mut Body) {
        if body.attributes.len() < 2 {
            return;
        }
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::with_capacity(body.attributes.len());
        let mut dups = Vec::new();
        for (i, a) in body.attributes.iter().enumerate() {
            match seen.get(a.name.name.as_str()) {
                Some(first) => dups.push((i, *first)),
                None => {
                    seen.insert(&a.name.name, a.name.span);
                }
            }
        }
        drop(seen);
        if dups.is_empty() {
            return;
        }
        let ranges = RangeText::new(self.name, self.src);
        for &(i, first) in &dups {
            let a = &body.attributes[i];
            let at = ranges.of(first.start as usize, first.end as usize);
            self.diags.push(
                Diagnostic::error(
                    "Attribute redefined",
                    format!("The argument {:?} was already set at {at}. Each argument may be set only once.", a.name.name),
                )
                .with_subject(a.name.span),
            );
        }
        let mut i = 0;
        let mut next_dup = dups.iter().map(|d| d.0).peekable();
        body.attributes.retain(|_| {
            let drop_it = next_dup.peek() == Some(&i);
            if drop_it {
                next_dup.next();
            }
            i += 1;
            !drop_it
        });
    }

    fn parse_body_item(&mut self, ident_tok: Tok, body: &mut Body) {
        self.pos = ident_tok.end;
        let name = Ident { name: self.text(ident_tok).to_string(), span: self.sp(ident_tok.start, ident_tok.end) };
        let next = self.peek();
        match next.kind {
            T::Eq => {
                if let Some(a) = self.parse_attribute(name, false) {
                    body.attributes.push(a);
                }
            }
            T::OQuote | T::Ident | T::LBrace => {
                if let Some(b) = self.parse_block(name) {
                    body.blocks.push(b);
                }
            }
            _ => {
                self.unexpected(
                    next,
                    (
                        "Argument or block definition required",
                        "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
                    ),
                );
                self.recover_after_body_item();
            }
        }
    }

    /// After the name, at `=`. Consumes the terminating newline unless `single_line`.
    fn parse_attribute(&mut self, name: Ident, single_line: bool) -> Option<Attribute> {
        self.bump(); // =
        let before = self.diags.len();
        let expr = self.parse_expression();
        let span = name.span.to(expr.span);
        if self.has_new_errors(before) {
            if !single_line {
                self.recover_after_body_item();
            }
        } else if !single_line {
            let end = self.peek();
            match end.kind {
                T::Newline => self.pos = end.end,
                T::Eof => {}
                T::Comma => {
                    self.err(
                        "Unexpected comma after argument",
                        "Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.",
                        self.sp(end.start, end.end),
                    );
                    self.recover_after_body_item();
                }
                _ => {
                    self.unexpected(end, ("Missing newline after argument", "An argument definition must end with a newline."));
                    self.recover_after_body_item();
                }
            }
        }
        Some(Attribute { name, expr, span })
    }

    fn parse_block(&mut self, kind: Ident) -> Option<Block> {
        let mut labels = Vec::new();
        let open = loop {
            let t = self.peek();
            match t.kind {
                T::LBrace => {
                    self.pos = t.end;
                    break t;
                }
                T::Ident => {
                    self.pos = t.end;
                    labels.push(Label { value: self.text(t).to_string(), span: self.sp(t.start, t.end) });
                }
                T::OQuote => {
                    self.pos = t.end;
                    let before = self.diags.len();
                    let (parts, span) = self.quoted_parts();
                    let value = match parts.as_slice() {
                        [] => Some(String::new()),
                        [TemplatePart::Literal(s)] => Some(s.clone()),
                        _ => None,
                    };
                    match value {
                        Some(v) => labels.push(Label { value: v, span }),
                        None => {
                            if !self.has_new_errors(before) {
                                self.err(
                                    "Invalid string literal",
                                    "Template sequences are not allowed in this string. To include a literal \"$\", double it (as \"$$\") to escape it.",
                                    span,
                                );
                            }
                            self.recover_after_body_item();
                            return None;
                        }
                    }
                    if self.has_new_errors(before) {
                        self.recover_after_body_item();
                        return None;
                    }
                }
                T::Eq => {
                    self.err(
                        "Invalid block definition",
                        "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.",
                        self.sp(t.start, t.end),
                    );
                    self.recover_after_body_item();
                    return None;
                }
                T::Newline | T::Eof => {
                    self.err(
                        "Invalid block definition",
                        "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
                        self.sp(t.start, t.end),
                    );
                    self.recover_after_body_item();
                    return None;
                }
                _ => {
                    self.unexpected(
                        t,
                        ("Invalid block definition", "Either a quoted string block label or an opening brace (\"{\") is expected here."),
                    );
                    self.recover_after_body_item();
                    return None;
                }
            }
        };
        let header_span = kind.span.to(self.sp(open.start, open.end));
        let t = self.peek();
        let (body, close_end, closed) = match t.kind {
            T::Newline => {
                let mut body = self.parse_body(Some(open));
                let close = self.peek();
                let end = if close.kind == T::RBrace {
                    self.pos = close.end;
                    close.end
                } else {
                    close.start
                };
                body.span = self.sp(open.start, end);
                (body, end, close.kind == T::RBrace)
            }
            T::RBrace => {
                self.pos = t.end;
                (Body { attributes: vec![], blocks: vec![], span: self.sp(open.start, t.end) }, t.end, true)
            }
            T::Eof => {
                self.err("Unclosed configuration block", "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.", self.sp(open.start, open.end));
                (Body { attributes: vec![], blocks: vec![], span: self.sp(open.start, t.start) }, t.start, false)
            }
            _ => {
                // Single-line block: exactly one argument, then `}` on the same line.
                let mut body = Body { attributes: vec![], blocks: vec![], span: self.sp(open.start, open.end) };
                let before = self.diags.len();
                if t.kind == T::Ident {
                    self.pos = t.end;
                    let name = Ident { name: self.text(t).to_string(), span: self.sp(t.start, t.end) };
                    let n = self.peek();
                    if n.kind == T::Eq {
                        if let Some(a) = self.parse_attribute(name, true) {
                            body.attributes.push(a);
                        }
                    } else {
                        let detail = format!("A single-line block definition can contain only a single argument. If you meant to define argument {:?}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.", self.text(t));
                        self.err("Argument definition required", detail, self.sp(t.start, n.end));
                    }
                } else {
                    self.unexpected(t, ("Argument or block definition required", "An argument or block definition is required here."));
                }
                let close = self.peek();
                if self.has_new_errors(before) {
                    self.recover_after_body_item();
                    let end = self.pos;
                    body.span = self.sp(open.start, end);
                    return Some(Block { kind: kind.clone(), labels, span: kind.span.to(self.sp(end, end)), header_span, body });
                }
                let end = match close.kind {
                    T::RBrace => {
                        self.pos = close.end;
                        close.end
                    }
                    T::Comma => {
                        self.err("Invalid single-argument block definition", "Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.", self.sp(close.start, close.end));
                        self.recover_after_body_item();
                        self.pos
                    }
                    T::Newline => {
                        self.err("Invalid single-argument block definition", "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.", self.sp(close.start, close.end));
                        self.recover_after_body_item();
                        self.pos
                    }
                    T::Eof => {
                        self.err("Unclosed configuration block", "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.", self.sp(open.start, open.end));
                        close.start
                    }
                    _ => {
                        self.unexpected(close, ("Invalid single-argument block definition", "A single-line block definition must end with a closing brace immediately after its single argument definition."));
                        self.recover_after_body_item();
                        self.pos
                    }
                };
                body.span = self.sp(open.start, end);
                let span = kind.span.to(self.sp(end, end));
                return Some(Block { kind, labels, body, span, header_span });
            }
        };
        // After the closing brace: newline or end of file.
        if closed {
            let after = self.peek();
            match after.kind {
                T::Newline => self.pos = after.end,
                T::Eof => {}
                _ => {
                    self.unexpected(after, ("Missing newline after block definition", "A block definition must end with a newline."));
                    self.recover_after_body_item();
                }
            }
        }
        let span = kind.span.to(self.sp(close_end, close_end));
        Some(Block { kind, labels, body, span, header_span })
    }

    /// Skips to just after the next newline outside brackets, or to EOF, or to
    /// (not past) a `}` that closes the enclosing body.
    fn recover_after_body_item(&mut self) {
        let saved = self.nl;
        self.nl = true;
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                T::Eof => break,
                T::Newline if depth == 0 => {
                    self.pos = t.end;
                    break;
                }
                T::LBrace | T::LBrack | T::LParen => depth += 1,
                T::RBrace if depth == 0 => break,
                T::RBrace | T::RBrack | T::RParen => depth = depth.saturating_sub(1),
                T::OQuote => {
                    self.pos = skip_quoted(self.src, t.end);
                    continue;
                }
                T::Heredoc => {
                    self.pos = skip_heredoc(self.src, t);
                    continue;
                }
                _ => {}
            }
            self.pos = t.end;
        }
        self.nl = saved;
    }

    /// Skips to just past the `close` token matching the current nesting level
    /// (newlines ignored), or to EOF.
    fn recover_to(&mut self, close: T) {
        let saved = self.nl;
        self.nl = false;
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                T::Eof => break,
                k if k == close && depth == 0 => {
                    self.pos = t.end;
                    break;
                }
                T::LBrace | T::LBrack | T::LParen => depth += 1,
                T::RBrace | T::RBrack | T::RParen => {
                    if depth == 0 {
                        // A closer of an outer construct: stop before it.
                        break;
                    }
                    depth -= 1
                }
                T::OQuote => {
                    self.pos = skip_quoted(self.src, t.end);
                    continue;
                }
                T::Heredoc => {
                    self.pos = skip_heredoc(self.src, t);
                    continue;
                }
                _ => {}
            }
            self.pos = t.end;
        }
        self.nl = saved;
    }

    // ------------------------------------------------------------ expressions

    pub(crate) fn parse_expression(&mut self) -> Expr {
        let start = self.peek().start;
        if !self.enter(start) {
            return self.placeholder(start, start);
        }
        let e = self.parse_ternary();
        self.leave();
        e
    }

    fn parse_ternary(&mut self) -> Expr {
        let before = self.diags.len();
        let cond = self.parse_binary(1);
        let q = self.peek();
        if q.kind != T::Question || self.has_new_errors(before) {
            return cond;
        }
        self.pos = q.end;
        let then = self.parse_expression();
        if self.has_new_errors(before) {
            let span = cond.span.to(then.span);
            return Expr::new(
                ExprKind::Conditional {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    otherwise: Box::new(self.placeholder(span.end as usize, span.end as usize)),
                },
                span,
            );
        }
        let colon = self.peek();
        if colon.kind != T::Colon {
            self.unexpected(
                colon,
                (
                    "Missing false expression in conditional",
                    "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
                ),
            );
            let span = cond.span.to(then.span);
            let ph = self.placeholder(colon.start, colon.start);
            return Expr::new(ExprKind::Conditional { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(ph) }, span);
        }
        self.pos = colon.end;
        let otherwise = self.parse_expression();
        let span = cond.span.to(otherwise.span);
        Expr::new(ExprKind::Conditional { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(otherwise) }, span)
    }

    /// Precedence climbing; all binary operators are left-associative.
    fn parse_binary(&mut self, min_prec: u8) -> Expr {
        let before = self.diags.len();
        let mut lhs = self.parse_unary();
        let mut chain = 0usize;
        loop {
            if self.has_new_errors(before) {
                break;
            }
            let t = self.peek();
            let (op, prec) = match binop(t.kind) {
                Some(x) => x,
                None => {
                    if matches!(t.kind, T::Bitwise | T::Power) {
                        self.unexpected(t, ("", ""));
                    }
                    break;
                }
            };
            if prec < min_prec {
                break;
            }
            if !self.grow(t.start) {
                break;
            }
            chain += 1;
            self.pos = t.end;
            let rhs = self.parse_binary(prec + 1);
            let span = lhs.span.to(rhs.span);
            lhs = Expr::new(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        }
        self.shrink(chain);
        lhs
    }

    fn parse_unary(&mut self) -> Expr {
        let t = self.peek();
        let op = match t.kind {
            T::Minus => UnaryOp::Neg,
            T::Bang => UnaryOp::Not,
            _ => {
                let e = self.parse_primary();
                return self.parse_postfix(e);
            }
        };
        self.pos = t.end;
        if !self.enter(t.start) {
            return self.placeholder(t.start, t.end);
        }
        let operand = self.parse_unary();
        self.leave();
        let span = self.sp(t.start, t.end).to(operand.span);
        Expr::new(ExprKind::Unary { op, expr: Box::new(operand) }, span)
    }

    fn parse_primary(&mut self) -> Expr {
        let t = self.peek();
        match t.kind {
            T::Number => {
                self.pos = t.end;
                Expr::new(ExprKind::Number(self.text(t).to_string()), self.sp(t.start, t.end))
            }
            T::Ident => {
                self.pos = t.end;
                let name = self.text(t);
                let span = self.sp(t.start, t.end);
                let n = self.peek();
                if matches!(n.kind, T::LParen | T::DoubleColon) {
                    return self.parse_call(t);
                }
                match name {
                    "true" => Expr::new(ExprKind::Bool(true), span),
                    "false" => Expr::new(ExprKind::Bool(false), span),
                    "null" => Expr::new(ExprKind::Null, span),
                    _ => Expr::new(ExprKind::Variable(Ident { name: name.to_string(), span }), span),
                }
            }
            T::OQuote => {
                self.pos = t.end;
                let (parts, span) = self.quoted_parts();
                Expr::new(ExprKind::Template(parts), span)
            }
            T::Heredoc => self.parse_heredoc(t),
            T::LParen => {
                self.pos = t.end;
                let saved = self.nl;
                self.nl = false;
                let before = self.diags.len();
                let inner = self.parse_expression();
                let mut end = inner.span.end as usize;
                if self.has_new_errors(before) {
                    self.recover_to(T::RParen);
                    end = self.pos;
                } else {
                    let c = self.peek();
                    if c.kind == T::RParen {
                        self.pos = c.end;
                        end = c.end;
                    } else {
                        self.unexpected(c, ("Unbalanced parentheses", "Expected a closing parenthesis to terminate the expression."));
                        self.recover_to(T::RParen);
                    }
                }
                self.nl = saved;
                Expr::new(ExprKind::Parens(Box::new(inner)), self.sp(t.start, end.max(t.end)))
            }
            T::LBrack => self.parse_tuple(t),
            T::LBrace => self.parse_object(t),
            T::Eof => {
                self.err(
                    "Missing expression",
                    "Expected the start of an expression, but found the end of the file.",
                    self.sp(t.start, t.end),
                );
                self.placeholder(t.start, t.end)
            }
            _ => {
                self.unexpected(t, ("Invalid expression", "Expected the start of an expression, but found an invalid expression token."));
                self.placeholder(t.start, t.end)
            }
        }
    }

    /// Attribute access, indexing and splats after a term.
    fn parse_postfix(&mut self, mut expr: Expr) -> Expr {
        let before = self.diags.len();
        let mut chain = 0usize;
        loop {
            if self.has_new_errors(before) {
                break;
            }
            let t = self.peek();
            if !matches!(t.kind, T::Dot | T::LBrack) {
                break;
            }
            if !self.grow(t.start) {
                break;
            }
            chain += 1;
            match t.kind {
                T::Dot => {
                    self.pos = t.end;
                    let n = self.peek();
                    match n.kind {
                        T::Ident | T::Number => {
                            self.pos = n.end;
                            expr = self.attr_or_legacy_index(expr, n, false);
                        }
                        T::Star => {
                            self.pos = n.end;
                            let marker = self.sp(t.start, n.end);
                            expr = self.attr_splat(expr, marker);
                        }
                        _ => {
                            self.unexpected(n, ("Invalid attribute name", "An attribute name is required after a dot."));
                            break;
                        }
                    }
                }
                T::LBrack => {
                    self.pos = t.end;
                    let saved = self.nl;
                    self.nl = false;
                    let n = self.peek();
                    if n.kind == T::Star {
                        self.pos = n.end;
                        let c = self.peek();
                        if c.kind != T::RBrack {
                            self.unexpected(
                                c,
                                (
                                    "Missing close bracket on splat index",
                                    "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").",
                                ),
                            );
                            self.nl = saved;
                            break;
                        }
                        self.pos = c.end;
                        self.nl = saved;
                        let marker = self.sp(t.start, c.end);
                        let item = Expr::new(ExprKind::SplatItem, marker);
                        // Every following traversal step belongs to the splat.
                        let each = self.parse_postfix(item);
                        let span = expr.span.to(each.span);
                        expr = Expr::new(ExprKind::Splat { source: Box::new(expr), each: Box::new(each) }, span);
                    } else {
                        let key = self.parse_expression();
                        if self.has_new_errors(before) {
                            self.recover_to(T::RBrack);
                            self.nl = saved;
                            let span = expr.span.to(self.sp(self.pos, self.pos));
                            expr = Expr::new(ExprKind::Index(Box::new(expr), Box::new(key)), span);
                            break;
                        }
                        let c = self.peek();
                        if c.kind != T::RBrack {
                            self.unexpected(
                                c,
                                ("Missing close bracket on index", "The index operator must end with a closing bracket (\"]\")."),
                            );
                            self.recover_to(T::RBrack);
                        } else {
                            self.pos = c.end;
                        }
                        self.nl = saved;
                        let span = expr.span.to(self.sp(t.start, self.pos));
                        expr = Expr::new(ExprKind::Index(Box::new(expr), Box::new(key)), span);
                    }
                }
                _ => unreachable!(),
            }
        }
        self.shrink(chain);
        expr
    }

    /// `.name` or legacy `.0` applied to `expr`; `n` is the name/number token.
    fn attr_or_legacy_index(&mut self, expr: Expr, n: Tok, in_splat: bool) -> Expr {
        let text = self.text(n);
        let nspan = self.sp(n.start, n.end);
        let span = expr.span.to(nspan);
        if n.kind == T::Ident {
            return Expr::new(ExprKind::GetAttr(Box::new(expr), Ident { name: text.to_string(), span: nspan }), span);
        }
        if let Some((first, second)) = text.split_once('.') {
            let extra = if in_splat { " with a full splat expression [*]" } else { "" };
            self.err(
                "Invalid legacy index syntax",
                format!("When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax{extra} instead, like [{first}][{second}]."),
                nspan,
            );
        }
        let key = Expr::new(ExprKind::Number(text.to_string()), nspan);
        Expr::new(ExprKind::Index(Box::new(expr), Box::new(key)), span)
    }

    /// After `.*`: only following `.attr` (and legacy `.0`) steps belong to `each`.
    fn attr_splat(&mut self, source: Expr, marker: Span) -> Expr {
        let mut each = Expr::new(ExprKind::SplatItem, marker);
        let mut chain = 0usize;
        loop {
            let t = self.peek();
            if t.kind != T::Dot {
                break;
            }
            let n = lexer::lex(self.src, t.end, self.nl);
            match n.kind {
                T::Ident | T::Number => {
                    if !self.grow(t.start) {
                        break;
                    }
                    chain += 1;
                    self.pos = n.end;
                    each = self.attr_or_legacy_index(each, n, true);
                }
                T::Star => {
                    self.err(
                        "Nested splat expression not allowed",
                        "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                        self.sp(t.start, n.end),
                    );
                    self.pos = n.end;
                    break;
                }
                _ => {
                    self.pos = t.end;
                    self.unexpected(n, ("Invalid attribute name", "An attribute name is required after a dot."));
                    break;
                }
            }
        }
        self.shrink(chain);
        let span = source.span.to(each.span);
        Expr::new(ExprKind::Splat { source: Box::new(source), each: Box::new(each) }, span)
    }

    /// At the token after the first name of a call (`(` or `::`).
    fn parse_call(&mut self, first: Tok) -> Expr {
        let mut name_end = first.end;
        loop {
            let t = self.peek();
            if t.kind != T::DoubleColon {
                break;
            }
            self.pos = t.end;
            let n = self.peek();
            if n.kind != T::Ident {
                self.unexpected(
                    n,
                    ("Missing function name", "Function scope resolution symbol :: must be followed by a function name in this scope."),
                );
                return self.placeholder(first.start, t.end);
            }
            self.pos = n.end;
            name_end = n.end;
        }
        // Names are contiguous source text only when written without spaces;
        // rebuild from the pieces to be safe.
        let raw = &self.src[first.start..name_end];
        let name: String = raw.split("::").map(str::trim).collect::<Vec<_>>().join("::");
        let name = Ident { name, span: self.sp(first.start, name_end) };
        let open = self.peek();
        if open.kind != T::LParen {
            self.unexpected(
                open,
                ("Missing open parenthesis", "Function selector must be followed by an open parenthesis to begin the function call."),
            );
            return self.placeholder(first.start, name_end);
        }
        self.pos = open.end;
        let saved = self.nl;
        self.nl = false;
        let mut args = Vec::new();
        let mut expand_final = false;
        let before = self.diags.len();
        let end;
        loop {
            let t = self.peek();
            if t.kind == T::RParen {
                self.pos = t.end;
                end = t.end;
                break;
            }
            if t.kind == T::Eof {
                // hcl parses an argument here and finds nothing
                self.err(
                    "Missing expression",
                    "Expected the start of an expression, but found the end of the file.",
                    self.sp(t.start, t.end),
                );
                end = t.start;
                break;
            }
            let arg = self.parse_expression();
            args.push(arg);
            if self.has_new_errors(before) {
                self.recover_to(T::RParen);
                end = self.pos;
                break;
            }
            let sep = self.peek();
            match sep.kind {
                T::Comma => self.pos = sep.end,
                T::RParen => {}
                T::Ellipsis => {
                    self.pos = sep.end;
                    expand_final = true;
                    let c = self.peek();
                    if c.kind == T::RParen {
                        self.pos = c.end;
                        end = c.end;
                    } else {
                        self.unexpected(
                            c,
                            (
                                "Missing closing parenthesis",
                                "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
                            ),
                        );
                        self.recover_to(T::RParen);
                        end = self.pos;
                    }
                    break;
                }
                T::Eof => {
                    self.err("Unterminated function call", "There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.", self.sp(open.start, open.end));
                    end = sep.start;
                    break;
                }
                _ => {
                    self.unexpected(
                        sep,
                        ("Missing argument separator", "A comma is required to separate each function argument from the next."),
                    );
                    self.recover_to(T::RParen);
                    end = self.pos;
                    break;
                }
            }
        }
        self.nl = saved;
        Expr::new(ExprKind::Call { name, args, expand_final }, self.sp(first.start, end.max(open.end)))
    }

    /// hcl starts a `for` expression at the keyword alone: `{ for = 1 }` is
    /// a malformed `for`, not an object with a key "for".
    fn starts_for(&self) -> bool {
        let t = self.peek();
        self.is_kw(t, "for")
    }

    fn parse_tuple(&mut self, open: Tok) -> Expr {
        self.pos = open.end;
        let saved = self.nl;
        self.nl = false;
        if self.starts_for() {
            let e = self.parse_for(open, false);
            self.nl = saved;
            return e;
        }
        let mut items = Vec::new();
        let before = self.diags.len();
        let end;
        loop {
            let t = self.peek();
            if t.kind == T::RBrack {
                self.pos = t.end;
                end = t.end;
                break;
            }
            if t.kind == T::Eof {
                // hcl parses an item here and finds nothing
                self.err(
                    "Missing expression",
                    "Expected the start of an expression, but found the end of the file.",
                    self.sp(t.start, t.end),
                );
                end = t.start;
                break;
            }
            let e = self.parse_expression();
            items.push(e);
            if self.has_new_errors(before) {
                self.recover_to(T::RBrack);
                end = self.pos;
                break;
            }
            let sep = self.peek();
            match sep.kind {
                T::Comma => self.pos = sep.end,
                T::RBrack => {}
                T::Eof => {
                    self.err("Unterminated tuple constructor expression", "There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.", self.sp(open.start, open.end));
                    end = sep.start;
                    break;
                }
                _ => {
                    self.unexpected(sep, ("Missing item separator", "Expected a comma to mark the beginning of the next item."));
                    self.recover_to(T::RBrack);
                    end = self.pos;
                    break;
                }
            }
        }
        self.nl = saved;
        Expr::new(ExprKind::Tuple(items), self.sp(open.start, end.max(open.end)))
    }

    fn parse_object(&mut self, open: Tok) -> Expr {
        self.pos = open.end;
        let saved = self.nl;
        self.nl = false;
        if self.starts_for() {
            let e = self.parse_for(open, true);
            self.nl = saved;
            return e;
        }
        self.nl = true;
        let mut items = Vec::new();
        let before = self.diags.len();
        let unterminated = "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.";
        let end;
        loop {
            let t = self.peek();
            match t.kind {
                T::Newline => {
                    self.pos = t.end;
                    continue;
                }
                T::RBrace => {
                    self.pos = t.end;
                    end = t.end;
                    break;
                }
                T::Eof => {
                    // hcl parses a key here and finds nothing
                    let _ = unterminated;
                    self.err(
                        "Missing expression",
                        "Expected the start of an expression, but found the end of the file.",
                        self.sp(t.start, t.end),
                    );
                    end = t.start;
                    break;
                }
                _ => {}
            }
            let key_expr = self.parse_expression();
            if self.has_new_errors(before) {
                self.recover_to(T::RBrace);
                end = self.pos;
                break;
            }
            let key = match key_expr.kind {
                ExprKind::Variable(id) => ObjectKey::Ident(id),
                _ => ObjectKey::Expr(key_expr),
            };
            let sep = self.peek();
            match sep.kind {
                T::Eq | T::Colon => self.pos = sep.end,
                T::Newline | T::RBrace | T::Comma => {
                    self.err(
                        "Missing attribute value",
                        "Expected an attribute value, introduced by an equals sign (\"=\").",
                        self.sp(sep.start, sep.end),
                    );
                    self.recover_to(T::RBrace);
                    end = self.pos;
                    break;
                }
                T::Eof => {
                    self.err("Unterminated object constructor expression", unterminated, self.sp(open.start, open.end));
                    end = sep.start;
                    break;
                }
                _ => {
                    self.unexpected(
                        sep,
                        ("Missing key/value separator", "Expected an equals sign (\"=\") to mark the beginning of the attribute value."),
                    );
                    self.recover_to(T::RBrace);
                    end = self.pos;
                    break;
                }
            }
            let value = self.parse_expression();
            items.push(ObjectItem { key, value });
            if self.has_new_errors(before) {
                self.recover_to(T::RBrace);
                end = self.pos;
                break;
            }
            let sep = self.peek();
            match sep.kind {
                T::Comma | T::Newline => self.pos = sep.end,
                T::RBrace => {}
                T::Eof => {
                    self.err("Unterminated object constructor expression", unterminated, self.sp(open.start, open.end));
                    end = sep.start;
                    break;
                }
                _ => {
                    self.unexpected(
                        sep,
                        ("Missing attribute separator", "Expected a newline or comma to mark the beginning of the next attribute."),
                    );
                    self.recover_to(T::RBrace);
                    end = self.pos;
                    break;
                }
            }
        }
        self.nl = saved;
        Expr::new(ExprKind::Object(items), self.sp(open.start, end.max(open.end)))
    }

    /// At `for` just inside `[` or `{`; newlines are already insignificant.
    fn parse_for(&mut self, open: Tok, object: bool) -> Expr {
        // `for` parsing uses about twice the stack of other constructs.
        if !self.enter(open.start) {
            self.recover_to(if object { T::RBrace } else { T::RBrack });
            return self.placeholder(open.start, self.pos);
        }
        let e = self.parse_for_inner(open, object);
        self.leave();
        e
    }

    fn parse_for_inner(&mut self, open: Tok, object: bool) -> Expr {
        let close_kind = if object { T::RBrace } else { T::RBrack };
        let for_tok = self.bump();
        let bad = |p: &mut Self, t: Tok, detail: &str| {
            p.unexpected(t, ("Invalid 'for' expression", detail));
            p.recover_to(close_kind);
            let end = p.pos.max(open.end);
            Expr::new(ExprKind::Null, p.sp(open.start, end))
        };
        let v1 = self.peek();
        if v1.kind != T::Ident {
            return bad(self, v1, "For expression requires variable name after 'for'.");
        }
        self.pos = v1.end;
        let mut key_var = None;
        let mut value_var = Ident { name: self.text(v1).to_string(), span: self.sp(v1.start, v1.end) };
        let c = self.peek();
        if c.kind == T::Comma {
            self.pos = c.end;
            let v2 = self.peek();
            if v2.kind != T::Ident {
                return bad(self, v2, "For expression requires value variable name after comma.");
            }
            self.pos = v2.end;
            key_var = Some(value_var);
            value_var = Ident { name: self.text(v2).to_string(), span: self.sp(v2.start, v2.end) };
        }
        let in_tok = self.peek();
        if !self.is_kw(in_tok, "in") {
            return bad(self, in_tok, "For expression requires the 'in' keyword after its name declarations.");
        }
        self.pos = in_tok.end;
        let before = self.diags.len();
        let collection = self.parse_expression();
        if self.has_new_errors(before) {
            self.recover_to(close_kind);
            return Expr::new(ExprKind::Null, self.sp(open.start, self.pos.max(open.end)));
        }
        let colon = self.peek();
        if colon.kind != T::Colon {
            return bad(self, colon, "For expression requires a colon after the collection expression.");
        }
        self.pos = colon.end;
        let mut key = None;
        if object {
            let k = self.parse_expression();
            if self.has_new_errors(before) {
                self.recover_to(close_kind);
                return Expr::new(ExprKind::Null, self.sp(open.start, self.pos.max(open.end)));
            }
            let arrow = self.peek();
            if arrow.kind != T::FatArrow {
                return bad(self, arrow, "Key expression is required when building an object.");
            }
            self.pos = arrow.end;
            key = Some(k);
        }
        let value = self.parse_expression();
        if self.has_new_errors(before) {
            self.recover_to(close_kind);
            return Expr::new(ExprKind::Null, self.sp(open.start, self.pos.max(open.end)));
        }
        let mut group = false;
        let t = self.peek();
        if !object && t.kind == T::FatArrow {
            return bad(self, t, "Key expression is not valid when building a tuple.");
        }
        if t.kind == T::Ellipsis {
            if !object {
                return bad(self, t, "Grouping ellipsis (...) cannot be used when building a tuple.");
            }
            self.pos = t.end;
            group = true;
        }
        let mut condition = None;
        let t = self.peek();
        if self.is_kw(t, "if") {
            self.pos = t.end;
            let c = self.parse_expression();
            if self.has_new_errors(before) {
                self.recover_to(close_kind);
                return Expr::new(ExprKind::Null, self.sp(open.start, self.pos.max(open.end)));
            }
            condition = Some(c);
        }
        let close = self.peek();
        let end = if close.kind == close_kind {
            self.pos = close.end;
            close.end
        } else {
            if close.kind == T::Eof {
                let what = if object { "brace" } else { "bracket" };
                self.err(
                    if object { "Unterminated object constructor expression" } else { "Unterminated tuple constructor expression" },
                    format!("There is no corresponding closing {what} before the end of the file. This may be caused by incorrect {what} nesting elsewhere in this file."),
                    self.sp(open.start, open.end),
                );
            } else {
                self.unexpected(close, ("Invalid 'for' expression", "Extra characters after the end of the 'for' expression."));
                self.recover_to(close_kind);
            }
            self.pos.max(close.start)
        };
        let _ = for_tok;
        let fe = ForExpr { key_var, value_var, collection, key, value, condition, group };
        Expr::new(ExprKind::For(Box::new(fe)), self.sp(open.start, end))
    }

    // -------------------------------------------------------------- templates

    /// After the opening `"`: the template parts and the span of the whole
    /// quoted string (quotes included).
    fn quoted_parts(&mut self) -> (Vec<TemplatePart>, Span) {
        let start = self.pos - 1;
        // Most quoted strings are plain ASCII text (labels, names): taken as
        // they are. Escapes, interpolations, directives, non-ASCII text (NFC)
        // and unterminated strings go the template way.
        let rest = &self.src.as_bytes()[self.pos..];
        if let Some(len) = rest.iter().position(|&c| matches!(c, b'"' | b'\\' | b'$' | b'%' | b'\n') || !c.is_ascii()) {
            if rest[len] == b'"' {
                let text = &self.src[self.pos..self.pos + len];
                self.pos += len + 1;
                let parts = if text.is_empty() { Vec::new() } else { vec![TemplatePart::Literal(text.to_string())] };
                return (parts, self.sp(start, self.pos));
            }
        }
        let parts = self.template_body(TEnd::Quote, true, start, false);
        (parts, self.sp(start, self.pos))
    }

    fn parse_heredoc(&mut self, t: Tok) -> Expr {
        let marker_text = self.text(t);
        let flush = marker_text.starts_with("<<-");
        let marker = marker_text.trim_start_matches("<<").trim_start_matches('-');
        // The lexer guarantees a newline (\n or \r\n) right after the marker.
        let mut p = t.end;
        if self.src.as_bytes().get(p) == Some(&b'\r') {
            p += 1;
        }
        self.pos = p + 1;
        let parts = self.template_body(TEnd::Heredoc(marker), false, t.start, flush);
        Expr::new(ExprKind::Template(parts), self.sp(t.start, self.pos))
    }

    /// Scans template text from `self.pos` to its end, leaving `self.pos` after
    /// the closing quote / heredoc marker, then applies indentation and strip
    /// markers and builds the control structure.
    fn template_body(&mut self, end: TEnd, escapes: bool, open_start: usize, flush: bool) -> Vec<TemplatePart> {
        const COST: usize = 4;
        if !self.enter_n(open_start, COST) {
            // Too deep: skip the template text without interpreting it.
            self.pos = match end {
                TEnd::Quote => skip_quoted(self.src, self.pos),
                TEnd::Heredoc(m) => heredoc_close_from(self.src, self.pos, m),
                TEnd::Eof => self.src.len(),
            };
            return Vec::new();
        }
        let saved_nl = self.nl;
        let (mut items, line_starts) = self.scan_template(end, escapes, open_start);
        self.nl = saved_nl;
        if flush {
            self.flush_heredoc(&mut items, &line_starts);
        }
        // Strip markers remove all whitespace from the adjacent literal text.
        for i in 0..items.len() {
            if items[i].strip_l && i > 0 {
                if let TKind::Lit(s, _) = &mut items[i - 1].kind {
                    let n = s.trim_end().len();
                    s.truncate(n);
                }
            }
            if items[i].strip_r && i + 1 < items.len() {
                if let TKind::Lit(s, _) = &mut items[i + 1].kind {
                    let n = s.len() - s.trim_start().len();
                    s.drain(..n);
                }
            }
        }
        let mut iter = items.into_iter().peekable();
        let mut out = Vec::new();
        loop {
            let term = self.build_template(&mut iter, &mut out);
            match term {
                None => break,
                Some(item) => {
                    let name = match item.kind {
                        TKind::Else => "else",
                        TKind::EndIf => "endif",
                        _ => "endfor",
                    };
                    self.err(
                        &format!("Unexpected {name} directive"),
                        "The control directives within this template are unbalanced.",
                        item.span,
                    );
                }
            }
        }
        self.leave_n(COST);
        // Parts are large (directives hold whole expressions) and templates
        // are many and kept: no spare capacity.
        out.shrink_to_fit();
        out
    }

    /// Builds parts until the items run out (None) or an else/endif/endfor item
    /// is reached (returned).
    fn build_template(&mut self, iter: &mut std::iter::Peekable<std::vec::IntoIter<TItem>>, out: &mut Vec<TemplatePart>) -> Option<TItem> {
        while let Some(item) = iter.next() {
            if matches!(item.kind, TKind::Else | TKind::EndIf | TKind::EndFor) {
                return Some(item);
            }
            match item.kind {
                TKind::Lit(s, _) => {
                    if s.is_empty() {
                        continue;
                    }
                    // HCL normalizes literal text to Unicode NFC.
                    let s: String = if s.is_ascii() { s } else { s.nfc().collect() };
                    if let Some(TemplatePart::Literal(prev)) = out.last_mut() {
                        prev.push_str(&s);
                    } else {
                        out.push(TemplatePart::Literal(s));
                    }
                }
                TKind::Interp(e) => out.push(TemplatePart::Interp(e)),
                TKind::Else | TKind::EndIf | TKind::EndFor => unreachable!(),
                TKind::If(cond) => {
                    let open = item.span;
                    if !self.enter(open.start as usize) {
                        return None;
                    }
                    let mut then = Vec::new();
                    let mut otherwise = Vec::new();
                    let mut end_span = open;
                    let mut term = self.build_template(iter, &mut then);
                    if let Some(TItem { kind: TKind::Else, .. }) = term {
                        term = self.build_template(iter, &mut otherwise);
                        if let Some(TItem { kind: TKind::Else, span, .. }) = term {
                            self.err(
                                "Unexpected else directive",
                                format!("Already in the else clause for the if started at {}.", self.line_col(open.start as usize)),
                                span,
                            );
                            term = None;
                        }
                    }
                    match term {
                        Some(TItem { kind: TKind::EndIf, span, .. }) => end_span = span,
                        Some(t) => {
                            self.err(
                                "Unexpected endfor directive",
                                format!("Expecting an endif directive for the if started at {}.", self.line_col(open.start as usize)),
                                t.span,
                            );
                        }
                        None => {
                            if !self.has_new_errors(0) {
                                self.err(
                                    "Unexpected end of template",
                                    format!(
                                        "The if directive at {} is missing its corresponding endif directive.",
                                        self.line_col(open.start as usize)
                                    ),
                                    open,
                                );
                            }
                        }
                    }
                    self.leave();
                    out.push(TemplatePart::If { cond, then, otherwise, span: open.to(end_span) });
                }
                TKind::For(key_var, value_var, collection) => {
                    let open = item.span;
                    if !self.enter(open.start as usize) {
                        return None;
                    }
                    let mut body = Vec::new();
                    let mut end_span = open;
                    let mut term = self.build_template(iter, &mut body);
                    while let Some(TItem { kind: TKind::Else, span, .. }) = term {
                        self.err("Unexpected else directive", "An else clause is not expected for a for directive.", span);
                        term = self.build_template(iter, &mut body);
                    }
                    match term {
                        Some(TItem { kind: TKind::EndFor, span, .. }) => end_span = span,
                        Some(t) => {
                            self.err(
                                "Unexpected endif directive",
                                format!(
                                    "Expecting an endfor directive corresponding to the for directive at {}.",
                                    self.line_col(open.start as usize)
                                ),
                                t.span,
                            );
                        }
                        None => {
                            if !self.has_new_errors(0) {
                                self.err(
                                    "Unexpected end of template",
                                    format!(
                                        "The for directive at {} is missing its corresponding endfor directive.",
                                        self.line_col(open.start as usize)
                                    ),
                                    open,
                                );
                            }
                        }
                    }
                    self.leave();
                    out.push(TemplatePart::For { key_var, value_var, collection, body, span: open.to(end_span) });
                }
            }
        }
        None
    }

    /// `<<-`: removes the smallest common indentation of the content lines,
    /// measured on the raw source lines (directive and interpolation lines
    /// included; whitespace-only lines neither count nor get changed).
    fn flush_heredoc(&self, items: &mut [TItem], line_starts: &[usize]) {
        let b = self.src.as_bytes();
        let indent_of = |off: usize| -> Option<usize> {
            let mut p = off;
            while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
                p += 1;
            }
            match b.get(p) {
                None | Some(b'\n') => None,
                Some(b'\r') if matches!(b.get(p + 1), None | Some(b'\n')) => None,
                _ => Some(p - off),
            }
        };
        let min = line_starts.iter().filter_map(|&o| indent_of(o)).min().unwrap_or(0);
        if min == 0 {
            return;
        }
        for item in items.iter_mut() {
            if let TKind::Lit(s, lines) = &mut item.kind {
                // One pass that copies the text between the removed indents
                // (removing them one by one in place would be quadratic).
                let sb = s.as_bytes();
                let mut out = String::with_capacity(s.len());
                let mut copied = 0;
                for &(idx, off) in lines.iter() {
                    if indent_of(off).is_none() || idx < copied {
                        continue;
                    }
                    let mut n = 0;
                    while n < min && idx + n < sb.len() && (sb[idx + n] == b' ' || sb[idx + n] == b'\t') {
                        n += 1;
                    }
                    out.push_str(&s[copied..idx]);
                    copied = idx + n;
                }
                out.push_str(&s[copied..]);
                *s = out;
            }
        }
    }

    /// The flat scan: literal runs, interpolations and directives.
    fn scan_template(&mut self, end: TEnd, escapes: bool, open_start: usize) -> (Vec<TItem>, Vec<usize>) {
        let src = self.src;
        let b = src.as_bytes();
        let mut items: Vec<TItem> = Vec::new();
        let mut line_starts = Vec::new();
        let mut lit = String::new();
        let mut lit_lines: Vec<(usize, usize)> = Vec::new();
        let mut lit_start = self.pos;
        let mut at_line_start = matches!(end, TEnd::Heredoc(_));
        let heredoc = matches!(end, TEnd::Heredoc(_));

        macro_rules! flush_lit {
            ($at:expr) => {{
                let text = std::mem::take(&mut lit);
                let lines = std::mem::take(&mut lit_lines);
                items.push(TItem { kind: TKind::Lit(text, lines), span: self.sp(lit_start, $at), strip_l: false, strip_r: false });
            }};
        }

        loop {
            let pos = self.pos;
            if at_line_start {
                at_line_start = false;
                if let TEnd::Heredoc(marker) = end {
                    let line_end = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
                    let line = src[pos..line_end].trim_end_matches('\r');
                    let trimmed = line.trim_start_matches([' ', '\t']);
                    if trimmed == marker && pos < src.len() {
                        flush_lit!(pos);
                        self.pos = pos + (line.len() - trimmed.len()) + marker.len();
                        break;
                    }
                    if pos < src.len() {
                        line_starts.push(pos);
                        lit_lines.push((lit.len(), pos));
                    }
                }
            }
            if pos >= b.len() {
                flush_lit!(pos);
                match end {
                    TEnd::Eof => {}
                    TEnd::Quote => self.err(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        self.sp(open_start, (open_start + 1).min(b.len())),
                    ),
                    TEnd::Heredoc(m) => self.err(
                        "Unterminated template string",
                        format!("No closing marker was found for the string; the heredoc should end with a line containing only \"{m}\"."),
                        self.sp(open_start, (open_start + 2 + m.len()).min(b.len())),
                    ),
                }
                break;
            }
            let c = b[pos];
            match c {
                b'"' if matches!(end, TEnd::Quote) => {
                    flush_lit!(pos);
                    self.pos = pos + 1;
                    break;
                }
                b'\n' if matches!(end, TEnd::Quote) => {
                    flush_lit!(pos);
                    self.err("Invalid multi-line string", "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.", self.sp(pos, pos + 1));
                    // Treat the rest of the line as unterminated string content.
                    self.err(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        self.sp(open_start, open_start + 1),
                    );
                    break;
                }
                b'\n' => {
                    lit.push('\n');
                    self.pos = pos + 1;
                    at_line_start = heredoc;
                }
                b'\\' if escapes => {
                    self.pos = self.scan_escape(pos, &mut lit);
                }
                b'$' | b'%' if b.get(pos + 1) == Some(&c) && b.get(pos + 2) == Some(&b'{') => {
                    lit.push(c as char);
                    lit.push('{');
                    self.pos = pos + 3;
                }
                b'$' | b'%' if b.get(pos + 1) == Some(&b'{') => {
                    flush_lit!(pos);
                    let item = if c == b'$' { self.scan_interp(pos, end) } else { self.scan_directive(pos, end) };
                    items.push(item);
                    lit_start = self.pos;
                }
                _ => {
                    // Plain text up to the next byte any arm above may care
                    // about, copied at once rather than a char at a time.
                    // The stop bytes are ASCII, so `run` is a char boundary
                    // (a multi-byte char's later bytes are never ASCII).
                    let run =
                        b[pos + 1..].iter().position(|x| matches!(x, b'"' | b'\n' | b'\\' | b'$' | b'%')).map_or(b.len(), |i| pos + 1 + i);
                    lit.push_str(&src[pos..run]);
                    self.pos = run;
                }
            }
        }
        (items, line_starts)
    }

    /// Decodes a backslash escape at `pos`; returns the offset after it.
    fn scan_escape(&mut self, pos: usize, lit: &mut String) -> usize {
        let src = self.src;
        let Some(sel) = char_at(src, pos + 1) else {
            self.err(
                "Invalid escape sequence",
                "Backslash must be followed by an escape sequence selector character.",
                self.sp(pos, pos + 1),
            );
            return pos + 1;
        };
        let after = pos + 1 + sel.len_utf8();
        let simple = match sel {
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            _ => None,
        };
        if let Some(ch) = simple {
            lit.push(ch);
            return after;
        }
        match sel {
            'u' | 'U' => {
                let want = if sel == 'u' { 4 } else { 8 };
                let hex: String = src[after..].chars().take(want).take_while(char::is_ascii_hexdigit).collect();
                if hex.len() < want {
                    let detail = if sel == 'u' {
                        "The \\u escape sequence must be followed by four hexadecimal digits."
                    } else {
                        "The \\U escape sequence must be followed by eight hexadecimal digits."
                    };
                    self.err("Invalid escape sequence", detail, self.sp(pos, after + hex.len()));
                    return after + hex.len();
                }
                let num = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
                match char::from_u32(num) {
                    Some(ch) => lit.push(ch),
                    None => self.err(
                        "Invalid escape sequence",
                        format!("Cannot encode character U+{num:04x} in UTF-8."),
                        self.sp(pos, after + want),
                    ),
                }
                after + want
            }
            '\n' | '\r' => {
                self.err(
                    "Invalid escape sequence",
                    "Backslash must be followed by an escape sequence selector character.",
                    self.sp(pos, pos + 1),
                );
                pos + 1
            }
            _ => {
                self.err(
                    "Invalid escape sequence",
                    format!("The symbol {:?} is not a valid escape sequence selector.", sel.to_string()),
                    self.sp(pos, after),
                );
                after
            }
        }
    }

    /// `${ expr }` starting at `pos`.
    fn scan_interp(&mut self, pos: usize, end: TEnd) -> TItem {
        let b = self.src.as_bytes();
        let mut p = pos + 2;
        let strip_l = b.get(p) == Some(&b'~');
        if strip_l {
            p += 1;
        }
        self.pos = p;
        self.nl = false;
        let before = self.diags.len();
        let expr = self.parse_expression();
        let mut strip_r = false;
        if self.has_new_errors(before) {
            self.recover_template_seq(end);
        } else {
            let mut t = self.peek();
            if t.kind == T::Tilde {
                strip_r = true;
                self.pos = t.end;
                t = self.peek();
            }
            match t.kind {
                T::RBrace => self.pos = t.end,
                T::Eof => {
                    let where_ = if matches!(end, TEnd::Quote) { "quoted template" } else { "file" };
                    self.err(
                        "Unclosed template interpolation sequence",
                        format!("There is no closing brace for this interpolation sequence before the end of the {where_}. This might be caused by incorrect nesting inside the given expression."),
                        self.sp(pos, pos + 2),
                    );
                }
                T::Colon => {
                    self.err("Extra characters after interpolation expression", "Template interpolation doesn't expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with \"$${\" instead of just \"${\".", self.sp(t.start, t.end));
                    self.recover_template_seq(end);
                }
                _ => {
                    self.unexpected(t, ("Extra characters after interpolation expression", "Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with \"$${\" instead of just \"${\"."));
                    self.recover_template_seq(end);
                }
            }
        }
        TItem { kind: TKind::Interp(expr), span: self.sp(pos, self.pos), strip_l, strip_r }
    }

    /// `%{ keyword ... }` starting at `pos`.
    fn scan_directive(&mut self, pos: usize, end: TEnd) -> TItem {
        let b = self.src.as_bytes();
        let mut p = pos + 2;
        let strip_l = b.get(p) == Some(&b'~');
        if strip_l {
            p += 1;
        }
        self.pos = p;
        self.nl = false;
        let before = self.diags.len();
        let kw = self.peek();
        let kw_text = if kw.kind == T::Ident { self.text(kw) } else { "" };
        let mut kind = TKind::Else;
        match kw_text {
            "if" => {
                self.pos = kw.end;
                kind = TKind::If(self.parse_expression());
            }
            "else" => {
                self.pos = kw.end;
                kind = TKind::Else;
            }
            "endif" => {
                self.pos = kw.end;
                kind = TKind::EndIf;
            }
            "endfor" => {
                self.pos = kw.end;
                kind = TKind::EndFor;
            }
            "for" => {
                self.pos = kw.end;
                let v1 = self.peek();
                if v1.kind != T::Ident {
                    self.unexpected(v1, ("Invalid 'for' directive", "For directive requires variable name after 'for'."));
                } else {
                    self.pos = v1.end;
                    let mut key_var = None;
                    let mut value_var = Ident { name: self.text(v1).to_string(), span: self.sp(v1.start, v1.end) };
                    let c = self.peek();
                    let mut ok = true;
                    if c.kind == T::Comma {
                        self.pos = c.end;
                        let v2 = self.peek();
                        if v2.kind != T::Ident {
                            self.unexpected(v2, ("Invalid 'for' directive", "For directive requires value variable name after comma."));
                            ok = false;
                        } else {
                            self.pos = v2.end;
                            key_var = Some(value_var);
                            value_var = Ident { name: self.text(v2).to_string(), span: self.sp(v2.start, v2.end) };
                        }
                    }
                    if ok {
                        let in_tok = self.peek();
                        if !self.is_kw(in_tok, "in") {
                            self.unexpected(in_tok, ("Invalid 'for' directive", "For directive requires 'in' keyword after names."));
                        } else {
                            self.pos = in_tok.end;
                            let coll = self.parse_expression();
                            kind = TKind::For(key_var, value_var, coll);
                        }
                    }
                }
            }
            "" => {
                self.unexpected(
                    kw,
                    (
                        "Invalid template directive",
                        "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.",
                    ),
                );
            }
            other => {
                let suggestion = match other {
                    "elif" | "elseif" | "else_if" => " Did you mean \"else\"?",
                    "end" | "fi" => " Did you mean \"endif\"?",
                    _ => "",
                };
                self.err(
                    "Invalid template control keyword",
                    format!("{other:?} is not a valid template control keyword.{suggestion}"),
                    self.sp(kw.start, kw.end),
                );
            }
        }
        let mut strip_r = false;
        if self.has_new_errors(before) {
            self.recover_template_seq(end);
            // Keep the structure balanced as best we can: a broken opener is
            // treated as an `if` with a placeholder condition.
            if kw_text == "for" && !matches!(kind, TKind::For(..)) {
                let v = Ident { name: String::new(), span: self.sp(pos, pos) };
                kind = TKind::For(None, v, self.placeholder(pos, pos));
            } else if !matches!(kw_text, "if" | "for" | "else" | "endif" | "endfor") {
                kind = TKind::Lit(String::new(), vec![]);
            }
        } else {
            let mut t = self.peek();
            if t.kind == T::Tilde {
                strip_r = true;
                self.pos = t.end;
                t = self.peek();
            }
            match t.kind {
                T::RBrace => self.pos = t.end,
                T::Eof => {
                    self.err("Unterminated template string", "No closing marker was found for the string.", self.sp(pos, pos + 2));
                }
                _ => {
                    self.unexpected(
                        t,
                        (
                            &format!("Extra characters in {kw_text} marker"),
                            "Expected a closing brace to end the sequence, but found extra characters.",
                        ),
                    );
                    self.recover_template_seq(end);
                }
            }
        }
        TItem { kind, span: self.sp(pos, self.pos), strip_l, strip_r }
    }

    /// Error recovery inside `${ }` / `%{ }`: skip to the closing `}` (nested
    /// braces balanced), stopping early at the end of a quoted string's line.
    fn recover_template_seq(&mut self, end: TEnd) {
        let saved = self.nl;
        self.nl = false;
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                T::Eof => break,
                T::RBrace if depth == 0 => {
                    self.pos = t.end;
                    break;
                }
                T::LBrace => depth += 1,
                T::RBrace => depth -= 1,
                T::OQuote => {
                    if matches!(end, TEnd::Quote) && depth == 0 {
                        // Most likely the end of the enclosing string.
                        break;
                    }
                    self.pos = skip_quoted(self.src, t.end);
                    continue;
                }
                T::Heredoc => {
                    self.pos = skip_heredoc(self.src, t);
                    continue;
                }
                _ => {}
            }
            if matches!(end, TEnd::Quote) && self.src[self.pos..t.start].contains('\n') {
                self.pos = t.start;
                break;
            }
            self.pos = t.end;
        }
        self.nl = saved;
    }
}

/// Skips a quoted template starting just after its opening quote (recovery
/// only): handles escapes and nested `${ "..." }` without recursion.
fn skip_quoted(src: &str, mut pos: usize) -> usize {
    let b = src.as_bytes();
    // Stack: 0 = inside string literal text, n>0 = inside interpolation with n-1 open braces.
    let mut stack: Vec<usize> = vec![0];
    while pos < b.len() {
        let top = *stack.last().unwrap();
        let c = b[pos];
        if top == 0 {
            match c {
                b'\\' => pos += 1 + char_len(src, pos + 1).min(b.len().saturating_sub(pos + 1)),
                b'"' => {
                    stack.pop();
                    pos += 1;
                    if stack.is_empty() {
                        return pos;
                    }
                }
                b'\n' => {
                    stack.pop();
                    if stack.is_empty() {
                        return pos;
                    }
                }
                b'$' | b'%' if b.get(pos + 1) == Some(&b'{') => {
                    stack.push(1);
                    pos += 2;
                }
                _ => pos += char_len(src, pos),
            }
        } else {
            match c {
                b'"' => {
                    stack.push(0);
                    pos += 1;
                }
                b'{' => {
                    *stack.last_mut().unwrap() += 1;
                    pos += 1;
                }
                b'}' => {
                    if top == 1 {
                        stack.pop();
                    } else {
                        *stack.last_mut().unwrap() -= 1;
                    }
                    pos += 1;
                }
                _ => pos += char_len(src, pos),
            }
        }
    }
    b.len()
}

/// Skips a heredoc (recovery only): returns the offset after its closing marker.
fn skip_heredoc(src: &str, t: Tok) -> usize {
    let marker = src[t.start..t.end].trim_start_matches("<<").trim_start_matches('-');
    match src[t.end..].find('\n') {
        Some(i) => heredoc_close_from(src, t.end + i + 1, marker),
        None => src.len(),
    }
}

/// From the start of a heredoc's first content line: the offset just after its
/// closing marker (or the end of the input).
fn heredoc_close_from(src: &str, mut pos: usize, marker: &str) -> usize {
    while pos < src.len() {
        let line_end = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
        let line = src[pos..line_end].trim_end_matches('\r');
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed == marker {
            return pos + (line.len() - trimmed.len()) + marker.len();
        }
        pos = line_end + 1;
    }
    src.len()
}
