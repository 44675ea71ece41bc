//! The provider's discovery, read, list, import and delete paths against
//! kmock, a third-party Kubernetes API emulator (Python), so the client is not
//! tuned only to the emulator written alongside it. kmock serves discovery and
//! CRUD but no server-side apply, so `tests/kmock/serve.py` seeds by POST.
//!
//! `scripts/test.sh` installs kmock, starts it and sets `PLINTH_KMOCK_URL`
//! (and `PLINTH_REQUIRE_PYTHON_TOOLS=1`). Run alone, the test starts kmock itself from
//! the virtual environment `~/.cache/plinth-venv` when it is there.

use std::collections::BTreeMap;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use plinth_provider::{ApplyRequest, Provider};
use plinth_provider_kubernetes::KubernetesProvider;
use plinth_value::Value;

struct Kmock {
    url: String,
    child: Option<Child>,
}

impl Drop for Kmock {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn kmock() -> Option<Kmock> {
    if let Ok(url) = std::env::var("PLINTH_KMOCK_URL") {
        return Some(Kmock { url, child: None });
    }
    let python = std::path::PathBuf::from(std::env::var("HOME").ok()?).join(".cache/plinth-venv/bin/python");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kmock/serve.py");
    let url_file = tempfile_path();
    let child = Command::new(python).arg(script).arg(&url_file).spawn().ok()?;
    let mut k = Kmock { url: String::new(), child: Some(child) };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(u) = std::fs::read_to_string(&url_file) {
            if !u.is_empty() {
                k.url = u;
                let _ = std::fs::remove_file(&url_file);
                return Some(k);
            }
        }
        if let Some(Ok(Some(_))) = k.child.as_mut().map(Child::try_wait) {
            return None; // kmock not installed: the script exited
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn tempfile_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("plinth-kmock-{}.url", std::process::id()))
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>())
}

fn s(x: &str) -> Value {
    Value::string(x)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    let mut cur = v;
    for p in path {
        cur = cur.as_entries().and_then(|m| m.get(*p)).unwrap_or_else(|| panic!("no {p} in {cur:?}"));
    }
    cur
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_read_list_import_delete_against_kmock() {
    let Some(k) = kmock() else {
        assert!(std::env::var("PLINTH_REQUIRE_PYTHON_TOOLS").is_err(), "kmock is required but could not be started");
        eprintln!("kmock is not installed (~/.cache/plinth-venv); run scripts/test.sh");
        return;
    };
    let p = KubernetesProvider::new();
    p.configure(&obj(&[("host", s(&k.url))])).await.expect("configure");

    // List (kmock ignores label selectors: both config maps come back).
    let list = p
        .read_data_source("kubernetes_resources", &obj(&[("api_version", s("v1")), ("kind", s("ConfigMap")), ("namespace", s("team-a"))]))
        .await
        .expect("list");
    let names: Vec<String> =
        at(&list, &["objects"]).as_seq().unwrap().iter().map(|o| at(o, &["metadata", "name"]).as_str().unwrap().to_string()).collect();
    assert_eq!(names, vec!["one", "two"]);

    // Read one object of a custom kind (discovery through /apis/example.com/v1).
    let w = p
        .read_data_source(
            "kubernetes_resource",
            &obj(&[
                ("api_version", s("example.com/v1")),
                ("kind", s("Widget")),
                ("metadata", obj(&[("name", s("w1")), ("namespace", s("team-a"))])),
            ]),
        )
        .await
        .expect("read widget");
    assert_eq!(at(&w, &["object", "spec", "size"]).as_number().and_then(|n| n.to_i64()), Some(3));

    // Import a cluster-scoped object, then refresh it.
    let state = p
        .import_resource("kubernetes_manifest", "apiVersion=rbac.authorization.k8s.io/v1,kind=ClusterRole,name=reader")
        .await
        .expect("import");
    assert_eq!(at(&state, &["manifest", "metadata", "name"]).as_str(), Some("reader"));
    let refreshed = p.read_resource("kubernetes_manifest", &state).await.expect("read").expect("exists");
    assert!(at(&refreshed, &["object"]).raw_equal(at(&state, &["object"])));

    // Delete a namespaced object; it is gone afterwards.
    let cm = p.import_resource("kubernetes_manifest", "apiVersion=v1,kind=ConfigMap,namespace=team-a,name=two").await.expect("import cm");
    let r = p
        .apply_resource(ApplyRequest {
            type_name: "kubernetes_manifest",
            prior: Some(&cm),
            planned: None,
            config: None,
            operation_token: "t",
        })
        .await;
    assert!(r.expect("delete").is_null());
    assert!(p.read_resource("kubernetes_manifest", &cm).await.expect("read").is_none());

    // A kind the server does not serve.
    let e = p.import_resource("kubernetes_manifest", "apiVersion=example.com/v1,kind=Gizmo,name=x").await.unwrap_err();
    assert!(e.detail.contains("no matches for kind \"Gizmo\""), "{e}");
}
