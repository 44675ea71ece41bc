//! The `kubernetes` provider (`registry.terraform.io/hashicorp/kubernetes`) on
//! `kube`: `kubernetes_manifest` and `kubernetes_namespace` by server-side
//! apply with field manager `plinth`, the data sources `kubernetes_resource`
//! and `kubernetes_resources`, and the `manifest_*` provider functions.
//!
//! What plinth manages of an object is what its manifest sets: refresh reads
//! the live object and keeps only those fields (`object`), so fields set by
//! controllers or other managers are never drift, and fields plinth sets that
//! someone else changed are. Plans show the server's answer to a dry-run apply
//! when the API server can be asked, and the configured manifest otherwise.
//! A custom resource whose kind is not served yet but whose CRD is in the same
//! configuration is checked against the CRD's schema, ordered after it
//! ([`Provider::review_plan`]), and applied once the CRD is `Established`.

mod client;
mod functions;
mod manifest;
mod openapi;
mod review;
mod schema;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use plinth_provider::{
    ApplyRequest, PathStep, PlanRequest, PlanResponse, PlanReview, PlannedInstance, Provider, ProviderError, ProviderSchema,
};
use plinth_value::{Type, Value};
use serde_json::Value as Json;

use client::{api_error, status_code, status_message, Conn, Served, Settings};
pub use functions::functions;
use manifest::{from_json, ident, normalize, project, to_json, Ident};

pub const SOURCE: &str = "registry.terraform.io/hashicorp/kubernetes";
const DEFAULT_MANAGER: &str = "plinth";

enum Connection {
    /// `configure` not called yet.
    Unconfigured,
    /// The configuration is not known yet (it depends on resources still to be
    /// created): plan from configuration only.
    Deferred,
    /// No host, kubeconfig or in-cluster environment.
    Missing,
    Ready(Arc<Conn>),
}

pub struct KubernetesProvider {
    schema: ProviderSchema,
    conn: RwLock<Connection>,
}

impl Default for KubernetesProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn attr(v: &Value, name: &str) -> Value {
    v.as_entries().and_then(|m| m.get(name)).cloned().unwrap_or_else(Value::dynamic_null)
}

fn opt_str(v: &Value, name: &str) -> Option<String> {
    v.as_entries().and_then(|m| m.get(name)).and_then(|x| x.as_str().map(str::to_string))
}

/// Runs a future to completion from synchronous code inside the runtime
/// (planning is synchronous in the provider protocol). `None` outside a
/// multi-threaded runtime, where blocking is not possible.
fn block_on<F: std::future::Future>(f: F) -> Option<F::Output> {
    let h = tokio::runtime::Handle::try_current().ok()?;
    if h.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return None;
    }
    Some(tokio::task::block_in_place(|| h.block_on(f)))
}

fn timeout_of(config: &Value, which: &str, default: Duration) -> Duration {
    let t = attr(config, "timeouts");
    opt_str(&t, which).and_then(|s| plinth_value::go::parse_duration_std(&s).ok()).unwrap_or(default)
}

impl KubernetesProvider {
    pub fn new() -> KubernetesProvider {
        KubernetesProvider { schema: schema::provider_schema(), conn: RwLock::new(Connection::Unconfigured) }
    }

    fn ready(&self) -> Option<Arc<Conn>> {
        match &*self.conn.read().expect("conn") {
            Connection::Ready(c) => Some(c.clone()),
            _ => None,
        }
    }

    fn conn(&self) -> Result<Arc<Conn>, ProviderError> {
        match &*self.conn.read().expect("conn") {
            Connection::Ready(c) => Ok(c.clone()),
            Connection::Deferred => Err(ProviderError::new(
                "Provider configuration is not known yet",
                "The kubernetes provider's configuration depends on values known only after apply; apply what it depends on first.",
            )),
            Connection::Missing | Connection::Unconfigured => Err(ProviderError::new(
                "Kubernetes cluster unreachable",
                "The kubernetes provider has no cluster to talk to: set host (with token or client certificate), config_path, or KUBECONFIG.",
            )),
        }
    }

    // ---- kubernetes_manifest ----------------------------------------------------

    /// The served type of a manifest's kind, waiting (bounded) for a CRD that
    /// defines it to become `Established`.
    async fn served_waiting(&self, conn: &Conn, id: &Ident, deadline: Instant) -> Result<Served, ProviderError> {
        let no_kind = || {
            ProviderError::new(
                "Kind not served",
                format!("no matches for kind \"{}\" in version \"{}\": the API server does not serve it and no CustomResourceDefinition defines it", id.kind, id.api_version),
            )
        };
        let mut crd_seen_at: Option<Instant> = None;
        let started = Instant::now();
        loop {
            if let Some(s) = conn.resolve(&id.api_version, &id.kind).await? {
                return Ok(s);
            }
            // Is a CRD for it on its way?
            let crds = conn
                .list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                .await
                .map_err(|e| api_error("Failed to list CustomResourceDefinitions", e))?;
            let crd = crds["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["spec"]["group"] == id.group() && c["spec"]["names"]["kind"] == id.kind.as_str())
                .cloned();
            match crd {
                Some(c) => {
                    crd_seen_at.get_or_insert_with(Instant::now);
                    let established = c["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| x["type"] == "Established" && x["status"] == "True");
                    if established {
                        conn.forget(&id.api_version);
                    }
                }
                None if started.elapsed() > Duration::from_secs(10) => return Err(no_kind()),
                None => {}
            }
            if Instant::now() > deadline {
                return Err(ProviderError::new(
                    "Timed out",
                    format!("waiting for the CustomResourceDefinition of {} to be established", id.kind),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn object_path(conn: &Conn, served: &Served, id: &Ident) -> String {
        let ns = if served.namespaced { Some(id.namespace.clone().unwrap_or_else(|| conn.default_namespace.clone())) } else { None };
        served.path(ns.as_deref(), Some(&id.name))
    }

    fn plan_manifest(&self, req: &PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let cfg = req.config;
        let manifest = normalize(&attr(cfg, "manifest"));
        let id = ident(&manifest)?;
        let mut planned = cfg.as_entries().cloned().unwrap_or_default();
        planned.insert("manifest".into(), manifest.clone());
        let requires_replace: Vec<_> = [vec!["apiVersion"], vec!["kind"], vec!["metadata", "name"], vec!["metadata", "namespace"]]
            .iter()
            .map(|p| std::iter::once(PathStep::Attr("manifest".into())).chain(p.iter().map(|s| PathStep::Attr(s.to_string()))).collect())
            .collect();
        let computed: Vec<Vec<String>> = match attr(cfg, "computed_fields").as_seq() {
            Some(xs) => xs.iter().filter_map(|x| x.as_str().map(manifest::parse_path)).collect(),
            None => vec![vec!["metadata".into(), "labels".into()], vec!["metadata".into(), "annotations".into()]],
        };
        let object = match (&id, manifest.is_wholly_known()) {
            (Some(id), true) => {
                // What is sent: values of the types the server's schema says.
                let sent = match self.ready() {
                    Some(conn) => block_on(typed(&conn, id, &manifest)).unwrap_or_else(|| manifest.clone()),
                    None => manifest.clone(),
                };
                match self.dry_run(id, &sent, cfg)? {
                    Some(answer) => project(&answer, &sent),
                    None => self.offline_object(&sent, req.prior, &computed),
                }
            }
            _ => Value::dynamic_unknown(),
        };
        planned.insert("object".into(), object);
        Ok(PlanResponse { planned: Value::object(planned), requires_replace })
    }

    /// The configured manifest as the planned object: fields in
    /// `computed_fields` unknown unless unchanged since the last apply.
    fn offline_object(&self, manifest: &Value, prior: Option<&Value>, computed: &[Vec<String>]) -> Value {
        let mut obj = manifest.clone();
        let prior_manifest = prior.map(|p| attr(p, "manifest"));
        let prior_object = prior.map(|p| attr(p, "object"));
        for path in computed {
            let Some(cur) = manifest::get_path(manifest, path) else { continue };
            let unchanged = prior_manifest.as_ref().and_then(|m| manifest::get_path(m, path)).is_some_and(|p| p.raw_equal(cur));
            let replacement = match (unchanged, prior_object.as_ref().and_then(|o| manifest::get_path(o, path))) {
                (true, Some(live)) => live.clone(),
                _ => Value::dynamic_unknown(),
            };
            obj = manifest::replace_path(&obj, path, replacement);
        }
        obj
    }

    /// The server's answer to a dry-run apply, when it can give one.
    fn dry_run(&self, id: &Ident, manifest: &Value, cfg: &Value) -> Result<Option<Json>, ProviderError> {
        let Some(conn) = self.ready() else { return Ok(None) };
        let (mgr, force) = field_manager(cfg);
        let r = block_on(async {
            let Some(served) = conn.resolve(&id.api_version, &id.kind).await? else { return Ok(None) };
            let body = to_json(manifest);
            let path = Self::object_path(&conn, &served, id);
            match conn.apply(&path, &body, &mgr, force, true).await {
                Ok(v) => Ok(Some(v)),
                // Invalid objects are reported now; anything else (a namespace
                // still to be created, a conflict apply will report) plans from
                // the configuration.
                Err(e) if matches!(status_code(&e), Some(400 | 422)) => Err(api_error("Invalid manifest", e)),
                Err(_) => Ok(None),
            }
        });
        r.unwrap_or(Ok(None))
    }

    async fn apply_manifest(&self, req: &ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let conn = self.conn()?;
        let Some(planned) = req.planned else {
            let prior = req.prior.expect("delete has prior");
            let id = ident(&attr(prior, "manifest"))?
                .ok_or_else(|| ProviderError::new("Invalid state", "The manifest in state is incomplete."))?;
            let cfg = req.config.unwrap_or(prior);
            self.delete_object(&conn, &id, timeout_of(cfg, "delete", Duration::from_secs(600))).await?;
            return Ok(Value::dynamic_null());
        };
        let cfg = req.config.unwrap_or(planned);
        let manifest = normalize(&attr(planned, "manifest"));
        let id =
            ident(&manifest)?.ok_or_else(|| ProviderError::new("Invalid manifest", "The manifest is not wholly known at apply time."))?;
        let which = if req.prior.is_some() { "update" } else { "create" };
        let deadline = Instant::now() + timeout_of(cfg, which, Duration::from_secs(600));
        let served = self.served_waiting(&conn, &id, deadline).await?;
        let path = Self::object_path(&conn, &served, &id);
        let (mgr, force) = field_manager(cfg);
        let body = to_json(&typed(&conn, &id, &manifest).await);
        let started = Instant::now();
        let live = loop {
            match conn.apply(&path, &body, &mgr, force, false).await {
                Ok(v) => break v,
                // The namespace may be created by this same apply, a moment ago.
                Err(e)
                    if status_code(&e) == Some(404)
                        && started.elapsed() < Duration::from_secs(10)
                        && status_message(&e).starts_with("namespaces ") =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(api_error(&format!("Failed to apply {id}"), e)),
            }
        };
        let live = self.wait_for(&conn, &path, &id, live, &attr(cfg, "wait"), deadline).await?;
        let mut out = planned.as_entries().cloned().unwrap_or_default();
        out.insert("manifest".into(), manifest.clone());
        out.insert("object".into(), project(&live, &manifest));
        Ok(Value::object(out))
    }

    /// `wait { rollout, condition { type, status }, fields }`, bounded by `deadline`.
    async fn wait_for(
        &self,
        conn: &Conn,
        path: &str,
        id: &Ident,
        mut live: Json,
        wait: &Value,
        deadline: Instant,
    ) -> Result<Json, ProviderError> {
        if wait.is_null() {
            return Ok(live);
        }
        let rollout = attr(wait, "rollout").as_bool() == Some(true);
        let conditions: Vec<(Option<String>, Option<String>)> = attr(wait, "condition")
            .as_seq()
            .map(|xs| xs.iter().map(|c| (opt_str(c, "type"), opt_str(c, "status"))).collect())
            .unwrap_or_default();
        let fields: Vec<(String, String)> = attr(wait, "fields")
            .as_entries()
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
            .unwrap_or_default();
        loop {
            let mut ok = true;
            if rollout && matches!(id.kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") {
                let st = &live["status"];
                let gen = live["metadata"]["generation"].as_i64().unwrap_or(0);
                let want = live["spec"]["replicas"].as_i64().unwrap_or(1);
                ok &= st["observedGeneration"].as_i64().unwrap_or(0) >= gen
                    && st["updatedReplicas"].as_i64().unwrap_or(0) >= want
                    && st["readyReplicas"].as_i64().unwrap_or(0) >= want;
            }
            for (t, s) in &conditions {
                ok &=
                    live["status"]["conditions"].as_array().into_iter().flatten().any(|c| {
                        t.as_ref().is_none_or(|t| c["type"] == t.as_str()) && s.as_ref().is_none_or(|s| c["status"] == s.as_str())
                    });
            }
            for (p, pattern) in &fields {
                let steps = manifest::parse_path(p);
                let mut cur = &live;
                for s in &steps {
                    cur = match cur {
                        Json::Array(xs) => s.parse::<usize>().ok().and_then(|i| xs.get(i)).unwrap_or(&Json::Null),
                        other => other.get(s).unwrap_or(&Json::Null),
                    };
                }
                let text = match cur {
                    Json::String(s) => s.clone(),
                    Json::Null => {
                        ok = false;
                        continue;
                    }
                    other => other.to_string(),
                };
                ok &= regex::Regex::new(&format!("^(?:{pattern})$")).map(|r| r.is_match(&text)).unwrap_or(text == *pattern);
            }
            if ok {
                return Ok(live);
            }
            if Instant::now() > deadline {
                return Err(ProviderError::new("Timed out", format!("waiting for {id} to satisfy its wait conditions")));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            live = conn.get(path).await.map_err(|e| api_error(&format!("Failed to read {id}"), e))?.unwrap_or(live);
        }
    }

    /// Deletes and waits until the object is gone (finalizers run), bounded.
    async fn delete_object(&self, conn: &Conn, id: &Ident, timeout: Duration) -> Result<(), ProviderError> {
        let Some(served) = conn.resolve(&id.api_version, &id.kind).await? else { return Ok(()) };
        let path = Self::object_path(conn, &served, id);
        if !conn.delete(&path).await.map_err(|e| api_error(&format!("Failed to delete {id}"), e))? {
            return Ok(());
        }
        let deadline = Instant::now() + timeout;
        loop {
            match conn.get(&path).await {
                Ok(None) => return Ok(()),
                Err(e) if status_code(&e) == Some(404) => return Ok(()),
                Ok(Some(_)) | Err(_) if Instant::now() > deadline => {
                    return Err(ProviderError::new("Timed out", format!("waiting for {id} to be deleted (finalizers may be blocking it)")))
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    async fn read_manifest(&self, state: &Value) -> Result<Option<Value>, ProviderError> {
        let Some(conn) = self.ready() else { return Ok(Some(state.clone())) };
        let manifest = attr(state, "manifest");
        let Some(id) = ident(&manifest)? else { return Ok(Some(state.clone())) };
        let Some(served) = conn.resolve(&id.api_version, &id.kind).await? else { return Ok(None) };
        let path = Self::object_path(&conn, &served, &id);
        let Some(live) = conn.get(&path).await.map_err(|e| api_error(&format!("Failed to read {id}"), e))? else { return Ok(None) };
        let mut out = state.as_entries().cloned().unwrap_or_default();
        out.insert("object".into(), project(&live, &manifest));
        Ok(Some(Value::object(out)))
    }

    async fn import_manifest(&self, import_id: &str) -> Result<Value, ProviderError> {
        let conn = self.conn()?;
        let mut parts = std::collections::BTreeMap::new();
        for kv in import_id.split(',') {
            let (k, v) = kv.split_once('=').ok_or_else(|| import_format_error(import_id))?;
            parts.insert(k.trim().to_string(), v.trim().to_string());
        }
        let id = Ident {
            api_version: parts.get("apiVersion").cloned().ok_or_else(|| import_format_error(import_id))?,
            kind: parts.get("kind").cloned().ok_or_else(|| import_format_error(import_id))?,
            name: parts.get("name").cloned().ok_or_else(|| import_format_error(import_id))?,
            namespace: parts.get("namespace").cloned(),
        };
        let served = conn.resolve(&id.api_version, &id.kind).await?.ok_or_else(|| {
            ProviderError::new("Kind not served", format!("no matches for kind \"{}\" in version \"{}\"", id.kind, id.api_version))
        })?;
        let path = Self::object_path(&conn, &served, &id);
        let live = conn
            .get(&path)
            .await
            .map_err(|e| api_error(&format!("Failed to read {id}"), e))?
            .ok_or_else(|| ProviderError::new("Cannot import non-existent remote object", format!("{id} does not exist.")))?;
        let manifest = from_json(&manifest::clean_live(&live));
        let ty = self.schema.resources["kubernetes_manifest"].block.implied_type();
        let mut out = plinth_provider::null_object(&ty).as_entries().cloned().unwrap_or_default();
        out.insert("object".into(), project(&live, &manifest));
        out.insert("manifest".into(), manifest);
        Ok(Value::object(out))
    }

    // ---- kubernetes_namespace ------------------------------------------------------

    fn plan_namespace(&self, req: &PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let cfg = req.config;
        let md_cfg = attr(cfg, "metadata").as_seq().and_then(|xs| xs.first().cloned()).unwrap_or_else(Value::dynamic_null);
        let md_prior = req.prior.and_then(|p| attr(p, "metadata").as_seq().and_then(|xs| xs.first().cloned()));
        let name = attr(&md_cfg, "name");
        let same = md_prior.as_ref().is_some_and(|p| name.is_unknown() || attr(p, "name").raw_equal(&name) || name.is_null());
        let keep = |k: &str, ty: Type| match (&md_prior, same) {
            (Some(p), true) => attr(p, k),
            _ => Value::unknown(ty),
        };
        let mut md = md_cfg.as_entries().cloned().unwrap_or_default();
        if name.is_null() {
            md.insert("name".into(), keep("name", Type::String));
        }
        md.insert("uid".into(), keep("uid", Type::String));
        md.insert("resource_version".into(), keep("resource_version", Type::String));
        md.insert("generation".into(), keep("generation", Type::Number));
        let md_ty = self.schema.resources["kubernetes_namespace"].block.blocks["metadata"].block.implied_type();
        let md_val =
            plinth_value::convert(&Value::object(md), &md_ty).map_err(|e| ProviderError::new("Invalid metadata", e.to_string()))?;
        let mut planned = cfg.as_entries().cloned().unwrap_or_default();
        planned.insert("metadata".into(), Value::list(md_ty, vec![md_val]));
        planned.insert(
            "id".into(),
            if same { req.prior.map(|p| attr(p, "id")).unwrap_or_else(|| Value::unknown(Type::String)) } else { name.clone() },
        );
        if planned.get("id").is_some_and(Value::is_null) {
            planned.insert("id".into(), Value::unknown(Type::String));
        }
        let rr = vec![vec![PathStep::Attr("metadata".into()), PathStep::Index(0), PathStep::Attr("name".into())]];
        Ok(PlanResponse { planned: Value::object(planned), requires_replace: rr })
    }

    fn namespace_state(&self, base: &Value, live: &Json) -> Value {
        let md_ty = self.schema.resources["kubernetes_namespace"].block.blocks["metadata"].block.implied_type();
        let md_base = attr(base, "metadata").as_seq().and_then(|xs| xs.first().cloned()).unwrap_or_else(Value::dynamic_null);
        // Labels and annotations: only the keys configured (controllers add their own).
        let filtered = |k: &str| -> Value {
            let configured = attr(&md_base, k);
            let Some(keys) = configured.as_entries() else { return Value::null(Type::map(Type::String)) };
            let live_map = live["metadata"][k].as_object();
            let m: std::collections::BTreeMap<String, Value> = keys
                .keys()
                .filter_map(|key| live_map.and_then(|lm| lm.get(key)).and_then(Json::as_str).map(|v| (key.clone(), Value::string(v))))
                .collect();
            Value::map(Type::String, m)
        };
        let mut md = md_base.as_entries().cloned().unwrap_or_default();
        let name = live["metadata"]["name"].as_str().unwrap_or_default().to_string();
        md.insert("name".into(), Value::string(name.as_str()));
        md.insert("labels".into(), filtered("labels"));
        md.insert("annotations".into(), filtered("annotations"));
        md.insert("uid".into(), Value::string(live["metadata"]["uid"].as_str().unwrap_or_default()));
        md.insert("resource_version".into(), Value::string(live["metadata"]["resourceVersion"].as_str().unwrap_or_default()));
        md.insert("generation".into(), Value::int(live["metadata"]["generation"].as_i64().unwrap_or(0)));
        let md = plinth_value::convert(&Value::object(md), &md_ty).unwrap_or_else(|_| Value::null(md_ty.clone()));
        let mut out = base.as_entries().cloned().unwrap_or_default();
        out.insert("metadata".into(), Value::list(md_ty, vec![md]));
        out.insert("id".into(), Value::string(name.as_str()));
        Value::object(out)
    }

    async fn apply_namespace(&self, req: &ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let conn = self.conn()?;
        let ns_of = |v: &Value| attr(v, "metadata").as_seq().and_then(|xs| xs.first().cloned()).and_then(|m| opt_str(&m, "name"));
        let Some(planned) = req.planned else {
            let prior = req.prior.expect("delete has prior");
            let name = ns_of(prior).unwrap_or_default();
            let id = Ident { api_version: "v1".into(), kind: "Namespace".into(), name, namespace: None };
            self.delete_object(&conn, &id, timeout_of(prior, "delete", Duration::from_secs(600))).await?;
            return Ok(Value::dynamic_null());
        };
        let md = attr(planned, "metadata").as_seq().and_then(|xs| xs.first().cloned()).unwrap_or_else(Value::dynamic_null);
        let mut meta = serde_json::Map::new();
        let name = match opt_str(&md, "name") {
            Some(n) => n,
            None => match opt_str(&md, "generate_name") {
                Some(g) => format!("{g}{}", &uuid_suffix()),
                None => return Err(ProviderError::new("Invalid namespace", "metadata.name or metadata.generate_name is required.")),
            },
        };
        meta.insert("name".into(), Json::from(name.as_str()));
        for k in ["labels", "annotations"] {
            let v = attr(&md, k);
            if v.as_entries().is_some_and(|m| !m.is_empty()) {
                meta.insert(k.into(), to_json(&v));
            }
        }
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta});
        let path = format!("/api/v1/namespaces/{name}");
        let live = conn
            .apply(&path, &body, DEFAULT_MANAGER, false, false)
            .await
            .map_err(|e| api_error(&format!("Failed to apply Namespace {name}"), e))?;
        if attr(planned, "wait_for_default_service_account").as_bool() == Some(true) {
            let deadline = Instant::now() + Duration::from_secs(60);
            while conn.get(&format!("/api/v1/namespaces/{name}/serviceaccounts/default")).await.ok().flatten().is_none()
                && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
        Ok(self.namespace_state(planned, &live))
    }

    async fn read_namespace(&self, state: &Value) -> Result<Option<Value>, ProviderError> {
        let Some(conn) = self.ready() else { return Ok(Some(state.clone())) };
        let name =
            attr(state, "metadata").as_seq().and_then(|xs| xs.first().cloned()).and_then(|m| opt_str(&m, "name")).unwrap_or_default();
        match conn
            .get(&format!("/api/v1/namespaces/{name}"))
            .await
            .map_err(|e| api_error(&format!("Failed to read Namespace {name}"), e))?
        {
            None => Ok(None),
            Some(live) => Ok(Some(self.namespace_state(state, &live))),
        }
    }

    // ---- data sources --------------------------------------------------------------

    async fn read_resource_data(&self, config: &Value) -> Result<Value, ProviderError> {
        let conn = self.conn()?;
        let md = attr(config, "metadata");
        let id = Ident {
            api_version: opt_str(config, "api_version").unwrap_or_default(),
            kind: opt_str(config, "kind").unwrap_or_default(),
            name: opt_str(&md, "name").unwrap_or_default(),
            namespace: opt_str(&md, "namespace"),
        };
        let served = conn.resolve(&id.api_version, &id.kind).await?.ok_or_else(|| {
            ProviderError::new("Kind not served", format!("no matches for kind \"{}\" in version \"{}\"", id.kind, id.api_version))
        })?;
        let path = Self::object_path(&conn, &served, &id);
        let live = conn
            .get(&path)
            .await
            .map_err(|e| api_error(&format!("Failed to read {id}"), e))?
            .ok_or_else(|| ProviderError::new("Object not found", format!("{id} does not exist.")))?;
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("object".into(), from_json(&live));
        Ok(Value::object(out))
    }

    async fn read_resources_data(&self, config: &Value) -> Result<Value, ProviderError> {
        let conn = self.conn()?;
        let api_version = opt_str(config, "api_version").unwrap_or_default();
        let kind = opt_str(config, "kind").unwrap_or_default();
        let served = conn
            .resolve(&api_version, &kind)
            .await?
            .ok_or_else(|| ProviderError::new("Kind not served", format!("no matches for kind \"{kind}\" in version \"{api_version}\"")))?;
        let ns = opt_str(config, "namespace");
        let base = served.path(ns.as_deref(), None);
        let limit = attr(config, "limit").as_number().and_then(|n| n.to_i64()).filter(|&l| l > 0);
        let mut query = Vec::new();
        if let Some(s) = opt_str(config, "label_selector") {
            query.push(format!("labelSelector={}", client::urlencode(&s)));
        }
        if let Some(s) = opt_str(config, "field_selector") {
            query.push(format!("fieldSelector={}", client::urlencode(&s)));
        }
        let mut items = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut q = query.clone();
            q.push(format!("limit={}", limit.map(|l| (l as usize - items.len()).min(500)).unwrap_or(500)));
            if let Some(c) = &cont {
                q.push(format!("continue={}", client::urlencode(c)));
            }
            let page = conn.list(&format!("{base}?{}", q.join("&"))).await.map_err(|e| api_error(&format!("Failed to list {kind}"), e))?;
            for it in page["items"].as_array().into_iter().flatten() {
                let mut it = it.clone();
                it["apiVersion"] = Json::from(api_version.as_str());
                it["kind"] = Json::from(kind.as_str());
                items.push(from_json(&it));
            }
            cont = page["metadata"]["continue"].as_str().filter(|c| !c.is_empty()).map(str::to_string);
            if cont.is_none() || limit.is_some_and(|l| items.len() as i64 >= l) {
                break;
            }
        }
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("objects".into(), Value::tuple(items));
        Ok(Value::object(out))
    }
}

/// The manifest with its values converted to the types of the server's
/// OpenAPI schema for its kind (`openapi.rs`), as configured when the server
/// publishes none.
async fn typed(conn: &Conn, id: &Ident, manifest: &Value) -> Value {
    match conn.openapi_for(id.group(), id.version(), &id.kind).await {
        Some(api) => api.convert(id.group(), id.version(), &id.kind, manifest),
        None => manifest.clone(),
    }
}

fn uuid_suffix() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{:05x}", t & 0xfffff)
}

fn import_format_error(id: &str) -> ProviderError {
    ProviderError::new(
        "Invalid import ID",
        format!("{id:?} is not of the form apiVersion=<apiVersion>,kind=<kind>,namespace=<namespace>,name=<name> (namespace only for namespaced kinds)."),
    )
}

/// `field_manager { name, force_conflicts }`
fn field_manager(cfg: &Value) -> (String, bool) {
    let fm = attr(cfg, "field_manager");
    (opt_str(&fm, "name").unwrap_or_else(|| DEFAULT_MANAGER.to_string()), attr(&fm, "force_conflicts").as_bool() == Some(true))
}

#[async_trait::async_trait]
impl Provider for KubernetesProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: &Value) -> Result<(), ProviderError> {
        if !config.is_wholly_known() {
            *self.conn.write().expect("conn") = Connection::Deferred;
            return Ok(());
        }
        let s = Settings {
            host: opt_str(config, "host").filter(|s| !s.is_empty()),
            token: opt_str(config, "token").filter(|s| !s.is_empty()),
            cluster_ca_certificate: opt_str(config, "cluster_ca_certificate").filter(|s| !s.is_empty()),
            client_certificate: opt_str(config, "client_certificate").filter(|s| !s.is_empty()),
            client_key: opt_str(config, "client_key").filter(|s| !s.is_empty()),
            config_path: opt_str(config, "config_path").filter(|s| !s.is_empty()),
            config_context: opt_str(config, "config_context").filter(|s| !s.is_empty()),
            insecure: attr(config, "insecure").as_bool() == Some(true),
        };
        let c = match Conn::new(&s).await? {
            Some(c) => Connection::Ready(Arc::new(c)),
            None => Connection::Missing,
        };
        *self.conn.write().expect("conn") = c;
        Ok(())
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        if type_name == "kubernetes_manifest" {
            if let Err(e) = ident(&normalize(&attr(config, "manifest"))) {
                return vec![e];
            }
        }
        Vec::new()
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        match req.type_name {
            "kubernetes_manifest" => self.plan_manifest(&req),
            "kubernetes_namespace" => self.plan_namespace(&req),
            other => Err(ProviderError::new("Unsupported resource type", format!("No resource type {other:?}."))),
        }
    }

    async fn review_plan(&self, instances: &[PlannedInstance<'_>]) -> PlanReview {
        review::review(self.ready().as_deref(), instances).await
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        match req.type_name {
            "kubernetes_manifest" => self.apply_manifest(&req).await,
            "kubernetes_namespace" => self.apply_namespace(&req).await,
            other => Err(ProviderError::new("Unsupported resource type", format!("No resource type {other:?}."))),
        }
    }

    async fn read_resource(&self, type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        match type_name {
            "kubernetes_manifest" => self.read_manifest(state).await,
            "kubernetes_namespace" => self.read_namespace(state).await,
            _ => Ok(Some(state.clone())),
        }
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        match type_name {
            "kubernetes_resource" => self.read_resource_data(config).await,
            "kubernetes_resources" => self.read_resources_data(config).await,
            other => Err(ProviderError::new("Unsupported data source", format!("No data source {other:?}."))),
        }
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        match type_name {
            "kubernetes_manifest" => self.import_manifest(id).await,
            "kubernetes_namespace" => {
                let conn = self.conn()?;
                let live = conn
                    .get(&format!("/api/v1/namespaces/{id}"))
                    .await
                    .map_err(|e| api_error(&format!("Failed to read Namespace {id}"), e))?
                    .ok_or_else(|| {
                        ProviderError::new("Cannot import non-existent remote object", format!("Namespace {id} does not exist."))
                    })?;
                let ty = self.schema.resources["kubernetes_namespace"].block.implied_type();
                let base = plinth_provider::null_object(&ty);
                Ok(self.namespace_state(&base, &live))
            }
            other => Err(ProviderError::new("Unsupported resource type", format!("No resource type {other:?}."))),
        }
    }
}
