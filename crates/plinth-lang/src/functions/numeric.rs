//! Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum.

use plinth_value::{Type, Value};

use super::{CallCtx, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    r.add("abs", Function::new(vec![Param::new("num", Type::Number)], fixed_type!(Type::Number), abs));
}

fn abs(_: &CallCtx, args: &[Value]) -> FuncResult {
    let n = args[0].as_number().expect("converted to number");
    Ok(Value::number(n.abs()))
}
