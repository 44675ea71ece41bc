//! [`Value`]: one Terraform value, possibly null, unknown, or marked sensitive.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Number, Type};

/// Marks carried by a value and propagated through every operation on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Marks(u8);

impl Marks {
    pub const NONE: Marks = Marks(0);
    pub const SENSITIVE: Marks = Marks(1);
    pub const EPHEMERAL: Marks = Marks(2);

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn contains(self, other: Marks) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    pub fn union(self, other: Marks) -> Marks {
        Marks(self.0 | other.0)
    }
    pub fn without(self, other: Marks) -> Marks {
        Marks(self.0 & !other.0)
    }
}

/// A value: its shape ([`Kind`]) plus the marks on this node. Marks on nested
/// values live on those values; [`Value::unmark_deep`] collects them all.
#[derive(Clone, Debug)]
pub struct Value {
    pub kind: Kind,
    pub marks: Marks,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null(Type),
    /// A value not known until apply, of the given type (`Type::Dynamic` when even
    /// the type is unknown).
    Unknown(Type),
    Bool(bool),
    Number(Arc<Number>),
    String(Arc<str>),
    /// Element type, elements (each of exactly that type or null/unknown of it).
    List(Type, Arc<Vec<Value>>),
    /// Element type, elements in cty's set order, without duplicates.
    Set(Type, Arc<Vec<Value>>),
    Map(Type, Arc<BTreeMap<String, Value>>),
    Tuple(Arc<Vec<Value>>),
    Object(Arc<BTreeMap<String, Value>>),
}

impl From<Kind> for Value {
    fn from(kind: Kind) -> Value {
        Value { kind, marks: Marks::NONE }
    }
}

impl Value {
    // ---- constructors -------------------------------------------------------

    pub fn null(ty: Type) -> Value {
        Kind::Null(ty).into()
    }
    pub fn dynamic_null() -> Value {
        Value::null(Type::Dynamic)
    }
    pub fn unknown(ty: Type) -> Value {
        Kind::Unknown(ty).into()
    }
    pub fn dynamic_unknown() -> Value {
        Value::unknown(Type::Dynamic)
    }
    pub fn bool(b: bool) -> Value {
        Kind::Bool(b).into()
    }
    pub fn number(n: Number) -> Value {
        Kind::Number(Arc::new(n)).into()
    }
    pub fn int(i: i64) -> Value {
        Value::number(Number::from_i64(i))
    }
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Kind::String(s.into()).into()
    }
    /// A list whose elements already have type `elem` (or are null/unknown of it).
    pub fn list(elem: Type, items: Vec<Value>) -> Value {
        Kind::List(elem, Arc::new(items)).into()
    }
    /// A set of `elem`: sorts into cty's order and removes duplicates. Marks on
    /// elements move to the set itself, as in cty (set elements cannot be marked).
    pub fn set(elem: Type, items: Vec<Value>) -> Value {
        let mut marks = Marks::NONE;
        let mut items: Vec<Value> = items
            .into_iter()
            .map(|v| {
                let (v, m) = v.unmark_deep();
                marks = marks.union(m);
                v
            })
            .collect();
        let items = sort_set_elements(std::mem::take(&mut items));
        Value { kind: Kind::Set(elem, Arc::new(items)), marks }
    }
    pub fn map(elem: Type, items: BTreeMap<String, Value>) -> Value {
        Kind::Map(elem, Arc::new(items)).into()
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Kind::Tuple(Arc::new(items)).into()
    }
    pub fn object(attrs: BTreeMap<String, Value>) -> Value {
        Kind::Object(Arc::new(attrs)).into()
    }
    pub fn empty_tuple() -> Value {
        Value::tuple(Vec::new())
    }
    pub fn empty_object() -> Value {
        Value::object(BTreeMap::new())
    }

    // ---- marks --------------------------------------------------------------

    pub fn mark(mut self, m: Marks) -> Value {
        self.marks = self.marks.union(m);
        self
    }
    pub fn sensitive(self) -> Value {
        self.mark(Marks::SENSITIVE)
    }
    pub fn is_sensitive(&self) -> bool {
        self.marks.contains(Marks::SENSITIVE)
    }
    /// Removes the marks of this node only.
    pub fn unmark(mut self) -> (Value, Marks) {
        let m = self.marks;
        self.marks = Marks::NONE;
        (self, m)
    }
    /// Removes every mark, nested ones included, returning their union.
    pub fn unmark_deep(self) -> (Value, Marks) {
        if !self.has_marks_deep() {
            return (self, Marks::NONE);
        }
        let mut all = Marks::NONE;
        let v = self.map_deep(&mut |v| {
            all = all.union(v.marks);
            Value { marks: Marks::NONE, ..v }
        });
        (v, all)
    }
    /// True when this value or anything inside it carries a mark.
    pub fn has_marks_deep(&self) -> bool {
        crate::deep(|| {
            if !self.marks.is_empty() {
                return true;
            }
            match &self.kind {
                Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs.iter().any(Value::has_marks_deep),
                Kind::Map(_, m) | Kind::Object(m) => m.values().any(Value::has_marks_deep),
                _ => false,
            }
        })
    }
    /// Union of all marks in this value, nested ones included.
    pub fn marks_deep(&self) -> Marks {
        crate::deep(|| {
            let mut m = self.marks;
            match &self.kind {
                Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs.iter().for_each(|x| m = m.union(x.marks_deep())),
                Kind::Map(_, xs) | Kind::Object(xs) => xs.values().for_each(|x| m = m.union(x.marks_deep())),
                _ => {}
            }
            m
        })
    }

    /// Rebuilds the value bottom-up, applying `f` to every node (children first).
    pub fn map_deep(self, f: &mut dyn FnMut(Value) -> Value) -> Value {
        crate::deep(|| {
            let marks = self.marks;
            let kind = match self.kind {
                Kind::List(t, xs) => Kind::List(t, Arc::new(unwrap_arc(xs).into_iter().map(|x| x.map_deep(f)).collect())),
                Kind::Set(t, xs) => Kind::Set(t, Arc::new(unwrap_arc(xs).into_iter().map(|x| x.map_deep(f)).collect())),
                Kind::Tuple(xs) => Kind::Tuple(Arc::new(unwrap_arc(xs).into_iter().map(|x| x.map_deep(f)).collect())),
                Kind::Map(t, m) => Kind::Map(t, Arc::new(unwrap_arc(m).into_iter().map(|(k, x)| (k, x.map_deep(f))).collect())),
                Kind::Object(m) => Kind::Object(Arc::new(unwrap_arc(m).into_iter().map(|(k, x)| (k, x.map_deep(f))).collect())),
                other => other,
            };
            f(Value { kind, marks })
        })
    }

    // ---- queries ------------------------------------------------------------

    pub fn ty(&self) -> Type {
        crate::deep(|| match &self.kind {
            Kind::Null(t) | Kind::Unknown(t) => t.clone(),
            Kind::Bool(_) => Type::Bool,
            Kind::Number(_) => Type::Number,
            Kind::String(_) => Type::String,
            Kind::List(t, _) => Type::list(t.clone()),
            Kind::Set(t, _) => Type::set(t.clone()),
            Kind::Map(t, _) => Type::map(t.clone()),
            Kind::Tuple(xs) => Type::tuple(xs.iter().map(Value::ty).collect()),
            Kind::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), v.ty())).collect()),
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null(_))
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }
    /// No unknown anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        crate::deep(|| match &self.kind {
            Kind::Unknown(_) => false,
            Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs.iter().all(Value::is_wholly_known),
            Kind::Map(_, m) | Kind::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        })
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match &self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    /// Elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => Some(xs),
            _ => None,
        }
    }
    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match &self.kind {
            Kind::Map(_, m) | Kind::Object(m) => Some(m),
            _ => None,
        }
    }
    /// Whether a collection or structural value has no elements (`false`
    /// for anything else).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Number of elements of a collection or structural value.
    pub fn len(&self) -> Option<usize> {
        self.as_seq().map(<[Value]>::len).or_else(|| self.as_entries().map(BTreeMap::len))
    }

    /// Exact structural identity: same type, same known-ness, same contents,
    /// same marks. (Terraform's `RawEquals`.)
    pub fn raw_equal(&self, other: &Value) -> bool {
        self.identical(other, true)
    }

    /// [`Value::raw_equal`] of the unmarked values, without unmarking them:
    /// whether two values are the same, whatever their marks say.
    pub fn raw_equal_unmarked(&self, other: &Value) -> bool {
        self.identical(other, false)
    }

    fn identical(&self, other: &Value, marks: bool) -> bool {
        if marks && self.marks != other.marks {
            return false;
        }
        let eq = |x: &Value, y: &Value| x.identical(y, marks);
        let entries = |a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>| {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && eq(va, vb))
        };
        match (&self.kind, &other.kind) {
            (Kind::Null(a), Kind::Null(b)) | (Kind::Unknown(a), Kind::Unknown(b)) => a == b,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Number(a), Kind::Number(b)) => a == b,
            (Kind::String(a), Kind::String(b)) => a == b,
            (Kind::List(ta, a), Kind::List(tb, b)) | (Kind::Set(ta, a), Kind::Set(tb, b)) => {
                ta == tb && a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| eq(x, y))
            }
            (Kind::Tuple(a), Kind::Tuple(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| eq(x, y)),
            (Kind::Map(ta, a), Kind::Map(tb, b)) => ta == tb && entries(a, b),
            (Kind::Object(a), Kind::Object(b)) => entries(a, b),
            _ => false,
        }
    }
}

fn unwrap_arc<T: Clone>(a: Arc<T>) -> T {
    Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())
}

/// cty's set element order (`setRules.Less`): known before unknown,
/// non-null before null; strings, numbers and bools in their natural order;
/// any other type by the bytes of its set hash text (`appendSetHashBytes`),
/// compared lexically. Equal values (same hash text) appear once.
pub(crate) fn sort_set_elements(items: Vec<Value>) -> Vec<Value> {
    let mut keyed: Vec<(String, Value)> = items
        .into_iter()
        .map(|v| {
            let mut buf = String::new();
            set_hash_bytes(&v, &mut buf);
            (buf, v)
        })
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| set_less_order(a, b).then_with(|| ka.cmp(kb)));
    let mut out: Vec<(String, Value)> = Vec::with_capacity(keyed.len());
    for (k, v) in keyed {
        // nested unknowns make a value unequal to everything
        let dup = v.is_wholly_known() && out.last().is_some_and(|(ok, o)| *ok == k && o.is_wholly_known() && o.raw_equal(&v));
        if !dup {
            out.push((k, v));
        }
    }
    out.into_iter().map(|(_, v)| v).collect()
}

/// `setRules.Less` as an ordering (Equal where cty's Less is false both ways).
fn set_less_order(a: &Value, b: &Value) -> Ordering {
    match (a.is_known(), b.is_known()) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => return Ordering::Equal,
        _ => {}
    }
    match (a.is_null(), b.is_null()) {
        (false, true) => return Ordering::Less,
        (true, false) => return Ordering::Greater,
        (true, true) => return Ordering::Equal,
        _ => {}
    }
    match (&a.kind, &b.kind) {
        (Kind::String(x), Kind::String(y)) => x.cmp(y),
        (Kind::Number(x), Kind::Number(y)) => x.cmp(y),
        (Kind::Bool(x), Kind::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// cty's `appendSetHashBytes`.
fn set_hash_bytes(v: &Value, buf: &mut String) {
    match &v.kind {
        Kind::Unknown(_) => buf.push('?'),
        Kind::Null(_) => buf.push('~'),
        Kind::Number(n) => buf.push_str(&n.text_g10()),
        Kind::Bool(b) => buf.push(if *b { 'T' } else { 'F' }),
        Kind::String(s) => buf.push_str(&crate::display::go_quote(s)),
        Kind::Map(_, m) => {
            buf.push('{');
            for (k, x) in m.iter() {
                buf.push_str(&crate::display::go_quote(k));
                buf.push(':');
                set_hash_bytes(x, buf);
                buf.push(';');
            }
            buf.push('}');
        }
        Kind::List(_, xs) | Kind::Set(_, xs) => {
            buf.push('[');
            for x in xs.iter() {
                set_hash_bytes(x, buf);
                buf.push(';');
            }
            buf.push(']');
        }
        Kind::Tuple(xs) => {
            buf.push('<');
            for x in xs.iter() {
                set_hash_bytes(x, buf);
                buf.push(';');
            }
            buf.push('>');
        }
        Kind::Object(m) => {
            buf.push('<');
            for x in m.values() {
                set_hash_bytes(x, buf);
                buf.push(';');
            }
            buf.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(k: &str, v: Value) -> Value {
        Value::object([(k.to_string(), v)].into_iter().collect())
    }
    fn n(s: &str) -> Value {
        Value::number(Number::parse(s).unwrap())
    }

    /// Orders recorded from Terraform 1.15 (`toset([...])` in the console).
    #[test]
    fn set_order_matches_terraform() {
        let ty = Type::object([("n".to_string(), Type::Number)].into_iter().collect());
        let s = Value::set(ty, ["10", "9", "100", "1", "2.5"].iter().map(|x| obj("n", n(x))).collect());
        let got: Vec<String> = s.as_seq().unwrap().iter().map(|o| o.as_entries().unwrap()["n"].as_number().unwrap().to_string()).collect();
        assert_eq!(got, ["100", "10", "1", "2.5", "9"]);

        // numbers hash as big.Float.String(): %g with 10 digits
        let ty = Type::tuple(vec![Type::Number]);
        let s = Value::set(ty, ["1e21", "12345678901", "0.00001", "-1"].iter().map(|x| Value::tuple(vec![n(x)])).collect());
        let got: Vec<String> = s.as_seq().unwrap().iter().map(|t| t.as_seq().unwrap()[0].as_number().unwrap().to_string()).collect();
        assert_eq!(got, ["-1", "12345678901", "1000000000000000000000", "0.00001"]);

        // strings hash Go-quoted: escaped characters sort before letters; null last
        let ty = Type::object([("x".to_string(), Type::String)].into_iter().collect());
        let s = Value::set(ty, vec![obj("x", Value::string("a")), obj("x", Value::null(Type::String)), obj("x", Value::string("\u{a0}"))]);
        let got: Vec<Option<String>> =
            s.as_seq().unwrap().iter().map(|o| o.as_entries().unwrap()["x"].as_str().map(str::to_string)).collect();
        assert_eq!(got, [Some("\u{a0}".to_string()), Some("a".to_string()), None]);

        // 0 and -0 are distinct set elements in cty
        let s = Value::set(Type::Number, vec![n("0"), n("-0")]);
        assert_eq!(s.as_seq().unwrap().len(), 2);
    }

    #[test]
    fn go_text_g10() {
        for (x, want) in [
            ("1e21", "1e+21"),
            ("12345678901", "1.23456789e+10"),
            ("1234567890", "1234567890"),
            ("0.00001", "1e-05"),
            ("0.0001", "0.0001"),
            ("-0", "-0"),
            ("2.5", "2.5"),
            ("100", "100"),
        ] {
            assert_eq!(Number::parse(x).unwrap().text_g10(), want, "{x}");
        }
        let third = Number::from_i64(1).div(&Number::from_i64(3)).unwrap();
        assert_eq!(third.text_g10(), "0.3333333333");
    }
}
