//! Manifests as values: normalizing configured manifests, converting to and
//! from JSON, projecting a live object onto the fields plinth manages, paths.

use std::collections::BTreeMap;

use plinth_provider::ProviderError;
use plinth_value::{Kind, Value};
use serde_json::Value as Json;

/// A configured manifest as the API sees it: null attributes dropped, every
/// collection an object or a tuple (the shape JSON gives back), unknowns kept.
pub fn normalize(v: &Value) -> Value {
    match &v.kind {
        Kind::Unknown(_) => Value::dynamic_unknown(),
        Kind::Object(m) | Kind::Map(_, m) => {
            Value::object(m.iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| (k.clone(), normalize(x))).collect::<BTreeMap<_, _>>())
        }
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => Value::tuple(xs.iter().map(normalize).collect()),
        _ => Value { kind: v.kind.clone(), marks: plinth_value::Marks::NONE },
    }
}

pub fn to_json(v: &Value) -> Json {
    plinth_value::value_to_json(v)
}

pub fn from_json(j: &Json) -> Value {
    normalize(&plinth_value::value_from_json(j, &plinth_value::Type::Dynamic).unwrap_or_else(|_| Value::dynamic_null()))
}

/// The live object restricted to the shape of `shape` (the applied manifest):
/// the fields plinth sets. Scalars, and lists of another length than the
/// manifest's, are taken whole; lists of its length element by element;
/// fields the object lacks are left out.
pub fn project(live: &Json, shape: &Value) -> Value {
    match (&shape.kind, live) {
        (Kind::Object(m), Json::Object(lm)) => {
            let mut out = BTreeMap::new();
            for (k, s) in m.iter() {
                if let Some(l) = lm.get(k) {
                    if !l.is_null() {
                        out.insert(k.clone(), project(l, s));
                    }
                }
            }
            Value::object(out)
        }
        // A list the manifest sets element by element: each element keeps
        // the manifest's fields only (a Service port's server-allocated
        // `nodePort` is not the manifest's, and differs between a dry run
        // and the real apply).
        (Kind::Tuple(xs), Json::Array(la)) if xs.len() == la.len() => {
            Value::tuple(la.iter().zip(xs.iter()).map(|(l, s)| project(l, s)).collect())
        }
        _ => from_json(live),
    }
}

/// Which object a manifest names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl Ident {
    pub fn group(&self) -> &str {
        self.api_version.split_once('/').map(|(g, _)| g).unwrap_or("")
    }
    pub fn version(&self) -> &str {
        self.api_version.split_once('/').map(|(_, v)| v).unwrap_or(&self.api_version)
    }
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{} ({})", self.kind, ns, self.name, self.api_version),
            None => write!(f, "{} {} ({})", self.kind, self.name, self.api_version),
        }
    }
}

pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.as_entries()?.get(*p)?;
    }
    Some(cur)
}

pub fn get_string(v: &Value, path: &[&str]) -> Option<String> {
    get(v, path).and_then(|x| x.as_str().map(str::to_string))
}

/// The identity of a manifest; `Ok(None)` while any part is unknown.
pub fn ident(manifest: &Value) -> Result<Option<Ident>, ProviderError> {
    let invalid = |d: &str| ProviderError::new("Invalid manifest", d).at(vec![plinth_provider::PathStep::Attr("manifest".into())]);
    if manifest.is_unknown() {
        return Ok(None);
    }
    if manifest.as_entries().is_none() || !matches!(manifest.kind, Kind::Object(_) | Kind::Map(..)) {
        return Err(invalid("The manifest must be an object with apiVersion, kind and metadata."));
    }
    let parts = [get(manifest, &["apiVersion"]), get(manifest, &["kind"]), get(manifest, &["metadata", "name"])];
    if parts.iter().any(|p| p.is_some_and(Value::is_unknown)) || get(manifest, &["metadata", "namespace"]).is_some_and(Value::is_unknown) {
        return Ok(None);
    }
    let Some(api_version) = get_string(manifest, &["apiVersion"]) else { return Err(invalid("The manifest has no \"apiVersion\".")) };
    let Some(kind) = get_string(manifest, &["kind"]) else { return Err(invalid("The manifest has no \"kind\".")) };
    let Some(name) = get_string(manifest, &["metadata", "name"]) else { return Err(invalid("The manifest has no \"metadata.name\".")) };
    Ok(Some(Ident { api_version, kind, name, namespace: get_string(manifest, &["metadata", "namespace"]) }))
}

/// `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`
pub fn parse_path(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let mut inner = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    inner.push(d);
                }
                out.push(inner.trim_matches('"').to_string());
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The value at `path` (object keys and tuple indices).
pub fn get_path<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = match &cur.kind {
            Kind::Object(m) | Kind::Map(_, m) => m.get(p)?,
            Kind::Tuple(xs) | Kind::List(_, xs) => xs.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// `v` with the value at `path` replaced, when `path` exists.
pub fn replace_path(v: &Value, path: &[String], x: Value) -> Value {
    let Some((first, rest)) = path.split_first() else { return x };
    match &v.kind {
        Kind::Object(m) if m.contains_key(first) => {
            let mut m = (**m).clone();
            let inner = replace_path(&m[first], rest, x);
            m.insert(first.clone(), inner);
            Value::object(m)
        }
        Kind::Tuple(xs) => match first.parse::<usize>() {
            Ok(i) if i < xs.len() => {
                let mut xs = (**xs).clone();
                xs[i] = replace_path(&xs[i], rest, x);
                Value::tuple(xs)
            }
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

/// A live object as a manifest one could apply: server-set fields removed.
pub fn clean_live(j: &Json) -> Json {
    let mut j = j.clone();
    if let Some(m) = j.as_object_mut() {
        m.remove("status");
        if let Some(md) = m.get_mut("metadata").and_then(Json::as_object_mut) {
            for k in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "selfLink",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
            ] {
                md.remove(k);
            }
            if let Some(a) = md.get_mut("annotations").and_then(Json::as_object_mut) {
                a.remove("kubectl.kubernetes.io/last-applied-configuration");
                if a.is_empty() {
                    md.remove("annotations");
                }
            }
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(parse_path("metadata.labels[\"a.b/c\"]"), vec!["metadata", "labels", "a.b/c"]);
        assert_eq!(parse_path("spec.containers[0].image"), vec!["spec", "containers", "0", "image"]);
    }

    #[test]
    fn projection_goes_into_list_elements() {
        let live: Json = serde_json::json!({"spec": {"ports": [{"port": 80, "protocol": "TCP", "nodePort": 30643}], "tags": ["a", "b"]}});
        let shape = from_json(&serde_json::json!({"spec": {"ports": [{"port": 80, "protocol": "TCP"}], "tags": ["a"]}}));
        // Elements keep the manifest's fields; a list of another length is the server's.
        assert_eq!(
            to_json(&project(&live, &shape)),
            serde_json::json!({"spec": {"ports": [{"port": 80, "protocol": "TCP"}], "tags": ["a", "b"]}})
        );
    }

    #[test]
    fn projection_keeps_only_managed_shape() {
        let live: Json = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "uid": "u", "labels": {"a": "1", "b": "2"}}, "data": {"k": "v"}});
        let shape = from_json(
            &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "1"}}, "data": {"k": "old"}}),
        );
        let p = project(&live, &shape);
        assert_eq!(
            to_json(&p),
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "1"}}, "data": {"k": "v"}})
        );
    }
}
