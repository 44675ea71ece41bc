//! The whole-plan review: custom resources after the CRDs in the same
//! configuration that define their kinds (checked against the CRD's schema),
//! namespaced objects after their namespace, and kinds neither served nor
//! defined reported as errors.

use std::collections::HashMap;

use plinth_provider::{PlanReview, PlannedInstance, ProviderError};
use plinth_value::Value;

use crate::client::Conn;
use crate::manifest::{get, get_string, ident, to_json, Ident};

struct Crd {
    index: usize,
    group: String,
    kind: String,
    namespaced: bool,
    /// version name → openAPIV3Schema
    versions: HashMap<String, serde_json::Value>,
}

fn planned_manifest(i: &PlannedInstance<'_>) -> Option<Value> {
    i.planned.as_entries().and_then(|m| m.get("manifest")).cloned()
}

pub async fn review(conn: Option<&Conn>, instances: &[PlannedInstance<'_>]) -> PlanReview {
    let mut out = PlanReview::default();
    let mut crds: Vec<Crd> = Vec::new();
    let mut namespaces: HashMap<String, usize> = HashMap::new();
    let mut manifests: Vec<(usize, Ident, Value)> = Vec::new();
    for (idx, inst) in instances.iter().enumerate() {
        match inst.type_name {
            "kubernetes_namespace" => {
                let name = inst
                    .planned
                    .as_entries()
                    .and_then(|m| m.get("metadata"))
                    .and_then(|md| md.as_seq()?.first().cloned())
                    .and_then(|m| get_string(&m, &["name"]));
                if let Some(n) = name {
                    namespaces.insert(n, idx);
                }
            }
            "kubernetes_manifest" => {
                let Some(m) = planned_manifest(inst) else { continue };
                let Ok(Some(id)) = ident(&m) else { continue };
                if id.api_version.starts_with("apiextensions.k8s.io/") && id.kind == "CustomResourceDefinition" {
                    let spec = get(&m, &["spec"]).cloned().unwrap_or_else(Value::dynamic_null);
                    let mut versions = HashMap::new();
                    for v in get(&spec, &["versions"]).and_then(Value::as_seq).unwrap_or(&[]) {
                        if let Some(name) = get_string(v, &["name"]) {
                            let schema = get(v, &["schema", "openAPIV3Schema"])
                                .filter(|s| s.is_wholly_known())
                                .map(to_json)
                                .unwrap_or(serde_json::Value::Null);
                            versions.insert(name, schema);
                        }
                    }
                    crds.push(Crd {
                        index: idx,
                        group: get_string(&spec, &["group"]).unwrap_or_default(),
                        kind: get_string(&spec, &["names", "kind"]).unwrap_or_default(),
                        namespaced: get_string(&spec, &["scope"]).as_deref() != Some("Cluster"),
                        versions,
                    });
                }
                if id.api_version == "v1" && id.kind == "Namespace" {
                    namespaces.insert(id.name.clone(), idx);
                }
                manifests.push((idx, id, m));
            }
            _ => {}
        }
    }
    for (idx, id, m) in &manifests {
        let namespaced = match crds.iter().find(|c| c.group == id.group() && c.kind == id.kind) {
            Some(crd) => {
                out.dependencies.push((*idx, crd.index));
                match crd.versions.get(id.version()) {
                    None => out.errors.push((
                        *idx,
                        ProviderError::new(
                            "Version not defined",
                            format!("The CustomResourceDefinition for {} defines no version {:?}.", id.kind, id.version()),
                        ),
                    )),
                    Some(schema) if !schema.is_null() && m.is_wholly_known() => {
                        let mut causes = Vec::new();
                        check(&to_json(m), schema, "", &mut causes);
                        if !causes.is_empty() {
                            out.errors.push((
                                *idx,
                                ProviderError::new("Manifest does not match its CRD schema", format!("{id}: {}", causes.join("; "))),
                            ));
                        }
                    }
                    Some(_) => {}
                }
                crd.namespaced
            }
            None => match conn {
                Some(c) => match c.resolve(&id.api_version, &id.kind).await {
                    Ok(Some(s)) => s.namespaced,
                    Ok(None) => {
                        out.errors.push((
                            *idx,
                            ProviderError::new(
                                "Kind not served",
                                format!(
                                    "no matches for kind \"{}\" in version \"{}\": the API server does not serve it and no CustomResourceDefinition in this configuration defines it",
                                    id.kind, id.api_version
                                ),
                            ),
                        ));
                        continue;
                    }
                    Err(_) => id.namespace.is_some(),
                },
                None => id.namespace.is_some(),
            },
        };
        if namespaced {
            let ns = id.namespace.clone().or_else(|| conn.map(|c| c.default_namespace.clone())).unwrap_or_else(|| "default".into());
            if let Some(&n) = namespaces.get(&ns) {
                if n != *idx {
                    out.dependencies.push((*idx, n));
                }
            }
        }
    }
    out
}

/// Structural checks of a custom resource against its CRD's schema: types,
/// required fields, enums. (Unknown fields are pruned by the server, not errors.)
fn check(v: &serde_json::Value, s: &serde_json::Value, path: &str, causes: &mut Vec<String>) {
    use serde_json::Value as J;
    let at = if path.is_empty() { "<root>".to_string() } else { path.to_string() };
    if v.is_null() || s.get("x-kubernetes-int-or-string") == Some(&J::Bool(true)) {
        return;
    }
    let ty = s.get("type").and_then(J::as_str).unwrap_or("");
    let ok = match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    };
    if !ok {
        causes.push(format!("{at}: must be of type {ty}"));
        return;
    }
    if let Some(en) = s.get("enum").and_then(J::as_array) {
        if !en.contains(v) {
            causes.push(format!("{at}: unsupported value {v}"));
        }
    }
    if let J::Object(m) = v {
        for r in s.get("required").and_then(J::as_array).into_iter().flatten().filter_map(J::as_str) {
            if !m.contains_key(r) {
                causes.push(format!("{}: required value", if path.is_empty() { r.to_string() } else { format!("{path}.{r}") }));
            }
        }
        let props = s.get("properties").and_then(J::as_object);
        for (k, x) in m {
            if path.is_empty() && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            if let Some(ps) = props.and_then(|ps| ps.get(k)) {
                check(x, ps, &p, causes);
            } else if let Some(a) = s.get("additionalProperties").filter(|a| a.is_object()) {
                check(x, a, &p, causes);
            }
        }
    }
    if let (J::Array(xs), Some(items)) = (v, s.get("items")) {
        for (i, x) in xs.iter().enumerate() {
            check(x, items, &format!("{path}[{i}]"), causes);
        }
    }
}
