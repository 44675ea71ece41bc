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
//!   "plan": { Terraform's JSON plan representation } }
//! ```
//!
//! `apply FILE` refuses a plan whose configuration changed or whose state
//! moved on (another lineage, or a newer serial), plans again from the saved
//! variables and options, and refuses if that plan's changes are not the
//! saved ones; then it applies without asking, as Terraform does.

use std::collections::BTreeMap;
use std::path::Path;

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
        "changes": fingerprint(&plan.changes),
        "rendered": rendered,
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
