//! Type conversion and unification, following cty's `convert` package: the rules
//! Terraform applies to arguments, variables, function parameters and the two
//! branches of a conditional.

use std::collections::BTreeMap;

use crate::value::Kind;
use crate::{Number, Type, Value};

/// Why a value could not be converted. `path` names the nested element at fault
/// (`element "a"`, `element 1`, `attribute "x"`), empty for the value itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertError {
    pub path: String,
    pub message: String,
}

impl ConvertError {
    fn new(message: impl Into<String>) -> ConvertError {
        ConvertError { path: String::new(), message: message.into() }
    }
    fn mismatch(got: &Type, want: &Type) -> ConvertError {
        ConvertError::new(mismatch_message(got, want))
    }
    fn at(mut self, step: String) -> ConvertError {
        if self.path.is_empty() {
            self.path = step;
        }
        self
    }
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// cty's wording for a value of the wrong type.
pub fn mismatch_message(got: &Type, want: &Type) -> String {
    match (want, got) {
        (Type::Object(wo), Type::Object(go)) => {
            if let Some(missing) = wo.attrs.keys().find(|k| !go.attrs.contains_key(*k) && !wo.optional.contains(*k)) {
                return format!("attribute {missing:?} is required");
            }
            "object required".to_string()
        }
        _ => format!("{} required, but have {}", want.friendly_name(), got.friendly_name()),
    }
}

/// Converts `v` to type `want`. Marks are preserved, on nested values too.
pub fn convert(v: &Value, want: &Type) -> Result<Value, ConvertError> {
    if *want == Type::Dynamic {
        return Ok(v.clone());
    }
    let marks = v.marks;
    let out = convert_unmarked(v, want)?;
    Ok(out.mark(marks))
}

fn convert_unmarked(v: &Value, want: &Type) -> Result<Value, ConvertError> {
    let got = v.ty();
    match &v.kind {
        Kind::Unknown(t) => {
            let t = if *t == Type::Dynamic { want.clone() } else { convert_type(t, want)? };
            return Ok(Value::unknown(t));
        }
        Kind::Null(t) => {
            let t = if *t == Type::Dynamic { want.clone() } else { convert_type(t, want)? };
            return Ok(Value::null(t));
        }
        _ => {}
    }
    if got == *want && !want.has_dynamic() {
        return Ok(Value { marks: crate::Marks::NONE, ..v.clone() });
    }
    match want {
        Type::Dynamic => Ok(v.clone()),
        Type::String => match &v.kind {
            Kind::String(_) => Ok(v.clone()),
            Kind::Number(n) => Ok(Value::string(n.to_string())),
            Kind::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
            _ => Err(ConvertError::mismatch(&got, want)),
        },
        Type::Number => match &v.kind {
            Kind::Number(_) => Ok(v.clone()),
            Kind::String(s) => {
                Number::parse(s).map(Value::number).ok_or_else(|| ConvertError::new("a number is required"))
            }
            _ => Err(ConvertError::mismatch(&got, want)),
        },
        Type::Bool => match &v.kind {
            Kind::Bool(_) => Ok(v.clone()),
            // cty accepts "1" and "0" too, and hints at lowercase spellings.
            Kind::String(s) => match &**s {
                "true" | "1" => Ok(Value::bool(true)),
                "false" | "0" => Ok(Value::bool(false)),
                other => match other.to_lowercase().as_str() {
                    "true" => Err(ConvertError::new("a bool is required; to convert from string, use lowercase \"true\"")),
                    "false" => Err(ConvertError::new("a bool is required; to convert from string, use lowercase \"false\"")),
                    _ => Err(ConvertError::new("a bool is required")),
                },
            },
            _ => Err(ConvertError::mismatch(&got, want)),
        },
        Type::List(et) | Type::Set(et) => {
            let items = match &v.kind {
                Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs,
                _ => return Err(ConvertError::mismatch(&got, want)),
            };
            let et = if et.has_dynamic() {
                // Element type from the elements themselves.
                let tys: Vec<Type> = items.iter().map(Value::ty).collect();
                let unified = if tys.is_empty() {
                    (**et).clone()
                } else {
                    unify(&tys).ok_or_else(|| ConvertError::mismatch(&got, want))?
                };
                if **et == Type::Dynamic {
                    unified
                } else {
                    convert_type(&unified, et)?
                }
            } else {
                (**et).clone()
            };
            let converted = items
                .iter()
                .enumerate()
                .map(|(i, x)| convert(x, &et).map_err(|e| e.at(format!("element {i}"))))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match want {
                Type::Set(_) => Value::set(et, converted),
                _ => Value::list(et, converted),
            })
        }
        Type::Map(et) => {
            let items = match &v.kind {
                Kind::Map(_, m) | Kind::Object(m) => m,
                _ => return Err(ConvertError::mismatch(&got, want)),
            };
            let et = if et.has_dynamic() {
                let tys: Vec<Type> = items.values().map(Value::ty).collect();
                let unified = if tys.is_empty() {
                    (**et).clone()
                } else {
                    unify(&tys).ok_or_else(|| ConvertError::mismatch(&got, want))?
                };
                if **et == Type::Dynamic {
                    unified
                } else {
                    convert_type(&unified, et)?
                }
            } else {
                (**et).clone()
            };
            let converted = items
                .iter()
                .map(|(k, x)| Ok((k.clone(), convert(x, &et).map_err(|e| e.at(format!("element {k:?}")))?)))
                .collect::<Result<BTreeMap<_, _>, ConvertError>>()?;
            Ok(Value::map(et, converted))
        }
        Type::Tuple(ts) => {
            let items = match &v.kind {
                Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs,
                _ => return Err(ConvertError::mismatch(&got, want)),
            };
            if items.len() != ts.len() {
                return Err(ConvertError::mismatch(&got, want));
            }
            let converted = items
                .iter()
                .zip(ts.iter())
                .enumerate()
                .map(|(i, (x, t))| convert(x, t).map_err(|e| e.at(format!("element {i}"))))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::tuple(converted))
        }
        Type::Object(ot) => {
            let items = match &v.kind {
                Kind::Map(_, m) | Kind::Object(m) => m,
                _ => return Err(ConvertError::mismatch(&got, want)),
            };
            let mut out = BTreeMap::new();
            for (name, at) in &ot.attrs {
                match items.get(name) {
                    Some(x) => {
                        out.insert(name.clone(), convert(x, at).map_err(|e| e.at(format!("attribute {name:?}")))?);
                    }
                    None if ot.optional.contains(name) => {
                        out.insert(name.clone(), Value::null(at.clone()));
                    }
                    None => return Err(ConvertError::new(format!("attribute {name:?} is required"))),
                }
            }
            Ok(Value::object(out))
        }
    }
}

/// Type-level conversion: the type a value of `got` has after converting to
/// `want` (they differ only where `want` has `dynamic`).
pub fn convert_type(got: &Type, want: &Type) -> Result<Type, ConvertError> {
    if got == want || *want == Type::Dynamic {
        return Ok(if *want == Type::Dynamic { got.clone() } else { want.clone() });
    }
    if *got == Type::Dynamic {
        return Ok(want.clone());
    }
    let ok = match (got, want) {
        (Type::Number | Type::Bool, Type::String) | (Type::String, Type::Number | Type::Bool) => return Ok(want.clone()),
        (Type::List(g) | Type::Set(g), Type::List(w) | Type::Set(w)) => {
            let et = convert_type(g, w)?;
            return Ok(if matches!(want, Type::Set(_)) { Type::set(et) } else { Type::list(et) });
        }
        (Type::Tuple(gs), Type::List(w) | Type::Set(w)) => {
            let et = if gs.is_empty() {
                (**w).clone()
            } else {
                let u = unify(gs).ok_or_else(|| ConvertError::mismatch(got, want))?;
                convert_type(&u, w)?
            };
            return Ok(if matches!(want, Type::Set(_)) { Type::set(et) } else { Type::list(et) });
        }
        (Type::Map(g), Type::Map(w)) => return Ok(Type::map(convert_type(g, w)?)),
        (Type::Object(go), Type::Map(w)) => {
            let tys: Vec<Type> = go.attrs.values().cloned().collect();
            let et = if tys.is_empty() {
                (**w).clone()
            } else {
                let u = unify(&tys).ok_or_else(|| ConvertError::mismatch(got, want))?;
                convert_type(&u, w)?
            };
            return Ok(Type::map(et));
        }
        (Type::Tuple(gs), Type::Tuple(ws)) => gs.len() == ws.len(),
        (Type::List(_) | Type::Set(_), Type::Tuple(_)) => true,
        (Type::Object(_) | Type::Map(_), Type::Object(_)) => true,
        _ => false,
    };
    if !ok {
        return Err(ConvertError::mismatch(got, want));
    }
    match (got, want) {
        (Type::Tuple(gs), Type::Tuple(ws)) => {
            Ok(Type::tuple(gs.iter().zip(ws.iter()).map(|(g, w)| convert_type(g, w)).collect::<Result<_, _>>()?))
        }
        _ => Ok(want.clone()),
    }
}

/// The single type that all `types` can be converted to, as cty's `Unify`:
/// identical types unify to themselves; primitives to `string` when they differ;
/// same-length tuples element-wise, other sequences to a list; objects with the
/// same attributes attribute-wise, other mappings to a map.
pub fn unify(types: &[Type]) -> Option<Type> {
    let first = types.first()?;
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    // `dynamic` (an untyped null, say) converts to whatever the others unify to.
    let concrete: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    if concrete.is_empty() {
        return Some(Type::Dynamic);
    }
    if concrete.iter().all(|t| *t == concrete[0]) {
        return Some(concrete[0].clone());
    }
    if concrete.iter().all(|t| t.is_primitive()) {
        // Differing primitives meet at string, and only when a string is among
        // them: number and bool alone do not unify.
        return concrete.iter().any(|t| **t == Type::String).then_some(Type::String);
    }
    if concrete.iter().all(|t| matches!(t, Type::Tuple(_))) {
        let lens: Vec<usize> = concrete.iter().map(|t| if let Type::Tuple(ts) = t { ts.len() } else { 0 }).collect();
        if lens.iter().all(|l| *l == lens[0]) {
            let mut out = Vec::with_capacity(lens[0]);
            for i in 0..lens[0] {
                let col: Vec<Type> = concrete.iter().map(|t| if let Type::Tuple(ts) = t { ts[i].clone() } else { Type::Dynamic }).collect();
                out.push(unify(&col)?);
            }
            return Some(Type::tuple(out));
        }
    }
    if concrete.iter().all(|t| matches!(t, Type::Object(_))) {
        let attrs: Vec<&crate::ObjectType> =
            concrete.iter().map(|t| if let Type::Object(o) = t { &**o } else { unreachable!() }).collect();
        if attrs.iter().all(|a| a.attrs.keys().eq(attrs[0].attrs.keys())) {
            let mut out = BTreeMap::new();
            for name in attrs[0].attrs.keys() {
                let col: Vec<Type> = attrs.iter().map(|a| a.attrs[name].clone()).collect();
                out.insert(name.clone(), unify(&col)?);
            }
            return Some(Type::object(out));
        }
    }
    let mut elems = Vec::new();
    let seq = concrete.iter().all(|t| t.is_list_like());
    let mapping = concrete.iter().all(|t| matches!(t, Type::Map(_) | Type::Object(_)));
    if !seq && !mapping {
        return None;
    }
    let set = concrete.iter().all(|t| matches!(t, Type::Set(_)));
    for t in &concrete {
        match t {
            Type::List(e) | Type::Set(e) | Type::Map(e) => elems.push((**e).clone()),
            Type::Tuple(ts) => elems.extend(ts.iter().cloned()),
            Type::Object(o) => elems.extend(o.attrs.values().cloned()),
            _ => return None,
        }
    }
    let et = if elems.is_empty() { Type::Dynamic } else { unify(&elems)? };
    Some(if mapping {
        Type::map(et)
    } else if set {
        Type::set(et)
    } else {
        Type::list(et)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unify_primitives_to_string() {
        assert_eq!(unify(&[Type::Number, Type::String]), Some(Type::String));
    }

    #[test]
    fn tuple_to_list_unifies_elements() {
        let v = Value::tuple(vec![Value::int(1), Value::string("a")]);
        let got = convert(&v, &Type::list(Type::Dynamic)).unwrap();
        assert_eq!(got.ty(), Type::list(Type::String));
    }

    #[test]
    fn mismatch_message_names_both_types() {
        let e = convert(&Value::bool(true), &Type::Number).unwrap_err();
        assert_eq!(e.message, "number required, but have bool");
    }
}
