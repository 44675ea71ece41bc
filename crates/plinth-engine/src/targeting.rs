//! `-target` and `-exclude` as operations on the static graph, with
//! Terraform's and OpenTofu's rules:
//!
//! - `-target` (plan, apply): the targeted resources plus everything they
//!   depend on (references, `depends_on`, module calls and their arguments,
//!   transitively); outputs and locals whose every dependency is in that set
//!   come along (Terraform's "target downstream" nodes), nothing else;
//! - `-target` when destroying: the targeted objects plus everything that
//!   depends on them, by configuration and by the `dependencies` state records;
//! - `-exclude` (OpenTofu): everything but the excluded objects and what
//!   depends on them; when destroying, everything but the excluded objects and
//!   what they depend on (destroying those would break the kept objects).
//!
//! Resource nodes are per module, not per instance: a target that names one
//! instance (`x[1]`, `module.m["a"]`) selects its node for only the instances
//! it matches ([`Filter`]); what the node depends on is selected whole.

use plinth_state::{AbsResource, AbsResourceInstance, InstanceKey, ModuleInstance, State, Target};

use crate::graph::{Graph, Node, NodeKind};
use crate::plan::PlanMode;
use crate::tree::{ConfigTree, ModuleId};
use crate::{FastMap, FastSet};

/// Which part of the configuration a targeted or excluding plan covers.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Per graph node: whether the plan walks it. Destroy plans walk every
    /// node (expansions still need values) and select by instance instead.
    pub nodes: Vec<bool>,
    /// Walked resource nodes whose instances are not all in the plan.
    pub filters: FastMap<usize, Filter>,
    /// Destroy plans: the instances to destroy.
    pub destroy: Option<FastSet<AbsResourceInstance>>,
    /// Whether `-exclude` (rather than `-target`) made this selection.
    pub excluding: bool,
}

#[derive(Clone, Debug)]
pub enum Filter {
    /// Only instances matching one of these.
    Only(Vec<Target>),
    /// All instances except those matching one of these.
    Except(Vec<Target>),
}

impl Filter {
    fn admits(&self, addr: &AbsResourceInstance) -> bool {
        match self {
            Filter::Only(ts) => ts.iter().any(|t| matches(t, addr)),
            Filter::Except(ts) => !ts.iter().any(|t| matches(t, addr)),
        }
    }
}

/// Whether module path `t` (from a target) is `m` or an ancestor of it. A
/// step without a key matches every instance of that call, as `-target=module.m`
/// targets every instance of a counted module.
fn module_prefix(t: &ModuleInstance, m: &ModuleInstance) -> bool {
    t.steps().len() <= m.steps().len()
        && t.steps().iter().zip(m.steps()).all(|(a, b)| a.name == b.name && (a.key == InstanceKey::None || a.key == b.key))
}

fn same_resource(t: &AbsResource, r: &AbsResource) -> bool {
    t.resource == r.resource && t.module.steps().len() == r.module.steps().len() && module_prefix(&t.module, &r.module)
}

/// Whether target `t` names `addr` (or a module or resource containing it).
pub fn matches(t: &Target, addr: &AbsResourceInstance) -> bool {
    match t {
        Target::Module(m) => module_prefix(m, &addr.resource.module),
        Target::Resource(r) => same_resource(r, &addr.resource),
        Target::Instance(i) => i.key == addr.key && same_resource(&i.resource, &addr.resource),
    }
}

/// How target `t` names resource node `n`: `None` when it does not, `Some(true)`
/// when it names every instance of it, `Some(false)` when only some.
fn names_node(tree: &ConfigTree, n: &Node, t: &Target) -> Option<bool> {
    let NodeKind::Resource(key) = &n.kind else { return None };
    let path = &tree.get(n.module).path;
    let keyless = |m: &ModuleInstance| m.steps().iter().all(|s| s.key == InstanceKey::None);
    let names = |m: &ModuleInstance, exact: bool| {
        let steps = m.steps();
        (if exact { steps.len() == path.len() } else { steps.len() <= path.len() }) && steps.iter().zip(path).all(|(s, p)| s.name == *p)
    };
    match t {
        Target::Module(m) => names(m, false).then(|| keyless(m)),
        Target::Resource(r) => (names(&r.module, true) && r.resource.to_string() == *key).then(|| keyless(&r.module)),
        Target::Instance(i) => (names(&i.resource.module, true) && i.resource.resource.to_string() == *key).then_some(false),
    }
}

/// The module of the configuration an instance address belongs to.
fn module_of(tree: &ConfigTree, m: &ModuleInstance) -> Option<ModuleId> {
    let mut id = 0;
    for s in m.steps() {
        id = tree.child(id, &s.name)?;
    }
    Some(id)
}

/// The graph node of the resource `r` belongs to, if configuration still has it.
pub fn node_of(tree: &ConfigTree, graph: &Graph, r: &AbsResource) -> Option<usize> {
    let module = module_of(tree, &r.module)?;
    graph.index.get(&Node { module, kind: NodeKind::Resource(r.resource.to_string()) }).copied()
}

fn dependents(graph: &Graph) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); graph.nodes.len()];
    for (i, ds) in graph.deps.iter().enumerate() {
        for &d in ds {
            out[d].push(i);
        }
    }
    out
}

/// Marks `start` and everything reachable from it along `edges`.
fn reach(edges: &[Vec<usize>], start: impl IntoIterator<Item = usize>, seen: &mut [bool]) {
    let mut stack: Vec<usize> = start.into_iter().collect();
    while let Some(x) = stack.pop() {
        if std::mem::replace(&mut seen[x], true) {
            continue;
        }
        stack.extend(edges[x].iter().copied());
    }
}

impl Selection {
    /// The selection `targets` / `excludes` make; `None` when there are neither.
    pub fn new(
        tree: &ConfigTree,
        graph: &Graph,
        state: &State,
        mode: PlanMode,
        targets: &[Target],
        excludes: &[Target],
    ) -> Option<Selection> {
        if targets.is_empty() && excludes.is_empty() {
            return None;
        }
        let excluding = targets.is_empty();
        let given = if excluding { excludes } else { targets };
        let n = graph.nodes.len();
        // Resource nodes the given addresses name, whole or in part.
        let mut whole = vec![false; n];
        let mut part: FastMap<usize, Vec<Target>> = FastMap::default();
        for (i, node) in graph.nodes.iter().enumerate() {
            for t in given {
                match names_node(tree, node, t) {
                    Some(true) => whole[i] = true,
                    Some(false) => part.entry(i).or_default().push(t.clone()),
                    None => {}
                }
            }
        }
        let hit: Vec<usize> = (0..n).filter(|&i| whole[i] || part.contains_key(&i)).collect();
        let down = dependents(graph);
        if mode == PlanMode::Destroy {
            let destroy = destroy_set(tree, graph, state, &down, given, &hit, excluding);
            return Some(Selection { nodes: vec![true; n], filters: FastMap::default(), destroy: Some(destroy), excluding });
        }
        let mut nodes = vec![false; n];
        let mut filters = FastMap::default();
        if excluding {
            // Everything that depends on an excluded node is excluded too.
            let mut out = vec![false; n];
            reach(&down, hit.iter().flat_map(|&i| down[i].iter().copied()), &mut out);
            for &i in &hit {
                if whole[i] {
                    out[i] = true;
                }
            }
            for i in 0..n {
                nodes[i] = !out[i];
            }
            for (i, ts) in part {
                if nodes[i] {
                    filters.insert(i, Filter::Except(ts));
                }
            }
        } else {
            // What the targets depend on, whole.
            let mut up = vec![false; n];
            reach(&graph.deps, hit.iter().flat_map(|&i| graph.deps[i].iter().copied()), &mut up);
            for i in 0..n {
                nodes[i] = up[i] || whole[i] || part.contains_key(&i);
            }
            for (i, ts) in part {
                if !up[i] && !whole[i] {
                    filters.insert(i, Filter::Only(ts));
                }
            }
            // Outputs, locals and module variables all of whose dependencies
            // are selected, transitively through other such nodes.
            let downstream = |k: &NodeKind| matches!(k, NodeKind::Output(_) | NodeKind::Local(_) | NodeKind::Var(_));
            let mut queue: Vec<usize> = (0..n).filter(|&i| nodes[i]).collect();
            while let Some(x) = queue.pop() {
                for &d in &down[x] {
                    if !nodes[d] && downstream(&graph.nodes[d].kind) && graph.deps[d].iter().all(|&y| nodes[y]) {
                        nodes[d] = true;
                        queue.push(d);
                    }
                }
            }
        }
        Some(Selection { nodes, filters, destroy: None, excluding })
    }

    /// Whether the plan covers the instance at `addr` (planned at `node`, or
    /// an orphan when `node` is `None`).
    pub fn admits(&self, tree: &ConfigTree, graph: &Graph, node: Option<usize>, addr: &AbsResourceInstance, given: &[Target]) -> bool {
        if let Some(d) = &self.destroy {
            return d.contains(addr);
        }
        let node = node.or_else(|| node_of(tree, graph, &addr.resource));
        match node {
            Some(i) => self.nodes[i] && self.filters.get(&i).is_none_or(|f| f.admits(addr)),
            // Gone from configuration: what an address names directly.
            None if self.excluding => !given.iter().any(|t| matches(t, addr)),
            None => given.iter().any(|t| matches(t, addr)),
        }
    }
}

/// The instances a targeted (or excluding) destroy removes.
fn destroy_set(
    tree: &ConfigTree,
    graph: &Graph,
    state: &State,
    down: &[Vec<usize>],
    given: &[Target],
    hit: &[usize],
    excluding: bool,
) -> FastSet<AbsResourceInstance> {
    let n = graph.nodes.len();
    let all: Vec<AbsResourceInstance> =
        state.instance_addrs().filter(|a| a.resource.resource.mode == plinth_state::ResourceMode::Managed).collect();
    // By configuration: the nodes reachable from the named ones, towards
    // dependents (targeting) or dependencies (excluding).
    let edges: &[Vec<usize>] = if excluding { &graph.deps } else { down };
    let mut by_config = vec![false; n];
    reach(edges, hit.iter().flat_map(|&i| edges[i].iter().copied()), &mut by_config);
    let mut picked: FastSet<AbsResourceInstance> = all
        .iter()
        .filter(|a| given.iter().any(|t| matches(t, a)) || node_of(tree, graph, &a.resource).is_some_and(|i| by_config[i]))
        .cloned()
        .collect();
    // By state: `dependencies` records, to a fixed point.
    let deps_of = |a: &AbsResourceInstance| state.current(a).map(|o| o.dependencies.clone()).unwrap_or_default();
    loop {
        let resources: FastSet<String> = picked.iter().map(|a| a.resource.to_string()).collect();
        let before = picked.len();
        for a in &all {
            if picked.contains(a) {
                continue;
            }
            let pick = if excluding {
                // a is something a kept object depends on
                picked.iter().any(|k| deps_of(k).contains(&a.resource.to_string()))
            } else {
                deps_of(a).iter().any(|d| resources.contains(d))
            };
            if pick {
                picked.insert(a.clone());
            }
        }
        if picked.len() == before {
            break;
        }
    }
    if excluding {
        all.into_iter().filter(|a| !picked.contains(a)).collect()
    } else {
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        s.parse().unwrap()
    }
    fn a(s: &str) -> AbsResourceInstance {
        s.parse().unwrap()
    }

    #[test]
    fn keyless_module_steps_match_every_instance() {
        assert!(matches(&t("module.m"), &a("module.m[\"q\"].terraform_data.x")));
        assert!(matches(&t("module.m[\"q\"]"), &a("module.m[\"q\"].terraform_data.x")));
        assert!(!matches(&t("module.m[\"p\"]"), &a("module.m[\"q\"].terraform_data.x")));
        assert!(matches(&t("module.m.terraform_data.x"), &a("module.m[1].terraform_data.x[0]")));
        assert!(!matches(&t("terraform_data.x"), &a("module.m.terraform_data.x")));
        assert!(matches(&t("terraform_data.x[1]"), &a("terraform_data.x[1]")));
        assert!(!matches(&t("terraform_data.x[1]"), &a("terraform_data.x[2]")));
        assert!(!matches(&t("module.mm"), &a("module.m.terraform_data.x")));
    }
}
