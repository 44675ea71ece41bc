//! `moved` blocks, as Terraform applies them to the prior state before
//! planning: statements of every module (relative to each of its instances in
//! state) are checked — two moves to one address are ambiguous, chains must
//! not form a cycle — then applied in chain order, so an object moved
//! `a → b` and `b → c` ends at `c` with `a` as its previous address. A move
//! whose destination already holds an object is not made (Terraform's
//! "Unresolved resource instance address changes" warning); the object stays
//! and, having left the configuration, is planned for deletion. After the
//! walk, [`check_still_declared`] reports moves from addresses the
//! configuration still declares.

use petgraph::graph::DiGraph;
use plinth_state::addr::ModuleStep;
use plinth_state::{AbsResourceInstance, InstanceKey, ModuleInstance, State, Target};
use plinth_syntax::{Diagnostic, Span};

use crate::plan::ResourceChange;
use crate::tree::{ConfigTree, ModuleId};
use crate::walk::Context;
use crate::FastMap;

/// One `moved` statement, made absolute for one module instance.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    pub from: Target,
    pub to: Target,
    /// The module whose configuration declares the statement.
    pub module: ModuleId,
    pub span: Span,
}

/// What applying the statements did.
#[derive(Default)]
pub(crate) struct Moves {
    /// New address → the address the object had before any move.
    pub moved_from: FastMap<AbsResourceInstance, String>,
    pub statements: Vec<Statement>,
}

/// Reads, checks and applies every `moved` block to `state`.
pub(crate) fn apply_moved(ctx: &Context<'_>, state: &mut State, diags: &mut Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) -> Moves {
    let mut out = Moves::default();
    let stmts = statements(ctx.tree, state, diags);
    if stmts.is_empty() || diags.iter().any(Diagnostic::is_error) {
        return out;
    }
    // Two statements moving to one address are ambiguous.
    for (j, b) in stmts.iter().enumerate() {
        if let Some(a) = stmts[..j].iter().find(|a| a.to == b.to && a.from != b.from) {
            diags.push(
                Diagnostic::error(
                    "Ambiguous move statements",
                    format!(
                        "A statement at {} declared that {} moved to {}, but this statement instead declares that {} moved there.\n\nEach {} can have moved from only one source {}.",
                        pos_ref(ctx, a.span),
                        a.from,
                        a.to,
                        b.from,
                        kind_word(&b.to),
                        kind_word(&b.to)
                    ),
                )
                .with_subject(b.span),
            );
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return out;
    }
    // Statement i comes before j when j moves on from where i moved to.
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..stmts.len()).map(|i| g.add_node(i)).collect();
    for (i, a) in stmts.iter().enumerate() {
        for (j, b) in stmts.iter().enumerate() {
            if i != j && chains(&a.to, &b.from) {
                g.add_edge(nodes[i], nodes[j], ());
            }
        }
    }
    let order = match petgraph::algo::toposort(&g, None) {
        Ok(o) => o.into_iter().map(|n| g[n]).collect::<Vec<_>>(),
        Err(_) => {
            let mut lines = Vec::new();
            for scc in petgraph::algo::tarjan_scc(&g) {
                if scc.len() > 1 {
                    let mut members: Vec<usize> = scc.iter().map(|n| g[*n]).collect();
                    members.sort_unstable();
                    for m in members {
                        let s = &stmts[m];
                        lines.push(format!("  - {}: {} → {}", pos_ref(ctx, s.span), endpoint(&s.from), endpoint(&s.to)));
                    }
                }
            }
            diags.push(Diagnostic::error(
                "Cyclic dependency in move statements",
                format!(
                    "The following chained move statements form a cycle, and so there is no final location to move objects to:\n{}\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.",
                    lines.join("\n")
                ),
            ));
            return out;
        }
    };
    let mut blocked = Vec::new();
    for i in order {
        let s = &stmts[i];
        if let Some(d) = kind_error(s) {
            diags.push(d);
            continue;
        }
        let matching: Vec<AbsResourceInstance> = state.instance_addrs().filter(|a| destination(s, a).is_some()).collect();
        for from in matching {
            let to = destination(s, &from).expect("matched above");
            if state.instance(&to).is_some() {
                blocked.push(format!("  - {from} could not move to {to}"));
                continue;
            }
            if state.move_instance(&from, &to).is_ok() {
                let original = out.moved_from.remove(&from).unwrap_or_else(|| from.to_string());
                out.moved_from.insert(to, original);
            }
        }
    }
    if !blocked.is_empty() {
        warnings.push(Diagnostic::warning(
            "Unresolved resource instance address changes",
            format!(
                "plinth tried to adjust resource instance addresses in the prior state based on change information recorded in the configuration, but some adjustments did not succeed due to existing objects already at the intended addresses:\n{}\n\nplinth has planned to destroy these objects. If plinth's proposed changes aren't appropriate, you must first resolve the conflicts using the \"plinth state\" subcommands and then create a new plan.",
                blocked.join("\n")
            ),
        ));
    }
    out.statements = stmts;
    out
}

/// Every module's `moved` statements, absolute: a child module's once for
/// each of its instances in state.
fn statements(tree: &ConfigTree, state: &State, diags: &mut Vec<Diagnostic>) -> Vec<Statement> {
    let mut out = Vec::new();
    for (id, node) in tree.modules.iter().enumerate() {
        if node.module.moved.is_empty() {
            continue;
        }
        // The module instances this module has in state (the root always).
        let instances: Vec<ModuleInstance> = if node.path.is_empty() {
            vec![ModuleInstance::root()]
        } else {
            let mut v: Vec<ModuleInstance> = state
                .modules()
                .filter_map(|(m, _)| {
                    let steps = m.steps();
                    (steps.len() >= node.path.len() && steps.iter().zip(&node.path).all(|(s, p)| s.name == *p))
                        .then(|| ModuleInstance::new(steps[..node.path.len()].to_vec()))
                })
                .collect();
            v.sort();
            v.dedup();
            v
        };
        for m in &node.module.moved {
            let (Some(from), Some(to)) = (crate::traversal_text(&m.from), crate::traversal_text(&m.to)) else {
                diags.push(
                    Diagnostic::error("Invalid \"moved\" address", "The \"from\" and \"to\" addresses must be static references.")
                        .with_subject(m.span),
                );
                continue;
            };
            let (Ok(ft), Ok(tt)) = (from.parse::<Target>(), to.parse::<Target>()) else {
                diags.push(
                    Diagnostic::error("Invalid \"moved\" address", format!("Cannot parse {from:?} or {to:?} as an address."))
                        .with_subject(m.span),
                );
                continue;
            };
            for inst in &instances {
                out.push(Statement { from: prefixed(&ft, inst), to: prefixed(&tt, inst), module: id, span: m.span });
            }
        }
    }
    out
}

fn prefixed(t: &Target, m: &ModuleInstance) -> Target {
    let join = |inner: &ModuleInstance| {
        let mut steps: Vec<ModuleStep> = m.steps().to_vec();
        steps.extend_from_slice(inner.steps());
        ModuleInstance::new(steps)
    };
    match t {
        Target::Module(x) => Target::Module(join(x)),
        Target::Resource(r) => {
            let mut r = r.clone();
            r.module = join(&r.module);
            Target::Resource(r)
        }
        Target::Instance(i) => {
            let mut i = i.clone();
            i.resource.module = join(&i.resource.module);
            Target::Instance(i)
        }
    }
}

/// Whether a statement moving to `to` is followed by one moving from
/// `from`: the same address, or one inside it.
fn chains(to: &Target, from: &Target) -> bool {
    match (to, from) {
        (Target::Module(a), Target::Module(b)) => a.contains(b),
        (Target::Module(a), Target::Resource(r)) => a.contains(&r.module),
        (Target::Module(a), Target::Instance(i)) => a.contains(&i.resource.module),
        (Target::Resource(a), Target::Resource(b)) => a == b,
        (Target::Resource(a), Target::Instance(i)) => i.resource == *a,
        (Target::Instance(a), Target::Instance(b)) => a == b,
        (Target::Instance(a), Target::Resource(r)) => a.resource == *r && a.key.is_none(),
        _ => false,
    }
}

/// Where statement `s` moves the object at `a`, if it applies to it.
fn destination(s: &Statement, a: &AbsResourceInstance) -> Option<AbsResourceInstance> {
    match (&s.from, &s.to) {
        (Target::Module(f), Target::Module(t)) => {
            let module = a.resource.module.reparent(f, t)?;
            let mut to = a.clone();
            to.resource.module = module;
            Some(to)
        }
        (Target::Resource(f), Target::Resource(t)) if a.resource == *f => Some(t.instance(a.key.clone())),
        (Target::Resource(f), Target::Instance(t)) if *a == f.instance(InstanceKey::None) => Some(t.clone()),
        (Target::Instance(f), Target::Instance(t)) if a == f => Some(t.clone()),
        (Target::Instance(f), Target::Resource(t)) if a == f => Some(t.instance(InstanceKey::None)),
        _ => None,
    }
}

/// A statement between different kinds of objects, or resource types.
fn kind_error(s: &Statement) -> Option<Diagnostic> {
    let res = |t: &Target| match t {
        Target::Module(_) => None,
        Target::Resource(r) => Some(r.resource.clone()),
        Target::Instance(i) => Some(i.resource.resource.clone()),
    };
    match (res(&s.from), res(&s.to)) {
        (None, None) => None,
        (Some(a), Some(b)) if a.mode == b.mode && a.type_name == b.type_name => None,
        (Some(_), Some(_)) => Some(
            Diagnostic::error(
                "Resource type mismatch",
                format!("This statement declares a move from {} to {}, which is a resource of a different type.", s.from, s.to),
            )
            .with_subject(s.span),
        ),
        _ => Some(
            Diagnostic::error(
                "Invalid \"moved\" addresses",
                format!("Cannot move {} to {}: the source and destination must be of the same kind (module or resource).", s.from, s.to),
            )
            .with_subject(s.span),
        ),
    }
}

/// Terraform's errors for statements whose `from` the configuration still
/// declares: a resource or module call by its block, an instance when the
/// walk planned it (`changes`, after the walk).
pub(crate) fn check_still_declared(ctx: &Context<'_>, moves: &Moves, changes: &[ResourceChange], diags: &mut Vec<Diagnostic>) {
    let mut reported: Vec<Span> = Vec::new();
    for s in &moves.statements {
        if reported.contains(&s.span) {
            continue;
        }
        let module = &ctx.tree.get(s.module).module;
        // The part of `from` inside the declaring module.
        let depth = ctx.tree.get(s.module).path.len();
        let declared: Option<(&str, Span)> = match (&s.from, &s.to) {
            (Target::Resource(r), Target::Resource(_) | Target::Module(_)) => {
                module.resources.get(&local_key(&r.resource)).map(|rc| ("resource", rc.decl_span))
            }
            (Target::Resource(r), Target::Instance(_)) => module
                .resources
                .get(&local_key(&r.resource))
                .filter(|rc| rc.count.is_none() && rc.for_each.is_none())
                .map(|rc| ("resource", rc.decl_span)),
            (Target::Instance(i), _) => {
                let planned = changes.iter().any(|c| c.node.is_some() && c.addr == *i);
                module.resources.get(&local_key(&i.resource.resource)).filter(|_| planned).map(|rc| ("resource instance", rc.decl_span))
            }
            (Target::Module(m), _) => {
                let steps = &m.steps()[depth.min(m.steps().len())..];
                match steps {
                    [only] => module.module_calls.get(&only.name).and_then(|call| {
                        let declared = match &only.key {
                            InstanceKey::None => call.count.is_none() && call.for_each.is_none(),
                            _ => changes.iter().any(|c| c.node.is_some() && m.contains(&c.addr.resource.module)),
                        };
                        declared.then_some(("module call", call.decl_span))
                    }),
                    _ => None,
                }
            }
        };
        if let Some((what, at)) = declared {
            reported.push(s.span);
            diags.push(
                Diagnostic::error(
                    "Moved object still exists",
                    format!(
                        "This statement declares a move from {}, but that {what} is still declared at {}.\n\nChange your configuration so that this {what} will be declared as {} instead.",
                        s.from,
                        pos_ref(ctx, at),
                        s.to
                    ),
                )
                .with_subject(s.span),
            );
        }
    }
}

/// `type.name` / `data.type.name`: a resource's key in its module.
fn local_key(r: &plinth_state::Resource) -> String {
    match r.mode {
        plinth_state::ResourceMode::Data => format!("data.{}.{}", r.type_name, r.name),
        plinth_state::ResourceMode::Managed => format!("{}.{}", r.type_name, r.name),
    }
}

fn kind_word(t: &Target) -> &'static str {
    match t {
        Target::Module(_) => "module",
        Target::Resource(_) => "resource",
        Target::Instance(_) => "resource instance",
    }
}

/// A statement's endpoint as Terraform lists it in a cycle: a whole
/// resource or module with `[*]`.
fn endpoint(t: &Target) -> String {
    match t {
        Target::Instance(i) => i.to_string(),
        other => format!("{other}[*]"),
    }
}

/// `file:line,column` of a span's start, as Terraform cites declarations.
fn pos_ref(ctx: &Context<'_>, s: Span) -> String {
    if ctx.files.get(s.file).is_none() {
        return String::from("(unknown)");
    }
    let p = ctx.files.pos(s.file, s.start as usize);
    format!("{}:{},{}", ctx.files.name(s.file), p.line, p.column)
}
