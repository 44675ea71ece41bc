//! The plan: what would change, per resource instance and root output.

use std::collections::BTreeMap;

use plinth_provider::Path;
use plinth_state::{AbsResourceInstance, State};
use plinth_syntax::Diagnostic;
use plinth_value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
    /// Removed from state without destroying (a `removed` block with `destroy = false`).
    Forget,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
    pub fn creates(self) -> bool {
        matches!(self, Action::Create) || self.is_replace()
    }
    pub fn deletes(self) -> bool {
        matches!(self, Action::Delete) || self.is_replace()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanMode {
    Normal,
    Destroy,
    RefreshOnly,
}

#[derive(Clone, Debug)]
pub struct ResourceChange {
    pub addr: AbsResourceInstance,
    /// `Some` for a deposed object of a create_before_destroy replacement.
    pub deposed: Option<String>,
    /// The provider's local name (`aws`, `terraform`), used to find it.
    pub provider: String,
    /// The provider's address as written in state.
    pub provider_addr: String,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub requires_replace: Vec<Path>,
    /// Graph node of the resource's configuration; `None` for orphans.
    pub node: Option<usize>,
    pub dependencies: Vec<String>,
    pub create_before_destroy: bool,
    pub schema_version: u64,
    pub moved_from: Option<String>,
    /// Why, when it is not obvious (`because no longer in configuration`).
    pub reason: Option<String>,
    pub config: Option<Value>,
    /// The import ID when this change imports an existing object.
    pub importing: Option<String>,
    /// Why this change was deferred to a later plan (Terraform's JSON reason
    /// codes: `instance_count_unknown`, `resource_config_unknown`, …); deferred
    /// changes are shown but neither counted nor applied.
    pub deferred: Option<String>,
}

#[derive(Clone, Debug)]
pub struct OutputChange {
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

pub struct Plan {
    pub mode: PlanMode,
    pub changes: Vec<ResourceChange>,
    pub outputs: BTreeMap<String, OutputChange>,
    /// The state the plan was made against, after refresh and `moved` blocks.
    pub prior_state: State,
    pub warnings: Vec<Diagnostic>,
    /// Root input variable values the plan was made with.
    pub variables: BTreeMap<String, Value>,
    /// Instances `import` blocks brought into `prior_state`.
    pub imports: Vec<AbsResourceInstance>,
    /// What `-target` / `-exclude` selected (`None`: everything). Apply walks
    /// only the selected nodes and keeps the other outputs as they were.
    pub selection: Option<crate::targeting::Selection>,
    /// Resources whose `count`/`for_each` was unknown when planning: the only
    /// instances apply may create without a planned change (README, "Deferred
    /// changes").
    pub unknown_expansions: Vec<plinth_state::AbsResource>,
}

impl Plan {
    /// `(add, change, destroy)` as in `Plan: X to add, Y to change, Z to destroy.`
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut add, mut change, mut destroy) = (0, 0, 0);
        for c in self.changes.iter().filter(|c| c.deferred.is_none()) {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1
                }
                Action::NoOp | Action::Read | Action::Forget => {}
            }
        }
        (add, change, destroy)
    }

    /// Whether `-target` or `-exclude` narrowed this plan (it may then not
    /// hold every change the configuration calls for).
    pub fn targeted(&self) -> bool {
        self.selection.is_some()
    }

    pub fn has_resource_changes(&self) -> bool {
        self.changes.iter().any(|c| c.deferred.is_none() && !matches!(c.action, Action::NoOp | Action::Read))
    }

    /// Instances that only move to a new address.
    pub fn has_moves(&self) -> bool {
        self.changes.iter().any(|c| c.moved_from.is_some())
    }

    pub fn has_output_changes(&self) -> bool {
        self.outputs.values().any(|o| match (&o.before, &o.after) {
            (Some(b), Some(a)) => {
                let (a, _) = a.clone().unmark_deep();
                let (b, _) = b.clone().unmark_deep();
                !(a.is_wholly_known() && b.raw_equal(&a))
            }
            (None, None) => false,
            // Null outputs are not stored, so a null one is unchanged.
            (None, Some(a)) => !a.is_null(),
            _ => true,
        })
    }

    pub fn has_changes(&self) -> bool {
        self.has_resource_changes() || self.has_output_changes() || self.has_moves() || !self.imports.is_empty()
    }
}
