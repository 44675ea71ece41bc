//! Evaluation of HCL expressions with Terraform 1.15's semantics, and the
//! built-in function library.
//!
//! Evaluation never does I/O of its own except through the filesystem functions
//! (`file`, `templatefile`, ...), which read relative to [`functions::CallCtx::base_dir`].
//! Names (`var.x`, `aws_vpc.main`) are resolved through a [`Scope`] the caller
//! provides; this crate knows nothing about modules, resources or state.

mod eval;
pub mod functions;
mod template;

pub use eval::{binary, equals, eval_literal, get_attr, index, EvalError, EvalResult, Evaluator, Scope};
