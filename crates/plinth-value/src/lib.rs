//! Terraform's value model: [`Type`]s, [`Value`]s (with unknowns, typed nulls and
//! sensitive marks), arbitrary-precision [`Number`]s, conversion and unification
//! between types, and the two textual forms Terraform users see: the `console`
//! display format and the JSON encoding used by `output -json` and state.
//!
//! Invariant: a collection value's elements all have exactly the collection's
//! element type (or are null/unknown of it); constructors that take arbitrary
//! elements convert or unify them first. Nothing here does I/O.

mod convert;
mod display;
pub mod go;
mod json;
mod number;
mod types;
mod value;

pub use convert::{convert, convert_type, mismatch_message, unify, ConvertError};
pub use display::{display_value, go_quote, type_expr_string};
pub use json::{json_type, type_from_json, value_from_json, value_to_json, value_to_json_string};
pub use number::{Number, NumberError};
pub use types::{ObjectType, Type};
pub use value::{Kind, Marks, Value};

/// Runs `f` with enough stack for one more level of a recursive walk over a
/// value or an expression, growing the stack on the heap when little is left
/// (the `stacker` crate, as rustc does): deeply nested values (jsondecode
/// reads 10,001 levels, like Terraform) must not overflow a thread's stack,
/// whatever its size. Costs a comparison of the stack pointer per call.
#[inline]
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, f)
}
