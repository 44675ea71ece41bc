//! The `terraform console` display format.

use crate::{Type, Value};

/// Renders a value as `terraform console` prints it (without the trailing newline).
pub fn display_value(v: &Value) -> String {
    format!("{v:?}")
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
