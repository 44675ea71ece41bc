//! Terraform's type system: primitives, collections, structural types, `dynamic`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `any` in a type constraint; the type of a value whose type is not yet known.
    Dynamic,
    String,
    Number,
    Bool,
    List(Arc<Type>),
    Set(Arc<Type>),
    Map(Arc<Type>),
    Tuple(Arc<Vec<Type>>),
    Object(Arc<ObjectType>),
}

/// The attributes of an object type. `optional` only appears in type constraints
/// (`optional(string)`); conversion fills missing optional attributes with null,
/// and `defaults` holds `optional(T, default)` values by attribute name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectType {
    pub attrs: BTreeMap<String, Type>,
    pub optional: BTreeSet<String>,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Arc::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Arc::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Arc::new(t))
    }
    pub fn tuple(ts: Vec<Type>) -> Type {
        Type::Tuple(Arc::new(ts))
    }
    pub fn object(attrs: BTreeMap<String, Type>) -> Type {
        Type::Object(Arc::new(ObjectType { attrs, optional: BTreeSet::new() }))
    }
    pub fn empty_object() -> Type {
        Type::object(BTreeMap::new())
    }
    pub fn empty_tuple() -> Type {
        Type::tuple(Vec::new())
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }
    pub fn is_list_like(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Tuple(_))
    }
    /// Element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The type without `optional` attribute markers anywhere: the type of
    /// the values a constraint produces (markers belong to constraints only).
    pub fn without_optional(&self) -> Type {
        if !self.has_optional() {
            return self.clone();
        }
        match self {
            Type::List(t) => Type::list(t.without_optional()),
            Type::Set(t) => Type::set(t.without_optional()),
            Type::Map(t) => Type::map(t.without_optional()),
            Type::Tuple(ts) => Type::tuple(ts.iter().map(Type::without_optional).collect()),
            Type::Object(o) => Type::object(o.attrs.iter().map(|(k, t)| (k.clone(), t.without_optional())).collect()),
            other => other.clone(),
        }
    }

    /// True when an object type anywhere inside has optional attributes.
    pub fn has_optional(&self) -> bool {
        match self {
            Type::Dynamic | Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_optional(),
            Type::Tuple(ts) => ts.iter().any(Type::has_optional),
            Type::Object(o) => !o.optional.is_empty() || o.attrs.values().any(Type::has_optional),
        }
    }

    /// True when the type contains `dynamic` anywhere.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
            Type::Object(o) => o.attrs.values().any(Type::has_dynamic),
        }
    }

    /// The name used in Terraform's error messages: `string`, `list of string`,
    /// `map of number`, `tuple`, `object`, `dynamic`.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Dynamic => "dynamic".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }

    /// Like [`Type::friendly_name`] but as used inside a "for ..." message:
    /// Terraform says "list of any single type" for `list(any)`.
    pub fn friendly_name_for_constraint(&self) -> String {
        match self {
            Type::Dynamic => "any type".into(),
            Type::List(t) if **t == Type::Dynamic => "list of any single type".into(),
            Type::Set(t) if **t == Type::Dynamic => "set of any single type".into(),
            Type::Map(t) if **t == Type::Dynamic => "map of any single type".into(),
            Type::List(t) => format!("list of {}", t.friendly_name_for_constraint()),
            Type::Set(t) => format!("set of {}", t.friendly_name_for_constraint()),
            Type::Map(t) => format!("map of {}", t.friendly_name_for_constraint()),
            other => other.friendly_name(),
        }
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::type_expr_string(self))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::type_expr_string(self))
    }
}
