//! Issue 8: the cloud, the cluster and the in-cluster add-ons in ONE apply.
//! A provider whose configuration depends on resources not created yet has
//! its changes deferred; `apply` plans and applies them in further rounds of
//! the same run, holding the state lock throughout. `examples/platform`
//! (network, registry, cluster and the four add-ons) against moto and the
//! Kubernetes API emulator: one `apply -auto-approve` creates everything, a
//! second plan is empty, destroy empties both.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use kube_emulator::{Emulator, Options};
use serde_json::Value;

use crate::modules::{example_copy, platform_inventory};
use crate::support::Dir;

/// A kubernetes provider configured from a resource (as a cluster's endpoint
/// would be), a CRD and a custom resource of it.
const DEFERRED: &str = r#"
variable "api" {
  type = string
}

variable "token" {
  type      = string
  sensitive = true
}

resource "terraform_data" "api" {
  input = var.api
}

provider "kubernetes" {
  host                   = terraform_data.api.output
  token                  = var.token
  cluster_ca_certificate = file("ca.pem")
}

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
                properties = { size = { type = "integer" } }
              }
            }
          }
        }
      }]
    }
  }
}

resource "kubernetes_manifest" "widget" {
  manifest = {
    apiVersion = "example.com/v1"
    kind       = "Widget"
    metadata   = { name = "w1", namespace = "default" }
    spec       = { size = SIZE }
  }
}
"#;

fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn state(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).expect("state file")).expect("state JSON")
}

/// The deferred round runs under the lock the first round took (the same
/// lock ID, never released in between), so no other run can slip in; the
/// state's lineage stays and its serial counts the rounds. A round that fails
/// leaves the state of the rounds before it and releases the lock.
#[test]
fn deferred_rounds_hold_the_state_lock() {
    // CRDs take 2 s to be Established: round 2 is long enough to look at.
    let emu = Emulator::start_with(Options { crd_delay: Duration::from_secs(2), ..Options::default() });
    let initial = emu.objects();
    let d = Dir::with(&[("main.tf", &DEFERRED.replace("SIZE", "3")), ("ca.pem", &emu.ca_pem)]);
    let vars = [("TF_VAR_api", emu.url.as_str()), ("TF_VAR_token", emu.token.as_str())];
    d.run_env(&["init"], &vars).ok();

    let plan = d.run_env(&["plan"], &vars).ok();
    assert!(
        plan.stdout.contains("kubernetes_manifest.widget was deferred\n  # (because the provider configuration is unknown, until terraform_data.api is applied)"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);

    let lock_path = d.path().join(".terraform.tfstate.lock.info");
    let lock_id = || -> Option<String> {
        let text = std::fs::read_to_string(&lock_path).ok()?;
        Some(serde_json::from_str::<Value>(&text).ok()?["ID"].as_str()?.to_string())
    };
    // PLINTH_TEST_HOLD_LOCK: round 1 waits a second after locking, so the
    // test sees the lock before anything is applied.
    let child = d
        .command(&["apply", "-auto-approve"])
        .envs(vars)
        .env("PLINTH_TEST_HOLD_LOCK", "1s")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn plinth");
    let first = wait_for("the first round's lock", Duration::from_secs(20), lock_id);
    // Round 2 has created the CRD and waits for it to be Established.
    wait_for("the CRD (round 2)", Duration::from_secs(60), || {
        emu.get("apiextensions.k8s.io", "customresourcedefinitions", "", "widgets.example.com")
    });
    assert!(emu.get("example.com", "widgets", "default", "w1").is_none(), "round 2 is over already: make crd_delay longer");
    assert_eq!(lock_id().as_deref(), Some(first.as_str()), "round 2 runs under the lock round 1 took");
    let other = d.run_env(&["plan"], &vars);
    assert_eq!(other.code, 1, "another run got in during round 2:\n{}{}", other.stdout, other.stderr);
    assert!(other.stderr.contains("Error acquiring the state lock"), "{}", other.stderr);

    let out = child.wait_with_output().expect("wait for apply");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stderr.matches("holding the state lock").count(), 1, "the lock is taken once per run: {stderr}");
    assert!(stdout.contains("2 deferred change(s) can be planned now; planning them:"), "{stdout}");
    assert!(stdout.contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\n2 deferred"), "{stdout}");
    assert!(
        stdout.contains("planning them:") && stdout.contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        "{stdout}"
    );
    assert!(!lock_path.exists(), "the lock is released at the end");
    assert!(emu.get("example.com", "widgets", "default", "w1").is_some_and(|w| w["spec"]["size"] == 3));

    // One state write per round, one backend session: the backup is the
    // state from before the run (there was none), not round 1's.
    let s = state(d.path());
    let lineage = s["lineage"].as_str().expect("lineage").to_string();
    assert_eq!(s["serial"].as_u64(), Some(2), "{s}");
    assert_eq!(s["resources"].as_array().map(Vec::len), Some(3), "{s}");
    assert!(!d.path().join("terraform.tfstate.backup").exists(), "a backup of round 1's state: round 2 opened the state again");
    let again = d.run_env(&["plan", "-detailed-exitcode"], &vars);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    d.run_env(&["destroy", "-auto-approve"], &vars).ok();
    wait_for("the emulator's initial objects", Duration::from_secs(10), || (emu.objects() == initial).then_some(()));

    // A failing later round: round 1's changes are in the state, the lock is
    // released, and the next apply carries on from there.
    // (The server refuses the name; plan-time checks cannot know.)
    d.write("main.tf", &DEFERRED.replace("SIZE", "3").replace("\"w1\"", "\"Bad_Name\""));
    let failed = d.run_env(&["apply", "-auto-approve"], &vars);
    assert_eq!(failed.code, 1, "{}{}", failed.stdout, failed.stderr);
    assert!(failed.stdout.contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\n2 deferred"), "{}", failed.stdout);
    assert!(failed.stderr.contains("\"Bad_Name\" is invalid"), "{}", failed.stderr);
    let s = state(d.path());
    assert_eq!(s["lineage"].as_str(), Some(lineage.as_str()), "{s}");
    let kept: Vec<&str> = s["resources"].as_array().expect("resources").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(kept, ["crd", "api"], "{s}");
    assert!(!lock_path.exists(), "the lock is released after a failed round");
    d.write("main.tf", &DEFERRED.replace("SIZE", "5"));
    let fixed = d.run_env(&["apply", "-auto-approve"], &vars).ok();
    assert!(fixed.stdout.contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."), "{}", fixed.stdout);
    assert!(!fixed.stdout.contains("deferred change(s) can be planned now"), "{}", fixed.stdout);
    assert!(emu.get("example.com", "widgets", "default", "w1").is_some_and(|w| w["spec"]["size"] == 5));
    d.run_env(&["destroy", "-auto-approve"], &vars).ok();
}

/// `examples/platform` in one `plinth apply -auto-approve` against moto and
/// the emulator: the cloud half, then the deferred add-ons, CRDs before their
/// custom resources; a second plan is empty; destroy empties both.
#[test]
fn platform_example_applies_in_one_run_and_destroys() {
    let Some(m) = crate::reliability::moto("ap-northeast-2") else {
        return;
    };
    const NAME: &str = "plattest";
    let inventory = || platform_inventory(&m, NAME);
    let before = inventory();
    assert!(before.values().all(Vec::is_empty), "ap-northeast-2 is not empty before the test: {before:?}");
    let emu = Emulator::start();
    let initial = emu.objects();

    let (_d, ex) = example_copy("platform");
    let vars = [
        ("TF_VAR_cluster_name", NAME),
        ("TF_VAR_kubernetes_endpoint_override", emu.url.as_str()),
        ("TF_VAR_kubernetes_ca_certificate_override", emu.ca_pem.as_str()),
        ("TF_VAR_kubernetes_token", emu.token.as_str()),
    ];
    let run = |args: &[&str]| {
        let out = m.command(&ex, args).envs(vars).output().expect("run plinth");
        crate::support::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    run(&["init"]).ok();

    // The plan defers every add-on: the provider waits for the cluster.
    let plan = run(&["plan"]).ok();
    let deferred =
        plan.stdout.matches(" was deferred\n  # (because the provider configuration is unknown, until module.cluster is applied)").count();
    assert!(deferred > 100, "{deferred} deferred changes:\n{}", crate::addons::tail(&plan.stdout));

    let t = Instant::now();
    let applied = run(&["apply", "-auto-approve"]).ok();
    let took = t.elapsed();
    let rounds: Vec<u64> =
        applied.stdout.lines().filter_map(|l| l.strip_prefix("Apply complete! Resources: ")?.split(' ').next()?.parse().ok()).collect();
    assert_eq!(rounds.len(), 2, "two rounds: {rounds:?}\n{}", crate::addons::tail(&applied.stdout));
    assert!(
        applied.stdout.contains(&format!("{deferred} deferred change(s) can be planned now; planning them:")),
        "{}",
        crate::addons::tail(&applied.stdout)
    );

    // Every object, counted per module in the state, in moto and in the emulator.
    let state: Value = serde_json::from_str(&run(&["state", "pull"]).ok().stdout).expect("state JSON");
    let mut per_module: BTreeMap<String, u64> = BTreeMap::new();
    for r in state["resources"].as_array().expect("resources").iter().filter(|r| r["mode"] == "managed") {
        let module = r["module"].as_str().unwrap_or("root").split('.').nth(1).unwrap_or("root").to_string();
        *per_module.entry(module).or_default() += r["instances"].as_array().map_or(0, |i| i.len() as u64);
    }
    let counts: Value = serde_json::from_str(&run(&["output", "-json", "object_counts"]).ok().stdout).expect("object_counts");
    let addons = ["monitoring", "logging", "autoscaling", "ingress"];
    for a in addons {
        assert_eq!(per_module.get(a).copied(), counts[a].as_u64(), "{a}: {per_module:?} {counts}");
    }
    let kube_total: u64 = addons.iter().map(|a| per_module[*a]).sum();
    let cloud_total: u64 = per_module.iter().filter(|(k, _)| !addons.contains(&k.as_str())).map(|(_, n)| n).sum();
    assert_eq!(rounds, [cloud_total, kube_total], "round 1 makes the cloud half, round 2 the add-ons: {per_module:?}");
    let created: Vec<String> = emu.objects().into_iter().filter(|o| !initial.contains(o)).collect();
    assert_eq!(created.len() as u64, kube_total, "{created:#?}");
    let inv = inventory();
    let count = |k: &str| inv.get(k).map_or(0, Vec::len);
    for (kind, n) in [
        ("vpc", 1),
        ("subnet", 6),
        ("nat_gateway", 3),
        ("autoscaling_group", 4),
        ("lb", 1),
        ("ecr_repository", 3),
        ("iam_role", 2),
        ("s3_bucket", 1),
        ("launch_template", 4),
        ("ebs_volume", 3),
    ] {
        assert_eq!(count(kind), n, "{kind} in moto: {inv:?}");
    }
    eprintln!(
        "platform: one apply in {took:.1?}: {per_module:?} (cloud {cloud_total}, kubernetes {kube_total}); moto: {:?}",
        inv.iter().map(|(k, v)| (k.as_str(), v.len())).collect::<BTreeMap<_, _>>()
    );

    // Namespaces and CRDs before what needs them (the emulator refuses
    // otherwise, so success shows it; the log shows it too).
    let pos = |s: &str| applied.stdout.find(s).unwrap_or_else(|| panic!("{s:?} not in the apply output"));
    assert!(
        pos("deferred change(s) can be planned now")
            < pos("module.monitoring.kubernetes_manifest.namespace[\"Namespace/monitoring\"]: Creating...")
    );
    assert!(
        pos(
            "module.monitoring.kubernetes_manifest.crd[\"CustomResourceDefinition/prometheuses.monitoring.coreos.com\"]: Creation complete"
        ) < pos("module.monitoring.kubernetes_manifest.custom[\"Prometheus/monitoring/main\"]: Creating...")
    );
    assert!(
        pos("module.autoscaling.kubernetes_manifest.crd[\"CustomResourceDefinition/verticalpodautoscalers.autoscaling.k8s.io\"]: Creation complete")
            < pos("module.autoscaling.kubernetes_manifest.custom[\"VerticalPodAutoscaler/autoscaling-example/sample-app\"]: Creating...")
    );
    // The sample app's image comes from the new registry.
    let app = emu.get("apps", "deployments", "sample-app", "sample-app").expect("sample app");
    let image = app["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap_or_default().to_string();
    assert!(image.ends_with(&format!(".dkr.ecr.ap-northeast-2.amazonaws.com/{NAME}/web:1.0.0")), "{image}");

    let again = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code, 0, "second plan is not empty:\n{}{}", crate::addons::tail(&again.stdout), again.stderr);

    let t = Instant::now();
    let destroyed = run(&["destroy", "-auto-approve"]).ok();
    assert!(
        destroyed.stdout.contains(&format!("Destroy complete! Resources: {} destroyed.", cloud_total + kube_total)),
        "{}",
        crate::addons::tail(&destroyed.stdout)
    );
    eprintln!("platform: destroy in {:.1?}", t.elapsed());
    wait_for("the emulator's initial objects", Duration::from_secs(10), || (emu.objects() == initial).then_some(()));
    let after = inventory();
    assert!(after.values().all(Vec::is_empty), "moto still holds objects of the example: {after:?}");
}
