//! Conversion between typed values and the JSON that state stores, following
//! cty's JSON encoding: values are encoded against the schema's type, and
//! wherever that type is `dynamic` the value is wrapped as
//! `{"value": ..., "type": ...}` so its real type survives the round trip
//! (this is how Terraform stores `terraform_data.input`, for one).

use std::collections::BTreeMap;

use plinth_value::{Kind, Type, Value};
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
}
