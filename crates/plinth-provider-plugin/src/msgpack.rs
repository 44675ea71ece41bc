//! plinth values in the protocol's `DynamicValue.msgpack` encoding, as go-cty's
//! `cty/msgpack` package writes and reads it:
//!
//! - encoding is directed by the schema type, not the value's: a value going
//!   where the type is `dynamic` is written as `[type JSON, value]`;
//! - an unknown value is the msgpack extension of type 0 (decoding accepts
//!   any payload, which newer cty uses for refinements, and drops it);
//! - a number is an integer when it is one that fits 64 bits, else a float64
//!   when that is exact, else its decimal text;
//! - objects and maps are msgpack maps with keys in sorted order; lists, sets
//!   and tuples are arrays.
//!
//! Marks (sensitive) never cross the boundary: they are dropped on the way
//! out and the engine re-applies them from the schema and configuration.

use std::collections::BTreeMap;

use plinth_value::{json_type, type_from_json, Kind, Number, Type, Value};
use rmp::Marker;

/// Encodes `v` as a value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(64);
    write(&mut out, v, ty)?;
    Ok(out)
}

fn write(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<(), String> {
    let w = |r: Result<(), rmp::encode::ValueWriteError>| r.map_err(|e| e.to_string());
    if matches!(ty, Type::Dynamic) {
        let vt = v.ty();
        if !matches!(vt, Type::Dynamic) {
            w(rmp::encode::write_array_len(out, 2).map(|_| ()))?;
            let tj = serde_json::to_vec(&json_type(&vt)).map_err(|e| e.to_string())?;
            w(rmp::encode::write_bin(out, &tj))?;
            return write(out, v, &vt);
        }
    }
    match &v.kind {
        Kind::Unknown(_) => {
            // fixext1, type 0, one zero byte: what cty writes for an unknown.
            out.extend_from_slice(&[0xd4, 0, 0]);
            Ok(())
        }
        Kind::Null(_) => {
            out.push(0xc0);
            Ok(())
        }
        Kind::Bool(b) => {
            out.push(if *b { 0xc3 } else { 0xc2 });
            Ok(())
        }
        Kind::String(s) => w(rmp::encode::write_str(out, s)),
        Kind::Number(n) => write_number(out, n),
        Kind::List(_, items) | Kind::Set(_, items) | Kind::Tuple(items) => {
            w(rmp::encode::write_array_len(out, items.len() as u32).map(|_| ()))?;
            for (i, item) in items.iter().enumerate() {
                let et = match ty {
                    Type::List(e) | Type::Set(e) => (**e).clone(),
                    Type::Tuple(ts) => ts.get(i).cloned().ok_or_else(|| format!("tuple element {i} beyond the type {ty:?}"))?,
                    Type::Dynamic => item.ty(),
                    other => return Err(format!("a sequence where {} is expected", other.friendly_name())),
                };
                write(out, item, &et)?;
            }
            Ok(())
        }
        Kind::Map(_, entries) | Kind::Object(entries) => {
            match ty {
                Type::Object(o) => {
                    // Every attribute of the type is written, null when the value lacks it.
                    w(rmp::encode::write_map_len(out, o.attrs.len() as u32).map(|_| ()))?;
                    for (k, at) in &o.attrs {
                        w(rmp::encode::write_str(out, k))?;
                        match entries.get(k) {
                            Some(item) => write(out, item, at)?,
                            None => out.push(0xc0),
                        }
                    }
                }
                Type::Map(e) => {
                    w(rmp::encode::write_map_len(out, entries.len() as u32).map(|_| ()))?;
                    for (k, item) in entries.iter() {
                        w(rmp::encode::write_str(out, k))?;
                        write(out, item, e)?;
                    }
                }
                other => return Err(format!("an object where {} is expected", other.friendly_name())),
            }
            Ok(())
        }
    }
}

fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), String> {
    if n.is_integer() {
        if let Some(i) = n.to_i64() {
            rmp::encode::write_sint(out, i).map_err(|e| e.to_string())?;
            return Ok(());
        }
    }
    let f = n.to_f64();
    if n.is_infinite() || Number::from_f64(f).is_some_and(|back| back == *n) {
        rmp::encode::write_f64(out, f).map_err(|e| e.to_string())?;
        return Ok(());
    }
    rmp::encode::write_str(out, &n.to_string()).map_err(|e| e.to_string())
}

/// Decodes a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, String> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(ty)?;
    if r.pos != bytes.len() {
        return Err(format!("{} bytes left over after the value", bytes.len() - r.pos));
    }
    Ok(v)
}

/// A msgpack reader over a byte slice: rmp's own decoders stop at the
/// marker, and the protocol needs type-directed reading of each value.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or("truncated msgpack value")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
    fn marker(&mut self) -> Result<Marker, String> {
        Ok(Marker::from_u8(self.take(1)?[0]))
    }

    fn value(&mut self, ty: &Type) -> Result<Value, String> {
        let m = self.marker()?;
        match m {
            Marker::Null => return Ok(Value::null(ty.clone())),
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                let len = match m {
                    Marker::FixExt1 => 1,
                    Marker::FixExt2 => 2,
                    Marker::FixExt4 => 4,
                    Marker::FixExt8 => 8,
                    Marker::FixExt16 => 16,
                    Marker::Ext8 => self.uint(1)? as usize,
                    Marker::Ext16 => self.uint(2)? as usize,
                    _ => self.uint(4)? as usize,
                };
                let kind = self.take(1)?[0];
                self.take(len)?;
                if kind != 0 {
                    return Err(format!("unsupported msgpack extension type {kind}"));
                }
                return Ok(Value::unknown(ty.clone()));
            }
            _ => {}
        }
        match ty {
            Type::Dynamic => {
                let n = self.array_len(m)?;
                if n != 2 {
                    return Err("a dynamic value must be a two-element array".into());
                }
                let tm = self.marker()?;
                let tj = self.bytes(tm)?.to_vec();
                let j: serde_json::Value = serde_json::from_slice(&tj).map_err(|e| format!("dynamic value type: {e}"))?;
                let t = type_from_json(&j).ok_or("dynamic value with an invalid type")?;
                self.value(&t)
            }
            Type::Bool => match m {
                Marker::True => Ok(Value::bool(true)),
                Marker::False => Ok(Value::bool(false)),
                _ => Err(format!("bool expected, found {m:?}")),
            },
            Type::String => Ok(Value::string(std::str::from_utf8(self.bytes(m)?).map_err(|e| e.to_string())?)),
            Type::Number => self.number(m).map(Value::number),
            Type::List(e) | Type::Set(e) => {
                let n = self.array_len(m)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(e)?);
                }
                Ok(if matches!(ty, Type::Set(_)) { Value::set((**e).clone(), items) } else { Value::list((**e).clone(), items) })
            }
            Type::Tuple(ts) => {
                let n = self.array_len(m)?;
                if n != ts.len() {
                    return Err(format!("tuple of {} elements expected, found {n}", ts.len()));
                }
                let items = ts.iter().map(|t| self.value(t)).collect::<Result<Vec<_>, _>>()?;
                Ok(Value::tuple(items))
            }
            Type::Map(e) => {
                let n = self.map_len(m)?;
                let mut entries = BTreeMap::new();
                for _ in 0..n {
                    let km = self.marker()?;
                    let k = std::str::from_utf8(self.bytes(km)?).map_err(|e| e.to_string())?.to_string();
                    entries.insert(k, self.value(e)?);
                }
                Ok(Value::map((**e).clone(), entries))
            }
            Type::Object(o) => {
                let n = self.map_len(m)?;
                let mut attrs = BTreeMap::new();
                for _ in 0..n {
                    let km = self.marker()?;
                    let k = std::str::from_utf8(self.bytes(km)?).map_err(|e| e.to_string())?.to_string();
                    let at = o.attrs.get(&k).ok_or_else(|| format!("unsupported attribute {k:?}"))?;
                    attrs.insert(k, self.value(at)?);
                }
                for (k, at) in &o.attrs {
                    attrs.entry(k.clone()).or_insert_with(|| Value::null(at.clone()));
                }
                Ok(Value::object(attrs))
            }
        }
    }

    fn array_len(&mut self, m: Marker) -> Result<usize, String> {
        match m {
            Marker::FixArray(n) => Ok(n as usize),
            Marker::Array16 => Ok(self.uint(2)? as usize),
            Marker::Array32 => Ok(self.uint(4)? as usize),
            other => Err(format!("array expected, found {other:?}")),
        }
    }
    fn map_len(&mut self, m: Marker) -> Result<usize, String> {
        match m {
            Marker::FixMap(n) => Ok(n as usize),
            Marker::Map16 => Ok(self.uint(2)? as usize),
            Marker::Map32 => Ok(self.uint(4)? as usize),
            other => Err(format!("map expected, found {other:?}")),
        }
    }
    /// A string or binary payload.
    fn bytes(&mut self, m: Marker) -> Result<&[u8], String> {
        let n = match m {
            Marker::FixStr(n) => n as usize,
            Marker::Str8 | Marker::Bin8 => self.uint(1)? as usize,
            Marker::Str16 | Marker::Bin16 => self.uint(2)? as usize,
            Marker::Str32 | Marker::Bin32 => self.uint(4)? as usize,
            other => return Err(format!("string expected, found {other:?}")),
        };
        self.take(n)
    }
    fn number(&mut self, m: Marker) -> Result<Number, String> {
        Ok(match m {
            Marker::FixPos(n) => Number::from_u64(u64::from(n)),
            Marker::FixNeg(n) => Number::from_i64(i64::from(n)),
            Marker::U8 => Number::from_u64(self.uint(1)?),
            Marker::U16 => Number::from_u64(self.uint(2)?),
            Marker::U32 => Number::from_u64(self.uint(4)?),
            Marker::U64 => Number::from_u64(self.uint(8)?),
            Marker::I8 => Number::from_i64(i64::from(self.uint(1)? as u8 as i8)),
            Marker::I16 => Number::from_i64(i64::from(self.uint(2)? as u16 as i16)),
            Marker::I32 => Number::from_i64(i64::from(self.uint(4)? as u32 as i32)),
            Marker::I64 => Number::from_i64(self.uint(8)? as i64),
            Marker::F32 => float(f64::from(f32::from_bits(self.uint(4)? as u32)))?,
            Marker::F64 => float(f64::from_bits(self.uint(8)?))?,
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let s = std::str::from_utf8(self.bytes(m)?).map_err(|e| e.to_string())?;
                Number::parse(s).ok_or_else(|| format!("invalid number {s:?}"))?
            }
            other => return Err(format!("number expected, found {other:?}")),
        })
    }
}

fn float(f: f64) -> Result<Number, String> {
    if f.is_infinite() {
        return Ok(Number::infinity(f < 0.0));
    }
    Number::from_f64(f).ok_or_else(|| format!("invalid number {f}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn values_round_trip_through_their_schema_type() {
        let ty = Type::object(BTreeMap::from([
            ("id".to_string(), Type::String),
            ("n".to_string(), Type::Number),
            ("tags".to_string(), Type::map(Type::String)),
            ("ports".to_string(), Type::set(Type::Number)),
            ("any".to_string(), Type::Dynamic),
            ("later".to_string(), Type::list(Type::String)),
        ]));
        let v = obj(&[
            ("id", Value::string("abc")),
            ("n", Value::number(Number::parse("1.5").unwrap())),
            ("tags", Value::map(Type::String, BTreeMap::from([("a".to_string(), Value::string("b"))]))),
            ("ports", Value::set(Type::Number, vec![Value::int(443), Value::int(-80)])),
            ("any", Value::tuple(vec![Value::bool(true), Value::string("x")])),
            ("later", Value::unknown(Type::list(Type::String))),
        ]);
        let bytes = encode(&v, &ty).unwrap();
        let back = decode(&bytes, &ty).unwrap();
        assert!(back.raw_equal(&v), "{back:?}");
    }

    #[test]
    fn the_encoding_is_ctys() {
        let ty = Type::object(BTreeMap::from([("a".to_string(), Type::Number), ("b".to_string(), Type::String)]));
        let v = obj(&[("a", Value::int(1)), ("b", Value::unknown(Type::String))]);
        // {"a": 1, "b": <unknown>} with keys sorted.
        assert_eq!(encode(&v, &ty).unwrap(), vec![0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0xd4, 0x00, 0x00]);
        // A string where the type is dynamic: ["\"string\"", "x"], the type as bin.
        let d = encode(&Value::string("x"), &Type::Dynamic).unwrap();
        assert_eq!(d, vec![0x92, 0xc4, 8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa1, b'x']);
        // A fraction float64 cannot hold exactly goes as text.
        let n = Number::parse("0.1").unwrap();
        let enc = encode(&Value::number(n.clone()), &Type::Number).unwrap();
        assert_eq!(enc[0], 0xa3, "{enc:?}");
        assert!(decode(&enc, &Type::Number).unwrap().raw_equal(&Value::number(n)));
        assert_eq!(encode(&Value::number(Number::parse("0.5").unwrap()), &Type::Number).unwrap()[0], 0xcb);
    }

    #[test]
    fn an_unknown_with_refinements_decodes_as_unknown_and_missing_attributes_as_null() {
        let ty = Type::object(BTreeMap::from([("a".to_string(), Type::String), ("b".to_string(), Type::Bool)]));
        // {"a": ext0 with a 3-byte payload}
        let bytes = [0x81, 0xa1, b'a', 0xc7, 3, 0, 0x81, 0x01, 0xc3];
        let v = decode(&bytes, &ty).unwrap();
        let m = v.as_entries().unwrap();
        assert!(m["a"].is_unknown());
        assert!(m["b"].is_null());
        assert!(decode(&[0x81, 0xa1, b'z', 0xc0], &ty).unwrap_err().contains("unsupported attribute"));
        assert!(decode(&[0x92], &Type::list(Type::String)).is_err(), "truncated input is an error, not a panic");
    }
}
