//! Terraform configuration, parsed but not evaluated: a module directory's
//! `*.tf` / `*.tf.json` files (with `*_override.tf` merged last) turned into
//! typed blocks — variables, locals, outputs, resources, data sources, module
//! calls, providers, `terraform`, `moved`, `removed`, `import`, `check`.
//!
//! Expressions stay as AST; evaluation belongs to the engine, except for the
//! literal values Terraform reads without an evaluation context: variables'
//! values from `-var`, `TF_VAR_*` and `.tfvars` (`values.rs`). This crate does
//! I/O only to read the module's own files.

mod module;
mod typeexpr;
mod values;
pub mod version;

pub use module::{
    def_range, literal_string, load_module, CheckBlock, Condition, Lifecycle, Local, Module, ModuleCall, Moved, Output, ProviderConfig,
    Removed, Resource, ResourceMode, Terraform, Validation, Variable,
};
pub use typeexpr::{parse_type_constraint, TypeConstraint};
pub use values::{parse_values_file, parse_variable_value, VariableValue};
