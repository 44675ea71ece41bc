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
        out.push_str(&go_quote(k));
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

/// An approximation of Go's `unicode.IsPrint` without the full tables: control
/// and format characters, separators other than the ASCII space, surrogates,
/// private use and noncharacters are not printable.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xFDD0..=0xFDEF
        | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF | 0xE0000..=0xE007F)
}

/// A type as written in a type constraint: `list(string)`, `object({a=number})`.
pub fn type_expr_string(t: &Type) -> String {
    match t {
        Type::Dynamic => "dynamic".into(),
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::List(e) => format!("list({})", type_expr_string(e)),
        Type::Set(e) => format!("set({})", type_expr_string(e)),
        Type::Map(e) => format!("map({})", type_expr_string(e)),
        Type::Tuple(ts) => format!("tuple([{}])", ts.iter().map(type_expr_string).collect::<Vec<_>>().join(", ")),
        Type::Object(o) => format!(
            "object({{{}}})",
            o.attrs.iter().map(|(k, t)| format!("{k}={}", type_expr_string(t))).collect::<Vec<_>>().join(", ")
        ),
    }
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
