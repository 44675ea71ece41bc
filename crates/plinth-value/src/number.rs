//! Terraform's number: an emulation of Go's `*big.Float` as go-cty uses it.
//!
//! A finite number is `(-1)^neg * mant * 2^exp` with `mant` odd, plus ±0 and
//! ±Inf. Every value also carries its *precision* in bits, exactly as a Go
//! `big.Float` does, because the precision is observable: it decides how
//! results are rounded and how many digits `Text('f', -1)` prints. Numbers
//! parsed from text (HCL literals, `tonumber`, JSON) have 512 bits, integers
//! made by functions (`length`, ...) have 64 bits (`NumberIntVal`), and
//! numbers made from a float64 (`pow`, `log`) have 53 bits, which is why
//! Terraform prints `pow(2, 64)` as `18446744073709550000`.
//!
//! Semantics follow Go's `math/big` (float.go, floatconv.go, ftoa.go,
//! decimal.go) and go-cty v1.18 (`cty/value_ops.go`,
//! `cty/function/stdlib/number.go`); each method documents the rule it
//! follows. All rounding is to nearest, ties to even (cty never uses another
//! mode). The code here is an independent implementation on `num-bigint`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

/// Precision (mantissa bits) of numbers parsed from text: cty's
/// `ParseNumberVal` uses `big.ParseFloat(s, 10, 512, big.ToNearestEven)`.
pub const PARSE_PREC: u32 = 512;

/// Go's `big.MaxExp` / `big.MinExp`: the exponent `e` of `0.mant * 2^e` is an
/// int32; beyond it a result overflows to ±Inf or underflows to ±0.
const MAX_EXP: i64 = i32::MAX as i64;
const MIN_EXP: i64 = i32::MIN as i64;

/// plinth's own exponent range for results: beyond 2^±1048576 (about
/// 10^±315652) a value overflows to ±Inf or underflows to ±0. Go allows
/// exponents up to 2^31, but printing such a number takes hundreds of
/// megabytes and minutes; no configuration needs a number with more than
/// 300,000 digits, and input like `1e999999999` must not stall evaluation.
const VALUE_MAX_EXP: i64 = 1 << 20;
const VALUE_MIN_EXP: i64 = -(1 << 20);

#[derive(Clone, Debug)]
enum Form {
    Zero,
    /// `mant` is odd (normalized: no trailing zero bits) and nonzero.
    Finite {
        mant: BigUint,
        exp: i64,
    },
    Inf,
}

#[derive(Clone, Debug)]
pub struct Number {
    neg: bool,
    form: Form,
    /// Go's `Float.Prec()`; always > 0.
    prec: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// 0/0, Inf/Inf, Inf-Inf, 0*Inf: results Go's big.Float refuses (ErrNaN).
    /// Also: `pow`/`log` whose float64 result is NaN (Go panics in
    /// `Float.SetFloat64(NaN)`), and the `%` cases with infinities that fail
    /// in cty (see [`Number::rem`]).
    NaN,
    /// Kept for API compatibility; no operation returns it. Terraform (cty's
    /// `Divide`, `big.Float.Quo`) evaluates `x / 0` to ±Inf for nonzero x:
    /// the conformance corpus records `1 / 0` as `+Inf` and `-1 / 0` as `-Inf`.
    DivideByZero,
    /// A finite number outside float64's range passed to a function that
    /// works in float64 (`pow`, `log`): gocty reports "value must be between
    /// -1.797693e+308 and 1.797693e+308 inclusive" (formatted with `%f`).
    OutOfRange,
}

// ---------------------------------------------------------------------------
// construction and rounding

fn bits(m: &BigUint) -> i64 {
    m.bits() as i64
}

impl Number {
    fn zero_with(neg: bool, prec: u32) -> Number {
        Number { neg, form: Form::Zero, prec }
    }
    fn inf_with(neg: bool, prec: u32) -> Number {
        Number { neg, form: Form::Inf, prec }
    }

    /// Round the exact value `(mant + s) * 2^exp` to `prec` bits, nearest
    /// even, where `s` is a positive amount smaller than one unit of `mant`'s
    /// last bit if `sticky` is set (and 0 otherwise). Callers passing
    /// `sticky` must give `mant` at least `prec + 2` bits. Applies Go's
    /// exponent range (setExpAndRound / round).
    fn round(neg: bool, mant: BigUint, exp: i64, sticky: bool, prec: u32) -> Number {
        if mant.is_zero() {
            return Number::zero_with(neg, prec);
        }
        let bl = bits(&mant);
        let gexp = exp + bl;
        if gexp < VALUE_MIN_EXP {
            return Number::zero_with(neg, prec);
        }
        if gexp > VALUE_MAX_EXP {
            return Number::inf_with(neg, prec);
        }
        let p = prec as i64;
        let (mut m, mut e) = if bl > p {
            let shift = (bl - p) as u64;
            let rbit = mant.bit(shift - 1);
            let below = sticky || (shift >= 2 && low_bits_nonzero(&mant, shift - 1));
            let mut m = &mant >> shift;
            if rbit && (below || m.bit(0)) {
                m += 1u32;
                if bits(&m) > p {
                    m >>= 1u32;
                    return Number::finalize(neg, m, exp + shift as i64 + 1, prec);
                }
            }
            (m, exp + shift as i64)
        } else {
            debug_assert!(!sticky, "sticky rounding needs prec+2 bits");
            (mant, exp)
        };
        let tz = m.trailing_zeros().unwrap_or(0);
        if tz > 0 {
            m >>= tz;
            e += tz as i64;
        }
        Number::finalize(neg, m, e, prec)
    }

    fn finalize(neg: bool, mut m: BigUint, mut e: i64, prec: u32) -> Number {
        let tz = m.trailing_zeros().unwrap_or(0);
        if tz > 0 {
            m >>= tz;
            e += tz as i64;
        }
        if e + bits(&m) > VALUE_MAX_EXP {
            return Number::inf_with(neg, prec);
        }
        Number { neg, form: Form::Finite { mant: m, exp: e }, prec }
    }

    /// Go's `Float.SetInt` on a float whose precision is `prec` (nonzero).
    fn set_int_prec(i: &BigInt, prec: u32) -> Number {
        let (sign, mag) = i.clone().into_parts();
        Number::round(sign == Sign::Minus, mag, 0, false, prec)
    }

    /// The precision Go would give this value (`Float.Prec()`).
    pub fn prec(&self) -> u32 {
        self.prec
    }

    /// Go's `Float.MinPrec()`: bits needed to represent the value exactly.
    pub fn min_prec(&self) -> u32 {
        match &self.form {
            Form::Finite { mant, .. } => mant.bits() as u32,
            _ => 0,
        }
    }

    /// The same value with its precision changed like Go's `SetPrec`
    /// (rounding to nearest even when the precision shrinks).
    pub fn with_prec(&self, prec: u32) -> Number {
        let prec = prec.max(1);
        match &self.form {
            Form::Finite { mant, exp } => Number::round(self.neg, mant.clone(), *exp, false, prec),
            _ => Number { neg: self.neg, form: self.form.clone(), prec },
        }
    }
}

fn low_bits_nonzero(m: &BigUint, n: u64) -> bool {
    // any of bits 0..n set?
    match m.trailing_zeros() {
        Some(tz) => tz < n,
        None => false,
    }
}

// ---------------------------------------------------------------------------
// public constructors and queries

impl Number {
    /// +0 (cty.Zero = NumberIntVal(0): precision 64).
    pub fn zero() -> Number {
        Number::zero_with(false, 64)
    }

    /// cty `NumberIntVal`: `SetInt64`, precision 64.
    pub fn from_i64(i: i64) -> Number {
        Number::set_int_prec(&BigInt::from(i), 64)
    }

    /// cty `NumberUIntVal`: `SetUint64`, precision 64.
    pub fn from_u64(u: u64) -> Number {
        Number::set_int_prec(&BigInt::from(u), 64)
    }

    /// cty `NumberFloatVal`: `SetFloat64`, exact, precision 53. `None` for NaN
    /// (Go panics there). Keeps the sign of -0.0.
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            return None;
        }
        let neg = f.is_sign_negative();
        if f == 0.0 {
            return Some(Number::zero_with(neg, 53));
        }
        if f.is_infinite() {
            return Some(Number::inf_with(neg, 53));
        }
        let b = f.to_bits();
        let bexp = ((b >> 52) & 0x7ff) as i64;
        let frac = b & ((1u64 << 52) - 1);
        let (m, e) = if bexp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), bexp - 1075) };
        Some(Number::round(neg, BigUint::from(m), e, false, 53))
    }

    /// `SetInt` on a fresh Float: precision max(bit length, 64), exact.
    pub fn from_bigint(i: &BigInt) -> Number {
        let prec = (i.bits() as u32).max(64);
        Number::set_int_prec(i, prec)
    }

    /// `big.ParseFloat(s, 10, 512, ToNearestEven)`, as cty's `ParseNumberVal`.
    ///
    /// Accepts `[+-]digits[.digits][(e|E|p|P)[+-]digits]` (also `1.` and
    /// `.5`; a `p` exponent is binary, as in Go), and exactly `Inf`/`inf` with
    /// an optional sign. Rejects anything else (spaces, `0x`, `_`, empty).
    /// Rounding reproduces Go's algorithm, including its intermediate
    /// rounding of 5^n to 576 bits for decimal exponents beyond 27.
    pub fn parse(s: &str) -> Option<Number> {
        // Parsing is quadratic in the number of digits; nothing legitimate
        // has more than a hundred thousand (see VALUE_MAX_EXP).
        if s.len() > 1 << 17 {
            return None;
        }
        parse_go(s, PARSE_PREC)
    }

    /// ±Inf (precision 512, like `ParseNumberVal("Inf")`).
    pub fn infinity(negative: bool) -> Number {
        Number::inf_with(negative, PARSE_PREC)
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self.form, Form::Inf)
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.form, Form::Zero)
    }

    /// Go's `Float.Signbit`: true for negative numbers, -0 and -Inf.
    pub fn is_negative(&self) -> bool {
        self.neg
    }

    /// -1, 0 or 1 (`Float.Sign`): both zeros give 0.
    pub fn sign(&self) -> i8 {
        match self.form {
            Form::Zero => 0,
            _ if self.neg => -1,
            _ => 1,
        }
    }

    /// Go's `Float.IsInt`: zeros are integers, infinities are not.
    pub fn is_integer(&self) -> bool {
        match &self.form {
            Form::Zero => true,
            Form::Inf => false,
            Form::Finite { exp, .. } => *exp >= 0,
        }
    }

    /// Some only for exact integers in i64's range.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        self.trunc_int().and_then(|(i, _)| i.to_i64())
    }

    /// Some only for exact integers in u64's range (-0 gives 0).
    pub fn to_u64(&self) -> Option<u64> {
        if !self.is_integer() {
            return None;
        }
        self.trunc_int().and_then(|(i, _)| i.to_u64())
    }

    /// Go's `Float.Float64()`: the nearest float64 (ties to even, with
    /// subnormals), ±Inf beyond float64's range, ±0 below it.
    pub fn to_f64(&self) -> f64 {
        self.to_f64_acc().0
    }

    /// `to_f64` plus whether the conversion was exact.
    fn to_f64_acc(&self) -> (f64, bool) {
        let sgn = if self.neg { -1.0 } else { 1.0 };
        let (mant, exp) = match &self.form {
            Form::Zero => return (sgn * 0.0, true),
            Form::Inf => return (sgn * f64::INFINITY, true),
            Form::Finite { mant, exp } => (mant, *exp),
        };
        // value = mant * 2^exp in [2^e1, 2^(e1+1))
        let e1 = exp + bits(mant) - 1;
        // precision available at this magnitude
        let p: i64 = if e1 >= -1022 { 53 } else { 53 - (-1022 - e1) };
        if p <= 0 {
            // Go: p < 0 or (p == 0 and mantissa == 0.5 exactly) underflow to
            // zero; otherwise round up to the smallest subnormal.
            if p < 0 || mant.is_one() {
                return (sgn * 0.0, false);
            }
            return (sgn * f64::from_bits(1), false);
        }
        let r = Number::round(false, mant.clone(), exp, false, p as u32);
        let exact = r.cmp_abs(self) == Ordering::Equal;
        let (m, e) = match &r.form {
            Form::Finite { mant, exp } => (mant.to_u64().unwrap(), *exp),
            _ => unreachable!(),
        };
        let e1 = e + bits(&BigUint::from(m)) - 1;
        if e1 > 1023 {
            return (sgn * f64::INFINITY, false);
        }
        // m * 2^e, with m < 2^53 and the result representable exactly
        let v = if e1 >= -1022 {
            // normal: shift m to 53 bits
            let sh = 52 - (bits(&BigUint::from(m)) - 1);
            let m53 = m << sh;
            let be = (e1 + 1023) as u64;
            f64::from_bits((be << 52) | (m53 & ((1u64 << 52) - 1)))
        } else {
            // subnormal: value = k * 2^-1074
            let k = m << (e + 1074);
            f64::from_bits(k)
        };
        (sgn * v, exact)
    }

    /// The integer part (truncated toward zero), as Go's `Float.Int`; `None`
    /// for infinities.
    pub fn to_bigint(&self) -> Option<BigInt> {
        self.trunc_int().map(|(i, _)| i)
    }

    /// Truncate toward zero. Returns the integer and the Go accuracy of the
    /// truncation relative to self: Less (Below), Equal (Exact), Greater
    /// (Above). None for Inf.
    fn trunc_int(&self) -> Option<(BigInt, Ordering)> {
        match &self.form {
            Form::Zero => Some((BigInt::zero(), Ordering::Equal)),
            Form::Inf => None,
            Form::Finite { mant, exp } => {
                let (mag, exact) = if *exp >= 0 {
                    (mant << (*exp as u64), true)
                } else {
                    // mant is odd: some bits are always lost
                    (mant >> ((-*exp) as u64), false)
                };
                let sign = if self.neg { Sign::Minus } else { Sign::Plus };
                let i = BigInt::from_biguint(sign, mag);
                let acc = if exact {
                    Ordering::Equal
                } else if self.neg {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                Some((i, acc))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// arithmetic

impl Number {
    fn parts(&self) -> Option<(&BigUint, i64)> {
        match &self.form {
            Form::Finite { mant, exp } => Some((mant, *exp)),
            _ => None,
        }
    }

    /// Compare magnitudes of two numbers (Inf largest, zero smallest).
    fn cmp_abs(&self, o: &Number) -> Ordering {
        match (&self.form, &o.form) {
            (Form::Zero, Form::Zero) | (Form::Inf, Form::Inf) => Ordering::Equal,
            (Form::Zero, _) | (_, Form::Inf) => Ordering::Less,
            (_, Form::Zero) | (Form::Inf, _) => Ordering::Greater,
            (Form::Finite { mant: a, exp: ea }, Form::Finite { mant: b, exp: eb }) => {
                let ga = ea + bits(a);
                let gb = eb + bits(b);
                if ga != gb {
                    return ga.cmp(&gb);
                }
                // same magnitude exponent: align on the smaller exp
                if ea <= eb {
                    a.cmp(&(b << ((eb - ea) as u64)))
                } else {
                    (a << ((ea - eb) as u64)).cmp(b)
                }
            }
        }
    }

    /// Go `z.Add(x, y)` with `z.prec = prec`.
    fn go_add(x: &Number, y: &Number, prec: u32) -> Result<Number, NumberError> {
        match (&x.form, &y.form) {
            (Form::Finite { .. }, Form::Finite { .. }) => Ok(Number::add_finite(x, y, y.neg, prec)),
            (Form::Inf, Form::Inf) if x.neg != y.neg => Err(NumberError::NaN),
            (Form::Zero, Form::Zero) => Ok(Number::zero_with(x.neg && y.neg, prec)),
            (Form::Inf, _) | (_, Form::Zero) => Ok(x.set_prec_round(prec)),
            _ => Ok(y.set_prec_round(prec)),
        }
    }

    /// Go `z.Sub(x, y)` with `z.prec = prec`.
    fn go_sub(x: &Number, y: &Number, prec: u32) -> Result<Number, NumberError> {
        match (&x.form, &y.form) {
            (Form::Finite { .. }, Form::Finite { .. }) => Ok(Number::add_finite(x, y, !y.neg, prec)),
            (Form::Inf, Form::Inf) if x.neg == y.neg => Err(NumberError::NaN),
            (Form::Zero, Form::Zero) => Ok(Number::zero_with(x.neg && !y.neg, prec)),
            (Form::Inf, _) | (_, Form::Zero) => Ok(x.set_prec_round(prec)),
            _ => Ok(y.neg().set_prec_round(prec)),
        }
    }

    /// Go `z.Set(x)` where z has precision `prec`.
    fn set_prec_round(&self, prec: u32) -> Number {
        if prec < self.prec {
            self.with_prec(prec)
        } else {
            Number { neg: self.neg, form: self.form.clone(), prec }
        }
    }

    /// x + (±|y|) for finite x, y, where `yneg` is the sign to use for y.
    fn add_finite(x: &Number, y: &Number, yneg: bool, prec: u32) -> Number {
        let (xm, xe) = x.parts().unwrap();
        let (ym, ye) = y.parts().unwrap();
        let same_sign = x.neg == yneg;
        // Go: z.neg = x.neg; if signs differ and |x| <= |y|, negate and swap.
        let (hi, hineg, lo) =
            if same_sign || x.cmp_abs(y) == Ordering::Greater { ((xm, xe), x.neg, (ym, ye)) } else { ((ym, ye), !x.neg, (xm, xe)) };
        // Far-apart operands: avoid huge shifts; the small one only acts as a
        // sticky bit below the rounding position.
        let hi_g = hi.1 + bits(hi.0);
        let lo_g = lo.1 + bits(lo.0);
        if hi_g - lo_g > prec as i64 + 4096 {
            let k = (prec as i64 + 3 - bits(hi.0)).max(0) as u64;
            let m = hi.0 << k;
            let e = hi.1 - k as i64;
            let m = if same_sign { m } else { m - 1u32 };
            return Number::round(hineg, m, e, true, prec);
        }
        let e = xe.min(ye);
        let a = hi.0 << ((hi.1 - e) as u64);
        let b = lo.0 << ((lo.1 - e) as u64);
        let m = if same_sign { a + b } else { a - b };
        if m.is_zero() {
            // Go: exact cancellation gives +0
            return Number::zero_with(false, prec);
        }
        Number::round(hineg, m, e, false, prec)
    }

    /// Go `z.Mul(x, y)` with `z.prec = prec`.
    fn go_mul(x: &Number, y: &Number, prec: u32) -> Result<Number, NumberError> {
        let neg = x.neg != y.neg;
        match (&x.form, &y.form) {
            (Form::Finite { mant: a, exp: ea }, Form::Finite { mant: b, exp: eb }) => Ok(Number::round(neg, a * b, ea + eb, false, prec)),
            (Form::Zero, Form::Inf) | (Form::Inf, Form::Zero) => Err(NumberError::NaN),
            (Form::Inf, _) | (_, Form::Inf) => Ok(Number::inf_with(neg, prec)),
            _ => Ok(Number::zero_with(neg, prec)),
        }
    }

    /// Go `z.Quo(x, y)` with `z.prec = prec`.
    fn go_quo(x: &Number, y: &Number, prec: u32) -> Result<Number, NumberError> {
        let neg = x.neg != y.neg;
        match (&x.form, &y.form) {
            (Form::Finite { mant: a, exp: ea }, Form::Finite { mant: b, exp: eb }) => {
                let k = (prec as i64 + 2 + bits(b) - bits(a)).max(0) as u64;
                let (q, r) = (a << k).div_rem(b);
                Ok(Number::round(neg, q, ea - eb - k as i64, !r.is_zero(), prec))
            }
            (Form::Zero, Form::Zero) | (Form::Inf, Form::Inf) => Err(NumberError::NaN),
            (Form::Zero, _) | (_, Form::Inf) => Ok(Number::zero_with(neg, prec)),
            _ => Ok(Number::inf_with(neg, prec)),
        }
    }

    /// cty `Add`: `new(big.Float).Add(a, b)`, precision max of the operands.
    /// Err(NaN) for +Inf + -Inf.
    pub fn add(&self, o: &Number) -> Result<Number, NumberError> {
        Number::go_add(self, o, self.prec.max(o.prec))
    }

    /// cty `Subtract`, which is `a.Add(b.Negate())`.
    pub fn sub(&self, o: &Number) -> Result<Number, NumberError> {
        Number::go_add(self, &o.neg(), self.prec.max(o.prec))
    }

    /// cty `Multiply`: product rounded to 512 bits, then given precision
    /// max(prec(a), prec(b), MinPrec(product)). Err(NaN) for 0 * Inf.
    pub fn mul(&self, o: &Number) -> Result<Number, NumberError> {
        let r = Number::go_mul(self, o, 512)?;
        let p = self.prec.max(o.prec).max(r.min_prec());
        Ok(r.set_prec_round(p))
    }

    /// cty `Divide`: `new(big.Float).Quo(a, b)`, precision max of operands.
    /// x/0 is ±Inf for nonzero x (Terraform prints `1 / 0` as `+Inf`);
    /// 0/0 and Inf/Inf are Err(NaN).
    pub fn div(&self, o: &Number) -> Result<Number, NumberError> {
        Number::go_quo(self, o, self.prec.max(o.prec))
    }

    /// cty `Modulo` (value_ops.go), a truncated-quotient remainder whose
    /// sign follows the dividend (`-7 % 3 == -1`, `7 % -3 == 1`,
    /// `5.5 % 2 == 1.5`):
    ///
    /// * `x % 0` (or `-0`) is `x` — Terraform prints `1 % 0` as `1`.
    /// * otherwise `t = trunc(x / y)`, then with Go floats of x's precision:
    ///   `w = SetInt(t)`, `w = y * w`, `result = x - w`.
    /// * Infinities: cty only special-cases its *global* `PositiveInfinity` /
    ///   `NegativeInfinity` values by pointer identity, which computed
    ///   infinities (`1/0`) never are. On the ordinary path `finite % ±Inf`
    ///   and `±Inf % ±Inf` fail with ErrNaN ("can't use modulo with zero and
    ///   infinity") and `±Inf % finite` panics in Go (nil big.Int); all of
    ///   those return Err(NaN) here. `±Inf % 0` is `±Inf`.
    pub fn rem(&self, o: &Number) -> Result<Number, NumberError> {
        if o.is_zero() {
            return Ok(self.clone());
        }
        let p = self.prec;
        let rat = Number::go_quo(self, o, self.prec.max(o.prec))?;
        let (t, _) = rat.trunc_int().ok_or(NumberError::NaN)?;
        let w = Number::set_int_prec(&t, p);
        let w = Number::go_mul(o, &w, p)?;
        Number::go_sub(self, &w, p)
    }

    /// cty `Negate`: flips the sign (also of zero and Inf), same precision.
    pub fn neg(&self) -> Number {
        Number { neg: !self.neg, form: self.form.clone(), prec: self.prec }
    }

    /// cty `Absolute`: clears the sign (`abs(-0)` prints `0`).
    pub fn abs(&self) -> Number {
        Number { neg: false, form: self.form.clone(), prec: self.prec }
    }

    /// cty stdlib Floor/Ceil: Inf is returned unchanged; otherwise
    /// `i, acc := f.Int(nil)`, step `i` by one when `acc == adjust`, then
    /// `f.SetInt(i)` at f's own precision (an integer result of zero is +0:
    /// `floor(-0.0)` prints `0`).
    fn int_op(&self, adjust: Option<Ordering>) -> Number {
        match self.trunc_int() {
            None => self.clone(),
            Some((mut i, acc)) => {
                match adjust {
                    Some(Ordering::Greater) if acc == Ordering::Greater => i -= 1,
                    Some(Ordering::Less) if acc == Ordering::Less => i += 1,
                    _ => {}
                }
                Number::set_int_prec(&i, self.prec)
            }
        }
    }

    /// cty stdlib `floor` (result keeps this number's precision).
    pub fn floor(&self) -> Number {
        self.int_op(Some(Ordering::Greater))
    }

    /// cty stdlib `ceil`.
    pub fn ceil(&self) -> Number {
        self.int_op(Some(Ordering::Less))
    }

    /// Toward zero, like `Float.Int` then `SetInt` at this precision; Inf
    /// unchanged.
    pub fn trunc(&self) -> Number {
        self.int_op(None)
    }

    /// cty stdlib `pow`: both operands converted to float64 (error if a
    /// finite operand is outside float64's range), Go's `math.Pow`, and the
    /// result made a 53-bit number (`NumberFloatVal`); a NaN result is an
    /// error in Terraform ("panic in function implementation:
    /// Float.SetFloat64(NaN)").
    pub fn pow(&self, power: &Number) -> Result<Number, NumberError> {
        let x = self.to_f64_checked()?;
        let y = power.to_f64_checked()?;
        Number::from_f64(go_pow(x, y)).ok_or(NumberError::NaN)
    }

    /// cty stdlib `log(num, base)`: `math.Log(num) / math.Log(base)` in
    /// float64, result a 53-bit number; NaN (e.g. `log(-1, 10)`) is an error.
    pub fn log(&self, base: &Number) -> Result<Number, NumberError> {
        let x = self.to_f64_checked()?;
        let b = base.to_f64_checked()?;
        Number::from_f64(go_log(x) / go_log(b)).ok_or(NumberError::NaN)
    }

    /// gocty's conversion to float64: inexact conversions that produce an
    /// infinity are refused.
    fn to_f64_checked(&self) -> Result<f64, NumberError> {
        let (f, exact) = self.to_f64_acc();
        if !exact && f.is_infinite() {
            return Err(NumberError::OutOfRange);
        }
        Ok(f)
    }

    /// cty's number equality (`rawNumberEqual`, used by `==`, `Equals`, set
    /// membership): different signs (with ±0 counted as zero) are unequal;
    /// exact integers compare by value; otherwise the numbers are equal iff
    /// `Text('f', -1)` is the same, so a 53-bit `0.1` equals a 512-bit `0.1`.
    /// `Eq` on `Number` is plain numeric equality instead.
    pub fn cty_equals(&self, o: &Number) -> bool {
        if self.sign() != o.sign() {
            return false;
        }
        let a = self.trunc_int();
        let b = o.trunc_int();
        let acc_a = a.as_ref().map(|x| x.1);
        let acc_b = b.as_ref().map(|x| x.1);
        let exact_a = acc_a == Some(Ordering::Equal);
        let exact_b = acc_b == Some(Ordering::Equal);
        // Go compares accuracies first (Inf: Int returns nil with Below/Above)
        if self.is_infinite() || o.is_infinite() {
            return self.is_infinite() && o.is_infinite() && self.neg == o.neg;
        }
        if acc_a != acc_b {
            return false;
        }
        if exact_a && exact_b {
            return a.unwrap().0 == b.unwrap().0;
        }
        self.to_string() == o.to_string()
    }
}

// ---------------------------------------------------------------------------
// parsing (Go floatconv.go semantics, base 10)

fn parse_go(s: &str, prec: u32) -> Option<Number> {
    match s {
        "Inf" | "inf" | "+Inf" | "+inf" => return Some(Number::inf_with(false, prec)),
        "-Inf" | "-inf" => return Some(Number::inf_with(true, prec)),
        _ => {}
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    // mantissa: digits with at most one '.'
    let mut digits = String::new();
    let mut seen_point = false;
    let mut frac_digits: i64 = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            digits.push(c as char);
            if seen_point {
                frac_digits += 1;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits.is_empty() {
        return None;
    }
    // exponent
    let mut exp: i64 = 0;
    let mut ebase = 10;
    if i < b.len() {
        match b[i] {
            b'e' | b'E' => ebase = 10,
            b'p' | b'P' => ebase = 2,
            _ => return None,
        }
        i += 1;
        let mut ed = String::new();
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            if b[i] == b'-' {
                ed.push('-');
            }
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            ed.push(b[i] as char);
            i += 1;
        }
        if i == start || i != b.len() {
            return None;
        }
        // strconv.ParseInt(digits, 10, 64): out of range is an error
        exp = ed.parse::<i64>().ok()?;
    }
    let mant: BigUint = digits.parse().ok()?;
    if mant.is_zero() {
        return Some(Number::zero_with(neg, prec));
    }
    // value = mant * 2^exp2' * 5^exp5, with Go's exponent-range check on
    // exp2 = bitlen(mant) + (binary part of the exponents)
    let mut exp5: i64 = 0;
    let mut e2: i64 = 0;
    if frac_digits > 0 {
        exp5 = -frac_digits;
        e2 = -frac_digits;
    }
    if ebase == 10 {
        exp5 = exp5.checked_add(exp)?;
    }
    e2 = e2.checked_add(exp)?;
    let gexp = bits(&mant).checked_add(e2)?;
    if !(MIN_EXP..=MAX_EXP).contains(&gexp) {
        return None; // Go: "exponent overflow"
    }
    if exp5 == 0 {
        return Some(Number::round(neg, mant, e2, false, prec));
    }
    // z is not rounded before the Mul/Quo: keep it exact (prec is only used
    // as the result precision below).
    let z = Number { neg, form: Form::Finite { mant: BigUint::zero(), exp: 0 }, prec };
    let z = {
        let tz = mant.trailing_zeros().unwrap_or(0);
        Number { form: Form::Finite { mant: &mant >> tz, exp: e2 + tz as i64 }, ..z }
    };
    let p = pow5(exp5.unsigned_abs(), prec + 64);
    let r = if exp5 < 0 { Number::go_quo(&z, &p, prec) } else { Number::go_mul(&z, &p, prec) };
    r.ok()
}

/// Go's `Float.pow5` on a float of precision `prec`.
fn pow5(n: u64, prec: u32) -> Number {
    const M: u64 = 27; // 5^27 is the largest power of 5 in a uint64
    if n <= M {
        return Number::round(false, BigUint::from(5u32).pow(n as u32), 0, false, prec);
    }
    let mut z = Number::round(false, BigUint::from(5u32).pow(M as u32), 0, false, prec);
    let mut n = n - M;
    let fprec = prec + 64;
    let mut f = Number::round(false, BigUint::from(5u32), 0, false, fprec);
    while n > 0 {
        if n & 1 != 0 {
            z = Number::go_mul(&z, &f, prec).expect("finite");
        }
        f = Number::go_mul(&f, &f, fprec).expect("finite");
        n >>= 1;
    }
    z
}

// ---------------------------------------------------------------------------
// formatting: Text('f', -1)

/// Go's `decimal`: value = 0.mant * 10^exp, mant without trailing zeros.
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Exact decimal expansion of m * 2^shift.
    fn new(m: &BigUint, shift: i64) -> Decimal {
        if m.is_zero() {
            return Decimal { mant: Vec::new(), exp: 0 };
        }
        let tz = m.trailing_zeros().unwrap_or(0) as i64;
        let (m, shift) = if shift < 0 {
            let s = tz.min(-shift);
            (m >> (s as u64), shift + s)
        } else {
            (m.clone(), shift)
        };
        let (s, k) = if shift >= 0 {
            ((m << (shift as u64)).to_str_radix(10), 0i64)
        } else {
            let k = -shift;
            ((m * BigUint::from(5u32).pow(k as u32)).to_str_radix(10), k)
        };
        let mut mant = s.into_bytes();
        let exp = mant.len() as i64 - k;
        while mant.last() == Some(&b'0') {
            mant.pop();
        }
        Decimal { mant, exp }
    }

    fn at(&self, i: usize) -> u8 {
        if i < self.mant.len() {
            self.mant[i]
        } else {
            b'0'
        }
    }

    fn trim(&mut self) {
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }

    fn should_round_up(&self, n: usize) -> bool {
        if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            return n > 0 && (self.mant[n - 1] - b'0') & 1 != 0;
        }
        self.mant[n] >= b'5'
    }

    fn round(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        if self.should_round_up(n) {
            self.round_up(n)
        } else {
            self.round_down(n)
        }
    }

    fn round_up(&mut self, mut n: usize) {
        if n >= self.mant.len() {
            return;
        }
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.mant.truncate(1);
            self.mant[0] = b'1';
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }

    fn round_down(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        self.mant.truncate(n);
        self.trim();
    }
}

impl Number {
    /// Go's `roundShortest` for a finite number.
    fn shortest_decimal(&self) -> Decimal {
        let (mant, exp) = self.parts().expect("finite");
        let mut d = Decimal::new(mant, exp);
        // mantissa with exactly prec+1 bits: lsb is half an ulp at prec
        let p1 = self.prec as i64 + 1;
        let b = bits(mant);
        debug_assert!(b <= self.prec as i64);
        let m2 = mant << ((p1 - b) as u64);
        let e2 = exp - (p1 - b);
        let lower = Decimal::new(&(&m2 - 1u32), e2);
        let upper = Decimal::new(&(&m2 + 1u32), e2);
        let inclusive = !m2.bit(1);
        for i in 0..d.mant.len() {
            let m = d.mant[i];
            let l = lower.at(i);
            let u = upper.at(i);
            let okdown = l != m || (inclusive && i + 1 == lower.mant.len());
            let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.mant.len());
            if okdown && okup {
                d.round(i + 1);
                break;
            } else if okdown {
                d.round_down(i + 1);
                break;
            } else if okup {
                d.round_up(i + 1);
                break;
            }
        }
        d
    }
}

impl Number {
    /// The exact decimal expansion of a finite number: `(negative, digits,
    /// exp)` with value = 0.`digits` × 10^`exp`, no trailing zeros in
    /// `digits` (empty for zero). None for infinities. Go's `big.Float`
    /// formats with an explicit precision round from these digits.
    pub fn exact_decimal(&self) -> Option<(bool, Vec<u8>, i64)> {
        match &self.form {
            Form::Inf => None,
            Form::Zero => Some((self.neg, Vec::new(), 0)),
            Form::Finite { mant, exp } => {
                let d = Decimal::new(mant, *exp);
                Some((self.neg, d.mant, d.exp))
            }
        }
    }

    /// `Text('g', 10)` (what Go's `big.Float.String()` returns): ten
    /// significant digits, `%e` form for exponents below -4 or from 10 up.
    /// cty hashes set elements with this text.
    pub fn text_g10(&self) -> String {
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        let (mant, exp) = match &self.form {
            Form::Inf => {
                if !self.neg {
                    out.push('+');
                }
                out.push_str("Inf");
                return out;
            }
            Form::Zero => {
                out.push('0');
                return out;
            }
            Form::Finite { mant, exp } => (mant, *exp),
        };
        let mut d = Decimal::new(mant, exp);
        let mut prec = 10usize;
        d.round(prec);
        let mut eprec = prec as i64;
        if eprec > d.mant.len() as i64 && d.mant.len() as i64 >= d.exp {
            eprec = d.mant.len() as i64;
        }
        let e = d.exp - 1;
        if e < -4 || e >= eprec {
            if prec > d.mant.len() {
                prec = d.mant.len();
            }
            // fmtE with prec-1 digits after the point
            out.push(d.mant.first().map_or('0', |c| *c as char));
            let p = prec.saturating_sub(1);
            if p > 0 {
                out.push('.');
                for i in 1..=p {
                    out.push(d.at(i) as char);
                }
            }
            out.push('e');
            out.push(if e < 0 { '-' } else { '+' });
            if e.abs() < 10 {
                out.push('0');
            }
            out.push_str(&e.abs().to_string());
            return out;
        }
        if prec as i64 > d.exp {
            prec = d.mant.len();
        }
        let frac = (prec as i64 - d.exp).max(0);
        if d.exp > 0 {
            for i in 0..d.exp as usize {
                out.push(d.at(i) as char);
            }
        } else {
            out.push('0');
        }
        if frac > 0 {
            out.push('.');
            for i in 0..frac {
                let j = d.exp + i;
                out.push(if j >= 0 { d.at(j as usize) as char } else { '0' });
            }
        }
        out
    }
}

/// `Text('f', -1)`: `+Inf`, `-Inf`, `-0`, `0.1`, `10000000000000000000000`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        match &self.form {
            Form::Inf => {
                if !self.neg {
                    out.push('+');
                }
                out.push_str("Inf");
            }
            Form::Zero => out.push('0'),
            Form::Finite { .. } => {
                let d = self.shortest_decimal();
                let n = d.mant.len() as i64;
                let frac = (n - d.exp).max(0);
                if d.exp > 0 {
                    let m = n.min(d.exp) as usize;
                    out.push_str(std::str::from_utf8(&d.mant[..m]).unwrap());
                    for _ in m as i64..d.exp {
                        out.push('0');
                    }
                } else {
                    out.push('0');
                }
                if frac > 0 {
                    out.push('.');
                    for i in 0..frac {
                        let j = d.exp + i;
                        out.push(if j >= 0 && j < n { d.mant[j as usize] as char } else { '0' });
                    }
                }
            }
        }
        f.write_str(&out)
    }
}

// ---------------------------------------------------------------------------
// numeric equality / ordering / hashing (precision is ignored; -0 == 0)

impl PartialEq for Number {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Number {
    /// Go's `Float.Cmp`: -Inf < negatives < ±0 < positives < +Inf.
    fn cmp(&self, o: &Self) -> Ordering {
        let sa = self.sign();
        let sb = o.sign();
        if sa != sb {
            return sa.cmp(&sb);
        }
        match sa {
            0 => Ordering::Equal,
            1 => self.cmp_abs(o),
            _ => o.cmp_abs(self),
        }
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match &self.form {
            Form::Zero => 0u8.hash(h),
            Form::Inf => (1u8, self.neg).hash(h),
            Form::Finite { mant, exp } => (2u8, self.neg, mant, *exp).hash(h),
        }
    }
}

// ---------------------------------------------------------------------------
// Go's math.Pow (pure Go on amd64) with the amd64 assembly versions of
// math.Log (log_amd64.s) and math.Exp (exp_amd64.s, FMA path), which is what
// Terraform's linux/amd64 builds run. Other platforms' Go may differ in the
// last bit for fractional powers and logarithms.

/// math.Log as computed by Go's amd64 assembly. (Constants as Go writes
/// them, more digits than an f64 holds: the value is the nearest f64.)
#[allow(clippy::excessive_precision)]
fn go_log(x: f64) -> f64 {
    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const L1: f64 = 6.666666666666735130e-01;
    const L2: f64 = 3.999999999940941908e-01;
    const L3: f64 = 2.857142874366239149e-01;
    const L4: f64 = 2.222219843214978396e-01;
    const L5: f64 = 1.818357216161805012e-01;
    const L6: f64 = 1.531383769920937332e-01;
    const L7: f64 = 1.479819860511658591e-01;
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    // frexp from the raw bits (the assembly does not renormalize subnormals)
    let b = x.to_bits();
    let mut f1 = f64::from_bits((b & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000);
    let mut k = (((b >> 52) & 0x7FF) as i64 - 0x3FE) as f64;
    if f1 < std::f64::consts::FRAC_1_SQRT_2 {
        k -= 1.0;
        f1 *= 2.0;
    }
    let f = f1 - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    let t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// math.Exp as computed by Go's amd64 assembly on a CPU with FMA.
#[allow(clippy::excessive_precision)]
fn go_exp(x: f64) -> f64 {
    // Go's Log2E, the same f64 as Rust's.
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2U: f64 = 0.69314718055966295651160180568695068359375;
    const LN2L: f64 = 0.28235290563031577122588448175013436025525412068e-12;
    const OVERFLOW: f64 = 7.09782712893384e+02;
    const C: [f64; 8] = [
        2.4801587301587301587e-5,
        1.9841269841269841270e-4,
        1.3888888888888888889e-3,
        8.3333333333333333333e-3,
        4.1666666666666666667e-2,
        1.6666666666666666667e-1,
        0.5,
        1.0,
    ];
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == f64::NEG_INFINITY {
        return 0.0;
    }
    if x > OVERFLOW {
        return f64::INFINITY;
    }
    // CVTSD2SL: round to nearest even; out of range gives i32::MIN
    let t = x * LOG2E;
    let r = t.round_ties_even();
    let mut bx: i64 = if r >= i32::MIN as f64 && r <= i32::MAX as f64 { r as i64 } else { i32::MIN as i64 };
    let k = bx as f64;
    let mut x = (-k).mul_add(LN2U, x);
    x = (-k).mul_add(LN2L, x);
    x *= 0.0625;
    let mut t = C[0];
    for c in &C[1..] {
        t = t.mul_add(x, *c);
    }
    x *= t;
    for _ in 0..3 {
        let t = x + 2.0;
        x *= t;
    }
    let t = x + 2.0;
    x = x.mul_add(t, 1.0);
    // return fr * 2**exponent
    bx += 0x3FF;
    if bx <= 0 {
        if bx < -52 {
            return 0.0;
        }
        bx += 0x3FE;
        x *= f64::from_bits((bx as u64) << 52);
        bx = 1;
    } else if bx >= 0x7FF {
        return f64::INFINITY;
    }
    x * f64::from_bits((bx as u64) << 52)
}

fn go_frexp(f: f64) -> (f64, i64) {
    if f == 0.0 || f.is_infinite() || f.is_nan() {
        return (f, 0);
    }
    let (mut f, mut e) = (f, 0i64);
    if f.abs() < f64::MIN_POSITIVE {
        f *= (1u64 << 52) as f64;
        e = -52;
    }
    let mut x = f.to_bits();
    e += ((x >> 52) & 0x7ff) as i64 - 1022;
    x &= !(0x7ffu64 << 52);
    x |= 1022u64 << 52;
    (f64::from_bits(x), e)
}

fn go_ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || frac.is_infinite() || frac.is_nan() {
        return frac;
    }
    let (frac, e) = {
        // normalize
        if frac.abs() < f64::MIN_POSITIVE {
            (frac * (1u64 << 52) as f64, -52i64)
        } else {
            (frac, 0)
        }
    };
    let mut exp = exp + e;
    let mut x = frac.to_bits();
    exp += ((x >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0.0f64.copysign(frac);
    }
    if exp > 1023 {
        return if frac < 0.0 { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    x &= !(0x7ffu64 << 52);
    x |= ((exp + 1023) as u64) << 52;
    m * f64::from_bits(x)
}

fn is_odd_int(x: f64) -> bool {
    if x.abs() >= (1u64 << 53) as f64 {
        return false;
    }
    let xi = x.trunc();
    x - xi == 0.0 && (xi as i64) & 1 == 1
}

fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        if y < 0.0 {
            if x.is_sign_negative() && is_odd_int(y) {
                return f64::NEG_INFINITY;
            }
            return f64::INFINITY;
        } else if y > 0.0 {
            if x.is_sign_negative() && is_odd_int(y) {
                return x;
            }
            return 0.0;
        }
    }
    if y.is_infinite() {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        if y < 0.0 {
            return 0.0;
        } else if y > 0.0 {
            return f64::INFINITY;
        }
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let ya = y.abs();
    let mut yi = ya.trunc();
    let mut yf = ya - yi;
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= 9.223_372_036_854_776e18 {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    let mut a1 = 1.0f64;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = go_exp(yf * go_log(x));
    }
    let (mut x1, mut xe) = go_frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    go_ldexp(a1, ae)
}

#[cfg(test)]
mod tests;
