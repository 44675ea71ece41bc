//! The kubernetes provider end to end, against the Kubernetes API emulator
//! (`tests/kube-emulator`) started in this process, over HTTPS with a bearer
//! token: a CRD, a namespace and a custom resource of that CRD in one apply,
//! with no references between them.

use kube_emulator::Emulator;

use crate::support::Dir;

const CRD_AND_CR: &str = r#"
resource "kubernetes_manifest" "crd" {
  manifest = {
    apiVersion = "apiextensions.k8s.io/v1"
    kind       = "CustomResourceDefinition"
    metadata   = { name = "widgets.example.com" }
    spec = {
      group = "example.com"
      scope = "Namespaced"
      names = { plural = "widgets", singular = "widget", kind = "Widget" }
      versions = [{
        name    = "v1"
        served  = true
        storage = true
        schema = {
          openAPIV3Schema = {
            type = "object"
            properties = {
              spec = {
                type       = "object"
                properties = { size = { type = "integer" }, color = { type = "string" } }
              }
            }
          }
        }
      }]
    }
  }
}

resource "kubernetes_namespace" "demo" {
  metadata {
    name   = "demo"
    labels = { team = "a" }
  }
}

# No reference to the CRD or the namespace: the provider orders it.
resource "kubernetes_manifest" "widget" {
  manifest = {
    apiVersion = "example.com/v1"
    kind       = "Widget"
    metadata   = { name = "w1", namespace = "demo", labels = { app = "w" } }
    spec       = { size = 3, color = "blue" }
  }
  FIELD_MANAGER
}

resource "kubernetes_manifest" "config" {
  manifest = provider::kubernetes::manifest_decode(<<-EOT
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      namespace: demo
    data:
      mode: fast
  EOT
  )
}

output "config_yaml" {
  value = provider::kubernetes::manifest_encode(kubernetes_manifest.config.manifest)
}
"#;

fn workdir(emu: &Emulator, field_manager: &str) -> Dir {
    let provider = format!(
        "provider \"kubernetes\" {{\n  host                   = \"{}\"\n  token                  = \"{}\"\n  cluster_ca_certificate = file(\"ca.pem\")\n}}\n",
        emu.url, emu.token
    );
    let main = CRD_AND_CR.replace("FIELD_MANAGER", field_manager);
    Dir::with(&[("provider.tf", &provider), ("main.tf", &main), ("ca.pem", &emu.ca_pem)])
}

#[test]
fn crd_namespace_and_custom_resource_in_one_apply() {
    let emu = Emulator::start();
    let d = workdir(&emu, "");
    d.run(&["init"]).ok();

    let apply = d.run(&["apply", "-auto-approve"]).ok();
    assert!(apply.stdout.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."), "{}", apply.stdout);
    let w = emu.get("example.com", "widgets", "demo", "w1").expect("widget created");
    assert_eq!(w["spec"]["color"], "blue");
    let managers: Vec<&str> = w["metadata"]["managedFields"].as_array().unwrap().iter().map(|m| m["manager"].as_str().unwrap()).collect();
    assert_eq!(managers, vec!["plinth"]);
    assert!(emu.get("", "configmaps", "demo", "settings").is_some());
    let out = d.run(&["output", "-raw", "config_yaml"]).ok();
    assert!(out.stdout.contains("data:\n  mode: fast\n"), "{}", out.stdout);

    // A second plan is empty.
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);

    // Another manager adds a label plinth does not set: not drift.
    let (code, body) = emu.request(
        "PATCH",
        "/apis/example.com/v1/namespaces/demo/widgets/w1?fieldManager=kubectl-edit",
        "application/merge-patch+json",
        r#"{"metadata": {"labels": {"owner": "someone"}}}"#,
    );
    assert_eq!(code, 200, "{body}");
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);

    // ... and changes a field plinth sets: drift, shown as a change back.
    let (code, body) = emu.request(
        "PATCH",
        "/apis/example.com/v1/namespaces/demo/widgets/w1?fieldManager=kubectl-edit",
        "application/merge-patch+json",
        r#"{"spec": {"color": "green"}}"#,
    );
    assert_eq!(code, 200, "{body}");
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("kubernetes_manifest.widget will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("color = \"green\" -> \"blue\""), "{}", plan.stdout);
    assert!(!plan.stdout.contains("someone"), "{}", plan.stdout);

    // The field now belongs to kubectl-edit: applying without force conflicts,
    // and the server's message comes with the resource address.
    let conflict = d.run(&["apply", "-auto-approve"]);
    assert_eq!(conflict.code, 1, "{}{}", conflict.stdout, conflict.stderr);
    assert!(conflict.stderr.contains("conflict with \"kubectl-edit\""), "{}", conflict.stderr);
    assert!(conflict.stderr.contains("kubernetes_manifest.widget"), "{}", conflict.stderr);

    let d2 = workdir(&emu, "field_manager {\n    force_conflicts = true\n  }");
    {
        let f = "terraform.tfstate";
        std::fs::copy(d.path().join(f), d2.path().join(f)).expect("copy state");
    }
    d2.run(&["apply", "-auto-approve"]).ok();
    assert_eq!(emu.get("example.com", "widgets", "demo", "w1").unwrap()["spec"]["color"], "blue");
    let plan = d2.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);

    // Destroy: the custom resource and the config map before the namespace and the CRD.
    let destroy = d2.run(&["destroy", "-auto-approve"]).ok();
    assert!(destroy.stdout.contains("Destroy complete! Resources: 4 destroyed."), "{}", destroy.stdout);
    let pos = |s: &str| destroy.stdout.find(s).unwrap_or_else(|| panic!("{s:?} not in {}", destroy.stdout));
    assert!(pos("kubernetes_manifest.widget: Destruction complete") < pos("kubernetes_manifest.crd: Destroying"), "{}", destroy.stdout);
    assert!(pos("kubernetes_manifest.widget: Destruction complete") < pos("kubernetes_namespace.demo: Destroying"), "{}", destroy.stdout);
    assert!(pos("kubernetes_manifest.config: Destruction complete") < pos("kubernetes_namespace.demo: Destroying"), "{}", destroy.stdout);
    assert!(emu.get("", "namespaces", "", "demo").is_none());
    assert!(emu.get("apiextensions.k8s.io", "customresourcedefinitions", "", "widgets.example.com").is_none());
}

#[test]
fn unknown_kind_and_invalid_custom_resource_fail_the_plan() {
    let emu = Emulator::start();
    let provider = format!(
        "provider \"kubernetes\" {{\n  host                   = \"{}\"\n  token                  = \"{}\"\n  cluster_ca_certificate = file(\"ca.pem\")\n}}\n",
        emu.url, emu.token
    );
    let main = r#"
resource "kubernetes_manifest" "gadget" {
  manifest = {
    apiVersion = "example.com/v1"
    kind       = "Gadget"
    metadata   = { name = "g", namespace = "default" }
  }
}
"#;
    let d = Dir::with(&[("provider.tf", &provider), ("main.tf", main), ("ca.pem", &emu.ca_pem)]);
    let plan = d.run(&["plan"]);
    assert_eq!(plan.code, 1, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stderr.contains("no matches for kind \"Gadget\""), "{}", plan.stderr);
    assert!(plan.stderr.contains("kubernetes_manifest.gadget"), "{}", plan.stderr);

    // A custom resource that does not match the schema of its CRD, in the same
    // configuration: an error at plan time, before anything is created.
    let crd_only = CRD_AND_CR.split("resource \"kubernetes_namespace\"").next().unwrap().to_string();
    let invalid = format!(
        "{crd_only}\nresource \"kubernetes_manifest\" \"bad\" {{\n  manifest = {{\n    apiVersion = \"example.com/v1\"\n    kind = \"Widget\"\n    metadata = {{ name = \"b\", namespace = \"default\" }}\n    spec = {{ size = \"three\" }}\n  }}\n}}\n"
    );
    d.write("main.tf", &invalid);
    let plan = d.run(&["plan"]);
    assert_eq!(plan.code, 1, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stderr.contains("Manifest does not match its CRD schema"), "{}", plan.stderr);
    assert!(plan.stderr.contains("spec.size: must be of type integer"), "{}", plan.stderr);
    assert!(emu.get("apiextensions.k8s.io", "customresourcedefinitions", "", "widgets.example.com").is_none());

    // A wrong token: the server's 401 comes through.
    let bad = provider.replace(&emu.token, "wrong");
    let d = Dir::with(&[
        ("provider.tf", &bad),
        ("main.tf", "resource \"kubernetes_namespace\" \"n\" {\n  metadata {\n    name = \"n\"\n  }\n}\n"),
        ("ca.pem", &emu.ca_pem),
    ]);
    let apply = d.run(&["apply", "-auto-approve"]);
    assert_eq!(apply.code, 1, "{}{}", apply.stdout, apply.stderr);
    assert!(apply.stderr.contains("Unauthorized"), "{}", apply.stderr);
}

/// Manifests rendered by HCL (`tests/fixtures/kubernetes-manifests`) pass
/// kubernetes-validate in strict mode; a misspelt field does not.
#[test]
fn rendered_manifests_pass_strict_validation() {
    let validate = crate::support::repo_root().join("scripts/validate-manifests.sh");
    let venv = std::env::var("PLINTH_VENV").unwrap_or_else(|_| format!("{}/.cache/plinth-venv", std::env::var("HOME").unwrap_or_default()));
    if !std::path::Path::new(&venv).join("bin/kubernetes-validate").exists() {
        assert!(std::env::var("PLINTH_REQUIRE_PYTHON_TOOLS").is_err(), "kubernetes-validate is required but not installed in {venv}");
        eprintln!("kubernetes-validate is not installed in {venv}; run scripts/test.sh");
        return;
    }
    let fixture = crate::support::repo_root().join("tests/fixtures/kubernetes-manifests");
    let files: Vec<(String, String)> = std::fs::read_dir(&fixture)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).expect("read")))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let d = Dir::with(&refs);
    d.run(&["apply", "-auto-approve"]).ok();
    let out = d.run(&["output", "-json", "manifests"]).ok();
    let manifests: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let mut paths = Vec::new();
    for (i, m) in manifests.as_array().expect("list").iter().enumerate() {
        let p = d.path().join(format!("rendered-{i}.json"));
        std::fs::write(&p, serde_json::to_string_pretty(m).unwrap()).unwrap();
        paths.push(p);
    }
    assert_eq!(paths.len(), 4);
    let run = |files: &[std::path::PathBuf]| std::process::Command::new(&validate).args(files).output().expect("run kubernetes-validate");
    let ok = run(&paths);
    assert!(ok.status.success(), "{}{}", String::from_utf8_lossy(&ok.stdout), String::from_utf8_lossy(&ok.stderr));

    let bad = d.path().join("bad.json");
    let mut m = manifests[2].clone();
    m["spec"]["replicaz"] = serde_json::json!(2);
    std::fs::write(&bad, m.to_string()).unwrap();
    let fail = run(&[bad]);
    assert!(!fail.status.success(), "strict validation accepted an unknown field: {}", String::from_utf8_lossy(&fail.stdout));
}
