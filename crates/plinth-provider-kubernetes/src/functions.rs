//! Provider functions: `provider::kubernetes::manifest_decode`,
//! `manifest_decode_multi` and `manifest_encode`, on top of the language's
//! `yamldecode` / `yamlencode`.

use plinth_lang::functions::{self, CallCtx, FuncError, FuncResult, Function, Param};
use plinth_value::{Type, Value};

/// Every function this provider contributes, by full name.
pub fn functions() -> Vec<(&'static str, Function)> {
    vec![
        (
            "provider::kubernetes::manifest_decode",
            Function::new(vec![Param::new("manifest", Type::String)], |_| Ok(Type::Dynamic), manifest_decode),
        ),
        (
            "provider::kubernetes::manifest_decode_multi",
            Function::new(vec![Param::new("manifest", Type::String)], |_| Ok(Type::Dynamic), manifest_decode_multi),
        ),
        (
            "provider::kubernetes::manifest_encode",
            Function::new(vec![Param::new("manifest", Type::Dynamic)], |_| Ok(Type::String), manifest_encode),
        ),
    ]
}

fn builtin(name: &str, ctx: &CallCtx, arg: Value) -> FuncResult {
    let f = functions::registry().get(name).expect("built-in function");
    functions::call(f, ctx, vec![arg]).map_err(|e| FuncError::arg(0, format!("{e:?}")))
}

fn check_manifest(v: &Value) -> Result<(), String> {
    let has = |k: &str| v.as_entries().and_then(|m| m.get(k)).is_some_and(|x| x.as_str().is_some_and(|s| !s.is_empty()));
    if v.as_entries().is_none() {
        return Err("the YAML document is not a Kubernetes manifest (an object)".into());
    }
    if !has("apiVersion") || !has("kind") {
        return Err("the Kubernetes manifest must have \"apiVersion\" and \"kind\"".into());
    }
    Ok(())
}

/// Splits a YAML stream into its documents (on `---` lines).
fn documents(src: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in src.lines() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            docs.push(String::new());
            continue;
        }
        let d = docs.last_mut().expect("one");
        d.push_str(line);
        d.push('\n');
    }
    docs.into_iter().filter(|d| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))).collect()
}

fn manifest_decode(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let src = args[0].as_str().unwrap_or_default();
    let docs = documents(src);
    if docs.len() != 1 {
        return Err(FuncError::arg(0, format!("expected exactly one YAML document, got {}; use manifest_decode_multi", docs.len())));
    }
    let v = builtin("yamldecode", ctx, Value::string(docs[0].as_str()))?;
    check_manifest(&v).map_err(|e| FuncError::arg(0, e))?;
    Ok(v)
}

fn manifest_decode_multi(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let src = args[0].as_str().unwrap_or_default();
    let mut out = Vec::new();
    for (i, d) in documents(src).iter().enumerate() {
        let v = builtin("yamldecode", ctx, Value::string(d.as_str()))?;
        if v.is_null() {
            continue;
        }
        check_manifest(&v).map_err(|e| FuncError::arg(0, format!("document {i}: {e}")))?;
        out.push(v);
    }
    Ok(Value::tuple(out))
}

fn manifest_encode(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let v = &args[0];
    let items: Vec<Value> = match &v.kind {
        plinth_value::Kind::Tuple(xs) | plinth_value::Kind::List(_, xs) | plinth_value::Kind::Set(_, xs) => xs.to_vec(),
        _ => vec![v.clone()],
    };
    let mut out = String::new();
    for (i, m) in items.iter().enumerate() {
        check_manifest(m).map_err(|e| FuncError::arg(0, e))?;
        if i > 0 {
            out.push_str("---\n");
        }
        let _ = ctx;
        emit(m, 0, &mut out);
    }
    Ok(Value::string(out))
}

/// YAML as Kubernetes tools write it (`sigs.k8s.io/yaml`): keys sorted and
/// plain where possible, list items at their key's indentation.
fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match &v.kind {
        plinth_value::Kind::Object(m) | plinth_value::Kind::Map(_, m) => {
            for (k, x) in m.iter() {
                out.push_str(&pad);
                out.push_str(&scalar_text(k));
                out.push(':');
                match &x.kind {
                    plinth_value::Kind::Object(c) | plinth_value::Kind::Map(_, c) if !c.is_empty() => {
                        out.push('\n');
                        emit(x, indent + 2, out);
                    }
                    plinth_value::Kind::Tuple(c) | plinth_value::Kind::List(_, c) | plinth_value::Kind::Set(_, c) if !c.is_empty() => {
                        out.push('\n');
                        emit(x, indent, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&inline(x));
                        out.push('\n');
                    }
                }
            }
        }
        plinth_value::Kind::Tuple(xs) | plinth_value::Kind::List(_, xs) | plinth_value::Kind::Set(_, xs) => {
            for x in xs.iter() {
                let nested = matches!(&x.kind, plinth_value::Kind::Object(c) | plinth_value::Kind::Map(_, c) if !c.is_empty())
                    || matches!(&x.kind, plinth_value::Kind::Tuple(c) | plinth_value::Kind::List(_, c) | plinth_value::Kind::Set(_, c) if !c.is_empty());
                if nested {
                    let mut inner = String::new();
                    emit(x, indent + 2, &mut inner);
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&inner[indent + 2..]);
                } else {
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&inline(x));
                    out.push('\n');
                }
            }
        }
        _ => {
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn inline(v: &Value) -> String {
    match &v.kind {
        plinth_value::Kind::Null(_) | plinth_value::Kind::Unknown(_) => "null".into(),
        plinth_value::Kind::Bool(b) => b.to_string(),
        plinth_value::Kind::Number(n) => n.to_string(),
        plinth_value::Kind::String(s) => scalar_text(s),
        plinth_value::Kind::Object(_) | plinth_value::Kind::Map(..) => "{}".into(),
        _ => "[]".into(),
    }
}

/// A string as a plain YAML scalar when that reads back as the same string,
/// else double-quoted.
fn scalar_text(s: &str) -> String {
    let reserved = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"];
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./ ".contains(c))
        && !s.starts_with(['-', ' ', '.'])
        && !s.ends_with(' ')
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
        && s.parse::<f64>().is_err()
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        s.to_string()
    } else {
        plinth_value::value_to_json_string(&Value::string(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arg: Value) -> FuncResult {
        let (_, f) = functions().into_iter().find(|(n, _)| n.ends_with(name)).expect("function");
        (f.call)(&CallCtx::default(), &[arg])
    }

    #[test]
    fn decode_encode_round_trip() {
        let src = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
        let v = call("manifest_decode", Value::string(src)).unwrap();
        let sorted = "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: a\n";
        assert_eq!(call("manifest_encode", v).unwrap().as_str().unwrap(), sorted);
        let list = "apiVersion: v1\nkind: List\nitems:\n- a: \"1\"\n  b:\n  - x\n- {}\n";
        let v = call("manifest_decode", Value::string(list)).unwrap();
        assert_eq!(
            call("manifest_encode", v).unwrap().as_str().unwrap(),
            "apiVersion: v1\nitems:\n- a: \"1\"\n  b:\n  - x\n- {}\nkind: List\n"
        );
        let multi = format!("---\n{src}---\n# nothing\n---\n{src}");
        let vs = call("manifest_decode_multi", Value::string(multi)).unwrap();
        assert_eq!(vs.as_seq().unwrap().len(), 2);
        assert!(call("manifest_decode", Value::string("a: 1\n")).is_err());
    }
}
