//! On-demand tokenizer for HCL native syntax (expression mode).
//!
//! The parser is "scanner-driven": it asks for the next token at a byte offset,
//! saying whether newlines are significant there. Template text (quoted strings,
//! heredocs) is scanned by the parser itself, character by character, because
//! whether `}` closes an interpolation depends on parser state. Lexing is pure
//! (no diagnostics), so peeking repeatedly is harmless.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum T {
    Ident,
    Number,
    Newline,
    Eof,
    /// `"` opening a quoted template.
    OQuote,
    /// `<<EOT` / `<<-EOT` (span covers the marker, not the newline after it).
    Heredoc,
    LBrace,
    RBrace,
    LBrack,
    RBrack,
    LParen,
    RParen,
    Comma,
    Dot,
    Ellipsis,
    Eq,
    Colon,
    DoubleColon,
    Question,
    FatArrow,
    EqEq,
    NotEq,
    Lt,
    Gt,
    Le,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    And,
    Or,
    Bang,
    Tilde,
    /// `&`, `|`, `^`: bitwise operators HCL does not support.
    Bitwise,
    /// `**`
    Power,
    /// `/*` without a closing `*/`.
    UnterminatedComment,
    /// Any other character (one character long).
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: T,
    pub start: usize,
    pub end: usize,
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Length in bytes of the character starting at `pos` (1 at or past the end,
/// so loops always make progress).
pub(crate) fn char_len(src: &str, pos: usize) -> usize {
    src.get(pos..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
}

pub(crate) fn char_at(src: &str, pos: usize) -> Option<char> {
    src.get(pos..).and_then(|s| s.chars().next())
}

/// Skips spaces, tabs, carriage returns and comments (and newlines when they are
/// not significant). Returns the new offset, or `Err(start)` for an unterminated
/// block comment starting at `start`.
pub(crate) fn skip_trivia(src: &str, mut pos: usize, newlines: bool) -> Result<usize, usize> {
    let b = src.as_bytes();
    while pos < b.len() {
        match b[pos] {
            b' ' | b'\t' | b'\r' => pos += 1,
            b'\n' if !newlines => pos += 1,
            b'#' => pos = line_comment_end(b, pos),
            b'/' if b.get(pos + 1) == Some(&b'/') => pos = line_comment_end(b, pos),
            b'/' if b.get(pos + 1) == Some(&b'*') => match src[pos + 2..].find("*/") {
                Some(i) => pos = pos + 2 + i + 2,
                None => return Err(pos),
            },
            _ => break,
        }
    }
    Ok(pos)
}

fn line_comment_end(b: &[u8], pos: usize) -> usize {
    // The newline itself is left in place: it still terminates an argument.
    match b[pos..].iter().position(|&c| c == b'\n') {
        Some(i) => pos + i,
        None => b.len(),
    }
}

/// Lexes one token at `pos` after skipping trivia.
pub(crate) fn lex(src: &str, pos: usize, newlines: bool) -> Tok {
    let b = src.as_bytes();
    let start = match skip_trivia(src, pos, newlines) {
        Ok(p) => p,
        Err(p) => return Tok { kind: T::UnterminatedComment, start: p, end: b.len() },
    };
    let tok = |kind, len: usize| Tok { kind, start, end: start + len };
    if start >= b.len() {
        return Tok { kind: T::Eof, start: b.len(), end: b.len() };
    }
    let c = b[start];
    let next = b.get(start + 1).copied();
    match c {
        b'\n' => tok(T::Newline, 1),
        b'"' => tok(T::OQuote, 1),
        b'{' => tok(T::LBrace, 1),
        b'}' => tok(T::RBrace, 1),
        b'[' => tok(T::LBrack, 1),
        b']' => tok(T::RBrack, 1),
        b'(' => tok(T::LParen, 1),
        b')' => tok(T::RParen, 1),
        b',' => tok(T::Comma, 1),
        b'.' if next == Some(b'.') && b.get(start + 2) == Some(&b'.') => tok(T::Ellipsis, 3),
        b'.' => tok(T::Dot, 1),
        b'=' if next == Some(b'=') => tok(T::EqEq, 2),
        b'=' if next == Some(b'>') => tok(T::FatArrow, 2),
        b'=' => tok(T::Eq, 1),
        b':' if next == Some(b':') => tok(T::DoubleColon, 2),
        b':' => tok(T::Colon, 1),
        b'?' => tok(T::Question, 1),
        b'!' if next == Some(b'=') => tok(T::NotEq, 2),
        b'!' => tok(T::Bang, 1),
        b'<' if next == Some(b'<') => match heredoc_marker(src, start) {
            Some(end) => Tok { kind: T::Heredoc, start, end },
            None => tok(T::Lt, 1),
        },
        b'<' if next == Some(b'=') => tok(T::Le, 2),
        b'<' => tok(T::Lt, 1),
        b'>' if next == Some(b'=') => tok(T::Ge, 2),
        b'>' => tok(T::Gt, 1),
        b'+' => tok(T::Plus, 1),
        b'-' => tok(T::Minus, 1),
        b'*' if next == Some(b'*') => tok(T::Power, 2),
        b'*' => tok(T::Star, 1),
        b'/' => tok(T::Slash, 1),
        b'%' => tok(T::Percent, 1),
        b'&' if next == Some(b'&') => tok(T::And, 2),
        b'|' if next == Some(b'|') => tok(T::Or, 2),
        b'&' | b'|' | b'^' => tok(T::Bitwise, 1),
        b'~' => tok(T::Tilde, 1),
        b'0'..=b'9' => Tok { kind: T::Number, start, end: number_end(b, start) },
        _ => {
            let ch = char_at(src, start).unwrap_or('\u{fffd}');
            if is_ident_start(ch) {
                let mut end = start + ch.len_utf8();
                while let Some(c) = char_at(src, end) {
                    if !is_ident_continue(c) {
                        break;
                    }
                    end += c.len_utf8();
                }
                Tok { kind: T::Ident, start, end }
            } else {
                Tok { kind: T::Invalid, start, end: start + ch.len_utf8() }
            }
        }
    }
}

/// `digits ('.' digits)? ([eE] [+-]? digits)?`
pub(crate) fn number_end(b: &[u8], start: usize) -> usize {
    let digits = |mut p: usize| {
        while p < b.len() && b[p].is_ascii_digit() {
            p += 1
        }
        p
    };
    let mut end = digits(start);
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut p = end + 1;
        if matches!(b.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        if b.get(p).is_some_and(u8::is_ascii_digit) {
            end = digits(p);
        }
    }
    end
}

/// If `<<` at `start` begins a heredoc (`<<` `-`? ident newline), the end offset
/// of the marker identifier.
fn heredoc_marker(src: &str, start: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut p = start + 2;
    if b.get(p) == Some(&b'-') {
        p += 1;
    }
    let first = char_at(src, p)?;
    if !is_ident_start(first) {
        return None;
    }
    let mut end = p + first.len_utf8();
    while let Some(c) = char_at(src, end) {
        if !is_ident_continue(c) {
            break;
        }
        end += c.len_utf8();
    }
    match (b.get(end), b.get(end + 1)) {
        (Some(b'\n'), _) | (Some(b'\r'), Some(b'\n')) => Some(end),
        _ => None,
    }
}
