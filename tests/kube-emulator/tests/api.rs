//! The emulator's API semantics, request by request.

use std::time::Duration;

use kube_emulator::{Emulator, Options};
use serde_json::{json, Value};

const APPLY: &str = "application/apply-patch+yaml";

fn emu() -> Emulator {
    Emulator::start_with(Options {
        crd_delay: Duration::from_millis(150),
        namespace_delay: Duration::from_millis(100),
        ..Options::default()
    })
}

fn cm(data: Value) -> String {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, "data": data}).to_string()
}

const CM: &str = "/api/v1/namespaces/default/configmaps/c";

#[test]
fn server_side_apply_owns_removes_and_conflicts() {
    let e = emu();
    let (code, v) = e.request("PATCH", &format!("{CM}?fieldManager=a"), APPLY, &cm(json!({"x": "1", "y": "2"})));
    assert_eq!(code, 201, "{v}");
    let rv1 = v["metadata"]["resourceVersion"].clone();
    assert!(v["metadata"]["uid"].is_string());
    assert_eq!(v["metadata"]["managedFields"][0]["fieldsV1"], json!({"f:data": {"f:x": {}, "f:y": {}}}));

    // The same apply again changes nothing, not even the resource version.
    let (_, v) = e.request("PATCH", &format!("{CM}?fieldManager=a"), APPLY, &cm(json!({"x": "1", "y": "2"})));
    assert_eq!(v["metadata"]["resourceVersion"], rv1);

    // Manager b applies a different value for x: conflict, unless forced.
    let (code, v) = e.request("PATCH", &format!("{CM}?fieldManager=b"), APPLY, &cm(json!({"x": "9"})));
    assert_eq!((code, v["reason"].as_str()), (409, Some("Conflict")));
    assert_eq!(v["message"], "Apply failed with 1 conflict: conflict with \"a\": .data.x");
    // The same value is shared ownership, not a conflict.
    let (code, _) = e.request("PATCH", &format!("{CM}?fieldManager=b"), APPLY, &cm(json!({"x": "1"})));
    assert_eq!(code, 200);

    // a stops applying x and y: y goes, x stays (b still applies it).
    let (_, v) = e.request("PATCH", &format!("{CM}?fieldManager=a"), APPLY, &cm(json!({"z": "3"})));
    assert_eq!(v["data"], json!({"x": "1", "z": "3"}));

    // Forced: b takes x from whoever had it.
    let (code, v) = e.request("PATCH", &format!("{CM}?fieldManager=b&force=true"), APPLY, &cm(json!({"x": "9"})));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["data"]["x"], "9");

    // A dry run answers without storing.
    let (code, v) = e.request("PATCH", &format!("{CM}?fieldManager=a&dryRun=All"), APPLY, &cm(json!({"z": "4"})));
    assert_eq!((code, v["data"]["z"].as_str()), (200, Some("4")));
    assert_eq!(e.get("", "configmaps", "default", "c").unwrap()["data"]["z"], "3");

    // An update takes the fields it changes from the appliers.
    let (code, _) = e.request("PATCH", &format!("{CM}?fieldManager=editor"), "application/merge-patch+json", r#"{"data": {"z": "5"}}"#);
    assert_eq!(code, 200);
    let (code, v) = e.request("PATCH", &format!("{CM}?fieldManager=a"), APPLY, &cm(json!({"z": "3"})));
    assert_eq!((code, v["message"].as_str()), (409, Some("Apply failed with 1 conflict: conflict with \"editor\": .data.z")));
}

#[test]
fn rejects_what_a_server_rejects() {
    let e = emu();
    let cases = [
        // unknown kind (path), namespace that does not exist, kind/path mismatch, bad name, apply without manager
        (
            "PATCH",
            "/apis/example.com/v1/namespaces/default/widgets/w?fieldManager=a",
            APPLY,
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
            404,
            "NotFound",
        ),
        (
            "PATCH",
            "/api/v1/namespaces/nope/configmaps/c?fieldManager=a",
            APPLY,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            404,
            "NotFound",
        ),
        (
            "POST",
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}}),
            400,
            "BadRequest",
        ),
        (
            "POST",
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}),
            422,
            "Invalid",
        ),
        (
            "PATCH",
            "/api/v1/namespaces/default/configmaps/c",
            APPLY,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            422,
            "Invalid",
        ),
        ("GET", "/api/v1/namespaces/default/configmaps/missing", "", json!(null), 404, "NotFound"),
    ];
    for (method, path, ct, body, code, reason) in cases {
        let (c, v) = e.request(method, path, ct, &body.to_string());
        assert_eq!((c, v["reason"].as_str()), (code, Some(reason)), "{method} {path}: {v}");
        assert_eq!(v["kind"], "Status");
    }
}

#[test]
fn crds_are_served_after_a_moment_and_namespaces_take_their_objects() {
    let e = emu();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object",
                    "properties": {"metadata": {"type": "object"}, "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]}});
    let (code, v) = e.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json", &crd.to_string());
    assert_eq!(code, 201, "{v}");
    assert_eq!(e.request("GET", "/apis/example.com/v1", "", "").0, 404);
    std::thread::sleep(Duration::from_millis(250));
    let (code, list) = e.request("GET", "/apis/example.com/v1", "", "");
    assert_eq!((code, list["resources"][0]["kind"].as_str()), (200, Some("Widget")));
    let crd = e.get("apiextensions.k8s.io", "customresourcedefinitions", "", "widgets.example.com").unwrap();
    assert!(crd["status"]["conditions"].as_array().unwrap().iter().any(|c| c["type"] == "Established" && c["status"] == "True"));

    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
    assert_eq!(e.request("POST", "/api/v1/namespaces", "application/json", &ns.to_string()).0, 201);
    let w = |spec: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "1"}}, "spec": spec, "extra": 1})
            .to_string()
    };
    let (code, v) = e.request("PATCH", "/apis/example.com/v1/namespaces/team/widgets/w?fieldManager=a", APPLY, &w(json!({"size": "big"})));
    assert_eq!((code, v["reason"].as_str()), (422, Some("Invalid")), "{v}");
    let (code, v) = e.request("PATCH", "/apis/example.com/v1/namespaces/team/widgets/w?fieldManager=a", APPLY, &w(json!({"size": 2})));
    assert_eq!(code, 201, "{v}");
    assert!(v.get("extra").is_none(), "unknown fields are pruned: {v}");
    // `metadata: {type: object}` in the schema prunes nothing of ObjectMeta.
    assert_eq!((v["metadata"]["name"].as_str(), v["metadata"]["labels"]["a"].as_str()), (Some("w"), Some("1")), "{v}");

    let (_, v) = e.request("DELETE", "/api/v1/namespaces/team", "", "");
    assert_eq!(v["status"]["phase"], "Terminating");
    let (code, _) = e.request(
        "POST",
        "/api/v1/namespaces/team/configmaps",
        "application/json",
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}}).to_string(),
    );
    assert_eq!(code, 403);
    std::thread::sleep(Duration::from_millis(200));
    assert!(e.get("", "namespaces", "", "team").is_none());
    assert!(e.get("example.com", "widgets", "team", "w").is_none());
}

#[test]
fn lists_select_and_page() {
    let e = emu();
    for (n, app) in [("a", "x"), ("b", "y"), ("c", "x")] {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "labels": {"app": app}}}).to_string();
        assert_eq!(e.request("POST", "/api/v1/namespaces/default/configmaps", "application/json", &body).0, 201);
    }
    let names =
        |v: &Value| v["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let (_, v) = e.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx", "", "");
    assert_eq!(names(&v), ["a", "c"]);
    let (_, v) = e.request("GET", "/api/v1/configmaps?limit=2", "", "");
    assert_eq!(names(&v), ["a", "b"]);
    let cont = v["metadata"]["continue"].as_str().unwrap().to_string();
    let (_, v) = e.request("GET", &format!("/api/v1/configmaps?limit=2&continue={cont}"), "", "");
    assert_eq!(names(&v), ["c"]);
}

#[test]
fn server_side_apply_refuses_what_kube_apiserver_1_20_refuses() {
    // Both found applying the add-on modules to a real kube-apiserver 1.20:
    // a Service port without `protocol`, a string `replicas`.
    let e = emu();
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80}]}});
    let (c, v) = e.request("PATCH", "/api/v1/namespaces/default/services/s?fieldManager=a", APPLY, &svc.to_string());
    assert_eq!(c, 500, "{v}");
    assert_eq!(v["message"], "failed to create typed patch object: .spec.ports: element 0: associative list with keys has an element that omits key field \"protocol\" (and doesn't have default value)");
    assert!(v.get("reason").is_none(), "{v}");
    let mut ok = svc.clone();
    ok["spec"]["ports"][0]["protocol"] = json!("TCP");
    assert_eq!(e.request("PATCH", "/api/v1/namespaces/default/services/s?fieldManager=a", APPLY, &ok.to_string()).0, 201);
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
        "spec": {"replicas": "2", "selector": {"matchLabels": {"app": "x"}},
                 "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let (c, v) = e.request("PATCH", "/apis/apps/v1/namespaces/default/deployments/d?fieldManager=a", APPLY, &dep.to_string());
    assert_eq!(c, 500, "{v}");
    assert_eq!(
        v["message"],
        "failed to create typed patch object: .spec.replicas: expected numeric (int or float), got *value.valueUnstructured"
    );
}
