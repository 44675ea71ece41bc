//! A Kubernetes API server emulator for plinth's tests, serving HTTPS on
//! 127.0.0.1 with a self-signed certificate and bearer-token authentication.
//!
//! It follows the Kubernetes API documentation for what the kubernetes provider
//! relies on: discovery (`/api`, `/apis`, `/apis/<group>[/<version>]`), CRUD
//! on namespaced and cluster-scoped resources with `resourceVersion` and `uid`,
//! server-side apply (`application/apply-patch+yaml`) with `managedFields` per
//! manager, removal of fields a manager stops applying, conflicts (409) unless
//! `force=true`, `dryRun=All`, merge patches and updates that move field
//! ownership, CRDs that are served a moment after creation and then report
//! `Established`, custom resources validated and pruned by their CRD's schema,
//! finalizers, namespace termination that removes the namespace's objects,
//! label and field selectors, `limit`/`continue`, and `Status` error bodies.
//! It rejects what a real server rejects: unknown kinds and paths, objects in a
//! namespace that does not exist or is terminating, invalid names, a kind or
//! apiVersion that does not match the URL, requests without the token, and
//! (server-side apply, as a real kube-apiserver 1.20 answers) a Service port
//! without `protocol` and a string `replicas`.
//!
//! Not implemented: watches, associative lists in managed fields (every list
//! is atomic), strategic merge (treated as a JSON merge patch), JSON patch,
//! subresources other than `status`, admission webhooks, RBAC, aggregated
//! discovery, conversion between CRD versions, garbage collection by owner
//! references.
//!
//! It runs in-process, on its own thread and tokio runtime, so a test owns it
//! and it stops when the [`Emulator`] is dropped; `main.rs` serves it
//! standalone for manual runs.

mod fields;
mod store;
mod yaml;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;

pub use store::Store;

pub struct Options {
    pub token: String,
    /// How long a new CRD takes to be served and `Established`.
    pub crd_delay: Duration,
    /// How long a deleted namespace stays `Terminating`.
    pub namespace_delay: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token: uuid::Uuid::new_v4().simple().to_string(),
            crd_delay: Duration::from_millis(400),
            namespace_delay: Duration::from_millis(300),
        }
    }
}

pub struct Emulator {
    /// `https://127.0.0.1:PORT`
    pub url: String,
    pub token: String,
    /// The CA certificate that signed the server's certificate, PEM.
    pub ca_pem: String,
    store: Arc<Mutex<Store>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Emulator {
        let (ca_pem, server_config) = tls_config();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let store = Arc::new(Mutex::new(Store::new(opts.crd_delay, opts.namespace_delay)));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let st = store.clone();
        let token = opts.token.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
            rt.block_on(serve(listener, server_config, st, token, stop_rx));
        });
        Emulator { url: format!("https://127.0.0.1:{port}"), token: opts.token, ca_pem, store, stop: Some(stop_tx), thread: Some(thread) }
    }

    /// Serves one request in-process, as another client would send it (for
    /// tests acting as another field manager). Returns status code and body.
    pub fn request(&self, method: &str, path_and_query: &str, content_type: &str, body: &str) -> (u16, Value) {
        let (path, query) = split_query(path_and_query);
        let r = self.store.lock().expect("store").handle(method, &path, &query, content_type, body.as_bytes());
        (r.code, r.body)
    }

    /// An object as stored, or `None`.
    pub fn get(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let mut s = self.store.lock().expect("store");
        s.tick();
        s.get(group, plural, namespace, name)
    }

    /// Every stored object as `group/plural/namespace/name` (namespace and
    /// group empty where they do not apply), after running the controllers.
    pub fn objects(&self) -> Vec<String> {
        let mut s = self.store.lock().expect("store");
        s.tick();
        s.keys().into_iter().map(|(g, p, ns, n)| format!("{g}/{p}/{ns}/{n}")).collect()
    }

    /// A kubeconfig for this server, with the CA and token inline.
    pub fn kubeconfig(&self) -> String {
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: emulator\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\nusers:\n- name: plinth\n  user:\n    token: {}\ncontexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: plinth\n    namespace: default\ncurrent-context: emulator\n",
            self.url, self.token
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn tls_config() -> (String, rustls::ServerConfig) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "plinth kube-emulator CA");
    let ca_key = KeyPair::generate().expect("ca key");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca cert");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("leaf params");
    leaf_params.distinguished_name.push(DnType::CommonName, "kube-apiserver");
    let leaf = leaf_params.signed_by(&leaf_key, &ca).expect("leaf cert");
    let ca_pem = AsRef::<rcgen::Certificate>::as_ref(&ca).pem();
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).expect("key der");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key_der)
        .expect("server cert");
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (ca_pem, cfg)
}

async fn serve(
    listener: std::net::TcpListener,
    cfg: rustls::ServerConfig,
    store: Arc<Mutex<Store>>,
    token: String,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    loop {
        let (tcp, _) = tokio::select! {
            _ = &mut stop => return,
            r = listener.accept() => match r { Ok(x) => x, Err(_) => continue },
        };
        let acceptor = acceptor.clone();
        let store = store.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let svc = hyper::service::service_fn(move |req| handle(req, store.clone(), token.clone()));
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(tls), svc).await;
        });
    }
}

async fn handle(req: Request<Incoming>, store: Arc<Mutex<Store>>, token: String) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().as_str().to_string();
    let pq = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let auth = req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let r = if auth != format!("Bearer {token}") {
        store::status(401, "Unauthorized", "Unauthorized", None)
    } else {
        let (path, query) = split_query(&pq);
        store.lock().expect("store").handle(&method, &path, &query, &ct, &body)
    };
    let text = serde_json::to_vec(&r.body).unwrap_or_default();
    Ok(Response::builder().status(r.code).header("content-type", "application/json").body(Full::new(Bytes::from(text))).expect("response"))
}

fn split_query(pq: &str) -> (String, HashMap<String, String>) {
    let (path, q) = pq.split_once('?').unwrap_or((pq, ""));
    let query = q
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    (path.to_string(), query)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(x) => {
                    out.push(x);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
