//! plinth's engine: the configuration tree, the static dependency graph, and
//! the plan and apply walks over it.
//!
//! Invariants: the engine knows no provider by name (they arrive in a
//! [`Providers`] registry); it never reads or writes state files (callers pass
//! a [`plinth_state::State`] in and receive one back, persisting through a
//! [`apply::StateSink`]); evaluation happens only inside walks, in dependency
//! order, so no expression is evaluated before what it refers to.

pub mod apply;
mod configure;
mod decode;
pub mod graph;
mod import;
mod moves;
pub mod par;
pub mod plan;
mod providers;
pub mod refs;
pub mod statevals;
pub mod targeting;
pub mod tree;
pub mod values;
pub mod walk;

use std::collections::BTreeMap;

use plinth_state::{AbsResourceInstance, State, Target};
use plinth_syntax::Diagnostic;
use plinth_value::Type;

pub use configure::{configure_providers, configure_providers_also};
pub use plan::{Action, Plan, PlanMode, ResourceChange};
pub use providers::Providers;
pub use walk::{Context, PlanOptions};

use graph::NodeKind;
use walk::Walk;

/// The hash maps and sets of the walk, the graph and apply, keyed by node
/// indexes and addresses: foldhash's fast hasher rather than SipHash, which
/// showed up in plan profiles. The keys come from the user's own configuration
/// and state, so SipHash's resistance to chosen-key floods buys nothing here.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`FastMap`].
pub type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Makes a plan: applies `moved` blocks to the prior state, refreshes it,
/// walks the configuration, and adds deletions for what configuration no
/// longer has.
pub async fn plan(ctx: &Context<'_>, prior: State, opts: &PlanOptions) -> Result<Plan, Vec<Diagnostic>> {
    plan_session(ctx, prior, opts).await.map(|(plan, _)| plan)
}

/// [`plan`], keeping the walk's values: expressions can then be evaluated
/// against the planned configuration, unknowns and all (`plinth test`
/// evaluates its assertions so).
pub async fn plan_session<'a>(
    ctx: &'a Context<'a>,
    prior: State,
    opts: &PlanOptions,
) -> Result<(Plan, ConsoleSession<'a>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut state = prior;
    let mut move_warnings = Vec::new();
    let moves = moves::apply_moved(ctx, &mut state, &mut diags, &mut move_warnings);
    let (cdiags, deferred_providers) = configure::configure_providers_deferring(ctx, &state).await;
    diags.extend(cdiags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    restore_private(ctx, &state);
    if opts.refresh && !state.is_empty() {
        refresh(ctx, &mut state, &mut diags).await;
    }
    let imports = if opts.mode == PlanMode::Normal { import::import_blocks(ctx, &mut state, &mut diags).await } else { Vec::new() };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let prior_outputs = state.outputs.clone();
    let selection = targeting::Selection::new(ctx.tree, ctx.graph, &state, opts.mode, &opts.targets, &opts.excludes);
    let given: &[Target] = if opts.targets.is_empty() { &opts.excludes } else { &opts.targets };
    let walked = |i: usize| selection.as_ref().is_none_or(|s| s.nodes[i]);
    let mut walk = Walk::new(ctx, state, opts.mode);
    walk.replace = opts.replace.clone();
    walk.deferred_providers = deferred_providers;
    // The walk goes level by level (a node's level is one more than its
    // deepest dependency's; within a level, the graph's order), and each
    // level's managed resources are evaluated, and planned when their provider
    // plans locally, ahead, on all cores (Walk::prepare): everything they read
    // is walked by then. Nodes outside a -target/-exclude selection are not
    // walked at all: nothing selected depends on them.
    let order = levelled(ctx.graph);
    walk.changes.reserve(ctx.graph.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Resource(_))).count());
    let managed = |i: usize| matches!(&ctx.graph.nodes[i].kind, NodeKind::Resource(k) if !k.starts_with("data."));
    let mut at = 0;
    for (pos, &(level, i)) in order.iter().enumerate() {
        if opts.mode == PlanMode::Normal && pos >= at {
            let end = pos + order[pos..].iter().take_while(|(l, _)| *l == level).count();
            let ready: Vec<usize> = order[pos..end].iter().map(|&(_, j)| j).filter(|&j| managed(j) && walked(j)).collect();
            walk.prepare(&ready);
            at = end;
        }
        if !walked(i) {
            continue;
        }
        match &ctx.graph.nodes[i].kind {
            // Destroying: everything in state goes (as orphans below); values
            // come from state so that expansions still evaluate.
            // Data sources are still read, since expansions may depend on them.
            NodeKind::Resource(key) if opts.mode == PlanMode::Destroy && !key.starts_with("data.") => walk.load_resource_from_state(i, key),
            // Root outputs and checks are not evaluated when destroying, but
            // a child module's outputs are: other modules' arguments (and so
            // their expansions) may read them.
            NodeKind::Output(_) if opts.mode == PlanMode::Destroy && ctx.graph.nodes[i].module != 0 => walk.eval_node(i, true),
            NodeKind::Output(_) | NodeKind::Check(_) if opts.mode == PlanMode::Destroy => {}
            NodeKind::Resource(_) => walk.plan_resource_node(i).await,
            _ => walk.eval_node(i, true),
        }
    }
    let removed_forget = removed_forget(ctx);
    walk.plan_orphans(&removed_forget);
    if let Some(sel) = &selection {
        walk.changes.retain(|c| sel.admits(ctx.tree, ctx.graph, c.node, &c.addr, given));
    }
    check_prevent_destroy(ctx, &walk.changes, &mut diags);
    review_plans(ctx, &mut walk).await;
    moves::check_still_declared(ctx, &moves, &walk.changes, &mut diags);
    diags.append(&mut walk.diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let mut outputs = walk.root_outputs(&prior_outputs);
    if let Some(sel) = &selection {
        // Outputs outside the selection keep their values; a targeted
        // destroy keeps every output (Terraform's rule).
        // Terraform leaves them out of the plan's output changes.
        outputs.retain(|name, _| {
            let node = ctx.graph.index.get(&graph::Node { module: 0, kind: NodeKind::Output(name.clone()) });
            opts.mode != PlanMode::Destroy && node.is_some_and(|&i| sel.nodes[i])
        });
    }
    let mut changes = std::mem::take(&mut walk.changes);
    if !moves.moved_from.is_empty() || !walk.implicit_moves.is_empty() || !imports.is_empty() {
        for c in &mut changes {
            if c.deposed.is_some() {
                continue;
            }
            if let Some(from) = moves.moved_from.get(&c.addr).or_else(|| walk.implicit_moves.get(&c.addr)) {
                c.moved_from = Some(from.clone());
            }
            if let Some((_, id)) = imports.iter().find(|(a, _)| *a == c.addr) {
                c.importing = Some(id.clone());
            }
        }
    }
    let mut imports: Vec<AbsResourceInstance> = imports.into_iter().map(|(a, _)| a).collect();
    if let Some(sel) = &selection {
        // An import outside the selection is not part of this plan: its
        // object leaves the prior state again, so apply does not record it.
        imports.retain(|a| {
            let keep = sel.admits(ctx.tree, ctx.graph, None, a, given);
            if !keep {
                walk.prior.remove_instance(a);
            }
            keep
        });
    }
    let mut warnings = move_warnings;
    warnings.append(&mut walk.warnings);
    if let Some(sel) = &selection {
        warnings.push(targeting_warning(sel.excluding));
    }
    warnings.extend(diags.into_iter().filter(|d| !d.is_error()));
    warnings.extend(forget_warning(&changes));
    let prior_state = std::mem::replace(&mut walk.prior, State::new());
    // An ephemeral variable's value is never saved with the plan.
    let root_vars = &ctx.tree.root().module.variables;
    let variables =
        ctx.inputs.iter().filter(|(k, _)| !root_vars.get(*k).is_some_and(|v| v.ephemeral)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let unknown_expansions = std::mem::take(&mut walk.unknown_expansions);
    Ok((
        Plan { mode: opts.mode, changes, outputs, prior_state, warnings, variables, imports, selection, unknown_expansions },
        ConsoleSession { walk },
    ))
}

/// The graph's nodes with their levels, level by level: a node's level is one
/// more than its deepest dependency's, and within a level the nodes keep the
/// graph's topological order.
fn levelled(graph: &graph::Graph) -> Vec<(usize, usize)> {
    let mut level = vec![0usize; graph.nodes.len()];
    for &i in &graph.order {
        level[i] = graph.deps[i].iter().map(|&d| level[d] + 1).max().unwrap_or(0);
    }
    let mut out: Vec<(usize, usize)> = graph.order.iter().map(|&i| (level[i], i)).collect();
    out.sort_by_key(|&(l, _)| l);
    out
}

/// Shows each provider all its planned instances at once ([`plinth_provider::Provider::review_plan`]):
/// dependencies it reports are recorded like references (they order apply and
/// destroy), errors are reported with the instance's address.
async fn review_plans(ctx: &Context<'_>, walk: &mut Walk<'_>) {
    let mut by_provider: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, c) in walk.changes.iter().enumerate() {
        if c.after.is_some() && c.deposed.is_none() && c.addr.resource.resource.mode == plinth_state::ResourceMode::Managed {
            by_provider.entry(c.provider.clone()).or_default().push(i);
        }
    }
    for (pname, idxs) in by_provider {
        let Some((provider, _)) = ctx.providers.get(&pname) else { continue };
        let review = {
            // Providers see values without marks; most have none to remove.
            let planned: Vec<std::borrow::Cow<plinth_value::Value>> = idxs
                .iter()
                .map(|&i| {
                    let v = walk.changes[i].after.as_ref().expect("filtered");
                    if v.has_marks_deep() {
                        std::borrow::Cow::Owned(v.clone().unmark_deep().0)
                    } else {
                        std::borrow::Cow::Borrowed(v)
                    }
                })
                .collect();
            let instances: Vec<plinth_provider::PlannedInstance> = idxs
                .iter()
                .zip(&planned)
                .map(|(&i, v)| plinth_provider::PlannedInstance {
                    type_name: &walk.changes[i].addr.resource.resource.type_name,
                    planned: v,
                })
                .collect();
            provider.review_plan(&instances).await
        };
        for (a, b) in review.dependencies {
            let (Some(&ca), Some(&cb)) = (idxs.get(a), idxs.get(b)) else { continue };
            let dep = walk.changes[cb].addr.resource.to_string();
            if walk.changes[ca].addr.resource.to_string() == dep {
                continue;
            }
            let deps = &mut walk.changes[ca].dependencies;
            if !deps.contains(&dep) {
                deps.push(dep);
                deps.sort();
            }
        }
        for (k, e) in review.errors {
            let Some(&ci) = idxs.get(k) else { continue };
            let c = &walk.changes[ci];
            let span = c.node.and_then(|n| graph::node_span(ctx.tree, &ctx.graph.nodes[n])).unwrap_or_default();
            let d = walk::provider_diag(&c.addr, e, span);
            walk.diags.push(d);
        }
    }
}

/// Terraform's (or, for `-exclude`, OpenTofu's) warning on a plan that
/// `-target` or `-exclude` narrowed.
fn targeting_warning(excluding: bool) -> Diagnostic {
    if excluding {
        Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with either the -target option or the -exclude option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target and -exclude options are not for routine use, and are provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message.",
        )
    } else {
        Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message.",
        )
    }
}

/// The warning after applying a plan that `-target` or `-exclude` narrowed.
pub fn targeted_apply_warning(excluding: bool) -> Diagnostic {
    let (flag, flags) = if excluding {
        ("the -target or the -exclude option", "the -target and -exclude options are")
    } else {
        ("the -target option", "the -target option is")
    };
    Diagnostic::warning(
        "Applied changes may be incomplete",
        format!("The plan was created with {flag} in effect, so some changes requested in the configuration may have been ignored and the output values may not be fully updated. Run the following command to verify that no other changes are pending:\n    plinth plan\n\nNote that {flags} not suitable for routine use, and provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message."),
    )
}

/// `prevent_destroy`: a plan may not delete an instance whose resource
/// still has it (a destroy plan, a shrinking count); replacements are
/// checked where the walk picks them.
fn check_prevent_destroy(ctx: &Context<'_>, changes: &[ResourceChange], diags: &mut Vec<Diagnostic>) {
    for c in changes.iter().filter(|c| c.action == Action::Delete && c.deposed.is_none()) {
        let Some(i) = targeting::node_of(ctx.tree, ctx.graph, &c.addr.resource) else { continue };
        let Some(rc) = ctx.tree.get(ctx.graph.nodes[i].module).module.resources.get(&c.addr.resource.resource.to_string()) else {
            continue;
        };
        if rc.lifecycle.prevent_destroy {
            diags.push(
                Diagnostic::error(
                    "Instance cannot be destroyed",
                    format!("Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option.", c.addr),
                )
                .with_subject(rc.decl_span),
            );
        }
    }
}

/// The `from` addresses of `removed` blocks with `destroy = false`.
fn removed_forget(ctx: &Context<'_>) -> Vec<Target> {
    ctx.tree.root().module.removed.iter().filter(|r| !r.destroy).filter_map(|r| traversal_text(&r.from)?.parse().ok()).collect()
}

/// Static text of a `moved`/`removed` address expression.
pub fn traversal_text(e: &plinth_syntax::ast::Expr) -> Option<String> {
    let (root, steps) = e.as_traversal()?;
    let mut s = root.name.clone();
    for st in steps {
        match st {
            plinth_syntax::ast::TraversalStep::Attr(a) => {
                s.push('.');
                s.push_str(&a.name);
            }
            plinth_syntax::ast::TraversalStep::Index(plinth_syntax::ast::IndexKey::Number(n), _) => s.push_str(&format!("[{n}]")),
            plinth_syntax::ast::TraversalStep::Index(plinth_syntax::ast::IndexKey::String(k), _) => {
                s.push_str(&format!("[{}]", plinth_value::go_quote(&k)))
            }
        }
    }
    Some(s)
}

/// Terraform's warning for a plan that forgets objects (`removed` with
/// `destroy = false`): they stay, unmanaged.
fn forget_warning(changes: &[ResourceChange]) -> Option<Diagnostic> {
    let forgotten: Vec<String> = changes.iter().filter(|c| c.action == Action::Forget).map(|c| format!(" - {}", c.addr)).collect();
    (!forgotten.is_empty()).then(|| {
        Diagnostic::warning(
            "Some objects will no longer be managed by plinth",
            format!(
                "If you apply this plan, plinth will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, plinth will no longer manage these objects. You will need to import them into plinth to manage them again.",
                forgotten.join("\n")
            ),
        )
    })
}

/// Hands each provider the private data (`private`, base64) state recorded
/// with its objects, before anything refreshes, plans or destroys them.
pub(crate) fn restore_private(ctx: &Context<'_>, state: &State) {
    use base64::Engine as _;
    for addr in state.instance_addrs() {
        if addr.resource.resource.mode != plinth_state::ResourceMode::Managed {
            continue;
        }
        let Some(obj) = state.current(&addr) else { continue };
        let Some(private) = obj.private.as_deref().filter(|p| !p.is_empty()) else { continue };
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(private) else { continue };
        let type_name = &addr.resource.resource.type_name;
        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        let pname = walk::provider_name_from_addr(&paddr).unwrap_or_else(|| walk::provider_local_name(type_name));
        let Some((p, _)) = ctx.providers.get(&pname) else { continue };
        let Some(schema) = p.schema().resources.get(type_name) else { continue };
        let v = statevals::object_from_state(&obj.attributes, &schema.block.implied_type());
        p.restore_private_data(type_name, &v, &bytes);
    }
}

/// Refreshes every managed instance in state through its provider, one
/// batched call per resource type.
async fn refresh(ctx: &Context<'_>, state: &mut State, diags: &mut Vec<Diagnostic>) {
    let mut by_type: BTreeMap<(String, String), Vec<(AbsResourceInstance, plinth_value::Value)>> = BTreeMap::new();
    for addr in state.instance_addrs().collect::<Vec<_>>() {
        if addr.resource.resource.mode != plinth_state::ResourceMode::Managed {
            continue;
        }
        let Some(obj) = state.current(&addr) else { continue };
        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        let pname = walk::provider_name_from_addr(&paddr).unwrap_or_else(|| walk::provider_local_name(&addr.resource.resource.type_name));
        let Some((p, _)) = ctx.providers.get(&pname) else { continue };
        let ty = p.schema().resources.get(&addr.resource.resource.type_name).map(|s| s.block.implied_type()).unwrap_or(Type::Dynamic);
        let v = statevals::object_from_state(&obj.attributes, &ty);
        by_type.entry((pname, addr.resource.resource.type_name.clone())).or_default().push((addr, v));
    }
    for ((pname, type_name), items) in by_type {
        let Some((p, _)) = ctx.providers.get(&pname) else { continue };
        let states: Vec<plinth_value::Value> = items.iter().map(|(_, v)| v.clone()).collect();
        let results = p.read_resources(&type_name, &states).await;
        for (idx, ((addr, _), r)) in items.into_iter().zip(results).enumerate() {
            // The read's private data replaces the recorded one, changed or not.
            let private = |v: &plinth_value::Value| {
                use base64::Engine as _;
                p.private_data(&type_name, v).map(|b| base64::engine::general_purpose::STANDARD.encode(b))
            };
            match r {
                Ok(Some(v)) if v.raw_equal(&states[idx]) => {
                    let private = private(&v);
                    if let Some(mut obj) = state.current(&addr).cloned().filter(|o| o.private != private) {
                        obj.private = private;
                        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
                        state.set_current(&addr, Some(obj), &paddr);
                    }
                }
                Ok(Some(v)) => {
                    if let Some(mut obj) = state.current(&addr).cloned() {
                        obj.private = private(&v);
                        obj.attributes = statevals::object_to_state_json(&v, &ty_of(ctx.providers, &pname, &type_name));
                        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
                        state.set_current(&addr, Some(obj), &paddr);
                    }
                }
                Ok(None) => {
                    state.remove_instance(&addr);
                }
                Err(e) => diags.push(walk::provider_diag(&addr, e, plinth_syntax::Span::default())),
            }
        }
    }
}

/// Evaluation state for `console`: every variable, local and output of the
/// configuration, with resources taken from `state` as they are.
pub struct ConsoleSession<'a> {
    walk: Walk<'a>,
}

impl<'a> ConsoleSession<'a> {
    pub fn new(ctx: &'a Context<'a>, state: State) -> (ConsoleSession<'a>, Vec<Diagnostic>) {
        Self::build(ctx, state, None)
    }

    /// A session over the state an apply of `planned`'s plan produced, for
    /// `plinth test`'s assertions. Data sources have the values the plan read
    /// (an apply uses what its plan read, as in Terraform); everything else
    /// comes from `state`.
    pub fn after_apply(ctx: &'a Context<'a>, state: State, planned: &ConsoleSession<'_>) -> (ConsoleSession<'a>, Vec<Diagnostic>) {
        Self::build(ctx, state, Some(planned))
    }

    fn build(ctx: &'a Context<'a>, state: State, planned: Option<&ConsoleSession<'_>>) -> (ConsoleSession<'a>, Vec<Diagnostic>) {
        let mut walk = Walk::new(ctx, state, PlanMode::Normal);
        for &i in &ctx.graph.order {
            match &ctx.graph.nodes[i].kind {
                NodeKind::Resource(key) => {
                    let is_data = walk.resource_config(i).is_some_and(|rc| rc.mode == plinth_config::ResourceMode::Data);
                    match planned.filter(|_| is_data) {
                        Some(p) => {
                            let module = ctx.graph.nodes[i].module;
                            for inst in walk.instances(module) {
                                let k = (inst, key.clone());
                                if let Some(rv) = p.walk.values.resources.get(&k) {
                                    walk.values.resources.insert(k, rv.clone());
                                }
                            }
                        }
                        None => walk.load_resource_from_state(i, key),
                    }
                }
                _ => walk.eval_node(i, true),
            }
        }
        let diags = std::mem::take(&mut walk.diags);
        (ConsoleSession { walk }, diags)
    }

    /// Evaluates an expression in the root module.
    pub fn eval(&self, e: &plinth_syntax::ast::Expr) -> Result<plinth_value::Value, plinth_lang::EvalError> {
        let root = plinth_state::ModuleInstance::root();
        let scope = self.walk.scope(0, &root);
        let mut ev = plinth_lang::Evaluator::new(&scope, self.walk.call_ctx(0, false));
        ev.eval(e)
    }

    /// Evaluates an expression in the root module, asking `extra` first about
    /// each reference (`plinth test` adds `run.…` and `output.…`); `None`
    /// from it leaves the reference to the module's scope. `planning`: the
    /// values are a plan's, so functions such as `timestamp` are unknown.
    pub fn eval_with(
        &self,
        e: &plinth_syntax::ast::Expr,
        extra: &dyn ExtraRefs,
        planning: bool,
    ) -> Result<plinth_value::Value, plinth_lang::EvalError> {
        struct Layered<'s, S> {
            inner: S,
            extra: &'s dyn ExtraRefs,
        }
        impl<S: plinth_lang::Scope> plinth_lang::Scope for Layered<'_, S> {
            fn reference(
                &self,
                root: &plinth_syntax::ast::Ident,
                attrs: &[&plinth_syntax::ast::Ident],
            ) -> Result<(plinth_value::Value, usize), plinth_lang::EvalError> {
                self.extra.reference(root, attrs).unwrap_or_else(|| self.inner.reference(root, attrs))
            }
        }
        let root = plinth_state::ModuleInstance::root();
        let scope = Layered { inner: self.walk.scope(0, &root), extra };
        let mut ev = plinth_lang::Evaluator::new(&scope, self.walk.call_ctx(0, planning));
        ev.eval(e)
    }
}

/// References a caller resolves before the module's scope does (see [`ConsoleSession::eval_with`]).
pub trait ExtraRefs {
    fn reference(
        &self,
        root: &plinth_syntax::ast::Ident,
        attrs: &[&plinth_syntax::ast::Ident],
    ) -> Option<Result<(plinth_value::Value, usize), plinth_lang::EvalError>>;
}

/// Resolves operations an interrupted run left unfinished (intents with no
/// result in the journal): an object a provider finds by the operation's token
/// is adopted into state; otherwise the intent is forgotten. Updates and
/// deletes need nothing here: the next refresh sees the object as it is.
/// Returns one line per intent saying what happened, and whether every
/// interrupted create was resolved: when a lookup failed (provider missing,
/// unconfigured or unreachable) the caller must keep the journal, or the
/// object that create may have made would be orphaned.
pub async fn recover(providers: &Providers, state: &mut State, unfinished: &[plinth_state::journal::Unfinished]) -> (Vec<String>, bool) {
    let mut report = Vec::new();
    let mut resolved = true;
    for u in unfinished {
        if u.action != "create" {
            report.push(format!("{}: an interrupted {} will be reconciled by refresh", u.addr, u.action));
            continue;
        }
        let pname = unfinished_provider(u);
        let Some((p, _)) = providers.get(&pname) else {
            report.push(format!("{}: provider {pname:?} unavailable; the interrupted create could not be checked", u.addr));
            resolved = false;
            continue;
        };
        match p.find_by_operation_token(&u.addr.resource.resource.type_name, &u.token).await {
            Ok(Some(v)) => {
                let ty = ty_of(providers, &pname, &u.addr.resource.resource.type_name);
                let obj = plinth_state::InstanceObject::new(statevals::object_to_state_json(&v, &ty));
                state.set_current(&u.addr, Some(obj), &u.provider);
                report.push(format!("{}: adopted the object an interrupted create made", u.addr));
            }
            Ok(None) => report.push(format!("{}: the interrupted create made no object; nothing to adopt", u.addr)),
            Err(e) => {
                report.push(format!("{}: could not look for the interrupted create's object: {e}", u.addr));
                resolved = false;
            }
        }
    }
    (report, resolved)
}

/// The providers (local names) that `recover` will ask to find objects by
/// operation token: those of the interrupted creates.
pub fn recovery_providers(unfinished: &[plinth_state::journal::Unfinished]) -> std::collections::BTreeSet<String> {
    unfinished.iter().filter(|u| u.action == "create").map(unfinished_provider).collect()
}

/// The local name of the provider an unfinished operation went through.
fn unfinished_provider(u: &plinth_state::journal::Unfinished) -> String {
    walk::provider_name_from_addr(&u.provider).unwrap_or_else(|| walk::provider_local_name(&u.addr.resource.resource.type_name))
}

/// The schema type of a managed resource type (`dynamic` when unknown).
fn ty_of(providers: &Providers, provider: &str, type_name: &str) -> Type {
    providers.get(provider).and_then(|(p, _)| p.schema().resources.get(type_name).map(|s| s.block.implied_type())).unwrap_or(Type::Dynamic)
}

/// Checks every resource and data block against its provider's schema
/// without evaluating anything real: references are unknown. Reports
/// unsupported arguments and blocks, wrong types and missing required
/// arguments where they are written (what `validate` adds to parsing).
pub fn validate_schemas(tree: &tree::ConfigTree, providers: &Providers, files: &plinth_syntax::Files) -> Vec<Diagnostic> {
    /// Every reference unknown; an ephemeral variable's ephemeral, and a
    /// local value derived from one (locals followed a few levels deep).
    struct Unknowns<'a>(&'a plinth_config::Module, std::cell::Cell<u8>);
    impl plinth_lang::Scope for Unknowns<'_> {
        fn reference(
            &self,
            root: &plinth_syntax::ast::Ident,
            attrs: &[&plinth_syntax::ast::Ident],
        ) -> Result<(plinth_value::Value, usize), plinth_lang::EvalError> {
            let v = plinth_value::Value::dynamic_unknown();
            let name = attrs.first().map(|a| a.name.as_str()).unwrap_or_default();
            let ephemeral = match root.name.as_str() {
                "var" => self.0.variables.get(name).is_some_and(|v| v.ephemeral),
                "local" => match self.0.locals.get(name) {
                    Some(l) if self.1.get() < 16 => {
                        self.1.set(self.1.get() + 1);
                        let call = plinth_lang::functions::CallCtx { base_dir: self.0.dir.clone(), planning: true, ..Default::default() };
                        let r = plinth_lang::Evaluator::new(self, call).eval(&l.expr);
                        self.1.set(self.1.get() - 1);
                        r.is_ok_and(|x| x.marks_deep().contains(plinth_value::Marks::EPHEMERAL))
                    }
                    _ => false,
                },
                _ => false,
            };
            Ok((if ephemeral { v.mark(plinth_value::Marks::EPHEMERAL) } else { v }, attrs.len()))
        }
    }
    /// A child module's scope at validate with one variable's value known:
    /// for its validation rules.
    struct KnownVar<'a> {
        module: &'a plinth_config::Module,
        name: &'a str,
        value: plinth_value::Value,
    }
    impl plinth_lang::Scope for KnownVar<'_> {
        fn reference(
            &self,
            root: &plinth_syntax::ast::Ident,
            attrs: &[&plinth_syntax::ast::Ident],
        ) -> Result<(plinth_value::Value, usize), plinth_lang::EvalError> {
            if root.name == "var" && attrs.first().is_some_and(|a| a.name == self.name) {
                return Ok((self.value.clone(), 1));
            }
            Unknowns(self.module, Default::default()).reference(root, attrs)
        }
    }
    const SCHEMA_ERRORS: [&str; 6] = [
        "Unsupported argument",
        "Unsupported block type",
        "Incorrect attribute value type",
        "Missing required argument",
        "Invalid or unknown key",
        "Invalid use of ephemeral value",
    ];
    let schema_error = |summary: &str| {
        SCHEMA_ERRORS.contains(&summary)
            || (summary.ends_with(" blocks") && (summary.starts_with("Insufficient ") || summary.starts_with("Too many ")))
    };
    let mut diags = Vec::new();
    for m in &tree.modules {
        for rc in m.module.resources.values() {
            let local = rc.provider.as_ref().map(|(n, _)| n.clone()).unwrap_or_else(|| walk::provider_local_name(&rc.type_name));
            let Some((p, addr)) = providers.get(&local) else { continue };
            let schema = match rc.mode {
                plinth_config::ResourceMode::Managed => p.schema().resources.get(&rc.type_name),
                plinth_config::ResourceMode::Data => p.schema().data_sources.get(&rc.type_name),
            };
            let Some(schema) = schema else {
                diags.push(walk::unsupported_type(rc, &addr));
                continue;
            };
            let call = plinth_lang::functions::CallCtx { base_dir: tree.root().module.dir.clone(), planning: true, ..Default::default() };
            let scope = Unknowns(&m.module, Default::default());
            let mut ev = plinth_lang::Evaluator::new(&scope, call);
            if let Err(e) = decode::decode_resource_body(&mut ev, &rc.config, &schema.block, rc.decl_span) {
                let kw = if rc.mode == plinth_config::ResourceMode::Data { "data" } else { "resource" };
                let ctx_name = format!("{kw} {:?} {:?}", rc.type_name, rc.name);
                diags.extend(e.diags.into_iter().filter(|d| schema_error(&d.summary)).map(|d| {
                    if d.context.is_none() {
                        d.with_context(ctx_name.clone())
                    } else {
                        d
                    }
                }));
            }
        }
        let call = || plinth_lang::functions::CallCtx { base_dir: m.module.dir.clone(), planning: true, ..Default::default() };
        // Outputs: only an ephemeral one may return an ephemeral value.
        for o in m.module.outputs.values().filter(|o| !o.ephemeral) {
            let Some(e) = &o.expr else { continue };
            let scope = Unknowns(&m.module, Default::default());
            if plinth_lang::Evaluator::new(&scope, call()).eval(e).is_ok_and(|v| v.marks_deep().contains(plinth_value::Marks::EPHEMERAL)) {
                diags.push(
                    Diagnostic::error(
                        "Ephemeral value not allowed",
                        "This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.",
                    )
                    .with_subject(e.span)
                    .with_context(format!("output {:?}", o.name)),
                );
            }
        }
        // Module calls: each argument suits its variable, as far as it is
        // known without evaluating references.
        for (name, &child) in &m.children {
            let Some(call_block) = m.module.module_calls.get(name) else { continue };
            let child_module = &tree.get(child).module;
            let path: String = tree.get(child).path.iter().map(|c| format!("module.{c}.")).collect();
            for a in &call_block.args {
                let Some(var) = child_module.variables.get(&a.name.name) else { continue };
                let scope = Unknowns(&m.module, Default::default());
                let Ok(v) = plinth_lang::Evaluator::new(&scope, call()).eval(&a.expr) else { continue };
                if v.is_null() && !var.nullable && var.default.is_some() {
                    continue;
                }
                if !v.is_wholly_known() && !v.marks_deep().contains(plinth_value::Marks::EPHEMERAL) {
                    continue;
                }
                let converted = match walk::input_value(files, var, &v, &format!("{path}var.{}", var.name), a.expr.span) {
                    Ok(c) => c,
                    Err(d) => {
                        diags.push(d.with_context(format!("module {name:?}")));
                        continue;
                    }
                };
                // Its validation rules, when the value is known (and needs no
                // optional attribute defaults).
                if !converted.is_wholly_known() || var.ty.has_defaults() {
                    continue;
                }
                let known = KnownVar {
                    module: child_module,
                    name: &var.name,
                    value: converted.mark(if var.ephemeral { plinth_value::Marks::EPHEMERAL } else { plinth_value::Marks::NONE }),
                };
                let child_call =
                    || plinth_lang::functions::CallCtx { base_dir: child_module.dir.clone(), planning: true, ..Default::default() };
                for rule in &var.validations {
                    let mut ev = plinth_lang::Evaluator::new(&known, child_call());
                    let Ok(cond) = ev.eval(&rule.condition) else { continue };
                    if cond.unmark_deep().0.as_bool() != Some(false) {
                        continue;
                    }
                    let Ok(msg) = ev.eval(&rule.error_message) else { continue };
                    let (msg, marks) = msg.unmark_deep();
                    let text = if marks.contains(plinth_value::Marks::SENSITIVE) {
                        "The error message included a sensitive value, so it will not be displayed.".to_string()
                    } else {
                        msg.as_str().unwrap_or_default().to_string()
                    };
                    diags.push(
                        Diagnostic::error(
                            "Invalid value for variable",
                            format!("{text}\n\nThis was checked by the validation rule at {}.", files.range_text(rule.decl_span)),
                        )
                        .with_subject(a.expr.span)
                        .with_context(format!("module {name:?}")),
                    );
                }
            }
        }
    }
    diags
}
