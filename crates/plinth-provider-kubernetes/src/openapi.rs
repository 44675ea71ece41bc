//! Manifest values converted to the types of the API server's OpenAPI (v2)
//! schema before they are sent, as Terraform's kubernetes provider does: a
//! `"2"` that arrives from a string variable in a Deployment's `spec.replicas`
//! becomes the integer 2, a number in a ConfigMap's `data` becomes a string,
//! `"true"` in a boolean field becomes `true`. A real API server refuses the
//! unconverted values (`expected numeric`); values that cannot be converted
//! are left for the server to reject with its own message.
//!
//! The document is `/openapi/v2` (every server since 1.10 serves it, with
//! custom resources' schemas since 1.16), indexed by the definitions'
//! `x-kubernetes-group-version-kind`. A server without it (an emulator) gets
//! the values as configured.

use std::collections::HashMap;

use plinth_value::{Kind, Value};
use serde_json::Value as Json;

pub struct OpenApi {
    definitions: serde_json::Map<String, Json>,
    /// (group, version, kind) → definition name.
    by_gvk: HashMap<(String, String, String), String>,
}

impl OpenApi {
    pub fn from_document(doc: &Json) -> Option<OpenApi> {
        let definitions = doc.get("definitions")?.as_object()?.clone();
        let mut by_gvk = HashMap::new();
        for (name, d) in &definitions {
            for g in d.get("x-kubernetes-group-version-kind").and_then(Json::as_array).into_iter().flatten() {
                let s = |k: &str| g.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
                by_gvk.insert((s("group"), s("version"), s("kind")), name.clone());
            }
        }
        Some(OpenApi { definitions, by_gvk })
    }

    /// Whether the document defines the kind (a CRD created after it was
    /// read is not in it).
    pub fn has(&self, group: &str, version: &str, kind: &str) -> bool {
        self.by_gvk.contains_key(&(group.to_string(), version.to_string(), kind.to_string()))
    }

    /// `manifest` with its values converted to the kind's schema; unchanged
    /// when the document does not define the kind.
    pub fn convert(&self, group: &str, version: &str, kind: &str, manifest: &Value) -> Value {
        match self.by_gvk.get(&(group.to_string(), version.to_string(), kind.to_string())) {
            Some(def) => self.walk(manifest, &Json::String(format!("#/definitions/{def}")), 0),
            None => manifest.clone(),
        }
    }

    fn resolve<'a>(&'a self, mut s: &'a Json) -> Option<&'a Json> {
        // `$ref`, also where a schema wraps one in `allOf` (descriptions on refs).
        for _ in 0..32 {
            let r = match s {
                Json::String(r) => r.as_str(),
                Json::Object(m) => match (m.get("$ref"), m.get("allOf").and_then(Json::as_array)) {
                    (Some(Json::String(r)), _) => r.as_str(),
                    (None, Some(all)) if all.len() == 1 => {
                        s = &all[0];
                        continue;
                    }
                    _ => return Some(s),
                },
                _ => return None,
            };
            s = self.definitions.get(r.strip_prefix("#/definitions/")?)?;
        }
        None
    }

    fn walk(&self, v: &Value, schema: &Json, depth: usize) -> Value {
        let Some(s) = self.resolve(schema) else { return v.clone() };
        if depth > 64 || v.is_unknown() || v.is_null() {
            return v.clone();
        }
        // int-or-string (IntOrString, x-kubernetes-int-or-string) and
        // free-form fields keep what they are given.
        if s.get("format").and_then(Json::as_str) == Some("int-or-string")
            || s.get("x-kubernetes-int-or-string").and_then(Json::as_bool) == Some(true)
        {
            return v.clone();
        }
        let ty = s.get("type").and_then(Json::as_str);
        match (ty, &v.kind) {
            (Some("integer" | "number"), Kind::String(text)) => {
                let t = text.trim();
                let parses = if ty == Some("integer") { t.parse::<i64>().is_ok() } else { t.parse::<f64>().is_ok_and(f64::is_finite) };
                match (parses, plinth_value::Number::parse(t)) {
                    (true, Some(n)) => Value::number(n),
                    _ => v.clone(),
                }
            }
            (Some("boolean"), Kind::String(text)) => match &**text {
                "true" => Value::bool(true),
                "false" => Value::bool(false),
                _ => v.clone(),
            },
            (Some("string"), Kind::Number(n)) => Value::string(n.to_string()),
            (Some("string"), Kind::Bool(b)) => Value::string(if *b { "true" } else { "false" }),
            (_, Kind::Object(m) | Kind::Map(_, m)) => {
                let props = s.get("properties").and_then(Json::as_object);
                let extra = s.get("additionalProperties").filter(|a| a.is_object());
                if props.is_none() && extra.is_none() {
                    return v.clone();
                }
                let out = m
                    .iter()
                    .map(|(k, x)| {
                        let sub = props.and_then(|p| p.get(k)).or(extra);
                        (k.clone(), sub.map(|sub| self.walk(x, sub, depth + 1)).unwrap_or_else(|| x.clone()))
                    })
                    .collect();
                Value::object(out)
            }
            (_, Kind::Tuple(xs) | Kind::List(_, xs) | Kind::Set(_, xs)) => match s.get("items") {
                Some(items) => Value::tuple(xs.iter().map(|x| self.walk(x, items, depth + 1)).collect()),
                None => v.clone(),
            },
            _ => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{from_json, to_json};
    use serde_json::json;

    fn doc() -> Json {
        json!({"definitions": {
            "io.k8s.api.apps.v1.Deployment": {
                "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {
                    "metadata": {"$ref": "#/definitions/meta"},
                    "spec": {"allOf": [{"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}], "description": "spec"}
                }
            },
            "meta": {"properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "io.k8s.api.apps.v1.DeploymentSpec": {"properties": {
                "replicas": {"type": "integer", "format": "int32"},
                "paused": {"type": "boolean"},
                "template": {"properties": {"spec": {"properties": {"containers": {"type": "array", "items": {"$ref": "#/definitions/c"}}}}}}
            }},
            "c": {"properties": {
                "ports": {"type": "array", "items": {"properties": {
                    "containerPort": {"type": "integer"},
                    "name": {"type": "string"}
                }}},
                "resources": {"properties": {"limits": {"type": "object", "additionalProperties": {"$ref": "#/definitions/q"}}}},
                "livenessProbe": {"properties": {"httpGet": {"properties": {"port": {"$ref": "#/definitions/ios"}}}}}
            }},
            "q": {"type": "string"},
            "ios": {"type": "string", "format": "int-or-string"}
        }})
    }

    #[test]
    fn values_take_the_schema_types() {
        let api = OpenApi::from_document(&doc()).expect("doc");
        let m = from_json(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "x", "labels": {"tier": 3}},
            "spec": {"replicas": "2", "paused": "false", "template": {"spec": {"containers": [{
                "name": "c",
                "ports": [{"containerPort": "8080", "name": 7}],
                "resources": {"limits": {"cpu": 2}},
                "livenessProbe": {"httpGet": {"port": "8080"}}
            }]}}, "unknownField": "5"}
        }));
        let out = to_json(&api.convert("apps", "v1", "Deployment", &m));
        assert_eq!(out["spec"]["replicas"], json!(2));
        assert_eq!(out["spec"]["paused"], json!(false));
        assert_eq!(out["metadata"]["labels"]["tier"], json!("3"));
        let c = &out["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["ports"][0]["containerPort"], json!(8080));
        assert_eq!(c["ports"][0]["name"], json!("7"));
        assert_eq!(c["resources"]["limits"]["cpu"], json!("2"));
        // int-or-string keeps a string; fields the schema lacks are untouched.
        assert_eq!(c["livenessProbe"]["httpGet"]["port"], json!("8080"));
        assert_eq!(out["spec"]["unknownField"], json!("5"));
        // What cannot be converted is left for the server to refuse.
        let bad = from_json(&json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "two"}}));
        assert_eq!(to_json(&api.convert("apps", "v1", "Deployment", &bad))["spec"]["replicas"], json!("two"));
        // Kinds the document lacks are unchanged.
        assert!(api.convert("apps", "v1", "StatefulSet", &m).raw_equal(&m));
    }
}
