//! Saved plans (`plan -out=FILE`, `apply FILE`, `show FILE`).
//!
//! The file is one JSON document:
//!
//! ```json
//! { "plinth_saved_plan": 1,
//!   "config_hash": "sha256 of the configuration files, by name",
//!   "workspace": "default",
//!   "prior_state": { "lineage": "…", "serial": 7 },
//!   "args": [["target", "aws_vpc.main"], ["destroy", "true"]],
//!   "variables": { "name": { "value": …, "type": … } },
//!   "changes": [ { "address": …, "deposed": …, "actions": […], "before": …, "after": … } ],
//!   "rendered": "the plan as `plan -no-color` printed it",
//!   "config": { "main.tf": "…", "modules/m/main.tf": "…" },
//!   "plan": { Terraform's JSON plan representation } }
//! ```
//!
//! `apply FILE` refuses a plan whose state moved on (another lineage, or a
//! newer serial), plans again from the saved variables, options and
//! configuration (`config`: every module's files as they were when planning,
//! used when the files on disk have changed since — as Terraform applies a
//! plan with the configuration snapshot it holds), refuses if that plan's
//! changes are not the saved ones, and then applies without asking.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_engine::tree::normalize;

use plinth_engine::{Plan, ResourceChange};
use plinth_syntax::Files;
use plinth_value::Value;
use serde_json::{json, Value as J};
use sha2::{Digest, Sha256};

use crate::ui::json::{actions, value_json};

pub const FORMAT: u64 = 1;

/// Flags that shape a plan and are replayed when it is applied.
const REPLAYED: [&str; 6] = ["target", "exclude", "replace", "destroy", "refresh-only", "refresh"];

/// Hash of every configuration file (`.tf`, `.tf.json`) loaded for the run.
pub fn config_hash(files: &Files) -> String {
    let mut h = Sha256::new();
    let mut i = 0u32;
    while let Some((name, text)) = files.get(plinth_syntax::FileId(i)) {
        if name.ends_with(".tf") || name.ends_with(".tf.json") {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        i += 1;
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The part of a change that must be the same when a saved plan is applied.
pub fn fingerprint(changes: &[ResourceChange]) -> J {
    let mut v: Vec<J> = changes
        .iter()
        .filter(|c| c.deferred.is_none())
        .map(|c| {
            json!({
                "address": c.addr.to_string(),
                "deposed": c.deposed,
                "actions": actions(c.action),
                "before": c.before.as_ref().map(value_json),
                "after": c.after.as_ref().map(value_json),
            })
        })
        .collect();
    v.sort_by_key(|x| x.to_string());
    J::Array(v)
}

pub struct SavedPlan {
    pub doc: J,
}

impl SavedPlan {
    pub fn args(&self) -> Vec<(String, String)> {
        self.doc["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())))
            .collect()
    }
    /// The ephemeral variables that were set when planning.
    pub fn ephemeral_variables(&self) -> Vec<String> {
        self.doc["ephemeral_variables"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn variables(&self) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        if let Some(m) = self.doc["variables"].as_object() {
            for (k, v) in m {
                let ty = plinth_value::type_from_json(&v["type"]).unwrap_or(plinth_value::Type::Dynamic);
                if let Ok(x) = plinth_value::value_from_json(&v["value"], &ty) {
                    out.insert(k.clone(), x);
                }
            }
        }
        out
    }
}

#[allow(clippy::too_many_arguments)]
pub fn write(
    path: &Path,
    plan: &Plan,
    files: &Files,
    workspace: &str,
    prior: &plinth_state::State,
    flags: &[(String, String)],
    rendered: &str,
    plan_json: J,
    tree: &plinth_engine::tree::ConfigTree,
    root: &Path,
    ephemeral_set: &[String],
) -> std::io::Result<()> {
    let variables: serde_json::Map<String, J> = plan
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), json!({ "value": value_json(v), "type": plinth_value::json_type(&v.ty()) })))
        .collect();
    let args: Vec<J> = flags.iter().filter(|(n, _)| REPLAYED.contains(&n.as_str())).map(|(n, v)| json!([n, v])).collect();
    let doc = json!({
        "plinth_saved_plan": FORMAT,
        "config_hash": config_hash(files),
        "workspace": workspace,
        "prior_state": { "lineage": prior.lineage, "serial": prior.serial },
        "args": args,
        "variables": variables,
        // Ephemeral variables set when planning, by name only: apply needs
        // their values again.
        "ephemeral_variables": ephemeral_set,
        "changes": fingerprint(&plan.changes),
        "rendered": rendered,
        "config": config_snapshot(tree, root),
        "plan": plan_json,
    });
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap_or_default())
}

/// Reads a saved plan; `Err` with a message for a file that is not one.
pub fn read(path: &Path) -> Result<SavedPlan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("Failed to read plan from plan file: {e}"))?;
    let doc: J = serde_json::from_str(&text).map_err(|_| format!("The file {} is not a plinth saved plan.", path.display()))?;
    if doc["plinth_saved_plan"].as_u64() != Some(FORMAT) {
        return Err(format!("The file {} is not a plinth saved plan of a supported version.", path.display()));
    }
    Ok(SavedPlan { doc })
}

/// `path` relative to `base`, lexically (both as the module loader builds them).
fn relative(path: &Path, base: &Path) -> PathBuf {
    let (p, b) = (normalize(path), normalize(base));
    let (pc, bc): (Vec<_>, Vec<_>) = (p.components().collect(), b.components().collect());
    let common = pc.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    out
}

/// Every module's configuration files, by path relative to the root module.
fn config_snapshot(tree: &plinth_engine::tree::ConfigTree, root: &Path) -> J {
    let mut out = serde_json::Map::new();
    for m in &tree.modules {
        let rel = relative(&m.module.dir, root);
        let Ok(rd) = std::fs::read_dir(&m.module.dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !(name.ends_with(".tf") || name.ends_with(".tf.json")) || name.starts_with('.') {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                out.insert(rel.join(&name).to_string_lossy().to_string(), J::String(text));
            }
        }
    }
    J::Object(out)
}

/// The configuration the saved plan was made with, loaded from its snapshot
/// (written under `.terraform/plan-config/`), with each module's directory
/// pointing back at the real one (for `path.module`, `file()`).
pub fn snapshot_workdir(sp: &SavedPlan, dir: &Path) -> Result<(crate::workdir::Workdir, plinth_engine::graph::Graph), String> {
    let files = sp.doc["config"].as_object().ok_or("the plan file holds no configuration snapshot")?;
    // Modules outside the root (`../x`) stay inside the snapshot directory.
    let depth = files
        .keys()
        .map(|k| Path::new(k).components().take_while(|c| matches!(c, std::path::Component::ParentDir)).count())
        .max()
        .unwrap_or(0);
    let base = dir.join(".terraform").join("plan-config");
    let _ = std::fs::remove_dir_all(&base);
    let mut snap_root = base.clone();
    for _ in 0..depth {
        snap_root.push("r");
    }
    for (name, text) in files {
        let p = normalize(&snap_root.join(name));
        if !p.starts_with(normalize(&base)) {
            return Err(format!("the snapshot names a file outside the configuration: {name}"));
        }
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&p, text.as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&snap_root).map_err(|e| e.to_string())?;
    let (mut wd, diags) = crate::workdir::load(&snap_root);
    // Everything is read: the copy is not needed any more.
    let _ = std::fs::remove_dir_all(&base);
    if diags.iter().any(plinth_syntax::Diagnostic::is_error) {
        return Err("its configuration snapshot does not load".into());
    }
    for m in &mut wd.tree.modules {
        m.module.dir = normalize(&dir.join(relative(&m.module.dir, &snap_root)));
    }
    wd.tree.modules[0].module.dir = dir.to_path_buf();
    wd.dir = dir.to_path_buf();
    let (graph, gdiags) = wd.graph();
    if gdiags.iter().any(plinth_syntax::Diagnostic::is_error) {
        return Err("its configuration snapshot does not load".into());
    }
    Ok((wd, graph))
}
