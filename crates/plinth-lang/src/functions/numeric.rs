//! Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum.

use num_bigint::BigInt;
use plinth_value::{Number, NumberError, Type, Value};

use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let num = || Param::new("num", Type::Number);
    r.add("abs", Function::new(vec![num().allow_marked()], fixed_type!(Type::Number), abs));
    r.add("ceil", Function::new(vec![num()], fixed_type!(Type::Number), ceil));
    r.add("floor", Function::new(vec![num()], fixed_type!(Type::Number), floor));
    r.add("log", Function::new(vec![num(), Param::new("base", Type::Number)], fixed_type!(Type::Number), log));
    r.add("pow", Function::new(vec![num(), Param::new("power", Type::Number)], fixed_type!(Type::Number), pow));
    r.add("signum", Function::new(vec![num()], fixed_type!(Type::Number), signum));
    r.add("max", Function::new(vec![], fixed_type!(Type::Number), max).variadic(Param::new("numbers", Type::Number)));
    r.add("min", Function::new(vec![], fixed_type!(Type::Number), min).variadic(Param::new("numbers", Type::Number)));
    r.add("parseint", Function::new(vec![Param::new("number", Type::Dynamic), Param::new("base", Type::Number)], parseint_type, parseint));
}

fn num(v: &Value) -> &Number {
    v.as_number().expect("converted to number")
}

/// gocty's conversion of a number to a Go `int`.
pub(super) fn to_int(v: &Value) -> Result<i64, String> {
    let n = v.as_number().ok_or_else(|| "number value is required".to_string())?;
    if n.is_integer() && !n.is_infinite() {
        if let Some(i) = n.to_bigint().and_then(|b| i64::try_from(b).ok()) {
            return Ok(i);
        }
    }
    Err(format!("value must be a whole number, between {} and {}", i64::MIN, i64::MAX))
}

/// `log` and `pow` work in float64 (see [`Number::pow`]); their failures
/// read as Terraform reports them.
fn float_error(e: NumberError) -> FuncError {
    match e {
        NumberError::OutOfRange => FuncError::call(format!("value must be between {} and {} inclusive", "-1.797693e+308", "1.797693e+308")),
        _ => FuncError::call("panic in function implementation: Float.SetFloat64(NaN)"),
    }
}

fn abs(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::number(num(&args[0]).abs()).mark(args[0].marks_deep()))
}

fn ceil(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::number(num(&args[0]).ceil()))
}

fn floor(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::number(num(&args[0]).floor()))
}

fn log(_: &CallCtx, args: &[Value]) -> FuncResult {
    num(&args[0]).log(num(&args[1])).map(Value::number).map_err(float_error)
}

fn pow(_: &CallCtx, args: &[Value]) -> FuncResult {
    num(&args[0]).pow(num(&args[1])).map(Value::number).map_err(float_error)
}

fn signum(_: &CallCtx, args: &[Value]) -> FuncResult {
    let i = to_int(&args[0]).map_err(FuncError::call)?;
    Ok(Value::int(i.signum()))
}

fn max(_: &CallCtx, args: &[Value]) -> FuncResult {
    // cty keeps the first of equal maxima (max(-0, 0) is -0)
    let best = args
        .iter()
        .map(num)
        .reduce(|best, x| if x > best { x } else { best })
        .ok_or_else(|| FuncError::call("must pass at least one number"))?;
    Ok(Value::number(best.clone()))
}

fn min(_: &CallCtx, args: &[Value]) -> FuncResult {
    let best = args.iter().map(num).min_by(|a, b| a.cmp(b)).ok_or_else(|| FuncError::call("must pass at least one number"))?;
    Ok(Value::number(best.clone()))
}

fn parseint_type(args: &[Value]) -> Result<Type, FuncError> {
    let t = args[0].ty();
    if t != Type::String {
        return Err(FuncError::arg(0, format!("first argument must be a string, not {}", t.friendly_name())));
    }
    Ok(Type::Number)
}

fn parseint(_: &CallCtx, args: &[Value]) -> FuncResult {
    parseint_type(args)?;
    let s = args[0].as_str().expect("checked string");
    let base = to_int(&args[1]).map_err(|e| FuncError::arg(1, e))?;
    if !(2..=62).contains(&base) {
        return Err(FuncError::arg(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    let parsed = parse_big_int(s, base as u32)
        .ok_or_else(|| FuncError::arg(0, format!("cannot parse {} as a base {} integer", go_quote(s), base)))?;
    Ok(Value::number(Number::from_bigint(&parsed)))
}

/// Go's `big.Int.SetString(s, base)` for a base in 2..=62: optional sign, no
/// prefix or underscores; letters are case-insensitive up to base 36, beyond
/// that `a-z` are 10..35 and `A-Z` 36..61.
fn parse_big_int(s: &str, base: u32) -> Option<BigInt> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc = BigInt::from(0);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        acc = acc * base + d;
    }
    Some(if neg { -acc } else { acc })
}

/// Go's `%q` of a string (strconv.Quote).
pub(super) fn go_quote(s: &str) -> String {
    plinth_value::go_quote(s)
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use plinth_value::{Number, Value};

    fn n(s: &str) -> Value {
        Value::number(Number::parse(s).unwrap())
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn num_of(v: Value) -> String {
        v.as_number().unwrap().to_string()
    }
    fn err_msg(r: Result<Value, CallError>) -> String {
        match r {
            Err(CallError::Func(e)) => e.message,
            other => panic!("expected function error, got {other:?}"),
        }
    }

    #[test]
    fn ceil_floor() {
        assert_eq!(num_of(run("ceil", vec![n("5")]).unwrap()), "5");
        assert_eq!(num_of(run("ceil", vec![n("1.2")]).unwrap()), "2");
        assert_eq!(num_of(run("floor", vec![n("-1.2")]).unwrap()), "-2");
        assert_eq!(num_of(run("floor", vec![s("3.7")]).unwrap()), "3");
        assert_eq!(err_msg(run("ceil", vec![s("a")])), "a number is required");
        assert_eq!(err_msg(run("ceil", vec![Value::bool(true)])), "number required, but have bool");
    }

    #[test]
    fn log_pow() {
        assert_eq!(num_of(run("log", vec![n("50"), n("10")]).unwrap()), "1.6989700043360185");
        assert_eq!(num_of(run("log", vec![n("10"), n("10")]).unwrap()), "1");
        assert_eq!(num_of(run("log", vec![n("0.5"), n("2")]).unwrap()), "-1");
        assert!(err_msg(run("log", vec![n("-1"), n("10")])).starts_with("panic in function implementation"));
        assert_eq!(num_of(run("pow", vec![n("4"), n("0")]).unwrap()), "1");
        assert_eq!(num_of(run("pow", vec![n("2"), n("-1")]).unwrap()), "0.5");
        assert_eq!(num_of(run("pow", vec![n("2"), n("0.5")]).unwrap()), "1.4142135623730951");
        assert_eq!(num_of(run("pow", vec![n("0"), n("0")]).unwrap()), "1");
        assert_eq!(err_msg(run("pow", vec![s("a"), n("2")])), "a number is required");
        assert!(matches!(run("pow", vec![n("2")]), Err(CallError::TooFew { missing: "power", .. })));
    }

    #[test]
    fn max_min() {
        assert_eq!(num_of(run("max", vec![n("12"), n("54"), n("3")]).unwrap()), "54");
        assert_eq!(num_of(run("max", vec![n("1"), s("5")]).unwrap()), "5");
        assert_eq!(num_of(run("min", vec![n("-1"), n("-5")]).unwrap()), "-5");
        assert_eq!(num_of(run("min", vec![s("3"), n("2")]).unwrap()), "2");
        assert_eq!(err_msg(run("max", vec![s("a"), n("1")])), "a number is required");
        assert_eq!(err_msg(run("min", vec![Value::null(plinth_value::Type::Dynamic), n("1")])), "argument must not be null");
        assert_eq!(err_msg(run("max", vec![])), "must pass at least one number");
    }

    #[test]
    fn parseint() {
        assert_eq!(num_of(run("parseint", vec![s("100"), n("10")]).unwrap()), "100");
        assert_eq!(num_of(run("parseint", vec![s("FF"), n("16")]).unwrap()), "255");
        assert_eq!(num_of(run("parseint", vec![s("-zz"), n("36")]).unwrap()), "-1295");
        assert_eq!(num_of(run("parseint", vec![s("Z"), n("62")]).unwrap()), "61");
        assert_eq!(err_msg(run("parseint", vec![s("12"), n("2")])), "cannot parse \"12\" as a base 2 integer");
        assert_eq!(err_msg(run("parseint", vec![s("10"), n("1")])), "base must be a whole number between 2 and 62 inclusive");
        assert_eq!(err_msg(run("parseint", vec![s("0x10"), n("16")])), "cannot parse \"0x10\" as a base 16 integer");
        assert_eq!(err_msg(run("parseint", vec![n("10"), n("10")])), "first argument must be a string, not number");
    }

    #[test]
    fn signum() {
        assert_eq!(num_of(run("signum", vec![n("0")]).unwrap()), "0");
        assert_eq!(num_of(run("signum", vec![s("5")]).unwrap()), "1");
        assert_eq!(num_of(run("signum", vec![n("-7")]).unwrap()), "-1");
        let want = "value must be a whole number, between -9223372036854775808 and 9223372036854775807";
        assert_eq!(err_msg(run("signum", vec![n("-0.001")])), want);
        assert_eq!(err_msg(run("signum", vec![n("1e300")])), want);
    }
}
