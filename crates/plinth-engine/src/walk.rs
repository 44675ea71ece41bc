//! The plan walk: evaluates every node of the graph in dependency order,
//! expanding each over its module's instances, and plans every resource
//! instance through its provider.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use plinth_config::{Condition, Resource as ResourceConfig, ResourceMode as CfgMode, Variable};
use plinth_lang::functions::CallCtx;
use plinth_lang::{EvalError, Evaluator};
use plinth_provider::{PlanRequest, Provider, ProviderError, ResourceSchema};
use plinth_state::{AbsResource, AbsResourceInstance, InstanceKey, ModuleInstance, ResourceMode, State};
use plinth_syntax::ast::Expr;
use plinth_syntax::{Diagnostic, Span};
use plinth_value::{convert, Marks, Type, Value};

use crate::decode::{decode_resource_body, proposed_new};
use crate::graph::{Graph, NodeKind};
use crate::plan::{Action, OutputChange, PlanMode, ResourceChange};
use crate::providers::Providers;
use crate::statevals::{object_from_state, prior_object};
use crate::tree::{ConfigTree, ModuleId};
use crate::values::{Expansion, InstanceScope, ResourceValues, Values};
use crate::{FastMap, FastSet};
use plinth_state::model::AttrPath;

pub struct PlanOptions {
    pub mode: PlanMode,
    pub refresh: bool,
    /// `-replace=ADDR`
    pub replace: Vec<AbsResourceInstance>,
    pub targets: Vec<plinth_state::Target>,
    pub excludes: Vec<plinth_state::Target>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { mode: PlanMode::Normal, refresh: true, replace: Vec::new(), targets: Vec::new(), excludes: Vec::new() }
    }
}

pub struct Context<'a> {
    pub tree: &'a ConfigTree,
    pub graph: &'a Graph,
    pub providers: &'a Providers,
    /// Root module input values, already parsed (not yet type-converted).
    pub inputs: &'a BTreeMap<String, Value>,
    pub workspace: &'a str,
    pub root_dir: PathBuf,
    pub files: &'a plinth_syntax::Files,
}

/// Plan-time and apply-time evaluation state shared by the node evaluators.
pub struct Walk<'a> {
    pub ctx: &'a Context<'a>,
    pub values: Values,
    pub diags: Vec<Diagnostic>,
    pub failed_nodes: FastSet<usize>,
    /// Prior state (refreshed); instances claimed by configuration are recorded.
    pub prior: State,
    pub claimed: FastSet<AbsResourceInstance>,
    pub changes: Vec<ResourceChange>,
    pub mode: PlanMode,
    pub replace: Vec<AbsResourceInstance>,
    /// Resources each resource node depends on, transitively through other nodes.
    pub resource_deps: Vec<Vec<usize>>,
    /// Each resource node's configuration, by node index.
    resource_configs: Vec<Option<&'a ResourceConfig>>,
    /// Whether each resource node is replaced create-before-destroy: its own
    /// lifecycle, or forced by a dependent's ([`Walk::create_before_destroy`]).
    cbd: Vec<bool>,
    /// Planned changes other than no-ops, by resource, for
    /// `replace_triggered_by`; recorded only when a resource has it.
    /// The values before and after are kept for triggers on an attribute.
    changed: FastMap<AbsResource, Vec<PlannedChange>>,
    /// Whether any resource of the configuration has `replace_triggered_by`.
    track_changes: bool,
    pub warnings: Vec<Diagnostic>,
    /// Implicit moves (`[0]` ↔ no key) made while planning: new → old address.
    pub implicit_moves: FastMap<AbsResourceInstance, String>,
    /// Providers that cannot be configured yet, with what they wait for.
    pub deferred_providers: BTreeMap<String, String>,
    /// Resources whose `count`/`for_each` is unknown until apply.
    pub unknown_expansions: Vec<AbsResource>,
    /// [`Walk::implied_type`]'s cache, by the schema's address.
    implied_types: FastMap<usize, Type>,
    /// Configurations evaluated ahead of their node's turn by
    /// [`Walk::prepare`], by node index.
    prepared: FastMap<usize, std::collections::VecDeque<Prepared>>,
}

/// One managed resource instance worked out ahead of its turn by
/// [`Walk::prepare`]: its configuration, and, when its provider plans
/// locally, the provider's plan.
struct Prepared {
    inst: ModuleInstance,
    key: InstanceKey,
    config: Result<Value, EvalError>,
    plan: Option<Result<ManagedPlan, ProviderError>>,
}

/// What the provider planned for one managed instance, before the walk picks
/// the action ([`plan_managed`]).
pub(crate) struct ManagedPlan {
    /// The prior object, as a value of the resource's type.
    pub(crate) prior: Option<Value>,
    pub(crate) config_plain: Value,
    /// Where the configuration carries marks, to mark the planned value.
    pub(crate) sensitive_paths: Vec<AttrPath>,
    /// Without marks, `ignore_changes` applied.
    pub(crate) planned: Value,
    pub(crate) requires_replace: Vec<plinth_provider::Path>,
}

/// Below this many resource nodes per thread, [`Walk::prepare`] stays on one
/// thread (evaluating one configuration takes microseconds).
const PREPARE_PER_THREAD: usize = 64;

pub fn eval_err_to_diags(e: EvalError) -> Vec<Diagnostic> {
    e.diags
}

impl<'a> Walk<'a> {
    pub fn new(ctx: &'a Context<'a>, prior: State, mode: PlanMode) -> Walk<'a> {
        let mut values = Values::default();
        values.module_instances.insert(0, vec![ModuleInstance::root()]);
        let resource_deps = compute_resource_deps(ctx.graph);
        let resource_configs: Vec<Option<&ResourceConfig>> = ctx
            .graph
            .nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Resource(key) => ctx.tree.get(n.module).module.resources.get(key),
                _ => None,
            })
            .collect();
        // Terraform forces create_before_destroy on everything a
        // create_before_destroy resource depends on (else its replacement
        // would have to destroy them first).
        let mut cbd: Vec<bool> = resource_configs.iter().map(|rc| rc.is_some_and(|r| r.lifecycle.create_before_destroy)).collect();
        for (j, rc) in resource_configs.iter().enumerate() {
            if rc.is_some_and(|r| r.lifecycle.create_before_destroy) {
                for &i in &resource_deps[j] {
                    cbd[i] = true;
                }
            }
        }
        // One entry per resource node at least (more with count/for_each).
        values.resources.reserve(resource_configs_len(ctx.graph));
        Walk {
            ctx,
            values,
            diags: Vec::new(),
            failed_nodes: FastSet::default(),
            prior,
            claimed: FastSet::default(),
            changes: Vec::new(),
            mode,
            replace: Vec::new(),
            resource_deps,
            resource_configs,
            cbd,
            changed: FastMap::default(),
            track_changes: ctx
                .tree
                .modules
                .iter()
                .any(|m| m.module.resources.values().any(|r| !r.lifecycle.replace_triggered_by.is_empty())),
            warnings: Vec::new(),
            implicit_moves: FastMap::default(),
            deferred_providers: BTreeMap::new(),
            unknown_expansions: Vec::new(),
            implied_types: FastMap::default(),
            prepared: FastMap::default(),
        }
    }

    pub fn scope<'s>(&'s self, module: ModuleId, inst: &'s ModuleInstance) -> InstanceScope<'s> {
        InstanceScope {
            tree: self.ctx.tree,
            values: &self.values,
            module,
            inst,
            count_index: None,
            each: None,
            self_value: None,
            workspace: self.ctx.workspace,
            root_dir: &self.ctx.root_dir,
        }
    }

    /// Functions read relative paths from the root module's directory, as
    /// Terraform's do (from the working directory); `path.module` is relative
    /// to it, so `file("${path.module}/x")` works in a child module.
    pub fn call_ctx(&self, _module: ModuleId, planning: bool) -> CallCtx {
        CallCtx { base_dir: self.ctx.root_dir.to_path_buf(), planning, provider_functions: self.ctx.providers.functions() }
    }

    /// Whether resource node `i` is replaced create-before-destroy.
    pub fn create_before_destroy(&self, i: usize) -> bool {
        self.cbd[i]
    }

    /// The configuration of resource node `i`.
    pub fn resource_config(&self, i: usize) -> Option<&'a ResourceConfig> {
        self.resource_configs[i]
    }

    pub fn instances(&self, module: ModuleId) -> Vec<ModuleInstance> {
        self.values.module_instances.get(&module).cloned().unwrap_or_default()
    }

    /// True when any dependency of node `i` failed, so its own errors would
    /// only repeat an upstream problem.
    fn upstream_failed(&self, i: usize) -> bool {
        self.ctx.graph.deps[i].iter().any(|d| self.failed_nodes.contains(d))
    }

    /// Evaluates node `i` for every instance of its module (everything except
    /// managed resources, which the caller plans or applies).
    pub fn eval_node(&mut self, i: usize, planning: bool) {
        if self.upstream_failed(i) {
            self.failed_nodes.insert(i);
            return;
        }
        let node = self.ctx.graph.nodes[i].clone();
        let mut errors = Vec::new();
        for inst in self.instances(node.module) {
            let r = match &node.kind {
                NodeKind::Var(name) => self.eval_var(node.module, &inst, name, planning),
                NodeKind::Local(name) => self.eval_local(node.module, &inst, name, planning),
                NodeKind::Output(name) => self.eval_output(node.module, &inst, name, planning),
                NodeKind::ModuleCall(name) => self.eval_call(node.module, &inst, name, planning),
                NodeKind::Check(idx) => {
                    self.eval_check(node.module, &inst, *idx, planning);
                    Ok(())
                }
                NodeKind::Resource(_) => Ok(()),
            };
            if let Err(mut ds) = r {
                let ctx_name = crate::graph::node_context(self.ctx.tree, &node);
                for d in &mut ds {
                    if d.context.is_none() {
                        d.context = ctx_name.clone();
                    }
                }
                errors.extend(ds);
            }
        }
        if !errors.is_empty() {
            self.failed_nodes.insert(i);
            self.diags.extend(errors);
        }
    }

    fn eval_in(&self, module: ModuleId, inst: &ModuleInstance, planning: bool, e: &Expr) -> Result<Value, Vec<Diagnostic>> {
        let scope = self.scope(module, inst);
        let mut ev = Evaluator::new(&scope, self.call_ctx(module, planning));
        ev.eval(e).map_err(eval_err_to_diags)
    }

    /// A child module's variable errors about its value are written at the
    /// call's argument, so they are `in module "NAME"` there, as Terraform's.
    fn eval_var(&mut self, module: ModuleId, inst: &ModuleInstance, name: &str, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let tree = self.ctx.tree;
        let call = tree.get(module).parent.zip(tree.get(module).path.last()).and_then(|(p, c)| tree.get(p).module.module_calls.get(c));
        self.eval_var_value(module, inst, name, planning).map_err(|mut ds| {
            if let Some(call) = call {
                for d in &mut ds {
                    let inside = d.subject.is_some_and(|s| call.span.holds_subject(s));
                    if inside && d.context.is_none() {
                        d.context = Some(format!("module {:?}", call.name));
                    }
                }
            }
            ds
        })
    }

    fn eval_var_value(&mut self, module: ModuleId, inst: &ModuleInstance, name: &str, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let tree = self.ctx.tree;
        let var = &tree.get(module).module.variables[name];
        let raw: Option<Value> = if module == 0 {
            self.ctx.inputs.get(name).cloned()
        } else {
            // The argument in the calling module block, evaluated in the parent instance.
            let parent = tree.get(module).parent.expect("child module has a parent");
            let call_name = tree.get(module).path.last().expect("child path").clone();
            let call = &tree.get(parent).module.module_calls[&call_name];
            let parent_inst = ModuleInstance::new(inst.steps()[..inst.steps().len() - 1].to_vec());
            match call.args.iter().find(|a| a.name.name == name) {
                Some(a) => {
                    let step = inst.steps().last().expect("child instance");
                    let mut scope = self.scope(parent, &parent_inst);
                    let call_exp = self.values.calls.get(&(parent_inst.clone(), call_name.clone()));
                    set_repetition(&mut scope, &step.key, call_exp);
                    let mut ev = Evaluator::new(&scope, self.call_ctx(parent, planning));
                    Some(ev.eval(&a.expr).map_err(eval_err_to_diags)?)
                }
                None => None,
            }
        };
        let value = match raw {
            // A null for a non-nullable variable with a default takes the
            // default; a nullable variable keeps the null (root or child).
            Some(v) if !(v.is_null() && !var.nullable && var.default.is_some()) => v,
            _ => match &var.default {
                // A literal (the loader rejected calls and references).
                Some(d) => plinth_lang::eval_literal(d).map_err(eval_err_to_diags)?,
                None if module == 0 && !var.nullable => {
                    return Err(vec![Diagnostic::error(
                        "Required variable not set",
                        format!("The variable {name:?} is required, but is not set."),
                    )
                    .with_subject(var.span)])
                }
                None if module == 0 => {
                    return Err(vec![Diagnostic::error(
                        "No value for required variable",
                        format!("The root module input variable {name:?} is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable."),
                    )
                    .with_subject(var.span)])
                }
                None => {
                    let call_span = tree
                        .get(module)
                        .parent
                        .and_then(|p| tree.get(p).module.module_calls.get(tree.get(module).path.last()?))
                        .map(|c| c.decl_span)
                        .unwrap_or(var.span);
                    return Err(vec![Diagnostic::error(
                        "Missing required argument",
                        format!("The argument {name:?} is required, but no definition was found."),
                    )
                    .with_subject(call_span)]);
                }
            },
        };
        let value = self.finalize_var(module, inst, var, value, planning)?;
        self.values.vars.insert((inst.clone(), name.to_string()), value.clone());
        self.validate_var(module, inst, var, planning)?;
        Ok(())
    }

    fn finalize_var(
        &self,
        module: ModuleId,
        inst: &ModuleInstance,
        var: &Variable,
        v: Value,
        planning: bool,
    ) -> Result<Value, Vec<Diagnostic>> {
        // A child module's value comes from its call's argument: the error
        // is there, naming the variable by its absolute address.
        let tree = self.ctx.tree;
        let arg = tree
            .get(module)
            .parent
            .zip(tree.get(module).path.last())
            .and_then(|(p, c)| tree.get(p).module.module_calls.get(c))
            .and_then(|call| call.args.iter().find(|a| a.name.name == var.name));
        let (subject, addr) = match arg {
            // The module's path without instance keys, as Terraform's.
            Some(a) if module != 0 => {
                let path: Vec<String> = tree.get(module).path.iter().map(|c| format!("module.{c}.")).collect();
                (a.expr.span, format!("{}var.{}", path.concat(), var.name))
            }
            _ => (var.span, format!("var.{}", var.name)),
        };
        if v.is_null() && !var.nullable && module == 0 {
            return Err(vec![Diagnostic::error(
                "Required variable not set",
                format!(
                    "Unsuitable value for var.{} set from outside of the configuration: required variable may not be set to null.",
                    var.name
                ),
            )
            .with_subject(var.span)]);
        }
        let converted = input_value(self.ctx.files, var, &v, &addr, subject).map_err(|d| vec![d])?;
        // A sensitive variable's value is sensitive, an ephemeral one's
        // ephemeral, whatever it was given.
        let mut var_marks = if var.sensitive { Marks::SENSITIVE } else { Marks::NONE };
        if var.ephemeral {
            var_marks = var_marks.union(Marks::EPHEMERAL);
        }
        if converted.is_null() {
            return Ok(converted.mark(var_marks));
        }
        let with_defaults = self.apply_defaults(module, inst, &var.ty, converted, planning)?;
        Ok(with_defaults.mark(var_marks))
    }

    fn apply_defaults(
        &self,
        module: ModuleId,
        inst: &ModuleInstance,
        tc: &plinth_config::TypeConstraint,
        v: Value,
        planning: bool,
    ) -> Result<Value, Vec<Diagnostic>> {
        if !tc.has_defaults() || v.is_null() || v.is_unknown() {
            return Ok(v);
        }
        let marks = v.marks;
        let out =
            match &v.kind {
                plinth_value::Kind::Object(attrs) => {
                    let mut attrs = (**attrs).clone();
                    for (name, d) in &tc.defaults {
                        if attrs.get(name).is_none_or(Value::is_null) {
                            let dv = self.eval_in(module, inst, planning, d)?;
                            let t = match &tc.ty {
                                Type::Object(o) => o.attrs.get(name).cloned().unwrap_or(Type::Dynamic),
                                _ => Type::Dynamic,
                            };
                            let dv = convert(&dv, &t).map_err(|e| {
                                vec![Diagnostic::error("Invalid default value for optional attribute", e.to_string()).with_subject(d.span)]
                            })?;
                            attrs.insert(name.clone(), dv);
                        }
                    }
                    for (name, nested) in &tc.nested {
                        if let Some(x) = attrs.get(name).cloned() {
                            attrs.insert(name.clone(), self.apply_defaults(module, inst, nested, x, planning)?);
                        }
                    }
                    Value::object(attrs)
                }
                plinth_value::Kind::List(et, xs) | plinth_value::Kind::Set(et, xs) => match tc.nested.get("*") {
                    Some(n) => {
                        let items =
                            xs.iter().map(|x| self.apply_defaults(module, inst, n, x.clone(), planning)).collect::<Result<Vec<_>, _>>()?;
                        if matches!(v.kind, plinth_value::Kind::Set(..)) {
                            Value::set(et.clone(), items)
                        } else {
                            Value::list(et.clone(), items)
                        }
                    }
                    None => v.clone(),
                },
                plinth_value::Kind::Map(et, m) => match tc.nested.get("*") {
                    Some(n) => Value::map(
                        et.clone(),
                        m.iter()
                            .map(|(k, x)| Ok((k.clone(), self.apply_defaults(module, inst, n, x.clone(), planning)?)))
                            .collect::<Result<BTreeMap<_, _>, Vec<Diagnostic>>>()?,
                    ),
                    None => v.clone(),
                },
                _ => v.clone(),
            };
        Ok(out.mark(marks))
    }

    fn validate_var(&self, module: ModuleId, inst: &ModuleInstance, var: &Variable, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let mut diags = Vec::new();
        for val in &var.validations {
            let cond = self.eval_in(module, inst, planning, &val.condition)?;
            let (cond, _) = cond.unmark_deep();
            if cond.is_unknown() {
                continue;
            }
            if cond.as_bool() == Some(false) {
                let msg = self.eval_in(module, inst, planning, &val.error_message)?;
                let (msg, m) = msg.unmark_deep();
                let text = if m.contains(Marks::SENSITIVE) {
                    "The error message included a sensitive value, so it will not be displayed.".to_string()
                } else {
                    msg.as_str().unwrap_or_default().to_string()
                };
                // As Terraform: the subject is the value's origin (a module
                // call's argument, else the declaration); the rule is named
                // by its block.
                let subject = self
                    .ctx
                    .tree
                    .get(module)
                    .parent
                    .zip(self.ctx.tree.get(module).path.last())
                    .and_then(|(parent, call)| self.ctx.tree.get(parent).module.module_calls.get(call))
                    .and_then(|call| call.args.iter().find(|a| a.name.name == var.name))
                    .map_or(var.span, |a| a.expr.span);
                diags.push(
                    Diagnostic::error(
                        "Invalid value for variable",
                        format!("{text}\n\nThis was checked by the validation rule at {}.", self.span_ref(val.decl_span)),
                    )
                    .with_subject(subject),
                );
            }
        }
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    /// `file:line,col-col` as Terraform quotes declaration positions.
    pub fn span_ref(&self, s: Span) -> String {
        self.ctx.files.range_text(s)
    }

    fn eval_local(&mut self, module: ModuleId, inst: &ModuleInstance, name: &str, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let e = &self.ctx.tree.get(module).module.locals[name].expr;
        let v = self.eval_in(module, inst, planning, e)?;
        self.values.locals.insert((inst.clone(), name.to_string()), v);
        Ok(())
    }

    fn eval_output(&mut self, module: ModuleId, inst: &ModuleInstance, name: &str, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let o = &self.ctx.tree.get(module).module.outputs[name];
        self.check_conditions(module, inst, planning, &o.preconditions, None, "Module output value precondition failed")?;
        let v = match &o.expr {
            Some(e) => self.eval_in(module, inst, planning, e)?,
            None => Value::dynamic_null(),
        };
        if module == 0 && !o.sensitive && v.marks_deep().contains(Marks::SENSITIVE) {
            return Err(vec![Diagnostic::error(
                "Output refers to sensitive values",
                "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
            )
            .with_subject(o.span)]);
        }
        // Only an output declared ephemeral (a child module's) may return
        // an ephemeral value; its value is then ephemeral.
        if !o.ephemeral && v.marks_deep().contains(Marks::EPHEMERAL) {
            return Err(vec![Diagnostic::error(
                "Ephemeral value not allowed",
                "This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.",
            )
            .with_subject(o.expr.as_ref().map_or(o.span, |e| e.span))]);
        }
        let v = if o.sensitive { v.sensitive() } else { v };
        let v = if o.ephemeral { v.mark(Marks::EPHEMERAL) } else { v };
        self.values.outputs.insert((inst.clone(), name.to_string()), v);
        Ok(())
    }

    pub fn check_conditions(
        &self,
        module: ModuleId,
        inst: &ModuleInstance,
        planning: bool,
        conds: &[Condition],
        self_value: Option<&Value>,
        summary: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut diags = Vec::new();
        for c in conds {
            let mut scope = self.scope(module, inst);
            scope.self_value = self_value.cloned();
            let mut ev = Evaluator::new(&scope, self.call_ctx(module, planning));
            let v = ev.eval(&c.condition).map_err(eval_err_to_diags)?;
            let (v, _) = v.unmark_deep();
            if v.is_unknown() {
                continue;
            }
            if v.as_bool() == Some(false) {
                let msg = ev.eval(&c.error_message).map_err(eval_err_to_diags)?;
                let (msg, m) = msg.unmark_deep();
                let text = if m.contains(Marks::SENSITIVE) {
                    "The error message included a sensitive value, so it will not be displayed.".to_string()
                } else {
                    msg.as_str().unwrap_or_default().to_string()
                };
                // Terraform's detail is the error message alone.
                diags.push(Diagnostic::error(summary, text).with_subject(c.condition.span));
            }
        }
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    fn eval_check(&mut self, module: ModuleId, inst: &ModuleInstance, idx: usize, planning: bool) {
        let check = &self.ctx.tree.get(module).module.checks[idx];
        for a in &check.asserts {
            let scope = self.scope(module, inst);
            let mut ev = Evaluator::new(&scope, self.call_ctx(module, planning));
            let ok = match ev.eval(&a.condition) {
                Ok(v) => {
                    let (v, _) = v.unmark_deep();
                    v.is_unknown() || v.as_bool() != Some(false)
                }
                Err(_) => false,
            };
            if !ok {
                let msg = ev.eval(&a.error_message).ok().and_then(|m| m.as_str().map(str::to_string)).unwrap_or_default();
                self.warnings.push(
                    Diagnostic::warning("Check block assertion failed", msg)
                        .with_subject(a.condition.span)
                        .with_context(format!("check {:?}", check.name)),
                );
            }
        }
    }

    fn eval_call(&mut self, module: ModuleId, inst: &ModuleInstance, name: &str, planning: bool) -> Result<(), Vec<Diagnostic>> {
        let tree = self.ctx.tree;
        let call = &tree.get(module).module.module_calls[name];
        let exp = self.expansion(module, inst, planning, call.count.as_ref(), call.for_each.as_ref())?;
        let child = tree.child(module, name).expect("loaded child");
        let keys = exp.keys();
        self.values.calls.insert((inst.clone(), name.to_string()), exp);
        let list = self.values.module_instances.entry(child).or_default();
        for (k, _) in keys {
            list.push(inst.child(name, k));
        }
        Ok(())
    }

    /// Evaluates `count` / `for_each` with Terraform's checks.
    pub fn expansion(
        &self,
        module: ModuleId,
        inst: &ModuleInstance,
        planning: bool,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
    ) -> Result<Expansion, Vec<Diagnostic>> {
        if let Some(c) = count {
            let v = self.eval_in(module, inst, planning, c)?;
            let invalid = |detail: &str| vec![Diagnostic::error("Invalid count argument", detail).with_subject(c.span)];
            if v.is_sensitive() {
                return Err(invalid("The given \"count\" value is derived from a sensitive value, so its value cannot be used to decide how many instances to create."));
            }
            if v.is_unknown() {
                return Ok(Expansion::Unknown);
            }
            if v.is_null() {
                return Err(invalid("The given \"count\" argument value is null. An integer is required."));
            }
            let n = convert(&v, &Type::Number).map_err(|e| invalid(&format!("The given \"count\" argument value is unsuitable: {e}.")))?;
            let n = n.as_number().expect("number");
            if !n.is_integer() {
                return Err(invalid("The given \"count\" argument value is unsuitable: whole number required."));
            }
            return match n.to_i64() {
                Some(i) if i >= 0 => Ok(Expansion::Count(i as usize)),
                _ => Err(invalid("The given \"count\" argument value is unsuitable: must be greater than or equal to zero.")),
            };
        }
        if let Some(fe) = for_each {
            let v = self.eval_in(module, inst, planning, fe)?;
            let invalid = |detail: String| vec![Diagnostic::error("Invalid for_each argument", detail).with_subject(fe.span)];
            if v.is_sensitive() {
                return Err(invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into()));
            }
            if v.is_null() {
                return Err(invalid("The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.".into()));
            }
            if v.is_unknown() {
                return Ok(Expansion::Unknown);
            }
            let ty = v.ty();
            let items: Vec<(String, Value)> = match &v.kind {
                plinth_value::Kind::Map(_, m) | plinth_value::Kind::Object(m) => m.iter().map(|(k, x)| (k.clone(), x.clone())).collect(),
                plinth_value::Kind::Set(et, xs) => {
                    if *et != Type::String && *et != Type::Dynamic {
                        return Err(invalid(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", et.friendly_name())));
                    }
                    let mut out = Vec::new();
                    for x in xs.iter() {
                        if x.is_unknown() {
                            return Ok(Expansion::Unknown);
                        }
                        match x.as_str() {
                            Some(s) => out.push((s.to_string(), x.clone())),
                            None => return Err(invalid("The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into())),
                        }
                    }
                    out
                }
                _ => {
                    return Err(invalid(format!(
                        "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
                        ty.friendly_name()
                    )))
                }
            };
            if !v.is_wholly_known() && items.iter().any(|(_, x)| !x.is_known()) {
                // Values may be unknown; keys are known.
            }
            return Ok(Expansion::ForEach(items));
        }
        Ok(Expansion::Single)
    }

    // ---- resources ---------------------------------------------------------

    /// Plans every instance of resource node `i`.
    pub async fn plan_resource_node(&mut self, i: usize) {
        if self.upstream_failed(i) {
            self.failed_nodes.insert(i);
            return;
        }
        let node = &self.ctx.graph.nodes[i];
        let NodeKind::Resource(key) = &node.kind else { return };
        let Some(rc) = self.resource_config(i) else { return };
        let mut errors = Vec::new();
        for inst in self.instances(node.module) {
            if let Err(ds) = self.plan_resource(i, node.module, &inst, key, rc).await {
                errors.extend(ds);
            }
        }
        self.prepared.remove(&i);
        if !errors.is_empty() {
            let ctx_name = Some(format!("resource {:?} {:?}", rc.type_name, rc.name));
            for d in &mut errors {
                if d.context.is_none() {
                    d.context = ctx_name.clone();
                }
            }
            self.failed_nodes.insert(i);
            self.diags.extend(errors);
        }
    }

    fn abs_resource(inst: &ModuleInstance, rc: &ResourceConfig) -> AbsResource {
        let mode = match rc.mode {
            CfgMode::Managed => ResourceMode::Managed,
            CfgMode::Data => ResourceMode::Data,
        };
        inst.resource(mode, &rc.type_name, &rc.name)
    }

    /// The object type of values of `block` (a provider's schema, alive for
    /// the whole walk), computed once per schema rather than per resource.
    pub fn implied_type(&mut self, block: &plinth_provider::BlockSchema) -> Type {
        self.implied_types.entry(schema_key(block)).or_insert_with(|| block.implied_type()).clone()
    }

    /// Works out every instance of the managed resource nodes `nodes` ahead
    /// of their turn in the walk ([`Walk::plan_resource`]), on all cores: it
    /// evaluates their configurations and, when their provider plans locally
    /// ([`Provider::plans_locally`]), has the provider plan them. The caller
    /// passes only nodes whose dependencies have all been walked: this reads
    /// nothing else, so the results are the ones the nodes' own turns would
    /// compute.
    pub fn prepare(&mut self, nodes: &[usize]) {
        // Resource types' implied types, asked for here: the workers only read.
        for &i in nodes {
            if let Some(rc) = self.resource_config(i) {
                if let Some(provider) = self.ctx.providers.provider(provider_local(rc)) {
                    if let Some(schema) = provider.schema().resources.get(&rc.type_name) {
                        self.implied_type(&schema.block);
                    }
                }
            }
        }
        let this = &*self;
        let results = crate::par::map_min(nodes, PREPARE_PER_THREAD, |_, &i| (i, this.prepare_node(i)));
        for (i, prepared) in results {
            if !prepared.is_empty() {
                self.prepared.insert(i, prepared);
            }
        }
    }

    /// Node `i`'s instances worked out ahead, in the order its turn walks
    /// them (module instances, then instance keys).
    fn prepare_node(&self, i: usize) -> std::collections::VecDeque<Prepared> {
        let mut out = std::collections::VecDeque::new();
        let node = &self.ctx.graph.nodes[i];
        let Some(rc) = self.resource_config(i) else { return out };
        if rc.mode != CfgMode::Managed || self.upstream_failed(i) {
            return out;
        }
        let pname = provider_local(rc);
        let Some(provider) = self.ctx.providers.provider(pname) else { return out };
        let Some(schema) = provider.schema().resources.get(&rc.type_name) else { return out };
        let ty = self.implied_types.get(&schema_key(&schema.block));
        // A provider that cannot be configured yet plans nothing now.
        let plans = provider.plans_locally() && !self.deferred_providers.contains_key(pname);
        for inst in self.instances(node.module) {
            let Ok(exp) = self.expansion(node.module, &inst, true, rc.count.as_ref(), rc.for_each.as_ref()) else { continue };
            if exp.is_unknown() {
                continue;
            }
            let abs = Self::abs_resource(&inst, rc);
            // Its turn may first move an instance in the prior state.
            let plans = plans && self.implicit_move_of(&abs, &exp).is_none();
            for (ik, each_val) in exp.keys() {
                let config = {
                    let mut scope = self.scope(node.module, &inst);
                    set_instance_repetition(&mut scope, &ik, each_val.as_ref());
                    let mut ev = Evaluator::new(&scope, self.call_ctx(node.module, true));
                    decode_resource_body(&mut ev, &rc.config, &schema.block, rc.decl_span)
                };
                let plan = match (&config, ty) {
                    (Ok(config), Some(ty)) if plans => {
                        let prior = self.prior.current(&abs.instance(ik.clone())).map(|o| prior_object(o, ty));
                        Some(plan_managed(provider, schema, rc, config, prior))
                    }
                    _ => None,
                };
                out.push_back(Prepared { inst: inst.clone(), key: ik, config, plan });
            }
        }
        out
    }

    /// What [`Walk::prepare`] worked out for this instance, if anything:
    /// instances come in the order they were prepared in.
    fn take_prepared(&mut self, node_i: usize, inst: &ModuleInstance, ik: &InstanceKey) -> Option<Prepared> {
        let list = self.prepared.get_mut(&node_i)?;
        match list.front() {
            Some(p) if p.inst == *inst && p.key == *ik => list.pop_front(),
            _ => None,
        }
    }

    pub fn provider_for(&self, rc: &ResourceConfig) -> Result<(Arc<dyn Provider>, String, String), Vec<Diagnostic>> {
        let local = provider_local(rc);
        match self.ctx.providers.get(local) {
            Some((p, addr)) => Ok((p, local.to_string(), addr)),
            None => Err(vec![Diagnostic::error(
                "Missing required provider",
                format!("This configuration requires provider {local:?}, which plinth does not include."),
            )
            .with_subject(rc.decl_span)]),
        }
    }

    async fn plan_resource(
        &mut self,
        node_i: usize,
        module: ModuleId,
        inst: &ModuleInstance,
        key: &str,
        rc: &ResourceConfig,
    ) -> Result<(), Vec<Diagnostic>> {
        let (provider, pname, paddr) = self.provider_for(rc)?;
        let schema = match rc.mode {
            CfgMode::Managed => provider.schema().resources.get(&rc.type_name),
            CfgMode::Data => provider.schema().data_sources.get(&rc.type_name),
        };
        let Some(schema) = schema else {
            return Err(vec![unsupported_type(rc, &paddr)]);
        };
        let ty = self.implied_type(&schema.block);
        let exp = if self.mode == PlanMode::Destroy && rc.mode == CfgMode::Managed {
            Expansion::Count(0)
        } else {
            self.expansion(module, inst, true, rc.count.as_ref(), rc.for_each.as_ref())?
        };
        let abs = Self::abs_resource(inst, rc);
        if self.mode != PlanMode::Destroy {
            self.implicit_move(&abs, &exp);
        }
        if exp.is_unknown() && rc.mode == CfgMode::Managed {
            self.unknown_expansion(&abs, rc);
        }
        let deps = self.dependency_strings(node_i, inst);
        let keys = exp.keys();
        let mut planned_vals = FastMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut errors = Vec::new();
        for (ik, each_val) in keys {
            if exp.is_unknown() {
                planned_vals.insert(ik, Value::unknown(ty.clone()));
                continue;
            }
            let addr = abs.instance(ik.clone());
            // Configuration of this instance, and maybe its provider's plan
            // (worked out ahead, or now).
            let (config, ahead) = match self.take_prepared(node_i, inst, &ik) {
                Some(p) => (p.config, p.plan),
                None => {
                    let mut scope = self.scope(module, inst);
                    set_instance_repetition(&mut scope, &ik, each_val.as_ref());
                    let mut ev = Evaluator::new(&scope, self.call_ctx(module, true));
                    (decode_resource_body(&mut ev, &rc.config, &schema.block, rc.decl_span), None)
                }
            };
            // The prior object, unless the provider's plan already has it.
            let prior_obj = match &ahead {
                Some(Ok(mp)) => mp.prior.clone(),
                _ => self.prior.current(&addr).map(|o| prior_object(o, &ty)),
            };
            // What prior state has and configuration claims is no orphan.
            if prior_obj.is_some() {
                self.claimed.insert(addr.clone());
            }
            let config = match config {
                Ok(v) => v,
                Err(e) => {
                    errors.extend(e.diags);
                    continue;
                }
            };
            if let Err(ds) = self.check_conditions(module, inst, true, &rc.lifecycle.preconditions, None, "Resource precondition failed") {
                errors.extend(ds);
                continue;
            }
            // A refresh-only plan keeps managed objects as refreshed; data
            // sources it reads again, as Terraform's does.
            if self.mode == PlanMode::RefreshOnly && rc.mode == CfgMode::Managed {
                if let Some(p) = &prior_obj {
                    planned_vals.insert(ik, p.clone());
                }
                continue;
            }
            if let Some(waits) = self.deferred_providers.get(&pname).cloned() {
                // The provider cannot be configured yet: plan without it, and
                // leave the change for apply to plan again once it can.
                let prior_val = prior_obj.clone();
                let (config_plain, _) = config.clone().unmark_deep();
                let (action, after) = match (&prior_val, rc.mode) {
                    (Some(p), _) => (Action::NoOp, p.clone()),
                    (None, CfgMode::Data) => (Action::Read, Value::unknown(ty.clone())),
                    (None, CfgMode::Managed) => (Action::Create, proposed_new(&schema.block, &config_plain, None)),
                };
                planned_vals.insert(ik, if prior_val.is_some() { after.clone() } else { Value::unknown(ty.clone()) });
                self.changes.push(ResourceChange {
                    addr,
                    deposed: None,
                    provider: pname.clone(),
                    provider_addr: paddr.clone(),
                    action,
                    before: prior_val,
                    after: Some(after),
                    requires_replace: Vec::new(),
                    node: Some(node_i),
                    dependencies: deps.clone(),
                    create_before_destroy: self.cbd[node_i],
                    schema_version: schema.version,
                    moved_from: None,
                    reason: (!waits.is_empty()).then(|| format!("until {waits} is applied")),
                    config: Some(config),
                    importing: None,
                    deferred: Some("provider_config_unknown".into()),
                });
                continue;
            }
            if rc.mode == CfgMode::Data {
                let (cfg_plain, _) = config.clone().unmark_deep();
                let pending = self.depends_on_pending(rc, inst);
                let v = if cfg_plain.is_wholly_known() && !pending {
                    match provider.read_data_source(&rc.type_name, &cfg_plain).await {
                        Ok(v) => {
                            // The plan's refreshed state records what it read,
                            // as Terraform's does: apply keeps this object
                            // rather than reading again.
                            let (plain, _) = v.clone().unmark_deep();
                            let mut obj = plinth_state::InstanceObject::new(crate::statevals::object_to_state_json(&plain, &ty));
                            obj.schema_version = schema.version;
                            obj.sensitive_attributes = crate::statevals::sensitive_paths(&v);
                            self.prior.set_current(&addr, Some(obj), &paddr);
                            v
                        }
                        Err(e) => {
                            errors.push(provider_diag(&addr, e, rc.decl_span));
                            continue;
                        }
                    }
                } else {
                    self.changes.push(ResourceChange {
                        addr: addr.clone(),
                        deposed: None,
                        provider: pname.clone(),
                        provider_addr: paddr.clone(),
                        action: Action::Read,
                        before: None,
                        after: Some(Value::unknown(ty.clone())),
                        requires_replace: Vec::new(),
                        node: Some(node_i),
                        dependencies: deps.clone(),
                        create_before_destroy: false,
                        schema_version: schema.version,
                        moved_from: None,
                        reason: pending.then(|| "because of depends_on".to_string()),
                        config: Some(config.clone()),
                        importing: None,
                        deferred: None,
                    });
                    Value::unknown(ty.clone())
                };
                planned_vals.insert(ik, v);
                continue;
            }
            let planned = match ahead {
                Some(r) => r,
                None => plan_managed(&*provider, schema, rc, &config, prior_obj),
            };
            let ManagedPlan { prior: prior_val, config_plain, sensitive_paths, mut planned, mut requires_replace } = match planned {
                Ok(mp) => mp,
                Err(e) => {
                    errors.push(provider_diag(&addr, e, rc.decl_span));
                    continue;
                }
            };
            let mut action = match &prior_val {
                // Nothing to replace (a provider may still name the paths
                // that would force it: Terraform ignores them on a create).
                None => {
                    requires_replace.clear();
                    Action::Create
                }
                // Values decide the action; marks (restored from state) do not.
                Some(prior) if planned.raw_equal_unmarked(prior) => Action::NoOp,
                Some(prior) => {
                    // Only the paths that change force the replacement (and
                    // are shown to); as Terraform filters them.
                    requires_replace.retain(|p| path_changed(p, prior, &planned));
                    if requires_replace.is_empty() {
                        Action::Update
                    } else {
                        replace_action(self.cbd[node_i])
                    }
                }
            };
            let mut reason = None;
            // A tainted object (a failed create, `taint`) is always replaced.
            if prior_val.is_some() && self.prior.current(&addr).is_some_and(|o| o.status == plinth_state::ObjectStatus::Tainted) {
                action = replace_action(self.cbd[node_i]);
                reason = Some("tainted".to_string());
            }
            if prior_val.is_some() && self.replace.contains(&addr) {
                action = replace_action(self.cbd[node_i]);
                reason = Some("as requested".to_string());
            }
            if prior_val.is_some()
                && action != Action::Create
                && !action.is_replace()
                && self.triggered_replace(module, inst, rc, &ik, each_val.as_ref())
            {
                action = replace_action(self.cbd[node_i]);
                reason = Some("because of replace_triggered_by".to_string());
            }
            if action.is_replace() {
                // A replacement is a new object: plan it as a create (as
                // Terraform does), so computed attributes become unknown and
                // apply's final plan, also a create, can only fill them in.
                let fresh = proposed_new(&schema.block, &config_plain, None);
                if let Ok(r) =
                    provider.plan_resource(PlanRequest { type_name: &rc.type_name, prior: None, proposed: &fresh, config: &config_plain })
                {
                    planned = r.planned;
                }
            }
            if action.deletes() && rc.lifecycle.prevent_destroy {
                errors.push(
                    Diagnostic::error(
                        "Instance cannot be destroyed",
                        format!("Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option."),
                    )
                    .with_subject(rc.decl_span),
                );
                continue;
            }
            let planned = mark_paths(planned, &sensitive_paths, &schema.block);
            // A no-op keeps one copy of the object (the prior, shared), and no
            // configuration: apply does not touch it.
            let (before, after, config) = match (action, prior_val) {
                (Action::NoOp, Some(prior)) if sensitive_paths.is_empty() => (Some(prior.clone()), Some(prior), None),
                (_, prior) => (prior, Some(planned.clone()), Some(config)),
            };
            planned_vals.insert(ik.clone(), after.clone().unwrap_or(planned));
            if action != Action::NoOp && self.track_changes {
                let (before, _) = before.clone().unwrap_or_else(|| Value::null(Type::Dynamic)).unmark_deep();
                let (after, _) = planned_vals[&ik].clone().unmark_deep();
                self.changed.entry(abs.clone()).or_default().push(PlannedChange { key: addr.key.clone(), action, before, after });
            }
            self.changes.push(ResourceChange {
                addr,
                deposed: None,
                provider: pname.clone(),
                provider_addr: paddr.clone(),
                action,
                before,
                after,
                requires_replace,
                node: Some(node_i),
                dependencies: deps.clone(),
                create_before_destroy: self.cbd[node_i],
                schema_version: schema.version,
                moved_from: None,
                reason,
                config,
                importing: None,
                deferred: None,
            });
        }
        self.values.resources.insert((inst.clone(), key.to_string()), ResourceValues { expansion: Some(exp), instances: planned_vals });
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn triggered_replace(
        &self,
        module: ModuleId,
        inst: &ModuleInstance,
        rc: &ResourceConfig,
        ik: &InstanceKey,
        each: Option<&Value>,
    ) -> bool {
        for e in &rc.lifecycle.replace_triggered_by {
            let Some((root, steps)) = e.as_traversal() else { continue };
            let Some(plinth_syntax::ast::TraversalStep::Attr(name)) = steps.first() else { continue };
            let key = format!("{}.{}", root.name, name.name);
            let Some(target) = self.ctx.tree.get(module).module.resources.get(&key) else { continue };
            let abs = Self::abs_resource(inst, target);
            // An explicit index selects one instance; otherwise any instance counts.
            let idx = steps.get(1).and_then(|s| match s {
                plinth_syntax::ast::TraversalStep::Index(k, _) => Some(match k {
                    plinth_syntax::ast::IndexKey::Number(n) => InstanceKey::Int(n.parse().unwrap_or(0)),
                    plinth_syntax::ast::IndexKey::String(s) => InstanceKey::Str(s.clone()),
                }),
                _ => None,
            });
            let _ = (ik, each);
            // After the resource (and its index), an attribute path: only a
            // change of that attribute's value triggers, as in Terraform.
            let path = &steps[1 + usize::from(idx.is_some())..];
            let hit = self.changed.get(&abs).is_some_and(|planned| {
                planned.iter().any(|c| {
                    idx.as_ref().is_none_or(|k| *k == c.key)
                        && if path.is_empty() {
                            matches!(c.action, Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete | Action::Create)
                        } else {
                            let before = value_at(&c.before, path);
                            let after = value_at(&c.after, path);
                            !after.is_wholly_known() || !before.raw_equal(&after)
                        }
                })
            });
            if hit {
                return true;
            }
        }
        false
    }

    /// Terraform's implicit move between `[0]` and no key when `count` is
    /// added to or removed from a single-instance resource.
    fn implicit_move(&mut self, abs: &AbsResource, exp: &Expansion) {
        if let Some((from, to)) = self.implicit_move_of(abs, exp) {
            if self.prior.move_instance(&from, &to).is_ok() {
                self.implicit_moves.insert(to, from.to_string());
            }
        }
    }

    /// The implicit move (from, to) that `exp` calls for in the prior state.
    fn implicit_move_of(&self, abs: &AbsResource, exp: &Expansion) -> Option<(AbsResourceInstance, AbsResourceInstance)> {
        self.prior.resource(abs)?;
        let no_key = abs.instance(InstanceKey::None);
        let zero = abs.instance(InstanceKey::Int(0));
        match exp {
            Expansion::Single if self.prior.instance(&no_key).is_none() && self.prior.instance(&zero).is_some() => Some((zero, no_key)),
            Expansion::Count(n) if *n > 0 && self.prior.instance(&zero).is_none() && self.prior.instance(&no_key).is_some() => {
                Some((no_key, zero))
            }
            _ => None,
        }
    }

    pub fn dependency_strings(&self, node_i: usize, inst: &ModuleInstance) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &d in &self.resource_deps[node_i] {
            let n = &self.ctx.graph.nodes[d];
            // Data sources count too, as in Terraform's state.
            let (NodeKind::Resource(key), Some(rc)) = (&n.kind, self.resource_config(d)) else { continue };
            if n.module == self.ctx.graph.nodes[node_i].module {
                // A managed resource of the same module instance; in the root
                // module its address is the node's key (`type.name`).
                out.push(if inst.is_root() { key.clone() } else { Self::abs_resource(inst, rc).to_string() });
                continue;
            }
            for mi in self.instances(n.module) {
                out.push(Self::abs_resource(&mi, rc).to_string());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether something a data source's `depends_on` names (a resource or a
    /// module call of its module instance) has changes planned: Terraform
    /// then reads it during apply, not now.
    fn depends_on_pending(&self, rc: &ResourceConfig, inst: &ModuleInstance) -> bool {
        rc.depends_on.iter().filter_map(crate::traversal_text).any(|target| {
            let call = target.strip_prefix("module.").map(|m| m.split('.').next().unwrap_or(m));
            self.changes.iter().any(|c| {
                if c.action == Action::NoOp {
                    return false;
                }
                let m = &c.addr.resource.module;
                match call {
                    Some(name) => {
                        m.steps().len() > inst.steps().len()
                            && m.steps()[..inst.steps().len()] == *inst.steps()
                            && m.steps()[inst.steps().len()].name == name
                    }
                    None => m == inst && c.addr.resource.resource.to_string() == target,
                }
            })
        })
    }

    /// Orphans: instances in state that configuration no longer claims.
    /// A managed resource whose `count`/`for_each` is unknown until apply:
    /// its instances are planned during apply (see apply.rs), so the plan
    /// says so; and the instances state already has are kept, not planned
    /// for deletion as if they had left the configuration.
    fn unknown_expansion(&mut self, abs: &plinth_state::AbsResource, rc: &ResourceConfig) {
        let kept: Vec<AbsResourceInstance> = self.prior.instance_addrs().filter(|a| a.resource == *abs).collect();
        self.claimed.extend(kept);
        self.unknown_expansions.push(abs.clone());
        let (what, span) = match (&rc.count, &rc.for_each) {
            (Some(c), _) => ("count", c.span),
            (_, Some(f)) => ("for_each", f.span),
            _ => return,
        };
        self.diags.push(
            Diagnostic::warning(
                "Instances known only after apply",
                format!(
                    "The \"{what}\" value of {abs} depends on values that are known only after apply, so its instances cannot be planned yet and are not in this plan. plinth plans and applies them during apply, once what they depend on exists; the instances it already manages are kept until then. To review them first, apply their dependencies alone with -target, then plan again."
                ),
            )
            .with_subject(span),
        );
    }

    /// Why an instance no resource claimed is deleted, as Terraform says it
    /// (`ui/json.rs` maps each wording to its `action_reason` code).
    fn orphan_reason(&self, addr: &AbsResourceInstance) -> String {
        let mi = &addr.resource.module;
        let path: Vec<&str> = mi.steps().iter().map(|s| s.name.as_str()).collect();
        let module = self.ctx.tree.modules.iter().position(|m| m.path.iter().map(String::as_str).eq(path.iter().copied()));
        let expanded = module.is_some_and(|id| self.values.module_instances.get(&id).is_some_and(|v| v.contains(mi)));
        if !expanded {
            return format!("because {mi} is not in configuration");
        }
        let Some(rv) = self.values.resources.get(&(mi.clone(), addr.resource.resource.to_string())) else {
            return format!("because {} is not in configuration", addr.resource.resource);
        };
        match (&rv.expansion, &addr.key) {
            (Some(Expansion::Count(_)), InstanceKey::Int(_)) => format!("because index {} is out of range for count", addr.key),
            (Some(Expansion::ForEach(_)), InstanceKey::Str(_)) => format!("because key {} is not in for_each map", addr.key),
            (_, InstanceKey::None) => "because resource uses count or for_each".into(),
            (_, InstanceKey::Int(_)) => "because resource does not use count".into(),
            (_, InstanceKey::Str(_)) => "because resource does not use for_each".into(),
        }
    }

    pub fn plan_orphans(&mut self, removed_forget: &[plinth_state::Target]) {
        if self.mode == PlanMode::RefreshOnly {
            // A refresh-only plan only updates state to match the objects.
            return;
        }
        let addrs: Vec<AbsResourceInstance> = self.prior.instance_addrs().collect();
        for addr in addrs {
            if self.claimed.contains(&addr) {
                continue;
            }
            let Some(obj) = self.prior.current(&addr).cloned() else { continue };
            let provider_addr = self.prior.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
            let pname = provider_name_from_addr(&provider_addr).unwrap_or_else(|| provider_local_name(&addr.resource.resource.type_name));
            if addr.resource.resource.mode == ResourceMode::Data {
                continue;
            }
            let ty = self
                .ctx
                .providers
                .get(&pname)
                .and_then(|(p, _)| p.schema().resources.get(&addr.resource.resource.type_name).map(|s| s.block.implied_type()))
                .unwrap_or(Type::Dynamic);
            let before = prior_object(&obj, &ty);
            let forget = removed_forget.iter().any(|t| crate::targeting::matches(t, &addr));
            let reason = if self.mode == PlanMode::Destroy { None } else { Some(self.orphan_reason(&addr)) };
            self.changes.push(ResourceChange {
                addr,
                deposed: None,
                provider: pname,
                provider_addr,
                action: if forget { Action::Forget } else { Action::Delete },
                before: Some(before),
                after: None,
                requires_replace: Vec::new(),
                node: None,
                dependencies: obj.dependencies.clone(),
                create_before_destroy: obj.create_before_destroy,
                schema_version: obj.schema_version,
                moved_from: None,
                reason,
                config: None,
                importing: None,
                deferred: None,
            });
        }
    }

    pub fn root_outputs(&self, prior_outputs: &BTreeMap<String, plinth_state::OutputState>) -> BTreeMap<String, OutputChange> {
        let mut out = BTreeMap::new();
        let root = ModuleInstance::root();
        for (name, o) in &self.ctx.tree.root().module.outputs {
            let after = if self.mode == PlanMode::Destroy { None } else { self.values.outputs.get(&(root.clone(), name.clone())).cloned() };
            let before = prior_outputs.get(name).map(|s| {
                let ty = plinth_value::type_from_json(&s.ty).unwrap_or(Type::Dynamic);
                object_from_state(&s.value, &ty)
            });
            out.insert(name.clone(), OutputChange { before, after, sensitive: o.sensitive });
        }
        // Outputs configuration no longer has are deleted from their prior
        // value (Terraform: `- x = 1 -> null`).
        for (name, s) in prior_outputs {
            if !out.contains_key(name) {
                let ty = plinth_value::type_from_json(&s.ty).unwrap_or(Type::Dynamic);
                let before = object_from_state(&s.value, &ty);
                out.insert(name.clone(), OutputChange { before: Some(before), after: None, sensitive: s.sensitive });
            }
        }
        out
    }
}

/// [`Walk::implied_type`]'s cache key: the schema's address (schemas live as
/// long as their providers, for the whole walk).
fn schema_key(block: &plinth_provider::BlockSchema) -> usize {
    block as *const plinth_provider::BlockSchema as usize
}

/// Has the provider plan one managed instance from its configuration and
/// prior object; `ignore_changes` is applied. The walk calls it in the
/// node's turn or ahead of it, on any thread ([`Walk::prepare`]).
pub(crate) fn plan_managed(
    provider: &dyn Provider,
    schema: &ResourceSchema,
    rc: &ResourceConfig,
    config: &Value,
    prior: Option<Value>,
) -> Result<ManagedPlan, ProviderError> {
    let (config_plain, _) = config.clone().unmark_deep();
    let sensitive_paths = crate::statevals::sensitive_paths(config);
    // As Terraform does (processIgnoreChanges), ignored arguments take their
    // prior values before the provider plans: it sees no change to them, so
    // they neither update nor replace the object.
    // Providers see unmarked values (as over the plugin protocol); the marks
    // a prior object got from state stay with the walk.
    let prior_plain = prior.as_ref().map(|p| p.clone().unmark_deep().0);
    let config_ignored = match &prior_plain {
        Some(p) => apply_ignore_changes(&rc.lifecycle, config_plain.clone(), p),
        None => config_plain.clone(),
    };
    let proposed = proposed_new(&schema.block, &config_ignored, prior_plain.as_ref());
    let resp = provider.plan_resource(PlanRequest {
        type_name: &rc.type_name,
        prior: prior_plain.as_ref(),
        proposed: &proposed,
        config: &config_ignored,
    })?;
    let mut planned = resp.planned;
    let mut requires_replace = resp.requires_replace;
    if let Some(p) = &prior {
        planned = apply_ignore_changes(&rc.lifecycle, planned, p);
        requires_replace.retain(|path| !ignored(&rc.lifecycle, path));
    }
    Ok(ManagedPlan { prior, config_plain, sensitive_paths, planned, requires_replace })
}

fn replace_action(create_before_destroy: bool) -> Action {
    if create_before_destroy {
        Action::CreateThenDelete
    } else {
        Action::DeleteThenCreate
    }
}

pub fn provider_diag(addr: &AbsResourceInstance, e: plinth_provider::ProviderError, span: Span) -> Diagnostic {
    let detail = if e.detail.is_empty() { format!("with {addr}") } else { format!("{}\n\nwith {addr}", e.detail) };
    Diagnostic::error(e.summary, detail).with_subject(span)
}

/// `aws_vpc` → `aws`: a resource type's provider is its first word.
pub fn provider_local_name(type_name: &str) -> String {
    local_name_of_type(type_name).to_string()
}

/// `aws` for `aws_vpc`: a resource type's default provider.
fn local_name_of_type(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// The local name of the provider `rc` uses: its `provider` argument's, or
/// its type's default.
pub fn provider_local(rc: &ResourceConfig) -> &str {
    rc.provider.as_ref().map_or_else(|| local_name_of_type(&rc.type_name), |(n, _)| n.as_str())
}

/// `provider["registry.terraform.io/hashicorp/aws"]` → `aws`.
pub fn provider_name_from_addr(addr: &str) -> Option<String> {
    let inner = addr.split("provider[\"").nth(1)?.split('"').next()?;
    let name = inner.rsplit('/').next()?;
    let alias_free = name.to_string();
    Some(alias_free)
}

fn set_repetition(scope: &mut InstanceScope, key: &InstanceKey, exp: Option<&Expansion>) {
    match key {
        InstanceKey::Int(i) => scope.count_index = Some(*i),
        InstanceKey::Str(s) => {
            let v = match exp {
                Some(Expansion::ForEach(kv)) => kv.iter().find(|(k, _)| k == s).map(|(_, v)| v.clone()),
                _ => None,
            };
            scope.each = Some((Value::string(s.as_str()), v.unwrap_or_else(Value::dynamic_unknown)));
        }
        InstanceKey::None => {}
    }
}

pub(crate) fn set_instance_repetition(scope: &mut InstanceScope, key: &InstanceKey, each: Option<&Value>) {
    match key {
        InstanceKey::Int(i) => scope.count_index = Some(*i),
        InstanceKey::Str(s) => scope.each = Some((Value::string(s.as_str()), each.cloned().unwrap_or_else(Value::dynamic_unknown))),
        InstanceKey::None => {}
    }
}

fn resource_configs_len(g: &Graph) -> usize {
    g.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Resource(_))).count()
}

/// For each node, the resource nodes it depends on, transitively (through
/// variables, locals, outputs, module calls and other resources): what
/// Terraform records as an instance's `dependencies`.
fn compute_resource_deps(g: &Graph) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for &i in &g.order {
        let mut acc: Vec<usize> = Vec::new();
        for &d in &g.deps[i] {
            if matches!(g.nodes[d].kind, NodeKind::Resource(_)) {
                acc.push(d);
            }
            acc.extend(out[d].iter().copied());
        }
        acc.sort_unstable();
        acc.dedup();
        out[i] = acc;
    }
    out
}

// ---- sensitive paths and ignore_changes --------------------------------------

/// `v` with the sensitive marks an object gets after its provider (which
/// sees unmarked values) answered: the schema's sensitive attributes, and
/// `paths` (the configuration's or the state's marks, at their exact paths).
pub fn mark_paths(v: Value, paths: &[AttrPath], schema: &plinth_provider::BlockSchema) -> Value {
    let marks = v.marks;
    let v = match v.kind {
        plinth_value::Kind::Object(m) if schema.attributes.values().any(|a| a.sensitive) => {
            let mut m = (*m).clone();
            for (k, _) in schema.attributes.iter().filter(|(_, a)| a.sensitive) {
                if let Some(x) = m.remove(k) {
                    m.insert(k.clone(), x.sensitive());
                }
            }
            Value::object(m).mark(marks)
        }
        kind => Value { kind, marks },
    };
    crate::statevals::mark_state_paths(v, paths)
}

fn ignored(l: &plinth_config::Lifecycle, p: &plinth_provider::Path) -> bool {
    if l.ignore_all_changes {
        return true;
    }
    let Some(plinth_provider::PathStep::Attr(first)) = p.first() else { return false };
    l.ignore_changes.iter().any(|e| e.as_traversal().is_some_and(|(root, _)| &root.name == first))
}

pub(crate) fn apply_ignore_changes(l: &plinth_config::Lifecycle, planned: Value, prior: &Value) -> Value {
    if !l.ignore_all_changes && l.ignore_changes.is_empty() {
        return planned;
    }
    let (Some(pm), Some(prm)) = (planned.as_entries(), prior.as_entries()) else { return planned };
    let mut pm = pm.clone();
    let names: Vec<String> = if l.ignore_all_changes {
        pm.keys().cloned().collect()
    } else {
        l.ignore_changes.iter().filter_map(|e| e.as_traversal().map(|(r, _)| r.name)).collect()
    };
    for n in names {
        if let Some(pv) = prm.get(&n) {
            pm.insert(n, pv.clone());
        }
    }
    // Derived computed attributes (terraform_data.output follows input).
    if let (Some(inp), Some(out)) = (pm.get("input").cloned(), prm.get("output")) {
        if prm.get("input").is_some_and(|pi| pi.raw_equal(&inp)) {
            pm.insert("output".into(), out.clone());
        }
    }
    Value::object(pm).mark(planned.marks)
}

fn path_changed(p: &plinth_provider::Path, prior: &Value, planned: &Value) -> bool {
    let get = |v: &Value| -> Option<Value> {
        let mut cur = v.clone();
        for s in p {
            cur = match s {
                plinth_provider::PathStep::Attr(a) | plinth_provider::PathStep::Key(a) => cur.as_entries()?.get(a)?.clone(),
                plinth_provider::PathStep::Index(i) => cur.as_seq()?.get(*i as usize)?.clone(),
            };
        }
        Some(cur)
    };
    match (get(prior), get(planned)) {
        // Values decide; marks (restored from state) do not.
        (Some(a), Some(b)) => !a.raw_equal_unmarked(&b),
        (None, None) => false,
        _ => true,
    }
}

impl Walk<'_> {
    /// Resource values straight from state, for `console`.
    pub fn load_resource_from_state(&mut self, node_i: usize, key: &str) {
        let node = self.ctx.graph.nodes[node_i].clone();
        let rc = &self.ctx.tree.get(node.module).module.resources[key];
        let ty = self
            .provider_for(rc)
            .ok()
            .and_then(|(p, _, _)| {
                let schemas = if rc.mode == CfgMode::Data { &p.schema().data_sources } else { &p.schema().resources };
                schemas.get(&rc.type_name).map(|s| s.block.implied_type())
            })
            .unwrap_or(Type::Dynamic);
        for inst in self.instances(node.module) {
            let abs = Self::abs_resource(&inst, rc);
            let mut rv = ResourceValues::default();
            let exp = self.expansion(node.module, &inst, true, rc.count.as_ref(), rc.for_each.as_ref()).unwrap_or(Expansion::Unknown);
            for (ik, _) in exp.keys() {
                if let Some(o) = self.prior.current(&abs.instance(ik.clone())) {
                    rv.instances.insert(ik, prior_object(o, &ty));
                }
            }
            rv.expansion = Some(exp);
            self.values.resources.insert((inst.clone(), key.to_string()), rv);
        }
    }
}

/// A planned change kept for `replace_triggered_by`: its values unmarked.
struct PlannedChange {
    key: InstanceKey,
    action: Action,
    before: Value,
    after: Value,
}

/// The value at a traversal's attribute and index steps; null where the path
/// leads nowhere (a value that does not exist has not changed).
fn value_at(v: &Value, path: &[plinth_syntax::ast::TraversalStep]) -> Value {
    use plinth_syntax::ast::{IndexKey, TraversalStep};
    let mut cur = v.clone();
    for step in path {
        if !cur.is_known() {
            return cur;
        }
        let next = match step {
            TraversalStep::Attr(name) => cur.as_entries().and_then(|m| m.get(&name.name)).cloned(),
            TraversalStep::Index(IndexKey::String(k), _) => cur.as_entries().and_then(|m| m.get(k)).cloned(),
            TraversalStep::Index(IndexKey::Number(n), _) => {
                n.parse::<usize>().ok().and_then(|i| cur.as_seq().and_then(|xs| xs.get(i)).cloned())
            }
        };
        match next {
            Some(x) => cur = x,
            None => return Value::null(Type::Dynamic),
        }
    }
    cur
}

/// "Invalid resource type" / "Invalid data source" for a resource block whose
/// provider (`addr`, `provider["SOURCE"]`) has no such type, in Terraform's words.
pub(crate) fn unsupported_type(rc: &ResourceConfig, addr: &str) -> Diagnostic {
    let source = addr.strip_prefix("provider[\"").and_then(|a| a.strip_suffix("\"]")).unwrap_or(addr);
    let (summary, what) =
        if rc.mode == CfgMode::Data { ("Invalid data source", "data source") } else { ("Invalid resource type", "resource type") };
    Diagnostic::error(summary, format!("The provider {source} does not support {what} {:?}.", rc.type_name)).with_subject(rc.decl_span)
}

/// `v` as the value of variable `var` (named `addr`, given at `subject`)
/// converted to its type, or why it is unsuitable, in Terraform's words: an
/// ephemeral value for a variable not declared ephemeral, null for a
/// non-nullable one, a value of another type.
pub(crate) fn input_value(files: &plinth_syntax::Files, var: &Variable, v: &Value, addr: &str, subject: Span) -> Result<Value, Diagnostic> {
    if !var.ephemeral && v.marks_deep().contains(Marks::EPHEMERAL) {
        return Err(Diagnostic::error(
            "Ephemeral value not allowed",
            "This input variable is not declared as accepting a ephemeral values, so it cannot be set to a result derived from an ephemeral value.",
        )
        .with_subject(subject));
    }
    if v.is_null() {
        if !var.nullable {
            return Err(Diagnostic::error(
                "Required variable not set",
                format!(
                    "The given value is not suitable for {addr} defined at {}: required variable may not be set to null.",
                    files.range_text(var.span)
                ),
            )
            .with_subject(subject));
        }
        return Ok(Value::null(var.ty.ty.without_optional()));
    }
    convert(v, &var.ty.ty).map_err(|e| {
        Diagnostic::error(
            "Invalid value for input variable",
            format!("The given value is not suitable for {addr} declared at {}: {e}.", files.range_text(var.span)),
        )
        .with_subject(subject)
    })
}
