//! Plans rendered in Terraform's form (`internal/command/jsonformat/plan.go`):
//! the symbol legend, `# addr will be created` comments with their reasons,
//! moved/imported/deferred notes, each resource's structural diff (see
//! [`super::diff`]), the `Plan:` summary, `Changes to Outputs:`, and the
//! "Objects have changed outside of plinth" report for drift.

use std::collections::BTreeMap;

use plinth_engine::plan::OutputChange;
use plinth_engine::{Action, Plan, PlanMode, ResourceChange};
use plinth_provider::BlockSchema;
use plinth_state::{ResourceMode, State};
use plinth_value::Value;

use super::diff::{self, attr_name, Act, Opts};
use super::{word_wrap, Paint};

/// Finds the schema of a change's resource type, when its provider is known.
pub type SchemaOf<'a, 's> = &'a dyn Fn(&ResourceChange) -> Option<&'s BlockSchema>;

/// The three-column gutter symbol of a resource action.
pub fn action_symbol(a: Action, p: &Paint) -> String {
    match a {
        Action::Create => format!("  {}", p.green("+")),
        Action::Update => format!("  {}", p.yellow("~")),
        Action::Delete => format!("  {}", p.red("-")),
        Action::DeleteThenCreate => format!("{}/{}", p.red("-"), p.green("+")),
        Action::CreateThenDelete => format!("{}/{}", p.green("+"), p.red("-")),
        Action::Read => format!(" {}", p.cyan("<=")),
        Action::Forget => format!("  {}", p.red(".")),
        Action::NoOp => "   ".into(),
    }
}

fn action_description(a: Action, p: &Paint) -> String {
    let word = match a {
        Action::Create => "create",
        Action::Update => "update in-place",
        Action::Delete => "destroy",
        Action::DeleteThenCreate => "destroy and then create replacement",
        Action::CreateThenDelete => "create replacement and then destroy",
        Action::Read => "read (data resources)",
        Action::Forget => "forget",
        Action::NoOp => "",
    };
    format!("{} {word}", action_symbol(a, p))
}

/// Why a change is shown: planned, or detected as drift by a refresh.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Proposed,
    Drift,
}

fn comment(c: &ResourceChange, cause: Cause, p: &Paint) -> String {
    let mut addr = c.addr.to_string();
    if let Some(d) = &c.deposed {
        addr = format!("{addr} (deposed object {d})");
    }
    let head = |rest: &str| format!("{}{rest}", p.bold(&format!("  # {addr}")));
    let replaced = format!("{}", p.bold(&p.red("replaced")));
    let mut out = String::new();
    let mut printed_moved = false;
    match c.action {
        Action::Create => out += &head(" will be created"),
        Action::Read => {
            out += &head(" will be read during apply");
            out += "\n  # (config refers to values not yet known)";
        }
        Action::Update if cause == Cause::Drift => out += &head(" has changed"),
        Action::Update => out += &head(" will be updated in-place"),
        Action::DeleteThenCreate | Action::CreateThenDelete => match c.reason.as_deref() {
            Some("because of replace_triggered_by") => out += &head(&format!(" will be {replaced} due to changes in replace_triggered_by")),
            Some("as requested") => out += &head(&format!(" will be {replaced}, as requested")),
            Some("tainted") => out += &head(&format!(" is tainted, so must be {replaced}")),
            _ => out += &head(&format!(" must be {replaced}")),
        },
        Action::Forget => {
            out += &format!("{} will no longer be managed by plinth, but {}", p.bold(&format!(" # {addr}")), p.bold(&p.red("will not be destroyed")));
            out += "\n # (destroy = false is set in the configuration)";
        }
        Action::Delete if cause == Cause::Drift => out += &head(" has been deleted"),
        Action::Delete => {
            out += &head(&format!(" will be {}", p.bold(&p.red("destroyed"))));
            if let Some(r) = &c.reason {
                out += &format!("\n  # ({r})");
            }
            if c.deposed.is_some() {
                out += "\n  # (left over from a partially-failed replacement of this instance)";
            }
        }
        Action::NoOp => match (&c.moved_from, &c.importing) {
            (Some(from), _) => {
                out += &format!("{} has moved to {}", p.bold(&format!("  # {from}")), p.bold(&c.addr.to_string()));
                printed_moved = true;
            }
            (None, Some(_)) => out += &head(" will be imported"),
            (None, None) => out += &head(""),
        },
    }
    out.push('\n');
    if let (Some(from), false) = (&c.moved_from, printed_moved) {
        out += &format!("  # (moved from {from})\n");
    }
    if let Some(id) = &c.importing {
        if c.action != Action::NoOp {
            out += &format!("  # (imported from \"{id}\")\n");
        }
        if c.action.is_replace() {
            out += &format!("  # {}\n", p.yellow("Warning: this will destroy the imported resource"));
        }
    }
    out
}

fn header(c: &ResourceChange) -> String {
    let r = &c.addr.resource.resource;
    let mode = if r.mode == ResourceMode::Data { "data" } else { "resource" };
    format!("{mode} \"{}\" \"{}\"", r.type_name, r.name)
}

/// One resource change: comment lines, then `+ resource "t" "n" { ... }`.
pub fn render_change(c: &ResourceChange, schema: Option<&BlockSchema>, cause: Cause, p: &Paint) -> String {
    let before = if c.action == Action::Create { None } else { c.before.as_ref() };
    let after = if matches!(c.action, Action::Delete | Action::Forget) { None } else { c.after.as_ref() };
    let d = diff::diff_resource(before, after, schema, &c.requires_replace);
    let opts = Opts { show_unchanged: c.importing.is_some(), ..Opts::default() };
    let mut out = String::new();
    if let Some(reason) = &c.deferred {
        let why = match reason.as_str() {
            "instance_count_unknown" => "because the number of resource instances is unknown",
            "resource_config_unknown" => "because the resource configuration is unknown",
            "provider_config_unknown" => "because the provider configuration is unknown",
            "deferred_prereq" => "because a prerequisite for this resource is deferred",
            "absent_prereq" => "because a prerequisite for this resource has not yet been created",
            _ => "for an unknown reason",
        };
        let until = c.reason.as_deref().map(|r| format!(", {r}")).unwrap_or_default();
        out += &format!("{} was deferred\n  # ({why}{until})\n", p.bold(&format!("  # {}", c.addr)));
    } else {
        out += &comment(c, cause, p);
    }
    out += &format!("{} {} {}", action_symbol(c.action, p), header(c), d.render(0, opts, p));
    out
}

fn shown(c: &ResourceChange) -> bool {
    !(c.action == Action::NoOp && c.moved_from.is_none() && c.importing.is_none())
        && !(c.action == Action::Delete && c.addr.resource.resource.mode != ResourceMode::Managed)
}

/// Everything `plan` prints after refreshing: the deferred note, the legend,
/// each change, the summary line and the output changes — or "No changes."
pub fn render(plan: &Plan, schema_of: SchemaOf<'_, '_>, p: &Paint) -> String {
    let mut out = String::new();
    let mut changes: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.deferred.is_none() && shown(c)).collect();
    changes.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
    let mut deferred: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.deferred.is_some() && shown(c)).collect();
    deferred.sort_by(|a, b| a.addr.cmp(&b.addr));
    let outputs = render_outputs(&plan.outputs, p);
    let mut counts: BTreeMap<Action, usize> = BTreeMap::new();
    for c in &changes {
        if c.action != Action::NoOp {
            *counts.entry(c.action).or_default() += 1;
        }
    }
    if changes.is_empty() && outputs.is_empty() {
        if !deferred.is_empty() {
            out += &format!("\n{} {}\n\n", p.bold(&p.green("No current changes.")), p.bold("This plan requires another plan to be applied first."));
        } else if plan.mode == PlanMode::Destroy {
            out += &format!("\n{} {}\n\n", p.bold(&p.green("No changes.")), p.bold("No objects need to be destroyed."));
            out += &word_wrap("Either you have not created any objects yet or the existing objects were already deleted outside of plinth.", 78);
            out.push('\n');
        } else {
            out += &format!("\n{} {}\n\n", p.bold(&p.green("No changes.")), p.bold("Your infrastructure matches the configuration."));
            out += &word_wrap("plinth has compared your real infrastructure against your configuration and found no differences, so no changes are needed.", 78);
            out.push('\n');
        }
    }
    if !deferred.is_empty() {
        out += &format!("\n{} {}\n", p.bold(&p.cyan("Note:")), p.bold("This is a partial plan, parts can only be known in the next plan / apply cycle."));
        for c in &deferred {
            out.push('\n');
            out += &render_change(c, schema_of(c), Cause::Proposed, p);
            out.push('\n');
        }
        out += &format!("{}\n", "─".repeat(78));
    }
    if !counts.is_empty() {
        out += "\n";
        out += &word_wrap("plinth used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:", 78);
        out.push('\n');
        for a in [Action::Create, Action::Update, Action::Delete, Action::DeleteThenCreate, Action::CreateThenDelete, Action::Read, Action::Forget] {
            if counts.contains_key(&a) {
                out += &format!("{}\n", action_description(a, p));
            }
        }
    }
    if !changes.is_empty() {
        out += "\nplinth will perform the following actions:\n";
        for c in &changes {
            out.push('\n');
            out += &render_change(c, schema_of(c), Cause::Proposed, p);
            out.push('\n');
        }
        out += &format!("\n{} {}\n", p.bold("Plan:"), summary_counts(plan));
    }
    if !outputs.is_empty() {
        out += &format!("\nChanges to Outputs:\n{outputs}\n");
        if counts.is_empty() {
            out += &word_wrap("\nYou can apply this plan to save these new output values to the plinth state, without changing any real infrastructure.", 78);
            out.push('\n');
        }
    }
    out
}

fn summary_counts(plan: &Plan) -> String {
    let (a, c, d) = plan.counts();
    let importing = plan.changes.iter().filter(|c| c.importing.is_some() && c.deferred.is_none()).count();
    let imp = if importing > 0 { format!("{importing} to import, ") } else { String::new() };
    format!("{imp}{a} to add, {c} to change, {d} to destroy.")
}

/// `Plan: 1 to add, 0 to change, 0 to destroy.`
pub fn summary(plan: &Plan) -> String {
    format!("Plan: {}", summary_counts(plan))
}

/// The diff of one root output.
pub fn output_diff(o: &OutputChange) -> diff::Diff {
    let mark = |v: &Option<Value>| v.clone().map(|v| if o.sensitive { v.sensitive() } else { v });
    let (b, a) = (mark(&o.before), mark(&o.after));
    diff::diff_dynamic(b.as_ref(), a.as_ref())
}

/// The lines under `Changes to Outputs:` (empty when none changed).
pub fn render_outputs(outputs: &BTreeMap<String, OutputChange>, p: &Paint) -> String {
    let w = outputs.keys().map(|k| attr_name(k).len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    for (name, o) in outputs {
        let d = output_diff(o);
        if d.act == Act::NoOp {
            continue;
        }
        lines.push(format!("{} {:<w$} = {}", diff::gutter(d.act, p), attr_name(name), d.render(0, Opts::default(), p)));
    }
    lines.join("\n")
}

/// Instances whose object changed outside plinth: the refreshed state
/// compared with the state before refreshing. Deleted objects appear as
/// deletions, changed ones as updates.
pub fn drift_changes(before: &State, after: &State, schema_of: SchemaOf<'_, '_>) -> Vec<ResourceChange> {
    let mut out = Vec::new();
    for addr in before.instance_addrs() {
        if addr.resource.resource.mode != ResourceMode::Managed {
            continue;
        }
        let Some(old) = before.current(&addr) else { continue };
        let new = after.current(&addr);
        if new.is_some_and(|n| n.attributes == old.attributes) {
            continue;
        }
        let provider_addr = before.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        let mut c = ResourceChange {
            addr: addr.clone(),
            deposed: None,
            provider: plinth_engine::walk::provider_name_from_addr(&provider_addr).unwrap_or_default(),
            provider_addr,
            action: if new.is_some() { Action::Update } else { Action::Delete },
            before: None,
            after: None,
            requires_replace: Vec::new(),
            node: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
            schema_version: old.schema_version,
            moved_from: None,
            reason: None,
            config: None,
            importing: None,
            deferred: None,
        };
        let ty = schema_of(&c).map(|s| s.implied_type()).unwrap_or(plinth_value::Type::Dynamic);
        let typed = |j: &serde_json::Value| match &ty {
            plinth_value::Type::Dynamic => plinth_value::value_from_json(j, &ty).ok(),
            _ => Some(plinth_engine::statevals::object_from_state(j, &ty)),
        };
        c.before = typed(&old.attributes);
        c.after = new.and_then(|n| typed(&n.attributes));
        out.push(c);
    }
    out
}

/// "Objects have changed outside of plinth", with each drifted object.
pub fn render_drift(drift: &[ResourceChange], schema_of: SchemaOf<'_, '_>, refresh_only: bool, p: &Paint) -> String {
    if drift.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{} {}\n\n", p.bold(&p.cyan("Note:")), p.bold("Objects have changed outside of plinth"));
    out += &word_wrap("plinth detected the following changes made outside of plinth since the last \"plinth apply\" which may have affected this plan:", 78);
    out.push('\n');
    for c in drift {
        out.push('\n');
        out += &render_change(c, schema_of(c), Cause::Drift, p);
        out.push('\n');
    }
    out.push('\n');
    let tail = if refresh_only {
        "This is a refresh-only plan, so plinth will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the plinth state without changing any remote objects."
    } else {
        "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
    };
    out += &word_wrap(tail, 78);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
