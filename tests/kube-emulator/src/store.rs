//! The API server's state and semantics: resource types (built-in and from
//! CRDs), objects, resource versions, server-side apply with managed fields,
//! namespaces and their termination, CRD establishment, validation.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use crate::fields::{self, FieldSet};

#[derive(Clone, Debug)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub status_subresource: bool,
    /// `openAPIV3Schema` of a custom resource version.
    pub schema: Option<Value>,
    /// The CRD defining this type.
    pub crd: Option<String>,
}

impl ResourceType {
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

fn builtin(group: &str, version: &str, plural: &str, kind: &str, namespaced: bool, status: bool, short: &[&str]) -> ResourceType {
    ResourceType {
        group: group.into(),
        version: version.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        kind: kind.into(),
        namespaced,
        short_names: short.iter().map(|s| s.to_string()).collect(),
        status_subresource: status,
        schema: None,
        crd: None,
    }
}

/// `(group, plural, namespace, name)`; namespace empty for cluster-scoped objects.
type Key = (String, String, String, String);

pub struct Reply {
    pub code: u16,
    pub body: Value,
}

fn reply(code: u16, body: Value) -> Reply {
    Reply { code, body }
}

/// A `Status` error body as the API server sends it.
pub fn status(code: u16, reason: &str, message: impl Into<String>, details: Option<Value>) -> Reply {
    let mut s = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message.into(), "reason": reason, "code": code});
    if let Some(d) = details {
        s["details"] = d;
    }
    reply(code, s)
}

fn not_found(rt: &ResourceType, name: &str) -> Reply {
    status(
        404,
        "NotFound",
        format!("{} \"{name}\" not found", rt.qualified()),
        Some(json!({"name": name, "group": rt.group, "kind": rt.plural})),
    )
}

fn invalid(rt: &ResourceType, name: &str, causes: Vec<(String, String)>) -> Reply {
    let msgs: Vec<String> = causes.iter().map(|(f, m)| if f.is_empty() { m.clone() } else { format!("{f}: {m}") }).collect();
    let what = if rt.group.is_empty() { rt.kind.clone() } else { format!("{}.{}", rt.kind, rt.group) };
    let message = format!("{what} \"{name}\" is invalid: {}", join_causes(&msgs));
    let causes: Vec<Value> = causes.iter().map(|(f, m)| json!({"reason": "FieldValueInvalid", "message": m, "field": f})).collect();
    status(422, "Invalid", message, Some(json!({"name": name, "group": rt.group, "kind": rt.kind, "causes": causes})))
}

fn join_causes(m: &[String]) -> String {
    if m.len() == 1 {
        m[0].clone()
    } else {
        format!("[{}]", m.join(", "))
    }
}

fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// One `metadata.managedFields` entry.
#[derive(Clone, Debug)]
struct Managed {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    fields: FieldSet,
}

fn read_managed(obj: &Value) -> Vec<Managed> {
    let Some(list) = obj.pointer("/metadata/managedFields").and_then(Value::as_array) else { return Vec::new() };
    list.iter()
        .map(|e| Managed {
            manager: e["manager"].as_str().unwrap_or_default().to_string(),
            operation: e["operation"].as_str().unwrap_or("Update").to_string(),
            api_version: e["apiVersion"].as_str().unwrap_or_default().to_string(),
            time: e["time"].as_str().unwrap_or_default().to_string(),
            fields: fields::from_fields_v1(&e["fieldsV1"]),
        })
        .collect()
}

fn write_managed(obj: &mut Value, entries: &[Managed]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            json!({"manager": e.manager, "operation": e.operation, "apiVersion": e.api_version, "time": e.time,
                   "fieldsType": "FieldsV1", "fieldsV1": fields::to_fields_v1(&e.fields)})
        })
        .collect();
    obj["metadata"]["managedFields"] = Value::Array(list);
}

pub struct Store {
    types: Vec<ResourceType>,
    objects: BTreeMap<Key, Value>,
    rv: u64,
    /// CRDs created but not yet served: name → when they become established.
    pending_crds: Vec<(String, Instant)>,
    /// Namespaces being terminated: name → when their content is gone.
    terminating: Vec<(String, Instant)>,
    pub crd_delay: Duration,
    pub namespace_delay: Duration,
}

impl Store {
    pub fn new(crd_delay: Duration, namespace_delay: Duration) -> Store {
        let types = vec![
            builtin("", "v1", "namespaces", "Namespace", false, true, &["ns"]),
            builtin("", "v1", "configmaps", "ConfigMap", true, false, &["cm"]),
            builtin("", "v1", "secrets", "Secret", true, false, &[]),
            builtin("", "v1", "services", "Service", true, true, &["svc"]),
            builtin("", "v1", "serviceaccounts", "ServiceAccount", true, false, &["sa"]),
            builtin("", "v1", "pods", "Pod", true, true, &["po"]),
            builtin("apps", "v1", "deployments", "Deployment", true, true, &["deploy"]),
            builtin("apps", "v1", "statefulsets", "StatefulSet", true, true, &["sts"]),
            builtin("apps", "v1", "daemonsets", "DaemonSet", true, true, &["ds"]),
            builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true, &["crd", "crds"]),
            builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false, &[]),
            builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false, &[]),
            builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false, &[]),
            builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false, &[]),
            builtin("networking.k8s.io", "v1", "ingresses", "Ingress", true, true, &["ing"]),
            builtin("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, false, &[]),
            builtin("batch", "v1", "jobs", "Job", true, true, &[]),
            builtin("batch", "v1", "cronjobs", "CronJob", true, true, &["cj"]),
            builtin("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, true, &["hpa"]),
            builtin("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, &["pdb"]),
            builtin("apiregistration.k8s.io", "v1", "apiservices", "APIService", false, true, &[]),
            builtin(
                "admissionregistration.k8s.io",
                "v1",
                "mutatingwebhookconfigurations",
                "MutatingWebhookConfiguration",
                false,
                false,
                &[],
            ),
            builtin(
                "admissionregistration.k8s.io",
                "v1",
                "validatingwebhookconfigurations",
                "ValidatingWebhookConfiguration",
                false,
                false,
                &[],
            ),
        ];
        let mut s =
            Store { types, objects: BTreeMap::new(), rv: 1, pending_crds: Vec::new(), terminating: Vec::new(), crd_delay, namespace_delay };
        for ns in ["default", "kube-system", "kube-public"] {
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
            s.insert_new(&s.types[0].clone(), "", ns, obj);
        }
        s
    }

    fn next_rv(&mut self) -> String {
        self.rv += 1;
        self.rv.to_string()
    }

    fn insert_new(&mut self, rt: &ResourceType, ns: &str, name: &str, mut obj: Value) -> Value {
        let rv = self.next_rv();
        let md = obj["metadata"].as_object_mut().expect("metadata");
        md.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        md.insert("resourceVersion".into(), json!(rv));
        md.insert("creationTimestamp".into(), json!(now_rfc3339()));
        md.insert("generation".into(), json!(1));
        self.objects.insert((rt.group.clone(), rt.plural.clone(), ns.to_string(), name.to_string()), obj.clone());
        obj
    }

    // ---- time-driven controllers ----------------------------------------------

    /// Runs what controllers would have done by now: CRDs become established,
    /// terminating namespaces lose their content and go away.
    pub fn tick(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self.pending_crds.iter().filter(|(_, t)| *t <= now).map(|(n, _)| n.clone()).collect();
        self.pending_crds.retain(|(_, t)| *t > now);
        for name in due {
            let key = ("apiextensions.k8s.io".to_string(), "customresourcedefinitions".to_string(), String::new(), name.clone());
            let Some(mut crd) = self.objects.get(&key).cloned() else { continue };
            self.register_crd(&crd);
            let t = now_rfc3339();
            crd["status"] = json!({
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": t},
                    {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": t}
                ],
                "acceptedNames": crd["spec"]["names"].clone(),
                "storedVersions": crd["spec"]["versions"].as_array().map(|vs| vs.iter().filter(|v| v["storage"] == json!(true)).map(|v| v["name"].clone()).collect::<Vec<_>>()).unwrap_or_default(),
            });
            crd["metadata"]["resourceVersion"] = json!(self.next_rv());
            self.objects.insert(key, crd);
        }
        let gone: Vec<String> = self.terminating.iter().filter(|(_, t)| *t <= now).map(|(n, _)| n.clone()).collect();
        self.terminating.retain(|(_, t)| *t > now);
        for ns in gone {
            self.objects.retain(|k, _| k.2 != ns);
            self.objects.remove(&(String::new(), "namespaces".into(), String::new(), ns));
        }
    }

    fn register_crd(&mut self, crd: &Value) {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
        self.types.retain(|t| t.crd.as_deref() != Some(&name));
        let spec = &crd["spec"];
        let names = &spec["names"];
        for v in spec["versions"].as_array().into_iter().flatten() {
            if v["served"] != json!(true) {
                continue;
            }
            let kind = names["kind"].as_str().unwrap_or_default().to_string();
            self.types.push(ResourceType {
                group: spec["group"].as_str().unwrap_or_default().into(),
                version: v["name"].as_str().unwrap_or_default().into(),
                plural: names["plural"].as_str().unwrap_or_default().into(),
                singular: names["singular"].as_str().map(str::to_string).unwrap_or_else(|| kind.to_lowercase()),
                kind,
                namespaced: spec["scope"] == json!("Namespaced"),
                short_names: names["shortNames"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                status_subresource: v.pointer("/subresources/status").is_some(),
                schema: v.pointer("/schema/openAPIV3Schema").cloned(),
                crd: Some(name.clone()),
            });
        }
    }

    fn unregister_crd(&mut self, name: &str) {
        let removed: Vec<(String, String)> =
            self.types.iter().filter(|t| t.crd.as_deref() == Some(name)).map(|t| (t.group.clone(), t.plural.clone())).collect();
        self.types.retain(|t| t.crd.as_deref() != Some(name));
        self.pending_crds.retain(|(n, _)| n != name);
        for (g, p) in removed {
            self.objects.retain(|k, _| !(k.0 == g && k.1 == p));
        }
    }

    // ---- discovery -------------------------------------------------------------

    fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in &self.types {
            if t.group.is_empty() {
                continue;
            }
            match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, vs)) => {
                    if !vs.contains(&t.version) {
                        vs.push(t.version.clone())
                    }
                }
                None => out.push((t.group.clone(), vec![t.version.clone()])),
            }
        }
        out
    }

    fn group_json(g: &str, vs: &[String]) -> Value {
        let versions: Vec<Value> = vs.iter().map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v})).collect();
        json!({"name": g, "versions": versions, "preferredVersion": versions[0]})
    }

    fn resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let types: Vec<&ResourceType> = self.types.iter().filter(|t| t.group == group && t.version == version).collect();
        if types.is_empty() {
            return None;
        }
        let mut resources = Vec::new();
        for t in &types {
            let mut r = json!({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced, "kind": t.kind,
                "verbs": ["create", "delete", "get", "list", "patch", "update"]});
            if !t.short_names.is_empty() {
                r["shortNames"] = json!(t.short_names);
            }
            resources.push(r);
            if t.status_subresource {
                resources.push(json!({"name": format!("{}/status", t.plural), "singularName": "", "namespaced": t.namespaced, "kind": t.kind, "verbs": ["get", "patch", "update"]}));
            }
        }
        let gv = types[0].group_version();
        Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
    }

    // ---- requests ------------------------------------------------------------------

    /// Serves one authenticated request. `path` has no query; `query` is decoded.
    pub fn handle(&mut self, method: &str, path: &str, query: &HashMap<String, String>, content_type: &str, body: &[u8]) -> Reply {
        self.tick();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match (method, segs.as_slice()) {
            ("GET", ["version"]) => {
                return reply(200, json!({"major": "1", "minor": "35", "gitVersion": "v1.35.0-plinth-emulator", "platform": "linux/amd64"}))
            }
            ("GET", ["api"]) => return reply(200, json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})),
            ("GET", ["apis"]) => {
                let groups: Vec<Value> = self.groups().iter().map(|(g, vs)| Self::group_json(g, vs)).collect();
                return reply(200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}));
            }
            ("GET", ["apis", g]) => {
                return match self.groups().into_iter().find(|(x, _)| x == g) {
                    Some((g, vs)) => {
                        let mut v = Self::group_json(&g, &vs);
                        v["kind"] = json!("APIGroup");
                        v["apiVersion"] = json!("v1");
                        reply(200, v)
                    }
                    None => status(404, "NotFound", "the server could not find the requested resource", None),
                }
            }
            ("GET", ["api", v]) => {
                return self
                    .resource_list("", v)
                    .map(|l| reply(200, l))
                    .unwrap_or_else(|| status(404, "NotFound", "the server could not find the requested resource", None))
            }
            ("GET", ["apis", g, v]) => {
                return self
                    .resource_list(g, v)
                    .map(|l| reply(200, l))
                    .unwrap_or_else(|| status(404, "NotFound", "the server could not find the requested resource", None))
            }
            _ => {}
        }
        let (group, version, rest) = match segs.as_slice() {
            ["api", v, rest @ ..] if !rest.is_empty() => ("", *v, rest),
            ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
            _ => return status(404, "NotFound", "the server could not find the requested resource", None),
        };
        // namespaces/{ns}/{plural}[/{name}[/{sub}]] or {plural}[/{name}[/{sub}]]
        let find = |plural: &str| self.types.iter().find(|t| t.group == group && t.version == version && t.plural == plural).cloned();
        let (rt, ns, name, sub) = match rest {
            ["namespaces", ns, plural, more @ ..] if find(plural).is_some_and(|t| t.namespaced) => (
                find(plural).expect("found"),
                Some(ns.to_string()),
                more.first().map(|s| s.to_string()),
                more.get(1).map(|s| s.to_string()),
            ),
            [plural, more @ ..] => match find(plural) {
                Some(t) => (t, None, more.first().map(|s| s.to_string()), more.get(1).map(|s| s.to_string())),
                None => return status(404, "NotFound", "the server could not find the requested resource", None),
            },
            _ => return status(404, "NotFound", "the server could not find the requested resource", None),
        };
        if rest.len() > if ns.is_some() { 5 } else { 3 } {
            return status(404, "NotFound", "the server could not find the requested resource", None);
        }
        if !rt.namespaced && ns.is_some() {
            return status(404, "NotFound", "the server could not find the requested resource", None);
        }
        if rt.namespaced && ns.is_none() && name.is_some() {
            return status(404, "NotFound", "the server could not find the requested resource", None);
        }
        if let Some(s) = &sub {
            if !(s == "status" && rt.status_subresource) {
                return status(404, "NotFound", "the server could not find the requested resource", None);
            }
        }
        let dry = query.get("dryRun").is_some_and(|d| d == "All");
        let manager = query.get("fieldManager").cloned();
        let ns_str = ns.clone().unwrap_or_default();
        match (method, name) {
            ("GET", None) => self.list(&rt, ns.as_deref(), query),
            ("GET", Some(n)) => match self.objects.get(&(rt.group.clone(), rt.plural.clone(), ns_str, n.clone())) {
                Some(o) => reply(200, self.present(&rt, o)),
                None => not_found(&rt, &n),
            },
            ("POST", None) => match parse_body(body, content_type) {
                Ok(obj) => self.create(&rt, ns.as_deref(), obj, manager.as_deref().unwrap_or("unknown"), dry),
                Err(e) => e,
            },
            ("PUT", Some(n)) => match parse_body(body, content_type) {
                Ok(obj) => self.replace(&rt, ns.as_deref(), &n, obj, manager.as_deref().unwrap_or("unknown"), dry, sub.is_some()),
                Err(e) => e,
            },
            ("PATCH", Some(n)) => {
                let obj = match parse_body(body, content_type) {
                    Ok(o) => o,
                    Err(e) => return e,
                };
                let ct = content_type.split(';').next().unwrap_or("").trim();
                match ct {
                    "application/apply-patch+yaml" => {
                        let Some(m) = manager else {
                            return status(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", None);
                        };
                        let force = query.get("force").is_some_and(|f| f == "true");
                        self.apply(&rt, ns.as_deref(), &n, obj, &m, force, dry)
                    }
                    "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                        self.merge_patch(&rt, ns.as_deref(), &n, obj, manager.as_deref().unwrap_or("unknown"), dry, sub.is_some())
                    }
                    other => status(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {other}"), None),
                }
            }
            ("DELETE", Some(n)) => self.delete(&rt, ns.as_deref(), &n, dry),
            _ => status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource".to_string(), None),
        }
    }

    /// An object as served at `rt`'s version.
    fn present(&self, rt: &ResourceType, o: &Value) -> Value {
        let mut o = o.clone();
        o["apiVersion"] = json!(rt.group_version());
        o
    }

    fn list(&self, rt: &ResourceType, ns: Option<&str>, query: &HashMap<String, String>) -> Reply {
        let labels = query.get("labelSelector").map(String::as_str).unwrap_or("");
        let fsel = query.get("fieldSelector").map(String::as_str).unwrap_or("");
        let mut items: Vec<Value> = self
            .objects
            .iter()
            .filter(|(k, _)| k.0 == rt.group && k.1 == rt.plural && ns.is_none_or(|n| k.2 == n))
            .filter(|(_, o)| matches_labels(o, labels) && matches_fields(o, fsel))
            .map(|(_, o)| self.present(rt, o))
            .collect();
        let start: usize = query.get("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
        let limit: usize = query.get("limit").and_then(|l| l.parse().ok()).filter(|&l| l > 0).unwrap_or(usize::MAX);
        let total = items.len();
        items = items.into_iter().skip(start).take(limit).collect();
        let mut md = json!({"resourceVersion": self.rv.to_string()});
        if start + items.len() < total {
            md["continue"] = json!((start + items.len()).to_string());
        }
        reply(200, json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.group_version(), "metadata": md, "items": items}))
    }

    /// Checks what every write checks: kind and apiVersion, name, namespace.
    fn admit(&self, rt: &ResourceType, ns: Option<&str>, obj: &mut Value, name_from_url: Option<&str>) -> Result<(String, String), Reply> {
        if !obj.is_object() {
            return Err(status(400, "BadRequest", "the body of the request must be an object", None));
        }
        let kind = obj["kind"].as_str().unwrap_or_default();
        let av = obj["apiVersion"].as_str().unwrap_or_default();
        if kind.is_empty() || av.is_empty() {
            return Err(status(400, "BadRequest", "Object 'Kind' is missing in request body", None));
        }
        if kind != rt.kind || av != rt.group_version() {
            return Err(status(
                400,
                "BadRequest",
                format!("the API version in the data ({av}) does not match the expected API version ({})", rt.group_version()),
                None,
            ));
        }
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let mut name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if name.is_empty() {
            if let Some(g) = obj["metadata"]["generateName"].as_str().filter(|_| name_from_url.is_none()) {
                name = format!("{g}{}", &uuid::Uuid::new_v4().simple().to_string()[..5]);
                obj["metadata"]["name"] = json!(name);
            }
        }
        if let Some(u) = name_from_url {
            if name.is_empty() {
                name = u.to_string();
                obj["metadata"]["name"] = json!(name);
            } else if name != u {
                return Err(status(400, "BadRequest", "the name of the object does not match the name on the URL", None));
            }
        }
        if name.is_empty() {
            return Err(invalid(rt, "", vec![("metadata.name".into(), "Required value: name or generateName is required".into())]));
        }
        let dns_ok = |s: &str, max: usize, dots: bool| {
            !s.is_empty()
                && s.len() <= max
                && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.'))
                && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        };
        let label = rt.kind == "Namespace";
        if !dns_ok(&name, if label { 63 } else { 253 }, !label) {
            let what = if label { "a lowercase RFC 1123 label" } else { "a lowercase RFC 1123 subdomain" };
            return Err(invalid(rt, &name, vec![("metadata.name".into(), format!("Invalid value: \"{name}\": {what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"))]));
        }
        let body_ns = obj["metadata"]["namespace"].as_str().map(str::to_string);
        let ns = if rt.namespaced {
            let ns = ns.map(str::to_string).unwrap_or_default();
            match body_ns {
                Some(b) if b != ns => {
                    return Err(status(
                        400,
                        "BadRequest",
                        "the namespace of the provided object does not match the namespace sent on the request",
                        None,
                    ))
                }
                _ => {}
            }
            obj["metadata"]["namespace"] = json!(ns);
            ns
        } else {
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("namespace");
            }
            String::new()
        };
        Ok((ns, name))
    }

    /// The namespace must exist and not be terminating, for new objects.
    fn namespace_open(&self, rt: &ResourceType, ns: &str) -> Result<(), Reply> {
        if !rt.namespaced {
            return Ok(());
        }
        match self.objects.get(&(String::new(), "namespaces".into(), String::new(), ns.to_string())) {
            None => Err(status(404, "NotFound", format!("namespaces \"{ns}\" not found"), Some(json!({"name": ns, "kind": "namespaces"})))),
            Some(n) if n.pointer("/metadata/deletionTimestamp").is_some() => Err(status(
                403,
                "Forbidden",
                format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    rt.plural, ""
                ),
                None,
            )),
            Some(_) => Ok(()),
        }
    }

    /// What server-side apply's typed patch refuses before anything else, as a
    /// real kube-apiserver 1.20 does (found applying the add-on modules to one):
    /// a Service port without `protocol` (a key of the associative list, with no
    /// default in 1.20's schema), and a string where a workload's `replicas`
    /// number goes (the server converts nothing).
    fn typed_patch(rt: &ResourceType, obj: &Value) -> Result<(), String> {
        match (rt.group.as_str(), rt.kind.as_str()) {
            ("", "Service") => {
                for (i, p) in obj.pointer("/spec/ports").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    if p.get("protocol").is_none() {
                        return Err(format!(
                        ".spec.ports: element {i}: associative list with keys has an element that omits key field \"protocol\" (and doesn't have default value)"
                    ));
                    }
                }
                Ok(())
            }
            ("apps", "Deployment" | "StatefulSet" | "ReplicaSet") if obj.pointer("/spec/replicas").is_some_and(Value::is_string) => {
                Err(".spec.replicas: expected numeric (int or float), got *value.valueUnstructured".into())
            }
            _ => Ok(()),
        }
    }

    /// Type-specific validation and defaulting of a whole object about to be stored.
    fn validate(&self, rt: &ResourceType, name: &str, obj: &mut Value) -> Result<(), Reply> {
        if let Some(schema) = &rt.schema {
            let mut causes = Vec::new();
            let mut top = schema.clone();
            // apiVersion, kind and metadata are always kept whole: the API
            // server validates ObjectMeta itself and never prunes it, even
            // where the CRD's schema says only `metadata: {type: object}`.
            if let Some(props) = top.get_mut("properties").and_then(Value::as_object_mut) {
                for k in ["apiVersion", "kind", "metadata"] {
                    props.insert(k.to_string(), json!({"x-kubernetes-preserve-unknown-fields": true}));
                }
            }
            if rt.status_subresource {
                if let Some(m) = obj.as_object_mut() {
                    m.remove("status");
                }
            }
            check_schema(obj, &top, "", &mut causes);
            if !causes.is_empty() {
                return Err(invalid(rt, name, causes));
            }
        }
        match (rt.group.as_str(), rt.kind.as_str()) {
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                let causes = check_crd(obj, name);
                if !causes.is_empty() {
                    return Err(invalid(rt, name, causes));
                }
            }
            ("apps", "Deployment" | "StatefulSet") => {
                if obj.pointer("/spec/selector").is_none() {
                    return Err(invalid(rt, name, vec![("spec.selector".into(), "Required value".into())]));
                }
                if obj.pointer("/spec/replicas").is_none() {
                    obj["spec"]["replicas"] = json!(1);
                }
            }
            ("", "ConfigMap") => {
                if let Some(d) = obj.get("data").and_then(Value::as_object) {
                    for (k, v) in d {
                        if !v.is_string() {
                            return Err(status(
                                400,
                                "BadRequest",
                                format!(
                                    "json: cannot unmarshal {} into Go struct field ConfigMap.data of type string (key {k:?})",
                                    json_type_name(v)
                                ),
                                None,
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What controllers add after a write: workload status, namespace phase.
    fn controllers(rt: &ResourceType, obj: &mut Value) {
        match (rt.group.as_str(), rt.kind.as_str()) {
            ("apps", "Deployment" | "StatefulSet") => {
                let r = obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1));
                let g = obj.pointer("/metadata/generation").cloned().unwrap_or(json!(1));
                obj["status"] = json!({"observedGeneration": g, "replicas": r, "updatedReplicas": r, "readyReplicas": r, "availableReplicas": r,
                    "conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]});
            }
            ("", "Namespace") if obj.pointer("/metadata/deletionTimestamp").is_none() => {
                obj["status"] = json!({"phase": "Active"});
                obj["spec"] = json!({"finalizers": ["kubernetes"]});
            }
            _ => {}
        }
    }

    /// Stores a new version of an object (or just answers, for a dry run).
    #[allow(clippy::too_many_arguments)]
    fn commit(&mut self, rt: &ResourceType, ns: &str, name: &str, old: Option<&Value>, mut new: Value, dry: bool) -> Reply {
        if let Err(r) = self.validate(rt, name, &mut new) {
            return r;
        }
        let key = (rt.group.clone(), rt.plural.clone(), ns.to_string(), name.to_string());
        match old {
            None => {
                if let Err(r) = self.namespace_open(rt, ns) {
                    return r;
                }
                Self::controllers(rt, &mut new);
                if dry {
                    new["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
                    new["metadata"]["creationTimestamp"] = json!(now_rfc3339());
                    new["metadata"]["generation"] = json!(1);
                    return reply(201, self.present(rt, &new));
                }
                let stored = self.insert_new(rt, ns, name, new);
                if rt.kind == "CustomResourceDefinition" && rt.group == "apiextensions.k8s.io" {
                    let mut s = stored.clone();
                    s["status"] = json!({"conditions": [
                        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
                        {"type": "Established", "status": "False", "reason": "Installing", "message": "the initial names have been accepted"}]});
                    self.objects.insert(key, s.clone());
                    self.pending_crds.push((name.to_string(), Instant::now() + self.crd_delay));
                    return reply(201, self.present(rt, &s));
                }
                reply(201, self.present(rt, &stored))
            }
            Some(old) => {
                // Metadata the client cannot change.
                for k in ["uid", "creationTimestamp", "generation", "deletionTimestamp"] {
                    match old["metadata"].get(k) {
                        Some(v) => new["metadata"][k] = v.clone(),
                        None => {
                            if let Some(m) = new["metadata"].as_object_mut() {
                                m.remove(k);
                            }
                        }
                    }
                }
                if rt.status_subresource {
                    match old.get("status") {
                        Some(s) => new["status"] = s.clone(),
                        None => {
                            if let Some(m) = new.as_object_mut() {
                                m.remove("status");
                            }
                        }
                    }
                }
                Self::controllers(rt, &mut new);
                let strip = |v: &Value| {
                    let mut v = v.clone();
                    if let Some(m) = v["metadata"].as_object_mut() {
                        m.remove("resourceVersion");
                        m.remove("managedFields");
                    }
                    v
                };
                let spec_changed = {
                    let (mut a, mut b) = (strip(old), strip(&new));
                    for x in [&mut a, &mut b] {
                        if let Some(m) = x.as_object_mut() {
                            m.remove("metadata");
                            m.remove("status");
                        }
                    }
                    a != b
                };
                if spec_changed {
                    let g = old["metadata"]["generation"].as_i64().unwrap_or(1) + 1;
                    new["metadata"]["generation"] = json!(g);
                    Self::controllers(rt, &mut new);
                }
                let unchanged = strip(old) == strip(&new) && fields_of(old) == fields_of(&new);
                if unchanged {
                    return reply(200, self.present(rt, old));
                }
                if dry {
                    new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
                    return reply(200, self.present(rt, &new));
                }
                new["metadata"]["resourceVersion"] = json!(self.next_rv());
                // Finalizers removed from an object being deleted: it goes.
                if new.pointer("/metadata/deletionTimestamp").is_some()
                    && new.pointer("/metadata/finalizers").and_then(Value::as_array).is_none_or(|a| a.is_empty())
                    && rt.kind != "Namespace"
                {
                    self.objects.remove(&key);
                    return reply(200, self.present(rt, &new));
                }
                if rt.kind == "CustomResourceDefinition"
                    && rt.group == "apiextensions.k8s.io"
                    && !self.pending_crds.iter().any(|(n, _)| n == name)
                {
                    self.register_crd(&new);
                }
                self.objects.insert(key, new.clone());
                reply(200, self.present(rt, &new))
            }
        }
    }

    fn create(&mut self, rt: &ResourceType, ns: Option<&str>, mut obj: Value, manager: &str, dry: bool) -> Reply {
        let (ns, name) = match self.admit(rt, ns, &mut obj, None) {
            Ok(x) => x,
            Err(r) => return r,
        };
        if self.objects.contains_key(&(rt.group.clone(), rt.plural.clone(), ns.clone(), name.clone())) {
            return status(
                409,
                "AlreadyExists",
                format!("{} \"{name}\" already exists", rt.qualified()),
                Some(json!({"name": name, "group": rt.group, "kind": rt.plural})),
            );
        }
        strip_server_fields(&mut obj);
        let set = fields::leaves(&without_status(rt, &obj));
        write_managed(
            &mut obj,
            &[Managed {
                manager: manager.into(),
                operation: "Update".into(),
                api_version: rt.group_version(),
                time: now_rfc3339(),
                fields: set,
            }],
        );
        self.commit(rt, &ns, &name, None, obj, dry)
    }

    #[allow(clippy::too_many_arguments)]
    fn replace(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        mut obj: Value,
        manager: &str,
        dry: bool,
        status_only: bool,
    ) -> Reply {
        let (ns, name) = match self.admit(rt, ns, &mut obj, Some(name)) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let Some(old) = self.objects.get(&(rt.group.clone(), rt.plural.clone(), ns.clone(), name.clone())).cloned() else {
            return not_found(rt, &name);
        };
        if let Some(rv) = obj.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
            if Some(rv) != old.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
                return status(
                    409,
                    "Conflict",
                    format!("Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", rt.qualified()),
                    Some(json!({"name": name, "group": rt.group, "kind": rt.plural})),
                );
            }
        }
        let new = if status_only {
            let mut n = old.clone();
            n["status"] = obj.get("status").cloned().unwrap_or(Value::Null);
            n
        } else {
            obj
        };
        self.update_as(rt, &ns, &name, &old, new, manager, dry)
    }

    #[allow(clippy::too_many_arguments)]
    fn merge_patch(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: Value,
        manager: &str,
        dry: bool,
        status_only: bool,
    ) -> Reply {
        let nsk = ns.unwrap_or_default().to_string();
        let Some(old) = self.objects.get(&(rt.group.clone(), rt.plural.clone(), nsk.clone(), name.to_string())).cloned() else {
            return not_found(rt, name);
        };
        let mut new = old.clone();
        fields::merge_patch(&mut new, &patch);
        if status_only {
            let mut n = old.clone();
            n["status"] = new.get("status").cloned().unwrap_or(Value::Null);
            new = n;
        } else if rt.status_subresource {
            new["status"] = old.get("status").cloned().unwrap_or(Value::Null);
        }
        if let Err(r) = self.admit(rt, ns, &mut new, Some(name)) {
            return r;
        }
        self.update_as(rt, &nsk, name, &old, new, manager, dry)
    }

    /// An `Update` operation: the manager takes the fields it changed from
    /// everyone else.
    #[allow(clippy::too_many_arguments)]
    fn update_as(&mut self, rt: &ResourceType, ns: &str, name: &str, old: &Value, mut new: Value, manager: &str, dry: bool) -> Reply {
        strip_server_fields(&mut new);
        let before = fields::leaves(&without_status(rt, old));
        let after = fields::leaves(&without_status(rt, &new));
        let changed: FieldSet = after.iter().filter(|p| fields::get(old, p) != fields::get(&new, p)).cloned().collect();
        let removed: FieldSet = before.difference(&after).cloned().collect();
        let mut entries = read_managed(old);
        for e in &mut entries {
            e.fields.retain(|f| {
                let removed_here = removed.iter().any(|r| fields::overlaps(f, r));
                let taken = changed.iter().any(|c| fields::overlaps(f, c)) && e.manager != manager;
                !(removed_here || taken)
            });
        }
        if !changed.is_empty() {
            match entries.iter_mut().find(|e| e.manager == manager && e.operation == "Update") {
                Some(e) => {
                    e.fields.extend(changed);
                    e.time = now_rfc3339();
                }
                None => entries.push(Managed {
                    manager: manager.into(),
                    operation: "Update".into(),
                    api_version: rt.group_version(),
                    time: now_rfc3339(),
                    fields: changed,
                }),
            }
        }
        write_managed(&mut new, &entries);
        self.commit(rt, ns, name, Some(old), new, dry)
    }

    /// Server-side apply.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        mut applied: Value,
        manager: &str,
        force: bool,
        dry: bool,
    ) -> Reply {
        let (ns, name) = match self.admit(rt, ns, &mut applied, Some(name)) {
            Ok(x) => x,
            Err(r) => return r,
        };
        if let Some(rv) = applied.pointer("/metadata/resourceVersion").and_then(Value::as_str).map(str::to_string) {
            let cur = self
                .objects
                .get(&(rt.group.clone(), rt.plural.clone(), ns.clone(), name.clone()))
                .and_then(|o| o.pointer("/metadata/resourceVersion").and_then(Value::as_str).map(str::to_string));
            if cur.as_deref() != Some(rv.as_str()) {
                return status(409, "Conflict", format!("Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", rt.qualified()), None);
            }
        }
        if let Err(why) = Self::typed_patch(rt, &applied) {
            // As kube-apiserver answers (1.20): a 500 without a reason.
            let mut reply = status(500, "", format!("failed to create typed patch object: {why}"), None);
            if let Some(m) = reply.body.as_object_mut() {
                m.remove("reason");
            }
            return reply;
        }
        strip_server_fields(&mut applied);
        let applied = without_status(rt, &applied);
        let new_set = fields::leaves(&applied);
        let old = self.objects.get(&(rt.group.clone(), rt.plural.clone(), ns.clone(), name.clone())).cloned();
        let mut cur = old.clone().unwrap_or_else(|| json!({"apiVersion": rt.group_version(), "kind": rt.kind, "metadata": {"name": name}}));
        let mut entries = read_managed(&cur);
        let mine = |e: &Managed| e.manager == manager && e.operation == "Apply";
        // Conflicts: a field another manager owns, applied with a different value.
        let mut conflicts: Vec<(String, Vec<String>)> = Vec::new();
        for e in entries.iter().filter(|e| !mine(e)) {
            for q in &e.fields {
                for p in &new_set {
                    if fields::overlaps(p, q) {
                        let at = if q.len() >= p.len() { q } else { p };
                        if fields::get(&cur, at) != fields::get(&applied, at) {
                            conflicts.push((e.manager.clone(), at.clone()));
                        }
                    }
                }
            }
        }
        conflicts.sort();
        conflicts.dedup();
        if !conflicts.is_empty() && !force {
            let lines: Vec<String> = conflicts.iter().map(|(m, p)| format!("conflict with \"{m}\": {}", fields::dotted(p))).collect();
            let message = if lines.len() == 1 {
                format!("Apply failed with 1 conflict: {}", lines[0])
            } else {
                format!("Apply failed with {} conflicts: {}", lines.len(), lines.join("\n"))
            };
            let causes: Vec<Value> = conflicts.iter().map(|(m, p)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{m}\""), "field": fields::dotted(p)})).collect();
            return status(409, "Conflict", message, Some(json!({"name": name, "group": rt.group, "kind": rt.plural, "causes": causes})));
        }
        if force {
            for e in entries.iter_mut().filter(|e| !(e.manager == manager && e.operation == "Apply")) {
                e.fields.retain(|q| !new_set.iter().any(|p| fields::overlaps(p, q)));
            }
        }
        // Fields this manager applied before and no longer applies, that no one else owns, go.
        let prev: FieldSet = entries.iter().filter(|e| mine(e)).flat_map(|e| e.fields.iter().cloned()).collect();
        for q in prev.difference(&new_set) {
            let shared = entries.iter().filter(|e| !mine(e)).any(|e| e.fields.iter().any(|f| fields::overlaps(f, q)));
            let reapplied = new_set.iter().any(|p| fields::overlaps(p, q));
            if !shared && !reapplied {
                fields::remove(&mut cur, q);
            }
        }
        fields::merge(&mut cur, &applied);
        entries.retain(|e| !mine(e));
        entries.push(Managed {
            manager: manager.into(),
            operation: "Apply".into(),
            api_version: rt.group_version(),
            time: now_rfc3339(),
            fields: new_set,
        });
        write_managed(&mut cur, &entries);
        if old.is_none() {
            if let Err(r) = self.namespace_open(rt, &ns) {
                return r;
            }
        }
        let r = self.commit(rt, &ns, &name, old.as_ref(), cur, dry);
        if r.code == 201 {
            // Created by apply: the API answers 201, as for a create.
            return r;
        }
        r
    }

    fn delete(&mut self, rt: &ResourceType, ns: Option<&str>, name: &str, dry: bool) -> Reply {
        let key = (rt.group.clone(), rt.plural.clone(), ns.unwrap_or_default().to_string(), name.to_string());
        let Some(mut obj) = self.objects.get(&key).cloned() else {
            return not_found(rt, name);
        };
        if dry {
            return reply(200, self.present(rt, &obj));
        }
        if rt.kind == "Namespace" && rt.group.is_empty() {
            if obj.pointer("/metadata/deletionTimestamp").is_none() {
                obj["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                obj["status"] = json!({"phase": "Terminating"});
                obj["metadata"]["resourceVersion"] = json!(self.next_rv());
                self.objects.insert(key, obj.clone());
                self.terminating.push((name.to_string(), Instant::now() + self.namespace_delay));
            }
            return reply(200, self.present(rt, &obj));
        }
        let finalizers = obj.pointer("/metadata/finalizers").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        if finalizers {
            if obj.pointer("/metadata/deletionTimestamp").is_none() {
                obj["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                obj["metadata"]["resourceVersion"] = json!(self.next_rv());
                self.objects.insert(key, obj.clone());
            }
            return reply(200, self.present(rt, &obj));
        }
        self.objects.remove(&key);
        if rt.kind == "CustomResourceDefinition" && rt.group == "apiextensions.k8s.io" {
            self.unregister_crd(name);
        }
        reply(
            200,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": {"name": name, "group": rt.group, "kind": rt.plural, "uid": obj["metadata"]["uid"]}}),
        )
    }

    /// Every stored object as `(group, plural, namespace, name)`, for tests.
    pub fn keys(&self) -> Vec<(String, String, String, String)> {
        self.objects.keys().cloned().collect()
    }

    /// An object, for tests: `None` when absent.
    pub fn get(&self, group: &str, plural: &str, ns: &str, name: &str) -> Option<Value> {
        self.objects.get(&(group.to_string(), plural.to_string(), ns.to_string(), name.to_string())).cloned()
    }
}

fn fields_of(v: &Value) -> Vec<(String, String, FieldSet)> {
    read_managed(v).into_iter().map(|m| (m.manager, m.operation, m.fields)).collect()
}

fn without_status(rt: &ResourceType, v: &Value) -> Value {
    let mut v = v.clone();
    if rt.status_subresource {
        if let Some(m) = v.as_object_mut() {
            m.remove("status");
        }
    }
    v
}

/// Fields a client may send but the server owns.
fn strip_server_fields(obj: &mut Value) {
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "selfLink"] {
            m.remove(k);
        }
    }
}

fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn parse_body(body: &[u8], content_type: &str) -> Result<Value, Reply> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    if content_type.contains("yaml") {
        let text = std::str::from_utf8(body).map_err(|_| status(400, "BadRequest", "the body is not UTF-8", None))?;
        return crate::yaml::to_json(text).map_err(|e| status(400, "BadRequest", format!("error decoding YAML: {e}"), None));
    }
    Err(status(400, "BadRequest", "the body of the request was in an unknown format", None))
}

fn matches_labels(o: &Value, sel: &str) -> bool {
    let labels = o.pointer("/metadata/labels").and_then(Value::as_object).cloned().unwrap_or_default();
    sel.split(',').map(str::trim).filter(|s| !s.is_empty()).all(|term| {
        if let Some((k, v)) = term.split_once("!=") {
            labels.get(k.trim()).and_then(Value::as_str) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.get(k.trim()).and_then(Value::as_str) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            !labels.contains_key(k.trim())
        } else {
            labels.contains_key(term)
        }
    })
}

fn matches_fields(o: &Value, sel: &str) -> bool {
    sel.split(',').map(str::trim).filter(|s| !s.is_empty()).all(|term| {
        let (k, v, neg) = match term.split_once("!=") {
            Some((k, v)) => (k, v, true),
            None => match term.split_once("==").or_else(|| term.split_once('=')) {
                Some((k, v)) => (k, v, false),
                None => return false,
            },
        };
        let ptr = format!("/{}", k.trim().replace('.', "/"));
        let actual = o.pointer(&ptr).and_then(Value::as_str).unwrap_or("");
        (actual == v.trim()) != neg
    })
}

// ---- structural schema checks (CRDs) ------------------------------------------------

fn check_schema(v: &mut Value, s: &Value, path: &str, causes: &mut Vec<(String, String)>) {
    let at = |p: &str| if p.is_empty() { "<root>".to_string() } else { p.to_string() };
    if v.is_null() && s["nullable"] == json!(true) {
        return;
    }
    if s["x-kubernetes-int-or-string"] == json!(true) {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            causes.push((
                at(path),
                format!("Invalid value: \"{}\": {} in body must be of type integer-or-string", json_type_name(v), at(path)),
            ));
        }
        return;
    }
    let ty = s["type"].as_str().unwrap_or("");
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
        causes.push((
            at(path),
            format!("Invalid value: \"{}\": {} in body must be of type {ty}: {}", json_type_name(v), at(path), compact(v)),
        ));
        return;
    }
    if let Some(en) = s["enum"].as_array() {
        if !en.contains(v) {
            let allowed: Vec<String> = en.iter().map(compact).collect();
            causes.push((at(path), format!("Unsupported value: {}: supported values: {}", compact(v), allowed.join(", "))));
        }
    }
    match v {
        Value::Object(m) => {
            for r in s["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !m.contains_key(r) {
                    let p = if path.is_empty() { r.to_string() } else { format!("{path}.{r}") };
                    causes.push((p, "Required value".into()));
                }
            }
            let props = s["properties"].as_object();
            let preserve = s["x-kubernetes-preserve-unknown-fields"] == json!(true);
            let additional = s.get("additionalProperties").filter(|a| a.is_object());
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if let Some(ps) = props.and_then(|ps| ps.get(&k)) {
                    check_schema(m.get_mut(&k).expect("key"), ps, &p, causes);
                } else if let Some(a) = additional {
                    check_schema(m.get_mut(&k).expect("key"), a, &p, causes);
                } else if !preserve && (props.is_some() || ty == "object") {
                    // Pruning: unknown fields are dropped, as the API server does.
                    m.remove(&k);
                }
            }
        }
        Value::Array(xs) => {
            if let Some(items) = s.get("items") {
                for (i, x) in xs.iter_mut().enumerate() {
                    check_schema(x, items, &format!("{path}[{i}]"), causes);
                }
            }
        }
        _ => {}
    }
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn check_crd(obj: &Value, name: &str) -> Vec<(String, String)> {
    let mut c = Vec::new();
    let spec = &obj["spec"];
    let group = spec["group"].as_str().unwrap_or("");
    let plural = spec["names"]["plural"].as_str().unwrap_or("");
    if group.is_empty() {
        c.push(("spec.group".into(), "Required value".into()));
    }
    if plural.is_empty() {
        c.push(("spec.names.plural".into(), "Required value".into()));
    }
    if spec["names"]["kind"].as_str().unwrap_or("").is_empty() {
        c.push(("spec.names.kind".into(), "Required value".into()));
    }
    if !matches!(spec["scope"].as_str(), Some("Namespaced" | "Cluster")) {
        c.push((
            "spec.scope".into(),
            format!("Unsupported value: {}: supported values: \"Cluster\", \"Namespaced\"", compact(&spec["scope"])),
        ));
    }
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        c.push(("metadata.name".into(), format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group")));
    }
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    if versions.is_empty() {
        c.push(("spec.versions".into(), "Invalid value: null: must have exactly one version marked as storage version".into()));
    } else if versions.iter().filter(|v| v["storage"] == json!(true)).count() != 1 {
        c.push(("spec.versions".into(), "Invalid value: must have exactly one version marked as storage version".into()));
    }
    for (i, v) in versions.iter().enumerate() {
        if v.pointer("/schema/openAPIV3Schema").is_none() {
            c.push((format!("spec.versions[{i}].schema.openAPIV3Schema"), "Required value: schemas are required".into()));
        }
    }
    c
}
