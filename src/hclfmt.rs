//! `plinth fmt`'s formatter: Terraform's canonical layout, byte for byte.
//!
//! Terraform's `fmt` is `hclwrite`'s token-stream formatter (`format.go`:
//! indent by bracket depth, re-space every token pair by a fixed table, align
//! `=` within runs of attribute lines and trailing comments within runs of
//! commented lines) plus three rewrites from `command/fmt.go` (quoted block
//! labels, `"${x}"` → `x`, legacy quoted type constraints). Reproducing it
//! exactly is a port of those rules onto a token stream, so this module has
//! its own small lossless tokenizer: plinth's parser lexer is driven by the
//! parser, skips comments and leaves template text to the parser, and
//! hcl-edit works on a tree with decor, where these line-and-column rules
//! would have to be re-expressed. Input that does not parse (checked with
//! plinth's parser first) is never rewritten.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum K {
    Ident,
    Number,
    Newline,
    Comment,
    OQuote,
    CQuote,
    QuotedLit,
    StringLit,
    OHeredoc,
    CHeredoc,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    Comma,
    Dot,
    Ellipsis,
    Equal,
    Colon,
    DoubleColon,
    Question,
    FatArrow,
    EqualOp,
    NotEqual,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    And,
    Or,
    Bang,
    Other,
}

#[derive(Clone, Debug)]
struct Tok {
    k: K,
    text: String,
    spaces: usize,
}

impl Tok {
    fn new(k: K, text: impl Into<String>) -> Tok {
        Tok { k, text: text.into(), spaces: 0 }
    }
    fn bracket(&self) -> i32 {
        match self.k {
            K::OBrace | K::OBrack | K::OParen | K::TemplateControl | K::TemplateInterp => 1,
            K::CBrace | K::CBrack | K::CParen | K::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
    /// Ends a line: a newline, or a line comment (which includes its newline).
    fn is_newline(&self) -> bool {
        self.k == K::Newline || (self.k == K::Comment && self.text.ends_with('\n'))
    }
}

/// What the tokenizer is inside: braces and parens of expressions, quoted
/// templates, heredoc templates, and template interpolations.
#[derive(Clone, Debug)]
enum Ctx {
    Brace,
    Interp,
    Quoted,
    Heredoc { marker: String, start_of_line: bool },
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    toks: Vec<Tok>,
    stack: Vec<Ctx>,
}

fn is_id_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}
fn is_id_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }
    fn push(&mut self, k: K, len: usize, spaces: usize) {
        let text = self.src[self.pos..self.pos + len].to_string();
        self.toks.push(Tok { k, text, spaces });
        self.pos += len;
    }

    fn run(mut self) -> Vec<Tok> {
        while self.pos < self.src.len() {
            match self.stack.last().cloned() {
                Some(Ctx::Quoted) => self.quoted(),
                Some(Ctx::Heredoc { marker, start_of_line }) => self.heredoc(&marker, start_of_line),
                _ => self.code(),
            }
        }
        self.toks
    }

    /// Text of a quoted template up to `"`, `${`, `%{` or the line end.
    fn quoted(&mut self) {
        let r = self.rest();
        if r.starts_with('"') {
            self.push(K::CQuote, 1, 0);
            self.stack.pop();
            return;
        }
        if r.starts_with("${") || r.starts_with("%{") {
            let k = if r.starts_with('$') { K::TemplateInterp } else { K::TemplateControl };
            let len = if r[2..].starts_with('~') { 3 } else { 2 };
            self.push(k, len, 0);
            self.stack.push(Ctx::Interp);
            return;
        }
        if r.starts_with('\n') || r.starts_with("\r\n") {
            // An unterminated string; the parser has already rejected it.
            self.stack.pop();
            return;
        }
        let b = r.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' | b'\n' => break,
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => break,
                b'$' | b'%' if b.get(i + 1) == Some(&b[i]) && b.get(i + 2) == Some(&b'{') => i += 3,
                _ => i += 1,
            }
        }
        let i = i.min(b.len());
        self.push(K::QuotedLit, i.max(1), 0);
    }

    fn heredoc(&mut self, marker: &str, start_of_line: bool) {
        let r = self.rest();
        if r.starts_with("${") || r.starts_with("%{") {
            let k = if r.starts_with('$') { K::TemplateInterp } else { K::TemplateControl };
            let len = if r[2..].starts_with('~') { 3 } else { 2 };
            self.push(k, len, 0);
            self.set_heredoc_sol(false);
            self.stack.push(Ctx::Interp);
            return;
        }
        let b = r.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => {
                    i += 1;
                    break;
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => break,
                b'$' | b'%' if b.get(i + 1) == Some(&b[i]) && b.get(i + 2) == Some(&b'{') => i += 3,
                _ => i += 1,
            }
        }
        let chunk = &r[..i];
        if chunk.ends_with('\n') && start_of_line && chunk.trim() == marker {
            let nl = if chunk.ends_with("\r\n") { 2 } else { 1 };
            self.push(K::CHeredoc, chunk.len() - nl, 0);
            self.push(K::Newline, nl, 0);
            self.stack.pop();
            return;
        }
        if chunk.is_empty() {
            // Unterminated heredoc at end of input.
            self.pos = self.src.len();
            return;
        }
        self.push(K::StringLit, i, 0);
        self.set_heredoc_sol(chunk.ends_with('\n'));
    }

    fn set_heredoc_sol(&mut self, v: bool) {
        if let Some(Ctx::Heredoc { start_of_line, .. }) = self.stack.last_mut() {
            *start_of_line = v;
        }
    }

    fn code(&mut self) {
        let start = self.pos;
        while self.rest().starts_with([' ', '\t']) || (self.rest().starts_with('\r') && !self.rest().starts_with("\r\n")) {
            self.pos += 1;
        }
        let spaces = self.pos - start;
        let r = self.rest();
        let Some(c) = r.chars().next() else { return };
        let two = r.get(..2).unwrap_or("");
        if c == '\n' {
            return self.push(K::Newline, 1, spaces);
        }
        if two == "\r\n" {
            return self.push(K::Newline, 2, spaces);
        }
        if c == '#' || two == "//" {
            let len = r.find('\n').map_or(r.len(), |i| i + 1);
            return self.push(K::Comment, len, spaces);
        }
        if two == "/*" {
            let len = r[2..].find("*/").map_or(r.len(), |i| i + 4);
            return self.push(K::Comment, len, spaces);
        }
        if two == "<<" {
            let body = r[2..].strip_prefix('-').unwrap_or(&r[2..]);
            let dash = usize::from(r[2..].starts_with('-'));
            let id_len = body
                .char_indices()
                .take_while(|(i, ch)| if *i == 0 { is_id_start(*ch) } else { is_id_continue(*ch) })
                .map(|(i, ch)| i + ch.len_utf8())
                .last();
            if let Some(id_len) = id_len {
                let after = &body[id_len..];
                let nl = if after.starts_with('\n') {
                    1
                } else if after.starts_with("\r\n") {
                    2
                } else {
                    0
                };
                if nl > 0 {
                    let marker = body[..id_len].to_string();
                    self.push(K::OHeredoc, 2 + dash + id_len + nl, spaces);
                    self.stack.push(Ctx::Heredoc { marker, start_of_line: true });
                    return;
                }
            }
        }
        if c == '"' {
            self.push(K::OQuote, 1, spaces);
            self.stack.push(Ctx::Quoted);
            return;
        }
        if c == '{' {
            self.stack.push(Ctx::Brace);
            return self.push(K::OBrace, 1, spaces);
        }
        if c == '}' || two == "~}" {
            let len = if c == '~' { 2 } else { 1 };
            return match self.stack.pop() {
                Some(Ctx::Interp) => self.push(K::TemplateSeqEnd, len, spaces),
                _ => self.push(K::CBrace, 1, spaces),
            };
        }
        if c.is_ascii_digit() {
            let b = r.as_bytes();
            let mut i = b.iter().take_while(|x| x.is_ascii_digit()).count();
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
                i += b[i..].iter().take_while(|x| x.is_ascii_digit()).count();
            }
            if matches!(b.get(i), Some(b'e' | b'E')) {
                let mut j = i + 1;
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    i = j + b[j..].iter().take_while(|x| x.is_ascii_digit()).count();
                }
            }
            return self.push(K::Number, i, spaces);
        }
        if is_id_start(c) {
            let len: usize = r.char_indices().take_while(|(i, ch)| *i == 0 || is_id_continue(*ch)).map(|(_, ch)| ch.len_utf8()).sum();
            return self.push(K::Ident, len, spaces);
        }
        let three = r.get(..3).unwrap_or("");
        let (k, len) = match (three, two, c) {
            ("...", _, _) => (K::Ellipsis, 3),
            (_, "::", _) => (K::DoubleColon, 2),
            (_, "=>", _) => (K::FatArrow, 2),
            (_, "==", _) => (K::EqualOp, 2),
            (_, "!=", _) => (K::NotEqual, 2),
            (_, "<=", _) => (K::Le, 2),
            (_, ">=", _) => (K::Ge, 2),
            (_, "&&", _) => (K::And, 2),
            (_, "||", _) => (K::Or, 2),
            (_, _, '[') => (K::OBrack, 1),
            (_, _, ']') => (K::CBrack, 1),
            (_, _, '(') => (K::OParen, 1),
            (_, _, ')') => (K::CParen, 1),
            (_, _, ',') => (K::Comma, 1),
            (_, _, '.') => (K::Dot, 1),
            (_, _, '=') => (K::Equal, 1),
            (_, _, ':') => (K::Colon, 1),
            (_, _, '?') => (K::Question, 1),
            (_, _, '<') => (K::Lt, 1),
            (_, _, '>') => (K::Gt, 1),
            (_, _, '+') => (K::Plus, 1),
            (_, _, '-') => (K::Minus, 1),
            (_, _, '*') => (K::Star, 1),
            (_, _, '/') => (K::Slash, 1),
            (_, _, '%') => (K::Percent, 1),
            (_, _, '!') => (K::Bang, 1),
            _ => (K::Other, c.len_utf8()),
        };
        self.push(k, len, spaces)
    }
}

fn tokenize(src: &str) -> Vec<Tok> {
    Lexer { src, pos: 0, toks: Vec::new(), stack: Vec::new() }.run()
}

// ------------------------------------------------------------ fmt rewrites

/// `command/fmt.go`'s `formatBody`: walks bodies, quoting block labels and
/// cleaning attribute expressions.
fn rewrite_body(toks: &[Tok], mut i: usize, out: &mut Vec<Tok>, blocks: &mut Vec<String>, one_line: bool) -> usize {
    while i < toks.len() {
        let t = &toks[i];
        match t.k {
            K::CBrace => return i,
            K::Ident => {
                // Attribute or block header.
                let mut j = i + 1;
                if toks.get(j).is_some_and(|x| x.k == K::Equal) {
                    out.push(t.clone());
                    out.push(toks[j].clone());
                    j += 1;
                    let start = j;
                    let mut depth = 0i32;
                    while j < toks.len() {
                        let x = &toks[j];
                        // A value ends at the first newline outside brackets
                        // (a trailing comment is part of the line).
                        if depth == 0 && x.is_newline() {
                            break;
                        }
                        if depth == 0 && one_line && x.k == K::CBrace {
                            break;
                        }
                        depth += x.bracket();
                        j += 1;
                    }
                    // A trailing block comment followed by the newline stays outside the expression.
                    let mut end = j;
                    while end > start && toks[end - 1].k == K::Comment {
                        end -= 1;
                    }
                    let expr = &toks[start..end];
                    let cleaned =
                        if blocks.len() == 1 && blocks[0] == "variable" && t.text == "type" { type_expr(expr) } else { value_expr(expr) };
                    out.extend(cleaned);
                    out.extend(toks[end..j].iter().cloned());
                    i = j;
                    continue;
                }
                // Block: labels then `{`.
                out.push(t.clone());
                let name = t.text.clone();
                while j < toks.len() && toks[j].k != K::OBrace && !toks[j].is_newline() {
                    match toks[j].k {
                        K::Ident => {
                            out.push(Tok { k: K::OQuote, text: "\"".into(), spaces: toks[j].spaces });
                            out.push(Tok::new(K::QuotedLit, toks[j].text.clone()));
                            out.push(Tok::new(K::CQuote, "\""));
                            j += 1;
                        }
                        _ => {
                            out.push(toks[j].clone());
                            j += 1;
                        }
                    }
                }
                if j < toks.len() && toks[j].k == K::OBrace {
                    out.push(toks[j].clone());
                    j += 1;
                    let inner_one_line = toks.get(j).is_some_and(|x| !x.is_newline());
                    blocks.push(name);
                    j = rewrite_body(toks, j, out, blocks, inner_one_line);
                    blocks.pop();
                    if j < toks.len() {
                        out.push(toks[j].clone());
                        j += 1;
                    }
                }
                i = j;
            }
            _ => {
                out.push(t.clone());
                i += 1;
            }
        }
    }
    i
}

/// `formatValueExpr`: `"${x}"` becomes `x` (parenthesised if it spans lines).
fn value_expr(toks: &[Tok]) -> Vec<Tok> {
    let n = toks.len();
    if n < 5 || toks[0].k != K::OQuote || toks[1].k != K::TemplateInterp || toks[n - 2].k != K::TemplateSeqEnd || toks[n - 1].k != K::CQuote
    {
        return toks.to_vec();
    }
    if toks[1].text != "${" || toks[n - 2].text != "}" {
        // hclsyntax gives strip markers their own token kinds; keep them.
        return toks.to_vec();
    }
    let inside = &toks[2..n - 2];
    let mut quotes = 0;
    for t in inside {
        match t.k {
            K::OQuote => quotes += 1,
            K::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            K::TemplateInterp | K::TemplateSeqEnd | K::QuotedLit => return toks.to_vec(),
            _ => {}
        }
    }
    let s = inside.iter().position(|t| t.k != K::Newline).unwrap_or(inside.len());
    let e = inside.iter().rposition(|t| t.k != K::Newline).map_or(s, |x| x + 1);
    let trimmed = &inside[s..e.max(s)];
    let multi = trimmed.iter().any(|t| t.k == K::Newline);
    let parens = trimmed.first().is_some_and(|t| t.k == K::OParen) && trimmed.last().is_some_and(|t| t.k == K::CParen) && trimmed.len() > 1;
    let mut out = Vec::new();
    if multi && !parens {
        out.push(Tok::new(K::OParen, "("));
        out.extend(trimmed.iter().cloned());
        out.push(Tok::new(K::CParen, ")"));
    } else {
        out.extend(trimmed.iter().cloned());
    }
    out
}

/// `formatTypeExpr`: `"string"` → `string`, `"list"` → `list(string)`,
/// `list` → `list(any)`.
fn type_expr(toks: &[Tok]) -> Vec<Tok> {
    let call =
        |name: &str, arg: &str| vec![Tok::new(K::Ident, name), Tok::new(K::OParen, "("), Tok::new(K::Ident, arg), Tok::new(K::CParen, ")")];
    match toks {
        [t] if t.k == K::Ident && matches!(t.text.as_str(), "list" | "map" | "set") => call(&t.text, "any"),
        [o, s, c] if o.k == K::OQuote && s.k == K::QuotedLit && c.k == K::CQuote => match s.text.as_str() {
            "string" => vec![Tok::new(K::Ident, "string")],
            "list" => call("list", "string"),
            "map" => call("map", "string"),
            _ => toks.to_vec(),
        },
        _ => toks.to_vec(),
    }
}

// ------------------------------------------------------------ hclwrite format

struct Line {
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<usize>,
}

fn columns(toks: &[Tok]) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    toks.iter().map(|t| t.spaces + t.text.graphemes(true).count()).sum()
}

fn space_after(subject: &Tok, before: Option<&Tok>, after: &Tok) -> bool {
    use K::*;
    let b = before.map(|t| t.k);
    if after.k == Newline {
        return false;
    }
    if subject.k == Ident && after.k == OParen {
        return false;
    }
    if (subject.k == Ident && after.k == DoubleColon) || (subject.k == DoubleColon && after.k == Ident) {
        return false;
    }
    if subject.k == Dot || after.k == Dot {
        return false;
    }
    if after.k == Comma || after.k == Ellipsis {
        return false;
    }
    if subject.k == Comma {
        return true;
    }
    if matches!(subject.k, QuotedLit | StringLit | OQuote | OHeredoc) || matches!(after.k, QuotedLit | StringLit | CQuote | CHeredoc) {
        return false;
    }
    if subject.k == Ident && subject.text == "in" && b == Some(Ident) {
        return true;
    }
    if after.k == OBrack && (subject.k == Ident || subject.k == Number || subject.bracket() < 0) {
        return false;
    }
    if subject.k == Bang {
        return false;
    }
    if subject.k == Minus {
        return !matches!(
            b,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | Gt
                    | Ge
                    | Lt
                    | Le
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if subject.k == OBrace || after.k == CBrace {
        return !(subject.k == OBrace && after.k == CBrace);
    }
    if matches!(subject.k, TemplateInterp | TemplateControl) && after.k == OBrace {
        return true;
    }
    if subject.k == CBrace && after.k == TemplateSeqEnd {
        return true;
    }
    if subject.k == TemplateSeqEnd && matches!(after.k, TemplateInterp | TemplateControl) {
        return false;
    }
    if subject.bracket() > 0 {
        return false;
    }
    if after.bracket() < 0 {
        return false;
    }
    true
}

fn format_tokens(toks: &mut [Tok]) {
    // Split into lines.
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_newline() {
            lines.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < toks.len() {
        lines.push((start, toks.len()));
    }
    let mut lines: Vec<Line> = lines
        .into_iter()
        .map(|(s, mut e)| {
            let mut comment = None;
            if e - s > 1 && toks[e - 1].k == K::Comment {
                comment = Some(e - 1);
                e -= 1;
            }
            let mut assign = None;
            if let Some(i) = (s + 1..e).find(|&i| toks[i].k == K::Equal) {
                let net: i32 = toks[i..e].iter().map(Tok::bracket).sum();
                if net == 0 {
                    assign = Some((i, e));
                    e = i;
                }
            }
            Line { lead: (s, e), assign, comment }
        })
        .collect();

    // formatIndent
    let mut indents: Vec<i32> = Vec::new();
    for line in &lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if toks[s].k == K::Newline {
            toks[s].spaces = 0;
            continue;
        }
        let mut net = 0;
        for t in &toks[s..e] {
            net += t.bracket();
            if t.k == K::OHeredoc {
                break;
            }
        }
        if let Some((a, b)) = line.assign {
            net += toks[a..b].iter().map(Tok::bracket).sum::<i32>();
        }
        if net > 0 {
            toks[s].spaces = 2 * indents.len();
            indents.push(net);
        } else {
            if net < 0 {
                let mut closed = -net;
                while closed > 0 {
                    let Some(last) = indents.last_mut() else { break };
                    if closed > *last {
                        closed -= *last;
                        indents.pop();
                    } else if closed < *last {
                        *last -= closed;
                        closed = 0;
                    } else {
                        indents.pop();
                        closed = 0;
                    }
                }
            }
            toks[s].spaces = 2 * indents.len();
        }
    }

    // formatSpaces
    for line in &lines {
        let mut runs = vec![line.lead];
        if let Some(a) = line.assign {
            runs.push(a);
        }
        for (ri, (s, e)) in runs.into_iter().enumerate() {
            if ri == 1 && s < e {
                toks[s].spaces = 1;
            }
            for i in s..e {
                if i + 1 >= e {
                    continue;
                }
                let before = if i > s { Some(toks[i - 1].clone()) } else { None };
                let sp = space_after(&toks[i], before.as_ref(), &toks[i + 1]);
                toks[i + 1].spaces = usize::from(sp);
            }
        }
    }

    // formatCells: `=` alignment, then trailing comments.
    let mut chain_start: Option<usize> = None;
    let mut max = 0;
    let n = lines.len();
    for i in 0..=n {
        let has = i < n && lines[i].assign.is_some();
        if has {
            chain_start.get_or_insert(i);
            let (s, e) = lines[i].lead;
            max = max.max(columns(&toks[s..e]));
        } else if let Some(cs) = chain_start.take() {
            for l in &lines[cs..i] {
                let (s, e) = l.lead;
                let cols = columns(&toks[s..e]);
                if let Some((a, _)) = l.assign {
                    toks[a].spaces = max - cols + 1;
                }
            }
            max = 0;
        }
    }
    let mut chain_start: Option<usize> = None;
    let mut max = 0;
    let width = |toks: &[Tok], l: &Line| {
        let (s, e) = l.lead;
        columns(&toks[s..e]) + l.assign.map_or(0, |(a, b)| columns(&toks[a..b]))
    };
    for i in 0..=n {
        let has = i < n && lines[i].comment.is_some();
        if has {
            chain_start.get_or_insert(i);
            max = max.max(width(toks, &lines[i]));
        } else if let Some(cs) = chain_start.take() {
            for l in &lines[cs..i] {
                let w = width(toks, l);
                if let Some(c) = l.comment {
                    toks[c].spaces = max - w + 1;
                }
            }
            max = 0;
        }
    }
    lines.clear();
}

/// Formats HCL source as `terraform fmt` does. The caller has checked that
/// it parses.
pub fn format(src: &str) -> String {
    let toks = tokenize(src);
    let mut rewritten = Vec::with_capacity(toks.len());
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        i = rewrite_body(&toks, i, &mut rewritten, &mut blocks, false);
        if i < toks.len() {
            // A stray `}` at top level: keep it.
            rewritten.push(toks[i].clone());
            i += 1;
        }
    }
    format_tokens(&mut rewritten);
    let mut out = String::with_capacity(src.len());
    for t in &rewritten {
        for _ in 0..t.spaces {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format;

    #[track_caller]
    fn check(src: &str, want: &str) {
        assert_eq!(format(src), want);
        assert_eq!(format(want), want, "formatting is idempotent");
    }

    #[test]
    fn aligns_equals_and_indents() {
        check(
            "resource aws_instance web {\nami = \"x\"\n    instance_type=\"t3.micro\"\n\n\n  tags = {\n  Name = \"web\" # the name\n  Environment= \"prod\"\n}\n}\n",
            "resource \"aws_instance\" \"web\" {\n  ami           = \"x\"\n  instance_type = \"t3.micro\"\n\n\n  tags = {\n    Name        = \"web\" # the name\n    Environment = \"prod\"\n  }\n}\n",
        );
    }

    #[test]
    fn unwraps_interpolation_and_legacy_types() {
        check(
            "variable \"v\" {\n  type = \"list\"\n}\nlocals {\n  a = \"${var.v}\"\n  b = \"x-${var.v}\"\n}\n",
            "variable \"v\" {\n  type = list(string)\n}\nlocals {\n  a = var.v\n  b = \"x-${var.v}\"\n}\n",
        );
    }

    #[test]
    fn spaces_expressions_like_hclwrite() {
        check(
            "locals {\n  x = [ for k,v in var.m : k=>v if v!=null ]\n  y = -1 + (2*3)\n  z = \"${ upper(\"a\") }\"\n  w = var.list[0].name\n  s = local.a[*].b\n  t = !var.b ? {} : { a = 1 }\n}\n",
            "locals {\n  x = [for k, v in var.m : k => v if v != null]\n  y = -1 + (2 * 3)\n  z = upper(\"a\")\n  w = var.list[0].name\n  s = local.a[*].b\n  t = !var.b ? {} : { a = 1 }\n}\n",
        );
    }

    #[test]
    fn heredocs_and_comments_are_kept() {
        // Terraform's quirk, kept: the heredoc's line starts the `=` run.
        check(
            "/* header */\nresource \"x\" \"y\" {\n  # comment\n  user_data = <<-EOT\n    #!/bin/sh\n      echo ${var.x}\n  EOT\n  a = 1 // one\n  bb = 2 // two\n}\n",
            "/* header */\nresource \"x\" \"y\" {\n  # comment\n  user_data = <<-EOT\n    #!/bin/sh\n      echo ${var.x}\n  EOT\n  a         = 1 // one\n  bb        = 2 // two\n}\n",
        );
    }
}
