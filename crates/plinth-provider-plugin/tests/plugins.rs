//! The plugin client against real provider binaries (HashiCorp's null
//! provider over tfplugin5, the workato provider over tfplugin6), installed by
//! `scripts/test.sh` into the filesystem mirror named by
//! `PLINTH_PLUGIN_MIRROR`, and against broken plugins made here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use plinth_provider::{ApplyRequest, PathStep, PlanRequest, Provider};
use plinth_provider_plugin::{Log, PluginConfig, PluginProvider};
use plinth_value::{Type, Value};

const NULL: &str = "registry.terraform.io/hashicorp/null";

/// A provider binary from the mirror; `None` (the test is skipped, saying
/// so) when the mirror is not installed, unless `PLINTH_REQUIRE_PLUGIN_BINARIES`
/// is set, as `scripts/test.sh` does, and then the test fails.
fn binary(rel: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PLINTH_PLUGIN_MIRROR").map(|m| Path::new(&m).join(rel)).filter(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("PLINTH_REQUIRE_PLUGIN_BINARIES").is_none(),
            "{rel} is not in PLINTH_PLUGIN_MIRROR (scripts/test.sh installs it)"
        );
        eprintln!("skipped: {rel} not installed (run scripts/test.sh)");
    }
    found
}

fn null_binary() -> Option<PathBuf> {
    binary("registry.terraform.io/hashicorp/null/2.1.2/linux_amd64/terraform-provider-null_v2.1.2_x4")
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<BTreeMap<_, _>>())
}

fn triggers(pairs: &[(&str, &str)]) -> Value {
    Value::map(Type::String, pairs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect())
}

fn alive(pid: u32) -> bool {
    // Signal 0 checks for existence; a zombie would still count, so read the state.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s.split(' ').nth(2).is_none_or(|st| st != "Z"),
        Err(_) => false,
    }
}

#[test]
fn null_provider_lifecycle_over_tfplugin5() {
    let Some(exe) = null_binary() else { return };
    let p = PluginProvider::start(PluginConfig::new(NULL, exe), Log::none());
    assert_eq!(p.protocol_version(), Some(5));
    let schema = p.schema();
    let r = &schema.resources["null_resource"].block;
    assert!(r.attributes["id"].computed);
    assert_eq!(r.attributes["triggers"].ty, Type::map(Type::String));
    assert!(r.attributes["triggers"].optional);
    assert!(schema.data_sources.contains_key("null_data_source"));

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(p.configure(&Value::empty_object())).expect("configure");

    // Create.
    let config = obj(vec![("id", Value::null(Type::String)), ("triggers", triggers(&[("a", "1")]))]);
    let proposed = obj(vec![("id", Value::unknown(Type::String)), ("triggers", triggers(&[("a", "1")]))]);
    let plan =
        p.plan_resource(PlanRequest { type_name: "null_resource", prior: None, proposed: &proposed, config: &config }).expect("plan");
    let planned = plan.planned;
    assert!(planned.as_entries().unwrap()["id"].is_unknown());
    let created = rt
        .block_on(p.apply_resource(ApplyRequest {
            type_name: "null_resource",
            prior: None,
            planned: Some(&planned),
            config: Some(&config),
            operation_token: "t",
        }))
        .expect("apply");
    let id = created.as_entries().unwrap()["id"].as_str().expect("a known id").to_string();
    assert!(id.parse::<u64>().is_ok(), "the null provider's ids are numbers: {id}");

    // Refresh finds it unchanged.
    let read = rt.block_on(p.read_resource("null_resource", &created)).expect("read").expect("exists");
    assert!(read.raw_equal(&created), "{read:?}");

    // Changing a trigger forces replacement.
    let config2 = obj(vec![("id", Value::null(Type::String)), ("triggers", triggers(&[("a", "2")]))]);
    let proposed2 = obj(vec![("id", Value::string(id.clone())), ("triggers", triggers(&[("a", "2")]))]);
    let plan2 = p
        .plan_resource(PlanRequest { type_name: "null_resource", prior: Some(&created), proposed: &proposed2, config: &config2 })
        .expect("plan update");
    assert!(plan2.requires_replace.contains(&vec![PathStep::Attr("triggers".into())]), "{:?}", plan2.requires_replace);

    // Destroy.
    let gone = rt
        .block_on(p.apply_resource(ApplyRequest {
            type_name: "null_resource",
            prior: Some(&created),
            planned: None,
            config: None,
            operation_token: "t2",
        }))
        .expect("destroy");
    assert!(gone.is_null());

    // The data source echoes its inputs.
    let dcfg = obj(vec![
        ("inputs", Value::map(Type::String, BTreeMap::from([("k".to_string(), Value::string("v"))]))),
        ("outputs", Value::null(Type::map(Type::String))),
        ("random", Value::null(Type::String)),
        ("has_computed_default", Value::null(Type::String)),
        ("id", Value::null(Type::String)),
    ]);
    let d = rt.block_on(p.read_data_source("null_data_source", &dcfg)).expect("read data");
    let outputs = &d.as_entries().unwrap()["outputs"];
    assert_eq!(outputs.as_entries().unwrap()["k"].as_str(), Some("v"));

    let pid = p.pid().expect("running");
    assert!(alive(pid));
    p.stop();
    assert!(!alive(pid), "the plugin process is gone after stop");
}

#[test]
fn workato_schema_over_tfplugin6() {
    let Some(exe) = binary("registry.terraform.io/local/workato/0.16.0/linux_amd64/terraform-provider-workato_v0.16.0") else { return };
    let p = PluginProvider::start(PluginConfig::new("registry.terraform.io/local/workato", exe), Log::none());
    assert_eq!(p.protocol_version(), Some(6));
    let schema = p.schema();
    assert!(schema.resources.len() >= 10, "{:?}", schema.resources.keys().collect::<Vec<_>>());
    assert!(schema.resources.keys().all(|k| k.starts_with("workato_")));
    p.stop();
}

/// A shell script standing in for a plugin.
fn fake_plugin(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn start_error(exe: PathBuf, timeout: Duration) -> String {
    // A script written just now may still be open for writing in a process
    // another test thread is forking (until that child's exec closes it):
    // exec then fails with ETXTBSY. That race is the test's, not the
    // plugin loader's; try again a few times.
    for _ in 0..20 {
        let d = start_error_once(exe.clone(), timeout);
        if !d.contains("Text file busy") {
            return d;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    start_error_once(exe, timeout)
}

fn start_error_once(exe: PathBuf, timeout: Duration) -> String {
    let mut cfg = PluginConfig::new("registry.terraform.io/example/broken", exe);
    cfg.handshake_timeout = timeout;
    let p = PluginProvider::start(cfg, Log::none());
    assert!(p.pid().is_none(), "no process is left running");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let e = rt.block_on(p.configure(&Value::empty_object())).expect_err("a broken plugin cannot be configured");
    assert_eq!(e.summary, "Failed to load plugin schemas");
    assert!(e.detail.contains("registry.terraform.io/example/broken"), "the error names the provider: {}", e.detail);
    e.detail
}

#[test]
fn broken_plugins_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = start_error(fake_plugin(dir.path(), "crash", "echo 'panic: boom' >&2; exit 2"), Duration::from_secs(10));
    assert!(d.contains("plugin exited before we could connect"), "{d}");
    assert!(d.contains("panic: boom"), "the plugin's stderr is shown: {d}");

    let d = start_error(fake_plugin(dir.path(), "garbage", "echo 'hello there'; exec sleep 30"), Duration::from_secs(10));
    assert!(d.contains("Unrecognized remote plugin message: hello there"), "{d}");

    let d = start_error(fake_plugin(dir.path(), "v4", "echo '1|4|unix|/tmp/nothing|grpc|'; exec sleep 30"), Duration::from_secs(10));
    assert!(d.contains("Incompatible API version with plugin. Plugin version: 4"), "{d}");

    let t = std::time::Instant::now();
    let d = start_error(fake_plugin(dir.path(), "hang", "exec sleep 30"), Duration::from_millis(500));
    assert!(d.contains("timeout while waiting for plugin to start"), "{d}");
    assert!(t.elapsed() < Duration::from_secs(10));

    let d =
        start_error(fake_plugin(dir.path(), "noconnect", "echo \"1|5|unix|$0.nosocket|grpc|\"; exec sleep 30"), Duration::from_secs(10));
    assert!(d.contains("connecting to the plugin"), "{d}");

    let d = start_error(dir.path().join("missing"), Duration::from_secs(1));
    assert!(d.contains("fork/exec"), "{d}");
}
