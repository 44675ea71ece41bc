//! Expression evaluation with HCL/Terraform semantics: operators, templates,
//! indexing, splats, `for`, conditionals and function calls, propagating
//! unknown values and sensitive marks.
//!
//! Names are resolved through a [`Scope`]; `for` and template-`for` variables
//! live in the evaluator's own small stack, which shadows the scope.

use std::collections::BTreeMap;

use plinth_syntax::ast::{BinaryOp, Expr, ExprKind, ForExpr, Ident, ObjectKey, TemplatePart, UnaryOp};
use plinth_syntax::{Diagnostic, Span};
use plinth_value::{convert, unify, Kind, Marks, Number, Type, Value};

use crate::functions::{self, CallCtx, CallError};

/// Resolves the names an expression refers to.
pub trait Scope {
    /// The value of a reference starting at `root`, followed by the static
    /// attribute names `attrs` (`var` + [`region`], `aws_vpc` + [`main`, `id`]).
    /// Returns the value and how many of `attrs` it used; the evaluator applies
    /// the rest as ordinary attribute accesses.
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError>;
}

/// A failed evaluation: its diagnostics. `fatal` errors (undeclared references,
/// which Terraform finds before evaluating) are not caught by `try` / `can`.
#[derive(Clone, Debug)]
pub struct EvalError {
    pub diags: Vec<Diagnostic>,
    pub fatal: bool,
}

impl EvalError {
    pub fn new(d: Diagnostic) -> EvalError {
        EvalError { diags: vec![d], fatal: false }
    }
    pub fn fatal(d: Diagnostic) -> EvalError {
        EvalError { diags: vec![d], fatal: true }
    }
}

impl From<Diagnostic> for EvalError {
    fn from(d: Diagnostic) -> Self {
        EvalError::new(d)
    }
}

pub type EvalResult = Result<Value, EvalError>;

fn err(summary: &str, detail: impl Into<String>, span: Span) -> EvalError {
    EvalError::new(Diagnostic::error(summary, detail).with_subject(span))
}

pub struct Evaluator<'a> {
    scope: &'a dyn Scope,
    pub ctx: CallCtx,
    locals: Vec<(String, Value)>,
    splat_items: Vec<Value>,
    /// Source of templates given to `templatestring`, parsed on the fly.
    pub files: Option<&'a std::cell::RefCell<plinth_syntax::Files>>,
    /// False for literal values (see [`eval_literal`]): a call is an error.
    functions: bool,
    /// Rendering a `templatefile` / `templatestring` template, which may not
    /// call either again (Terraform's rule; it also bounds the recursion).
    pub(crate) in_template: bool,
}

/// A scope with nothing in it: every reference is "Variables not allowed".
struct NoVariables;

impl Scope for NoVariables {
    fn reference(&self, root: &Ident, _attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        Err(EvalError::new(Diagnostic::error("Variables not allowed", "Variables may not be used here.").with_subject(root.span)))
    }
}

/// Evaluates `e` as HCL does without an evaluation context, the way Terraform
/// reads values given from outside the configuration (`-var`, `TF_VAR_*`,
/// `.tfvars`): operators, templates, `for` and conditionals work; a function
/// call is "Function calls not allowed" and a reference "Variables not
/// allowed".
pub fn eval_literal(e: &Expr) -> EvalResult {
    let mut ev = Evaluator::new(&NoVariables, CallCtx::default());
    ev.functions = false;
    ev.eval(e)
}

impl<'a> Evaluator<'a> {
    pub fn new(scope: &'a dyn Scope, ctx: CallCtx) -> Evaluator<'a> {
        Evaluator { scope, ctx, locals: Vec::new(), splat_items: Vec::new(), files: None, functions: true, in_template: false }
    }

    /// Runs `f` with `name` bound to `v`, shadowing the scope (dynamic-block
    /// iterators, `for` variables).
    pub fn with_local<T>(&mut self, name: &str, v: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.locals.push((name.to_string(), v));
        let r = f(self);
        self.locals.pop();
        r
    }

    pub fn eval(&mut self, e: &Expr) -> EvalResult {
        plinth_value::deep(|| match &e.kind {
            ExprKind::Null => Ok(Value::dynamic_null()),
            ExprKind::Bool(b) => Ok(Value::bool(*b)),
            ExprKind::Number(text) => Number::parse(text).map(Value::number).ok_or_else(|| {
                err("Invalid number literal", format!("Failed to recognize the value of this number literal: {text:?}."), e.span)
            }),
            ExprKind::Template(parts) => self.eval_template_expr(parts, e.span),
            ExprKind::Variable(_) | ExprKind::GetAttr(..) => self.eval_reference_chain(e),
            ExprKind::Index(coll, key) => {
                let c = self.eval(coll)?;
                let k = self.eval(key)?;
                index(&c, &k, e.span)
            }
            ExprKind::Splat { source, each } => self.eval_splat(source, each, e.span),
            ExprKind::SplatItem => Ok(self.splat_items.last().cloned().unwrap_or_else(Value::dynamic_unknown)),
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut errs = Vec::new();
                let mut fatal = false;
                for item in items {
                    match self.eval(item) {
                        Ok(v) => out.push(v),
                        Err(e) => {
                            fatal |= e.fatal;
                            errs.extend(e.diags)
                        }
                    }
                }
                if errs.is_empty() {
                    Ok(Value::tuple(out))
                } else {
                    Err(EvalError { diags: errs, fatal })
                }
            }
            ExprKind::Object(items) => self.eval_object(items),
            ExprKind::Call { name, args, expand_final } => self.eval_call(name, args, *expand_final, e.span),
            ExprKind::Conditional { cond, then, otherwise } => self.eval_conditional(cond, then, otherwise, e.span),
            ExprKind::Unary { op, expr } => {
                let v = self.eval(expr)?;
                unary(*op, v, expr.span, e.span)
            }
            ExprKind::Binary { op, lhs, rhs } => self.eval_binary(*op, lhs, rhs, e.span),
            ExprKind::For(fe) => self.eval_for(fe, e.span),
            ExprKind::Parens(inner) => self.eval(inner),
        })
    }

    // ---- references -------------------------------------------------------

    fn local(&self, name: &str) -> Option<&Value> {
        self.locals.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn eval_reference_chain(&mut self, e: &Expr) -> EvalResult {
        // Collect the static attribute chain down to a root variable.
        let mut attrs: Vec<&Ident> = Vec::new();
        let mut cur = e;
        while let ExprKind::GetAttr(inner, name) = &cur.kind {
            attrs.push(name);
            cur = inner;
        }
        attrs.reverse();
        let (mut value, used) = match &cur.kind {
            ExprKind::Variable(root) => match self.local(&root.name) {
                Some(v) => (v.clone(), 0),
                None => self.scope.reference(root, &attrs)?,
            },
            _ => (self.eval(cur)?, 0),
        };
        let mut span = cur.span;
        for name in &attrs[used..] {
            span = span.to(name.span);
            value = get_attr(&value, name, span)?;
        }
        Ok(value)
    }

    // ---- templates --------------------------------------------------------

    fn eval_template_expr(&mut self, parts: &[TemplatePart], span: Span) -> EvalResult {
        if let [TemplatePart::Interp(inner)] = parts {
            return self.eval(inner);
        }
        self.eval_template(parts, span)
    }

    /// Renders template parts to a string value.
    pub fn eval_template(&mut self, parts: &[TemplatePart], span: Span) -> EvalResult {
        let mut out = String::new();
        let mut marks = Marks::NONE;
        let mut unknown = false;
        let mut errs: Vec<Diagnostic> = Vec::new();
        let mut fatal = false;
        self.render_parts(parts, &mut out, &mut marks, &mut unknown, &mut errs, &mut fatal);
        let _ = span;
        if !errs.is_empty() {
            return Err(EvalError { diags: errs, fatal });
        }
        let v = if unknown { Value::unknown(Type::String) } else { Value::string(out) };
        Ok(v.mark(marks))
    }

    fn render_parts(
        &mut self,
        parts: &[TemplatePart],
        out: &mut String,
        marks: &mut Marks,
        unknown: &mut bool,
        errs: &mut Vec<Diagnostic>,
        fatal: &mut bool,
    ) {
        for part in parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Interp(e) => match self.eval(e) {
                    Err(e) => {
                        *fatal |= e.fatal;
                        errs.extend(e.diags)
                    }
                    Ok(v) => {
                        let (v, m) = v.unmark_deep();
                        *marks = marks.union(m);
                        if v.is_null() {
                            errs.push(
                                Diagnostic::error(
                                    "Invalid template interpolation value",
                                    "The expression result is null. Cannot include a null value in a string template.",
                                )
                                .with_subject(e.span),
                            );
                            continue;
                        }
                        if v.is_unknown() {
                            *unknown = true;
                            continue;
                        }
                        match convert(&v, &Type::String) {
                            Ok(s) if s.is_unknown() => *unknown = true,
                            Ok(s) => out.push_str(s.as_str().unwrap_or_default()),
                            Err(ce) => errs.push(
                                Diagnostic::error(
                                    "Invalid template interpolation value",
                                    format!("Cannot include the given value in a string template: {}.", ce.message),
                                )
                                .with_subject(e.span),
                            ),
                        }
                    }
                },
                TemplatePart::If { cond, then, otherwise, .. } => {
                    let c = match self.eval(cond) {
                        Ok(c) => c,
                        Err(e) => {
                            *fatal |= e.fatal;
                            errs.extend(e.diags);
                            continue;
                        }
                    };
                    let (c, m) = c.unmark_deep();
                    *marks = marks.union(m);
                    if c.is_unknown() {
                        *unknown = true;
                        continue;
                    }
                    // HCL turns `%{if}` into a conditional expression.
                    if c.is_null() {
                        errs.push(
                            Diagnostic::error("Null condition", "The condition value is null. Conditions must either be true or false.")
                                .with_subject(cond.span),
                        );
                        continue;
                    }
                    match convert(&c, &Type::Bool) {
                        Ok(b) => {
                            let branch = if b.as_bool() == Some(true) { then } else { otherwise };
                            self.render_parts(branch, out, marks, unknown, errs, fatal);
                        }
                        Err(_) => errs.push(
                            Diagnostic::error("Incorrect condition type", "The condition expression must be of type bool.")
                                .with_subject(cond.span),
                        ),
                    }
                }
                TemplatePart::For { key_var, value_var, collection, body, .. } => {
                    let coll = match self.eval(collection) {
                        Ok(c) => c,
                        Err(e) => {
                            *fatal |= e.fatal;
                            errs.extend(e.diags);
                            continue;
                        }
                    };
                    let (coll, m) = coll.unmark();
                    *marks = marks.union(m);
                    let items = match iteration_items(&coll, collection.span) {
                        Ok(Some(items)) => items,
                        Ok(None) => {
                            *unknown = true;
                            continue;
                        }
                        Err(e) => {
                            errs.extend(e.diags);
                            continue;
                        }
                    };
                    for (k, v) in items {
                        let depth = self.locals.len();
                        if let Some(kv) = key_var {
                            self.locals.push((kv.name.clone(), k));
                        }
                        self.locals.push((value_var.name.clone(), v));
                        self.render_parts(body, out, marks, unknown, errs, fatal);
                        self.locals.truncate(depth);
                    }
                }
            }
        }
    }

    // ---- collections ------------------------------------------------------

    fn eval_object(&mut self, items: &[plinth_syntax::ast::ObjectItem]) -> EvalResult {
        let mut out = BTreeMap::new();
        let mut errs = Vec::new();
        let mut fatal = false;
        let mut marks = Marks::NONE;
        let mut unknown_key = false;
        for item in items {
            let key = match &item.key {
                ObjectKey::Ident(i) => Ok(Value::string(i.name.as_str())),
                // A bare `null` keyword key names the attribute "null".
                ObjectKey::Expr(k) if k.kind == ExprKind::Null => Ok(Value::string("null")),
                // A bare traversal with dots is ambiguous: hcl wants parentheses
                // (a reference) or quotes (a literal name).
                ObjectKey::Expr(k) if k.as_traversal().is_some_and(|(_, steps)| !steps.is_empty()) => Err(err(
                    "Ambiguous attribute key",
                    "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
                    k.span,
                )),
                ObjectKey::Expr(k) => self.eval(k),
            };
            let value = self.eval(&item.value);
            match (key, value) {
                (Ok(k), Ok(v)) => {
                    let (k, km) = k.unmark_deep();
                    marks = marks.union(km);
                    if k.is_null() {
                        errs.push(Diagnostic::error("Null value as key", "Can't use a null value as a key.").with_subject(item.key.span()));
                        continue;
                    }
                    if k.is_unknown() {
                        unknown_key = true;
                        continue;
                    }
                    match convert(&k, &Type::String) {
                        Ok(ks) => match ks.as_str() {
                            Some(s) => {
                                out.insert(s.to_string(), v);
                            }
                            None => unknown_key = true,
                        },
                        Err(ce) => errs.push(
                            Diagnostic::error("Incorrect key type", format!("Can't use this value as a key: {}.", ce.message))
                                .with_subject(item.key.span()),
                        ),
                    }
                }
                (k, v) => {
                    for e in [k.err(), v.err()].into_iter().flatten() {
                        fatal |= e.fatal;
                        errs.extend(e.diags);
                    }
                }
            }
        }
        if !errs.is_empty() {
            return Err(EvalError { diags: errs, fatal });
        }
        if unknown_key {
            return Ok(Value::dynamic_unknown().mark(marks));
        }
        Ok(Value::object(out).mark(marks))
    }

    fn eval_splat(&mut self, source: &Expr, each: &Expr, span: Span) -> EvalResult {
        let src = self.eval(source)?;
        let (src, marks) = src.unmark();
        if src.is_null() {
            if matches!(src.ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_)) {
                return Err(err(
                    "Splat of null value",
                    "Splat expressions (with the * symbol) cannot be applied to null sequences.",
                    source.span,
                ));
            }
            return Ok(Value::empty_tuple().mark(marks));
        }
        if src.is_unknown() {
            return Ok(Value::dynamic_unknown().mark(marks));
        }
        let (items, kind): (Vec<Value>, u8) = match &src.kind {
            Kind::List(_, xs) => (xs.to_vec(), 0),
            Kind::Set(_, xs) => (xs.to_vec(), 0),
            Kind::Tuple(xs) => (xs.to_vec(), 1),
            _ => (vec![src.clone()], 1),
        };
        let mut out = Vec::with_capacity(items.len());
        let mut errs: Vec<Diagnostic> = Vec::new();
        let mut fatal = false;
        for item in items {
            self.splat_items.push(item);
            let r = self.eval(each);
            self.splat_items.pop();
            match r {
                Ok(v) => out.push(v),
                // every element's errors are reported, as HCL does
                Err(e) => {
                    fatal |= e.fatal;
                    errs.extend(e.diags);
                }
            }
        }
        if !errs.is_empty() {
            return Err(EvalError { diags: errs, fatal });
        }
        let _ = span;
        let v = if kind == 0 {
            let ty = if out.is_empty() {
                match &src.kind {
                    Kind::List(et, _) | Kind::Set(et, _) if each.kind == ExprKind::SplatItem => et.clone(),
                    _ => Type::Dynamic,
                }
            } else {
                unify(&out.iter().map(Value::ty).collect::<Vec<_>>()).unwrap_or(Type::Dynamic)
            };
            let out = out.iter().map(|v| convert(v, &ty).unwrap_or_else(|_| v.clone())).collect();
            Value::list(ty, out)
        } else {
            Value::tuple(out)
        };
        Ok(v.mark(marks))
    }

    fn eval_for(&mut self, fe: &ForExpr, span: Span) -> EvalResult {
        let coll = self.eval(&fe.collection)?;
        let (coll, marks) = coll.unmark();
        let items = match iteration_items(&coll, fe.collection.span)? {
            Some(items) => items,
            None => return Ok(Value::dynamic_unknown().mark(marks)),
        };
        // HCL first evaluates the condition once with unknown key and value,
        // so a condition that is null or not a bool fails even when the
        // collection is empty.
        if let Some(c) = &fe.condition {
            let depth = self.locals.len();
            if let Some(kv) = &fe.key_var {
                self.locals.push((kv.name.clone(), Value::dynamic_unknown()));
            }
            self.locals.push((fe.value_var.name.clone(), Value::dynamic_unknown()));
            let r = self.eval(c);
            self.locals.truncate(depth);
            match r {
                Err(e) if e.fatal => return Err(e),
                Ok(v) => {
                    let (v, _) = v.unmark_deep();
                    if v.is_null() {
                        return Err(err("Condition is null", "The value of the 'if' clause must not be null.", c.span));
                    }
                    if let Err(ce) = convert(&v, &Type::Bool) {
                        return Err(err("Invalid 'for' condition", format!("The 'if' clause value is invalid: {}.", ce.message), c.span));
                    }
                }
                Err(_) => {}
            }
        }
        let mut tuple_out = Vec::new();
        let mut obj_out: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut result_marks = marks;
        let mut unknown = false;
        for (k, v) in items {
            let depth = self.locals.len();
            if let Some(kv) = &fe.key_var {
                self.locals.push((kv.name.clone(), k));
            }
            self.locals.push((fe.value_var.name.clone(), v));
            let r = self.for_item(fe, &mut tuple_out, &mut obj_out, &mut groups, &mut result_marks, &mut unknown, span);
            self.locals.truncate(depth);
            r?;
        }
        if unknown {
            return Ok(Value::dynamic_unknown().mark(result_marks));
        }
        let v = if fe.key.is_some() {
            if fe.group {
                Value::object(groups.into_iter().map(|(k, vs)| (k, Value::tuple(vs))).collect())
            } else {
                Value::object(obj_out)
            }
        } else {
            Value::tuple(tuple_out)
        };
        Ok(v.mark(result_marks))
    }

    #[allow(clippy::too_many_arguments)]
    fn for_item(
        &mut self,
        fe: &ForExpr,
        tuple_out: &mut Vec<Value>,
        obj_out: &mut BTreeMap<String, Value>,
        groups: &mut BTreeMap<String, Vec<Value>>,
        marks: &mut Marks,
        unknown: &mut bool,
        _span: Span,
    ) -> Result<(), EvalError> {
        if let Some(c) = &fe.condition {
            let cv = self.eval(c)?;
            let (cv, m) = cv.unmark();
            *marks = marks.union(m);
            if cv.is_unknown() {
                *unknown = true;
                return Ok(());
            }
            if cv.is_null() {
                return Err(err("Invalid 'for' condition", "The value of the 'if' clause must not be null.", c.span));
            }
            let b = convert(&cv, &Type::Bool)
                .map_err(|ce| err("Invalid 'for' condition", format!("The 'if' clause value is invalid: {}.", ce.message), c.span))?;
            if b.as_bool() != Some(true) {
                return Ok(());
            }
        }
        match &fe.key {
            None => tuple_out.push(self.eval(&fe.value)?),
            Some(kexpr) => {
                let k = self.eval(kexpr)?;
                let (k, km) = k.unmark_deep();
                *marks = marks.union(km);
                if k.is_null() {
                    return Err(err("Invalid object key", "Key expression in 'for' expression must not produce a null value.", kexpr.span));
                }
                if k.is_unknown() {
                    *unknown = true;
                    return Ok(());
                }
                let ks = convert(&k, &Type::String).map_err(|ce| {
                    err("Invalid object key", format!("The key expression produced an invalid result: {}.", ce.message), kexpr.span)
                })?;
                let key = ks.as_str().unwrap_or_default().to_string();
                let v = self.eval(&fe.value)?;
                if fe.group {
                    groups.entry(key).or_default().push(v);
                } else {
                    match obj_out.entry(key) {
                        std::collections::btree_map::Entry::Occupied(o) => {
                            return Err(err(
                                "Duplicate object key",
                                format!("Two different items produced the key {:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.", o.key()),
                                kexpr.span,
                            ));
                        }
                        std::collections::btree_map::Entry::Vacant(slot) => {
                            slot.insert(v);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    // ---- conditionals and operators ---------------------------------------

    fn eval_conditional(&mut self, cond: &Expr, then: &Expr, otherwise: &Expr, span: Span) -> EvalResult {
        // As HCL: both results are evaluated and their types unified before
        // the condition is looked at; only the chosen result's errors count.
        let t = self.eval(then);
        let f = self.eval(otherwise);
        if let Some(e) = [&t, &f].into_iter().find_map(|r| r.as_ref().err().filter(|e| e.fatal)) {
            return Err(e.clone());
        }
        // A result that failed still has a type in HCL when its shape is
        // syntactically clear (a template is a string, `{...}` an object).
        let mut t_ty = t.as_ref().map(Value::ty).unwrap_or_else(|_| error_type(then));
        let mut f_ty = f.as_ref().map(Value::ty).unwrap_or_else(|_| error_type(otherwise));
        if t.is_err() && same_kind(&t_ty, &f_ty) {
            t_ty = Type::Dynamic;
        }
        if f.is_err() && same_kind(&t_ty, &f_ty) {
            f_ty = Type::Dynamic;
        }
        let is_dyn_null = |r: &EvalResult| matches!(r, Ok(v) if v.is_null() && v.ty() == Type::Dynamic && v.marks.is_empty());
        let unified = if is_dyn_null(&t) {
            Some(f_ty.clone())
        } else if is_dyn_null(&f) {
            Some(t_ty.clone())
        } else if t_ty == Type::Dynamic || f_ty == Type::Dynamic {
            Some(Type::Dynamic)
        } else {
            unify(&[t_ty.clone(), f_ty.clone()])
        };
        let Some(unified) = unified else {
            return Err(err(
                "Inconsistent conditional result types",
                format!(
                    "The true and false result expressions must have consistent types. {}.",
                    describe_conditional_mismatch(&t_ty, &f_ty)
                ),
                then.span.to(otherwise.span),
            ));
        };
        let c = self.eval(cond)?;
        let (c, cmarks) = c.unmark_deep();
        if c.is_null() {
            return Err(err("Null condition", "The condition value is null. Conditions must either be true or false.", cond.span));
        }
        let branch_marks = |r: &EvalResult| r.as_ref().map_or(Marks::NONE, |v| v.marks);
        if c.is_unknown() {
            let m = cmarks.union(branch_marks(&t)).union(branch_marks(&f));
            return Ok(Value::unknown(unified).mark(m));
        }
        let b = convert(&c, &Type::Bool)
            .map_err(|_| err("Incorrect condition type", "The condition expression must be of type bool.", cond.span))?;
        // The marks of both results carry over, whichever is chosen.
        let marks = cmarks.union(branch_marks(&t)).union(branch_marks(&f));
        let chosen = if b.as_bool() == Some(true) { t? } else { f? };
        let out = convert(&chosen, &unified).unwrap_or(chosen);
        let _ = span;
        Ok(out.mark(marks))
    }

    fn eval_binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> EvalResult {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            return self.eval_logical(op, lhs, rhs, span);
        }
        let l = self.eval(lhs);
        let r = self.eval(rhs);
        let (l, r) = match (l, r) {
            (Ok(l), Ok(r)) => (l, r),
            (l, r) => {
                let mut diags = Vec::new();
                let mut fatal = false;
                for e in [l.err(), r.err()].into_iter().flatten() {
                    fatal |= e.fatal;
                    diags.extend(e.diags);
                }
                return Err(EvalError { diags, fatal });
            }
        };
        binary(op, l, r, lhs.span, rhs.span, span)
    }

    /// `&&` and `||` as HCL: both operands are evaluated and converted to
    /// bool (conversion errors on either side are reported), then a deciding
    /// operand short-circuits (dropping the other side's errors); otherwise
    /// cty's And/Or, which reject null.
    fn eval_logical(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> EvalResult {
        let l = self.eval(lhs);
        let r = self.eval(rhs);
        for e in [&l, &r].into_iter().filter_map(|x| x.as_ref().err()) {
            if e.fatal {
                return Err(e.clone());
            }
        }
        let mut conv = Vec::new();
        let to_bool = |res: &EvalResult, side: &str, sp: Span, conv: &mut Vec<Diagnostic>| -> Value {
            match res {
                Err(_) => Value::unknown(Type::Bool),
                Ok(v) => {
                    let (u, m) = v.clone().unmark();
                    match convert(&u, &Type::Bool) {
                        Ok(b) => b.mark(m),
                        Err(ce) => {
                            conv.push(
                                Diagnostic::error("Invalid operand", format!("Unsuitable value for {side} operand: {}.", ce.message))
                                    .with_subject(sp),
                            );
                            Value::unknown(Type::Bool)
                        }
                    }
                }
            }
        };
        let lv = to_bool(&l, "left", lhs.span, &mut conv);
        let rv = to_bool(&r, "right", rhs.span, &mut conv);
        let errs_of = |res: &EvalResult| res.as_ref().err().map(|e| e.diags.clone()).unwrap_or_default();
        if !conv.is_empty() {
            conv.extend(errs_of(&l));
            conv.extend(errs_of(&r));
            return Err(EvalError { diags: conv, fatal: false });
        }
        let (lv, lm) = lv.unmark_deep();
        let (rv, rm) = rv.unmark_deep();
        let marks = lm.union(rm);
        // cty's True() on a null bool is false (and False() true).
        let truth = |v: &Value| v.as_bool() == Some(true);
        let known = |v: &Value| !v.is_unknown();
        let side = |res: &EvalResult, v: Value| -> EvalResult {
            match res {
                Err(e) => Err(e.clone()),
                Ok(_) => Ok(v.mark(marks)),
            }
        };
        let (ctrl, other) = match op {
            BinaryOp::Or => (true, false),
            _ => (false, true),
        };
        let _ = other;
        if !known(&lv) && !known(&rv) {
            if l.is_ok() {
                return Ok(Value::unknown(Type::Bool).mark(marks));
            }
        } else if known(&lv) && truth(&lv) == ctrl {
            return side(&l, Value::bool(ctrl));
        } else if known(&rv) && truth(&rv) == ctrl {
            return side(&r, Value::bool(ctrl));
        } else if !known(&lv) && known(&rv) {
            return side(&l, Value::unknown(Type::Bool));
        } else if !known(&rv) && known(&lv) {
            return side(&r, Value::unknown(Type::Bool));
        }
        let mut diags = errs_of(&l);
        diags.extend(errs_of(&r));
        if !diags.is_empty() {
            return Err(EvalError { diags, fatal: false });
        }
        if lv.is_null() || rv.is_null() {
            return Err(err("Operation failed", "Error during operation: argument must not be null.", span));
        }
        let v = match op {
            BinaryOp::Or => truth(&lv) || truth(&rv),
            _ => truth(&lv) && truth(&rv),
        };
        Ok(Value::bool(v).mark(marks))
    }

    // ---- function calls ---------------------------------------------------

    fn eval_call(&mut self, name: &Ident, args: &[Expr], expand_final: bool, span: Span) -> EvalResult {
        if !self.functions {
            return Err(err("Function calls not allowed", "Functions may not be called here.", span));
        }
        let fname = name.name.strip_prefix("core::").unwrap_or(&name.name);
        match fname {
            "templatestring" | "templatefile" if self.in_template => {
                return Err(err(
                    "Error in function call",
                    format!("Call to function {fname:?} failed: cannot recursively call {fname} from inside another template function."),
                    // hcl points at the name and the opening parenthesis.
                    Span { end: name.span.end + 1, ..name.span }.to(name.span),
                ));
            }
            "try" => return self.eval_try(args, expand_final, span),
            "can" => return self.eval_can(args, span),
            "templatestring" => return crate::template::templatestring(self, args, span),
            "templatefile" => {
                let vals = self.eval_args(args, expand_final, span)?;
                return crate::template::templatefile(self, vals, args, span);
            }
            "type" => {
                if args.len() != 1 {
                    return Err(arity_error("type", args.len(), 1, "value", span));
                }
                let v = self.eval(&args[0])?;
                return Ok(Value::string(plinth_value::type_expr_string(&v.ty())));
            }
            _ => {}
        }
        if fname.starts_with("provider::") {
            let registry = self.ctx.provider_functions.clone();
            let Some(f) = registry.as_ref().and_then(|r| r.get(fname)) else {
                return Err(err("Call to unknown function", format!("There is no function named \"{}\".", name.name), name.span));
            };
            let vals = self.eval_args(args, expand_final, span)?;
            return functions::call(f, &self.ctx, vals).map_err(|e| call_error(fname, e, args, span));
        }
        let Some(f) = functions::registry().get(fname) else {
            if let Some(rest) = name.name.strip_prefix("provider::") {
                let (provider, func) = rest.split_once("::").unwrap_or((rest, ""));
                return Err(err(
                    "Unknown provider function",
                    format!(
                        "There is no function named {:?}. Ensure that provider name {provider:?} is declared in this module's required_providers block, and that this provider offers a function named {func:?}.",
                        name.name
                    ),
                    name.span,
                ));
            }
            if let Some((ns, _)) = name.name.split_once("::") {
                return Err(err(
                    "Unknown provider function",
                    format!(
                        "The function namespace {ns:?} is not valid. Provider function calls must use the \"provider::\" namespace prefix."
                    ),
                    name.span,
                ));
            }
            return Err(err("Call to unknown function", format!("There is no function named \"{}\".", name.name), name.span));
        };
        // HCL checks the argument count before evaluating any argument.
        if !expand_final {
            if args.len() < f.params.len() {
                let e = CallError::TooFew { expected: f.params.len(), missing: f.params[args.len()].name };
                return Err(call_error(fname, e, args, span));
            }
            if f.variadic.is_none() && args.len() > f.params.len() {
                return Err(call_error(fname, CallError::TooMany { expected: f.params.len() }, args, span));
            }
        }
        let vals = self.eval_args(args, expand_final, span)?;
        functions::call(f, &self.ctx, vals).map_err(|e| call_error(fname, e, args, span))
    }

    fn eval_args(&mut self, args: &[Expr], expand_final: bool, span: Span) -> Result<Vec<Value>, EvalError> {
        let mut vals = Vec::with_capacity(args.len());
        let mut diags = Vec::new();
        let mut fatal = false;
        for a in args {
            match self.eval(a) {
                Ok(v) => vals.push(v),
                Err(e) => {
                    fatal |= e.fatal;
                    diags.extend(e.diags)
                }
            }
        }
        if !diags.is_empty() {
            return Err(EvalError { diags, fatal });
        }
        if expand_final {
            let last = vals.pop().expect("parser ensures an argument before ...");
            let last_span = args.last().map_or(span, |a| a.span);
            let (last, m) = last.unmark();
            if last.is_null() {
                return Err(err(
                    "Invalid expanding argument value",
                    "The expanding argument (indicated by ...) must not be null.",
                    last_span,
                ));
            }
            if last.is_unknown() {
                return Err(err(
                    "Invalid expanding argument value",
                    "The expanding argument (indicated by ...) must not be unknown.",
                    last_span,
                ));
            }
            match last.as_seq() {
                Some(xs) => vals.extend(xs.iter().map(|x| x.clone().mark(m))),
                None => {
                    return Err(err(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        last_span,
                    ))
                }
            }
        }
        Ok(vals)
    }

    fn eval_try(&mut self, args: &[Expr], expand_final: bool, span: Span) -> EvalResult {
        if expand_final {
            // Expanded arguments are plain values: the first one wins.
            let vals = self.eval_args(args, true, span)?;
            return vals
                .into_iter()
                .next()
                .ok_or_else(|| err("Error in function call", "Call to function \"try\" failed: at least one argument is required.", span));
        }
        if args.is_empty() {
            return Err(err("Error in function call", "Call to function \"try\" failed: at least one argument is required.", span));
        }
        let mut failures = Vec::new();
        for a in args {
            match self.eval(a) {
                Ok(v) if !v.is_wholly_known() => return Ok(Value::dynamic_unknown()),
                Ok(v) => return Ok(v),
                Err(e) if e.fatal => return Err(e),
                Err(e) => failures.extend(e.diags),
            }
        }
        let mut detail = String::from("Call to function \"try\" failed: no expression succeeded:");
        for d in &failures {
            detail.push_str(&format!("\n- {}", d.summary));
            if !d.detail.is_empty() {
                detail.push_str(&format!("\n  {}", d.detail));
            }
        }
        detail.push_str("\n\nAt least one expression must produce a successful result.");
        Err(err("Error in function call", detail, span))
    }

    fn eval_can(&mut self, args: &[Expr], span: Span) -> EvalResult {
        if args.len() != 1 {
            return Err(arity_error("can", args.len(), 1, "expression", span));
        }
        match self.eval(&args[0]) {
            Ok(v) if !v.is_wholly_known() => Ok(Value::unknown(Type::Bool)),
            Ok(_) => Ok(Value::bool(true)),
            Err(e) if e.fatal => Err(e),
            Err(_) => Ok(Value::bool(false)),
        }
    }
}

/// The type HCL gives a failed expression whose shape is syntactically
/// clear; `dynamic` otherwise.
fn error_type(e: &Expr) -> Type {
    match &e.kind {
        ExprKind::Template(parts) if !matches!(parts.as_slice(), [TemplatePart::Interp(_)]) => Type::String,
        ExprKind::Object(_) => Type::object(BTreeMap::new()),
        ExprKind::Tuple(items) => Type::tuple(vec![Type::Dynamic; items.len()]),
        ExprKind::Parens(inner) => error_type(inner),
        _ => Type::Dynamic,
    }
}

fn same_kind(a: &Type, b: &Type) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// hcl's `describeConditionalTypeMismatch`.
fn describe_conditional_mismatch(t: &Type, f: &Type) -> String {
    match (t, f) {
        (Type::Object(to), Type::Object(fo)) => {
            for (name, tat) in to.attrs.iter() {
                match fo.attrs.get(name) {
                    None => return format!("The 'true' value includes object attribute {name:?}, which is absent in the 'false' value"),
                    Some(fat) if fat != tat => {
                        return format!("Type mismatch for object attribute {name:?}: {}", describe_conditional_mismatch(tat, fat))
                    }
                    _ => {}
                }
            }
            for name in fo.attrs.keys() {
                if !to.attrs.contains_key(name) {
                    return format!("The 'false' value includes object attribute {name:?}, which is absent in the 'true' value");
                }
            }
        }
        (Type::Tuple(ts), Type::Tuple(fs)) => {
            if ts.len() != fs.len() {
                return format!("The 'true' tuple has length {}, but the 'false' tuple has length {}", ts.len(), fs.len());
            }
            for (i, (a, b)) in ts.iter().zip(fs.iter()).enumerate() {
                if a != b {
                    return format!("Type mismatch for tuple element {i}: {}", describe_conditional_mismatch(a, b));
                }
            }
        }
        (Type::List(a), Type::List(b)) | (Type::Set(a), Type::Set(b)) | (Type::Map(a), Type::Map(b))
            if (matches!(**a, Type::Object(_)) && matches!(**b, Type::Object(_)))
                || (matches!(**a, Type::Tuple(_)) && matches!(**b, Type::Tuple(_))) =>
        {
            let noun = match t {
                Type::List(_) => "list",
                Type::Set(_) => "set",
                _ => "map",
            };
            return format!("Mismatched {noun} element types: {}", describe_conditional_mismatch(a, b));
        }
        _ => {}
    }
    let (tn, fname) = (t.friendly_name(), f.friendly_name());
    if tn == fname {
        return "At least one deeply-nested attribute or element is not compatible across both the 'true' and the 'false' value".into();
    }
    format!("The 'true' value is {tn}, but the 'false' value is {fname}")
}

fn arity_error(fname: &str, got: usize, want: usize, param: &str, span: Span) -> EvalError {
    if got < want {
        err("Not enough function arguments", format!("Function {fname:?} expects {want} argument(s). Missing value for {param:?}."), span)
    } else {
        err("Too many function arguments", format!("Function {fname:?} expects only {want} argument(s)."), span)
    }
}

fn call_error(fname: &str, e: CallError, args: &[Expr], span: Span) -> EvalError {
    let f = functions::registry().get(fname);
    match e {
        CallError::TooFew { expected, missing } => {
            let at_least = f.is_some_and(|f| f.variadic.is_some());
            let word = if at_least { "at least " } else { "" };
            err(
                "Not enough function arguments",
                format!("Function {fname:?} expects {word}{expected} argument(s). Missing value for {missing:?}."),
                span,
            )
        }
        CallError::TooMany { expected } => err(
            "Too many function arguments",
            format!("Function {fname:?} expects only {expected} argument(s)."),
            args.get(expected).map_or(span, |a| a.span),
        ),
        CallError::Func(fe) => match fe.arg {
            Some(i) => {
                let pname = f.and_then(|f| f.params.get(i).or(f.variadic.as_ref())).map_or("", |p| p.name);
                let sp = args.get(i).or(args.last()).map_or(span, |a| a.span);
                err("Invalid function argument", format!("Invalid value for {pname:?} parameter: {}.", fe.message), sp)
            }
            None => err("Error in function call", format!("Call to function {fname:?} failed: {}.", fe.message), span),
        },
    }
}

/// The (key, value) pairs a `for` iterates over; `None` when the collection is unknown.
fn iteration_items(coll: &Value, span: Span) -> Result<Option<Vec<(Value, Value)>>, EvalError> {
    if coll.is_null() {
        return Err(err("Iteration over null value", "A null value cannot be used as the collection in a 'for' expression.", span));
    }
    if coll.is_unknown() {
        return Ok(None);
    }
    let items = match &coll.kind {
        Kind::List(_, xs) | Kind::Tuple(xs) => xs.iter().enumerate().map(|(i, x)| (Value::int(i as i64), x.clone())).collect(),
        Kind::Set(_, xs) => xs.iter().map(|x| (x.clone(), x.clone())).collect(),
        Kind::Map(_, m) | Kind::Object(m) => m.iter().map(|(k, v)| (Value::string(k.as_str()), v.clone())).collect(),
        _ => {
            return Err(err(
                "Iteration over non-iterable value",
                format!("A value of type {} cannot be used as the collection in a 'for' expression.", coll.ty().friendly_name()),
                span,
            ))
        }
    };
    Ok(Some(items))
}

/// `value.name`, as hcl's GetAttr.
pub fn get_attr(v: &Value, name: &Ident, span: Span) -> EvalResult {
    let marks = v.marks;
    if v.is_null() {
        return Err(err("Attempt to get attribute from null value", "This value is null, so it does not have any attributes.", span));
    }
    let out = match &v.kind {
        Kind::Unknown(Type::Object(o)) => match o.attrs.get(&name.name) {
            Some(t) => Value::unknown(t.clone()),
            None => return Err(unsupported_attr(&name.name, span)),
        },
        Kind::Unknown(Type::Map(et)) => Value::unknown((**et).clone()),
        Kind::Unknown(Type::Dynamic) => Value::dynamic_unknown(),
        Kind::Object(m) => match m.get(&name.name) {
            Some(x) => x.clone(),
            None => return Err(unsupported_attr(&name.name, span)),
        },
        Kind::Map(_, m) => match m.get(&name.name) {
            Some(x) => x.clone(),
            None => {
                return Err(err(
                    "Missing map element",
                    format!("This map does not have an element with the key {:?}.", name.name),
                    name.span,
                ))
            }
        },
        Kind::List(..) | Kind::Set(..) | Kind::Tuple(..) | Kind::Unknown(Type::List(_) | Type::Set(_) | Type::Tuple(_)) => {
            return Err(err(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a list of objects. Did you mean to access attribute {:?} for a specific element of the list, or across all elements of the list?",
                    name.name
                ),
                name.span,
            ))
        }
        _ => {
            return Err(err(
                "Unsupported attribute",
                format!("Can't access attributes on a primitive-typed value ({}).", v.ty().friendly_name()),
                name.span,
            ))
        }
    };
    Ok(out.mark(marks))
}

fn unsupported_attr(name: &str, span: Span) -> EvalError {
    err("Unsupported attribute", format!("This object does not have an attribute named {name:?}."), span)
}

/// `coll[key]`, as hcl's Index.
pub fn index(coll: &Value, key: &Value, span: Span) -> EvalResult {
    // A marked key marks the element of a list or tuple, but not of a map or
    // object (as hcl.Index).
    let marks = match &coll.kind {
        Kind::Map(..) | Kind::Object(_) | Kind::Unknown(Type::Map(_) | Type::Object(_)) => coll.marks,
        _ => coll.marks.union(key.marks),
    };
    let key = &Value { marks: Marks::NONE, ..key.clone() };
    if coll.is_null() {
        return Err(err("Attempt to index null value", "This value is null, so it does not have any indices.", span));
    }
    if key.is_null() {
        return Err(err("Invalid index", "Can't use a null value as an indexing key.", span));
    }
    let invalid = |detail: &str| err("Invalid index", detail, span);
    let out = match &coll.kind {
        Kind::Unknown(t) => match t {
            Type::List(et) | Type::Map(et) => Value::unknown((**et).clone()),
            _ => Value::dynamic_unknown(),
        },
        Kind::List(_, xs) | Kind::Tuple(xs) => {
            if key.is_unknown() {
                let et = match &coll.kind {
                    Kind::List(et, _) => et.clone(),
                    _ => Type::Dynamic,
                };
                return Ok(Value::unknown(et).mark(marks));
            }
            let k = convert(key, &Type::Number).map_err(|ce| {
                invalid(&format!("The given key does not identify an element in this collection value: {}.", ce.message))
            })?;
            let n = k.as_number().expect("converted");
            if !n.is_integer() {
                return Err(invalid("The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part."));
            }
            if n.sign() < 0 {
                return Err(invalid("The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence."));
            }
            match n.to_i64().and_then(|i| xs.get(i as usize)) {
                Some(x) => x.clone(),
                None => {
                    return Err(invalid("The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection."))
                }
            }
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            if key.is_unknown() {
                let t = match &coll.kind {
                    Kind::Map(et, _) => et.clone(),
                    _ => Type::Dynamic,
                };
                return Ok(Value::unknown(t).mark(marks));
            }
            let k = convert(key, &Type::String).map_err(|ce| {
                invalid(&format!("The given key does not identify an element in this collection value: {}.", ce.message))
            })?;
            match m.get(k.as_str().unwrap_or_default()) {
                Some(x) => x.clone(),
                None => return Err(invalid("The given key does not identify an element in this collection value.")),
            }
        }
        Kind::Set(..) => {
            return Err(invalid("Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set."))
        }
        _ => return Err(invalid("This value does not have any indices.")),
    };
    Ok(out.mark(marks))
}

fn unary(op: UnaryOp, v: Value, operand_span: Span, span: Span) -> EvalResult {
    let (v, marks) = v.unmark_deep();
    let want = match op {
        UnaryOp::Not => Type::Bool,
        UnaryOp::Neg => Type::Number,
    };
    if v.is_null() {
        return Err(err("Operation failed", "Error during operation: argument must not be null.", span));
    }
    let v = convert(&v, &want)
        .map_err(|ce| err("Invalid operand", format!("Unsuitable value for unary operand: {}.", ce.message), operand_span))?;
    if v.is_unknown() {
        return Ok(Value::unknown(want).mark(marks));
    }
    let out = match op {
        UnaryOp::Not => Value::bool(!v.as_bool().expect("converted")),
        UnaryOp::Neg => Value::number(v.as_number().expect("converted").neg()),
    };
    Ok(out.mark(marks))
}

/// Arithmetic, comparison and equality operators.
pub fn binary(op: BinaryOp, l: Value, r: Value, lspan: Span, rspan: Span, span: Span) -> EvalResult {
    if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
        let (l, lm) = l.unmark_deep();
        let (r, rm) = r.unmark_deep();
        let eq = equals(&l, &r);
        let v = match (op, eq) {
            (_, None) => Value::unknown(Type::Bool),
            (BinaryOp::Eq, Some(b)) => Value::bool(b),
            (_, Some(b)) => Value::bool(!b),
        };
        return Ok(v.mark(lm.union(rm)));
    }
    let (l, lm) = l.unmark_deep();
    let (r, rm) = r.unmark_deep();
    let marks = lm.union(rm);
    let lc = convert(&l, &Type::Number);
    let rc = convert(&r, &Type::Number);
    let mut diags = Vec::new();
    if let Err(ce) = &lc {
        diags.push(Diagnostic::error("Invalid operand", format!("Unsuitable value for left operand: {}.", ce.message)).with_subject(lspan));
    }
    if let Err(ce) = &rc {
        diags
            .push(Diagnostic::error("Invalid operand", format!("Unsuitable value for right operand: {}.", ce.message)).with_subject(rspan));
    }
    if !diags.is_empty() {
        return Err(EvalError { diags, fatal: false });
    }
    let (l, r) = (lc.expect("checked"), rc.expect("checked"));
    if l.is_null() || r.is_null() {
        return Err(err("Operation failed", "Error during operation: argument must not be null.", span));
    }
    let result_ty = match op {
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => Type::Bool,
        _ => Type::Number,
    };
    if l.is_unknown() || r.is_unknown() {
        return Ok(Value::unknown(result_ty).mark(marks));
    }
    let (a, b) = (l.as_number().expect("number"), r.as_number().expect("number"));
    let failed = |e: plinth_value::NumberError| {
        let what = match (op, e) {
            (BinaryOp::Div, _) => "can't divide zero by zero or infinity by infinity",
            (BinaryOp::Mod, _) => "can't use modulo with zero and infinity",
            (_, plinth_value::NumberError::OutOfRange) => "value out of range",
            _ => "a NaN result is not valid",
        };
        err("Operation failed", format!("Error during operation: {what}."), span)
    };
    let v = match op {
        BinaryOp::Add => Value::number(a.add(b).map_err(failed)?),
        BinaryOp::Sub => Value::number(a.sub(b).map_err(failed)?),
        BinaryOp::Mul => Value::number(a.mul(b).map_err(failed)?),
        BinaryOp::Div => Value::number(a.div(b).map_err(failed)?),
        BinaryOp::Mod => Value::number(a.rem(b).map_err(failed)?),
        BinaryOp::Lt => Value::bool(a < b),
        BinaryOp::Le => Value::bool(a <= b),
        BinaryOp::Gt => Value::bool(a > b),
        BinaryOp::Ge => Value::bool(a >= b),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::And | BinaryOp::Or => unreachable!("handled by the caller"),
    };
    Ok(v.mark(marks))
}

/// cty's `Equals`: `None` when unknowns make the answer unknown.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    if a.is_unknown() || b.is_unknown() {
        return None;
    }
    match (a.is_null(), b.is_null()) {
        (true, true) => return Some(true),
        (true, false) | (false, true) => return Some(false),
        _ => {}
    }
    if a.ty() != b.ty() {
        return Some(false);
    }
    match (&a.kind, &b.kind) {
        (Kind::Number(x), Kind::Number(y)) => Some(x.cty_equals(y)),
        (Kind::String(x), Kind::String(y)) => Some(x == y),
        (Kind::Bool(x), Kind::Bool(y)) => Some(x == y),
        (Kind::List(_, xs), Kind::List(_, ys)) | (Kind::Tuple(xs), Kind::Tuple(ys)) | (Kind::Set(_, xs), Kind::Set(_, ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (x, y) in xs.iter().zip(ys.iter()) {
                match equals(x, y) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    _ => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Kind::Map(_, xs), Kind::Map(_, ys)) | (Kind::Object(xs), Kind::Object(ys)) => {
            if xs.len() != ys.len() || !xs.keys().eq(ys.keys()) {
                return Some(false);
            }
            let mut unknown = false;
            for (x, y) in xs.values().zip(ys.values()) {
                match equals(x, y) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    _ => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        _ => Some(false),
    }
}
