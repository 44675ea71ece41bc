//! Collection functions: alltrue, anytrue, chunklist, coalesce, coalescelist,
//! compact, concat, contains, distinct, element, flatten, index, keys, length,
//! lookup, matchkeys, merge, one, range, reverse, setintersection, setproduct,
//! setsubtract, setunion, slice, sort, sum, transpose, values, zipmap.
//!
//! Functions whose parameters allow marks (as in cty) see nested marks in
//! place: they strip only the top-level marks of a collection argument and
//! re-apply them to the result, leaving element marks on the elements.

use std::collections::BTreeMap;

use plinth_value::{convert, unify, Kind, Marks, Number, NumberError, Type, Value};

use super::numeric::{go_quote, to_int};
use super::string::grapheme_count;
use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let dynp = |name: &'static str| Param::new(name, Type::Dynamic);
    let list_dyn = |name: &'static str| Param::new(name, Type::list(Type::Dynamic));
    let set_dyn = |name: &'static str| Param::new(name, Type::set(Type::Dynamic));
    let num = |name: &'static str| Param::new(name, Type::Number);

    r.add("alltrue", Function::new(vec![Param::new("list", Type::list(Type::Bool))], fixed_type!(Type::Bool), alltrue));
    r.add("anytrue", Function::new(vec![Param::new("list", Type::list(Type::Bool))], fixed_type!(Type::Bool), anytrue));
    r.add("chunklist", Function::new(vec![list_dyn("list").allow_marked(), num("size").allow_marked()], chunklist_type, chunklist));
    r.add("coalesce", Function::new(vec![], coalesce_type, coalesce).variadic(dynp("vals").allow_null().allow_unknown()));
    r.add("coalescelist", Function::new(vec![], coalescelist_type, coalescelist).variadic(dynp("vals").allow_null().allow_unknown()));
    r.add("compact", Function::new(vec![Param::new("list", Type::list(Type::String))], fixed_type!(Type::list(Type::String)), compact));
    r.add("concat", Function::new(vec![], concat_type, concat).variadic(dynp("seqs").allow_marked().allow_unknown()));
    r.add("contains", Function::new(vec![dynp("list"), dynp("value")], fixed_type!(Type::Bool), contains));
    r.add("distinct", Function::new(vec![list_dyn("list")], same_type, distinct));
    r.add("element", Function::new(vec![dynp("list").allow_marked().nested_unknown(), num("index")], element_type, element));
    r.add("flatten", Function::new(vec![dynp("list").allow_marked()], flatten_type, flatten));
    r.add("index", Function::new(vec![dynp("list"), dynp("value")], fixed_type!(Type::Number), index));
    r.add("keys", Function::new(vec![dynp("inputMap").allow_unknown().allow_marked()], keys_type, keys));
    r.add("length", Function::new(vec![dynp("value").allow_unknown().allow_marked()], length_type, length));
    r.add(
        "lookup",
        Function::new(
            vec![dynp("inputMap").allow_marked().allow_unknown(), Param::new("key", Type::String).allow_marked().allow_unknown()],
            lookup_type,
            lookup,
        )
        .variadic(dynp("default").allow_unknown().allow_null().allow_marked()),
    );
    r.add("matchkeys", Function::new(vec![list_dyn("values"), list_dyn("keys"), list_dyn("searchset")], matchkeys_type, matchkeys));
    r.add("merge", Function::new(vec![], merge_type, merge).variadic(dynp("maps").allow_null().allow_marked().allow_unknown()));
    r.add("one", Function::new(vec![dynp("list")], one_type, one));
    r.add("range", Function::new(vec![], fixed_type!(Type::list(Type::Number)), range).variadic(num("params")));
    r.add("reverse", Function::new(vec![dynp("list").allow_marked()], reverse_type, reverse));
    r.add("setintersection", Function::new(vec![set_dyn("first_set")], set_op_type, setintersection).variadic(set_dyn("other_sets")));
    r.add("setunion", Function::new(vec![set_dyn("first_set")], set_op_type, setunion).variadic(set_dyn("other_sets")));
    r.add("setsubtract", Function::new(vec![set_dyn("a"), set_dyn("b")], set_op_type, setsubtract));
    r.add("setproduct", Function::new(vec![], setproduct_type, setproduct).variadic(dynp("sets").allow_marked().allow_unknown()));
    r.add(
        "slice",
        Function::new(vec![dynp("list").allow_marked().nested_unknown(), num("start_index"), num("end_index")], slice_type, slice),
    );
    r.add("sort", Function::new(vec![Param::new("list", Type::list(Type::String))], fixed_type!(Type::list(Type::String)), sort));
    r.add("sum", Function::new(vec![dynp("list")], fixed_type!(Type::Number), sum));
    r.add(
        "transpose",
        Function::new(
            vec![Param::new("values", Type::map(Type::list(Type::String)))],
            fixed_type!(Type::map(Type::list(Type::String))),
            transpose,
        ),
    );
    r.add("values", Function::new(vec![dynp("mapping").allow_marked().nested_unknown()], values_type, values));
    r.add(
        "zipmap",
        Function::new(
            vec![Param::new("keys", Type::list(Type::String)).allow_marked(), dynp("values").allow_marked().nested_unknown()],
            zipmap_type,
            zipmap,
        ),
    );
}

// ---- helpers ----------------------------------------------------------------

fn seq(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or(&[])
}

/// Removes the top-level marks only.
fn top(v: &Value) -> (Value, Marks) {
    v.clone().unmark()
}

fn len_of(v: &Value) -> usize {
    v.len().unwrap_or(0)
}

fn elem_type_of_seq_type(t: &Type) -> Option<Type> {
    match t {
        Type::List(e) | Type::Set(e) => Some((**e).clone()),
        _ => None,
    }
}

/// cty's `Value.Equals` for known values: `None` when the answer depends on
/// unknowns. Nulls equal each other whatever their types; otherwise the types
/// must match exactly.
pub(super) fn cty_equals(a: &Value, b: &Value) -> Option<bool> {
    let (a, _) = a.clone().unmark_deep();
    let (b, _) = b.clone().unmark_deep();
    equals_unmarked(&a, &b)
}

fn equals_unmarked(a: &Value, b: &Value) -> Option<bool> {
    match (a.is_null(), b.is_null()) {
        (true, true) => return Some(true),
        (true, false) | (false, true) => return if a.is_unknown() || b.is_unknown() { None } else { Some(false) },
        _ => {}
    }
    if a.is_unknown() || b.is_unknown() {
        if !a.ty().has_dynamic() && !b.ty().has_dynamic() && a.ty() != b.ty() {
            return Some(false);
        }
        return None;
    }
    if a.ty() != b.ty() {
        return Some(false);
    }
    let all = |pairs: &mut dyn Iterator<Item = (&Value, &Value)>| -> Option<bool> {
        let mut unknown = false;
        for (x, y) in pairs {
            match equals_unmarked(x, y) {
                Some(false) => return Some(false),
                None => unknown = true,
                Some(true) => {}
            }
        }
        if unknown {
            None
        } else {
            Some(true)
        }
    };
    match (&a.kind, &b.kind) {
        (Kind::Number(x), Kind::Number(y)) => Some(x.cty_equals(y)),
        (Kind::Bool(x), Kind::Bool(y)) => Some(x == y),
        (Kind::String(x), Kind::String(y)) => Some(x == y),
        (Kind::List(_, xs), Kind::List(_, ys)) | (Kind::Tuple(xs), Kind::Tuple(ys)) | (Kind::Set(_, xs), Kind::Set(_, ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            all(&mut xs.iter().zip(ys.iter()))
        }
        (Kind::Map(_, xs), Kind::Map(_, ys)) | (Kind::Object(xs), Kind::Object(ys)) => {
            if xs.len() != ys.len() || !xs.keys().eq(ys.keys()) {
                return Some(false);
            }
            all(&mut xs.values().zip(ys.values()))
        }
        _ => Some(false),
    }
}

fn list_or_empty(ety: Type, items: Vec<Value>) -> Value {
    Value::list(ety, items)
}

// ---- alltrue / anytrue ------------------------------------------------------

fn alltrue(_: &CallCtx, a: &[Value]) -> FuncResult {
    for v in seq(&a[0]) {
        if v.is_unknown() {
            return Ok(Value::unknown(Type::Bool));
        }
        if v.as_bool() != Some(true) {
            return Ok(Value::bool(false));
        }
    }
    Ok(Value::bool(true))
}

fn anytrue(_: &CallCtx, a: &[Value]) -> FuncResult {
    let mut unknown = false;
    for v in seq(&a[0]) {
        if v.is_unknown() {
            unknown = true;
        } else if v.as_bool() == Some(true) {
            return Ok(Value::bool(true));
        }
    }
    Ok(if unknown { Value::unknown(Type::Bool) } else { Value::bool(false) })
}

// ---- chunklist --------------------------------------------------------------

fn chunklist_type(a: &[Value]) -> Result<Type, FuncError> {
    Ok(Type::list(a[0].ty()))
}

fn chunklist(_: &CallCtx, a: &[Value]) -> FuncResult {
    let (list, lm) = top(&a[0]);
    let (size, sm) = top(&a[1]);
    let marks = lm.union(sm);
    let list_ty = list.ty();
    let ety = elem_type_of_seq_type(&list_ty).unwrap_or(Type::Dynamic);
    let size = to_int(&size).map_err(|e| FuncError::call(format!("invalid size: {e}")))?;
    if size < 0 {
        return Err(FuncError::call("the size argument must be positive"));
    }
    let items = seq(&list);
    if items.is_empty() {
        return Ok(Value::list(list_ty, vec![]).mark(marks));
    }
    if size == 0 {
        return Ok(Value::list(list_ty, vec![list.clone()]).mark(marks));
    }
    let chunks = items.chunks(size as usize).map(|c| Value::list(ety.clone(), c.to_vec())).collect();
    Ok(Value::list(list_ty, chunks).mark(marks))
}

// ---- coalesce / coalescelist ------------------------------------------------

fn coalesce_type(a: &[Value]) -> Result<Type, FuncError> {
    let tys: Vec<Type> = a.iter().map(Value::ty).collect();
    unify(&tys).ok_or_else(|| FuncError::call("all arguments must have the same type"))
}

fn coalesce(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = coalesce_type(a)?;
    for v in a {
        let v = convert(v, &ret).unwrap_or_else(|_| v.clone());
        if v.is_unknown() {
            return Ok(Value::unknown(ret));
        }
        if v.is_null() {
            continue;
        }
        if ret == Type::String && v.as_str() == Some("") {
            continue;
        }
        return Ok(v);
    }
    Err(FuncError::call("no non-null, non-empty-string arguments"))
}

fn coalescelist_type(a: &[Value]) -> Result<Type, FuncError> {
    if a.is_empty() {
        return Err(FuncError::call("at least one argument is required"));
    }
    for v in a {
        if v.is_unknown() {
            return Ok(Type::Dynamic);
        }
        if !matches!(v.ty(), Type::List(_) | Type::Tuple(_)) {
            return Err(FuncError::call("coalescelist arguments must be lists or tuples"));
        }
    }
    let first = a[0].ty();
    Ok(if a.iter().all(|v| v.ty() == first) { first } else { Type::Dynamic })
}

fn coalescelist(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = coalescelist_type(a)?;
    for v in a {
        if v.is_unknown() {
            return Ok(Value::unknown(ret));
        }
        if v.is_null() {
            continue;
        }
        if len_of(v) > 0 {
            return Ok(v.clone());
        }
    }
    Err(FuncError::call("no non-null arguments"))
}

// ---- compact / concat / contains / distinct --------------------------------

fn compact(_: &CallCtx, a: &[Value]) -> FuncResult {
    let items = seq(&a[0]).iter().filter(|v| !v.is_null() && v.as_str() != Some("")).cloned().collect();
    Ok(list_or_empty(Type::String, items))
}

fn concat_type(a: &[Value]) -> Result<Type, FuncError> {
    if a.is_empty() {
        return Err(FuncError::call("at least one argument is required"));
    }
    if matches!(a[0].ty(), Type::List(_)) && a.iter().all(|v| matches!(v.ty(), Type::List(_))) {
        let tys: Vec<Type> = a.iter().map(Value::ty).collect();
        if let Some(t) = unify(&tys) {
            return Ok(t);
        }
    }
    let mut etys = Vec::new();
    for (i, v) in a.iter().enumerate() {
        match v.ty() {
            Type::Tuple(ts) => etys.extend(ts.iter().cloned()),
            Type::List(e) => {
                if v.is_unknown() {
                    return Ok(Type::Dynamic);
                }
                etys.extend(std::iter::repeat_n((*e).clone(), len_of(v)));
            }
            t => return Err(FuncError::arg(i, format!("all arguments must be lists or tuples; got {}", t.friendly_name()))),
        }
    }
    Ok(Type::tuple(etys))
}

fn concat(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = concat_type(a)?;
    let marks = a.iter().fold(Marks::NONE, |m, v| m.union(v.marks));
    if a.iter().any(Value::is_unknown) {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let mut vals = Vec::new();
    match &ret {
        Type::List(ety) => {
            for (i, v) in a.iter().enumerate() {
                let (v, _) = top(v);
                let v = convert(&v, &ret).map_err(|e| FuncError::arg(i, e.to_string()))?;
                vals.extend(seq(&v).iter().cloned());
            }
            Ok(Value::list((**ety).clone(), vals).mark(marks))
        }
        _ => {
            for v in a {
                vals.extend(seq(v).iter().cloned());
            }
            Ok(Value::tuple(vals).mark(marks))
        }
    }
}

fn contains(_: &CallCtx, a: &[Value]) -> FuncResult {
    if !a[0].ty().is_list_like() {
        return Err(FuncError::call("argument must be list, tuple, or set"));
    }
    let items = seq(&a[0]);
    if items.is_empty() {
        return Ok(Value::bool(false));
    }
    let mut unknown = false;
    for v in items {
        match cty_equals(&a[1], v) {
            Some(true) => return Ok(Value::bool(true)),
            None => unknown = true,
            Some(false) => {}
        }
    }
    Ok(if unknown { Value::unknown(Type::Bool) } else { Value::bool(false) })
}

fn same_type(a: &[Value]) -> Result<Type, FuncError> {
    Ok(a[0].ty())
}

fn distinct(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ety = elem_type_of_seq_type(&a[0].ty()).unwrap_or(Type::Dynamic);
    let mut out: Vec<Value> = Vec::new();
    for v in seq(&a[0]) {
        if !out.iter().any(|o| cty_equals(o, v) == Some(true)) {
            out.push(v.clone());
        }
    }
    Ok(list_or_empty(ety, out))
}

// ---- element / flatten / index ----------------------------------------------

fn wrap_index(index: i64, len: usize) -> usize {
    let l = len as i64;
    let mut i = index % l;
    if i < 0 {
        i += l;
    }
    i as usize
}

fn element_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::List(e) => Ok((*e).clone()),
        Type::Tuple(ts) => {
            if a[1].is_unknown() {
                return Ok(Type::Dynamic);
            }
            let i = to_int(&a[1]).map_err(|e| FuncError::call(format!("invalid index: {e}")))?;
            if ts.is_empty() {
                return Err(FuncError::call("cannot use element function with an empty list"));
            }
            Ok(ts[wrap_index(i, ts.len())].clone())
        }
        t => Err(FuncError::call(format!("cannot read elements from {}", t.friendly_name()))),
    }
}

fn element(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = element_type(a)?;
    let i = to_int(&a[1]).map_err(|e| FuncError::call(format!("invalid index: {e}")))?;
    let (list, marks) = top(&a[0]);
    if list.is_unknown() {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let items = seq(&list);
    if items.is_empty() {
        return Err(FuncError::call("cannot use element function with an empty list"));
    }
    Ok(items[wrap_index(i, items.len())].clone().mark(marks))
}

/// Flattens nested sequences; None when an unknown sequence is met.
fn flattener(v: &Value, out: &mut Vec<Value>, marks: &mut Marks) -> bool {
    plinth_value::deep(|| {
        let (v, m) = top(v);
        *marks = marks.union(m);
        let mut known = true;
        for x in seq(&v) {
            // The kinds, not `ty()`: a value's type is as deep as the value, and
            // computing it at every level made deep inputs quadratic.
            if matches!(x.kind, Kind::Unknown(Type::Dynamic)) {
                known = false;
            }
            let list_like = match &x.kind {
                Kind::List(..) | Kind::Set(..) | Kind::Tuple(..) => true,
                Kind::Unknown(t) => t.is_list_like(),
                _ => false,
            };
            if list_like {
                if x.is_unknown() {
                    known = false;
                    *marks = marks.union(x.marks);
                    continue;
                }
                if !flattener(x, out, marks) {
                    known = false;
                }
            } else {
                out.push(x.clone());
            }
        }
        known
    })
}

fn flatten_type(a: &[Value]) -> Result<Type, FuncError> {
    if !a[0].is_wholly_known() {
        return Ok(Type::Dynamic);
    }
    if !a[0].ty().is_list_like() {
        return Err(FuncError::call("can only flatten lists, sets and tuples"));
    }
    let mut out = Vec::new();
    let mut marks = Marks::NONE;
    if !flattener(&a[0], &mut out, &mut marks) {
        return Ok(Type::Dynamic);
    }
    Ok(Type::tuple(out.iter().map(Value::ty).collect()))
}

fn flatten(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = flatten_type(a)?;
    let mut out = Vec::new();
    let mut marks = Marks::NONE;
    if !flattener(&a[0], &mut out, &mut marks) {
        return Ok(Value::unknown(ret).mark(marks));
    }
    Ok(Value::tuple(out).mark(marks))
}

fn index(_: &CallCtx, a: &[Value]) -> FuncResult {
    if !matches!(a[0].ty(), Type::List(_) | Type::Tuple(_)) {
        return Err(FuncError::call("argument must be a list or tuple"));
    }
    let items = seq(&a[0]);
    if items.is_empty() {
        return Err(FuncError::call("cannot search an empty list"));
    }
    for (i, v) in items.iter().enumerate() {
        match cty_equals(v, &a[1]) {
            None => return Ok(Value::unknown(Type::Number)),
            Some(true) => return Ok(Value::int(i as i64)),
            Some(false) => {}
        }
    }
    Err(FuncError::call("item not found"))
}

// ---- keys / values / length / lookup ----------------------------------------

fn keys_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::Map(_) => Ok(Type::list(Type::String)),
        Type::Object(o) => Ok(Type::tuple(vec![Type::String; o.attrs.len()])),
        Type::Dynamic if a[0].is_unknown() => Ok(Type::Dynamic),
        _ => Err(FuncError::arg(0, "must have map or object type")),
    }
}

fn keys(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = keys_type(a)?;
    let (m, marks) = top(&a[0]);
    match m.ty() {
        Type::Object(o) => Ok(Value::tuple(o.attrs.keys().map(|k| Value::string(k.as_str())).collect()).mark(marks)),
        _ if m.is_unknown() => Ok(Value::unknown(ret).mark(marks)),
        _ => {
            let ks = m.as_entries().map(|e| e.keys().map(|k| Value::string(k.as_str())).collect()).unwrap_or_default();
            Ok(Value::list(Type::String, ks).mark(marks))
        }
    }
}

fn values_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::Map(e) => Ok(Type::list((*e).clone())),
        Type::Object(o) => Ok(Type::tuple(o.attrs.values().cloned().collect())),
        _ => Err(FuncError::call("values() requires a map as the first argument")),
    }
}

fn values(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = values_type(a)?;
    let (m, marks) = top(&a[0]);
    let vals: Vec<Value> = m.as_entries().map(|e| e.values().cloned().collect()).unwrap_or_default();
    match ret {
        Type::Tuple(_) => Ok(Value::tuple(vals).mark(marks)),
        Type::List(e) => Ok(Value::list((*e).clone(), vals).mark(marks)),
        _ => unreachable!("values_type returns list or tuple"),
    }
}

fn length_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::String | Type::Tuple(_) | Type::Object(_) | Type::List(_) | Type::Map(_) | Type::Set(_) | Type::Dynamic => Ok(Type::Number),
        _ => Err(FuncError::call("argument must be a string, a collection type, or a structural type")),
    }
}

fn length(_: &CallCtx, a: &[Value]) -> FuncResult {
    length_type(a)?;
    let (v, marks) = top(&a[0]);
    let n = match v.ty() {
        Type::Dynamic => return Ok(Value::unknown(Type::Number).mark(marks)),
        Type::Tuple(ts) => ts.len(),
        Type::Object(o) => o.attrs.len(),
        Type::String => {
            if v.is_unknown() {
                return Ok(Value::unknown(Type::Number).mark(a[0].marks_deep()));
            }
            return Ok(Value::int(grapheme_count(v.as_str().unwrap_or("")) as i64).mark(a[0].marks_deep()));
        }
        _ if v.is_unknown() => return Ok(Value::unknown(Type::Number).mark(marks)),
        _ => len_of(&v),
    };
    Ok(Value::int(n as i64).mark(marks))
}

fn lookup_type(a: &[Value]) -> Result<Type, FuncError> {
    if a.len() > 3 {
        return Err(FuncError::call(format!("lookup() takes two or three arguments, got {}", a.len())));
    }
    match a[0].ty() {
        Type::Object(o) => {
            let Some(key) = a[1].as_str() else { return Ok(Type::Dynamic) };
            if let Some(t) = o.attrs.get(key) {
                Ok(t.clone())
            } else if a.len() == 3 {
                Ok(a[2].ty())
            } else {
                Err(FuncError::arg(0, format!("the given object has no attribute {}", go_quote(key))))
            }
        }
        Type::Map(e) => {
            if a.len() == 3 && convert(&a[2], &e).is_err() {
                return Err(FuncError::arg(2, "the default value must have the same type as the map elements"));
            }
            Ok((*e).clone())
        }
        Type::Dynamic if a[0].is_unknown() => Ok(Type::Dynamic),
        _ => Err(FuncError::arg(0, "lookup() requires a map as the first argument")),
    }
}

fn lookup(_: &CallCtx, a: &[Value]) -> FuncResult {
    let (m, map_marks) = top(&a[0]);
    let (key, key_marks) = top(&a[1]);
    let a2: Vec<Value> = [m.clone(), key.clone()].into_iter().chain(a[2..].iter().cloned()).collect();
    let ret = lookup_type(&a2)?;
    let marks = map_marks.union(key_marks);
    if m.is_unknown() || key.is_unknown() {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let k = key.as_str().expect("converted to string");
    if let Some(v) = m.as_entries().and_then(|e| e.get(k)) {
        return Ok(v.clone().mark(marks));
    }
    if a.len() == 3 {
        let d = convert(&a[2], &ret).map_err(|e| FuncError::call(e.to_string()))?;
        return Ok(d.mark(marks));
    }
    let shown = if key_marks.contains(Marks::SENSITIVE) { "(sensitive value)".to_string() } else { go_quote(k) };
    Err(FuncError::call(format!("lookup failed to find key {shown}")))
}

// ---- matchkeys / merge / one ------------------------------------------------

fn matchkeys_type(a: &[Value]) -> Result<Type, FuncError> {
    unify(&[a[1].ty(), a[2].ty()]).ok_or_else(|| FuncError::call("keys and searchset must be of the same type"))?;
    Ok(a[0].ty())
}

fn matchkeys(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = matchkeys_type(a)?;
    let ety = elem_type_of_seq_type(&ret).unwrap_or(Type::Dynamic);
    if len_of(&a[0]) != len_of(&a[1]) {
        return Err(FuncError::call("length of keys and values should be equal"));
    }
    let ty = unify(&[a[1].ty(), a[2].ty()]).unwrap_or(Type::Dynamic);
    let keys = convert(&a[1], &ty).unwrap_or_else(|_| a[1].clone());
    let search = convert(&a[2], &ty).unwrap_or_else(|_| a[2].clone());
    if len_of(&search) == 0 {
        return Ok(Value::list(ety, vec![]));
    }
    let mut out = Vec::new();
    for (i, k) in seq(&keys).iter().enumerate() {
        for s in seq(&search) {
            match cty_equals(k, s) {
                None => return Ok(Value::list(ety, vec![])),
                Some(true) => {
                    out.push(seq(&a[0])[i].clone());
                    break;
                }
                Some(false) => {}
            }
        }
    }
    Ok(Value::list(ety, out))
}

fn merge_type(a: &[Value]) -> Result<Type, FuncError> {
    if a.is_empty() {
        return Ok(Type::empty_object());
    }
    let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
    let mut first: Option<Type> = None;
    let mut matching = true;
    let mut attrs_known = true;
    for v in a {
        let mut ty = v.ty();
        match &ty {
            Type::Dynamic => return Ok(Type::Dynamic),
            Type::Object(o) => {
                if v.is_null() {
                    ty = Type::empty_object();
                } else {
                    attrs.extend(o.attrs.iter().map(|(k, t)| (k.clone(), t.clone())));
                }
            }
            Type::Map(e) => {
                if v.is_unknown() {
                    attrs_known = false;
                } else if let Some(entries) = v.as_entries() {
                    for k in entries.keys() {
                        attrs.insert(k.clone(), (**e).clone());
                    }
                }
            }
            t => return Err(FuncError::call(format!("arguments must be maps or objects, got {}", go_quote(&t.friendly_name())))),
        }
        match &first {
            None => first = Some(ty),
            Some(f) if *f != ty => matching = false,
            _ => {}
        }
    }
    if matching {
        return Ok(first.expect("at least one argument"));
    }
    if !attrs_known {
        return Ok(Type::Dynamic);
    }
    Ok(Type::object(attrs))
}

fn merge(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = merge_type(a)?;
    let mut marks = Marks::NONE;
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for v in a {
        if v.is_null() {
            continue;
        }
        let (v, m) = top(v);
        marks = marks.union(m);
        if v.is_unknown() {
            return Ok(Value::unknown(ret).mark(marks));
        }
        if let Some(entries) = v.as_entries() {
            out.extend(entries.iter().map(|(k, x)| (k.clone(), x.clone())));
        }
    }
    match ret {
        Type::Map(e) => Ok(Value::map((*e).clone(), out).mark(marks)),
        _ => Ok(Value::object(out).mark(marks)),
    }
}

const ONE_MSG: &str = "must be a list, set, or tuple value with either zero or one elements";

fn one_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::List(e) | Type::Set(e) => Ok((*e).clone()),
        Type::Tuple(ts) if ts.is_empty() => Ok(Type::Dynamic),
        Type::Tuple(ts) if ts.len() == 1 => Ok(ts[0].clone()),
        _ => Err(FuncError::arg(0, ONE_MSG)),
    }
}

fn one(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = one_type(a)?;
    match seq(&a[0]) {
        [] => Ok(Value::null(ret)),
        [x] => Ok(x.clone()),
        _ => Err(FuncError::arg(0, ONE_MSG)),
    }
}

// ---- range / reverse / slice / sort / sum -----------------------------------

fn range(_: &CallCtx, a: &[Value]) -> FuncResult {
    let n = |v: &Value| v.as_number().expect("converted to number").clone();
    let zero = Number::zero();
    let (start, end, step) = match a.len() {
        1 => {
            let end = n(&a[0]);
            let step = if end < zero { Number::from_i64(-1) } else { Number::from_i64(1) };
            (zero.clone(), end, step)
        }
        2 => {
            let (s, e) = (n(&a[0]), n(&a[1]));
            let step = if e < s { Number::from_i64(-1) } else { Number::from_i64(1) };
            (s, e, step)
        }
        3 => (n(&a[0]), n(&a[1]), n(&a[2])),
        _ => return Err(FuncError::call("must have one, two, or three arguments")),
    };
    // cty's zero-step check compares value identity and so never fires: a zero
    // step runs into the 1024-element limit below.
    let down = step < zero;
    if down {
        if end > start {
            return Err(FuncError::arg(1, "end must be less than start when step is negative"));
        }
    } else if end < start {
        return Err(FuncError::arg(1, "end must be greater than start when step is positive"));
    }
    let mut vals = Vec::new();
    let mut num = start;
    loop {
        if (down && num <= end) || (!down && num >= end) {
            break;
        }
        if vals.len() >= 1024 {
            return Err(FuncError::call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        vals.push(Value::number(num.clone()));
        num = num.add(&step).map_err(|_| FuncError::call("can't compute sum of opposing infinities"))?;
    }
    Ok(Value::list(Type::Number, vals))
}

fn reverse_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].ty() {
        Type::Tuple(ts) => Ok(Type::tuple(ts.iter().rev().cloned().collect())),
        Type::List(e) | Type::Set(e) => Ok(Type::list((*e).clone())),
        t => Err(FuncError::arg(0, format!("can only reverse list or tuple values, not {}", t.friendly_name()))),
    }
}

fn reverse(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = reverse_type(a)?;
    let (v, marks) = top(&a[0]);
    let items: Vec<Value> = seq(&v).iter().rev().cloned().collect();
    match ret {
        Type::Tuple(_) => Ok(Value::tuple(items).mark(marks)),
        Type::List(e) => Ok(Value::list((*e).clone(), items).mark(marks)),
        _ => unreachable!(),
    }
}

/// cty's slice index checks: (start, end, both known).
fn slice_indexes(a: &[Value]) -> Result<(usize, usize, bool), FuncError> {
    let (list, _) = top(&a[0]);
    let len = if matches!(list.ty(), Type::Tuple(_)) || list.is_known() {
        Some(match list.ty() {
            Type::Tuple(ts) => ts.len(),
            _ => len_of(&list),
        })
    } else {
        None
    };
    let mut start = None;
    let mut end = None;
    if a[1].is_known() {
        let s = to_int(&a[1]).map_err(|e| FuncError::arg(1, format!("invalid start index: {e}")))?;
        if s < 0 {
            return Err(FuncError::arg(1, "start index must not be less than zero"));
        }
        if len.is_some_and(|l| s as usize > l) {
            return Err(FuncError::arg(1, "start index must not be greater than the length of the list"));
        }
        start = Some(s as usize);
    }
    if a[2].is_known() {
        let e = to_int(&a[2]).map_err(|e| FuncError::arg(2, format!("invalid end index: {e}")))?;
        if e < 0 {
            return Err(FuncError::arg(2, "end index must not be less than zero"));
        }
        if len.is_some_and(|l| e as usize > l) {
            return Err(FuncError::arg(2, "end index must not be greater than the length of the list"));
        }
        end = Some(e as usize);
    }
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(FuncError::arg(1, "start index must not be greater than end index"));
        }
        return Ok((s, e, true));
    }
    Ok((start.unwrap_or(0), end.unwrap_or(0), false))
}

fn slice_type(a: &[Value]) -> Result<Type, FuncError> {
    let t = a[0].ty();
    if matches!(t, Type::Set(_)) {
        return Err(FuncError::arg(
            0,
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
        ));
    }
    if !matches!(t, Type::List(_) | Type::Tuple(_)) {
        return Err(FuncError::arg(0, "must be a list or tuple value"));
    }
    let (s, e, known) = slice_indexes(a)?;
    match t {
        Type::List(_) => Ok(t),
        Type::Tuple(_) if !known => Ok(Type::Dynamic),
        Type::Tuple(ts) => Ok(Type::tuple(ts[s..e].to_vec())),
        _ => unreachable!(),
    }
}

fn slice(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = slice_type(a)?;
    let (list, marks) = top(&a[0]);
    if ret == Type::Dynamic || list.is_unknown() {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let (s, e, _) = slice_indexes(a)?;
    let items = seq(&list)[s..e].to_vec();
    match ret {
        Type::Tuple(_) => Ok(Value::tuple(items).mark(marks)),
        Type::List(et) => Ok(Value::list((*et).clone(), items).mark(marks)),
        _ => unreachable!(),
    }
}

fn sort(_: &CallCtx, a: &[Value]) -> FuncResult {
    let mut strs = Vec::new();
    for (i, v) in seq(&a[0]).iter().enumerate() {
        match v.as_str() {
            Some(s) => strs.push(s.to_string()),
            None => return Err(FuncError::call(format!("given list element {i} is null; a null string cannot be sorted"))),
        }
    }
    strs.sort();
    Ok(Value::list(Type::String, strs.into_iter().map(Value::string).collect()))
}

fn sum(_: &CallCtx, a: &[Value]) -> FuncResult {
    let v = &a[0];
    let t = v.ty();
    if !(t.is_list_like() || matches!(t, Type::Map(_) | Type::Object(_))) {
        return Err(FuncError::arg(0, "cannot sum noniterable"));
    }
    if len_of(v) == 0 {
        return Err(FuncError::arg(0, "cannot sum an empty list"));
    }
    if !t.is_list_like() {
        return Err(FuncError::arg(0, format!("argument must be list, set, or tuple. Received {}", t.friendly_name())));
    }
    let bad = || FuncError::arg(0, "argument must be list, set, or tuple of number values");
    let mut total: Option<Number> = None;
    for x in seq(v) {
        if x.is_null() {
            return Err(bad());
        }
        let n = convert(x, &Type::Number).map_err(|_| bad())?;
        let n = n.as_number().ok_or_else(bad)?.clone();
        total = Some(match total {
            None => n,
            Some(t) => t.add(&n).map_err(|e| match e {
                NumberError::NaN => FuncError::call("can't compute sum of opposing infinities"),
                _ => FuncError::call("division by zero"),
            })?,
        });
    }
    Ok(Value::number(total.expect("non-empty")))
}

// ---- sets -------------------------------------------------------------------

fn set_op_type(a: &[Value]) -> Result<Type, FuncError> {
    let mut etys = Vec::new();
    for v in a {
        let ety = elem_type_of_seq_type(&v.ty()).unwrap_or(Type::Dynamic);
        if v.is_known() && len_of(v) == 0 && ety == Type::Dynamic {
            continue;
        }
        etys.push(ety);
    }
    if etys.is_empty() {
        return Ok(Type::set(Type::Dynamic));
    }
    unify(&etys).map(Type::set).ok_or_else(|| FuncError::call("given sets must all have compatible element types"))
}

fn set_op(a: &[Value], op: fn(Vec<Value>, &[Value]) -> Vec<Value>) -> FuncResult {
    let ret = set_op_type(a)?;
    let ety = elem_type_of_seq_type(&ret).unwrap_or(Type::Dynamic);
    let mut sets = Vec::with_capacity(a.len());
    for (i, v) in a.iter().enumerate() {
        let c = convert(v, &ret).map_err(|e| FuncError::arg(i, e.to_string()))?;
        sets.push(seq(&c).to_vec());
    }
    let mut acc = sets[0].clone();
    for s in &sets[1..] {
        acc = op(acc, s);
    }
    Ok(Value::set(ety, acc))
}

fn set_has(s: &[Value], v: &Value) -> bool {
    s.iter().any(|x| x.raw_equal(v))
}

fn setunion(_: &CallCtx, a: &[Value]) -> FuncResult {
    set_op(a, |mut acc, s| {
        acc.extend(s.iter().cloned());
        acc
    })
}

fn setintersection(_: &CallCtx, a: &[Value]) -> FuncResult {
    set_op(a, |acc, s| acc.into_iter().filter(|v| set_has(s, v)).collect())
}

fn setsubtract(_: &CallCtx, a: &[Value]) -> FuncResult {
    set_op(a, |acc, s| acc.into_iter().filter(|v| !set_has(s, v)).collect())
}

fn setproduct_type(a: &[Value]) -> Result<Type, FuncError> {
    if a.len() < 2 {
        return Err(FuncError::call("at least two arguments are required"));
    }
    let mut list_count = 0;
    let mut etys = Vec::with_capacity(a.len());
    for (i, v) in a.iter().enumerate() {
        match v.ty() {
            Type::Set(e) => etys.push((*e).clone()),
            Type::List(e) => {
                etys.push((*e).clone());
                list_count += 1;
            }
            Type::Tuple(ts) => {
                list_count += 1;
                if ts.is_empty() {
                    etys.push(Type::Dynamic);
                } else {
                    etys.push(unify(&ts).ok_or_else(|| FuncError::arg(i, "all elements must be of the same type"))?);
                }
            }
            _ => return Err(FuncError::arg(i, "a set or a list is required")),
        }
    }
    let t = Type::tuple(etys);
    Ok(if list_count == a.len() { Type::list(t) } else { Type::set(t) })
}

/// Values (elements times arguments) a `setproduct` may build: a million,
/// far beyond any configuration's needs (Terraform has no limit).
const MAX_PRODUCT_VALUES: usize = 1 << 20;

fn setproduct(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = setproduct_type(a)?;
    let ety = ret.element_type().cloned().expect("list or set");
    let sub: Vec<Type> = match &ety {
        Type::Tuple(ts) => ts.to_vec(),
        _ => unreachable!(),
    };
    let mut marks = Marks::NONE;
    let mut args = Vec::with_capacity(a.len());
    let mut unknown = false;
    for v in a {
        let (v, m) = top(v);
        marks = marks.union(m);
        if v.is_unknown() {
            unknown = true;
        }
        args.push(v);
    }
    if unknown {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let total = args.iter().map(len_of).try_fold(1usize, |acc, n| acc.checked_mul(n));
    let total = match total {
        Some(t) if t.saturating_mul(args.len()) <= MAX_PRODUCT_VALUES => t,
        _ => return Err(FuncError::call(format!("the product would have more than {} elements", MAX_PRODUCT_VALUES / args.len().max(1)))),
    };
    let mut product = Vec::with_capacity(total);
    if total > 0 {
        let mut idx = vec![0usize; args.len()];
        for _ in 0..total {
            let mut tuple = Vec::with_capacity(args.len());
            for (j, &k) in idx.iter().enumerate() {
                let val = seq(&args[j])[k].clone();
                let val = if val.ty() == sub[j] { val } else { convert(&val, &sub[j]).unwrap_or(val) };
                tuple.push(val);
            }
            product.push(Value::tuple(tuple));
            for j in (0..idx.len()).rev() {
                idx[j] += 1;
                if idx[j] < len_of(&args[j]) {
                    break;
                }
                idx[j] = 0;
            }
        }
    }
    Ok(match ret {
        Type::List(_) => Value::list(ety, product),
        _ => Value::set(ety, product),
    }
    .mark(marks))
}

// ---- transpose / zipmap -----------------------------------------------------

fn transpose(_: &CallCtx, a: &[Value]) -> FuncResult {
    let lt = Type::list(Type::String);
    let mut tmp: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, list) in a[0].as_entries().into_iter().flatten() {
        if list.is_null() {
            return Err(FuncError::call("input must not contain null list"));
        }
        for v in seq(list) {
            let s = v.as_str().ok_or_else(|| FuncError::call("input list must not contain null string"))?;
            let e = tmp.entry(s.to_string()).or_default();
            e.push(k.clone());
            e.sort();
        }
    }
    let out = tmp.into_iter().map(|(k, vs)| (k, Value::list(Type::String, vs.into_iter().map(Value::string).collect()))).collect();
    Ok(Value::map(lt, out))
}

fn zipmap_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[1].ty() {
        Type::List(e) => Ok(Type::map((*e).clone())),
        Type::Tuple(ts) => {
            if !a[0].is_wholly_known() {
                return Ok(Type::Dynamic);
            }
            let (keys, _) = top(&a[0]);
            let ks = seq(&keys);
            if ks.len() != ts.len() {
                return Err(FuncError::call(format!("number of keys ({}) does not match number of values ({})", ks.len(), ts.len())));
            }
            let mut attrs = BTreeMap::new();
            for (i, k) in ks.iter().enumerate() {
                let (k, _) = top(k);
                let k = k.as_str().ok_or_else(|| FuncError::call(format!("keys list has null value at index {i}")))?;
                attrs.insert(k.to_string(), ts[i].clone());
            }
            Ok(Type::object(attrs))
        }
        _ => Err(FuncError::call("values argument must be a list or tuple value")),
    }
}

fn zipmap(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ret = zipmap_type(a)?;
    let (keys, km) = top(&a[0]);
    let (vals, vm) = top(&a[1]);
    let mut marks = km.union(vm);
    if !keys.is_wholly_known() || vals.is_unknown() {
        return Ok(Value::unknown(ret).mark(marks));
    }
    let (ks, vs) = (seq(&keys), seq(&vals));
    if ks.len() != vs.len() {
        return Err(FuncError::call(format!("number of keys ({}) does not match number of values ({})", ks.len(), vs.len())));
    }
    let mut out = BTreeMap::new();
    for (i, k) in ks.iter().enumerate() {
        let (k, m) = top(k);
        marks = marks.union(m);
        let k = k.as_str().ok_or_else(|| FuncError::call(format!("keys list has null value at index {i}")))?;
        out.insert(k.to_string(), vs[i].clone());
    }
    Ok(match ret {
        Type::Map(e) => Value::map((*e).clone(), out),
        _ => Value::object(out),
    }
    .mark(marks))
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use plinth_value::{Number, Type, Value};
    use std::collections::BTreeMap;

    fn n(s: &str) -> Value {
        Value::number(Number::parse(s).unwrap())
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn b(x: bool) -> Value {
        Value::bool(x)
    }
    fn t(xs: Vec<Value>) -> Value {
        Value::tuple(xs)
    }
    fn strs(xs: &[&str]) -> Value {
        t(xs.iter().map(|x| s(x)).collect())
    }
    fn nums(xs: &[&str]) -> Value {
        t(xs.iter().map(|x| n(x)).collect())
    }
    fn obj(kv: Vec<(&str, Value)>) -> Value {
        Value::object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<_, _>>())
    }
    fn null() -> Value {
        Value::null(Type::Dynamic)
    }
    fn slist(xs: &[&str]) -> Value {
        Value::list(Type::String, xs.iter().map(|x| s(x)).collect())
    }
    fn set_of(xs: &[&str]) -> Value {
        Value::set(Type::String, xs.iter().map(|x| s(x)).collect())
    }
    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn ok(name: &str, args: Vec<Value>) -> Value {
        run(name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    #[test]
    fn nested_unknowns_keep_the_known_structure() {
        // cty calls these with unknowns inside their arguments: the keys of
        // zipmap's result (a for_each over it) and the length of a slice stay known.
        let ids = Value::list(Type::String, vec![Value::unknown(Type::String), Value::unknown(Type::String)]);
        let m = ok("zipmap", vec![slist(&["a", "b"]), ids.clone()]);
        assert!(m.is_known() && !m.is_wholly_known());
        assert_eq!(m.as_entries().map(|e| e.keys().cloned().collect::<Vec<_>>()), Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(ok("values", vec![m]).len(), Some(2));
        assert_eq!(ok("slice", vec![ids.clone(), n("0"), n("1")]).len(), Some(1));
        assert!(!ok("element", vec![ids, n("0")]).is_known());
        // An implementation that reads every element still sees only known ones.
        let r = ok("join", vec![s(","), Value::list(Type::String, vec![s("x"), Value::unknown(Type::String)])]);
        assert!(!r.is_known());
    }
    fn same(got: Value, want: Value) {
        assert!(got.raw_equal(&want), "got {got:?}\nwant {want:?}");
    }
    fn err(name: &str, args: Vec<Value>) -> (Option<usize>, String) {
        match run(name, args) {
            Err(CallError::Func(e)) => (e.arg, e.message),
            other => panic!("expected function error, got {other:?}"),
        }
    }
    fn call_err(msg: &str) -> (Option<usize>, String) {
        (None, msg.to_string())
    }
    fn arg_err(i: usize, msg: &str) -> (Option<usize>, String) {
        (Some(i), msg.to_string())
    }

    #[test]
    fn alltrue_anytrue() {
        same(ok("alltrue", vec![t(vec![b(true), b(false)])]), b(false));
        same(ok("alltrue", vec![Value::set(Type::Bool, vec![b(true)])]), b(true));
        same(ok("alltrue", vec![strs(&["false"])]), b(false));
        same(ok("alltrue", vec![t(vec![null()])]), b(false));
        // Terraform says just "a bool is required"; the element path is the
        // call protocol's business (mod.rs), so only the tail is checked here.
        let (i, msg) = err("alltrue", vec![strs(&["a"])]);
        assert_eq!(i, Some(0));
        assert!(msg.ends_with("a bool is required"), "{msg}");
        same(ok("anytrue", vec![t(vec![s("true"), b(false)])]), b(true));
        same(ok("anytrue", vec![t(vec![b(false), b(false)])]), b(false));
        same(ok("anytrue", vec![t(vec![b(true), null()])]), b(true));
        assert_eq!(err("anytrue", vec![b(false)]), arg_err(0, "list of bool required, but have bool"));
    }

    #[test]
    fn chunklist_cases() {
        let lt = Type::list(Type::String);
        same(
            ok("chunklist", vec![strs(&["a", "b", "c", "d", "e"]), n("2")]),
            Value::list(lt.clone(), vec![slist(&["a", "b"]), slist(&["c", "d"]), slist(&["e"])]),
        );
        same(ok("chunklist", vec![set_of(&["c", "b", "a"]), n("2")]), Value::list(lt.clone(), vec![slist(&["a", "b"]), slist(&["c"])]));
        same(ok("chunklist", vec![strs(&["a"]), n("0")]), Value::list(lt, vec![slist(&["a"])]));
        assert_eq!(err("chunklist", vec![nums(&["1", "2"]), n("-1")]), call_err("the size argument must be positive"));
        assert_eq!(err("chunklist", vec![s("a"), n("1")]), arg_err(0, "list of dynamic required, but have string"));
    }

    #[test]
    fn coalesce_cases() {
        same(ok("coalesce", vec![s("a"), s("b")]), s("a"));
        same(ok("coalesce", vec![n("1"), n("2")]), n("1"));
        same(ok("coalesce", vec![null(), s("x")]), s("x"));
        same(ok("coalesce", vec![n("1"), s("a")]), s("1"));
        same(ok("coalesce", vec![s(""), s("b")]), s("b"));
        assert_eq!(err("coalesce", vec![null(), null()]), call_err("no non-null, non-empty-string arguments"));
        assert_eq!(err("coalesce", vec![]), call_err("all arguments must have the same type"));
        same(ok("coalescelist", vec![Value::empty_tuple(), strs(&["c"])]), strs(&["c"]));
        same(ok("coalescelist", vec![Value::list(Type::Dynamic, vec![]), nums(&["1"])]), nums(&["1"]));
        same(ok("coalescelist", vec![t(vec![Value::empty_tuple()]), nums(&["1"])]), t(vec![Value::empty_tuple()]));
        assert_eq!(err("coalescelist", vec![Value::empty_tuple(), Value::empty_tuple()]), call_err("no non-null arguments"));
        assert_eq!(err("coalescelist", vec![s("a")]), call_err("coalescelist arguments must be lists or tuples"));
    }

    #[test]
    fn compact_concat_contains() {
        same(ok("compact", vec![strs(&[""])]), slist(&[]));
        same(ok("compact", vec![nums(&["1", "2"])]), slist(&["1", "2"]));
        same(ok("compact", vec![set_of(&["", "b", "a"])]), slist(&["a", "b"]));
        assert_eq!(err("compact", vec![null()]), arg_err(0, "argument must not be null"));
        same(ok("concat", vec![Value::empty_tuple(), Value::empty_tuple()]), Value::empty_tuple());
        assert_eq!(err("concat", vec![]), call_err("at least one argument is required"));
        same(ok("concat", vec![t(vec![nums(&["1"])]), t(vec![nums(&["2", "3"])])]), t(vec![nums(&["1"]), nums(&["2", "3"])]));
        same(ok("concat", vec![slist(&["a"]), slist(&["b"])]), slist(&["a", "b"]));
        assert_eq!(err("concat", vec![strs(&["a"]), s("b")]), arg_err(1, "all arguments must be lists or tuples; got string"));
        assert_eq!(err("concat", vec![strs(&["a"]), null()]), arg_err(1, "argument must not be null"));
        same(ok("contains", vec![strs(&["a", "b", "c"]), s("a")]), b(true));
        same(ok("contains", vec![nums(&["1", "2"]), s("1")]), b(false));
        same(ok("contains", vec![strs(&["1", "2"]), n("1")]), b(false));
        same(ok("contains", vec![Value::empty_tuple(), s("a")]), b(false));
        assert_eq!(err("contains", vec![s("abc"), s("a")]), call_err("argument must be list, tuple, or set"));
    }

    #[test]
    fn distinct_element_flatten_index() {
        same(ok("distinct", vec![strs(&["a", "b", "a", "c", "d", "b"])]), slist(&["a", "b", "c", "d"]));
        same(ok("distinct", vec![Value::empty_tuple()]), Value::list(Type::Dynamic, vec![]));
        same(ok("distinct", vec![nums(&["3", "1", "3", "2"])]), Value::list(Type::Number, vec![n("3"), n("1"), n("2")]));
        let tt = Type::tuple(vec![Type::Number]);
        same(ok("distinct", vec![t(vec![nums(&["1"]), nums(&["1"]), nums(&["2"])])]), Value::list(tt, vec![nums(&["1"]), nums(&["2"])]));
        same(ok("element", vec![strs(&["a", "b", "c"]), n("1")]), s("b"));
        same(ok("element", vec![strs(&["a", "b", "c"]), n("7")]), s("b"));
        same(ok("element", vec![strs(&["a", "b", "c"]), n("-1")]), s("c"));
        same(ok("element", vec![strs(&["a"]), s("0")]), s("a"));
        same(ok("element", vec![t(vec![n("1"), s("x")]), n("1")]), s("x"));
        assert_eq!(err("element", vec![Value::empty_tuple(), n("0")]), call_err("cannot use element function with an empty list"));
        assert_eq!(err("element", vec![s("abc"), n("0")]), call_err("cannot read elements from string"));
        same(ok("flatten", vec![t(vec![t(vec![strs(&["a", "b"]), Value::empty_tuple()]), strs(&["c"])])]), strs(&["a", "b", "c"]));
        same(ok("flatten", vec![t(vec![n("1"), t(vec![n("2"), nums(&["3"])])])]), nums(&["1", "2", "3"]));
        same(ok("flatten", vec![t(vec![t(vec![null()]), strs(&["x"])])]), t(vec![null(), s("x")]));
        same(ok("flatten", vec![t(vec![slist(&["a"]), set_of(&["b"])])]), strs(&["a", "b"]));
        assert_eq!(err("flatten", vec![s("a")]), call_err("can only flatten lists, sets and tuples"));
        same(ok("index", vec![strs(&["a", "b", "c"]), s("b")]), n("1"));
        same(ok("index", vec![nums(&["1", "2"]), n("2")]), n("1"));
        assert_eq!(err("index", vec![nums(&["1", "2"]), s("2")]), call_err("item not found"));
        assert_eq!(err("index", vec![set_of(&["a"]), s("a")]), call_err("argument must be a list or tuple"));
    }

    #[test]
    fn keys_values_length_lookup() {
        same(ok("keys", vec![obj(vec![("b", Value::empty_object()), ("a", Value::empty_tuple())])]), strs(&["a", "b"]));
        same(ok("keys", vec![obj(vec![("10", n("1")), ("9", n("2")), ("B", n("3")), ("a", n("4"))])]), strs(&["10", "9", "B", "a"]));
        assert_eq!(err("keys", vec![strs(&["a"])]), arg_err(0, "must have map or object type"));
        assert_eq!(err("keys", vec![null()]), arg_err(0, "argument must not be null"));
        let m = Value::map(Type::Number, BTreeMap::from([("b".to_string(), n("1")), ("a".to_string(), n("2").sensitive())]));
        let k = ok("keys", vec![m.clone()]);
        same(k.clone(), slist(&["a", "b"]));
        assert!(!k.has_marks_deep());
        same(ok("values", vec![obj(vec![("a", n("3")), ("c", n("2")), ("d", n("1"))])]), nums(&["3", "2", "1"]));
        same(ok("values", vec![obj(vec![("b", nums(&["1"])), ("a", s("x"))])]), t(vec![s("x"), nums(&["1"])]));
        assert_eq!(err("values", vec![null()]), arg_err(0, "argument must not be null"));
        for (v, want) in [
            (Value::empty_tuple(), "0"),
            (strs(&["a", "b"]), "2"),
            (obj(vec![("a", n("1"))]), "1"),
            (s("hello"), "5"),
            (s("é"), "1"),
            (s("e\u{301}"), "1"),
        ] {
            same(ok("length", vec![v]), n(want));
        }
        let l = ok("length", vec![m]);
        same(l, n("2"));
        assert!(ok("length", vec![s("abc").sensitive()]).is_sensitive());
        assert_eq!(err("length", vec![null()]), arg_err(0, "argument must not be null"));
        assert_eq!(err("length", vec![b(true)]), call_err("argument must be a string, a collection type, or a structural type"));
        same(ok("lookup", vec![obj(vec![("a", obj(vec![("b", n("1"))]))]), s("a"), Value::empty_object()]), obj(vec![("b", n("1"))]));
        assert!(ok("lookup", vec![Value::empty_object(), s("a"), null()]).is_null());
        let m1 = Value::map(Type::Number, BTreeMap::from([("a".to_string(), n("1"))]));
        same(ok("lookup", vec![m1.clone(), s("a")]), n("1"));
        same(ok("lookup", vec![m1.clone(), s("z"), s("7")]), n("7"));
        assert_eq!(err("lookup", vec![m1, s("z")]), call_err("lookup failed to find key \"z\""));
        assert_eq!(err("lookup", vec![strs(&["a"]), n("0"), s("x")]), arg_err(0, "lookup() requires a map as the first argument"));
        assert_eq!(
            err("lookup", vec![obj(vec![("a", n("1"))]), s("a"), s("b"), s("c")]),
            call_err("lookup() takes two or three arguments, got 4")
        );
        assert_eq!(err("lookup", vec![obj(vec![("a", n("1"))]), s("b")]), arg_err(0, "the given object has no attribute \"b\""));
    }

    #[test]
    fn matchkeys_merge_one() {
        same(ok("matchkeys", vec![Value::empty_tuple(), Value::empty_tuple(), strs(&["x"])]), Value::list(Type::Dynamic, vec![]));
        same(ok("matchkeys", vec![strs(&["a", "b"]), strs(&["x", "y"]), Value::empty_tuple()]), slist(&[]));
        same(ok("matchkeys", vec![strs(&["a", "b", "c"]), strs(&["x", "y", "x"]), strs(&["x", "x"])]), slist(&["a", "c"]));
        assert_eq!(err("matchkeys", vec![s("a"), strs(&["a"]), strs(&["a"])]), arg_err(0, "list of dynamic required, but have string"));
        same(
            ok("merge", vec![obj(vec![("a", s("b")), ("c", s("d"))]), obj(vec![("e", s("f")), ("c", s("z"))])]),
            obj(vec![("a", s("b")), ("c", s("z")), ("e", s("f"))]),
        );
        same(ok("merge", vec![]), Value::empty_object());
        same(ok("merge", vec![Value::empty_object(), null()]), Value::empty_object());
        let m1 = Value::map(Type::Number, BTreeMap::from([("a".to_string(), n("1"))]));
        same(ok("merge", vec![m1.clone(), obj(vec![("b", s("x"))])]), obj(vec![("a", n("1")), ("b", s("x"))]));
        same(ok("merge", vec![m1.clone(), m1.clone()]), m1);
        same(
            ok("merge", vec![obj(vec![("a", obj(vec![("x", n("1"))]))]), obj(vec![("a", obj(vec![("y", n("2"))]))])]),
            obj(vec![("a", obj(vec![("y", n("2"))]))]),
        );
        assert_eq!(err("merge", vec![s("a")]), call_err("arguments must be maps or objects, got \"string\""));
        assert!(ok("one", vec![Value::empty_tuple()]).is_null());
        assert!(ok("one", vec![t(vec![null()])]).is_null());
        same(ok("one", vec![slist(&["x"])]), s("x"));
        let msg = "must be a list, set, or tuple value with either zero or one elements";
        assert_eq!(err("one", vec![strs(&["a", "b"])]), arg_err(0, msg));
        assert_eq!(err("one", vec![s("a")]), arg_err(0, msg));
        assert_eq!(err("one", vec![obj(vec![("a", n("1"))])]), arg_err(0, msg));
    }

    #[test]
    fn range_reverse_slice_sort_sum() {
        let nl = |xs: &[&str]| Value::list(Type::Number, xs.iter().map(|x| n(x)).collect());
        same(ok("range", vec![n("3")]), nl(&["0", "1", "2"]));
        same(ok("range", vec![n("4"), n("1")]), nl(&["4", "3", "2"]));
        same(ok("range", vec![n("0")]), nl(&[]));
        same(ok("range", vec![n("-3")]), nl(&["0", "-1", "-2"]));
        same(ok("range", vec![n("0"), n("1"), n("0.25")]), nl(&["0", "0.25", "0.5", "0.75"]));
        assert!(err("range", vec![n("1"), n("2"), n("0")]).1.starts_with("more than 1024 values were generated"));
        assert_eq!(err("range", vec![n("1"), n("2"), n("-1")]), arg_err(1, "end must be less than start when step is negative"));
        assert_eq!(err("range", vec![]), call_err("must have one, two, or three arguments"));
        same(ok("reverse", vec![t(vec![n("1"), s("a"), b(true)])]), t(vec![b(true), s("a"), n("1")]));
        same(ok("reverse", vec![slist(&["x", "y"])]), slist(&["y", "x"]));
        same(ok("reverse", vec![set_of(&["a", "b"])]), slist(&["b", "a"]));
        assert_eq!(err("reverse", vec![s("abc")]), arg_err(0, "can only reverse list or tuple values, not string"));
        same(ok("slice", vec![strs(&["a", "b", "c", "d"]), n("1"), n("3")]), strs(&["b", "c"]));
        same(ok("slice", vec![strs(&["a", "b"]), n("2"), n("2")]), Value::empty_tuple());
        same(ok("slice", vec![slist(&["a", "b", "c"]), n("0"), n("2")]), slist(&["a", "b"]));
        assert_eq!(
            err("slice", vec![strs(&["a"]), n("0"), n("2")]),
            arg_err(2, "end index must not be greater than the length of the list")
        );
        assert_eq!(err("slice", vec![s("abc"), n("0"), n("1")]), arg_err(0, "must be a list or tuple value"));
        same(ok("sort", vec![nums(&["3", "1", "2"])]), slist(&["1", "2", "3"]));
        same(ok("sort", vec![strs(&["b", "B", "a", "A"])]), slist(&["A", "B", "a", "b"]));
        same(ok("sort", vec![strs(&["é", "e", "f"])]), slist(&["e", "f", "é"]));
        assert_eq!(err("sort", vec![t(vec![s("a"), null()])]), call_err("given list element 1 is null; a null string cannot be sorted"));
        same(ok("sum", vec![strs(&["1", "2"])]), n("3"));
        same(ok("sum", vec![Value::set(Type::Number, vec![n("1"), n("2"), n("2")])]), n("3"));
        assert_eq!(err("sum", vec![t(vec![n("1"), s("a")])]), arg_err(0, "argument must be list, set, or tuple of number values"));
        assert_eq!(err("sum", vec![n("5")]), arg_err(0, "cannot sum noniterable"));
        assert_eq!(err("sum", vec![Value::empty_tuple()]), arg_err(0, "cannot sum an empty list"));
    }

    #[test]
    fn sets() {
        same(ok("setintersection", vec![strs(&["a", "b"])]), set_of(&["a", "b"]));
        same(ok("setintersection", vec![nums(&["1"]), strs(&["1"])]), set_of(&["1"]));
        same(ok("setintersection", vec![strs(&["x", "y"]), strs(&["z"])]), set_of(&[]));
        same(ok("setintersection", vec![strs(&["b", "a", "c"]), strs(&["c", "a"])]), set_of(&["a", "c"]));
        assert_eq!(err("setintersection", vec![s("a"), strs(&["a"])]), arg_err(0, "set of dynamic required, but have string"));
        same(ok("setsubtract", vec![Value::empty_tuple(), strs(&["a"])]), set_of(&[]));
        same(ok("setsubtract", vec![nums(&["1", "2"]), nums(&["2"])]), Value::set(Type::Number, vec![n("1")]));
        same(ok("setsubtract", vec![strs(&["b", "a", "b"]), strs(&["x"])]), set_of(&["a", "b"]));
        same(ok("setunion", vec![strs(&["a", "b"]), strs(&["b", "c"]), strs(&["d"])]), set_of(&["a", "b", "c", "d"]));
        same(ok("setunion", vec![nums(&["1"]), strs(&["a"])]), set_of(&["1", "a"]));
        let tt = Type::tuple(vec![Type::String, Type::String]);
        same(
            ok("setproduct", vec![strs(&["development", "staging"]), strs(&["app1", "app2"])]),
            Value::list(
                tt.clone(),
                vec![
                    strs(&["development", "app1"]),
                    strs(&["development", "app2"]),
                    strs(&["staging", "app1"]),
                    strs(&["staging", "app2"]),
                ],
            ),
        );
        same(ok("setproduct", vec![strs(&["a", "a"]), strs(&["b"])]), Value::list(tt, vec![strs(&["a", "b"]), strs(&["a", "b"])]));
        same(
            ok("setproduct", vec![Value::empty_tuple(), strs(&["a"])]),
            Value::list(Type::tuple(vec![Type::Dynamic, Type::String]), vec![]),
        );
        assert_eq!(err("setproduct", vec![strs(&["a"])]), call_err("at least two arguments are required"));
    }

    #[test]
    fn transpose_zipmap() {
        let lt = Type::list(Type::String);
        let m = |kv: Vec<(&str, Value)>| Value::map(lt.clone(), kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        same(
            ok("transpose", vec![obj(vec![("a", strs(&["1", "2"])), ("b", strs(&["2", "3"]))])]),
            m(vec![("1", slist(&["a"])), ("2", slist(&["a", "b"])), ("3", slist(&["b"]))]),
        );
        same(ok("transpose", vec![Value::empty_object()]), m(vec![]));
        same(
            ok("transpose", vec![obj(vec![("b", strs(&["z", "y"])), ("a", strs(&["y"]))])]),
            m(vec![("y", slist(&["a", "b"])), ("z", slist(&["b"]))]),
        );
        same(ok("zipmap", vec![Value::empty_tuple(), Value::empty_tuple()]), Value::empty_object());
        same(ok("zipmap", vec![strs(&["a", "b"]), t(vec![n("1"), s("x")])]), obj(vec![("a", n("1")), ("b", s("x"))]));
        same(ok("zipmap", vec![strs(&["a"]), slist(&["x"])]), Value::map(Type::String, BTreeMap::from([("a".to_string(), s("x"))])));
        assert_eq!(
            err("zipmap", vec![strs(&["a"]), nums(&["1", "2"])]),
            call_err("number of keys (1) does not match number of values (2)")
        );
        assert_eq!(err("zipmap", vec![t(vec![null()]), nums(&["1"])]), call_err("keys list has null value at index 0"));
    }
}

/// Runs the recorded `terraform console` cases of this crate's numeric, string
/// and collection functions through the evaluator in-process (the full corpus
/// runs through the binary in `tests/it/conformance.rs`). Reads the shared
/// conformance corpus (`PLINTH_CORPUS`, else `../shared/conformance` beside
/// the repository); skipped when it is absent.
#[cfg(test)]
mod corpus {
    use crate::{EvalError, Evaluator, Scope};
    use plinth_syntax::ast::Ident;
    use plinth_syntax::FileId;
    use plinth_value::{display_value, Value};

    const GROUPS: &str = "abs ceil floor log max min parseint pow signum chomp endswith format formatlist indent join \
        lower regex regexall replace split startswith strcontains strrev substr title trim trimprefix trimspace \
        trimsuffix upper alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element \
        flatten index keys length lookup matchkeys merge one range reverse setintersection setproduct setsubtract \
        setunion slice sort sum transpose values zipmap";

    struct NoScope;
    impl Scope for NoScope {
        fn reference(&self, root: &Ident, _: &[&Ident]) -> Result<(Value, usize), EvalError> {
            panic!("reference to {root:?}")
        }
    }

    fn norm(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn corpus() {
        let path = std::env::var("PLINTH_CORPUS")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/expressions.jsonl").to_string());
        let Ok(text) = std::fs::read_to_string(path) else { return };
        let groups: Vec<String> = GROUPS.split_whitespace().map(|g| format!("fn-{g}")).collect();
        let (mut pass, mut fail) = (0, 0);
        for line in text.lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            let group = r["group"].as_str().unwrap();
            let expr = r["expr"].as_str().unwrap();
            if !groups.iter().any(|g| g == group) || expr.contains("local.") || expr.contains("var.") {
                continue;
            }
            let (e, diags) = plinth_syntax::parse_expr(FileId(0), expr);
            assert!(diags.is_empty(), "{expr}: {diags:?}");
            let got = Evaluator::new(&NoScope, Default::default()).eval(&e);
            let ok = match (&got, r["error"].as_bool().unwrap()) {
                (Ok(v), false) => {
                    let shown = format!("{}\n", display_value(v));
                    let want = r["console"].as_str().unwrap();
                    if shown != want {
                        println!("MISMATCH {expr}\n  got  {shown:?}\n  want {want:?}");
                    }
                    shown == want
                }
                (Err(e), true) => {
                    let d = &e.diags[0];
                    let summary = format!("Error: {}", d.summary);
                    let want_detail = r["error_detail"].as_str().unwrap();
                    let want_detail = want_detail.split_once("\n\n").map_or("", |x| x.1);
                    let good = summary == r["error_summary"].as_str().unwrap();
                    if !good || norm(&d.detail) != norm(want_detail) {
                        println!("ERRDIFF {expr}\n  got  {summary} / {:?}\n  want {:?} / {want_detail:?}", d.detail, r["error_summary"]);
                    }
                    good
                }
                (Ok(v), true) => {
                    println!("NOERR {expr}: got {}", display_value(v));
                    false
                }
                (Err(e), false) => {
                    println!("ERR {expr}: {:?}", e.diags[0]);
                    false
                }
            };
            if ok {
                pass += 1
            } else {
                fail += 1
            }
        }
        println!("corpus: {pass} passed, {fail} failed");
        assert_eq!(fail, 0, "{fail} corpus cases differ (see the output above)");
    }
}
