//! The add-on modules (`modules/monitoring`, `logging`, `autoscaling`,
//! `ingress`): they validate and are formatted; every manifest they render
//! passes kubernetes-validate in strict mode (and every custom resource the
//! schema of its CRD, strictly); and all four apply in ONE `plinth apply`
//! against the Kubernetes API emulator, plan no changes afterwards, and
//! destroy down to the emulator's initial objects.

use std::path::{Path, PathBuf};

use kube_emulator::Emulator;
use serde_json::Value;

use crate::support::{repo_root, Dir};

const MODULES: [&str; 4] = ["monitoring", "logging", "autoscaling", "ingress"];

/// All four modules, as the platform example calls them.
const ROOT: &str = r#"
module "monitoring" {
  source                 = "./modules/monitoring"
  cluster_name           = "demo"
  grafana_admin_password = "correct-horse-battery"
}

module "logging" {
  source         = "./modules/logging"
  cluster_name   = "demo"
  retention_days = 14
}

module "autoscaling" {
  source                      = "./modules/autoscaling"
  cluster_name                = "demo"
  aws_region                  = "eu-west-1"
  cluster_autoscaler_role_arn = "arn:aws:iam::123456789012:role/demo-cluster-autoscaler"
}

module "ingress" {
  source    = "./modules/ingress"
  app_image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demo-app:1.0.0"
  app_host  = "app.example.com"
}

output "manifests" {
  value = {
    monitoring  = module.monitoring.manifests
    logging     = module.logging.manifests
    autoscaling = module.autoscaling.manifests
    ingress     = module.ingress.manifests
  }
}

output "object_counts" {
  value = {
    monitoring  = module.monitoring.object_count
    logging     = module.logging.object_count
    autoscaling = module.autoscaling.object_count
    ingress     = module.ingress.object_count
  }
}
"#;

fn collect(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("read modules").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        let name = format!("{rel}/{}", p.file_name().unwrap().to_string_lossy());
        if p.is_dir() {
            collect(&p, &name, out);
        } else {
            out.push((name, std::fs::read_to_string(&p).expect("module file")));
        }
    }
}

/// The repository's `modules/` (or one module at the root), plus `extra` files.
fn files(module: Option<&str>, extra: &[(&str, &str)]) -> Dir {
    let mut files = Vec::new();
    match module {
        Some(m) => collect(&repo_root().join("modules").join(m), ".", &mut files),
        None => collect(&repo_root().join("modules"), "modules", &mut files),
    }
    let mut refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.trim_start_matches("./"), b.as_str())).collect();
    refs.extend_from_slice(extra);
    Dir::with(&refs)
}

#[test]
fn addon_modules_validate_and_are_formatted() {
    for m in MODULES {
        let d = files(Some(m), &[]);
        for f in ["README.md", "variables.tf", "main.tf", "outputs.tf", "versions.tf"] {
            assert!(d.path().join(f).exists(), "modules/{m}/{f} is missing");
        }
        let versions = std::fs::read_to_string(d.path().join("versions.tf")).unwrap();
        assert!(versions.contains("source = \"hashicorp/kubernetes\""), "modules/{m}/versions.tf: {versions}");
        d.run(&["init"]).ok();
        let v = d.run(&["validate"]).ok();
        assert!(v.stdout.contains("The configuration is valid"), "modules/{m}: {}", v.stdout);
    }
    let d = files(None, &[]);
    d.run(&["fmt", "-check", "-recursive", "modules"]).ok();

    // Inputs are validated: a bad value is refused with the module's message.
    let bad = ROOT.replace("retention_days = 14", "retention_days = 0");
    let d = files(None, &[("main.tf", &bad)]);
    d.run(&["init"]).ok();
    let plan = d.run(&["plan"]);
    assert_eq!(plan.code, 1, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stderr.contains("retention_days must be a whole number of days from 1 to 3650"), "{}", plan.stderr);
}

/// The manifests of every module, rendered by a plan without a cluster:
/// module name → (key → manifest).
fn render() -> (Dir, serde_json::Map<String, Value>) {
    let d = files(None, &[("main.tf", ROOT)]);
    d.run(&["init"]).ok();
    d.run(&["plan", "-out=render.plan"]).ok();
    let show = d.run(&["show", "-json", "render.plan"]).ok();
    let plan: Value = serde_json::from_str(&show.stdout).expect("plan json");
    let manifests =
        plan["planned_values"]["outputs"]["manifests"]["value"].as_object().expect("manifests output known at plan time").clone();
    assert_eq!(manifests.len(), 4);
    (d, manifests)
}

/// Strict structural check of a custom resource against its CRD's
/// `openAPIV3Schema`: types, enums, required fields, and no field the schema
/// does not declare, unless the node preserves unknown fields and declares no
/// properties (a free-form object). The modules' trimmed CRDs also keep
/// undeclared fields beside declared ones (so that a server never drops what
/// a user adds), but the modules' own objects use declared fields only: a
/// misspelt field is kept by the server and ignored by the operator.
fn check_custom(v: &Value, s: &Value, path: &str, errs: &mut Vec<String>) {
    let at = if path.is_empty() { "<root>" } else { path };
    if s["x-kubernetes-int-or-string"] == Value::Bool(true) {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            errs.push(format!("{at}: must be an integer or a string"));
        }
        return;
    }
    let ok = match s["type"].as_str().unwrap_or("") {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    };
    if !ok {
        errs.push(format!("{at}: must be of type {}", s["type"]));
        return;
    }
    if let Some(e) = s["enum"].as_array() {
        if !e.contains(v) {
            errs.push(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
        }
    }
    match v {
        Value::Object(m) => {
            for r in s["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !m.contains_key(r) {
                    errs.push(format!("{at}: {r} is required"));
                }
            }
            for (k, x) in m {
                if path.is_empty() && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if let Some(ps) = s["properties"].get(k) {
                    check_custom(x, ps, &p, errs);
                } else if s["additionalProperties"].is_object() {
                    check_custom(x, &s["additionalProperties"], &p, errs);
                } else if s["x-kubernetes-preserve-unknown-fields"] != Value::Bool(true) || s["properties"].is_object() {
                    errs.push(format!("{p}: unknown field"));
                }
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                check_custom(x, &s["items"], &format!("{path}[{i}]"), errs);
            }
        }
        _ => {}
    }
}

/// `(group, kind, version)` → schema, for every CRD in `all`.
fn crd_schemas(all: &[&Value]) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for m in all.iter().filter(|m| m["kind"] == "CustomResourceDefinition") {
        for v in m["spec"]["versions"].as_array().expect("versions") {
            out.push((
                m["spec"]["group"].as_str().unwrap().to_string(),
                m["spec"]["names"]["kind"].as_str().unwrap().to_string(),
                v["name"].as_str().unwrap().to_string(),
                v["schema"]["openAPIV3Schema"].clone(),
            ));
        }
    }
    out
}

fn schema_of<'a>(crds: &'a [(String, String, String, Value)], m: &Value) -> Option<&'a Value> {
    let (group, version) = m["apiVersion"].as_str()?.split_once('/')?;
    crds.iter().find(|(g, k, v, _)| g == group && k == m["kind"].as_str().unwrap_or("") && v == version).map(|c| &c.3)
}

#[test]
fn addon_manifests_pass_strict_validation() {
    let (d, manifests) = render();

    // What each module must install.
    let has = |module: &str, key: &str| manifests[module].get(key).is_some();
    for (module, keys) in [
        (
            "monitoring",
            &[
                "Namespace/monitoring",
                "CustomResourceDefinition/prometheuses.monitoring.coreos.com",
                "CustomResourceDefinition/servicemonitors.monitoring.coreos.com",
                "CustomResourceDefinition/podmonitors.monitoring.coreos.com",
                "CustomResourceDefinition/prometheusrules.monitoring.coreos.com",
                "CustomResourceDefinition/alertmanagers.monitoring.coreos.com",
                "Deployment/monitoring/prometheus-operator",
                "Prometheus/monitoring/main",
                "Alertmanager/monitoring/main",
                "DaemonSet/monitoring/node-exporter",
                "Deployment/monitoring/kube-state-metrics",
                "ServiceMonitor/monitoring/node-exporter",
                "ServiceMonitor/monitoring/kube-state-metrics",
                "ServiceMonitor/monitoring/kube-apiserver",
                "ServiceMonitor/monitoring/kubelet",
                "PrometheusRule/monitoring/platform-alerts",
                "Deployment/monitoring/grafana",
                "ConfigMap/monitoring/grafana-datasources",
                "ConfigMap/monitoring/grafana-dashboards",
            ][..],
        ),
        (
            "logging",
            &[
                "Namespace/logging",
                "StatefulSet/logging/elasticsearch",
                "DaemonSet/logging/fluentd",
                "ConfigMap/logging/fluentd-config",
                "Deployment/logging/kibana",
                "CronJob/logging/elasticsearch-retention",
            ][..],
        ),
        (
            "autoscaling",
            &[
                "Namespace/autoscaling",
                "Deployment/autoscaling/metrics-server",
                "APIService/v1beta1.metrics.k8s.io",
                "CustomResourceDefinition/verticalpodautoscalers.autoscaling.k8s.io",
                "Deployment/autoscaling/vpa-recommender",
                "Deployment/autoscaling/vpa-updater",
                "Deployment/autoscaling/vpa-admission-controller",
                "Deployment/autoscaling/cluster-autoscaler",
                "HorizontalPodAutoscaler/autoscaling-example/sample-app",
                "VerticalPodAutoscaler/autoscaling-example/sample-app",
            ][..],
        ),
        (
            "ingress",
            &[
                "Namespace/ingress-nginx",
                "Deployment/ingress-nginx/ingress-nginx-controller",
                "Service/ingress-nginx/ingress-nginx-controller",
                "IngressClass/nginx",
                "Deployment/sample-app/sample-app",
                "Service/sample-app/sample-app",
                "Ingress/sample-app/sample-app",
            ][..],
        ),
    ] {
        for k in keys {
            assert!(
                has(module, k),
                "{module} does not render {k}: {:?}",
                manifests[module].as_object().unwrap().keys().collect::<Vec<_>>()
            );
        }
    }
    // Inputs reach the manifests.
    let m = &manifests["monitoring"];
    let alerts: Vec<&str> = m["PrometheusRule/monitoring/platform-alerts"]["spec"]["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["alert"].as_str().unwrap())
        .collect();
    assert_eq!(alerts, ["NodeDown", "NodeHighCPU", "NodeHighMemory", "PodCrashLooping", "NodeDiskFilling"]);
    let dashboards = m["ConfigMap/monitoring/grafana-dashboards"]["data"].as_object().unwrap();
    assert!(dashboards.contains_key("cluster-overview.json") && dashboards.contains_key("nodes.json"), "{dashboards:?}");
    for (_, json) in dashboards {
        let dash: Value = serde_json::from_str(json.as_str().unwrap()).expect("dashboard is JSON");
        assert!(dash["panels"].as_array().is_some_and(|p| !p.is_empty()), "{dash}");
    }
    assert!(m["ConfigMap/monitoring/grafana-datasources"]["data"]["datasources.yaml"]
        .as_str()
        .unwrap()
        .contains("url: http://prometheus.monitoring.svc:9090"));
    let ca = &manifests["autoscaling"]["Deployment/autoscaling/cluster-autoscaler"]["spec"]["template"]["spec"]["containers"][0]["command"];
    assert!(
        ca.as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/demo"),
        "{ca}"
    );
    let fluentd = manifests["logging"]["ConfigMap/logging/fluentd-config"]["data"]["fluent.conf"].as_str().unwrap();
    assert!(
        fluentd.contains("@type kubernetes_metadata") && fluentd.contains("namespace ${record.dig(\"kubernetes\", \"namespace_name\")}"),
        "{fluentd}"
    );
    let retention = manifests["logging"]["ConfigMap/logging/elasticsearch-retention"]["data"]["ilm-policy.json"].as_str().unwrap();
    assert!(retention.contains("\"min_age\": \"14d\""), "{retention}");
    let image = &manifests["ingress"]["Deployment/sample-app/sample-app"]["spec"]["template"]["spec"]["containers"][0]["image"];
    assert_eq!(image, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/demo-app:1.0.0");

    // Every custom resource matches its CRD's schema strictly.
    let all: Vec<&Value> = manifests.values().flat_map(|m| m.as_object().unwrap().values()).collect();
    let crds = crd_schemas(&all);
    let mut custom_kinds = Vec::new();
    let mut checked = 0;
    for m in &all {
        let Some(schema) = schema_of(&crds, m) else { continue };
        let mut errs = Vec::new();
        check_custom(m, schema, "", &mut errs);
        assert!(errs.is_empty(), "{} {}: {errs:?}", m["kind"], m["metadata"]["name"]);
        custom_kinds.push(m["kind"].as_str().unwrap().to_string());
        checked += 1;
    }
    assert!(checked >= 11, "only {checked} custom resources");
    // ... and the check is strict: a misspelt field fails it.
    let mut bad = manifests["monitoring"]["Prometheus/monitoring/main"].clone();
    bad["spec"]["retension"] = Value::from("1d");
    let mut errs = Vec::new();
    check_custom(&bad, schema_of(&crds, &bad).unwrap(), "", &mut errs);
    assert_eq!(errs, ["spec.retension: unknown field"]);

    // Every manifest (built-in kinds and CRDs) passes kubernetes-validate --strict.
    let venv = std::env::var("PLINTH_VENV").unwrap_or_else(|_| format!("{}/.cache/plinth-venv", std::env::var("HOME").unwrap_or_default()));
    if !Path::new(&venv).join("bin/kubernetes-validate").exists() {
        assert!(std::env::var("PLINTH_REQUIRE_PYTHON_TOOLS").is_err(), "kubernetes-validate is required but not installed in {venv}");
        eprintln!("kubernetes-validate is not installed in {venv}; run scripts/test.sh");
        return;
    }
    let out_dir = d.path().join("rendered");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut paths = Vec::new();
    for (module, ms) in &manifests {
        for (key, m) in ms.as_object().unwrap() {
            let p = out_dir.join(format!("{module}--{}.json", key.replace('/', "--")));
            std::fs::write(&p, serde_json::to_string_pretty(m).unwrap()).unwrap();
            paths.push(p);
        }
    }
    let run = std::process::Command::new(repo_root().join("scripts/validate-manifests.sh"))
        .args(&paths)
        .output()
        .expect("run kubernetes-validate");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    // kubernetes-validate knows no schema for custom resources (checked above);
    // it must know every other kind.
    for line in stdout.lines().filter(|l| !l.starts_with("INFO")) {
        let custom = line.starts_with("WARN") && custom_kinds.iter().any(|k| line.contains(&format!("for kind {k} with")));
        assert!(custom, "unexpected kubernetes-validate output: {line}\n{stdout}");
    }
    let valid = stdout.lines().filter(|l| l.starts_with("INFO") && l.contains(" passed for resource ")).count();
    assert_eq!(valid + checked, paths.len(), "{stdout}");
}

#[test]
fn addon_modules_apply_in_one_run_against_the_emulator() {
    let emu = Emulator::start();
    let initial = emu.objects();
    let provider = format!(
        "provider \"kubernetes\" {{\n  host                   = \"{}\"\n  token                  = \"{}\"\n  cluster_ca_certificate = file(\"ca.pem\")\n}}\n",
        emu.url, emu.token
    );
    let d = files(None, &[("main.tf", ROOT), ("provider.tf", &provider), ("ca.pem", &emu.ca_pem)]);
    d.run(&["init"]).ok();

    let apply = d.run(&["apply", "-auto-approve"]).ok();
    let counts: Value = serde_json::from_str(&d.run(&["output", "-json", "object_counts"]).ok().stdout).expect("counts");
    let total: u64 = MODULES.iter().map(|m| counts[m].as_u64().expect("count")).sum();
    assert!(
        apply.stdout.contains(&format!("Apply complete! Resources: {total} added, 0 changed, 0 destroyed.")),
        "{counts}\n{}",
        tail(&apply.stdout)
    );
    let created: Vec<String> = emu.objects().into_iter().filter(|o| !initial.contains(o)).collect();
    assert_eq!(created.len() as u64, total, "{created:#?}");

    // The emulator refuses custom resources before their CRD is served and
    // objects in a namespace that does not exist, so success already shows the
    // order; the log shows it too.
    let pos = |s: &str| apply.stdout.find(s).unwrap_or_else(|| panic!("{s:?} not in the apply output"));
    assert!(
        pos("kubernetes_manifest.crd[\"CustomResourceDefinition/prometheuses.monitoring.coreos.com\"]: Creation complete")
            < pos("kubernetes_manifest.custom[\"Prometheus/monitoring/main\"]: Creating...")
    );
    assert!(
        pos("kubernetes_manifest.crd[\"CustomResourceDefinition/verticalpodautoscalers.autoscaling.k8s.io\"]: Creation complete")
            < pos("kubernetes_manifest.custom[\"VerticalPodAutoscaler/autoscaling-example/sample-app\"]: Creating...")
    );
    assert!(
        pos("kubernetes_manifest.namespace[\"Namespace/logging\"]: Creation complete")
            < pos("kubernetes_manifest.object[\"StatefulSet/logging/elasticsearch\"]: Creating...")
    );
    let crd = emu.get("apiextensions.k8s.io", "customresourcedefinitions", "", "prometheuses.monitoring.coreos.com").expect("CRD");
    assert!(crd["status"]["conditions"].as_array().unwrap().iter().any(|c| c["type"] == "Established" && c["status"] == "True"), "{crd}");
    let prom = emu.get("monitoring.coreos.com", "prometheuses", "monitoring", "main").expect("Prometheus");
    assert_eq!(prom["spec"]["retention"], "15d");
    assert_eq!(prom["spec"]["alerting"]["alertmanagers"][0]["name"], "alertmanager-operated");
    assert!(emu.get("monitoring.coreos.com", "prometheusrules", "monitoring", "platform-alerts").is_some());
    assert!(emu.get("", "secrets", "monitoring", "grafana-admin").is_some());
    assert!(emu.get("autoscaling", "horizontalpodautoscalers", "autoscaling-example", "sample-app").is_some());
    assert!(emu.get("apiregistration.k8s.io", "apiservices", "", "v1beta1.metrics.k8s.io").is_some());
    assert!(emu.get("", "services", "ingress-nginx", "ingress-nginx-controller").is_some_and(|s| s["spec"]["type"] == "LoadBalancer"));
    assert!(emu.get("networking.k8s.io", "ingresses", "sample-app", "sample-app").is_some());
    assert!(emu.get("batch", "cronjobs", "logging", "elasticsearch-retention").is_some());

    // A second plan has no changes.
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", tail(&plan.stdout), plan.stderr);

    // The HPA scales the example (another field manager sets spec.replicas,
    // which the module leaves unset): not drift.
    let (code, body) = emu.request(
        "PATCH",
        "/apis/apps/v1/namespaces/autoscaling-example/deployments/sample-app?fieldManager=kube-controller-manager",
        "application/merge-patch+json",
        r#"{"spec": {"replicas": 4}}"#,
    );
    assert_eq!(code, 200, "{body}");
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", tail(&plan.stdout), plan.stderr);

    // Destroy leaves the emulator as it started; custom resources go before
    // their controllers and CRDs, objects before their namespaces.
    let destroy = d.run(&["destroy", "-auto-approve"]).ok();
    assert!(destroy.stdout.contains(&format!("Destroy complete! Resources: {total} destroyed.")), "{}", tail(&destroy.stdout));
    let pos = |s: &str| destroy.stdout.find(s).unwrap_or_else(|| panic!("{s:?} not in the destroy output"));
    assert!(
        pos("kubernetes_manifest.custom[\"Prometheus/monitoring/main\"]: Destruction complete")
            < pos("kubernetes_manifest.object[\"Deployment/monitoring/prometheus-operator\"]: Destroying...")
    );
    assert!(
        pos("kubernetes_manifest.custom[\"Prometheus/monitoring/main\"]: Destruction complete")
            < pos("kubernetes_manifest.crd[\"CustomResourceDefinition/prometheuses.monitoring.coreos.com\"]: Destroying...")
    );
    assert!(
        pos("kubernetes_manifest.object[\"StatefulSet/logging/elasticsearch\"]: Destruction complete")
            < pos("kubernetes_manifest.namespace[\"Namespace/logging\"]: Destroying...")
    );
    let mut left = emu.objects();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while left != initial && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        left = emu.objects();
    }
    assert_eq!(left, initial);
}

/// The end of a long output (plans of 120 objects are long).
pub(crate) fn tail(s: &str) -> &str {
    let mut i = s.len().saturating_sub(4000);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

/// The modules read their templates with `"${path.module}/..."`: functions
/// resolve relative paths from the root module's directory, as Terraform's
/// do, so that path (relative to the root) works in a child module.
#[test]
fn child_module_reads_files_through_path_module() {
    let d = Dir::with(&[
        ("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n\noutput \"o\" {\n  value = module.m.o\n}\n"),
        (
            "m/main.tf",
            "output \"o\" {\n  value = [path.module, fileset(\"${path.module}/t\", \"*.tpl\"), templatefile(\"${path.module}/t/a.tpl\", { x = 1 }), file(\"${path.module}/t/a.tpl\")]\n}\n",
        ),
        ("m/t/a.tpl", "x=${x}"),
    ]);
    d.run(&["init"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    let out = d.run(&["output", "-json", "o"]).ok();
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v, serde_json::json!(["m", ["a.tpl"], "x=1", "x=${x}"]));
}

/// Kinds of the add-on modules that kube-apiserver 1.20 (the real server of
/// the test suite) does not serve in the API version the modules use:
/// `autoscaling/v2` (1.23) and `batch/v1` CronJob (1.21).
/// Objects kube-apiserver 1.20 cannot take by server-side apply: API
/// versions it does not serve (batch/v1 CronJob, autoscaling/v2 HPA), and
/// the APIService, whose apply the 1.20 aggregator answers with a panic
/// ("FieldManager must be installed to run apply", fixed in later releases).
const NOT_SERVED_BY_1_20: [&str; 3] = [
    "APIService/v1beta1.metrics.k8s.io",
    "CronJob/logging/elasticsearch-retention",
    "HorizontalPodAutoscaler/autoscaling-example/sample-app",
];

/// Leaves of `want` (path, value as text) that `got` lacks or has otherwise;
/// numbers and strings compare by their text (the server converts).
fn missing_leaves(want: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => missing_leaves(wv, gv, &format!("{path}.{k}"), out),
                    None if wv.is_null() => {}
                    None => out.push(format!("{path}.{k} (dropped)")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                missing_leaves(wv, gv, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Object(w), _) if w.is_empty() => {}
        (w, g) if text(w) == text(g) => {}
        (w, g) => out.push(format!("{path}: {w} became {g}")),
    }
}

/// The add-on modules' objects applied by plinth to a real kube-apiserver
/// (1.20): every object whose API version 1.20 serves is accepted by
/// server-side apply, keeps every field it was given (no field pruned by a
/// CRD schema or dropped), a second plan has no changes, and destroy removes
/// them (namespaces included, through kube-controller-manager).
#[test]
fn addon_manifests_apply_to_a_real_api_server() {
    let Some(k) = crate::support::kube_apiserver("addon_manifests_apply_to_a_real_api_server") else { return };
    let (_render, manifests) = render();
    let mut objects = serde_json::Map::new();
    let mut skipped = Vec::new();
    for (module, ms) in &manifests {
        for (key, m) in ms.as_object().expect("manifests") {
            if NOT_SERVED_BY_1_20.contains(&key.as_str()) {
                skipped.push(key.clone());
                continue;
            }
            let kind = m["kind"].as_str().unwrap_or_default();
            let custom =
                ["monitoring.coreos.com", "autoscaling.k8s.io"].iter().any(|g| m["apiVersion"].as_str().unwrap_or("").starts_with(g));
            let tier = if kind == "Namespace" {
                "namespace"
            } else if kind == "CustomResourceDefinition" {
                "crd"
            } else if custom {
                "custom"
            } else {
                "object"
            };
            objects.insert(format!("{module}:{key}"), serde_json::json!({"tier": tier, "manifest": m}));
        }
    }
    skipped.sort();
    assert_eq!(skipped, NOT_SERVED_BY_1_20, "every object not served by 1.20 is listed");
    let root = format!(
        r#"
provider "kubernetes" {{
  host                   = "{}"
  token                  = "{}"
  cluster_ca_certificate = file("ca.pem")
}}

locals {{
  objects = jsondecode(file("objects.json"))
}}

resource "kubernetes_manifest" "namespace" {{
  for_each = {{ for k, o in local.objects : k => o.manifest if o.tier == "namespace" }}
  manifest = each.value
}}

resource "kubernetes_manifest" "crd" {{
  for_each = {{ for k, o in local.objects : k => o.manifest if o.tier == "crd" }}
  manifest = each.value
}}

resource "kubernetes_manifest" "object" {{
  for_each = {{ for k, o in local.objects : k => o.manifest if o.tier == "object" }}
  manifest = each.value
}}

resource "kubernetes_manifest" "custom" {{
  for_each   = {{ for k, o in local.objects : k => o.manifest if o.tier == "custom" }}
  manifest   = each.value
  depends_on = [kubernetes_manifest.object]
}}
"#,
        k.url, k.token
    );
    let objects_json = serde_json::to_string(&Value::Object(objects.clone())).expect("json");
    let d = Dir::with(&[("main.tf", &root), ("ca.pem", &k.ca_pem), ("objects.json", &objects_json)]);
    d.run(&["init"]).ok();
    let apply = d.run(&["apply", "-auto-approve"]);
    assert_eq!(apply.code, 0, "{}\n{}", tail(&apply.stdout), apply.stderr);
    assert!(apply.stdout.contains(&format!("Apply complete! Resources: {} added", objects.len())), "{}", tail(&apply.stdout));

    // Nothing the modules set was dropped by the server.
    let state: Value = serde_json::from_str(&d.run(&["show", "-json"]).ok().stdout).expect("state JSON");
    let mut dropped = Vec::new();
    for r in state["values"]["root_module"]["resources"].as_array().expect("resources") {
        let mut missing = Vec::new();
        missing_leaves(&r["values"]["manifest"], &r["values"]["object"], "", &mut missing);
        if !missing.is_empty() {
            dropped.push(format!("{}: {}", r["address"], missing.join(", ")));
        }
    }
    assert!(dropped.is_empty(), "the server dropped or changed fields:\n{}", dropped.join("\n"));

    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "a second plan against the real server has changes:\n{}{}", tail(&plan.stdout), plan.stderr);

    let destroy = d.run(&["destroy", "-auto-approve"]);
    assert_eq!(destroy.code, 0, "{}\n{}", tail(&destroy.stdout), destroy.stderr);
}
