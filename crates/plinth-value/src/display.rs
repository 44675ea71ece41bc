//! The `terraform console` display format: `tolist([...])`, `tomap({...})`,
//! two-space indents, trailing commas in sequences, heredocs for multi-line
//! strings, typed nulls such as `tostring(null)`, and `(sensitive value)`.

use crate::value::Kind;
use crate::{Marks, Type, Value};

/// Renders a value as `terraform console` prints it (without the trailing newline).
pub fn display_value(v: &Value) -> String {
    let mut out = String::new();
    format_value(v, 0, &mut out);
    out
}

fn format_value(v: &Value, indent: usize, out: &mut String) {
    crate::deep(|| {
        if v.is_unknown() {
            out.push_str("(known after apply)");
            return;
        }
        if v.marks.contains(Marks::SENSITIVE) {
            out.push_str("(sensitive value)");
            return;
        }
        match &v.kind {
            Kind::Null(t) => out.push_str(&null_display(t)),
            Kind::Unknown(_) => unreachable!("handled above"),
            Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Kind::Number(n) => out.push_str(&n.to_string()),
            Kind::String(s) => match heredoc(s, indent) {
                Some(h) => out.push_str(&h),
                None => out.push_str(&go_quote(s)),
            },
            Kind::Tuple(xs) => format_seq(xs, indent, out),
            Kind::List(_, xs) => {
                out.push_str("tolist(");
                format_seq(xs, indent, out);
                out.push(')');
            }
            Kind::Set(_, xs) => {
                out.push_str("toset(");
                format_seq(xs, indent, out);
                out.push(')');
            }
            Kind::Object(m) => format_mapping(m, indent, out),
            Kind::Map(_, m) => {
                out.push_str("tomap(");
                format_mapping(m, indent, out);
                out.push(')');
            }
        }
    })
}

fn null_display(t: &Type) -> String {
    match t {
        Type::Dynamic => "null".into(),
        Type::String => "tostring(null)".into(),
        Type::Number => "tonumber(null)".into(),
        Type::Bool => "tobool(null)".into(),
        Type::List(e) => format!("tolist(null) /* of {} */", e.friendly_name()),
        Type::Set(e) => format!("toset(null) /* of {} */", e.friendly_name()),
        Type::Map(e) => format!("tomap(null) /* of {} */", e.friendly_name()),
        other => format!("null /* {} */", other.friendly_name()),
    }
}

fn format_seq(xs: &[Value], indent: usize, out: &mut String) {
    out.push('[');
    for x in xs {
        out.push('\n');
        push_indent(out, indent + 2);
        format_value(x, indent + 2, out);
        out.push(',');
    }
    if !xs.is_empty() {
        out.push('\n');
        push_indent(out, indent);
    }
    out.push(']');
}

fn format_mapping(m: &std::collections::BTreeMap<String, Value>, indent: usize, out: &mut String) {
    out.push('{');
    for (k, x) in m {
        out.push('\n');
        push_indent(out, indent + 2);
        // keys print like string values: a key with a newline is a heredoc
        match heredoc(k, indent + 2) {
            Some(h) => out.push_str(&h),
            None => out.push_str(&go_quote(k)),
        }
        out.push_str(" = ");
        format_value(x, indent + 2, out);
    }
    if !m.is_empty() {
        out.push('\n');
        push_indent(out, indent);
    }
    out.push('}');
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A string with a newline prints as a heredoc (`<<-` when nested), with a
/// delimiter that no line equals.
fn heredoc(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n') {
        return None;
    }
    let lines: Vec<&str> = s.split('\n').collect();
    let mut delim = String::from("EOT");
    while lines.iter().any(|l| l.trim() == delim) {
        delim.push('_');
    }
    let mut out = String::from(if indent > 0 { "<<-" } else { "<<" });
    out.push_str(&delim);
    for l in &lines {
        out.push('\n');
        push_indent(&mut out, indent);
        out.push_str(l);
    }
    out.push('\n');
    push_indent(&mut out, indent);
    out.push_str(&delim);
    Some(out)
}

/// Go's `strconv.Quote`: printable characters as they are, the usual short
/// escapes, `\xNN` / `\uNNNN` / `\UNNNNNNNN` for the rest.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space. The category tables come from regex-syntax's Unicode data.
pub(crate) fn is_go_printable(c: char) -> bool {
    use std::sync::OnceLock;
    static RANGES: OnceLock<Vec<(char, char)>> = OnceLock::new();
    if c == ' ' {
        return true;
    }
    if (c as u32) < 0x80 {
        return c.is_ascii_graphic();
    }
    let ranges = RANGES.get_or_init(|| {
        let hir = regex_syntax::Parser::new().parse(r"[\p{L}\p{M}\p{N}\p{P}\p{S}]").expect("valid class");
        match hir.kind() {
            regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(cls)) => {
                cls.ranges().iter().map(|r| (r.start(), r.end())).collect()
            }
            _ => Vec::new(),
        }
    });
    ranges
        .binary_search_by(|(lo, hi)| {
            if *hi < c {
                std::cmp::Ordering::Less
            } else if *lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A type as written in a type constraint: `list(string)`, `object({a=number})`.
pub fn type_expr_string(t: &Type) -> String {
    crate::deep(|| match t {
        Type::Dynamic => "dynamic".into(),
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::List(e) => format!("list({})", type_expr_string(e)),
        Type::Set(e) => format!("set({})", type_expr_string(e)),
        Type::Map(e) => format!("map({})", type_expr_string(e)),
        Type::Tuple(ts) => format!("tuple([{}])", ts.iter().map(type_expr_string).collect::<Vec<_>>().join(", ")),
        Type::Object(o) => {
            format!("object({{{}}})", o.attrs.iter().map(|(k, t)| format!("{k}={}", type_expr_string(t))).collect::<Vec<_>>().join(", "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_list_in_object() {
        let v = Value::object(
            [("a".to_string(), Value::list(Type::Number, vec![Value::int(1)])), ("b".to_string(), Value::null(Type::String))]
                .into_iter()
                .collect(),
        );
        assert_eq!(display_value(&v), "{\n  \"a\" = tolist([\n    1,\n  ])\n  \"b\" = tostring(null)\n}");
    }

    #[test]
    fn multiline_string_is_heredoc() {
        assert_eq!(display_value(&Value::string("trailing\n")), "<<EOT\ntrailing\n\nEOT");
    }
}

#[cfg(test)]
mod printable {
    use super::*;

    #[test]
    fn go_is_print() {
        for c in ['a', 'é', '🤔', '\u{301}', '€', '日', '\u{e3f}', ' '] {
            assert!(is_go_printable(c), "{c:?}");
        }
        for c in ['\u{a0}', '\u{200b}', '\u{2028}', '\u{ad}', '\u{feff}', '\u{e000}', '\u{7f}', '\u{85}', '\u{3000}', '\u{378}', '\u{1680}']
        {
            assert!(!is_go_printable(c), "{c:?}");
        }
    }
}
