//! Expected strings are Terraform's recorded console output from
//! /work/shared/conformance/expressions.jsonl (ids in comments).

use super::*;
use std::collections::hash_map::DefaultHasher;

fn n(s: &str) -> Number {
    Number::parse(s).unwrap_or_else(|| panic!("parse {s:?}"))
}

fn show(x: Result<Number, NumberError>) -> String {
    x.unwrap().to_string()
}

const ONE_THIRD: &str = "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335";

#[test]
fn one_third_matches_terraform() {
    // lang-arith-12, lang-numstr-5
    assert_eq!(show(n("1").div(&n("3"))), ONE_THIRD);
}

#[test]
fn arithmetic_corpus() {
    let cases: &[(&str, Result<Number, NumberError>, &str)] = &[
        ("lang-arith-1", n("1").add(&n("2")), "3"),
        ("lang-arith-3", n("2").mul(&n("3.5")), "7"),
        ("lang-arith-4", n("7").div(&n("2")), "3.5"),
        ("lang-arith-5", n("10").div(&n("4")), "2.5"),
        ("lang-arith-6", n("7").rem(&n("3")), "1"),
        ("lang-arith-7", n("7").neg().rem(&n("3")), "-1"),
        ("lang-arith-8", n("7").rem(&n("3").neg()), "1"),
        ("lang-arith-10", n("5.5").rem(&n("2")), "1.5"),
        (
            "lang-arith-15",
            n("1.1").mul(&n("1.1")),
            "1.2100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        ),
        ("lang-arith-17", n("12345678901234567890").add(&n("1")), "12345678901234567891"),
        (
            "lang-arith-20",
            n("100000000000000000000").mul(&n("100000000000000000000")),
            "10000000000000000000000000000000000000000",
        ),
        (
            "lang-arith-21",
            n("1e-10").mul(&n("1e-10")),
            "0.000000000000000000009999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999",
        ),
        ("lang-arith-22", n("1").div(&n("0")), "+Inf"),
        ("lang-arith-23", n("1").neg().div(&n("0")), "-Inf"),
        ("lang-arith-24", n("1").rem(&n("0")), "1"),
        ("lang-arith-26", Ok(n("5").neg().neg()), "5"),
        ("lang-arith-28", n("2").mul(&n("3").neg()), "-6"),
        ("lang-arith-29", n("5").add(&n("1")), "6"),
        ("lang-arith-30", n("1.5").mul(&n("2")), "3"),
        ("lang-arith-35", n("2").mul(&n("3")).and_then(|p| n("1").add(&p)), "7"),
        ("lang-arith-39", n("2").mul(&n("3")).and_then(|p| p.rem(&n("4"))), "2"),
        ("fn-sum-3", n("0.1").add(&n("0.2")), "0.3"),
        ("fn-sum-5", n("1").neg().add(&n("1e30")), "999999999999999999999999999999"),
        ("fn-sum-4", n("1").add(&n("2")), "3"),
    ];
    for (id, got, want) in cases {
        assert_eq!(got.clone().unwrap().to_string(), *want, "{id}");
    }
}

#[test]
fn literal_formatting_corpus() {
    let cases: &[(&str, &str, &str)] = &[
        ("lang-numfmt-1", "1.0", "1"),
        ("lang-numfmt-3", "0.000001", "0.000001"),
        ("lang-numfmt-4", "1e-7", "0.0000001"),
        ("lang-numfmt-8", "007", "7"),
        ("lang-numfmt-9", "1E2", "100"),
        ("lang-numfmt-10", "123456789.123456789", "123456789.123456789"),
        ("lang-arith-18", "9007199254740993", "9007199254740993"),
        ("lang-numstr-3", "123456789012345678901234567890", "123456789012345678901234567890"),
        ("lang-numstr-9", "1e21", "1000000000000000000000"),
        ("fn-abs-5", "1e40", "10000000000000000000000000000000000000000"),
        ("fn-tonumber-1", "1", "1"),
        ("fn-tonumber-4", "-0", "-0"),
        ("fn-tonumber-6", "0.10", "0.1"),
        ("lang-numstr-11", "0.5", "0.5"),
    ];
    for (id, lit, want) in cases {
        assert_eq!(n(lit).to_string(), *want, "{id}");
    }
    // lang-numfmt-12
    let want = format!("1{}", "0".repeat(400));
    assert_eq!(n("1e400").to_string(), want);
    // fn-min-6
    let want = format!("-1{}", "0".repeat(100));
    assert_eq!(n("1e100").neg().to_string(), want);
    assert!(n("1e100").neg() < n("0"));
}

#[test]
fn parse_rejects_what_go_rejects() {
    // fn-tonumber-7, fn-tonumber-10
    for bad in ["0x10", " 1", "1 ", "", "-", ".", "e5", "1e", "1e+", "1_000", "1..2", "infinity", "NaN", "+-1"] {
        assert!(Number::parse(bad).is_none(), "{bad:?} should not parse");
    }
    assert_eq!(n("1.").to_string(), "1");
    assert_eq!(n(".5").to_string(), "0.5");
    assert_eq!(n("+5").to_string(), "5");
    assert_eq!(n("1p4").to_string(), "16"); // Go accepts binary exponents
    assert_eq!(n("Inf").to_string(), "+Inf");
    assert_eq!(n("-inf").to_string(), "-Inf");
    assert_eq!(n("+Inf").to_string(), "+Inf");
    assert!(Number::parse("1e99999999999999999999").is_none()); // ParseInt range
    assert!(Number::parse("1e3000000000").is_none()); // exponent overflow
}

#[test]
fn negative_zero() {
    // lang-numstr-11 (jsonencode of -0), fn-tonumber-4, fn-abs-4, fn-floor-4
    let nz = n("0").neg();
    assert_eq!(nz.to_string(), "-0");
    assert_eq!(n("-0").to_string(), "-0");
    assert_eq!(nz.abs().to_string(), "0");
    assert_eq!(n("0.0").neg().floor().to_string(), "0");
    assert_eq!(nz, Number::zero());
    assert!(nz.cty_equals(&Number::zero()));
    let h = |x: &Number| {
        let mut s = DefaultHasher::new();
        x.hash(&mut s);
        s.finish()
    };
    assert_eq!(h(&nz), h(&Number::zero()));
    assert_eq!(nz.sign(), 0);
    assert!(nz.is_negative());
    // zero signs through +/-, Go rules
    assert_eq!(show(nz.add(&nz)), "-0");
    assert_eq!(show(nz.sub(&Number::zero())), "-0");
    assert_eq!(show(Number::zero().sub(&Number::zero())), "0");
    assert_eq!(show(n("5").sub(&n("5"))), "0");
    assert_eq!(show(n("5").neg().add(&n("5"))), "0");
    assert_eq!(show(nz.mul(&n("3"))), "-0");
}

#[test]
fn floor_ceil_corpus() {
    assert_eq!(n("5").ceil().to_string(), "5"); // fn-ceil-1
    assert_eq!(n("12345678901234567890.5").ceil().to_string(), "12345678901234567891"); // fn-ceil-5
    assert_eq!(n("5").floor().to_string(), "5"); // fn-floor-1
    assert_eq!(n("3.7").floor().to_string(), "3"); // fn-floor-5
    assert_eq!(n("3.7").neg().floor().to_string(), "-4");
    assert_eq!(n("3.2").neg().ceil().to_string(), "-3");
    assert_eq!(n("0.5").neg().ceil().to_string(), "0");
    assert_eq!(n("3.7").neg().trunc().to_string(), "-3");
    assert_eq!(Number::infinity(true).floor().to_string(), "-Inf");
    assert_eq!(Number::infinity(false).ceil().to_string(), "+Inf");
}

#[test]
fn pow_log_corpus() {
    let p = |a: &str, b: &str| n(a).pow(&n(b)).unwrap().to_string();
    assert_eq!(p("4", "0"), "1"); // fn-pow-2
    assert_eq!(p("2", "-1"), "0.5"); // fn-pow-3
    assert_eq!(p("2", "0.5"), "1.4142135623730951"); // fn-pow-4
    assert_eq!(p("0", "0"), "1"); // fn-pow-5
    assert_eq!(p("2", "64"), "18446744073709550000"); // fn-pow-7
    assert_eq!(n("2").pow(&n("64")).unwrap().prec(), 53);
    assert_eq!(n("8").neg().pow(&n("0.5")), Err(NumberError::NaN));
    assert_eq!(n("1e400").pow(&n("2")), Err(NumberError::OutOfRange));
    assert_eq!(p("10", "400"), "+Inf");
    let l = |a: &str, b: &str| n(a).log(&n(b)).unwrap().to_string();
    assert_eq!(l("50", "10"), "1.6989700043360185"); // fn-log-1
    assert_eq!(l("10", "10"), "1"); // fn-log-4
    assert_eq!(l("0.5", "2"), "-1"); // fn-log-6
    assert_eq!(n("1").neg().log(&n("10")), Err(NumberError::NaN)); // fn-log-8
    assert_eq!(l("0", "10"), "-Inf");
}

#[test]
fn integers_from_functions() {
    // fn-parseint-5: parseint returns a big.Int made into a Float by SetInt
    let big = BigInt::parse_bytes(&[b'1'; 68], 2).unwrap();
    assert_eq!(Number::from_bigint(&big).to_string(), "295147905179352825855");
    assert_eq!(Number::from_i64(-5).to_string(), "-5");
    assert_eq!(Number::from_u64(u64::MAX).to_string(), "18446744073709551615");
    assert_eq!(Number::from_i64(i64::MIN).to_i64(), Some(i64::MIN));
    assert_eq!(n("1e300").to_i64(), None); // fn-signum-6
    assert_eq!(n("0.001").neg().to_i64(), None); // fn-signum-4
    assert_eq!(n("42").to_i64(), Some(42));
    assert_eq!(n("-0").to_u64(), Some(0));
    assert_eq!(n("-1").to_u64(), None);
    assert_eq!(n("3.9").neg().to_bigint(), Some(BigInt::from(-3)));
    assert_eq!(Number::infinity(false).to_bigint(), None);
    // 64-bit integers divide at 64 bits (length(x) / length(y) in Terraform)
    let q = Number::from_i64(1).div(&Number::from_i64(3)).unwrap();
    assert_eq!(q.prec(), 64);
    assert_eq!(q.to_string(), "0.33333333333333333334");
}

#[test]
fn f64_conversions() {
    assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
    assert_eq!(Number::from_f64(-0.0).unwrap().to_string(), "-0");
    assert_eq!(Number::from_f64(f64::INFINITY).unwrap().to_string(), "+Inf");
    assert!(Number::from_f64(f64::NAN).is_none());
    assert_eq!(Number::from_f64(1e300).unwrap().to_f64(), 1e300);
    assert_eq!(Number::from_f64(5e-324).unwrap().to_f64(), 5e-324);
    assert_eq!(n("0.1").to_f64(), 0.1);
    assert_eq!(n("1e-400").to_f64(), 0.0);
    assert_eq!(n("1e400").to_f64(), f64::INFINITY);
    assert_eq!(n("1e400").neg().to_f64(), f64::NEG_INFINITY);
    assert_eq!(n("2.2250738585072011e-308").to_f64(), 2.225_073_858_507_201e-308);
    assert_eq!(n("4.9406564584124654e-324").to_f64(), 5e-324);
    assert_eq!(n("2.4703282292062328e-324").to_f64(), 5e-324);
    assert_eq!(n("2.4703282292062327e-324").to_f64(), 0.0);
    assert_eq!(n("123456789.123456789").to_f64(), 123_456_789.123_456_79);
    // 0.1 as a float64 and as a 512-bit number differ numerically but are
    // equal under cty's equality
    let a = Number::from_f64(0.1).unwrap();
    assert_ne!(a, n("0.1"));
    assert!(a.cty_equals(&n("0.1")));
    assert!(!n("1").cty_equals(&n("1.0000000001")));
}

#[test]
fn infinities_and_nan() {
    let inf = Number::infinity(false);
    let ninf = Number::infinity(true);
    assert_eq!(inf.add(&ninf), Err(NumberError::NaN));
    assert_eq!(inf.sub(&inf), Err(NumberError::NaN));
    assert_eq!(inf.mul(&Number::zero()), Err(NumberError::NaN));
    assert_eq!(Number::zero().div(&Number::zero()), Err(NumberError::NaN));
    assert_eq!(inf.div(&ninf), Err(NumberError::NaN));
    assert_eq!(show(inf.add(&n("1"))), "+Inf");
    assert_eq!(show(inf.mul(&n("1").neg())), "-Inf");
    assert_eq!(show(n("1").div(&inf)), "0");
    assert_eq!(show(n("1").neg().div(&inf)), "-0");
    assert_eq!(show(n("1e308").mul(&n("10"))), "1".to_string() + &"0".repeat(309));
    // modulo with infinities fails in cty (except x % 0)
    assert_eq!(n("5").rem(&inf), Err(NumberError::NaN));
    assert_eq!(inf.rem(&n("5")), Err(NumberError::NaN));
    assert_eq!(show(inf.rem(&Number::zero())), "+Inf");
    assert!(ninf < n("-1e400") && n("1e400") < inf);
    assert!(inf.is_infinite() && !inf.is_integer());
}

#[test]
fn modulo_details() {
    assert_eq!(show(n("0").rem(&n("3"))), "0");
    assert_eq!(show(n("0").neg().rem(&n("3"))), "-0");
    assert_eq!(show(n("5").rem(&n("0").neg())), "5");
    assert_eq!(show(n("5.5").neg().rem(&n("2"))), "-1.5");
    assert_eq!(show(n("10").rem(&n("2.5"))), "0");
    assert_eq!(show(n("0.3").rem(&n("0.1"))), "0");
    assert_eq!(show(n("1e30").rem(&n("7"))), "1");
}

#[test]
fn ordering_and_equality() {
    assert!(n("0.1") < n("0.2"));
    assert!(n("-2") < n("-1"));
    assert_eq!(n("1.0"), Number::from_i64(1));
    assert_eq!(n("1e2"), n("100"));
    assert_eq!(n("1").cmp(&n("1.0000000000000000000000000000001")), Ordering::Less);
    let mut v = [n("3"), n("-1"), n("0.5"), Number::infinity(true), n("1e40")];
    v.sort();
    let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    assert_eq!(s, ["-Inf", "-1", "0.5", "3", "10000000000000000000000000000000000000000"]);
}

#[test]
fn shortest_round_trips() {
    // Text('f', -1) must parse back to the same 512-bit value.
    let mut x = n("1");
    let three = n("3");
    let seven = n("7");
    for _ in 0..40 {
        x = x.div(&three).unwrap().add(&seven).unwrap().mul(&n("1.37")).unwrap();
        let s = x.to_string();
        assert_eq!(Number::parse(&s).unwrap(), x, "{s}");
        let y = n("1").div(&x).unwrap();
        let s = y.to_string();
        assert_eq!(Number::parse(&s).unwrap(), y, "{s}");
    }
    for lit in ["0.1", "0.7", "1e-300", "123.456e-78", "9.999999999999999999999e99", "2e-1000"] {
        assert_eq!(n(lit).to_string(), n(lit).to_string());
        assert_eq!(n(&n(lit).to_string()), n(lit), "{lit}");
    }
    assert_eq!(n("123.456e-78").to_string(), format!("0.{}123456", "0".repeat(75)));
}

/// Differential cases produced by Go 1.19's math/big replicating cty's
/// operations (testdata/oracle.go.txt); each result is `Text('f', -1)@Prec()`
/// or `ERR` (a Go panic / cty error).
#[test]
fn go_oracle_cases() {
    let data = include_str!("testdata/go_oracle.tsv");
    let operand = |enc: &str| -> Number {
        let (kind, v) = enc.split_at(2);
        match kind {
            "p:" => n(v),
            "i:" => Number::from_i64(v.parse().unwrap()),
            "f:" => Number::from_f64(v.parse().unwrap()).unwrap(),
            _ => panic!("{enc}"),
        }
    };
    let fmt_res = |r: Result<Number, NumberError>| match r {
        Ok(x) => format!("{}@{}", x, x.prec()),
        Err(_) => "ERR".to_string(),
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for line in data.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (op, a, b, want) = (f[0], operand(f[1]), operand(f[2]), f[3]);
        let got = match op {
            "add" => fmt_res(a.add(&b)),
            "sub" => fmt_res(a.sub(&b)),
            "mul" => fmt_res(a.mul(&b)),
            "div" => fmt_res(a.div(&b)),
            "mod" => fmt_res(a.rem(&b)),
            "floor" => fmt_res(Ok(a.floor())),
            "ceil" => fmt_res(Ok(a.ceil())),
            "neg" => fmt_res(Ok(a.neg())),
            "abs" => fmt_res(Ok(a.abs())),
            "pow" => fmt_res(a.pow(&b)),
            "log" => fmt_res(a.log(&b)),
            "show" => fmt_res(Ok(a)),
            "f64" => {
                let v = a.to_f64();
                go_g(v)
            }
            _ => panic!("{op}"),
        };
        count += 1;
        if got != want {
            failures.push(format!("{op} {} {} => got {got} want {want}", f[1], f[2]));
        }
    }
    assert!(count > 5000);
    assert!(failures.is_empty(), "{} of {count} differ:\n{}", failures.len(), failures[..failures.len().min(30)].join("\n"));
}

/// strconv.FormatFloat(v, 'g', -1, 64), enough for comparing values.
fn go_g(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    // compare through Rust's shortest repr, normalised to Go's 'g' form
    let s = format!("{:e}", v); // e.g. 1.5e-7, -0e0
    let (mant, exp) = s.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits = mant.trim_start_matches('-').replace('.', "");
    let neg = mant.starts_with('-');
    let body = if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        format!("{}e{}{:02}", m, if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let v = v.abs();
        format!("{}", v)
    };
    format!("{}{}", if neg { "-" } else { "" }, body)
}

/// `big.ParseFloat(s, 10, 512, ToNearestEven)` results from Go 1.19
/// (testdata/oracle_parse.go.txt), printed with `Text('f', -1)@Prec()`.
#[test]
fn go_parse_cases() {
    let data = include_str!("testdata/go_parse.tsv");
    let mut bad = Vec::new();
    for line in data.lines() {
        let (s, want) = line.split_once('\t').unwrap();
        let got = match Number::parse(s) {
            Some(x) => format!("{}@{}", x, x.prec()),
            None => "ERR".into(),
        };
        if got != want {
            bad.push(format!("{s:?}: got {got} want {want}"));
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad[..bad.len().min(20)].join("\n"));
}
