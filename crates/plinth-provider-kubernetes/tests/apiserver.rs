//! The provider against a real kube-apiserver (1.20, built from Debian's
//! source package by `scripts/kube-apiserver.sh`, with etcd and
//! kube-controller-manager, token auth and RBAC): server-side apply create
//! and update, field ownership, conflicts and force, dry-run plans, values
//! converted to the OpenAPI schema's types, a CRD and its custom resource in
//! one apply, schema validation errors as plan errors, namespace deletion,
//! import, drift.
//!
//! `scripts/test.sh` builds (or reuses) the server, starts it and sets
//! `PLINTH_KUBE_APISERVER_URL`, `_TOKEN`, `_CA` and
//! `PLINTH_REQUIRE_KUBE_APISERVER=1`. Without them the tests say so and pass;
//! with the last one set and the others missing they fail.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use plinth_provider::{ApplyRequest, PlanRequest, PlannedInstance, Provider, ProviderError};
use plinth_provider_kubernetes::KubernetesProvider;
use plinth_value::Value;
use serde_json::{json, Value as Json};

struct Server {
    url: String,
    token: String,
    ca_pem: String,
}

fn server(test: &str) -> Option<Server> {
    let url = std::env::var("PLINTH_KUBE_APISERVER_URL").ok();
    let token = std::env::var("PLINTH_KUBE_APISERVER_TOKEN").ok();
    let ca = std::env::var("PLINTH_KUBE_APISERVER_CA").ok();
    match (url, token, ca) {
        (Some(url), Some(token), Some(ca)) => {
            let ca_pem = std::fs::read_to_string(&ca).unwrap_or_else(|e| panic!("reading {ca}: {e}"));
            Some(Server { url, token, ca_pem })
        }
        _ => {
            assert_ne!(
                std::env::var("PLINTH_REQUIRE_KUBE_APISERVER").as_deref(),
                Ok("1"),
                "a kube-apiserver is required but PLINTH_KUBE_APISERVER_URL/_TOKEN/_CA are not set"
            );
            eprintln!("{test}: no kube-apiserver (scripts/test.sh starts one): not run");
            None
        }
    }
}

fn v(j: Json) -> Value {
    plinth_value::value_from_json(&j, &plinth_value::Type::Dynamic).expect("json value")
}

fn j(x: &Value) -> Json {
    plinth_value::value_to_json(x)
}

async fn provider(s: &Server) -> KubernetesProvider {
    let p = KubernetesProvider::new();
    p.configure(&v(json!({"host": s.url, "token": s.token, "cluster_ca_certificate": s.ca_pem}))).await.expect("configure");
    p
}

/// A `kubernetes_manifest` configuration: every attribute null but those given.
fn config(p: &KubernetesProvider, manifest: Json, extra: Json) -> Value {
    let ty = p.schema().resources["kubernetes_manifest"].block.implied_type();
    let mut m: BTreeMap<String, Value> = plinth_provider::null_object(&ty).as_entries().cloned().unwrap_or_default();
    m.insert("manifest".into(), v(manifest));
    for (k, x) in extra.as_object().into_iter().flatten() {
        m.insert(k.clone(), v(x.clone()));
    }
    Value::object(m)
}

fn plan(p: &KubernetesProvider, prior: Option<&Value>, cfg: &Value) -> Result<Value, ProviderError> {
    p.plan_resource(PlanRequest { type_name: "kubernetes_manifest", prior, proposed: cfg, config: cfg }).map(|r| r.planned)
}

async fn apply(p: &KubernetesProvider, prior: Option<&Value>, planned: &Value, cfg: &Value) -> Result<Value, ProviderError> {
    p.apply_resource(ApplyRequest {
        type_name: "kubernetes_manifest",
        prior,
        planned: Some(planned),
        config: Some(cfg),
        operation_token: "test",
    })
    .await
}

/// Plan then apply, as the engine does.
async fn converge(p: &KubernetesProvider, prior: Option<&Value>, cfg: &Value) -> Result<Value, ProviderError> {
    let planned = plan(p, prior, cfg)?;
    apply(p, prior, &planned, cfg).await
}

async fn destroy(p: &KubernetesProvider, state: &Value) {
    p.apply_resource(ApplyRequest {
        type_name: "kubernetes_manifest",
        prior: Some(state),
        planned: None,
        config: None,
        operation_token: "t",
    })
    .await
    .expect("delete");
}

/// The live object, through the provider's `kubernetes_resource` data source.
async fn live(p: &KubernetesProvider, api_version: &str, kind: &str, ns: Option<&str>, name: &str) -> Result<Json, ProviderError> {
    let mut md = json!({"name": name});
    if let Some(ns) = ns {
        md["namespace"] = json!(ns);
    }
    let r = p.read_data_source("kubernetes_resource", &v(json!({"api_version": api_version, "kind": kind, "metadata": md}))).await?;
    Ok(j(r.as_entries().and_then(|m| m.get("object")).expect("object")))
}

fn managers(obj: &Json) -> Vec<String> {
    let mut m: Vec<String> = obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["manager"].as_str().map(str::to_string))
        .collect();
    m.sort();
    m
}

/// The `object` attribute of a state or plan, as JSON.
fn object(state: &Value) -> Json {
    j(state.as_entries().and_then(|m| m.get("object")).expect("object"))
}

fn unique(prefix: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}-{:x}", n % 0xfffff)
}

async fn namespace(p: &KubernetesProvider, name: &str) -> Value {
    let cfg = config(p, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}), json!({}));
    converge(p, None, &cfg).await.expect("namespace")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_create_update_ownership_conflicts_and_force() {
    let Some(s) = server("server_side_apply_create_update_ownership_conflicts_and_force") else { return };
    let p = provider(&s).await;
    let ns = unique("ssa");
    let ns_state = namespace(&p, &ns).await;

    // Create: the plan is the server's dry-run answer, and creates nothing.
    let cm = |data: Json| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": ns}, "data": data});
    let cfg = config(&p, cm(json!({"a": "1", "b": "2"})), json!({}));
    let planned = plan(&p, None, &cfg).expect("plan");
    assert_eq!(object(&planned)["data"], json!({"a": "1", "b": "2"}));
    assert!(live(&p, "v1", "ConfigMap", Some(&ns), "settings").await.is_err(), "a dry-run plan created the object");
    let state = apply(&p, None, &planned, &cfg).await.expect("create");
    let obj = live(&p, "v1", "ConfigMap", Some(&ns), "settings").await.expect("created");
    assert_eq!(managers(&obj), ["plinth"]);

    // Update; a key plinth stops applying is removed (it owned it alone).
    let cfg2 = config(&p, cm(json!({"a": "10"})), json!({}));
    let state = converge(&p, Some(&state), &cfg2).await.expect("update");
    assert_eq!(live(&p, "v1", "ConfigMap", Some(&ns), "settings").await.unwrap()["data"], json!({"a": "10"}));
    assert_eq!(object(&state)["data"], json!({"a": "10"}));

    // Another manager takes a field plinth owns (forcing): plinth's next apply
    // conflicts; with force_conflicts it takes the field back.
    let other = KubernetesProvider::new();
    other.configure(&v(json!({"host": s.url, "token": s.token, "cluster_ca_certificate": s.ca_pem}))).await.unwrap();
    let theirs = config(&other, cm(json!({"a": "other"})), json!({"field_manager": {"name": "someone-else", "force_conflicts": true}}));
    converge(&other, None, &theirs).await.expect("other manager applies with force");
    let obj = live(&p, "v1", "ConfigMap", Some(&ns), "settings").await.unwrap();
    assert_eq!(obj["data"]["a"], "other");
    assert_eq!(managers(&obj), ["someone-else"], "forcing moved ownership of data.a");

    let mine = config(&p, cm(json!({"a": "10"})), json!({}));
    let err = converge(&p, Some(&state), &mine).await.expect_err("conflict");
    assert!(err.detail.contains("conflict") && err.detail.contains("someone-else"), "{}: {}", err.summary, err.detail);
    let forced = config(&p, cm(json!({"a": "10"})), json!({"field_manager": {"force_conflicts": true}}));
    let state = converge(&p, Some(&state), &forced).await.expect("forced apply");
    assert_eq!(live(&p, "v1", "ConfigMap", Some(&ns), "settings").await.unwrap()["data"]["a"], "10");

    destroy(&p, &state).await;
    destroy(&p, &ns_state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_plans_and_values_converted_to_the_schema_types() {
    let Some(s) = server("dry_run_plans_and_values_converted_to_the_schema_types") else { return };
    let p = provider(&s).await;
    let ns = unique("types");
    let ns_state = namespace(&p, &ns).await;

    // Strings where the schema has integers and booleans (a string variable
    // into spec.replicas), numbers where it has strings: converted, as
    // Terraform's kubernetes provider converts them.
    let deployment = |replicas: Json| {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": ns, "labels": {"tier": 1}},
            "spec": {
                "replicas": replicas,
                "paused": "true",
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{
                        "name": "web", "image": "registry.example/web:1",
                        "ports": [{"containerPort": "8080", "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": 1, "memory": "64Mi"}}
                    }]}
                }
            }
        })
    };
    let cfg = config(&p, deployment(json!("2")), json!({}));
    let planned = plan(&p, None, &cfg).expect("plan with string replicas");
    let o = object(&planned);
    assert_eq!(o["spec"]["replicas"], json!(2));
    // A dry-run plan shows the server's values of the fields the manifest
    // sets (converted: "8080" is the number 8080), and nothing the server
    // adds of its own, in list elements too (a default such as
    // imagePullPolicy, an allocated nodePort that the real apply would not
    // repeat).
    let container = &o["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["ports"][0]["containerPort"], json!(8080), "{o}");
    assert!(container.get("imagePullPolicy").is_none(), "{o}");
    let state = apply(&p, None, &planned, &cfg).await.expect("apply");
    let obj = live(&p, "apps/v1", "Deployment", Some(&ns), "web").await.unwrap();
    assert_eq!(obj["spec"]["replicas"], json!(2));
    assert_eq!(obj["spec"]["paused"], json!(true));
    assert_eq!(obj["metadata"]["labels"]["tier"], json!("1"));
    assert_eq!(obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"], json!(8080));
    assert_eq!(obj["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"], json!("1"));

    // The same configuration again plans no change of the object.
    let again = plan(&p, Some(&state), &cfg).expect("second plan");
    assert_eq!(object(&again), object(&state));

    // What cannot be converted is refused by the server. kube-apiserver 1.20
    // answers a dry run of such an apply with a 500 ("failed to create typed
    // patch object"), which the provider does not treat as a plan error: the
    // plan falls back to the configuration and the apply fails.
    let bad = config(&p, deployment(json!("two")), json!({}));
    let err = converge(&p, Some(&state), &bad).await.expect_err("invalid replicas");
    assert!(err.detail.contains("replicas"), "{}: {}", err.summary, err.detail);

    destroy(&p, &state).await;
    destroy(&p, &ns_state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_then_custom_resource_in_one_apply_and_schema_errors_at_plan() {
    let Some(s) = server("crd_then_custom_resource_in_one_apply_and_schema_errors_at_plan") else { return };
    let p = provider(&s).await;
    let ns = unique("crd");
    let ns_state = namespace(&p, &ns).await;
    let group = format!("{}.plinth.test", unique("g"));
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {
            "group": group, "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object", "properties": {
                    "size": {"type": "integer", "minimum": 1},
                    "color": {"type": "string", "enum": ["red", "blue"]},
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                }}}
            }}}]
        }
    });
    let widget = |spec: Json| json!({"apiVersion": format!("{group}/v1"), "kind": "Widget", "metadata": {"name": "w", "namespace": ns}, "spec": spec});

    // Both planned before either exists; the review orders the custom
    // resource after its CRD; applying it waits until the CRD is Established.
    let crd_cfg = config(&p, crd, json!({}));
    // (An integer: the offline check of a custom resource whose CRD is not
    // served yet, review.rs, does not convert strings to the schema's types.)
    let w_cfg = config(&p, widget(json!({"size": 3, "color": "red", "extra": {"any": ["thing"]}})), json!({}));
    let crd_plan = plan(&p, None, &crd_cfg).expect("plan CRD");
    let w_plan = plan(&p, None, &w_cfg).expect("plan widget (kind not served yet)");
    let review = p
        .review_plan(&[
            PlannedInstance { type_name: "kubernetes_manifest", planned: &w_plan },
            PlannedInstance { type_name: "kubernetes_manifest", planned: &crd_plan },
        ])
        .await;
    assert_eq!(review.dependencies, [(0, 1)], "the widget depends on its CRD");
    assert!(review.errors.is_empty(), "{:?}", review.errors);
    let crd_state = apply(&p, None, &crd_plan, &crd_cfg).await.expect("CRD");
    let w_state = apply(&p, None, &w_plan, &w_cfg).await.expect("widget right after its CRD");
    let obj = live(&p, &format!("{group}/v1"), "Widget", Some(&ns), "w").await.unwrap();
    assert_eq!(obj["spec"]["size"], json!(3));
    assert_eq!(obj["spec"]["extra"], json!({"any": ["thing"]}));

    // Schema violations are plan errors with the server's message.
    let bad = config(&p, widget(json!({"size": 0, "color": "green"})), json!({}));
    let err = plan(&p, Some(&w_state), &bad).expect_err("invalid widget");
    assert_eq!(err.summary, "Invalid manifest");
    assert!(err.detail.contains("spec.color") && err.detail.contains("spec.size"), "{}", err.detail);

    destroy(&p, &w_state).await;
    destroy(&p, &crd_state).await;
    destroy(&p, &ns_state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_deletion_import_and_drift() {
    let Some(s) = server("namespace_deletion_import_and_drift") else { return };
    let p = provider(&s).await;
    let ns = unique("drift");
    let ns_state = namespace(&p, &ns).await;

    // Import an object made elsewhere; refresh keeps what its manifest has.
    let other = KubernetesProvider::new();
    other.configure(&v(json!({"host": s.url, "token": s.token, "cluster_ca_certificate": s.ca_pem}))).await.unwrap();
    let made = config(
        &other,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "found", "namespace": ns}, "data": {"k": "v"}}),
        json!({"field_manager": {"name": "kubectl"}}),
    );
    converge(&other, None, &made).await.expect("made by another manager");
    let imported =
        p.import_resource("kubernetes_manifest", &format!("apiVersion=v1,kind=ConfigMap,namespace={ns},name=found")).await.expect("import");
    assert_eq!(object(&imported)["data"], json!({"k": "v"}));
    let err = p.import_resource("kubernetes_manifest", &format!("apiVersion=v1,kind=ConfigMap,namespace={ns},name=absent")).await;
    assert_eq!(err.expect_err("absent").summary, "Cannot import non-existent remote object");

    // Drift: someone changes a field plinth applied; refresh shows it, and
    // the plan puts it back.
    let cfg = config(
        &p,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mine", "namespace": ns}, "data": {"k": "v"}}),
        json!({}),
    );
    let state = converge(&p, None, &cfg).await.expect("create");
    let tamper = config(
        &other,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mine", "namespace": ns}, "data": {"k": "changed", "added": "x"}}),
        json!({"field_manager": {"name": "kubectl", "force_conflicts": true}}),
    );
    converge(&other, None, &tamper).await.expect("tamper");
    let refreshed = p.read_resource("kubernetes_manifest", &state).await.expect("read").expect("exists");
    assert_eq!(object(&refreshed)["data"], json!({"k": "changed"}), "drift in a managed field; other managers' fields are not plinth's");
    let planned =
        plan(&p, Some(&refreshed), &config(&p, j(&p_manifest(&state)), json!({"field_manager": {"force_conflicts": true}}))).expect("plan");
    assert_eq!(object(&planned)["data"]["k"], "v");

    // Deleting the namespace waits until kube-controller-manager has removed
    // what is in it and the namespace is gone.
    let t = Instant::now();
    destroy(&p, &ns_state).await;
    let gone = live(&p, "v1", "Namespace", None, &ns).await;
    assert!(gone.is_err(), "namespace still there after delete returned: {gone:?}");
    assert!(t.elapsed() < Duration::from_secs(120));
    assert!(p.read_resource("kubernetes_manifest", &state).await.expect("read").is_none(), "its objects went with it");
}

fn p_manifest(state: &Value) -> Value {
    state.as_entries().and_then(|m| m.get("manifest")).cloned().expect("manifest")
}
