//! The built-in function library: signatures, the common call protocol
//! (arity, null and unknown handling, argument conversion, mark propagation)
//! and the registry of all of Terraform 1.15's functions.
//!
//! Each submodule registers one family of functions. A function's `call` only
//! ever sees arguments that passed its parameters' checks: converted to the
//! parameter type, non-null unless `allow_null`, known unless `allow_unknown`,
//! unmarked unless `allow_marked` (the marks are re-applied to the result).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use plinth_value::{convert, Marks, Type, Value};

mod collection;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod ipnet;
mod numeric;
mod string;

/// What a function may know about where it is called.
#[derive(Clone, Debug, Default)]
pub struct CallCtx {
    /// Directory that relative paths in `file()` & co. resolve against (the
    /// module's directory; `path.module`).
    pub base_dir: PathBuf,
    /// During plan, impure functions (`timestamp`, `uuid`, `bcrypt`) return unknown.
    pub planning: bool,
    /// Functions providers contribute, by full name
    /// (`provider::kubernetes::manifest_decode`); filled by the binary.
    pub provider_functions: Option<Arc<Registry>>,
}

/// A function failure. With `arg`, Terraform reports
/// `Invalid function argument` / `Invalid value for "<param>" parameter: <message>.`;
/// without, `Error in function call` / `Call to function "<name>" failed: <message>.`
#[derive(Clone, Debug, PartialEq)]
pub struct FuncError {
    pub arg: Option<usize>,
    pub message: String,
}

impl FuncError {
    pub fn arg(i: usize, message: impl Into<String>) -> FuncError {
        FuncError { arg: Some(i), message: message.into() }
    }
    pub fn call(message: impl Into<String>) -> FuncError {
        FuncError { arg: None, message: message.into() }
    }
}

pub type FuncResult = Result<Value, FuncError>;

/// The longest string (in bytes) or collection a function builds from small
/// inputs (`indent`'s padding, `format` widths, `setproduct`'s product).
/// Terraform has no such limit, but no configuration needs more, and a typo
/// like `indent(1000000000, ...)` must fail rather than exhaust memory.
pub const MAX_RESULT_LEN: usize = 1 << 26;

#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    /// `Type::Dynamic` accepts any value unconverted.
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
    pub allow_marked: bool,
    /// cty's protocol: only an argument that is itself unknown makes the
    /// result unknown; unknowns nested inside it reach the implementation,
    /// which must handle them (zipmap's values, element's list, ...). Without
    /// it, any nested unknown makes the result unknown, which is safe for
    /// implementations that read every element but loses known structure
    /// (a for_each over `zipmap(zones, subnet_ids)` must keep its keys).
    pub nested_unknown: bool,
}

impl Param {
    pub fn new(name: &'static str, ty: Type) -> Param {
        Param { name, ty, allow_null: false, allow_unknown: false, allow_marked: false, nested_unknown: false }
    }
    pub fn nested_unknown(mut self) -> Param {
        self.nested_unknown = true;
        self
    }
    pub fn allow_null(mut self) -> Param {
        self.allow_null = true;
        self
    }
    pub fn allow_unknown(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
    pub fn allow_marked(mut self) -> Param {
        self.allow_marked = true;
        self
    }
}

/// Computes a function's result type from its (converted, possibly unknown)
/// arguments; used to type the unknown result when an argument is unknown.
pub type ReturnTypeFn = fn(&[Value]) -> Result<Type, FuncError>;
pub type ImplFn = fn(&CallCtx, &[Value]) -> FuncResult;

pub struct Function {
    pub params: Vec<Param>,
    pub variadic: Option<Param>,
    pub ret: ReturnTypeFn,
    pub call: ImplFn,
    /// Result is unknown while planning.
    pub impure: bool,
}

impl Function {
    pub fn new(params: Vec<Param>, ret: ReturnTypeFn, call: ImplFn) -> Function {
        Function { params, variadic: None, ret, call, impure: false }
    }
    pub fn variadic(mut self, p: Param) -> Function {
        self.variadic = Some(p);
        self
    }
    pub fn impure(mut self) -> Function {
        self.impure = true;
        self
    }

    fn param(&self, i: usize) -> Option<&Param> {
        self.params.get(i).or(self.variadic.as_ref())
    }
}

/// Name → function. Names are the bare ones (`length`); the evaluator strips a
/// `core::` prefix before lookup.
pub struct Registry {
    funcs: HashMap<&'static str, Function>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.funcs.keys().collect();
        names.sort();
        f.debug_set().entries(names).finish()
    }
}

impl Registry {
    /// An empty registry, for functions other than the built-in ones.
    pub fn new() -> Registry {
        Registry { funcs: HashMap::new() }
    }
    pub fn add(&mut self, name: &'static str, f: Function) {
        let previous = self.funcs.insert(name, f);
        debug_assert!(previous.is_none(), "function {name} registered twice");
    }
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.funcs.keys().copied()
    }
}

/// Every built-in function except the ones the evaluator implements itself
/// because they need it: `try`, `can`, `templatefile`, `templatestring`.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut r = Registry { funcs: HashMap::new() };
        collection::register(&mut r);
        conversion::register(&mut r);
        crypto::register(&mut r);
        datetime::register(&mut r);
        encoding::register(&mut r);
        filesystem::register(&mut r);
        ipnet::register(&mut r);
        numeric::register(&mut r);
        string::register(&mut r);
        r
    })
}

/// How a call failed before or inside the function.
#[derive(Clone, Debug, PartialEq)]
pub enum CallError {
    /// `Not enough function arguments`: the missing parameter's name.
    TooFew {
        expected: usize,
        missing: &'static str,
    },
    /// `Too many function arguments`.
    TooMany {
        expected: usize,
    },
    Func(FuncError),
}

/// Calls `f` with Terraform's protocol. `args` are the evaluated arguments
/// (after `...` expansion).
pub fn call(f: &Function, ctx: &CallCtx, args: Vec<Value>) -> Result<Value, CallError> {
    if args.len() < f.params.len() {
        return Err(CallError::TooFew { expected: f.params.len(), missing: f.params[args.len()].name });
    }
    if f.variadic.is_none() && args.len() > f.params.len() {
        return Err(CallError::TooMany { expected: f.params.len() });
    }
    let mut marks = Marks::NONE;
    let mut any_unknown = false;
    let mut prepared = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        let p = f.param(i).expect("arity checked above");
        let arg = if p.allow_marked {
            arg
        } else {
            let (v, m) = arg.unmark_deep();
            marks = marks.union(m);
            v
        };
        if arg.is_null() && !p.allow_null {
            return Err(CallError::Func(FuncError::arg(i, "argument must not be null")));
        }
        let arg = if p.ty == Type::Dynamic {
            arg
        } else {
            convert(&arg, &p.ty).map_err(|e| CallError::Func(FuncError::arg(i, conversion_message(&e))))?
        };
        let unknown = if p.nested_unknown { !arg.is_known() } else { !arg.is_wholly_known() };
        if unknown && !p.allow_unknown {
            any_unknown = true;
        }
        prepared.push(arg);
    }
    let result = if any_unknown || (f.impure && ctx.planning) {
        Value::unknown((f.ret)(&prepared).map_err(CallError::Func)?)
    } else {
        (f.call)(ctx, &prepared).map_err(CallError::Func)?
    };
    Ok(result.mark(marks))
}

/// cty reports a conversion failure of an argument by its message alone; the
/// path inside the value is not shown.
fn conversion_message(e: &plinth_value::ConvertError) -> String {
    e.message.clone()
}

/// Return-type helper for functions whose result type never varies.
#[macro_export]
macro_rules! fixed_type {
    ($t:expr) => {{
        fn ret(_: &[plinth_value::Value]) -> Result<plinth_value::Type, $crate::functions::FuncError> {
            Ok($t)
        }
        ret
    }};
}
