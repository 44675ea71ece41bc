//! JSON encoding of values and types, as in `output -json` and the state file,
//! following go-cty's `cty/json` package.

use std::collections::{BTreeMap, BTreeSet};

use crate::display::go_quote;
use crate::{Kind, Number, ObjectType, Type, Value};

/// Terraform's JSON type notation: `"string"`, `["list","string"]`, `["object",{...}]`.
pub fn json_type(t: &Type) -> serde_json::Value {
    crate::deep(|| {
        use serde_json::Value as J;
        match t {
            Type::Dynamic => J::String("dynamic".into()),
            Type::String => J::String("string".into()),
            Type::Number => J::String("number".into()),
            Type::Bool => J::String("bool".into()),
            Type::List(e) => J::Array(vec![J::String("list".into()), json_type(e)]),
            Type::Set(e) => J::Array(vec![J::String("set".into()), json_type(e)]),
            Type::Map(e) => J::Array(vec![J::String("map".into()), json_type(e)]),
            Type::Tuple(ts) => J::Array(vec![J::String("tuple".into()), J::Array(ts.iter().map(json_type).collect())]),
            Type::Object(o) => {
                let mut attrs = serde_json::Map::new();
                for (k, v) in &o.attrs {
                    attrs.insert(k.clone(), json_type(v));
                }
                let mut parts = vec![J::String("object".into()), J::Object(attrs)];
                if !o.optional.is_empty() {
                    parts.push(J::Array(o.optional.iter().map(|k| J::String(k.clone())).collect()));
                }
                J::Array(parts)
            }
        }
    })
}

pub fn type_from_json(j: &serde_json::Value) -> Option<Type> {
    use serde_json::Value as J;
    match j {
        J::String(s) => match s.as_str() {
            "dynamic" => Some(Type::Dynamic),
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            _ => None,
        },
        J::Array(parts) => {
            let kind = parts.first()?.as_str()?;
            match (kind, parts.len()) {
                ("list", 2) => Some(Type::list(type_from_json(&parts[1])?)),
                ("set", 2) => Some(Type::set(type_from_json(&parts[1])?)),
                ("map", 2) => Some(Type::map(type_from_json(&parts[1])?)),
                ("tuple", 2) => {
                    let ts = parts[1].as_array()?.iter().map(type_from_json).collect::<Option<Vec<_>>>()?;
                    Some(Type::tuple(ts))
                }
                ("object", 2) | ("object", 3) => {
                    let mut attrs = BTreeMap::new();
                    for (k, v) in parts[1].as_object()? {
                        attrs.insert(k.clone(), type_from_json(v)?);
                    }
                    let mut optional = BTreeSet::new();
                    if let Some(opt) = parts.get(2) {
                        for k in opt.as_array()? {
                            let k = k.as_str()?;
                            if !attrs.contains_key(k) {
                                return None;
                            }
                            optional.insert(k.to_string());
                        }
                    }
                    Some(Type::Object(std::sync::Arc::new(ObjectType { attrs, optional })))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn json_number(n: &Number) -> serde_json::Value {
    let text = n.to_string();
    match serde_json::from_str::<serde_json::Number>(&text) {
        Ok(num) => serde_json::Value::Number(num),
        // Infinity has no JSON form; callers check for it first.
        Err(_) => serde_json::Value::String(text),
    }
}

/// A wholly known, unmarked value as JSON (numbers at full precision).
/// Unknown values (which have no JSON form) come out as `null`.
pub fn value_to_json(v: &Value) -> serde_json::Value {
    crate::deep(|| {
        use serde_json::Value as J;
        match &v.kind {
            Kind::Null(_) | Kind::Unknown(_) => J::Null,
            Kind::Bool(b) => J::Bool(*b),
            Kind::Number(n) => json_number(n),
            Kind::String(s) => J::String(s.to_string()),
            Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => J::Array(xs.iter().map(value_to_json).collect()),
            Kind::Map(_, m) | Kind::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, x) in m.iter() {
                    out.insert(k.clone(), value_to_json(x));
                }
                J::Object(out)
            }
        }
    })
}

/// Compact JSON text of a value, as `jsonencode` produces it: Go's
/// `encoding/json` string escaping (`<`, `>`, `&`, U+2028, U+2029 as `\uXXXX`),
/// object keys in lexical order, numbers in full precision.
pub fn value_to_json_string(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    crate::deep(|| match &v.kind {
        Kind::Null(_) | Kind::Unknown(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&n.to_string()),
        Kind::String(s) => write_json_string(s, out),
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
    })
}

/// A JSON string literal escaped exactly as Go's `encoding/json` does (HTML-safe).
pub fn write_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        if let Some(e) = crate::go::json_html_escape(c) {
            out.push_str(e);
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decodes JSON of a known type into a value of that type. With
/// `Type::Dynamic` the type is inferred as `jsondecode` does: objects become
/// objects, arrays tuples, numbers numbers at full precision.
pub fn value_from_json(j: &serde_json::Value, t: &Type) -> Result<Value, String> {
    crate::deep(|| {
        use serde_json::Value as J;
        if j.is_null() {
            return Ok(Value::null(t.clone()));
        }
        match t {
            Type::Dynamic => Ok(match j {
                J::Null => Value::dynamic_null(),
                J::Bool(b) => Value::bool(*b),
                J::Number(n) => Value::number(parse_number(&n.to_string())?),
                J::String(s) => Value::string(s.as_str()),
                J::Array(xs) => Value::tuple(xs.iter().map(|x| value_from_json(x, &Type::Dynamic)).collect::<Result<_, _>>()?),
                J::Object(m) => {
                    let mut attrs = BTreeMap::new();
                    for (k, x) in m {
                        attrs.insert(k.clone(), value_from_json(x, &Type::Dynamic)?);
                    }
                    Value::object(attrs)
                }
            }),
            Type::String => match j {
                J::String(s) => Ok(Value::string(s.as_str())),
                J::Number(n) => Ok(Value::string(n.to_string())),
                J::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
                _ => Err("string is required".into()),
            },
            Type::Number => match j {
                J::Number(n) => Ok(Value::number(parse_number(&n.to_string())?)),
                J::String(s) => Ok(Value::number(parse_number(s)?)),
                _ => Err("number is required".into()),
            },
            Type::Bool => match j {
                J::Bool(b) => Ok(Value::bool(*b)),
                J::String(s) if s == "true" => Ok(Value::bool(true)),
                J::String(s) if s == "false" => Ok(Value::bool(false)),
                J::String(_) => Err("a bool is required".into()),
                _ => Err("bool is required".into()),
            },
            Type::List(et) | Type::Set(et) => {
                let xs = j.as_array().ok_or_else(|| "expected delimiter [".to_string())?;
                let vals = xs.iter().map(|x| value_from_json(x, et)).collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(t, Type::List(_)) { Value::list((**et).clone(), vals) } else { Value::set((**et).clone(), vals) })
            }
            Type::Map(et) => {
                let m = j.as_object().ok_or_else(|| "expected delimiter {".to_string())?;
                let mut out = BTreeMap::new();
                for (k, x) in m {
                    out.insert(k.clone(), value_from_json(x, et)?);
                }
                Ok(Value::map((**et).clone(), out))
            }
            Type::Tuple(ts) => {
                let xs = j.as_array().ok_or_else(|| "expected delimiter [".to_string())?;
                if xs.len() > ts.len() {
                    return Err(format!("too many tuple elements (need {})", ts.len()));
                }
                if xs.len() < ts.len() {
                    return Err(format!("not enough tuple elements (need {})", ts.len()));
                }
                Ok(Value::tuple(xs.iter().zip(ts.iter()).map(|(x, t)| value_from_json(x, t)).collect::<Result<_, _>>()?))
            }
            Type::Object(o) => {
                let m = j.as_object().ok_or_else(|| "expected delimiter {".to_string())?;
                let mut out = BTreeMap::new();
                for (k, x) in m {
                    let at = o.attrs.get(k).ok_or_else(|| format!("unsupported attribute {}", go_quote(k)))?;
                    out.insert(k.clone(), value_from_json(x, at)?);
                }
                for (k, at) in &o.attrs {
                    out.entry(k.clone()).or_insert_with(|| Value::null(at.clone()));
                }
                Ok(Value::object(out))
            }
        }
    })
}

fn parse_number(s: &str) -> Result<Number, String> {
    Number::parse(s).ok_or_else(|| format!("{} is not a number", go_quote(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_notation_round_trips() {
        let t = Type::object(
            [("a".to_string(), Type::list(Type::String)), ("b".to_string(), Type::tuple(vec![Type::Number, Type::Dynamic]))]
                .into_iter()
                .collect(),
        );
        let j = json_type(&t);
        assert_eq!(j.to_string(), r#"["object",{"a":["list","string"],"b":["tuple",["number","dynamic"]]}]"#);
        assert_eq!(type_from_json(&j), Some(t));
        assert_eq!(type_from_json(&serde_json::json!("bogus")), None);
    }

    #[test]
    fn encodes_like_go() {
        let v = Value::string("<>&\"\\\n\t\u{1}\u{2028}é");
        assert_eq!(value_to_json_string(&v), r#""\u003c\u003e\u0026\"\\\n\t\u0001\u2028é""#);
        let m = Value::map(Type::Number, [("b".to_string(), Value::int(1)), ("a".to_string(), Value::int(2))].into_iter().collect());
        assert_eq!(value_to_json_string(&m), r#"{"a":2,"b":1}"#);
        assert_eq!(value_to_json_string(&Value::tuple(vec![Value::bool(true), Value::dynamic_null()])), "[true,null]");
        assert_eq!(value_to_json(&m).to_string(), r#"{"a":2,"b":1}"#);
    }

    #[test]
    fn decodes_typed_and_dynamic() {
        let j: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"c":[]}}"#).unwrap();
        let v = value_from_json(&j, &Type::Dynamic).unwrap();
        assert_eq!(json_type(&v.ty()).to_string(), r#"["object",{"a":["object",{"c":["tuple",[]]}],"b":"number"}]"#);
        let t = Type::object([("x".to_string(), Type::String), ("y".to_string(), Type::list(Type::Number))].into_iter().collect());
        let j: serde_json::Value = serde_json::from_str(r#"{"x":5,"y":[1,"2"]}"#).unwrap();
        let v = value_from_json(&j, &t).unwrap();
        assert_eq!(value_to_json_string(&v), r#"{"x":"5","y":[1,2]}"#);
        let j: serde_json::Value = serde_json::from_str(r#"{"z":1}"#).unwrap();
        assert_eq!(value_from_json(&j, &t).unwrap_err(), "unsupported attribute \"z\"");
    }
}
