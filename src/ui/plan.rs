//! Plans rendered in Terraform's form (`internal/command/jsonformat/plan.go`):
//! the symbol legend, `# addr will be created` comments with their reasons,
//! moved/imported/deferred notes, each resource's structural diff (see
//! [`super::diff`]), the `Plan:` summary, `Changes to Outputs:`, and the
//! "Objects have changed outside of plinth" report for drift.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use plinth_engine::plan::OutputChange;
use plinth_engine::{Action, Plan, PlanMode, ResourceChange};
use plinth_provider::BlockSchema;
use plinth_state::{ResourceMode, State};
use plinth_value::Value;

use super::diff::{self, attr_name, Act, Opts};
use super::{word_wrap, Paint};

/// Finds the schema of a change's resource type, when its provider is known
/// (`Sync`: many changes are rendered on several threads).
pub type SchemaOf<'a, 's> = &'a (dyn Fn(&ResourceChange) -> Option<&'s BlockSchema> + Sync);

/// The three-column gutter symbol of a resource action.
pub fn action_symbol(a: Action, p: &Paint) -> Cow<'static, str> {
    match a {
        Action::Create => p.spaced(Paint::green, "  +"),
        Action::Update => p.spaced(Paint::yellow, "  ~"),
        Action::Delete => p.spaced(Paint::red, "  -"),
        Action::DeleteThenCreate => format!("{}/{}", p.red("-"), p.green("+")).into(),
        Action::CreateThenDelete => format!("{}/{}", p.green("+"), p.red("-")).into(),
        Action::Read => p.spaced(Paint::cyan, " <="),
        Action::Forget => p.spaced(Paint::red, "  ."),
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

/// The `# addr will be created` lines above a change.
fn comment(out: &mut String, c: &ResourceChange, cause: Cause, p: &Paint) {
    let deposed = c.deposed.as_ref().map(|d| format!(" (deposed object {d})")).unwrap_or_default();
    // `  # addr` in bold, then `rest`.
    let head = |out: &mut String, rest: std::fmt::Arguments| {
        p.bold_to(out, format_args!("  # {}{deposed}", c.addr));
        let _ = out.write_fmt(rest);
    };
    let mut printed_moved = false;
    match c.action {
        Action::Create => head(out, format_args!(" will be created")),
        Action::Read => {
            head(out, format_args!(" will be read during apply"));
            if c.reason.as_deref() == Some("because of depends_on") {
                out.push_str("\n  # (depends on a resource or a module with changes pending)");
            } else {
                out.push_str("\n  # (config refers to values not yet known)");
            }
        }
        Action::Update if cause == Cause::Drift => head(out, format_args!(" has changed")),
        Action::Update => head(out, format_args!(" will be updated in-place")),
        Action::DeleteThenCreate | Action::CreateThenDelete => {
            let red = p.red("replaced");
            let replaced = p.bold(&red);
            match c.reason.as_deref() {
                Some("because of replace_triggered_by") => {
                    head(out, format_args!(" will be {replaced} due to changes in replace_triggered_by"))
                }
                Some("as requested") => head(out, format_args!(" will be {replaced}, as requested")),
                Some("tainted") => head(out, format_args!(" is tainted, so must be {replaced}")),
                _ => head(out, format_args!(" must be {replaced}")),
            }
        }
        Action::Forget => {
            p.bold_to(out, format_args!(" # {}{deposed}", c.addr));
            let _ = write!(out, " will no longer be managed by plinth, but {}", p.bold(&p.red("will not be destroyed")));
            out.push_str("\n # (destroy = false is set in the configuration)");
        }
        Action::Delete if cause == Cause::Drift => head(out, format_args!(" has been deleted")),
        Action::Delete => {
            head(out, format_args!(" will be {}", p.bold(&p.red("destroyed"))));
            if let Some(r) = &c.reason {
                let _ = write!(out, "\n  # ({r})");
            }
            if c.deposed.is_some() {
                out.push_str("\n  # (left over from a partially-failed replacement of this instance)");
            }
        }
        Action::NoOp => match (&c.moved_from, &c.importing) {
            (Some(from), _) => {
                p.bold_to(out, format_args!("  # {from}"));
                out.push_str(" has moved to ");
                p.bold_to(out, format_args!("{}", c.addr));
                printed_moved = true;
            }
            (None, Some(_)) => head(out, format_args!(" will be imported")),
            (None, None) => head(out, format_args!("")),
        },
    }
    out.push('\n');
    if let (Some(from), false) = (&c.moved_from, printed_moved) {
        let _ = writeln!(out, "  # (moved from {from})");
    }
    if let Some(id) = &c.importing {
        if c.action != Action::NoOp {
            let _ = writeln!(out, "  # (imported from \"{id}\")");
        }
        if c.action.is_replace() {
            let _ = writeln!(out, "  # {}", p.yellow("Warning: this will destroy the imported resource"));
        }
    }
}

/// `resource "type" "name"`, or `data "type" "name"`.
fn header(out: &mut String, c: &ResourceChange) {
    let r = &c.addr.resource.resource;
    let mode = if r.mode == ResourceMode::Data { "data" } else { "resource" };
    let _ = write!(out, "{mode} \"{}\" \"{}\"", r.type_name, r.name);
}

/// One resource change, appended to `out`: comment lines, then
/// `+ resource "t" "n" { ... }`.
pub fn render_change(out: &mut String, c: &ResourceChange, schema: Option<&BlockSchema>, cause: Cause, p: &Paint) {
    let before = if c.action == Action::Create { None } else { c.before.as_ref() };
    let after = if matches!(c.action, Action::Delete | Action::Forget) { None } else { c.after.as_ref() };
    let d = diff::diff_resource(before, after, schema, &c.requires_replace);
    let opts = Opts { show_unchanged: c.importing.is_some(), ..Opts::default() };
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
        p.bold_to(out, format_args!("  # {}", c.addr));
        let _ = write!(out, " was deferred\n  # ({why}{until})\n");
    } else {
        comment(out, c, cause, p);
    }
    let _ = write!(out, "{} ", action_symbol(c.action, p));
    header(out, c);
    out.push(' ');
    d.render_to(out, 0, opts, p);
}

/// Changes in order, each after a blank line and ending its last line. Many
/// changes are rendered in chunks on all cores, then joined in order.
fn render_changes(out: &mut String, changes: &[&ResourceChange], schema_of: SchemaOf<'_, '_>, cause: Cause, p: &Paint) {
    /// Changes per thread worth a thread of their own.
    const MIN_CHUNK: usize = 128;
    /// About what one change takes (a create of four attributes is ~200 bytes):
    /// sizing a chunk's text up front saves growing it by copies.
    const BYTES_PER_CHANGE: usize = 256;
    let texts = plinth_engine::par::map_chunks(changes, MIN_CHUNK, |_, chunk| {
        let mut text = String::with_capacity(chunk.len() * BYTES_PER_CHANGE);
        for c in chunk {
            text.push('\n');
            render_change(&mut text, c, schema_of(c), cause, p);
            text.push('\n');
        }
        text
    });
    out.reserve(texts.iter().map(String::len).sum());
    for text in texts {
        out.push_str(&text);
    }
}

fn shown(c: &ResourceChange) -> bool {
    let quiet_no_op = c.action == Action::NoOp && c.moved_from.is_none() && c.importing.is_none();
    let data_delete = c.action == Action::Delete && c.addr.resource.resource.mode != ResourceMode::Managed;
    !(quiet_no_op || data_delete)
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
            let _ = writeln!(
                out,
                "\n{} {}\n",
                p.bold(&p.green("No current changes.")),
                p.bold("This plan requires another plan to be applied first.")
            );
        } else if plan.mode == PlanMode::Destroy {
            let _ = writeln!(out, "\n{} {}\n", p.bold(&p.green("No changes.")), p.bold("No objects need to be destroyed."));
            out += &word_wrap(
                "Either you have not created any objects yet or the existing objects were already deleted outside of plinth.",
                78,
            );
            out.push('\n');
        } else {
            let _ = writeln!(out, "\n{} {}\n", p.bold(&p.green("No changes.")), p.bold("Your infrastructure matches the configuration."));
            out += &word_wrap("plinth has compared your real infrastructure against your configuration and found no differences, so no changes are needed.", 78);
            out.push('\n');
        }
    }
    if !deferred.is_empty() {
        let _ = writeln!(
            out,
            "\n{} {}",
            p.bold(&p.cyan("Note:")),
            p.bold("This is a partial plan, parts can only be known in the next plan / apply cycle.")
        );
        render_changes(&mut out, &deferred, schema_of, Cause::Proposed, p);
        let _ = writeln!(out, "{}", "─".repeat(78));
    }
    if !counts.is_empty() {
        out += "\n";
        out += &word_wrap("plinth used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:", 78);
        out.push('\n');
        for a in [
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::DeleteThenCreate,
            Action::CreateThenDelete,
            Action::Read,
            Action::Forget,
        ] {
            if counts.contains_key(&a) {
                let _ = writeln!(out, "{}", action_description(a, p));
            }
        }
    }
    if !changes.is_empty() {
        out += "\nplinth will perform the following actions:\n";
        render_changes(&mut out, &changes, schema_of, Cause::Proposed, p);
        let _ = writeln!(out, "\n{} {}", p.bold("Plan:"), summary_counts(plan));
    }
    if !outputs.is_empty() {
        let _ = writeln!(out, "\nChanges to Outputs:\n{outputs}");
        if counts.is_empty() {
            out += &word_wrap(
                "\nYou can apply this plan to save these new output values to the plinth state, without changing any real infrastructure.",
                78,
            );
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
    out += &word_wrap(
        "plinth detected the following changes made outside of plinth since the last \"plinth apply\" which may have affected this plan:",
        78,
    );
    out.push('\n');
    let drift: Vec<&ResourceChange> = drift.iter().collect();
    render_changes(&mut out, &drift, schema_of, Cause::Drift, p);
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
