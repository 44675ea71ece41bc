//! The static dependency graph: one node per configuration object (variable,
//! local, output, resource, module call, check) across the module tree, with
//! an edge from each object to every object it refers to. Instances are not
//! nodes: a walk expands each node over its module's instances, so the graph
//! is linear in the size of the configuration, not of the infrastructure.

use petgraph::graph::{DiGraph, NodeIndex};
use plinth_syntax::ast::Expr;
use plinth_syntax::{Diagnostic, Span};

use crate::refs::{references_with, RefTarget, Reference};
use crate::tree::{ConfigTree, ModuleId};
use crate::FastMap;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Var(String),
    Local(String),
    Output(String),
    /// `type.name` or `data.type.name`
    Resource(String),
    /// Expansion of a module call (its `count` / `for_each`).
    ModuleCall(String),
    Check(usize),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub module: ModuleId,
    pub kind: NodeKind,
}

pub struct Graph {
    pub nodes: Vec<Node>,
    pub index: FastMap<Node, usize>,
    /// deps[i]: nodes that node i depends on.
    pub deps: Vec<Vec<usize>>,
    /// Topological order (dependencies first).
    pub order: Vec<usize>,
}

impl Graph {
    pub fn node_name(&self, tree: &ConfigTree, i: usize) -> String {
        node_name(tree, &self.nodes[i])
    }
}

pub fn node_name(tree: &ConfigTree, n: &Node) -> String {
    let prefix: String = tree.get(n.module).path.iter().map(|p| format!("module.{p}.")).collect();
    match &n.kind {
        NodeKind::Var(v) => format!("{prefix}var.{v}"),
        NodeKind::Local(l) => format!("{prefix}local.{l}"),
        NodeKind::Output(o) => format!("{prefix}output.{o}"),
        NodeKind::Resource(r) => format!("{prefix}{r}"),
        NodeKind::ModuleCall(m) => format!("{prefix}module.{m}"),
        NodeKind::Check(i) => format!("{prefix}check[{i}]"),
    }
}

/// The expressions a node evaluates, in its own module's scope.
pub fn node_exprs<'t>(tree: &'t ConfigTree, n: &Node) -> Vec<&'t Expr> {
    let m = &tree.get(n.module).module;
    let mut out = Vec::new();
    match &n.kind {
        NodeKind::Var(v) => {
            if let Some(var) = m.variables.get(v) {
                for val in &var.validations {
                    out.push(&val.condition);
                    out.push(&val.error_message);
                }
            }
        }
        NodeKind::Local(l) => out.extend(m.locals.get(l).map(|l| &l.expr)),
        NodeKind::Output(o) => {
            if let Some(o) = m.outputs.get(o) {
                out.extend(o.expr.as_ref());
                out.extend(o.depends_on.iter());
                for c in &o.preconditions {
                    out.push(&c.condition);
                    out.push(&c.error_message);
                }
            }
        }
        NodeKind::Resource(r) => {
            if let Some(r) = m.resources.get(r) {
                out.extend(r.count.as_ref());
                out.extend(r.for_each.as_ref());
                out.extend(r.depends_on.iter());
                body_exprs(&r.config, &mut out);
                out.extend(r.lifecycle.replace_triggered_by.iter());
                for c in r.lifecycle.preconditions.iter().chain(&r.lifecycle.postconditions) {
                    out.push(&c.condition);
                    out.push(&c.error_message);
                }
            }
        }
        NodeKind::ModuleCall(c) => {
            if let Some(c) = m.module_calls.get(c) {
                out.extend(c.count.as_ref());
                out.extend(c.for_each.as_ref());
                out.extend(c.depends_on.iter());
            }
        }
        NodeKind::Check(i) => {
            if let Some(c) = m.checks.get(*i) {
                for a in &c.asserts {
                    out.push(&a.condition);
                    out.push(&a.error_message);
                }
            }
        }
    }
    out
}

/// [`node_exprs`], each with the dynamic-block iterator names bound around
/// it (`tag.key` inside `dynamic "tag"` is the iterator, not a resource).
pub fn node_exprs_scoped<'t>(tree: &'t ConfigTree, n: &Node) -> Vec<(&'t Expr, Vec<String>)> {
    let mut scoped = Vec::new();
    if let NodeKind::Resource(r) = &n.kind {
        if let Some(r) = tree.get(n.module).module.resources.get(r) {
            body_exprs_scoped(&r.config, &mut Vec::new(), &mut scoped);
        }
    }
    node_exprs(tree, n)
        .into_iter()
        .map(|e| {
            let bound = scoped.iter().find(|(x, _)| std::ptr::eq(*x, e)).map(|(_, b)| b.clone()).unwrap_or_default();
            (e, bound)
        })
        .collect()
}

fn body_exprs_scoped<'a>(b: &'a plinth_syntax::ast::Body, bound: &mut Vec<String>, out: &mut Vec<(&'a Expr, Vec<String>)>) {
    for a in &b.attributes {
        out.push((&a.expr, bound.clone()));
    }
    for blk in &b.blocks {
        if blk.kind.name == "dynamic" {
            let label = blk.labels.first().map(|l| l.value.clone()).unwrap_or_default();
            let iter = blk.body.attribute("iterator").and_then(|a| a.expr.as_traversal().map(|(r, _)| r.name)).unwrap_or(label);
            for a in &blk.body.attributes {
                // `iterator = it` names the iterator: no reference either.
                let mut b = bound.clone();
                if a.name.name == "iterator" {
                    b.push(iter.clone());
                }
                out.push((&a.expr, b));
            }
            bound.push(iter);
            for inner in &blk.body.blocks {
                body_exprs_scoped(&inner.body, bound, out);
            }
            bound.pop();
        } else {
            body_exprs_scoped(&blk.body, bound, out);
        }
    }
}

pub fn body_exprs<'a>(b: &'a plinth_syntax::ast::Body, out: &mut Vec<&'a Expr>) {
    for a in &b.attributes {
        out.push(&a.expr);
    }
    for blk in &b.blocks {
        body_exprs(&blk.body, out);
    }
}

/// Resolves one reference made in module `module` to the node it names.
/// `Ok(None)` for references that need no node (`count.index`, `path.*`, ...).
pub fn resolve(tree: &ConfigTree, module: ModuleId, r: &Reference) -> Result<Option<Node>, Diagnostic> {
    let mnode = tree.get(module);
    let m = &mnode.module;
    // Only error messages name the module.
    let where_ = || if mnode.path.is_empty() { "the root module".to_string() } else { format!("module.{}", mnode.path.join(".module.")) };
    let node = |kind| Some(Node { module, kind });
    Ok(match &r.target {
        RefTarget::Var(v) => {
            if !m.variables.contains_key(v) {
                return Err(Diagnostic::error(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name {v:?} has not been declared. This variable can be declared with a variable {v:?} {{}} block."),
                )
                .with_subject(r.span));
            }
            node(NodeKind::Var(v.clone()))
        }
        RefTarget::Local(l) => {
            if !m.locals.contains_key(l) {
                return Err(Diagnostic::error(
                    "Reference to undeclared local value",
                    format!("A local value with the name {l:?} has not been declared."),
                )
                .with_subject(r.span));
            }
            node(NodeKind::Local(l.clone()))
        }
        RefTarget::Module(name, out) => {
            let Some(child) = tree.child(module, name) else {
                return Err(Diagnostic::error(
                    "Reference to undeclared module",
                    format!("No module call named {name:?} is declared in {}.", where_()),
                )
                .with_subject(r.span));
            };
            match out {
                Some(o) if tree.get(child).module.outputs.contains_key(o) => {
                    Some(Node { module: child, kind: NodeKind::Output(o.clone()) })
                }
                Some(o) => {
                    return Err(Diagnostic::error("Unsupported attribute", format!("This object does not have an attribute named {o:?}."))
                        .with_subject(r.span))
                }
                // The whole module object: the expansion node stands for it and
                // the caller adds every output.
                None => node(NodeKind::ModuleCall(name.clone())),
            }
        }
        RefTarget::Resource { data, type_name, name } => {
            let key = if *data { format!("data.{type_name}.{name}") } else { format!("{type_name}.{name}") };
            if !m.resources.contains_key(&key) {
                let what = if *data { "data resource" } else { "managed resource" };
                return Err(Diagnostic::error(
                    "Reference to undeclared resource",
                    format!("A {what} {type_name:?} {name:?} has not been declared in {}.", where_()),
                )
                .with_subject(r.span));
            }
            node(NodeKind::Resource(key))
        }
        RefTarget::Path(p) => {
            if !matches!(p.as_str(), "module" | "root" | "cwd") {
                return Err(Diagnostic::error(
                    "Invalid \"path\" attribute",
                    format!("The \"path\" object does not have an attribute named {p:?}. The supported attributes are path.cwd, path.module, and path.root."),
                )
                .with_subject(r.span));
            }
            None
        }
        RefTarget::Terraform(t) => {
            if t != "workspace" {
                return Err(Diagnostic::error(
                    "Invalid \"terraform\" attribute",
                    format!("The \"terraform\" object does not have an attribute named {t:?}. The only supported attribute is terraform.workspace, the name of the currently-selected workspace."),
                )
                .with_subject(r.span));
            }
            None
        }
        RefTarget::CountIndex | RefTarget::EachKey | RefTarget::EachValue | RefTarget::SelfRef => None,
    })
}

/// Builds the graph for the whole tree, reporting undeclared references and cycles.
pub fn build(tree: &ConfigTree) -> (Graph, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut nodes = Vec::new();
    for (id, mnode) in tree.modules.iter().enumerate() {
        let m = &mnode.module;
        nodes.extend(m.variables.keys().map(|k| Node { module: id, kind: NodeKind::Var(k.clone()) }));
        nodes.extend(m.locals.keys().map(|k| Node { module: id, kind: NodeKind::Local(k.clone()) }));
        nodes.extend(m.outputs.keys().map(|k| Node { module: id, kind: NodeKind::Output(k.clone()) }));
        nodes.extend(m.resources.keys().map(|k| Node { module: id, kind: NodeKind::Resource(k.clone()) }));
        nodes.extend(mnode.children.keys().map(|k| Node { module: id, kind: NodeKind::ModuleCall(k.clone()) }));
        nodes.extend((0..m.checks.len()).map(|i| Node { module: id, kind: NodeKind::Check(i) }));
    }
    let index: FastMap<Node, usize> = nodes.iter().cloned().enumerate().map(|(i, n)| (n, i)).collect();
    // Each node's references, resolved: this reads only the tree, so large
    // configurations spread it over the cores (`par::map` keeps node order,
    // and so the order of the diagnostics).
    let node_deps = |i: usize, n: &Node| -> (Vec<usize>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let add_refs =
            |module: ModuleId, e: &Expr, bound: &[String], deps_i: &mut Vec<usize>, diags: &mut Vec<Diagnostic>| match references_with(
                e, bound,
            ) {
                Ok(refs) => {
                    for r in refs {
                        match resolve(tree, module, &r) {
                            Ok(Some(target)) => {
                                // `module.x` as a whole also depends on all its outputs.
                                if let NodeKind::ModuleCall(name) = &target.kind {
                                    if let Some(child) = tree.child(module, name) {
                                        for o in tree.get(child).module.outputs.keys() {
                                            let on = Node { module: child, kind: NodeKind::Output(o.clone()) };
                                            deps_i.push(index[&on]);
                                        }
                                    }
                                }
                                if let NodeKind::Resource(key) = &target.kind {
                                    diags.extend(instance_key_check(tree, &target, key, &r));
                                }
                                if let Some(&t) = index.get(&target) {
                                    deps_i.push(t);
                                }
                            }
                            Ok(None) => {}
                            Err(d) => diags.push(d),
                        }
                    }
                }
                Err(d) => diags.push(d),
            };
        let mut d_i = Vec::new();
        let before = diags.len();
        for (e, bound) in node_exprs_scoped(tree, n) {
            add_refs(n.module, e, &bound, &mut d_i, &mut diags);
        }
        if diags.len() > before {
            if let Some(c) = node_context(tree, n) {
                for d in &mut diags[before..] {
                    if d.context.is_none() {
                        d.context = Some(c.clone());
                    }
                }
            }
        }
        // A child module's nodes depend on the call that expands the module,
        // and its variables on the call's argument expressions (parent scope).
        let mnode = tree.get(n.module);
        if let (Some(parent), Some(call_name)) = (mnode.parent, mnode.path.last()) {
            let call_node = Node { module: parent, kind: NodeKind::ModuleCall(call_name.clone()) };
            d_i.push(index[&call_node]);
            if let NodeKind::Var(v) = &n.kind {
                if let Some(call) = tree.get(parent).module.module_calls.get(call_name) {
                    for a in call.args.iter().filter(|a| &a.name.name == v) {
                        add_refs(parent, &a.expr, &[], &mut d_i, &mut diags);
                    }
                }
            }
        }
        // A variable's validation may refer to the variable itself; a
        // resource may not (but `depends_on` on itself is ignored).
        if matches!(n.kind, NodeKind::Var(_)) {
            d_i.retain(|&d| d != i);
        }
        diags.extend(misplaced_self(tree, n));
        if matches!(n.kind, NodeKind::Resource(_)) && d_i.contains(&i) {
            diags.extend(self_references(tree, n));
            d_i.retain(|&d| d != i);
        }
        d_i.sort_unstable();
        d_i.dedup();
        (d_i, diags)
    };
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(nodes.len());
    for (d_i, node_diags) in crate::par::map(&nodes, node_deps) {
        deps.push(d_i);
        diags.extend(node_diags);
    }
    // Arguments to a module call that the module does not declare.
    for (id, mnode) in tree.modules.iter().enumerate() {
        for (name, call) in &mnode.module.module_calls {
            let Some(child) = tree.child(id, name) else { continue };
            let cm = &tree.get(child).module;
            for a in &call.args {
                if !cm.variables.contains_key(&a.name.name) {
                    diags.push(
                        Diagnostic::error("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name))
                            .with_subject(a.name.span),
                    );
                }
            }
        }
    }
    let order = match toposort(tree, &nodes, &deps) {
        Ok(o) => o,
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    };
    (Graph { nodes, index, deps, order }, diags)
}

/// A reference to a resource with `count`/`for_each` must pick an instance
/// before reading an attribute; one to a resource without them must not.
fn instance_key_check(tree: &ConfigTree, target: &Node, key: &str, r: &Reference) -> Option<Diagnostic> {
    let rc = tree.get(target.module).module.resources.get(key)?;
    let addr = node_name(tree, target);
    let local = key;
    match (rc.count.is_some() || rc.for_each.is_some(), r.next) {
        (true, crate::refs::RefNext::Attr(span)) => {
            let (what, example) = if rc.count.is_some() { ("count", "count.index") } else { ("for_each", "each.key") };
            Some(
                Diagnostic::error(
                    "Missing resource instance key",
                    format!("Because {addr} has {what:?} set, its attributes must be accessed on specific instances.\n\nFor example, to correlate with indices of a referring resource, use:\n    {local}[{example}]"),
                )
                .with_subject(span),
            )
        }
        (false, crate::refs::RefNext::Index) => Some(
            Diagnostic::error(
                "Unexpected resource instance key",
                format!("Because {addr} does not have \"count\" or \"for_each\" set, references to it must not include an index key. Remove the bracketed index to refer to the single instance of this resource."),
            )
            .with_subject(r.span),
        ),
        _ => None,
    }
}

/// Terraform's errors for a resource whose configuration refers to the
/// resource itself: in its arguments, `count` or `for_each` a
/// "Self-referential block", in a condition an invalid reference (conditions
/// use `self`). `depends_on` and `replace_triggered_by` on itself are no
/// error: the edge is dropped.
fn self_references(tree: &ConfigTree, n: &Node) -> Vec<Diagnostic> {
    let NodeKind::Resource(key) = &n.kind else { return Vec::new() };
    let Some(rc) = tree.get(n.module).module.resources.get(key) else { return Vec::new() };
    let addr = node_name(tree, n);
    let context = node_context(tree, n).unwrap_or_default();
    let mut diags = Vec::new();
    let mut check = |e: &Expr, bound: &[String], summary: &str| {
        for r in references_with(e, bound).unwrap_or_default() {
            if matches!(resolve(tree, n.module, &r), Ok(Some(t)) if t == *n) {
                diags.push(
                    Diagnostic::error(summary, format!("Configuration for {addr} may not refer to itself."))
                        .with_subject(r.span)
                        .with_context(context.clone()),
                );
            }
        }
    };
    for e in rc.count.iter().chain(rc.for_each.iter()) {
        check(e, &[], "Self-referential block");
    }
    let mut scoped = Vec::new();
    body_exprs_scoped(&rc.config, &mut Vec::new(), &mut scoped);
    for (e, bound) in &scoped {
        check(e, bound, "Self-referential block");
    }
    for c in &rc.lifecycle.preconditions {
        check(&c.condition, &[], "Invalid reference in precondition");
        check(&c.error_message, &[], "Invalid reference in precondition");
    }
    for c in &rc.lifecycle.postconditions {
        check(&c.condition, &[], "Invalid reference in postcondition");
        check(&c.error_message, &[], "Invalid reference in postcondition");
    }
    diags
}

/// `self` outside the places it means something (a resource's
/// postconditions; provisioner and connection blocks, which plinth does not
/// keep): Terraform's "Invalid "self" reference".
fn misplaced_self(tree: &ConfigTree, n: &Node) -> Vec<Diagnostic> {
    let post: Vec<&Expr> = match &n.kind {
        NodeKind::Resource(key) => tree
            .get(n.module)
            .module
            .resources
            .get(key)
            .map(|rc| rc.lifecycle.postconditions.iter().flat_map(|c| [&c.condition, &c.error_message]).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let context = node_context(tree, n).unwrap_or_default();
    let mut diags = Vec::new();
    for (e, bound) in node_exprs_scoped(tree, n) {
        if post.iter().any(|p| std::ptr::eq(*p, e)) {
            continue;
        }
        for r in references_with(e, &bound).unwrap_or_default().into_iter().filter(|r| r.target == RefTarget::SelfRef) {
            diags.push(
                Diagnostic::error(
                    "Invalid \"self\" reference",
                    "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.",
                )
                .with_subject(r.span)
                .with_context(context.clone()),
            );
        }
    }
    diags
}

fn toposort(tree: &ConfigTree, nodes: &[Node], deps: &[Vec<usize>]) -> Result<Vec<usize>, Diagnostic> {
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), deps.iter().map(Vec::len).sum());
    let idx: Vec<NodeIndex> = (0..nodes.len()).map(|i| g.add_node(i)).collect();
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            g.add_edge(idx[d], idx[i], ());
        }
    }
    match petgraph::algo::toposort(&g, None) {
        Ok(order) => Ok(order.into_iter().map(|n| g[n]).collect()),
        Err(_) => {
            // Name every object in every cycle, as Terraform does.
            let mut names = Vec::new();
            for scc in petgraph::algo::tarjan_scc(&g) {
                let cyclic = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
                if cyclic {
                    names.extend(scc.iter().map(|n| node_name(tree, &nodes[g[*n]])));
                }
            }
            Err(Diagnostic::error(format!("Cycle: {}", names.join(", ")), ""))
        }
    }
}

/// A span for diagnostics about a node as a whole.
pub fn node_span(tree: &ConfigTree, n: &Node) -> Option<Span> {
    let m = &tree.get(n.module).module;
    match &n.kind {
        NodeKind::Var(v) => m.variables.get(v).map(|v| v.span),
        NodeKind::Local(l) => m.locals.get(l).map(|l| l.span),
        NodeKind::Output(o) => m.outputs.get(o).map(|o| o.span),
        NodeKind::Resource(r) => m.resources.get(r).map(|r| r.decl_span),
        NodeKind::ModuleCall(c) => m.module_calls.get(c).map(|c| c.decl_span),
        NodeKind::Check(i) => m.checks.get(*i).map(|c| c.span),
    }
}

/// The block a node is declared in, as diagnostics name it (`output "x"`).
pub fn node_context(tree: &ConfigTree, n: &Node) -> Option<String> {
    let m = &tree.get(n.module).module;
    match &n.kind {
        NodeKind::Var(v) => Some(format!("variable {v:?}")),
        NodeKind::Local(_) => Some("locals".into()),
        NodeKind::Output(o) => Some(format!("output {o:?}")),
        NodeKind::ModuleCall(c) => Some(format!("module {c:?}")),
        NodeKind::Check(i) => m.checks.get(*i).map(|c| format!("check {:?}", c.name)),
        NodeKind::Resource(r) => m.resources.get(r).map(|r| {
            let kw = if r.mode == plinth_config::ResourceMode::Data { "data" } else { "resource" };
            format!("{kw} {:?} {:?}", r.type_name, r.name)
        }),
    }
}
