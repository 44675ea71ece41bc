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
    crate::deep(|| {
        let got = v.ty();
        match &v.kind {
            Kind::Unknown(t) => {
                let t = if *t == Type::Dynamic { want.clone() } else { convert_type(t, want)? };
                return Ok(Value::unknown(t.without_optional()));
            }
            Kind::Null(t) => {
                let t = if *t == Type::Dynamic { want.clone() } else { convert_type(t, want)? };
                return Ok(Value::null(t.without_optional()));
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
                Kind::String(s) => Number::parse(s).map(Value::number).ok_or_else(|| ConvertError::new("a number is required")),
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
                        let u = unify(&tys).ok_or_else(|| ConvertError::mismatch(&got, want))?;
                        if u == Type::Dynamic && tys.iter().any(|t| *t != Type::Dynamic) {
                            return Err(ConvertError::mismatch(&got, want));
                        }
                        u
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
                let et = et.without_optional();
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
                        let u = unify(&tys).ok_or_else(|| ConvertError::mismatch(&got, want))?;
                        if u == Type::Dynamic && tys.iter().any(|t| *t != Type::Dynamic) {
                            return Err(ConvertError::mismatch(&got, want));
                        }
                        u
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
                Ok(Value::map(et.without_optional(), converted))
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
                            out.insert(name.clone(), Value::null(at.without_optional()));
                        }
                        None => return Err(ConvertError::new(format!("attribute {name:?} is required"))),
                    }
                }
                Ok(Value::object(out))
            }
        }
    })
}

/// Type-level conversion: the type a value of `got` has after converting to
/// `want` (they differ only where `want` has `dynamic`).
pub fn convert_type(got: &Type, want: &Type) -> Result<Type, ConvertError> {
    crate::deep(|| {
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
    })
}

/// The single type that all `types` can be converted to, as cty's
/// `UnifyUnsafe` (the form HCL conditionals and every conversion use): values
/// of one structural kind unify kind-wise (collections by element, objects
/// and tuples attribute- or element-wise, falling back to a map or list);
/// otherwise the most general type, in cty's preference order, that every
/// type converts to. `dynamic` among collections or structural types makes
/// the result `dynamic`.
pub fn unify(types: &[Type]) -> Option<Type> {
    crate::deep(|| {
        let first = types.first()?;
        if types.iter().all(|t| t == first) {
            return Some(first.clone());
        }
        let count = |f: fn(&Type) -> bool| types.iter().filter(|t| f(t)).count();
        let maps = count(|t| matches!(t, Type::Map(_)));
        let (objects, tuples) = (count(|t| matches!(t, Type::Object(_))), count(|t| matches!(t, Type::Tuple(_))));
        let dynamics = count(|t| *t == Type::Dynamic);
        let n = types.len();
        if objects > 0 && tuples > 0 {
            return None;
        }
        if maps > 0 && objects > 0 && maps + objects + dynamics == n {
            // objects often hold map data: try a map of everything first
            let mut etys = Vec::new();
            for t in types {
                match t {
                    Type::Map(e) => etys.push((**e).clone()),
                    Type::Object(o) => etys.extend(o.attrs.values().cloned()),
                    _ => {}
                }
            }
            if let Some(et) = unify(&etys) {
                let want = Type::map(et);
                if types.iter().all(|t| can_convert(t, &want)) {
                    return Some(want);
                }
            }
        } else if objects > 0 && objects + dynamics == n {
            if dynamics > 0 {
                return Some(Type::Dynamic);
            }
            let attrs: Vec<&crate::ObjectType> =
                types.iter().filter_map(|t| if let Type::Object(o) = t { Some(&**o) } else { None }).collect();
            let same_names =
                attrs.iter().all(|a| a.attrs.len() == attrs[0].attrs.len() && a.attrs.keys().all(|k| attrs[0].attrs.contains_key(k)));
            if same_names {
                let mut out = BTreeMap::new();
                for name in attrs[0].attrs.keys() {
                    let col: Vec<Type> = attrs.iter().map(|a| a.attrs[name].clone()).collect();
                    out.insert(name.clone(), unify(&col)?);
                }
                return Some(Type::object(out));
            }
            let etys: Vec<Type> = attrs.iter().flat_map(|a| a.attrs.values().cloned()).collect();
            let ret = Type::map(unify(&etys)?);
            return types.iter().all(|t| can_convert(t, &ret)).then_some(ret);
        } else if tuples > 0 && tuples + dynamics == n {
            if dynamics > 0 {
                return Some(Type::Dynamic);
            }
            let elems: Vec<&[Type]> = types.iter().filter_map(|t| if let Type::Tuple(ts) = t { Some(&ts[..]) } else { None }).collect();
            if elems.iter().all(|e| e.len() == elems[0].len()) {
                let mut out = Vec::with_capacity(elems[0].len());
                for i in 0..elems[0].len() {
                    let col: Vec<Type> = elems.iter().map(|e| e[i].clone()).collect();
                    out.push(unify(&col)?);
                }
                return Some(Type::tuple(out));
            }
            let etys: Vec<Type> = elems.iter().flat_map(|e| e.iter().cloned()).collect();
            let ret = Type::list(unify(&etys)?);
            return types.iter().all(|t| can_convert(t, &ret)).then_some(ret);
        }
        for i in preference_order(types) {
            let want = &types[i];
            if types.iter().all(|t| t == want || can_convert(t, want)) {
                // A result with `dynamic` inside (`list(dynamic)`) takes the
                // types the values will have after converting to it: unify
                // list(dynamic) and tuple([string]) to list(string).
                if want.has_dynamic() && *want != Type::Dynamic {
                    let after: Vec<Type> = types.iter().map(|t| convert_type(t, want).unwrap_or_else(|_| want.clone())).collect();
                    if after.iter().any(|t| t != want) {
                        if let Some(refined) = unify(&after) {
                            if refined != *want && types.iter().all(|t| t == &refined || can_convert(t, &refined)) {
                                return Some(refined);
                            }
                        }
                    }
                }
                return Some(want.clone());
            }
        }
        None
    })
}

/// cty's `sortTypes`: a topological order of "more general than".
fn preference_order(types: &[Type]) -> Vec<usize> {
    let n = types.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n.saturating_sub(1) {
        for j in i + 1..n {
            match compare_types(&types[i], &types[j]) {
                c if c < 0 => edges[i].push(j),
                c if c > 0 => edges[j].push(i),
                _ => {}
            }
        }
    }
    let mut indegree = vec![0usize; n];
    for outs in &edges {
        for &j in outs {
            indegree[j] += 1;
        }
    }
    let mut result: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut q = 0;
    while q < result.len() {
        let k = result[q];
        q += 1;
        for &j in &edges[k] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                result.push(j);
            }
        }
    }
    result
}

/// cty's `compareTypes`: negative when `a` is more general than `b`.
fn compare_types(a: &Type, b: &Type) -> i32 {
    if *a == Type::Dynamic || *b == Type::Dynamic {
        return match (*a == Type::Dynamic, *b == Type::Dynamic) {
            (false, true) => -1,
            (true, false) => 1,
            _ => 0,
        };
    }
    if a.is_primitive() && b.is_primitive() && (*a == Type::String || *b == Type::String) {
        return match (*a == Type::String, *b == Type::String) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
    }
    match (a, b) {
        (Type::List(x), Type::List(y)) | (Type::Set(x), Type::Set(y)) | (Type::Map(x), Type::Map(y)) => return compare_types(x, y),
        _ => {}
    }
    let (a, b, swap) = match (a, b) {
        (Type::Tuple(_), Type::List(_))
        | (Type::Object(_), Type::Map(_))
        | (Type::Set(_), Type::Tuple(_))
        | (Type::Set(_), Type::List(_)) => (b, a, -1),
        _ => (a, b, 1),
    };
    if matches!(b, Type::Set(_)) && matches!(a, Type::Tuple(_) | Type::List(_)) {
        return -swap;
    }
    if matches!(a, Type::List(_)) && matches!(b, Type::Tuple(_)) {
        return -swap;
    }
    if matches!(a, Type::Map(_)) && matches!(b, Type::Object(_)) {
        return -swap;
    }
    let fold = |pairs: Vec<(&Type, &Type)>| -> i32 {
        let (mut a_super, mut b_super) = (false, false);
        for (x, y) in pairs {
            match compare_types(x, y) {
                c if c < 0 => a_super = true,
                c if c > 0 => b_super = true,
                _ => {}
            }
        }
        match (a_super, b_super) {
            (true, false) => -swap,
            (false, true) => swap,
            _ => 0,
        }
    };
    match (a, b) {
        (Type::Object(x), Type::Object(y)) => {
            if x.attrs.len() != y.attrs.len() || !x.attrs.keys().all(|k| y.attrs.contains_key(k)) {
                return 0;
            }
            fold(x.attrs.iter().map(|(k, t)| (t, &y.attrs[k])).collect())
        }
        (Type::Tuple(x), Type::Tuple(y)) => {
            if x.len() != y.len() {
                return 0;
            }
            fold(x.iter().zip(y.iter()).collect())
        }
        _ => 0,
    }
}

/// Whether cty has an (unsafe) conversion from `from` to `to`.
pub fn can_convert(from: &Type, to: &Type) -> bool {
    if from == to || *to == Type::Dynamic || *from == Type::Dynamic {
        return true;
    }
    // A collection of `dynamic` unifies its elements; the result may be
    // `dynamic` only when every element is.
    let to_single = |etys: &[Type], want: &Type| -> bool {
        if etys.is_empty() {
            return true;
        }
        if *want == Type::Dynamic {
            return match unify(etys) {
                None => false,
                Some(Type::Dynamic) => etys.iter().all(|t| *t == Type::Dynamic),
                Some(_) => true,
            };
        }
        etys.iter().all(|t| can_convert(t, want))
    };
    match (from, to) {
        (a, b) if a.is_primitive() && b.is_primitive() => {
            matches!((a, b), (Type::Number | Type::Bool, Type::String) | (Type::String, Type::Number | Type::Bool))
        }
        (Type::Object(f), Type::Object(t)) => t.attrs.iter().all(|(k, at)| match f.attrs.get(k) {
            Some(ft) => can_convert(ft, at),
            None => t.optional.contains(k),
        }),
        (Type::Tuple(f), Type::Tuple(t)) => f.len() == t.len() && f.iter().zip(t.iter()).all(|(a, b)| can_convert(a, b)),
        (Type::List(f) | Type::Set(f), Type::List(t) | Type::Set(t)) => can_convert(f, t),
        (Type::Map(f), Type::Map(t)) => can_convert(f, t),
        (Type::Tuple(f), Type::List(t) | Type::Set(t)) => to_single(f, t),
        (Type::Object(f), Type::Map(t)) => to_single(&f.attrs.values().cloned().collect::<Vec<_>>(), t),
        (Type::Map(f), Type::Object(t)) => t.attrs.values().all(|at| can_convert(f, at)),
        // cty has no conversion from a list or set to a tuple
        _ => false,
    }
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
