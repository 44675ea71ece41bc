//! HCL's JSON syntax (`.tf.json`, `.tfvars.json`) converted into the native AST.
//!
//! A small JSON reader is written here instead of using `serde_json`, because
//! serde_json does not report where values are in the source, and plinth needs a
//! span on every node (and, for strings, a mapping from each decoded character
//! back to its source offset so template spans point into the JSON file).
//!
//! JSON bodies can't be fully interpreted without a schema. The mapping used:
//! top-level properties named after Terraform block types become blocks, with
//! one nesting level of object properties per block label; the innermost
//! object's properties become attributes. Anything else is an attribute whose
//! value is converted to an expression: strings are templates (parsed like
//! `templatestring` text), numbers, bools, null, arrays (tuples) and objects
//! (object constructors with template keys). `"//"` properties in bodies are
//! comments and are skipped. Nested blocks inside a block body (`lifecycle`,
//! `provisioner`, ...) are left as object-valued attributes for the config
//! loader to reinterpret.

use crate::ast::*;
use crate::parser::Parser;
use crate::{Diagnostic, FileId, Span};

const MAX_DEPTH: usize = 128;

/// Known Terraform block types and their label counts.
fn block_labels(kind: &str) -> Option<usize> {
    Some(match kind {
        "resource" | "data" | "ephemeral" | "action" => 2,
        "module" | "variable" | "output" | "provider" | "check" => 1,
        "locals" | "terraform" | "moved" | "import" | "removed" => 0,
        _ => return None,
    })
}

pub(crate) fn parse_json_file(file: FileId, src: &str) -> (Body, Vec<Diagnostic>) {
    parse(file, "", src, true)
}

/// Every top-level property is an attribute (for `.tfvars.json`, where names
/// such as `data` or `module` are just variable names), and every string is
/// literal text: HCL reads JSON strings as templates only when they are
/// evaluated with a context, which variable values never are. A property set
/// twice is an error ("Duplicate attribute definition"; the first is kept).
pub(crate) fn parse_json_attributes(file: FileId, name: &str, src: &str) -> (Body, Vec<Diagnostic>) {
    parse(file, name, src, false)
}

fn parse(file: FileId, name: &str, src: &str, blocks: bool) -> (Body, Vec<Diagnostic>) {
    let mut r = Reader { src, b: src.as_bytes(), pos: 0, file, diags: Vec::new(), depth: 0, literal: !blocks };
    let mut seen: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    let ranges = crate::parser::RangeText::new(name, src);
    let mut body = Body { attributes: vec![], blocks: vec![], span: Span::new(file, 0, src.len()) };
    r.ws();
    let root = r.value();
    if let Some(root) = &root {
        r.ws();
        if r.pos < r.b.len() && r.diags.is_empty() {
            let end = r.pos + crate::lexer::char_len(src, r.pos);
            r.err("Extraneous data after value", "Extra characters appear after the JSON value.", r.pos, end);
        }
        let roots: Vec<&JV> = match &root.kind {
            JK::Arr(items) => items.iter().collect(),
            _ => vec![root],
        };
        for v in roots {
            match &v.kind {
                JK::Obj(props) => {
                    for prop in props {
                        if prop.key == "//" {
                            continue;
                        }
                        match block_labels(&prop.key).filter(|_| blocks) {
                            Some(n) => {
                                let kind = Ident { name: prop.key.clone(), span: Span::new(file, prop.key_start, prop.key_end) };
                                r.blocks(&kind, &prop.value, n, &mut Vec::new(), &mut body.blocks);
                            }
                            None if !blocks => {
                                if let Some(&(start, end)) = seen.get(&prop.key) {
                                    let at = ranges.of(start, end);
                                    r.err(
                                        "Duplicate attribute definition",
                                        format!("The argument {:?} was already set at {at}.", prop.key),
                                        prop.key_start,
                                        prop.key_end,
                                    );
                                    continue;
                                }
                                seen.insert(prop.key.clone(), (prop.key_start, prop.value.end));
                                body.attributes.push(r.attribute(prop))
                            }
                            None => body.attributes.push(r.attribute(prop)),
                        }
                    }
                }
                _ => r.err(
                    "Root value must be object",
                    "The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.",
                    v.start,
                    v.end,
                ),
            }
        }
    }
    (body, r.diags)
}

struct JV {
    kind: JK,
    start: usize,
    end: usize,
}

enum JK {
    Null,
    Bool(bool),
    Num,
    /// Decoded text and, for each decoded byte offset (plus one past the end),
    /// the source offset it came from.
    Str(String, Vec<u32>),
    Arr(Vec<JV>),
    Obj(Vec<Prop>),
}

struct Prop {
    key: String,
    key_map: Vec<u32>,
    key_start: usize,
    key_end: usize,
    value: JV,
}

struct Reader<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
    depth: usize,
    /// Strings are literal text, not templates (`.tfvars.json`).
    literal: bool,
}

impl<'a> Reader<'a> {
    fn err(&mut self, summary: &str, detail: impl Into<String>, start: usize, end: usize) {
        let end = end.min(self.b.len()).max(start.min(self.b.len()));
        self.diags.push(Diagnostic::error(summary, detail).with_subject(Span::new(self.file, start.min(self.b.len()), end)));
    }

    fn ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn unexpected(&mut self, what: &str) {
        if self.pos >= self.b.len() {
            self.err("Syntax error", format!("Expected {what}, but found the end of the file."), self.pos, self.pos);
        } else {
            let end = self.pos + crate::lexer::char_len(self.src, self.pos);
            let found = &self.src[self.pos..end];
            self.err("Syntax error", format!("Expected {what}, but found {found:?}."), self.pos, end);
        }
    }

    /// Parses one value at `pos` (whitespace already skipped). None on error.
    fn value(&mut self) -> Option<JV> {
        let start = self.pos;
        let Some(&c) = self.b.get(start) else {
            self.unexpected("a JSON value");
            return None;
        };
        match c {
            b'{' => {
                if self.depth >= MAX_DEPTH {
                    self.err("Nesting too deep", "This JSON value is nested too deeply to be processed.", start, start + 1);
                    return None;
                }
                self.depth += 1;
                let r = self.object();
                self.depth -= 1;
                r
            }
            b'[' => {
                if self.depth >= MAX_DEPTH {
                    self.err("Nesting too deep", "This JSON value is nested too deeply to be processed.", start, start + 1);
                    return None;
                }
                self.depth += 1;
                let r = self.array();
                self.depth -= 1;
                r
            }
            b'"' => {
                let (s, map) = self.string()?;
                Some(JV { kind: JK::Str(s, map), start, end: self.pos })
            }
            b'-' | b'0'..=b'9' => {
                let mut p = start;
                if self.b[p] == b'-' {
                    p += 1;
                }
                let digits_start = p;
                while p < self.b.len() && self.b[p].is_ascii_digit() {
                    p += 1;
                }
                let int_ok = p > digits_start && !(self.b[digits_start] == b'0' && p - digits_start > 1);
                let mut ok = int_ok;
                if self.b.get(p) == Some(&b'.') {
                    p += 1;
                    let f = p;
                    while p < self.b.len() && self.b[p].is_ascii_digit() {
                        p += 1;
                    }
                    ok &= p > f;
                }
                if matches!(self.b.get(p), Some(b'e' | b'E')) {
                    p += 1;
                    if matches!(self.b.get(p), Some(b'+' | b'-')) {
                        p += 1;
                    }
                    let f = p;
                    while p < self.b.len() && self.b[p].is_ascii_digit() {
                        p += 1;
                    }
                    ok &= p > f;
                }
                if !ok {
                    self.err("Invalid JSON number", "This is not a valid JSON number.", start, p.max(start + 1));
                    self.pos = p.max(start + 1);
                    return None;
                }
                self.pos = p;
                Some(JV { kind: JK::Num, start, end: p })
            }
            _ => {
                for (kw, kind) in [("true", JK::Bool(true)), ("false", JK::Bool(false)), ("null", JK::Null)] {
                    if self.src[start..].starts_with(kw) {
                        let end = start + kw.len();
                        let after = self.src[end..].chars().next();
                        if !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            self.pos = end;
                            return Some(JV { kind, start, end });
                        }
                    }
                }
                if self.b[start].is_ascii_alphabetic() {
                    let mut end = start;
                    while end < self.b.len() && self.b[end].is_ascii_alphanumeric() {
                        end += 1;
                    }
                    self.err(
                        "Invalid JSON keyword",
                        format!(
                            "{:?} is not a valid JSON keyword. Valid keywords are \"true\", \"false\" and \"null\".",
                            &self.src[start..end]
                        ),
                        start,
                        end,
                    );
                    return None;
                }
                self.unexpected("a JSON value");
                None
            }
        }
    }

    fn object(&mut self) -> Option<JV> {
        let start = self.pos;
        self.pos += 1;
        let mut props = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Some(JV { kind: JK::Obj(props), start, end: self.pos });
        }
        loop {
            self.ws();
            if self.b.get(self.pos) != Some(&b'"') {
                self.unexpected("a quoted property name");
                return None;
            }
            let key_start = self.pos;
            let (key, key_map) = self.string()?;
            let key_end = self.pos;
            self.ws();
            if self.b.get(self.pos) != Some(&b':') {
                self.unexpected("a colon after the property name");
                return None;
            }
            self.pos += 1;
            self.ws();
            let value = self.value()?;
            props.push(Prop { key, key_map, key_start, key_end, value });
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                    if self.b.get(self.pos) == Some(&b'}') {
                        self.err(
                            "Trailing comma in object",
                            "JSON does not permit a trailing comma after the last property.",
                            self.pos - 1,
                            self.pos,
                        );
                        self.pos += 1;
                        return Some(JV { kind: JK::Obj(props), start, end: self.pos });
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Some(JV { kind: JK::Obj(props), start, end: self.pos });
                }
                _ => {
                    self.unexpected("a comma or a closing brace");
                    return None;
                }
            }
        }
    }

    fn array(&mut self) -> Option<JV> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Some(JV { kind: JK::Arr(items), start, end: self.pos });
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.b.get(self.pos) {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                    if self.b.get(self.pos) == Some(&b']') {
                        self.err(
                            "Trailing comma in array",
                            "JSON does not permit a trailing comma after the last element.",
                            self.pos - 1,
                            self.pos,
                        );
                        self.pos += 1;
                        return Some(JV { kind: JK::Arr(items), start, end: self.pos });
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Some(JV { kind: JK::Arr(items), start, end: self.pos });
                }
                _ => {
                    self.unexpected("a comma or a closing bracket");
                    return None;
                }
            }
        }
    }

    /// A JSON string at `pos`: decoded text plus the offset map.
    fn string(&mut self) -> Option<(String, Vec<u32>)> {
        let start = self.pos;
        let mut p = start + 1;
        let mut out = String::new();
        let mut map = Vec::new();
        loop {
            let Some(&c) = self.b.get(p) else {
                self.err("Unterminated string", "There is no closing quote for this string before the end of the file.", start, start + 1);
                self.pos = p;
                return None;
            };
            match c {
                b'"' => {
                    map.push(p as u32);
                    self.pos = p + 1;
                    return Some((out, map));
                }
                b'\\' => {
                    let esc_start = p;
                    let sel = self.b.get(p + 1).copied();
                    let simple = match sel {
                        Some(b'"') => Some('"'),
                        Some(b'\\') => Some('\\'),
                        Some(b'/') => Some('/'),
                        Some(b'b') => Some('\u{8}'),
                        Some(b'f') => Some('\u{c}'),
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(b't') => Some('\t'),
                        _ => None,
                    };
                    let (ch, len) = if let Some(ch) = simple {
                        (ch, 2)
                    } else if sel == Some(b'u') {
                        let hex4 = |at: usize| -> Option<u32> {
                            self.src
                                .get(at..at + 4)
                                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                        };
                        match hex4(p + 2) {
                            Some(hi @ 0xD800..=0xDBFF) if self.src.get(p + 6..p + 8) == Some("\\u") => match hex4(p + 8) {
                                Some(lo @ 0xDC00..=0xDFFF) => {
                                    (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).unwrap_or('\u{fffd}'), 12)
                                }
                                _ => ('\u{fffd}', 6),
                            },
                            Some(n) => (char::from_u32(n).unwrap_or('\u{fffd}'), 6),
                            None => {
                                self.err(
                                    "Invalid escape sequence",
                                    "The \\u escape must be followed by four hexadecimal digits.",
                                    p,
                                    (p + 2).min(self.b.len()),
                                );
                                ('\u{fffd}', 2)
                            }
                        }
                    } else {
                        let end = (p + 1 + crate::lexer::char_len(self.src, p + 1)).min(self.b.len());
                        self.err("Invalid escape sequence", "This is not a valid JSON escape sequence.", p, end);
                        ('\u{fffd}', end - p)
                    };
                    for _ in 0..ch.len_utf8() {
                        map.push(esc_start as u32);
                    }
                    out.push(ch);
                    p += len;
                }
                b'\n' => {
                    self.err("Unterminated string", "JSON strings may not contain raw newlines; use \\n.", start, start + 1);
                    self.pos = p;
                    return None;
                }
                _ => {
                    let ch = crate::lexer::char_at(self.src, p).unwrap_or('\u{fffd}');
                    for i in 0..ch.len_utf8() {
                        map.push((p + i) as u32);
                    }
                    out.push(ch);
                    p += ch.len_utf8();
                }
            }
        }
    }

    // ------------------------------------------------------------ conversion

    fn sp(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn attribute(&mut self, prop: &Prop) -> Attribute {
        let name = Ident { name: prop.key.clone(), span: self.sp(prop.key_start, prop.key_end) };
        let expr = self.expr(&prop.value);
        let span = name.span.to(expr.span);
        Attribute { name, expr, span }
    }

    /// Descends `labels_left` levels of object properties as labels, then makes
    /// a block from each object found (arrays of objects give several blocks).
    fn blocks(&mut self, kind: &Ident, v: &JV, labels_left: usize, labels: &mut Vec<Label>, out: &mut Vec<Block>) {
        match &v.kind {
            JK::Arr(items) => {
                for item in items {
                    self.blocks(kind, item, labels_left, labels, out);
                }
            }
            JK::Obj(props) if labels_left > 0 => {
                for prop in props {
                    if prop.key == "//" {
                        continue;
                    }
                    labels.push(Label { value: prop.key.clone(), span: self.sp(prop.key_start, prop.key_end) });
                    self.blocks(kind, &prop.value, labels_left - 1, labels, out);
                    labels.pop();
                }
            }
            JK::Obj(props) => {
                let mut body = Body { attributes: vec![], blocks: vec![], span: self.sp(v.start, v.end) };
                for prop in props {
                    if prop.key != "//" {
                        body.attributes.push(self.attribute(prop));
                    }
                }
                let header_end = labels.last().map_or(kind.span.end, |l| l.span.end) as usize;
                out.push(Block {
                    kind: kind.clone(),
                    labels: labels.clone(),
                    body,
                    span: kind.span.to(self.sp(v.start, v.end)),
                    header_span: kind.span.to(self.sp(header_end, (v.start + 1).max(header_end))),
                });
            }
            _ => {
                let what =
                    if labels_left > 0 { "a JSON object whose property names are block labels" } else { "a JSON object (the block body)" };
                self.err(&format!("Incorrect JSON value type for {} block", kind.name), format!("Expected {what} here."), v.start, v.end);
            }
        }
    }

    fn expr(&mut self, v: &JV) -> Expr {
        let span = self.sp(v.start, v.end);
        let kind = match &v.kind {
            JK::Null => ExprKind::Null,
            JK::Bool(b) => ExprKind::Bool(*b),
            JK::Num => {
                let text = &self.src[v.start..v.end];
                if let Some(abs) = text.strip_prefix('-') {
                    let inner = Expr::new(ExprKind::Number(abs.to_string()), self.sp(v.start + 1, v.end));
                    ExprKind::Unary { op: UnaryOp::Neg, expr: Box::new(inner) }
                } else {
                    ExprKind::Number(text.to_string())
                }
            }
            JK::Str(s, _) if self.literal => ExprKind::Template(vec![TemplatePart::Literal(s.clone())]),
            JK::Str(s, map) => return self.template(s, map, span),
            JK::Arr(items) => ExprKind::Tuple(items.iter().map(|i| self.expr(i)).collect()),
            JK::Obj(props) => ExprKind::Object(
                props
                    .iter()
                    .map(|p| {
                        let key_span = self.sp(p.key_start, p.key_end);
                        let key = if self.literal {
                            Expr::new(ExprKind::Template(vec![TemplatePart::Literal(p.key.clone())]), key_span)
                        } else {
                            self.template(&p.key, &p.key_map, key_span)
                        };
                        ObjectItem { key: ObjectKey::Expr(key), value: self.expr(&p.value) }
                    })
                    .collect(),
            ),
        };
        Expr::new(kind, span)
    }

    /// Parses decoded string text as a template and maps every span back into
    /// the JSON source.
    fn template(&mut self, text: &str, map: &[u32], whole: Span) -> Expr {
        let mut p = Parser::new(self.file, text);
        let mut e = p.parse_bare_template();
        let remap = |s: &mut Span| {
            let f = |o: u32| map.get(o as usize).copied().unwrap_or(whole.end.saturating_sub(1));
            let (a, b) = (f(s.start), if s.end > s.start { f(s.end - 1) + 1 } else { f(s.end) });
            s.start = a;
            s.end = b.max(a);
        };
        remap_expr(&mut e, &remap);
        e.span = whole;
        for mut d in p.diags {
            if let Some(s) = &mut d.subject {
                remap(s);
            }
            self.diags.push(d);
        }
        e
    }
}

fn remap_expr(e: &mut Expr, f: &dyn Fn(&mut Span)) {
    f(&mut e.span);
    match &mut e.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::SplatItem => {}
        ExprKind::Variable(i) => f(&mut i.span),
        ExprKind::Template(parts) => remap_parts(parts, f),
        ExprKind::GetAttr(x, i) => {
            remap_expr(x, f);
            f(&mut i.span)
        }
        ExprKind::Parens(x) | ExprKind::Unary { expr: x, .. } => remap_expr(x, f),
        ExprKind::Index(a, b) | ExprKind::Binary { lhs: a, rhs: b, .. } | ExprKind::Splat { source: a, each: b } => {
            remap_expr(a, f);
            remap_expr(b, f)
        }
        ExprKind::Tuple(items) => items.iter_mut().for_each(|i| remap_expr(i, f)),
        ExprKind::Object(items) => {
            for item in items {
                match &mut item.key {
                    ObjectKey::Ident(i) => f(&mut i.span),
                    ObjectKey::Expr(k) => remap_expr(k, f),
                }
                remap_expr(&mut item.value, f)
            }
        }
        ExprKind::Call { name, args, .. } => {
            f(&mut name.span);
            args.iter_mut().for_each(|a| remap_expr(a, f))
        }
        ExprKind::Conditional { cond, then, otherwise } => {
            remap_expr(cond, f);
            remap_expr(then, f);
            remap_expr(otherwise, f)
        }
        ExprKind::For(fe) => {
            if let Some(k) = &mut fe.key_var {
                f(&mut k.span)
            }
            f(&mut fe.value_var.span);
            remap_expr(&mut fe.collection, f);
            if let Some(k) = &mut fe.key {
                remap_expr(k, f)
            }
            remap_expr(&mut fe.value, f);
            if let Some(c) = &mut fe.condition {
                remap_expr(c, f)
            }
        }
    }
}

fn remap_parts(parts: &mut [TemplatePart], f: &dyn Fn(&mut Span)) {
    for p in parts {
        match p {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interp(e) => remap_expr(e, f),
            TemplatePart::If { cond, then, otherwise, span } => {
                f(span);
                remap_expr(cond, f);
                remap_parts(then, f);
                remap_parts(otherwise, f)
            }
            TemplatePart::For { key_var, value_var, collection, body, span } => {
                f(span);
                if let Some(k) = key_var {
                    f(&mut k.span)
                }
                f(&mut value_var.span);
                remap_expr(collection, f);
                remap_parts(body, f)
            }
        }
    }
}
