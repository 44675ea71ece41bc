//! Type conversion and sensitivity functions: tostring, tonumber, tobool,
//! tolist, toset, tomap, sensitive, nonsensitive, issensitive.

use plinth_value::{convert, Kind, Marks, Type, Value};

use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    r.add("tostring", to_func(to_string_ret, to_string));
    r.add("tonumber", to_func(to_number_ret, to_number));
    r.add("tobool", to_func(to_bool_ret, to_bool));
    r.add("tolist", to_func(to_list_ret, to_list));
    r.add("toset", to_func(to_set_ret, to_set));
    r.add("tomap", to_func(to_map_ret, to_map));
    let any = || Param::new("value", Type::Dynamic).allow_null().allow_unknown().allow_marked();
    r.add("sensitive", Function::new(vec![any()], same_type, |_, a| Ok(a[0].clone().sensitive())));
    r.add(
        "nonsensitive",
        Function::new(vec![any()], same_type, |_, a| {
            let mut v = a[0].clone();
            v.marks = v.marks.without(Marks::SENSITIVE);
            Ok(v)
        }),
    );
    r.add("issensitive", Function::new(vec![any()], fixed_type!(Type::Bool), |_, a| Ok(Value::bool(a[0].is_sensitive()))));
    r.add("ephemeralasnull", Function::new(vec![any()], same_type, |_, a| Ok(ephemeral_as_null(&a[0]))));
}

/// `ephemeralasnull`: every ephemeral value within `v` (itself included)
/// becomes a null of its type; the rest, and other marks, stay.
fn ephemeral_as_null(v: &Value) -> Value {
    use plinth_value::Kind;
    if v.marks.contains(Marks::EPHEMERAL) {
        return Value::null(v.ty()).mark(v.marks.without(Marks::EPHEMERAL));
    }
    if !v.marks_deep().contains(Marks::EPHEMERAL) {
        return v.clone();
    }
    let out = match &v.kind {
        Kind::List(t, xs) => Value::list(t.clone(), xs.iter().map(ephemeral_as_null).collect()),
        Kind::Set(t, xs) => Value::set(t.clone(), xs.iter().map(ephemeral_as_null).collect()),
        Kind::Tuple(xs) => Value::tuple(xs.iter().map(ephemeral_as_null).collect()),
        Kind::Map(t, m) => Value::map(t.clone(), m.iter().map(|(k, x)| (k.clone(), ephemeral_as_null(x))).collect()),
        Kind::Object(m) => Value::object(m.iter().map(|(k, x)| (k.clone(), ephemeral_as_null(x))).collect()),
        _ => v.clone(),
    };
    out.mark(v.marks)
}

fn same_type(args: &[Value]) -> Result<Type, FuncError> {
    Ok(args[0].ty())
}

fn to_func(ret: super::ReturnTypeFn, call: super::ImplFn) -> Function {
    Function::new(vec![Param::new("v", Type::Dynamic).allow_null().allow_unknown().allow_marked()], ret, call)
}

fn to_string_ret(_: &[Value]) -> Result<Type, FuncError> {
    Ok(Type::String)
}
fn to_number_ret(_: &[Value]) -> Result<Type, FuncError> {
    Ok(Type::Number)
}
fn to_bool_ret(_: &[Value]) -> Result<Type, FuncError> {
    Ok(Type::Bool)
}
fn to_list_ret(a: &[Value]) -> Result<Type, FuncError> {
    plinth_value::convert_type(&a[0].ty(), &Type::list(Type::Dynamic)).map_err(|_| FuncError::arg(0, "cannot convert"))
}
fn to_set_ret(a: &[Value]) -> Result<Type, FuncError> {
    plinth_value::convert_type(&a[0].ty(), &Type::set(Type::Dynamic)).map_err(|_| FuncError::arg(0, "cannot convert"))
}
fn to_map_ret(a: &[Value]) -> Result<Type, FuncError> {
    plinth_value::convert_type(&a[0].ty(), &Type::map(Type::Dynamic)).map_err(|_| FuncError::arg(0, "cannot convert"))
}

fn to_string(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::String)
}
fn to_number(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::Number)
}
fn to_bool(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::Bool)
}
fn to_list(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::list(Type::Dynamic))
}
fn to_set(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::set(Type::Dynamic))
}
fn to_map(_: &CallCtx, a: &[Value]) -> FuncResult {
    to(&a[0], &Type::map(Type::Dynamic))
}

/// Terraform's `to*` functions: a conversion with their own error wording.
fn to(v: &Value, want: &Type) -> FuncResult {
    // Marks on the value itself are kept as they are; conversion preserves them.
    if let Kind::Null(t) = &v.kind {
        if *t == Type::Dynamic {
            return Ok(Value::null(want.clone()).mark(v.marks));
        }
    }
    convert(v, want).map_err(|_| {
        let got = v.ty();
        let what = |s: &Value| match s.as_str() {
            Some(s) if !v.is_null() => plinth_value::go_quote(s),
            _ => "string".to_string(),
        };
        let msg = if v.has_marks_deep() && v.marks_deep().contains(Marks::SENSITIVE) {
            format!("cannot convert this sensitive {} to {}", got.friendly_name(), want.friendly_name_for_constraint())
        } else if got == Type::String && *want == Type::Bool {
            format!("cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed", what(v))
        } else if got == Type::String && *want == Type::Number {
            format!("cannot convert {} to number; given string must be a decimal representation of a number", what(v))
        } else {
            format!("cannot convert {} to {}", got.friendly_name(), want.friendly_name_for_constraint())
        };
        FuncError::arg(0, msg)
    })
}
