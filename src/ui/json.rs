//! Machine-readable output in Terraform's formats: the JSON plan and state
//! representations (`show -json`, format_version 1.2 / 1.0) and the streamed
//! JSON UI messages of `plan -json` / `apply -json` (ui version 1.2). Only
//! this module knows those shapes; tools that read Terraform's JSON (policy
//! checkers, cost estimators) read plinth's.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use plinth_engine::tree::ConfigTree;
use plinth_engine::{Action, Plan, PlanMode, ResourceChange};
use plinth_provider::PathStep;
use plinth_state::{AbsResourceInstance, InstanceKey, ModuleInstance, ResourceMode, State};
use plinth_syntax::{Diagnostic, Files};
use plinth_value::{Kind, Marks, Value};
use serde_json::{json, Map, Value as J};

/// The Terraform version plinth's formats follow.
pub const TERRAFORM_VERSION: &str = "1.15.5";

/// A value as Terraform's JSON shows it: unknowns as null, marks dropped.
pub fn value_json(v: &Value) -> J {
    match &v.kind {
        Kind::Unknown(_) | Kind::Null(_) => J::Null,
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => J::Array(xs.iter().map(value_json).collect()),
        Kind::Map(_, m) | Kind::Object(m) => J::Object(m.iter().map(|(k, x)| (k.clone(), value_json(x))).collect()),
        _ => plinth_value::value_to_json(&v.clone().unmark().0),
    }
}

/// `after_unknown` / `sensitive_values`-style trees: `true` where `pred`
/// holds, nested objects and arrays mirroring the value elsewhere, `false`
/// for other leaves (omitted inside objects).
fn flag_tree(v: &Value, pred: &dyn Fn(&Value) -> bool) -> J {
    if pred(v) {
        return J::Bool(true);
    }
    match &v.kind {
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => J::Array(xs.iter().map(|x| flag_tree(x, pred)).collect()),
        Kind::Map(_, m) | Kind::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m.iter() {
                let t = flag_tree(x, pred);
                if t != J::Bool(false) {
                    o.insert(k.clone(), t);
                }
            }
            J::Object(o)
        }
        _ => J::Bool(false),
    }
}

fn unknown_tree(v: Option<&Value>) -> J {
    match v {
        Some(v) if !v.is_null() || v.is_unknown() => flag_tree(v, &|x| x.is_unknown()),
        _ => J::Bool(false),
    }
}

fn sensitive_tree(v: Option<&Value>) -> J {
    match v {
        Some(v) => {
            let t = flag_tree(v, &|x| x.marks.contains(Marks::SENSITIVE));
            if v.is_null() && t == J::Bool(false) {
                J::Bool(false)
            } else {
                t
            }
        }
        None => J::Bool(false),
    }
}

/// Terraform's action lists: `["create"]`, `["delete", "create"]`, …
pub fn actions(a: Action) -> Vec<&'static str> {
    match a {
        Action::NoOp => vec!["no-op"],
        Action::Create => vec!["create"],
        Action::Read => vec!["read"],
        Action::Update => vec!["update"],
        Action::DeleteThenCreate => vec!["delete", "create"],
        Action::CreateThenDelete => vec!["create", "delete"],
        Action::Delete => vec!["delete"],
        Action::Forget => vec!["forget"],
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Forget => "remove",
    }
}

fn index_json(k: &InstanceKey) -> Option<J> {
    match k {
        InstanceKey::None => None,
        InstanceKey::Int(i) => Some(json!(i)),
        InstanceKey::Str(s) => Some(json!(s)),
    }
}

fn mode_word(m: ResourceMode) -> &'static str {
    if m == ResourceMode::Data {
        "data"
    } else {
        "managed"
    }
}

/// `registry.terraform.io/hashicorp/aws` from `provider["registry.terraform.io/hashicorp/aws"]`.
fn provider_name(provider_addr: &str) -> String {
    provider_addr.trim_start_matches("provider[\"").split('"').next().unwrap_or(provider_addr).to_string()
}

fn path_json(p: &[PathStep]) -> J {
    J::Array(
        p.iter()
            .map(|s| match s {
                PathStep::Attr(a) | PathStep::Key(a) => json!(a),
                PathStep::Index(i) => json!(i),
            })
            .collect(),
    )
}

fn resource_change_json(c: &ResourceChange) -> J {
    let r = &c.addr.resource.resource;
    let mut o = json!({
        "address": c.addr.to_string(),
        "mode": mode_word(r.mode),
        "type": r.type_name,
        "name": r.name,
        "provider_name": provider_name(&c.provider_addr),
        "change": {
            "actions": actions(c.action),
            "before": c.before.as_ref().map(value_json).unwrap_or(J::Null),
            "after": c.after.as_ref().map(value_json).unwrap_or(J::Null),
            // Terraform: `{}` for a wholly known `after`, a null one (delete) too.
            "after_unknown": match c.after.as_ref().filter(|v| !v.is_null() || v.is_unknown()) {
                Some(v) => unknown_tree(Some(v)),
                None => J::Object(Map::new()),
            },
            "before_sensitive": sensitive_tree(c.before.as_ref()),
            "after_sensitive": sensitive_tree(c.after.as_ref()),
        },
    });
    let m = o.as_object_mut().expect("object");
    if !c.addr.resource.module.is_root() {
        m.insert("module_address".into(), json!(c.addr.resource.module.to_string()));
    }
    if let Some(i) = index_json(&c.addr.key) {
        m.insert("index".into(), i);
    }
    if let Some(d) = &c.deposed {
        m.insert("deposed".into(), json!(d));
    }
    if let Some(from) = &c.moved_from {
        m.insert("previous_address".into(), json!(from));
    }
    let ch = m.get_mut("change").and_then(J::as_object_mut).expect("change");
    if !c.requires_replace.is_empty() {
        ch.insert("replace_paths".into(), J::Array(c.requires_replace.iter().map(|p| path_json(p)).collect()));
    }
    if let Some(id) = &c.importing {
        ch.insert("importing".into(), json!({ "id": id }));
    }
    let reason = match (c.action, c.reason.as_deref()) {
        (_, Some("because of replace_triggered_by")) => Some("replace_by_triggers"),
        (_, Some("as requested")) => Some("replace_by_request"),
        (_, Some("tainted")) => Some("replace_because_tainted"),
        (Action::DeleteThenCreate | Action::CreateThenDelete, _) => Some("replace_because_cannot_update"),
        // The walk's wordings of why an orphan goes (`Walk::orphan_reason`).
        (Action::Delete, Some(r)) if r.starts_with("because index ") => Some("delete_because_count_index"),
        (Action::Delete, Some(r)) if r.starts_with("because key ") => Some("delete_because_each_key"),
        (Action::Delete, Some(r)) if r.starts_with("because resource ") => Some("delete_because_wrong_repetition"),
        (Action::Delete, Some(r)) if r.starts_with("because module.") => Some("delete_because_no_module"),
        (Action::Delete, Some(_)) => Some("delete_because_no_resource_config"),
        // A forgotten object (`removed`, destroy = false) has no configuration.
        (Action::Forget, _) => Some("delete_because_no_resource_config"),
        (Action::Read, Some("because of depends_on")) => Some("read_because_dependency_pending"),
        (Action::Read, _) => Some("read_because_config_unknown"),
        _ => None,
    };
    if let Some(r) = reason {
        m.insert("action_reason".into(), json!(r));
    }
    o
}

/// Resources grouped into `root_module` / `child_modules` as both the
/// planned values and the state values show them.
struct ModuleValues {
    resources: Vec<J>,
    children: BTreeMap<String, ModuleValues>,
}

impl ModuleValues {
    fn new() -> ModuleValues {
        ModuleValues { resources: Vec::new(), children: BTreeMap::new() }
    }
    fn insert(&mut self, module: &ModuleInstance, r: J) {
        let mut node = self;
        let mut addr = String::new();
        for step in module.steps() {
            let part = ModuleInstance::new(vec![step.clone()]).to_string();
            addr = if addr.is_empty() { part } else { format!("{addr}.{part}") };
            node = node.children.entry(addr.clone()).or_insert_with(ModuleValues::new);
        }
        node.resources.push(r);
    }
    fn to_json(&self, address: Option<&str>) -> J {
        let mut o = Map::new();
        if let Some(a) = address {
            o.insert("address".into(), json!(a));
        }
        o.insert("resources".into(), J::Array(self.resources.clone()));
        if !self.children.is_empty() {
            o.insert("child_modules".into(), J::Array(self.children.iter().map(|(a, m)| m.to_json(Some(a))).collect()));
        }
        J::Object(o)
    }
}

fn resource_value_json(addr: &AbsResourceInstance, provider_addr: &str, schema_version: u64, values: J, sensitive: J) -> J {
    let r = &addr.resource.resource;
    let mut o = json!({
        "address": addr.to_string(),
        "mode": mode_word(r.mode),
        "type": r.type_name,
        "name": r.name,
        "provider_name": provider_name(provider_addr),
        "schema_version": schema_version,
        "values": values,
        "sensitive_values": sensitive,
    });
    if let Some(i) = index_json(&addr.key) {
        o.as_object_mut().expect("object").insert("index".into(), i);
    }
    o
}

/// `sensitive_values` of a stored object: Terraform's `SensitiveAsBool` of
/// the object with the marks its `sensitive_attributes` record.
fn state_sensitive(obj: &plinth_state::InstanceObject) -> J {
    // Without the schema: dynamic attributes' `{"value", "type"}` encoding
    // taken apart first, so `sensitive_attributes` paths meet the values.
    use plinth_engine::statevals::{mark_state_paths, object_from_state};
    let v =
        mark_state_paths(object_from_state(&plain_attributes(&obj.attributes), &plinth_value::Type::Dynamic), &obj.sensitive_attributes);
    match sensitive_tree(Some(&v)) {
        J::Bool(false) => J::Object(Map::new()),
        t => t,
    }
}

fn outputs_json(state: &State) -> J {
    J::Object(state.outputs.iter().map(|(k, o)| (k.clone(), json!({"sensitive": o.sensitive, "type": o.ty, "value": o.value}))).collect())
}

/// `values` of Terraform's JSON state representation.
pub fn state_values(state: &State) -> J {
    let mut root = ModuleValues::new();
    for addr in state.instance_addrs() {
        let Some(obj) = state.current(&addr) else { continue };
        let paddr = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        let sensitive = state_sensitive(obj);
        let mut r = resource_value_json(&addr, &paddr, obj.schema_version, plain_attributes(&obj.attributes), sensitive);
        if obj.status == plinth_state::ObjectStatus::Tainted {
            r.as_object_mut().expect("object").insert("tainted".into(), J::Bool(true));
        }
        root.insert(&addr.resource.module, r);
    }
    json!({ "outputs": outputs_json(state), "root_module": root.to_json(None) })
}

/// State stores `dynamic`-typed attributes as `{"value": ..., "type": ...}`;
/// Terraform's JSON state representation shows the plain value. Without the
/// schema at hand, an object of exactly those two keys whose `type` is a valid
/// type is taken to be that encoding.
fn plain_attributes(j: &J) -> J {
    match j {
        J::Object(m)
            if m.len() == 2 && m.contains_key("value") && m.get("type").is_some_and(|t| plinth_value::type_from_json(t).is_some()) =>
        {
            plain_attributes(&m["value"])
        }
        J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), plain_attributes(v))).collect()),
        J::Array(xs) => J::Array(xs.iter().map(plain_attributes).collect()),
        other => other.clone(),
    }
}

/// `show -json` without a plan: Terraform's JSON state representation.
/// A plan's prior state: written by this version, as Terraform's is.
fn prior_state_json(state: &State) -> J {
    let mut prior = state_json(state);
    if prior.get("values").is_some() {
        prior["terraform_version"] = J::String(TERRAFORM_VERSION.into());
    }
    prior
}

pub fn state_json(state: &State) -> J {
    if state.is_empty() && state.outputs.is_empty() {
        return json!({ "format_version": "1.0" });
    }
    // The version the state file records, as Terraform shows it (none for
    // a state whose writer recorded none).
    let mut o = json!({ "format_version": "1.0", "values": state_values(state) });
    if !state.terraform_version.is_empty() {
        o["terraform_version"] = J::String(state.terraform_version.clone());
    }
    o
}

fn configuration_json(tree: &ConfigTree) -> J {
    fn module(tree: &ConfigTree, id: usize) -> J {
        let m = &tree.get(id).module;
        let resources: Vec<J> = m
            .resources
            .values()
            .map(|r| {
                let local = r
                    .provider
                    .as_ref()
                    .map(|(p, a)| a.as_ref().map_or(p.clone(), |a| format!("{p}.{a}")))
                    .unwrap_or_else(|| r.type_name.split('_').next().unwrap_or("").to_string());
                let addr = if r.mode == plinth_config::ResourceMode::Data {
                    format!("data.{}.{}", r.type_name, r.name)
                } else {
                    format!("{}.{}", r.type_name, r.name)
                };
                json!({
                    "address": addr,
                    "mode": if r.mode == plinth_config::ResourceMode::Data { "data" } else { "managed" },
                    "type": r.type_name,
                    "name": r.name,
                    "provider_config_key": local,
                    "schema_version": 0,
                })
            })
            .collect();
        let outputs: Map<String, J> = m.outputs.keys().map(|k| (k.clone(), json!({ "expression": {} }))).collect();
        let variables: Map<String, J> = m.variables.keys().map(|k| (k.clone(), json!({}))).collect();
        let calls: Map<String, J> = tree
            .get(id)
            .children
            .iter()
            .map(|(name, &child)| {
                let source = m.module_calls.get(name).map(|c| c.source.clone()).unwrap_or_default();
                (name.clone(), json!({ "source": source, "module": module(tree, child) }))
            })
            .collect();
        let mut o = json!({ "resources": resources, "outputs": outputs, "variables": variables });
        if !calls.is_empty() {
            o.as_object_mut().expect("object").insert("module_calls".into(), J::Object(calls));
        }
        o
    }
    json!({ "provider_config": {}, "root_module": module(tree, 0) })
}

/// `show -json PLANFILE`: Terraform's JSON plan representation.
pub fn plan_json(plan: &Plan, tree: &ConfigTree) -> J {
    let mut planned = ModuleValues::new();
    let mut changes: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.deferred.is_none()).collect();
    changes.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
    for c in &changes {
        if c.deposed.is_some() || matches!(c.action, Action::Delete | Action::Forget) {
            continue;
        }
        let Some(after) = &c.after else { continue };
        planned.insert(
            &c.addr.resource.module,
            resource_value_json(&c.addr, &c.provider_addr, c.schema_version, value_json(after), sensitive_tree(Some(after))),
        );
    }
    let mut planned_outputs = Map::new();
    let mut output_changes = Map::new();
    for (name, o) in &plan.outputs {
        let d = super::plan::output_diff(o);
        let action = match d.act {
            super::diff::Act::NoOp => Action::NoOp,
            super::diff::Act::Create => Action::Create,
            super::diff::Act::Update => Action::Update,
            super::diff::Act::Delete => Action::Delete,
        };
        if let Some(a) = &o.after {
            let mut po = json!({ "sensitive": o.sensitive });
            if a.is_wholly_known() {
                po.as_object_mut().expect("object").insert("value".into(), value_json(a));
                po.as_object_mut().expect("object").insert("type".into(), plinth_value::json_type(&a.ty()));
            }
            planned_outputs.insert(name.clone(), po);
        }
        output_changes.insert(
            name.clone(),
            json!({
                "actions": actions(action),
                "before": o.before.as_ref().map(value_json).unwrap_or(J::Null),
                "after": o.after.as_ref().map(value_json).unwrap_or(J::Null),
                "after_unknown": unknown_tree(o.after.as_ref()),
                "before_sensitive": o.sensitive,
                "after_sensitive": o.sensitive,
            }),
        );
    }
    let variables: Map<String, J> = plan.variables.iter().map(|(k, v)| (k.clone(), json!({ "value": value_json(v) }))).collect();
    let deferred: Vec<J> = plan
        .changes
        .iter()
        .filter_map(|c| c.deferred.as_ref().map(|r| json!({ "reason": r, "resource_change": resource_change_json(c) })))
        .collect();
    let mut o = json!({
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "variables": variables,
        "planned_values": { "outputs": planned_outputs, "root_module": planned.to_json(None) },
        "resource_changes": changes.iter().map(|c| resource_change_json(c)).collect::<Vec<_>>(),
        "output_changes": output_changes,
        "prior_state": prior_state_json(&plan.prior_state),
        "configuration": configuration_json(tree),
        "timestamp": timestamp(),
        "applyable": plan.has_changes(),
        // Terraform: a plan narrowed by -target (or -exclude) is not complete.
        "complete": deferred.is_empty() && !plan.targeted(),
        "errored": false,
    });
    let m = o.as_object_mut().expect("object");
    if !deferred.is_empty() {
        m.insert("deferred_changes".into(), J::Array(deferred));
    }
    if plan.mode != PlanMode::Normal {
        let _ = m;
    }
    o
}

// ------------------------------------------------------------ JSON UI stream

/// RFC 3339 UTC with microseconds, as Terraform's JSON log lines carry.
pub fn timestamp() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z", rem / 3600, rem % 3600 / 60, rem % 60, d.subsec_micros())
}

/// Writes one JSON UI message per line.
pub fn emit(level: &str, message: &str, kind: &str, extra: J) {
    let mut o = json!({ "@level": level, "@message": message, "@module": "terraform.ui", "@timestamp": timestamp() });
    let m = o.as_object_mut().expect("object");
    if let J::Object(e) = extra {
        m.extend(e);
    }
    m.insert("type".into(), json!(kind));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string(&o).unwrap_or_default());
}

pub fn emit_version() {
    emit(
        "info",
        &format!("plinth {}", crate::commands::VERSION),
        "version",
        json!({ "terraform": TERRAFORM_VERSION, "plinth": crate::commands::VERSION, "ui": "1.2" }),
    );
}

/// The `resource` object of hooks and planned changes.
pub fn resource_addr_json(addr: &AbsResourceInstance) -> J {
    let r = &addr.resource.resource;
    json!({
        "addr": addr.to_string(),
        "module": if addr.resource.module.is_root() { String::new() } else { addr.resource.module.to_string() },
        "resource": format!("{}{}", if r.mode == ResourceMode::Data { format!("data.{}.{}", r.type_name, r.name) } else { format!("{}.{}", r.type_name, r.name) }, addr.key),
        "implied_provider": r.type_name.split('_').next().unwrap_or(""),
        "resource_type": r.type_name,
        "resource_name": r.name,
        "resource_key": index_json(&addr.key).unwrap_or(J::Null),
    })
}

pub fn emit_diagnostic(files: &Files, d: &Diagnostic) {
    let level = if d.is_error() { "error" } else { "warn" };
    let range = d.subject.filter(|s| files.get(s.file).is_some()).map(|s| {
        let from = files.pos(s.file, s.start as usize);
        let to = files.pos(s.file, s.end as usize);
        json!({
            "filename": files.name(s.file),
            "start": {"line": from.line, "column": from.column, "byte": from.byte},
            "end": {"line": to.line, "column": to.column, "byte": to.byte},
        })
    });
    let mut diag = json!({ "severity": if d.is_error() { "error" } else { "warning" }, "summary": d.summary, "detail": d.detail });
    if let Some(r) = range {
        diag.as_object_mut().expect("object").insert("range".into(), r);
    }
    let word = if d.is_error() { "Error" } else { "Warning" };
    emit(level, &format!("{word}: {}", d.summary), "diagnostic", json!({ "diagnostic": diag }));
}

/// `planned_change` for each change, `change_summary`, then `outputs`.
pub fn emit_plan(plan: &Plan) {
    let mut changes: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.action != Action::NoOp || c.moved_from.is_some()).collect();
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    for c in changes {
        let verb = match c.action {
            Action::Create => "Plan to create",
            Action::Update => "Plan to update",
            Action::Delete => "Plan to delete",
            Action::DeleteThenCreate | Action::CreateThenDelete => "Plan to replace",
            Action::Read => "Plan to read",
            Action::Forget => "Plan to remove",
            Action::NoOp => "Plan to move",
        };
        let mut change = json!({ "resource": resource_addr_json(&c.addr), "action": if c.action == Action::NoOp { "move" } else { action_word(c.action) } });
        if let Some(from) = &c.moved_from {
            change.as_object_mut().expect("object").insert("previous_resource".into(), json!({ "addr": from }));
        }
        if let Some(r) = &c.deferred {
            emit("info", &format!("{}: Plan to defer", c.addr), "deferred_change", json!({ "change": change, "reason": r }));
            continue;
        }
        emit("info", &format!("{}: {verb}", c.addr), "planned_change", json!({ "change": change }));
    }
    let (add, change, remove) = plan.counts();
    let import = plan.changes.iter().filter(|c| c.importing.is_some()).count();
    emit(
        "info",
        &super::plan::summary(plan),
        "change_summary",
        json!({ "changes": { "add": add, "change": change, "import": import, "remove": remove, "operation": if plan.mode == PlanMode::Destroy { "destroy" } else { "plan" } } }),
    );
    let outputs: Map<String, J> = plan
        .outputs
        .iter()
        .filter_map(|(k, o)| {
            let d = super::plan::output_diff(o);
            let action = match d.act {
                super::diff::Act::NoOp => return None,
                super::diff::Act::Create => "create",
                super::diff::Act::Update => "update",
                super::diff::Act::Delete => "delete",
            };
            Some((k.clone(), json!({ "sensitive": o.sensitive, "action": action })))
        })
        .collect();
    if !outputs.is_empty() {
        emit("info", &format!("Outputs: {}", outputs.len()), "outputs", json!({ "outputs": outputs }));
    }
}

/// Apply hooks as JSON UI messages.
pub struct JsonProgress;

impl plinth_engine::apply::ApplyObserver for JsonProgress {
    fn started(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>) {
        let verb = match action {
            Action::Update => "Modifying...",
            Action::Delete => "Destroying...",
            Action::Read => "Reading...",
            _ => "Creating...",
        };
        let mut hook = json!({ "resource": resource_addr_json(addr), "action": action_word(action) });
        let mut msg = format!("{addr}: {verb}");
        if let Some(id) = id {
            hook.as_object_mut().expect("object").extend([("id_key".to_string(), json!("id")), ("id_value".to_string(), json!(id))]);
            msg += &format!(" [id={id}]");
        }
        emit("info", &msg, "apply_start", json!({ "hook": hook }));
    }
    fn finished(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>, elapsed: Duration) {
        let verb = match action {
            Action::Update => "Modifications complete",
            Action::Delete => "Destruction complete",
            Action::Read => "Read complete",
            _ => "Creation complete",
        };
        let secs = elapsed.as_secs();
        let mut hook = json!({ "resource": resource_addr_json(addr), "action": action_word(action), "elapsed_seconds": secs });
        let mut msg = format!("{addr}: {verb} after {}", super::progress::fmt_elapsed(elapsed));
        if let Some(id) = id {
            hook.as_object_mut().expect("object").extend([("id_key".to_string(), json!("id")), ("id_value".to_string(), json!(id))]);
            msg += &format!(" [id={id}]");
        }
        emit("info", &msg, "apply_complete", json!({ "hook": hook }));
    }
    fn failed(&mut self, addr: &AbsResourceInstance, action: Action) {
        let verb = match action {
            Action::Update => "Modification errored",
            Action::Delete => "Destruction errored",
            _ => "Creation errored",
        };
        emit(
            "error",
            &format!("{addr}: {verb}"),
            "apply_errored",
            json!({ "hook": { "resource": resource_addr_json(addr), "action": action_word(action) } }),
        );
    }
}
