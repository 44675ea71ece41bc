//! The connection to the API server: building a `kube::Client` from the
//! provider configuration, discovery of resource types, and the few requests
//! the provider makes, on JSON values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::openapi::OpenApi;

use base64::Engine;
use kube::config::{KubeConfigOptions, Kubeconfig};
use plinth_provider::ProviderError;
use serde_json::Value as Json;

/// One served kind.
#[derive(Clone, Debug)]
pub struct Served {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub namespaced: bool,
}

impl Served {
    fn base(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// The URL path of the collection (`name` None) or of one object.
    pub fn path(&self, namespace: Option<&str>, name: Option<&str>) -> String {
        let mut p = self.base();
        if self.namespaced {
            if let Some(ns) = namespace {
                p.push_str(&format!("/namespaces/{ns}"));
            }
        }
        p.push('/');
        p.push_str(&self.plural);
        if let Some(n) = name {
            p.push('/');
            p.push_str(n);
        }
        p
    }
}

pub struct Conn {
    pub client: kube::Client,
    pub default_namespace: String,
    /// `apiVersion` → kind → served type; only successful look-ups are kept,
    /// since kinds appear (CRDs) while we run.
    discovery: Mutex<HashMap<String, HashMap<String, Served>>>,
    /// `/openapi/v2`, read when first needed and again when a kind is
    /// missing from it (a CRD established since); `None` inside when the
    /// server has none.
    openapi: tokio::sync::Mutex<Option<(std::time::Instant, Option<Arc<OpenApi>>)>>,
}

/// An API error as the provider reports it.
pub fn api_error(summary: &str, e: kube::Error) -> ProviderError {
    match e {
        kube::Error::Api(s) => {
            let mut pe = ProviderError::new(summary, format!("{} ({}, {})", s.message, s.reason, s.code));
            pe.retryable = s.code == 429 || s.code >= 500;
            pe
        }
        other => {
            let mut pe = ProviderError::new(summary, other.to_string());
            pe.retryable = true;
            pe
        }
    }
}

pub fn status_code(e: &kube::Error) -> Option<u16> {
    match e {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

pub fn status_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

/// Settings from the provider block.
#[derive(Default, Debug)]
pub struct Settings {
    pub host: Option<String>,
    pub token: Option<String>,
    pub cluster_ca_certificate: Option<String>,
    pub client_certificate: Option<String>,
    pub client_key: Option<String>,
    pub config_path: Option<String>,
    pub config_context: Option<String>,
    pub insecure: bool,
}

fn pem_certs(pem: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in pem.lines() {
        let l = line.trim();
        if l.starts_with("-----BEGIN CERTIFICATE") {
            cur = Some(String::new());
        } else if l.starts_with("-----END CERTIFICATE") {
            let b64 = cur.take().ok_or("END without BEGIN")?;
            out.push(base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).map_err(|e| e.to_string())?);
        } else if let Some(c) = cur.as_mut() {
            c.push_str(l);
        }
    }
    if out.is_empty() {
        return Err("no PEM certificate found".into());
    }
    Ok(out)
}

impl Conn {
    /// Connects as the settings say: `host` (with token, CA, client
    /// certificate), else a kubeconfig (`config_path`, then `KUBECONFIG`),
    /// else the in-cluster service account. `Ok(None)` when none applies.
    pub async fn new(s: &Settings) -> Result<Option<Conn>, ProviderError> {
        let bad = |d: String| ProviderError::new("Invalid provider configuration", d);
        let kubeconfig_path = s
            .config_path
            .clone()
            .or_else(|| std::env::var("KUBECONFIG").ok().and_then(|k| k.split(':').find(|p| !p.is_empty()).map(str::to_string)));
        let mut config = if let Some(host) = &s.host {
            let uri: http::Uri = host.parse().map_err(|e| bad(format!("host {host:?}: {e}")))?;
            kube::Config::new(uri)
        } else if let Some(path) = kubeconfig_path {
            let path = expand_home(&path);
            let kc = Kubeconfig::read_from(&path).map_err(|e| bad(format!("reading kubeconfig {path}: {e}")))?;
            let opts = KubeConfigOptions { context: s.config_context.clone(), ..Default::default() };
            kube::Config::from_custom_kubeconfig(kc, &opts).await.map_err(|e| bad(format!("kubeconfig {path}: {e}")))?
        } else if std::env::var("KUBERNETES_SERVICE_HOST").is_ok() {
            kube::Config::incluster().map_err(|e| bad(format!("in-cluster configuration: {e}")))?
        } else {
            return Ok(None);
        };
        if let Some(ca) = &s.cluster_ca_certificate {
            config.root_cert = Some(pem_certs(ca).map_err(|e| bad(format!("cluster_ca_certificate: {e}")))?);
        }
        if let Some(t) = &s.token {
            config.auth_info.token = Some(t.clone().into());
        }
        let b64 = |x: &str| base64::engine::general_purpose::STANDARD.encode(x.as_bytes());
        if let Some(c) = &s.client_certificate {
            config.auth_info.client_certificate_data = Some(b64(c));
        }
        if let Some(k) = &s.client_key {
            config.auth_info.client_key_data = Some(b64(k).into());
        }
        if s.insecure {
            config.accept_invalid_certs = true;
        }
        let default_namespace = config.default_namespace.clone();
        // With the AWS SDK linked too, rustls has two crypto backends and picks
        // none by itself; the binary installs ring at start-up, and callers that
        // do not go through it (tests, other embedders) get it here.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = kube::Client::try_from(config).map_err(|e| bad(format!("creating the Kubernetes client: {e}")))?;
        Ok(Some(Conn { client, default_namespace, discovery: Mutex::new(HashMap::new()), openapi: tokio::sync::Mutex::new(None) }))
    }

    /// The served type of `kind` in `api_version`, or `None` when the server
    /// does not serve it (yet).
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Option<Served>, ProviderError> {
        if let Some(s) = self.discovery.lock().expect("discovery").get(api_version).and_then(|m| m.get(kind)) {
            return Ok(Some(s.clone()));
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        let list = if group.is_empty() {
            self.client.list_core_api_resources(&version).await
        } else {
            self.client.list_api_group_resources(api_version).await
        };
        let list = match list {
            Ok(l) => l,
            Err(e) if status_code(&e) == Some(404) => return Ok(None),
            Err(e) => return Err(api_error("Failed to discover API resources", e)),
        };
        let mut map = HashMap::new();
        for r in list.resources {
            if r.name.contains('/') {
                continue;
            }
            map.insert(
                r.kind.clone(),
                Served { group: group.clone(), version: version.clone(), plural: r.name.clone(), namespaced: r.namespaced },
            );
        }
        let found = map.get(kind).cloned();
        self.discovery.lock().expect("discovery").insert(api_version.to_string(), map);
        Ok(found)
    }

    /// The OpenAPI document, if the server has one that defines the kind:
    /// read once, and again (at most every 2 s) while it lacks the kind.
    pub async fn openapi_for(&self, group: &str, version: &str, kind: &str) -> Option<Arc<OpenApi>> {
        let mut cached = self.openapi.lock().await;
        let stale = match &*cached {
            None => true,
            Some((_, None)) => false,
            Some((at, Some(doc))) => !doc.has(group, version, kind) && at.elapsed() > std::time::Duration::from_secs(2),
        };
        if stale {
            let doc = match self.get("/openapi/v2").await {
                Ok(Some(j)) => OpenApi::from_document(&j).map(Arc::new),
                _ => None,
            };
            *cached = Some((std::time::Instant::now(), doc));
        }
        cached.as_ref().and_then(|(_, d)| d.clone()).filter(|d| d.has(group, version, kind))
    }

    pub fn forget(&self, api_version: &str) {
        self.discovery.lock().expect("discovery").remove(api_version);
    }

    async fn send(&self, method: http::Method, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Result<Json, kube::Error> {
        let mut b = http::Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        let req = b.body(body).expect("request");
        self.client.request::<Json>(req).await
    }

    pub async fn get(&self, path: &str) -> Result<Option<Json>, kube::Error> {
        match self.send(http::Method::GET, path, None, Vec::new()).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if status_code(&e) == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn list(&self, path_and_query: &str) -> Result<Json, kube::Error> {
        self.send(http::Method::GET, path_and_query, None, Vec::new()).await
    }

    /// Server-side apply of `obj` at `path` (the object's URL).
    pub async fn apply(&self, path: &str, obj: &Json, manager: &str, force: bool, dry_run: bool) -> Result<Json, kube::Error> {
        let mut q = format!("{path}?fieldManager={}", urlencode(manager));
        if force {
            q.push_str("&force=true");
        }
        if dry_run {
            q.push_str("&dryRun=All");
        }
        let body = serde_json::to_vec(obj).expect("json");
        self.send(http::Method::PATCH, &q, Some("application/apply-patch+yaml"), body).await
    }

    /// Deletes; `Ok(false)` when it was already gone.
    pub async fn delete(&self, path: &str) -> Result<bool, kube::Error> {
        let body = serde_json::to_vec(&serde_json::json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}))
            .expect("json");
        match self.send(http::Method::DELETE, path, Some("application/json"), body).await {
            Ok(_) => Ok(true),
            Err(e) if status_code(&e) == Some(404) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn expand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}
