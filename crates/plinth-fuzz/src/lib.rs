//! Fuzzing of parse + evaluate without cargo-fuzz (which needs nightly).
//!
//! Inputs come from two sources:
//! * a structure-aware generator that builds random expression trees from the
//!   HCL expression grammar (literals, templates with directives and strip
//!   markers, heredocs, operators, `for`, splats, conditionals, indexing and
//!   calls of every built-in function with random arguments);
//! * byte- and token-level mutations of seed expressions (the shared
//!   conformance corpus when present, plus a built-in seed list).
//!
//! Every input is parsed as an expression and as a template, evaluated with a
//! small [`Scope`] (the conformance corpus' `local.*` / `var.*` values),
//! displayed with `display_value` and JSON-encoded. A panic anywhere is a
//! finding; [`run_one`] reports it instead of unwinding.

use std::panic::{catch_unwind, AssertUnwindSafe};

use plinth_lang::functions::CallCtx;
use plinth_lang::{EvalError, Evaluator, Scope};
use plinth_syntax::ast::Ident;
use plinth_syntax::{Diagnostic, FileId};
use plinth_value::{display_value, value_to_json_string, Value};

pub mod cli;
mod gen;
pub mod hostile;
pub use gen::{Generator, Rng};

/// `local.*` and `var.*` like the conformance corpus' `context.tf`.
pub struct FuzzScope {
    locals: Value,
    vars: Value,
}

impl Default for FuzzScope {
    fn default() -> Self {
        let src = r#"{
            tmpl_hello = "Hello, $${name}!"
            tmpl_for   = "%%{ for x in items ~}[$${x}]%%{ endfor ~}"
            tmpl_if    = "%%{ if on }on%%{ else }off%%{ endif }"
            tmpl_bad   = "$${"
            servers = [
              { name = "web", port = 80, tags = ["a", "b"] },
              { name = "db", port = 5432, tags = [] },
            ]
            env_map = { dev = "d", prod = "p" }
            numbers = [3, 1, 2]
            maybe   = null
        }"#;
        let locals = eval_closed(src).unwrap_or_else(Value::empty_object);
        let vars = eval_closed(r#"{ region = "us-east-1", counts = tomap({ a = 1, b = 2 }) }"#).unwrap_or_else(Value::empty_object);
        FuzzScope { locals, vars }
    }
}

struct NoScope;
impl Scope for NoScope {
    fn reference(&self, root: &Ident, _: &[&Ident]) -> Result<(Value, usize), EvalError> {
        Err(EvalError::fatal(Diagnostic::error("Unknown reference", format!("{:?}", root.name)).with_subject(root.span)))
    }
}

fn eval_closed(src: &str) -> Option<Value> {
    let (e, diags) = plinth_syntax::parse_expr(FileId(0), src);
    if diags.iter().any(Diagnostic::is_error) {
        return None;
    }
    Evaluator::new(&NoScope, CallCtx::default()).eval(&e).ok()
}

impl Scope for FuzzScope {
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        let src = match root.name.as_str() {
            "local" => &self.locals,
            "var" => &self.vars,
            _ => {
                return Err(EvalError::fatal(
                    Diagnostic::error("Reference to undeclared resource", format!("{:?}", root.name)).with_subject(root.span),
                ))
            }
        };
        let Some(first) = attrs.first() else {
            return Err(EvalError::fatal(Diagnostic::error("Invalid reference", "").with_subject(root.span)));
        };
        match src.as_entries().and_then(|m| m.get(&first.name)) {
            Some(v) => Ok((v.clone(), 1)),
            None => Err(EvalError::fatal(
                Diagnostic::error("Reference to undeclared local value", format!("{:?}", first.name)).with_subject(first.span),
            )),
        }
    }
}

/// What one input did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed and evaluated to a value.
    Value,
    /// Parse or evaluation diagnostics.
    Error,
    /// A panic, with its message.
    Panic(String),
}

/// Parses and evaluates `input` (as an expression, then as a template), and
/// renders the value; catches panics.
pub fn run_one(scope: &FuzzScope, input: &str) -> Outcome {
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut outcome = Outcome::Error;
        let (e, diags) = plinth_syntax::parse_expr(FileId(0), input);
        if !diags.iter().any(Diagnostic::is_error) {
            let mut ev = Evaluator::new(scope, CallCtx { planning: false, ..Default::default() });
            if let Ok(v) = ev.eval(&e) {
                exercise(&v);
                outcome = Outcome::Value;
            }
            // The same expression while planning: impure functions are unknown.
            let mut ev = Evaluator::new(scope, CallCtx { planning: true, ..Default::default() });
            if let Ok(v) = ev.eval(&e) {
                exercise(&v);
            }
        }
        let (t, diags) = plinth_syntax::parse_template(FileId(0), input);
        if !diags.iter().any(Diagnostic::is_error) {
            let mut ev = Evaluator::new(scope, CallCtx::default());
            if let Ok(v) = ev.eval(&t) {
                exercise(&v);
            }
        }
        outcome
    }));
    match r {
        Ok(o) => o,
        Err(p) => Outcome::Panic(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into()),
        ),
    }
}

fn exercise(v: &Value) {
    let shown = display_value(v);
    std::hint::black_box(shown);
    if v.is_wholly_known() {
        let json = value_to_json_string(v);
        std::hint::black_box(json);
    }
    let (u, _) = v.clone().unmark_deep();
    std::hint::black_box(plinth_value::json_type(&u.ty()));
}

/// Statistics of a fuzzing run.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub executions: u64,
    pub values: u64,
    pub errors: u64,
    /// (input, panic message)
    pub panics: Vec<(String, String)>,
}

/// Runs `iterations` generated inputs from `seed` (or until `deadline`),
/// calling `on_input` before each (for hang reports).
pub fn fuzz(seed: u64, iterations: u64, deadline: Option<std::time::Instant>, seeds: &[String], on_input: impl FnMut(&str)) -> Stats {
    fuzz_with(seed, iterations, deadline, seeds, false, on_input)
}

/// [`fuzz`]; with `cli`, every input also goes through the binary's path
/// ([`cli::run_dir`]) as the value of an output in a scratch module.
pub fn fuzz_with(
    seed: u64,
    iterations: u64,
    deadline: Option<std::time::Instant>,
    seeds: &[String],
    cli: bool,
    mut on_input: impl FnMut(&str),
) -> Stats {
    let scratch = std::env::temp_dir().join(format!("plinth-fuzz-cli-{}", std::process::id()));
    if cli {
        let _ = std::fs::create_dir_all(&scratch);
    }
    let scope = FuzzScope::default();
    let mut g = Generator::new(seed, seeds.to_vec());
    let mut stats = Stats::default();
    for i in 0..iterations {
        if i % 64 == 0 && deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
        let input = g.next_input();
        on_input(&input);
        stats.executions += 1;
        match run_one(&scope, &input) {
            Outcome::Value => stats.values += 1,
            Outcome::Error => stats.errors += 1,
            Outcome::Panic(msg) => stats.panics.push((input.clone(), msg)),
        }
        if cli {
            let src = format!("output \"o\" {{\n  value = {input}\n}}\n");
            if std::fs::write(scratch.join("main.tf"), src).is_ok() {
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| cli::run_dir(&scratch, &[]))) {
                    stats.panics.push((format!("[cli] {input}"), panic_message(p)));
                }
            }
        }
    }
    if cli {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    stats
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into())
}

/// Seed expressions: the shared conformance corpus' when it can be read.
pub fn load_seeds(path: Option<&std::path::Path>) -> Vec<String> {
    let mut seeds: Vec<String> = gen::BUILTIN_SEEDS.iter().map(|s| s.to_string()).collect();
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/expressions.jsonl");
    let path = path.map(|p| p.to_path_buf()).unwrap_or_else(|| default.into());
    if let Ok(text) = std::fs::read_to_string(path) {
        for line in text.lines() {
            if let Ok(j) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(e) = j.get("expr").and_then(|e| e.as_str()) {
                    seeds.push(e.to_string());
                }
            }
        }
    }
    seeds
}
