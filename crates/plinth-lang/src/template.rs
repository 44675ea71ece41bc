//! `templatestring` and `templatefile`: templates parsed at evaluation time and
//! rendered with only the given variables in scope.

use std::cell::RefCell;

use plinth_syntax::ast::{Expr, ExprKind, Ident, TemplatePart};
use plinth_syntax::{Diagnostic, Files, Span};
use plinth_value::{Type, Value};

use crate::eval::{EvalError, EvalResult, Evaluator, Scope};

fn arg_error(param: &str, message: String, span: Span) -> EvalError {
    EvalError::new(
        Diagnostic::error("Invalid function argument", format!("Invalid value for {param:?} parameter: {message}.")).with_subject(span),
    )
}

/// Only the template's `vars` are in scope.
struct VarsScope {
    vars: Value,
    origin: String,
    files: RefCell<Files>,
}

impl Scope for VarsScope {
    fn reference(&self, root: &Ident, _attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        let found = self.vars.as_entries().and_then(|m| m.get(&root.name)).cloned();
        match found {
            Some(v) => Ok((v, 0)),
            None => {
                let files = self.files.borrow();
                let from = files.pos(root.span.file, root.span.start as usize);
                let to = files.pos(root.span.file, root.span.end as usize);
                Err(EvalError::new(Diagnostic::error(
                    "Invalid function argument",
                    format!(
                        "vars map does not contain key {:?}, referenced at {}:{},{}-{}",
                        root.name, self.origin, from.line, from.column, to.column
                    ),
                )))
            }
        }
    }
}

fn render(ev: &Evaluator, text: &str, origin: &str, vars: Value, template_param: &str, span: Span) -> EvalResult {
    if let Some(m) = vars.as_entries() {
        for k in m.keys() {
            let mut cs = k.chars();
            let valid = cs.next().is_some_and(char::is_alphabetic) && cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            if !valid {
                return Err(arg_error(
                    "vars",
                    format!("invalid template variable name {k:?}: must start with a letter, followed by zero or more letters, digits, and underscores"),
                    span,
                ));
            }
        }
    } else if !vars.is_null() {
        return Err(arg_error("vars", "a map or object is required".into(), span));
    }
    let mut files = Files::new();
    let file = files.add(origin, text);
    let (expr, diags) = plinth_syntax::parse_template(file, text);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        let (from, to) =
            d.subject.map_or((None, None), |s| (Some(files.pos(s.file, s.start as usize)), Some(files.pos(s.file, s.end as usize))));
        let at = match (from, to) {
            (Some(f), Some(t)) => format!("{origin}:{},{}-{}", f.line, f.column, t.column),
            _ => origin.to_string(),
        };
        return Err(arg_error(template_param, format!("invalid template: {at}: {}; {}", d.summary, d.detail), span));
    }
    let scope = VarsScope { vars, origin: origin.to_string(), files: RefCell::new(files) };
    let mut inner = Evaluator::new(&scope, ev.ctx.clone());
    inner.in_template = true;
    let result = match &expr.kind {
        ExprKind::Template(parts) => inner.eval_template(parts, expr.span),
        _ => inner.eval(&expr),
    };
    let fname = if template_param == "template" { "templatestring" } else { "templatefile" };
    let range = |sp: Option<Span>| -> String {
        let files = scope.files.borrow();
        match sp {
            Some(sp) => {
                let from = files.pos(sp.file, sp.start as usize);
                let to = files.pos(sp.file, sp.end as usize);
                if from.line == to.line {
                    format!("{origin}:{},{}-{}", from.line, from.column, to.column)
                } else {
                    format!("{origin}:{},{}-{},{}", from.line, from.column, to.line, to.column)
                }
            }
            None => origin.to_string(),
        }
    };
    let call_failed = |msg: String| {
        EvalError::new(Diagnostic::error("Error in function call", format!("Call to function {fname:?} failed: {msg}.")).with_subject(span))
    };
    let v = match result {
        Ok(v) => v,
        Err(e) => {
            // A reference to a variable the map lacks is an argument error;
            // anything else fails the call with hcl's Diagnostics.Error() text.
            if let Some(d) = e.diags.iter().find(|d| d.summary == "Invalid function argument" && d.detail.starts_with("vars map")) {
                return Err(arg_error("vars", d.detail.clone(), span));
            }
            let first = &e.diags[0];
            let mut msg = format!("{}: {}; {}", range(first.subject), first.summary, first.detail);
            if e.diags.len() > 1 {
                msg.push_str(&format!(", and {} other diagnostic(s)", e.diags.len() - 1));
            }
            return Err(call_failed(msg));
        }
    };
    if fname == "templatefile" {
        // templatefile returns whatever the template produces
        return Ok(v);
    }
    let (u, m) = v.unmark_deep();
    if u.is_null() {
        return Err(call_failed(format!(
            "{}: Template result is null; The result of the template is null, which is not a valid result for a {fname} call.",
            range(Some(expr.span))
        )));
    }
    match plinth_value::convert(&u, &Type::String) {
        Ok(sv) => Ok(sv.mark(m)),
        Err(ce) => Err(call_failed(format!("invalid template result: {}", ce.message))),
    }
}

pub(crate) fn templatestring(ev: &mut Evaluator, args: &[Expr], span: Span) -> EvalResult {
    if args.len() != 2 {
        let detail = if args.len() < 2 {
            let missing = if args.is_empty() { "template" } else { "vars" };
            format!("Function \"templatestring\" expects 2 argument(s). Missing value for {missing:?}.")
        } else {
            "Function \"templatestring\" expects only 2 argument(s).".to_string()
        };
        let summary = if args.len() < 2 { "Not enough function arguments" } else { "Too many function arguments" };
        return Err(EvalError::new(Diagnostic::error(summary, detail).with_subject(span)));
    }
    let is_reference = args[0].as_traversal().is_some();
    if !is_reference {
        return Err(arg_error(
            "template",
            "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead".into(),
            args[0].span,
        ));
    }
    let t = ev.eval(&args[0])?;
    let vars = ev.eval(&args[1])?;
    let (t, tm) = t.unmark_deep();
    let (vars, vm) = vars.unmark_deep();
    if t.is_null() {
        return Err(arg_error("template", "argument must not be null".into(), args[0].span));
    }
    if !t.is_wholly_known() || !vars.is_wholly_known() {
        return Ok(Value::unknown(Type::String).mark(tm.union(vm)));
    }
    let text = match plinth_value::convert(&t, &Type::String) {
        Ok(s) => s.as_str().unwrap_or_default().to_string(),
        Err(ce) => return Err(arg_error("template", ce.message, args[0].span)),
    };
    Ok(render(ev, &text, "<templatestring argument>", vars, "template", span)?.mark(tm.union(vm)))
}

pub(crate) fn templatefile(ev: &mut Evaluator, vals: Vec<Value>, args: &[Expr], span: Span) -> EvalResult {
    if vals.len() != 2 {
        let summary = if vals.len() < 2 { "Not enough function arguments" } else { "Too many function arguments" };
        let detail = if vals.len() < 2 {
            let missing = if vals.is_empty() { "path" } else { "vars" };
            format!("Function \"templatefile\" expects 2 argument(s). Missing value for {missing:?}.")
        } else {
            "Function \"templatefile\" expects only 2 argument(s).".to_string()
        };
        return Err(EvalError::new(Diagnostic::error(summary, detail).with_subject(span)));
    }
    let mut vals = vals.into_iter();
    let (path, pm) = vals.next().expect("two").unmark_deep();
    let (vars, vm) = vals.next().expect("two").unmark_deep();
    let path_span = args.first().map_or(span, |a| a.span);
    if path.is_null() {
        return Err(arg_error("path", "argument must not be null".into(), path_span));
    }
    if !path.is_wholly_known() || !vars.is_wholly_known() {
        return Ok(Value::unknown(Type::Dynamic).mark(pm.union(vm)));
    }
    let path = match plinth_value::convert(&path, &Type::String) {
        Ok(p) => p.as_str().unwrap_or_default().to_string(),
        Err(ce) => return Err(arg_error("path", ce.message, path_span)),
    };
    let full = if std::path::Path::new(&path).is_absolute() { path.clone().into() } else { ev.ctx.base_dir.join(&path) };
    // A device or FIFO is never read (a FIFO's open would block).
    if std::fs::metadata(&full).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Err(arg_error("path", format!("failed to read file: {path} is not a regular file (a device, FIFO or socket)"), path_span));
    }
    let text = std::fs::read_to_string(&full).map_err(|_| {
        arg_error("path", format!("no file exists at {}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource", full.display()), path_span)
    })?;
    let _ = TemplatePart::Literal(String::new());
    Ok(render(ev, &text, &path, vars, "path", span)?.mark(pm.union(vm)))
}
