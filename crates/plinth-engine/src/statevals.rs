//! Conversion between typed values and the JSON that state stores, following
//! cty's JSON encoding: values are encoded against the schema's type, and
//! wherever that type is `dynamic` the value is wrapped as
//! `{"value": ..., "type": ...}` so its real type survives the round trip
//! (this is how Terraform stores `terraform_data.input`, for one).

use std::collections::BTreeMap;

use plinth_state::model::{AttrPath, PathStep};
use plinth_value::{Kind, Marks, Type, Value};
use serde_json::{json, Value as Json};

/// A stored object as a typed value of `ty` (JSON inferred where the stored
/// form carries no type information).
pub fn object_from_state(j: &Json, ty: &Type) -> Value {
    from_json_typed(j, ty).unwrap_or_else(|| plinth_value::value_from_json(j, &Type::Dynamic).unwrap_or_else(|_| Value::dynamic_null()))
}

/// A known value as state stores it, encoded against the schema type `ty`.
/// Marks are dropped; the caller records sensitive paths separately.
pub fn object_to_state_json(v: &Value, ty: &Type) -> Json {
    let (v, _) = v.clone().unmark_deep();
    to_json_typed(&v, ty)
}

/// A prior object read from state, with the sensitive marks its
/// `sensitive_attributes` record restored at their paths.
pub fn prior_object(obj: &plinth_state::model::InstanceObject, ty: &Type) -> Value {
    mark_state_paths(object_from_state(&obj.attributes, ty), &obj.sensitive_attributes)
}

/// The paths of sensitive-marked values in `v`, in state's notation: each
/// marked node once, nothing below it (as Terraform 1.15 records them, e.g.
/// `input.pass` or `input[0]`). Set elements are not addressable; a mark
/// inside a set is recorded on the set.
pub fn sensitive_paths(v: &Value) -> Vec<AttrPath> {
    fn walk(v: &Value, path: &mut AttrPath, out: &mut Vec<AttrPath>) {
        if v.is_sensitive() {
            out.push(path.clone());
            return;
        }
        match &v.kind {
            Kind::Object(m) => {
                for (k, x) in m.iter() {
                    path.push(PathStep::GetAttr(k.clone()));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Kind::Map(_, m) => {
                for (k, x) in m.iter() {
                    path.push(PathStep::Index { key: json!(k), ty: json!("string") });
                    walk(x, path, out);
                    path.pop();
                }
            }
            Kind::List(_, xs) | Kind::Tuple(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    path.push(PathStep::Index { key: json!(i), ty: json!("number") });
                    walk(x, path, out);
                    path.pop();
                }
            }
            Kind::Set(..) if v.marks_deep().contains(Marks::SENSITIVE) => out.push(path.clone()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// `v` with a sensitive mark on the value at each of `paths` (paths that do
/// not exist in `v` are ignored, as when the schema changed).
pub fn mark_state_paths(v: Value, paths: &[AttrPath]) -> Value {
    paths.iter().fold(v, |v, p| mark_at(v, p))
}

fn mark_at(v: Value, path: &[PathStep]) -> Value {
    let Some((step, rest)) = path.split_first() else { return v.sensitive() };
    let marks = v.marks;
    match (v.kind, step) {
        (Kind::Object(m), PathStep::GetAttr(k)) if m.contains_key(k) => {
            let mut m = (*m).clone();
            let x = m.remove(k).expect("checked");
            m.insert(k.clone(), mark_at(x, rest));
            Value::object(m).mark(marks)
        }
        (Kind::Map(t, m), PathStep::Index { key, .. }) if key.as_str().is_some_and(|k| m.contains_key(k)) => {
            let k = key.as_str().expect("checked").to_string();
            let mut m = (*m).clone();
            let x = m.remove(&k).expect("checked");
            m.insert(k, mark_at(x, rest));
            Value::map(t, m).mark(marks)
        }
        (Kind::List(t, xs), PathStep::Index { key, .. }) if key.as_u64().is_some_and(|i| (i as usize) < xs.len()) => {
            let mut xs = (*xs).clone();
            let i = key.as_u64().expect("checked") as usize;
            xs[i] = mark_at(xs[i].clone(), rest);
            Value::list(t, xs).mark(marks)
        }
        (Kind::Tuple(xs), PathStep::Index { key, .. }) if key.as_u64().is_some_and(|i| (i as usize) < xs.len()) => {
            let mut xs = (*xs).clone();
            let i = key.as_u64().expect("checked") as usize;
            xs[i] = mark_at(xs[i].clone(), rest);
            Value::tuple(xs).mark(marks)
        }
        (kind, _) => Value { kind, marks },
    }
}

fn to_json_typed(v: &Value, ty: &Type) -> Json {
    if *ty == Type::Dynamic {
        let real = v.ty();
        if real == Type::Dynamic {
            return Json::Null;
        }
        return json!({"value": to_json_typed(v, &real), "type": plinth_value::json_type(&real)});
    }
    match (&v.kind, ty) {
        (Kind::Null(_) | Kind::Unknown(_), _) => Json::Null,
        (Kind::Object(m), Type::Object(ot)) => {
            Json::Object(ot.attrs.iter().map(|(k, t)| (k.clone(), m.get(k).map_or(Json::Null, |x| to_json_typed(x, t)))).collect())
        }
        (Kind::List(_, xs) | Kind::Set(_, xs), Type::List(et) | Type::Set(et)) => {
            Json::Array(xs.iter().map(|x| to_json_typed(x, et)).collect())
        }
        (Kind::Tuple(xs), Type::Tuple(ts)) => Json::Array(xs.iter().zip(ts.iter()).map(|(x, t)| to_json_typed(x, t)).collect()),
        (Kind::Map(_, m), Type::Map(et)) => Json::Object(m.iter().map(|(k, x)| (k.clone(), to_json_typed(x, et))).collect()),
        _ => plinth_value::value_to_json(v),
    }
}

fn from_json_typed(j: &Json, ty: &Type) -> Option<Value> {
    if j.is_null() {
        return Some(Value::null(ty.clone()));
    }
    match ty {
        Type::Dynamic => {
            let obj = j.as_object()?;
            if obj.len() == 2 {
                if let (Some(val), Some(t)) = (obj.get("value"), obj.get("type")) {
                    let real = plinth_value::type_from_json(t)?;
                    return from_json_typed(val, &real);
                }
            }
            None
        }
        Type::Object(ot) => {
            let m = j.as_object()?;
            let mut out = BTreeMap::new();
            for (k, t) in &ot.attrs {
                let x = match m.get(k) {
                    Some(x) => from_json_typed(x, t).or_else(|| plinth_value::value_from_json(x, &Type::Dynamic).ok())?,
                    None => Value::null(t.clone()),
                };
                out.insert(k.clone(), x);
            }
            Some(Value::object(out))
        }
        Type::List(et) | Type::Set(et) if et.has_dynamic() => {
            let xs = j.as_array()?.iter().map(|x| from_json_typed(x, et)).collect::<Option<Vec<_>>>()?;
            let elem = if **et == Type::Dynamic {
                plinth_value::unify(&xs.iter().map(Value::ty).collect::<Vec<_>>()).unwrap_or(Type::Dynamic)
            } else {
                (**et).clone()
            };
            Some(if matches!(ty, Type::Set(_)) { Value::set(elem, xs) } else { Value::list(elem, xs) })
        }
        Type::Map(et) if et.has_dynamic() => {
            let m = j.as_object()?;
            let xs = m.iter().map(|(k, x)| Some((k.clone(), from_json_typed(x, et)?))).collect::<Option<BTreeMap<_, _>>>()?;
            let elem = if **et == Type::Dynamic {
                plinth_value::unify(&xs.values().map(Value::ty).collect::<Vec<_>>()).unwrap_or(Type::Dynamic)
            } else {
                (**et).clone()
            };
            Some(Value::map(elem, xs))
        }
        Type::Tuple(ts) => {
            let arr = j.as_array()?;
            if arr.len() != ts.len() {
                return None;
            }
            Some(Value::tuple(arr.iter().zip(ts.iter()).map(|(x, t)| from_json_typed(x, t)).collect::<Option<Vec<_>>>()?))
        }
        other => plinth_value::value_from_json(j, other).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_type() -> Type {
        Type::object(
            [("id", Type::String), ("input", Type::Dynamic), ("output", Type::Dynamic)]
                .into_iter()
                .map(|(k, t)| (k.to_string(), t))
                .collect(),
        )
    }

    #[test]
    fn dynamic_attributes_are_wrapped_as_terraform_stores_them() {
        let v = Value::object(
            [("id", Value::string("x")), ("input", Value::string("hi")), ("output", Value::dynamic_null())]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        let j = object_to_state_json(&v, &data_type());
        assert_eq!(j, json!({"id": "x", "input": {"value": "hi", "type": "string"}, "output": null}));
        let back = object_from_state(&j, &data_type());
        assert!(back.raw_equal(&v), "{back:?}");
    }

    #[test]
    fn reads_terraforms_encoding_of_a_list_input() {
        let j = json!({"id": "x", "input": {"value": ["a", 1], "type": ["tuple", ["string", "number"]]}, "output": null});
        let v = object_from_state(&j, &data_type());
        let input = &v.as_entries().unwrap()["input"];
        assert_eq!(input.ty(), Type::tuple(vec![Type::String, Type::Number]));
    }

    #[test]
    fn sensitive_paths_are_deep_and_round_trip() {
        let inner = Value::object([("pass".to_string(), Value::string("x").sensitive()), ("user".to_string(), Value::string("u"))].into());
        let list = Value::tuple(vec![Value::string("s").sensitive(), Value::string("t")]);
        let v = Value::object([("input".to_string(), inner), ("l".to_string(), list)].into());
        let paths = sensitive_paths(&v);
        let j = serde_json::to_string(&paths.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>()).unwrap();
        assert_eq!(
            j,
            r#"["[GetAttr(\"input\"), GetAttr(\"pass\")]","[GetAttr(\"l\"), Index { key: Number(0), ty: String(\"number\") }]"]"#
        );
        let (plain, _) = v.clone().unmark_deep();
        assert_eq!(sensitive_paths(&mark_state_paths(plain, &paths)), paths);
    }
}
