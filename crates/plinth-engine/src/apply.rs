//! Applying a plan. One owner (this scheduler) holds all evaluation state;
//! provider calls run as tokio tasks, at most `parallelism` at a time, and
//! report back over a channel. Order:
//!
//! 1. deletions (orphans, destroy mode, delete-then-create replacements), each
//!    after every deletion of something that depends on it;
//! 2. the graph walk in dependency order: variables, locals, outputs evaluated
//!    with final values, resources created or updated once every node they
//!    depend on is done; a failure skips its dependents only;
//! 3. deletion of objects deposed by create-before-destroy replacements.
//!
//! State goes to the [`StateSink`] after every completed change.

use std::sync::Arc;
use std::time::{Duration, Instant};

use plinth_lang::Evaluator;
use plinth_provider::{ApplyRequest, Provider};
use plinth_state::journal::Entry;
use plinth_state::{AbsResourceInstance, InstanceObject, ModuleInstance, OutputState, State};
use plinth_syntax::Diagnostic;
use plinth_value::{Marks, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{mpsc, Semaphore};

use crate::decode::decode_resource_body;
use crate::graph::NodeKind;
use crate::plan::{Action, Plan, PlanMode};
use crate::statevals::{mark_state_paths, object_from_state, object_to_state_json, prior_object, sensitive_paths};
use crate::values::Expansion;
use crate::walk::{mark_paths, plan_managed, provider_diag, set_instance_repetition, Context, Walk};
use crate::{FastMap, FastSet};

/// Where an apply records its progress: journal records as operations start
/// and finish (cheap, one per operation), and the whole state at the end.
pub trait StateSink: Send {
    fn record(&mut self, entry: &Entry) -> Result<(), String>;
    fn persist(&mut self, state: &State) -> Result<(), String>;
}

/// Hears about each operation, to show progress.
pub trait ApplyObserver: Send {
    fn started(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>);
    fn finished(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>, elapsed: Duration);
    /// The operation on `addr` failed (its error is among the apply's diagnostics).
    fn failed(&mut self, _addr: &AbsResourceInstance, _action: Action) {}
}

pub struct ApplyOutcome {
    pub state: State,
    pub diags: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
}

struct Done {
    node: Option<usize>,
    change: Option<usize>,
    addr: AbsResourceInstance,
    action: Action,
    result: Result<Value, plinth_provider::ProviderError>,
    elapsed: Duration,
    token: String,
    /// For creates/updates: what to store with the object.
    meta: Option<(String, u64, bool, Vec<String>)>,
    /// For creates/updates: the final plan, which the result must honour.
    planned: Option<Value>,
}

fn id_of(v: &Value) -> Option<String> {
    v.as_entries().and_then(|m| m.get("id")).and_then(|x| x.as_str().map(str::to_string))
}

pub async fn apply(
    ctx: &Context<'_>,
    plan: &Plan,
    parallelism: usize,
    sink: &mut dyn StateSink,
    observer: &mut dyn ApplyObserver,
    cancel: &AtomicBool,
) -> ApplyOutcome {
    let sem = Arc::new(Semaphore::new(parallelism.max(1)));
    let (tx, mut rx) = mpsc::unbounded_channel::<Done>();
    // The apply walk reads resources from `state`, not from the walk's prior.
    let mut walk = Walk::new(ctx, State::new(), plan.mode);
    let mut state = plan.prior_state.clone();
    let mut diags = Vec::new();
    let (mut added, mut changed, mut destroyed) = (0, 0, 0);
    let mut persist_err = None;
    // Providers still waiting for values this apply creates stay unconfigured;
    // their changes were deferred by the plan and are skipped here.
    let (cdiags, deferred_providers) = crate::configure::configure_providers_deferring(ctx, &state).await;
    diags.extend(cdiags);
    walk.deferred_providers = deferred_providers;
    crate::restore_private(ctx, &state);
    if diags.iter().any(Diagnostic::is_error) {
        return ApplyOutcome { state, diags, warnings: Vec::new(), added, changed, destroyed };
    }

    let by_addr: FastMap<AbsResourceInstance, usize> =
        plan.changes.iter().enumerate().filter(|(_, c)| c.deposed.is_none()).map(|(i, c)| (c.addr.clone(), i)).collect();

    // ---- phase 1: deletions in reverse dependency order -----------------------
    let deletes: Vec<usize> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.action, Action::Delete | Action::DeleteThenCreate | Action::Forget))
        .map(|(i, _)| i)
        .collect();
    let failed_deletes = run_deletes(
        &deletes,
        plan,
        ctx,
        &sem,
        &tx,
        &mut rx,
        &mut state,
        sink,
        observer,
        &mut diags,
        &mut destroyed,
        &mut persist_err,
        cancel,
    )
    .await;

    // ---- phase 2: the walk -------------------------------------------------------
    let g = ctx.graph;
    let n = g.nodes.len();
    let mut remaining: Vec<usize> = g.deps.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, ds) in g.deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    // Dependencies providers reported between resources (`review_plan`) order
    // the walk too, unless they would close a cycle.
    let node_of: FastMap<String, usize> = plan.changes.iter().filter_map(|c| c.node.map(|n| (c.addr.resource.to_string(), n))).collect();
    for c in &plan.changes {
        let Some(n_i) = c.node else { continue };
        for d in &c.dependencies {
            let Some(&m) = node_of.get(d) else { continue };
            if m == n_i || dependents[m].contains(&n_i) || reaches(&dependents, n_i, m) {
                continue;
            }
            dependents[m].push(n_i);
            remaining[n_i] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
    ready.reverse();
    let mut in_flight: FastMap<usize, usize> = FastMap::default(); // node -> tasks running
    let mut completed = 0usize;
    let skip_walk = plan.mode == PlanMode::Destroy;
    let mut node_failed: FastSet<usize> = FastSet::default();
    // A replacement whose delete failed must not create.
    let blocked: FastSet<AbsResourceInstance> = failed_deletes.iter().map(|&i| plan.changes[i].addr.clone()).collect();

    let mut interrupted = false;
    while completed < n {
        if (cancel.load(Ordering::SeqCst) || persist_err.is_some()) && !interrupted {
            // Start nothing new; let what runs finish.
            interrupted = true;
            ready.clear();
        }
        while let Some(i) = ready.pop() {
            if skip_walk || plan.selection.as_ref().is_some_and(|s| !s.nodes[i]) {
                // Destroying, or outside the plan's -target/-exclude selection:
                // nothing here changes, and nothing walked reads it.
                complete(i, &mut completed, &dependents, &mut remaining, &mut ready);
                continue;
            }
            let is_resource = matches!(g.nodes[i].kind, NodeKind::Resource(_));
            if !is_resource {
                walk.eval_node(i, false);
                complete(i, &mut completed, &dependents, &mut remaining, &mut ready);
                continue;
            }
            if g.deps[i].iter().any(|d| walk.failed_nodes.contains(d) || node_failed.contains(d)) {
                walk.failed_nodes.insert(i);
                complete(i, &mut completed, &dependents, &mut remaining, &mut ready);
                continue;
            }
            let spawned = start_resource_node(i, &mut walk, plan, &by_addr, &blocked, &sem, &tx, &mut state, &mut diags, observer, sink);
            match spawned {
                Ok(0) => complete(i, &mut completed, &dependents, &mut remaining, &mut ready),
                Ok(k) => {
                    in_flight.insert(i, k);
                }
                Err(()) => {
                    node_failed.insert(i);
                    walk.failed_nodes.insert(i);
                    complete(i, &mut completed, &dependents, &mut remaining, &mut ready);
                }
            }
        }
        if completed >= n || (interrupted && in_flight.is_empty()) {
            break;
        }
        let Some(done) = rx.recv().await else { break };
        let node = done.node.expect("walk tasks carry their node");
        let ok = finish(done, &mut walk, &mut state, &mut diags, observer, &mut added, &mut changed, sink, &mut persist_err);
        if !ok {
            node_failed.insert(node);
            walk.failed_nodes.insert(node);
        }
        let left = in_flight.get_mut(&node).expect("node in flight");
        *left -= 1;
        if *left == 0 {
            in_flight.remove(&node);
            complete(node, &mut completed, &dependents, &mut remaining, &mut ready);
        }
    }
    diags.append(&mut walk.diags);
    if cancel.load(Ordering::SeqCst) {
        diags.push(Diagnostic::error(
            "Operation interrupted",
            "The apply was interrupted: no new operations were started, the ones in progress finished, and the state records everything that completed.",
        ));
    }

    prune_data_resources(ctx, plan, &walk, &mut state);

    // ---- phase 3: deposed objects of create-before-destroy -----------------------
    let deposed: Vec<usize> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.action == Action::CreateThenDelete && !node_failed.contains(&c.node.unwrap_or(usize::MAX)))
        .map(|(i, _)| i)
        .collect();
    if !deposed.is_empty() {
        let mut d2 = Vec::new();
        for &i in &deposed {
            let c = &plan.changes[i];
            if let Some(key) = walk_deposed_key(&state, &c.addr) {
                let _ = key;
                d2.push(i);
            }
        }
        run_deletes(&d2, plan, ctx, &sem, &tx, &mut rx, &mut state, sink, observer, &mut diags, &mut destroyed, &mut persist_err, cancel)
            .await;
    }

    // ---- outputs ---------------------------------------------------------------
    let root = ModuleInstance::root();
    // Outputs outside a -target/-exclude selection keep their values, and a
    // targeted destroy keeps them all (as Terraform does).
    let kept = |name: &str| match &plan.selection {
        None => false,
        Some(_) if plan.mode == PlanMode::Destroy => true,
        Some(sel) => {
            ctx.graph.index.get(&crate::graph::Node { module: 0, kind: NodeKind::Output(name.to_string()) }).is_none_or(|&i| !sel.nodes[i])
        }
    };
    let prior_outputs = std::mem::take(&mut state.outputs);
    for (name, o) in prior_outputs {
        if kept(&name) {
            state.outputs.insert(name, o);
        }
    }
    if plan.mode != PlanMode::Destroy {
        for (name, o) in &ctx.tree.root().module.outputs {
            if kept(name) {
                continue;
            }
            let Some(v) = walk.values.outputs.get(&(root.clone(), name.clone())) else { continue };
            let (plain, marks) = v.clone().unmark_deep();
            if plain.is_null() || !plain.is_wholly_known() {
                continue;
            }
            state.outputs.insert(
                name.clone(),
                OutputState {
                    value: plinth_value::value_to_json(&plain),
                    ty: plinth_value::json_type(&plain.ty()),
                    sensitive: o.sensitive || marks.contains(Marks::SENSITIVE),
                },
            );
        }
    }
    match (sink.persist(&state), persist_err) {
        (Err(e), _) => diags.push(Diagnostic::error(
            "Failed to persist state",
            format!("{e}\n\nThe intent journal keeps the changes it could record; the next run recovers them."),
        )),
        (Ok(()), Some(e)) => diags.push(Diagnostic::error(
            "Failed to write the intent journal",
            format!("{e}\n\nThe state was saved with every change that completed."),
        )),
        (Ok(()), None) => {}
    }
    let warnings = std::mem::take(&mut walk.warnings);
    ApplyOutcome { state, diags, warnings, added, changed, destroyed }
}

/// Data resource instances leave state as Terraform drops them: all of them
/// on destroy, and those the configuration no longer has (a shrunk count, a
/// removed block). A -target/-exclude apply keeps them all; an instance whose
/// read failed keeps its last object.
fn prune_data_resources(ctx: &Context<'_>, plan: &Plan, walk: &Walk, state: &mut State) {
    let data: Vec<AbsResourceInstance> =
        state.instance_addrs().filter(|a| a.resource.resource.mode == plinth_state::ResourceMode::Data).collect();
    for addr in data {
        let gone = if plan.mode == PlanMode::Destroy {
            true
        } else if plan.selection.is_some() {
            false
        } else {
            match walk.values.resources.get(&(addr.resource.module.clone(), addr.resource.resource.to_string())) {
                Some(rv) => match &rv.expansion {
                    Some(Expansion::Unknown) => false,
                    Some(e) => !e.keys().iter().any(|(k, _)| *k == addr.key),
                    None => !rv.instances.contains_key(&addr.key),
                },
                None => crate::targeting::node_of(ctx.tree, ctx.graph, &addr.resource).is_none(),
            }
        };
        if gone {
            state.remove_instance(&addr);
        }
    }
}

/// True when `to` is reachable from `from` along `dependents` edges.
fn reaches(dependents: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; dependents.len()];
    let mut stack = vec![from];
    while let Some(x) = stack.pop() {
        if x == to {
            return true;
        }
        if std::mem::replace(&mut seen[x], true) {
            continue;
        }
        stack.extend(dependents[x].iter().copied());
    }
    false
}

fn walk_deposed_key(state: &State, addr: &AbsResourceInstance) -> Option<String> {
    state.instance(addr).and_then(|ri| ri.deposed.keys().next().map(|k| k.to_string()))
}

fn complete(i: usize, completed: &mut usize, dependents: &[Vec<usize>], remaining: &mut [usize], ready: &mut Vec<usize>) {
    *completed += 1;
    for &d in &dependents[i] {
        remaining[d] -= 1;
        if remaining[d] == 0 {
            ready.push(d);
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_deletes(
    idxs: &[usize],
    plan: &Plan,
    ctx: &Context<'_>,
    sem: &Arc<Semaphore>,
    tx: &mpsc::UnboundedSender<Done>,
    rx: &mut mpsc::UnboundedReceiver<Done>,
    state: &mut State,
    sink: &mut dyn StateSink,
    observer: &mut dyn ApplyObserver,
    diags: &mut Vec<Diagnostic>,
    destroyed: &mut usize,
    persist_err: &mut Option<String>,
    cancel: &AtomicBool,
) -> Vec<usize> {
    if idxs.is_empty() {
        return Vec::new();
    }
    // X waits for every Y being deleted whose dependencies name X's resource.
    let mut by_resource: FastMap<String, Vec<usize>> = FastMap::default();
    for &x in idxs {
        by_resource.entry(plan.changes[x].addr.resource.to_string()).or_default().push(x);
    }
    let mut waits: FastMap<usize, usize> = idxs.iter().map(|&i| (i, 0)).collect();
    let mut unblocks: FastMap<usize, Vec<usize>> = FastMap::default();
    for &y in idxs {
        for dep in &plan.changes[y].dependencies {
            for &x in by_resource.get(dep).map(Vec::as_slice).unwrap_or(&[]) {
                if x != y {
                    *waits.get_mut(&x).expect("listed") += 1;
                    unblocks.entry(y).or_default().push(x);
                }
            }
        }
    }
    let mut ready: Vec<usize> = idxs.iter().copied().filter(|i| waits[i] == 0).collect();
    let mut running = 0usize;
    let mut failed = Vec::new();
    let mut done_count = 0usize;
    while done_count < idxs.len() {
        // An unrecorded result stops new operations, as an interrupt does.
        if cancel.load(Ordering::SeqCst) || persist_err.is_some() {
            ready.clear();
        }
        while let Some(i) = ready.pop() {
            let c = &plan.changes[i];
            if c.action == Action::Forget {
                state.remove_instance(&c.addr);
                if let Err(e) = sink.record(&Entry::Remove { token: None, addr: c.addr.clone(), deposed: None }) {
                    persist_err.get_or_insert(e);
                }
                done_count += 1;
                for x in unblocks.get(&i).cloned().unwrap_or_default() {
                    let w = waits.get_mut(&x).expect("listed");
                    *w -= 1;
                    if *w == 0 {
                        ready.push(x);
                    }
                }
                continue;
            }
            let Some((provider, _)) = ctx.providers.get(&c.provider) else {
                diags.push(Diagnostic::error("Missing provider", format!("No provider {:?} to destroy {}.", c.provider, c.addr)));
                failed.push(i);
                done_count += 1;
                continue;
            };
            // For a deposed object (phase 3), delete the deposed copy.
            let prior = if c.action == Action::CreateThenDelete {
                state
                    .instance(&c.addr)
                    .and_then(|ri| ri.deposed.values().next().cloned())
                    .map(|o| object_from_state(&o.attributes, &c.before.as_ref().map(Value::ty).unwrap_or(plinth_value::Type::Dynamic)))
            } else {
                c.before.clone()
            };
            let Some(prior) = prior else {
                done_count += 1;
                continue;
            };
            observer.started(&c.addr, Action::Delete, id_of(&prior).as_deref());
            let token = operation_token();
            if let Err(e) = sink.record(&Entry::Intent {
                token: token.clone(),
                addr: c.addr.clone(),
                action: "delete".into(),
                provider: c.provider_addr.clone(),
            }) {
                // Not started: a delete the journal does not know of could
                // not be told apart from one that never ran.
                diags.push(Diagnostic::error("Failed to write the intent journal", e.clone()));
                observer.failed(&c.addr, Action::Delete);
                persist_err.get_or_insert(e);
                failed.push(i);
                done_count += 1;
                continue;
            }
            spawn_apply(
                provider,
                sem.clone(),
                tx.clone(),
                None,
                Some(i),
                c.addr.clone(),
                Action::Delete,
                c.addr.resource.resource.type_name.clone(),
                Some(prior),
                None,
                None,
                None,
                token,
            );
            running += 1;
        }
        if running == 0 {
            break;
        }
        let Some(done) = rx.recv().await else { break };
        running -= 1;
        done_count += 1;
        let i = done.change.expect("delete carries its change");
        let c = &plan.changes[i];
        match done.result {
            Ok(_) => {
                let mut removed_key = None;
                if c.action == Action::CreateThenDelete {
                    if let Some(ri) = state.instance(&c.addr).cloned() {
                        if let Some(k) = ri.deposed.keys().next().cloned() {
                            removed_key = Some(k.clone());
                            state.set_deposed(&c.addr, k, None, &c.provider_addr);
                        }
                    }
                } else {
                    state.set_current(&c.addr, None, &c.provider_addr);
                }
                *destroyed += 1;
                if let Err(e) = sink.record(&Entry::Remove { token: Some(done.token.clone()), addr: c.addr.clone(), deposed: removed_key })
                {
                    diags.push(unrecorded(&c.addr, None, &e));
                    persist_err.get_or_insert(e);
                    observer.failed(&c.addr, Action::Delete);
                } else {
                    observer.finished(&c.addr, Action::Delete, None, done.elapsed);
                }
                for x in unblocks.get(&i).cloned().unwrap_or_default() {
                    let w = waits.get_mut(&x).expect("listed");
                    *w -= 1;
                    if *w == 0 {
                        ready.push(x);
                    }
                }
            }
            Err(e) => {
                diags.push(provider_diag(&c.addr, e, plinth_syntax::Span::default()));
                observer.failed(&c.addr, Action::Delete);
                failed.push(i);
            }
        }
    }
    failed
}

#[allow(clippy::too_many_arguments)]
fn spawn_apply(
    provider: Arc<dyn Provider>,
    sem: Arc<Semaphore>,
    tx: mpsc::UnboundedSender<Done>,
    node: Option<usize>,
    change: Option<usize>,
    addr: AbsResourceInstance,
    action: Action,
    type_name: String,
    prior: Option<Value>,
    planned: Option<Value>,
    config: Option<Value>,
    meta: Option<(String, u64, bool, Vec<String>)>,
    token: String,
) {
    tokio::spawn(async move {
        let _permit = sem.acquire_owned().await.expect("semaphore never closed");
        let start = Instant::now();
        let (prior_p, _) = match &prior {
            Some(p) => {
                let (v, m) = p.clone().unmark_deep();
                (Some(v), m)
            }
            None => (None, Marks::NONE),
        };
        // The provider answers unmarked: its result gets the planned marks back.
        let planned_sens = planned.as_ref().map(sensitive_paths).unwrap_or_default();
        let planned_p = planned.map(|p| p.unmark_deep().0);
        let promised = if meta.is_some() { planned_p.clone() } else { None };
        let config_p = config.map(|c| c.unmark_deep().0);
        let result = provider
            .apply_resource(ApplyRequest {
                type_name: &type_name,
                prior: prior_p.as_ref(),
                planned: planned_p.as_ref(),
                config: config_p.as_ref(),
                operation_token: &token,
            })
            .await;
        let result = result.map(|v| mark_state_paths(v, &planned_sens));
        let _ = tx.send(Done { node, change, addr, action, result, elapsed: start.elapsed(), token, meta, planned: promised });
    });
}

/// A token unique to one operation (128 random bits as hex).
fn operation_token() -> String {
    plinth_state::DeposedKey::generate().to_string()
        + plinth_state::DeposedKey::generate().as_str()
        + plinth_state::DeposedKey::generate().as_str()
        + plinth_state::DeposedKey::generate().as_str()
}

/// Evaluates resource node `i` and spawns its changes. Returns the number of
/// tasks started, or `Err` when evaluation failed.
#[allow(clippy::too_many_arguments)]
fn start_resource_node(
    i: usize,
    walk: &mut Walk,
    plan: &Plan,
    by_addr: &FastMap<AbsResourceInstance, usize>,
    blocked: &FastSet<AbsResourceInstance>,
    sem: &Arc<Semaphore>,
    tx: &mpsc::UnboundedSender<Done>,
    state: &mut State,
    diags: &mut Vec<Diagnostic>,
    observer: &mut dyn ApplyObserver,
    sink: &mut dyn StateSink,
) -> Result<usize, ()> {
    let ctx = walk.ctx;
    let node = ctx.graph.nodes[i].clone();
    let NodeKind::Resource(key) = &node.kind else { return Ok(0) };
    let rc = &ctx.tree.get(node.module).module.resources[key];
    let (provider, pname, paddr) = match walk.provider_for(rc) {
        Ok(p) => p,
        Err(ds) => {
            diags.extend(ds);
            return Err(());
        }
    };
    let schema = match rc.mode {
        plinth_config::ResourceMode::Managed => provider.schema().resources.get(&rc.type_name),
        plinth_config::ResourceMode::Data => provider.schema().data_sources.get(&rc.type_name),
    };
    let Some(schema) = schema else { return Err(()) };
    let ty = walk.implied_type(&schema.block);
    if walk.deferred_providers.contains_key(&pname) {
        // Deferred by the plan: its provider cannot be configured yet. The
        // values stay unknown; a later round of this apply handles it.
        return Ok(0);
    }
    let mut spawned = 0;
    let mut failed = false;
    for inst in walk.instances(node.module) {
        let exp = match walk.expansion(node.module, &inst, false, rc.count.as_ref(), rc.for_each.as_ref()) {
            Ok(e) => e,
            Err(ds) => {
                diags.extend(ds);
                failed = true;
                continue;
            }
        };
        let mode = match rc.mode {
            plinth_config::ResourceMode::Managed => plinth_state::ResourceMode::Managed,
            plinth_config::ResourceMode::Data => plinth_state::ResourceMode::Data,
        };
        let abs = inst.resource(mode, &rc.type_name, &rc.name);
        let deps = walk.dependency_strings(i, &inst);
        let mut vals = std::collections::BTreeMap::new();
        for (ik, each) in exp.keys() {
            let addr = abs.instance(ik.clone());
            let change = by_addr.get(&addr).map(|&ci| &plan.changes[ci]);
            // A data resource's object in state is what the plan read (the
            // plan's refreshed state has it): kept as it is, not read again.
            // One the plan could not read has a Read change.
            let current = state.current(&addr).map(|o| prior_object(o, &ty));
            // Apply makes only the plan's changes. An instance the plan has no
            // change for is left as it is; the one exception is a resource whose
            // count/for_each was unknown when planning (its instances could not
            // be listed; the plan warned), created here once it is known.
            let action = match change {
                Some(c) => c.action,
                None if current.is_some() => Action::NoOp,
                None if rc.mode == plinth_config::ResourceMode::Data => Action::Create,
                None if plan.unknown_expansions.contains(&abs) => Action::Create,
                None => continue,
            };
            if matches!(action, Action::NoOp | Action::Delete | Action::Forget) || blocked.contains(&addr) {
                if let Some(cur) = current {
                    let sens = change.and_then(|c| c.after.as_ref()).map(sensitive_paths).unwrap_or_default();
                    vals.insert(ik, mark_paths(cur, &sens, &schema.block));
                }
                continue;
            }
            // Re-evaluate configuration with final values.
            let config = {
                let mut scope = walk.scope(node.module, &inst);
                set_instance_repetition(&mut scope, &ik, each.as_ref());
                let mut ev = Evaluator::new(&scope, walk.call_ctx(node.module, false));
                match decode_resource_body(&mut ev, &rc.config, &schema.block, rc.decl_span) {
                    Ok(v) => v,
                    Err(e) => {
                        diags.extend(e.diags);
                        failed = true;
                        continue;
                    }
                }
            };
            let (config_plain, _) = config.clone().unmark_deep();
            if rc.mode == plinth_config::ResourceMode::Data {
                // Deferred read: do it now, synchronously through a task.
                spawn_read(provider.clone(), sem.clone(), tx.clone(), i, addr.clone(), rc.type_name.clone(), config_plain);
                spawned += 1;
                continue;
            }
            let prior = if action.is_replace() && action == Action::DeleteThenCreate { None } else { current.clone() };
            let prior_for_plan = if action.creates() { None } else { prior.clone() };
            // The walk's own planning rule (ignore_changes included).
            let (planned, sens) = match plan_managed(&*provider, schema, rc, &config, prior_for_plan.clone()) {
                Ok(mp) => (mp.planned, mp.sensitive_paths),
                Err(e) => {
                    diags.push(provider_diag(&addr, e, rc.decl_span));
                    failed = true;
                    continue;
                }
            };
            // The final plan may only fill in what the plan left unknown.
            if let Some(promised) = change.and_then(|c| c.after.as_ref()) {
                let (promised, _) = promised.clone().unmark_deep();
                if let Some(why) = contradiction(&promised, &planned) {
                    diags.push(
                        Diagnostic::error(
                            "Provider produced inconsistent final plan",
                            format!("When expanding the plan for {addr} to include new values learned so far during apply, provider {paddr:?} produced an invalid new value for {why}.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker."),
                        )
                        .with_subject(rc.decl_span),
                    );
                    failed = true;
                    continue;
                }
            }
            let planned = mark_paths(planned, &sens, &schema.block);
            if action == Action::CreateThenDelete {
                let old = state.current(&addr).cloned();
                if let (Some(k), Some(old)) = (state.depose_current(&addr), old) {
                    let _ = sink.record(&Entry::Set {
                        token: None,
                        addr: addr.clone(),
                        provider: paddr.clone(),
                        object: old,
                        deposed: Some(k),
                    });
                    let _ = sink.record(&Entry::Remove { token: None, addr: addr.clone(), deposed: None });
                }
            }
            observer.started(&addr, action, prior_for_plan.as_ref().and_then(id_of).as_deref());
            let mut deps = deps.clone();
            if let Some(c) = change {
                deps.extend(c.dependencies.iter().cloned());
                deps.sort();
                deps.dedup();
            }
            let meta = Some((paddr.clone(), schema.version, walk.create_before_destroy(i), deps));
            let _ = &pname;
            let token = operation_token();
            let word = if action == Action::Update { "update" } else { "create" };
            if let Err(e) =
                sink.record(&Entry::Intent { token: token.clone(), addr: addr.clone(), action: word.into(), provider: paddr.clone() })
            {
                diags.push(Diagnostic::error("Failed to write the intent journal", e));
                failed = true;
                continue;
            }
            spawn_apply(
                provider.clone(),
                sem.clone(),
                tx.clone(),
                Some(i),
                change.map(|_| by_addr[&addr]),
                addr,
                action,
                rc.type_name.clone(),
                prior_for_plan,
                Some(planned),
                Some(config),
                meta,
                token,
            );
            spawned += 1;
        }
        let entry = walk.values.resources.entry((inst.clone(), key.clone())).or_default();
        entry.expansion = Some(if exp.is_unknown() { Expansion::Single } else { exp });
        entry.instances.extend(vals);
    }
    if failed && spawned == 0 {
        return Err(());
    }
    if failed {
        walk.failed_nodes.insert(i);
    }
    Ok(spawned)
}

fn spawn_read(
    provider: Arc<dyn Provider>,
    sem: Arc<Semaphore>,
    tx: mpsc::UnboundedSender<Done>,
    node: usize,
    addr: AbsResourceInstance,
    type_name: String,
    config: Value,
) {
    tokio::spawn(async move {
        let _permit = sem.acquire_owned().await.expect("semaphore never closed");
        let start = Instant::now();
        let result = provider.read_data_source(&type_name, &config).await;
        let _ = tx.send(Done {
            node: Some(node),
            change: None,
            addr,
            action: Action::Read,
            result,
            elapsed: start.elapsed(),
            token: String::new(),
            meta: None,
            planned: None,
        });
    });
}

/// Records a finished task. Returns false when it failed.
#[allow(clippy::too_many_arguments)]
fn finish(
    done: Done,
    walk: &mut Walk,
    state: &mut State,
    diags: &mut Vec<Diagnostic>,
    observer: &mut dyn ApplyObserver,
    added: &mut usize,
    changed: &mut usize,
    sink: &mut dyn StateSink,
    persist_err: &mut Option<String>,
) -> bool {
    let node_i = done.node.expect("walk task");
    let node = walk.ctx.graph.nodes[node_i].clone();
    let NodeKind::Resource(key) = &node.kind else { return true };
    let rc = &walk.ctx.tree.get(node.module).module.resources[key];
    let inst = done.addr.resource.module.clone();
    match done.result {
        Err(e) => {
            diags.push(provider_diag(&done.addr, e, rc.decl_span));
            observer.failed(&done.addr, done.action);
            false
        }
        Ok(v) => {
            if done.action == Action::Read {
                // Recorded in state as Terraform records it (`mode = "data"`).
                if let Ok((p, _, paddr)) = walk.provider_for(rc) {
                    if let Some(schema) = p.schema().data_sources.get(&rc.type_name) {
                        let (plain, _) = v.clone().unmark_deep();
                        let mut obj = InstanceObject::new(object_to_state_json(&plain, &schema.block.implied_type()));
                        obj.schema_version = schema.version;
                        obj.sensitive_attributes = sensitive_paths(&v);
                        state.set_current(&done.addr, Some(obj), &paddr);
                    }
                }
                let entry = walk.values.resources.entry((inst, key.clone())).or_default();
                entry.instances.insert(done.addr.key.clone(), v);
                return true;
            }
            let (paddr, schema_version, cbd, deps) = done.meta.expect("apply task meta");
            let (plain, _) = v.clone().unmark_deep();
            let provider = walk.provider_for(rc).ok().map(|(p, _, _)| p);
            let ty = provider
                .as_ref()
                .and_then(|p| p.schema().resources.get(&rc.type_name).map(|s| s.block.implied_type()))
                .unwrap_or(plinth_value::Type::Dynamic);
            let mut obj = InstanceObject::new(object_to_state_json(&plain, &ty));
            obj.private = provider.and_then(|p| p.private_data(&rc.type_name, &plain)).map(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(b)
            });
            obj.schema_version = schema_version;
            obj.create_before_destroy = cbd;
            obj.dependencies = deps;
            obj.sensitive_attributes = sensitive_paths(&v);
            let recorded = sink.record(&Entry::Set {
                token: Some(done.token.clone()),
                addr: done.addr.clone(),
                provider: paddr.clone(),
                object: obj.clone(),
                deposed: None,
            });
            // The object is kept in the state written at the end either way.
            state.set_current(&done.addr, Some(obj), &paddr);
            if let Err(e) = recorded {
                // Never reported complete: if the state cannot be written
                // either, only this message says the object exists.
                diags.push(unrecorded(&done.addr, id_of(&plain).as_deref(), &e));
                persist_err.get_or_insert(e);
                observer.failed(&done.addr, done.action);
                return false;
            }
            match done.action {
                Action::Create => *added += 1,
                Action::Update => *changed += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => *added += 1,
                _ => {}
            }
            observer.finished(&done.addr, done.action, id_of(&plain).as_deref(), done.elapsed);
            // The object is recorded as the provider returned it, but a result
            // that contradicts the final plan fails the instance.
            if let Some(why) = done.planned.as_ref().and_then(|p| contradiction(p, &plain)) {
                diags.push(
                    Diagnostic::error(
                        "Provider produced inconsistent result after apply",
                        format!("When applying changes to {}, provider {paddr:?} produced an unexpected new value: {why}.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker.", done.addr),
                    )
                    .with_subject(rc.decl_span),
                );
                let entry = walk.values.resources.entry((inst, key.clone())).or_default();
                entry.instances.insert(done.addr.key.clone(), v);
                return false;
            }
            // Postconditions see the new object as `self`.
            let r =
                walk.check_conditions(node.module, &inst, false, &rc.lifecycle.postconditions, Some(&v), "Resource postcondition failed");
            let entry = walk.values.resources.entry((inst, key.clone())).or_default();
            entry.instances.insert(done.addr.key.clone(), v);
            match r {
                Ok(()) => true,
                Err(ds) => {
                    let ctx_name = format!("resource {:?} {:?}", rc.type_name, rc.name);
                    diags.extend(ds.into_iter().map(|d| d.with_context(ctx_name.clone())));
                    false
                }
            }
        }
    }
}

/// A change the provider made that the intent journal could not record.
fn unrecorded(addr: &AbsResourceInstance, id: Option<&str>, e: &str) -> Diagnostic {
    let id = id.map(|i| format!(" (id {i:?})")).unwrap_or_default();
    Diagnostic::error(
        "Change made but not recorded",
        format!("{addr}{id} was changed by its provider, but the result could not be recorded: {e}. plinth starts no further operations. If the state cannot be written either, the interrupted run must be recovered: run plinth again once the problem is fixed, or import the object."),
    )
}

/// Where `now` contradicts `promised`: the first attribute path at which
/// `promised` has a known value and `now` a different one, with both values
/// (Terraform's wording: `.input: was "a", but now "b"`). Unknown parts of
/// `promised` promise nothing.
fn contradiction(promised: &Value, now: &Value) -> Option<String> {
    fn walk(p: &Value, n: &Value, path: &mut String) -> Option<String> {
        if !p.is_known() {
            return None;
        }
        if p.is_null() || n.is_null() || !n.is_known() {
            return differs(p, n, path);
        }
        if let (Some(a), Some(b)) = (p.as_entries(), n.as_entries()) {
            for (k, x) in a {
                let at = path.len();
                path.push('.');
                path.push_str(k);
                let r = match b.get(k) {
                    Some(y) => walk(x, y, path),
                    None => walk(x, &Value::dynamic_null(), path),
                };
                path.truncate(at);
                if r.is_some() {
                    return r;
                }
            }
            return None;
        }
        if let (Some(a), Some(b), false) = (p.as_seq(), n.as_seq(), matches!(p.ty(), plinth_value::Type::Set(_))) {
            if a.len() == b.len() {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let at = path.len();
                    path.push_str(&format!("[{i}]"));
                    let r = walk(x, y, path);
                    path.truncate(at);
                    if r.is_some() {
                        return r;
                    }
                }
                return None;
            }
        }
        if p.is_wholly_known() {
            differs(p, n, path)
        } else {
            None
        }
    }
    fn differs(p: &Value, n: &Value, path: &str) -> Option<String> {
        let null_mismatch = p.is_null() != n.is_null();
        if !null_mismatch && (p.raw_equal(n) || !p.is_wholly_known()) {
            return None;
        }
        let show = |v: &Value| match () {
            _ if v.is_null() => "null".to_string(),
            _ if v.is_wholly_known() => plinth_value::value_to_json(v).to_string(),
            _ if v.is_known() => "a value with parts known only after apply".to_string(),
            _ => "(known after apply)".to_string(),
        };
        let at = if path.is_empty() { "the object" } else { path };
        Some(format!("{at}: was {}, but now {}", show(p), show(n)))
    }
    let (p, _) = promised.clone().unmark_deep();
    let (n, _) = now.clone().unmark_deep();
    walk(&p, &n, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::contradiction;
    use plinth_value::{Type, Value};
    use std::collections::BTreeMap;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn unknowns_promise_nothing_and_known_values_must_hold() {
        let planned = obj(&[("id", Value::unknown(Type::String)), ("input", Value::string("a"))]);
        let ok = obj(&[("id", Value::string("x")), ("input", Value::string("a"))]);
        assert_eq!(contradiction(&planned, &ok), None);
        let bad = obj(&[("id", Value::string("x")), ("input", Value::string("b"))]);
        assert_eq!(contradiction(&planned, &bad).as_deref(), Some(r#".input: was "a", but now "b""#));
        let nested = obj(&[("tags", obj(&[("k", Value::string("v"))]))]);
        let changed = obj(&[("tags", obj(&[("k", Value::string("w"))]))]);
        assert_eq!(contradiction(&nested, &changed).as_deref(), Some(r#".tags.k: was "v", but now "w""#));
        let list = obj(&[("l", Value::tuple(vec![Value::unknown(Type::String), Value::string("b")]))]);
        let list_now = obj(&[("l", Value::tuple(vec![Value::string("z"), Value::string("c")]))]);
        assert_eq!(contradiction(&list, &list_now).as_deref(), Some(r#".l[1]: was "b", but now "c""#));
        assert_eq!(contradiction(&planned, &Value::null(planned.ty())).as_deref().map(|s| s.starts_with("the object")), Some(true));
        // An unknown attribute may vanish (a dynamic value's type is known
        // only after apply); a known one may not.
        let dynamic = obj(&[("o", obj(&[("labels", Value::unknown(Type::Dynamic)), ("name", Value::string("n"))]))]);
        assert_eq!(contradiction(&dynamic, &obj(&[("o", obj(&[("name", Value::string("n"))]))])), None);
        assert_eq!(
            contradiction(&dynamic, &obj(&[("o", obj(&[("labels", Value::string("l"))]))])).as_deref(),
            Some(".o.name: was \"n\", but now null")
        );
    }
}
