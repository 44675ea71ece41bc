//! Conversion between typed values and the JSON that state stores.

use plinth_value::{Type, Value};

/// A stored object as a typed value (JSON inferred where the type is unknown).
pub fn object_from_state(j: &serde_json::Value, ty: &Type) -> Value {
    plinth_value::value_from_json(j, ty)
        .or_else(|_| plinth_value::value_from_json(j, &Type::Dynamic))
        .unwrap_or_else(|_| Value::dynamic_null())
}

/// A known value as the JSON state stores (marks dropped; the caller records
/// sensitive paths separately).
pub fn object_to_state_json(v: &Value) -> serde_json::Value {
    let (v, _) = v.clone().unmark_deep();
    plinth_value::value_to_json(&v)
}
