//! Field sets for server-side apply: which leaf fields of an object a manager
//! owns, and their `fieldsV1` encoding in `metadata.managedFields`.
//!
//! A field is a path of map keys. Lists are atomic: a list is one leaf, owned
//! and replaced whole (as for CRD lists without `x-kubernetes-list-type`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

pub type FieldPath = Vec<String>;
pub type FieldSet = BTreeSet<FieldPath>;

/// Top-level and metadata fields that no manager owns.
fn unmanaged(path: &[String]) -> bool {
    match path {
        [] => true,
        [a] => matches!(a.as_str(), "apiVersion" | "kind" | "status"),
        [m, f, ..] if m == "metadata" => matches!(
            f.as_str(),
            "name"
                | "namespace"
                | "uid"
                | "resourceVersion"
                | "generation"
                | "creationTimestamp"
                | "managedFields"
                | "deletionTimestamp"
                | "selfLink"
        ),
        _ => false,
    }
}

/// Leaf paths of `v` (objects are walked; everything else, lists included, is a leaf).
pub fn leaves(v: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn walk(v: &Value, path: &mut Vec<String>, out: &mut FieldSet) {
    match v {
        Value::Object(m) if !m.is_empty() || path.is_empty() => {
            for (k, x) in m {
                path.push(k.clone());
                if !unmanaged(path) || (path.len() == 1 && path[0] == "metadata") {
                    walk(x, path, out);
                }
                path.pop();
            }
        }
        _ => {
            if !unmanaged(path) {
                out.insert(path.clone());
            }
        }
    }
}

pub fn get<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

/// Removes the field at `path`, then parent maps left empty (never `metadata`).
pub fn remove(v: &mut Value, path: &[String]) {
    fn rec(v: &mut Value, path: &[String], depth: usize) {
        let Some(m) = v.as_object_mut() else { return };
        if path.len() == 1 {
            m.remove(&path[0]);
            return;
        }
        if let Some(child) = m.get_mut(&path[0]) {
            rec(child, &path[1..], depth + 1);
            let empty = child.as_object().is_some_and(Map::is_empty);
            if empty && !(depth == 0 && path[0] == "metadata") {
                m.remove(&path[0]);
            }
        }
    }
    rec(v, path, 0)
}

/// True when `a` is a prefix of `b` or `b` of `a`: the two fields overlap.
pub fn overlaps(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// `{"f:data": {"f:key": {}}}`
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Value::Object(Map::new());
    for p in set {
        let mut cur = &mut root;
        for step in p {
            cur = cur.as_object_mut().expect("object").entry(format!("f:{step}")).or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

pub fn from_fields_v1(v: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    fn rec(v: &Value, path: &mut Vec<String>, out: &mut FieldSet) {
        let Some(m) = v.as_object() else { return };
        let children: Vec<_> = m.iter().filter_map(|(k, x)| k.strip_prefix("f:").map(|k| (k, x))).collect();
        if children.is_empty() {
            if !path.is_empty() {
                out.insert(path.clone());
            }
            return;
        }
        for (k, x) in children {
            path.push(k.to_string());
            rec(x, path, out);
            path.pop();
        }
    }
    rec(v, &mut Vec::new(), &mut out);
    out
}

/// Human form of a path as the API server prints it in conflicts: `.data.key`.
pub fn dotted(p: &[String]) -> String {
    p.iter().map(|s| format!(".{s}")).collect()
}

/// Deep merge: objects merge key by key, everything else is replaced.
pub fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in b {
                match a.get_mut(k) {
                    Some(y) if y.is_object() && x.is_object() => merge(y, x),
                    _ => {
                        a.insert(k.clone(), x.clone());
                    }
                }
            }
        }
        (into, from) => *into = from.clone(),
    }
}

/// JSON merge patch (RFC 7386): `null` removes.
pub fn merge_patch(into: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !into.is_object() {
                *into = Value::Object(Map::new());
            }
            let m = into.as_object_mut().expect("object");
            for (k, x) in p {
                if x.is_null() {
                    m.remove(k);
                } else {
                    merge_patch(m.entry(k.clone()).or_insert(Value::Null), x);
                }
            }
        }
        other => *into = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_skip_identity_fields() {
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}, "data": {"k": "v"}, "list": [1]});
        let l = leaves(&v);
        let strs: Vec<String> = l.iter().map(|p| dotted(p)).collect();
        assert_eq!(strs, vec![".data.k", ".list", ".metadata.labels.a"]);
        assert_eq!(from_fields_v1(&to_fields_v1(&l)), l);
    }

    #[test]
    fn remove_prunes_empty_parents() {
        let mut v = json!({"metadata": {"labels": {"a": "b"}}, "spec": {"x": {"y": 1}}});
        remove(&mut v, &["spec".into(), "x".into(), "y".into()]);
        remove(&mut v, &["metadata".into(), "labels".into(), "a".into()]);
        assert_eq!(v, json!({"metadata": {}}));
    }
}
