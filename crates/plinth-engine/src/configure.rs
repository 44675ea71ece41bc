//! Provider configuration: each provider the configuration or state uses is
//! configured once per run with its root-module `provider` block, evaluated
//! in the root scope with the provider's schema (an all-null object when the
//! block is absent). Only what the blocks refer to is evaluated first
//! (variables, locals; resources from state).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use plinth_lang::Evaluator;
use plinth_state::{ModuleInstance, State};
use plinth_syntax::Diagnostic;
use plinth_value::Value;

use crate::decode::decode_body;
use crate::graph::{body_exprs, resolve, NodeKind};
use crate::plan::PlanMode;
use crate::refs::references;
use crate::walk::{provider_local, provider_local_name, provider_name_from_addr, Context, Walk};

/// Local names of the providers that resources in configuration or state use.
fn used_providers(ctx: &Context<'_>, state: &State, extra: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = extra.clone();
    for m in &ctx.tree.modules {
        for rc in m.module.resources.values() {
            let local = provider_local(rc);
            if !out.contains(local) {
                out.insert(local.to_string());
            }
        }
    }
    for (addr, r) in state.resources() {
        out.insert(provider_name_from_addr(&r.provider).unwrap_or_else(|| provider_local_name(&addr.resource.type_name)));
    }
    out.retain(|n| ctx.providers.get(n).is_some());
    out
}

/// A walk in which everything `exprs` (root-module expressions) refer to is
/// evaluated, in dependency order, with resources taken from `state`.
pub(crate) fn eval_referenced<'a>(ctx: &'a Context<'a>, state: &State, exprs: &[&plinth_syntax::ast::Expr]) -> Walk<'a> {
    let mut walk = Walk::new(ctx, state.clone(), PlanMode::Normal);
    let mut needed: HashSet<usize> = HashSet::new();
    let mut stack: Vec<usize> = Vec::new();
    for e in exprs {
        let Ok(refs) = references(e) else { continue };
        for r in refs {
            if let Ok(Some(node)) = resolve(ctx.tree, 0, &r) {
                if let Some(&i) = ctx.graph.index.get(&node) {
                    stack.push(i);
                }
            }
        }
    }
    while let Some(i) = stack.pop() {
        if needed.insert(i) {
            stack.extend(ctx.graph.deps[i].iter().copied());
        }
    }
    for &i in &ctx.graph.order {
        if !needed.contains(&i) {
            continue;
        }
        match &ctx.graph.nodes[i].kind {
            NodeKind::Resource(key) => walk.load_resource_from_state(i, key),
            _ => walk.eval_node(i, true),
        }
    }
    walk
}

pub async fn configure_providers(ctx: &Context<'_>, state: &State) -> Vec<Diagnostic> {
    configure_providers_deferring(ctx, state).await.0
}

/// Configures the providers that config and state use and also `extra` (with
/// their root block, or an empty configuration): recovery must look for what
/// an interrupted create made even when its resource block has since been
/// removed, or the journal could never be resolved.
pub async fn configure_providers_also(ctx: &Context<'_>, state: &State, extra: &BTreeSet<String>) -> Vec<Diagnostic> {
    configure(ctx, state, extra).await.0
}

/// Configures every provider whose configuration is known now. A provider
/// whose block evaluates to unknown values (it depends on resources not yet
/// created, such as a cluster's endpoint) is left unconfigured and returned
/// with what it waits for (`module.cluster`), so its resources are deferred:
/// planned and applied later in the same run, once those values exist.
pub async fn configure_providers_deferring(ctx: &Context<'_>, state: &State) -> (Vec<Diagnostic>, BTreeMap<String, String>) {
    configure(ctx, state, &BTreeSet::new()).await
}

async fn configure(ctx: &Context<'_>, state: &State, extra: &BTreeSet<String>) -> (Vec<Diagnostic>, BTreeMap<String, String>) {
    let mut diags = Vec::new();
    let mut deferred = BTreeMap::new();
    let used = used_providers(ctx, state, extra);
    if used.is_empty() {
        return (diags, deferred);
    }
    let root = &ctx.tree.root().module;
    let blocks: Vec<_> = root.providers.iter().filter(|p| p.alias.is_none() && used.contains(&p.name)).collect();
    let mut exprs = Vec::new();
    for b in &blocks {
        body_exprs(&b.body, &mut exprs);
    }
    let walk = eval_referenced(ctx, state, &exprs);
    let root_inst = ModuleInstance::root();
    for name in used {
        let Some((provider, _)) = ctx.providers.get(&name) else { continue };
        let schema = &provider.schema().provider;
        let config = match blocks.iter().find(|b| b.name == name) {
            Some(b) => {
                let scope = walk.scope(0, &root_inst);
                let mut ev = Evaluator::new(&scope, walk.call_ctx(0, true));
                match decode_body(&mut ev, &b.body, schema, b.span) {
                    Ok(v) => v.unmark_deep().0,
                    Err(e) => {
                        diags.extend(e.diags.into_iter().map(|d| {
                            if d.context.is_none() {
                                d.with_context(format!("provider {name:?}"))
                            } else {
                                d
                            }
                        }));
                        continue;
                    }
                }
            }
            None => plinth_provider::null_object(&schema.implied_type()),
        };
        // Blocks left out decode as empty collections; an absent block body as nulls.
        let config = if config.is_null() { Value::null(schema.implied_type()) } else { config };
        if !config.is_wholly_known() {
            let waits = blocks.iter().find(|b| b.name == name).map(|b| waits_for(b)).unwrap_or_default();
            deferred.insert(name.clone(), waits);
            continue;
        }
        if let Err(e) = provider.configure(&config).await {
            let span = blocks.iter().find(|b| b.name == name).map(|b| b.span);
            let mut d = Diagnostic::error(e.summary, e.detail).with_context(format!("provider {name:?}"));
            if let Some(s) = span {
                d = d.with_subject(s);
            }
            diags.push(d);
        }
    }
    (diags, deferred)
}

/// The objects a provider block refers to that are created by the
/// configuration (resources, module outputs), as `module.cluster, aws_lb.api`.
fn waits_for(b: &plinth_config::ProviderConfig) -> String {
    let mut exprs = Vec::new();
    body_exprs(&b.body, &mut exprs);
    let mut names: BTreeSet<String> = BTreeSet::new();
    for e in exprs {
        let Ok(refs) = references(e) else { continue };
        for r in refs {
            match &r.target {
                crate::refs::RefTarget::Module(m, _) => {
                    names.insert(format!("module.{m}"));
                }
                crate::refs::RefTarget::Resource { data: false, type_name, name } => {
                    names.insert(format!("{type_name}.{name}"));
                }
                _ => {}
            }
        }
    }
    names.into_iter().collect::<Vec<_>>().join(", ")
}
