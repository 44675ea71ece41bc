//! Provider configuration: each registered provider receives its root-module
//! `provider` block (without alias), evaluated, before a plan or an apply uses
//! it; providers without a block receive an all-null configuration.
//!
//! A minimal version: what the blocks refer to is evaluated first (variables
//! and locals; resources as they are in state), so values that depend on
//! resources not yet created arrive unknown, and the provider decides what it
//! can do without them.

use std::collections::HashSet;

use plinth_lang::Evaluator;
use plinth_state::{ModuleInstance, State};
use plinth_syntax::Diagnostic;

use crate::decode::decode_body;
use crate::graph::{self, NodeKind};
use crate::plan::PlanMode;
use crate::walk::{Context, Walk};

pub async fn configure_providers(ctx: &Context<'_>, state: &State) -> Vec<Diagnostic> {
    let root = &ctx.tree.root().module;
    let mut diags = Vec::new();
    let blocks: Vec<_> = root.providers.iter().filter(|p| p.alias.is_none() && ctx.providers.get(&p.name).is_some()).collect();
    // Nodes the blocks refer to, transitively.
    let mut needed: HashSet<usize> = HashSet::new();
    let mut stack: Vec<usize> = Vec::new();
    for b in &blocks {
        let mut exprs = Vec::new();
        graph::body_exprs(&b.body, &mut exprs);
        for e in exprs {
            let Ok(refs) = crate::refs::references(e) else { continue };
            for r in refs {
                if let Ok(Some(node)) = graph::resolve(ctx.tree, 0, &r) {
                    if let Some(&i) = ctx.graph.index.get(&node) {
                        stack.push(i);
                    }
                }
            }
        }
    }
    while let Some(i) = stack.pop() {
        if needed.insert(i) {
            stack.extend(ctx.graph.deps[i].iter().copied());
        }
    }
    let mut walk = Walk::new(ctx, state.clone(), PlanMode::Normal);
    for &i in &ctx.graph.order {
        if !needed.contains(&i) {
            continue;
        }
        match &ctx.graph.nodes[i].kind {
            NodeKind::Resource(key) => walk.load_resource_from_state(i, key),
            _ => walk.eval_node(i, true),
        }
    }
    let root_inst = ModuleInstance::root();
    let mut configured: HashSet<&str> = HashSet::new();
    for b in blocks {
        let Some((provider, _)) = ctx.providers.get(&b.name) else { continue };
        let scope = walk.scope(0, &root_inst);
        let mut ev = Evaluator::new(&scope, walk.call_ctx(0, true));
        let value = match decode_body(&mut ev, &b.body, &provider.schema().provider, b.span) {
            Ok(v) => v.unmark_deep().0,
            Err(e) => {
                diags.extend(e.diags.into_iter().map(|d| d.with_context(format!("provider {:?}", b.name))));
                continue;
            }
        };
        configured.insert(&b.name);
        if let Err(e) = provider.configure(&value).await {
            diags.push(Diagnostic::error(e.summary, e.detail).with_subject(b.span).with_context(format!("provider {:?}", b.name)));
        }
    }
    // Providers without a block: configured (from their defaults, such as
    // KUBECONFIG) only when configuration or state uses them, so a broken
    // default of a provider the configuration does not use is no error.
    let mut used: HashSet<String> = HashSet::new();
    for m in &ctx.tree.modules {
        for rc in m.module.resources.values() {
            used.insert(rc.provider.as_ref().map(|(n, _)| n.clone()).unwrap_or_else(|| crate::walk::provider_local_name(&rc.type_name)));
        }
    }
    for addr in state.instance_addrs() {
        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        used.insert(crate::walk::provider_name_from_addr(&paddr).unwrap_or_else(|| crate::walk::provider_local_name(&addr.resource.resource.type_name)));
    }
    for name in ctx.providers.names() {
        if configured.contains(name.as_str()) || !used.contains(name) {
            continue;
        }
        let Some((provider, _)) = ctx.providers.get(name) else { continue };
        let empty = plinth_provider::null_object(&provider.schema().provider.implied_type());
        if let Err(e) = provider.configure(&empty).await {
            diags.push(Diagnostic::error(e.summary, e.detail).with_context(format!("provider {name:?}")));
        }
    }
    // Errors in what the blocks refer to were reported by the walk.
    diags.extend(walk.diags);
    diags
}
