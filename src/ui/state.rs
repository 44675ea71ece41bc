//! Stored objects as `show` and `state show` print them: each instance as a
//! `resource` block with every attribute (Terraform's renderer with unchanged
//! children shown and no action symbols), values the schema or the state's
//! `sensitive_attributes` call sensitive hidden.

use std::fmt::Write;

use plinth_provider::BlockSchema;
use plinth_state::{AbsResourceInstance, InstanceObject, ObjectStatus, ResourceMode, State};
use plinth_value::{Type, Value};

use super::diff::{self, Opts};
use super::Paint;

/// The schema of an instance's resource type, by its provider address.
pub type SchemaOf<'a, 's> = &'a dyn Fn(&AbsResourceInstance, &str) -> Option<&'s BlockSchema>;

const OPTS: Opts =
    Opts { show_unchanged: true, override_null_suffix: false, force_replace: false, forbid_replace: false, hide_symbols: true };

/// One stored object: `# addr:` (with ` (tainted)` or ` (deposed object K)`)
/// and its block.
pub fn render_object(
    out: &mut String,
    addr: &AbsResourceInstance,
    obj: &InstanceObject,
    deposed: Option<&str>,
    schema: Option<&BlockSchema>,
    p: &Paint,
) {
    let ty = schema.map(BlockSchema::implied_type).unwrap_or(Type::Dynamic);
    // The marks `sensitive_attributes` records; the schema's sensitive
    // attributes the renderer hides itself.
    let v = plinth_engine::statevals::prior_object(obj, &ty);
    let _ = write!(out, "# {addr}:");
    if let Some(k) = deposed {
        let _ = write!(out, " (deposed object {k})");
    } else if obj.status == ObjectStatus::Tainted {
        out.push_str(" (tainted)");
    }
    out.push('\n');
    let r = &addr.resource.resource;
    let mode = if r.mode == ResourceMode::Data { "data" } else { "resource" };
    let _ = write!(out, "{mode} \"{}\" \"{}\" ", r.type_name, r.name);
    diff::diff_resource(Some(&v), Some(&v), schema, &[]).render_to(out, 0, OPTS, p);
    out.push('\n');
}

/// Every object in `state`, then its outputs (`show`); "No state." for an
/// empty state is the caller's.
pub fn render_state(state: &State, schema_of: SchemaOf<'_, '_>, p: &Paint) -> String {
    let mut blocks = Vec::new();
    for addr in state.instance_addrs() {
        let Some(inst) = state.instance(&addr) else { continue };
        let paddr = state.resource(&addr.resource).map(|r| r.provider.as_str()).unwrap_or_default();
        let schema = schema_of(&addr, paddr);
        if let Some(o) = &inst.current {
            let mut b = String::new();
            render_object(&mut b, &addr, o, None, schema, p);
            blocks.push(b);
        }
        for (k, o) in &inst.deposed {
            let mut b = String::new();
            render_object(&mut b, &addr, o, Some(&k.to_string()), schema, p);
            blocks.push(b);
        }
    }
    let mut out = blocks.join("\n");
    if !state.outputs.is_empty() {
        out.push_str("\n\nOutputs:\n\n");
        for (name, o) in &state.outputs {
            let ty = plinth_value::type_from_json(&o.ty).unwrap_or(Type::Dynamic);
            let v = plinth_value::value_from_json(&o.value, &ty).unwrap_or_else(|_| Value::dynamic_null());
            let v = if o.sensitive { v.sensitive() } else { v };
            let _ = write!(out, "{} = ", diff::attr_name(name));
            diff::diff_dynamic(Some(&v), Some(&v)).render_to(&mut out, 0, OPTS, p);
            out.push('\n');
        }
    }
    out
}
