//! Placeholder number (f64) until the 512-bit binary float lands.

use std::fmt;

#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub struct Number(f64);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// 0/0, Inf/Inf, Inf-Inf, 0*Inf: results Go's big.Float refuses (ErrNaN).
    NaN,
    DivideByZero,
}

impl Number {
    pub fn zero() -> Number { Number(0.0) }
    pub fn from_i64(i: i64) -> Number { Number(i as f64) }
    pub fn from_u64(u: u64) -> Number { Number(u as f64) }
    pub fn from_f64(f: f64) -> Option<Number> { if f.is_nan() { None } else { Some(Number(f)) } }
    pub fn from_bigint(i: &num_bigint::BigInt) -> Number { use num_traits::ToPrimitive; Number(i.to_f64().unwrap_or(0.0)) }
    pub fn parse(s: &str) -> Option<Number> { s.parse().ok().map(Number) }
    pub fn infinity(negative: bool) -> Number { Number(if negative { f64::NEG_INFINITY } else { f64::INFINITY }) }
    pub fn is_infinite(&self) -> bool { self.0.is_infinite() }
    pub fn is_zero(&self) -> bool { self.0 == 0.0 }
    pub fn sign(&self) -> i8 { if self.0 > 0.0 { 1 } else if self.0 < 0.0 { -1 } else { 0 } }
    pub fn is_integer(&self) -> bool { self.0.fract() == 0.0 }
    pub fn to_i64(&self) -> Option<i64> { if self.is_integer() { Some(self.0 as i64) } else { None } }
    pub fn to_f64(&self) -> f64 { self.0 }
    pub fn to_bigint(&self) -> Option<num_bigint::BigInt> { num_traits::FromPrimitive::from_f64(self.0.trunc()) }
    pub fn add(&self, o: &Number) -> Result<Number, NumberError> { Ok(Number(self.0 + o.0)) }
    pub fn sub(&self, o: &Number) -> Result<Number, NumberError> { Ok(Number(self.0 - o.0)) }
    pub fn mul(&self, o: &Number) -> Result<Number, NumberError> { Ok(Number(self.0 * o.0)) }
    pub fn div(&self, o: &Number) -> Result<Number, NumberError> { if o.0 == 0.0 { Err(NumberError::DivideByZero) } else { Ok(Number(self.0 / o.0)) } }
    pub fn rem(&self, o: &Number) -> Result<Number, NumberError> { Ok(Number(self.0 % o.0)) }
    pub fn neg(&self) -> Number { Number(-self.0) }
    pub fn abs(&self) -> Number { Number(self.0.abs()) }
    pub fn floor(&self) -> Number { Number(self.0.floor()) }
    pub fn ceil(&self) -> Number { Number(self.0.ceil()) }
    pub fn trunc(&self) -> Number { Number(self.0.trunc()) }
}

impl Eq for Number {}
impl Ord for Number {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering { self.0.partial_cmp(&o.0).unwrap_or(std::cmp::Ordering::Equal) }
}
impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) { self.0.to_bits().hash(h) }
}
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.0) }
}
