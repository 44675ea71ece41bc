//! Machine-readable output: `show -json` of a saved plan read back through
//! serde types written for Terraform's documented JSON plan format, the JSON
//! UI stream of `plan -json` / `apply -json`, and saved plans applied or
//! refused.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value as J;

use crate::support::Dir;

// Terraform's JSON output format (internal/command/jsonplan, jsonstate),
// format_version 1.2. Unknown fields are errors here so that a misspelt
// field fails the test instead of being ignored.

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct PlanRepr {
    format_version: String,
    terraform_version: String,
    #[serde(default)]
    variables: BTreeMap<String, VariableRepr>,
    planned_values: ValuesRepr,
    #[serde(default)]
    resource_drift: Vec<ResourceChangeRepr>,
    resource_changes: Vec<ResourceChangeRepr>,
    #[serde(default)]
    deferred_changes: Vec<J>,
    #[serde(default)]
    output_changes: BTreeMap<String, ChangeRepr>,
    prior_state: Option<StateRepr>,
    configuration: ConfigRepr,
    #[serde(default)]
    relevant_attributes: Vec<J>,
    #[serde(default)]
    checks: Vec<J>,
    timestamp: String,
    applyable: bool,
    complete: bool,
    errored: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct VariableRepr {
    value: J,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ValuesRepr {
    #[serde(default)]
    outputs: BTreeMap<String, OutputRepr>,
    root_module: ModuleRepr,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct OutputRepr {
    sensitive: bool,
    #[serde(rename = "type")]
    ty: Option<J>,
    value: Option<J>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ModuleRepr {
    address: Option<String>,
    #[serde(default)]
    resources: Vec<ResourceRepr>,
    #[serde(default)]
    child_modules: Vec<ModuleRepr>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ResourceRepr {
    address: String,
    mode: String,
    #[serde(rename = "type")]
    ty: String,
    name: String,
    index: Option<J>,
    provider_name: String,
    schema_version: u64,
    values: BTreeMap<String, J>,
    sensitive_values: J,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ResourceChangeRepr {
    address: String,
    previous_address: Option<String>,
    module_address: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    ty: String,
    name: String,
    index: Option<J>,
    deposed: Option<String>,
    provider_name: String,
    change: ChangeRepr,
    action_reason: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ChangeRepr {
    actions: Vec<String>,
    before: J,
    after: J,
    after_unknown: J,
    before_sensitive: J,
    after_sensitive: J,
    replace_paths: Option<Vec<Vec<J>>>,
    importing: Option<J>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct StateRepr {
    format_version: String,
    terraform_version: Option<String>,
    values: Option<ValuesRepr>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ConfigRepr {
    provider_config: J,
    root_module: J,
}

fn module_addresses(m: &ModuleRepr, out: &mut Vec<String>) {
    out.extend(m.resources.iter().map(|r| r.address.clone()));
    for c in &m.child_modules {
        assert!(c.address.is_some(), "child modules carry their address");
        module_addresses(c, out);
    }
}

const NETWORK: &[(&str, &str)] = &[
    (
        "main.tf",
        r#"
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}
variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}
resource "terraform_data" "vpc" {
  input = { cidr = var.cidr, token = var.token }
}
module "subnets" {
  source = "./modules/subnets"
  vpc    = terraform_data.vpc.id
}
output "vpc_id" {
  value = terraform_data.vpc.id
}
"#,
    ),
    (
        "modules/subnets/main.tf",
        r#"
variable "vpc" {
  type = string
}
resource "terraform_data" "subnet" {
  for_each = toset(["a", "b"])
  input    = "${var.vpc}-${each.key}"
}
"#,
    ),
];

#[test]
fn show_json_of_a_saved_plan_reads_back_as_terraform_plan_format() {
    let d = Dir::with(NETWORK);
    d.run(&["plan", "-out=tfplan"]).ok();
    let show = d.run(&["show", "-json", "tfplan"]).ok();
    let plan: PlanRepr = serde_json::from_str(&show.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show.stdout));
    assert_eq!(plan.format_version, "1.2");
    assert!(!plan.terraform_version.is_empty() && !plan.timestamp.is_empty());
    assert!(plan.applyable && plan.complete && !plan.errored);
    assert_eq!(plan.variables["cidr"].value, "10.0.0.0/16");
    let mut addrs: Vec<&str> = plan.resource_changes.iter().map(|c| c.address.as_str()).collect();
    addrs.sort();
    assert_eq!(addrs, ["module.subnets.terraform_data.subnet[\"a\"]", "module.subnets.terraform_data.subnet[\"b\"]", "terraform_data.vpc"]);
    for c in &plan.resource_changes {
        assert_eq!(c.change.actions, ["create"]);
        assert_eq!(c.mode, "managed");
        assert_eq!(c.ty, "terraform_data");
        assert_eq!(c.provider_name, "terraform.io/builtin/terraform");
        assert!(c.change.before.is_null());
        assert_eq!(c.change.after_unknown["id"], true, "{:?}", c.change.after_unknown);
    }
    let sub = plan.resource_changes.iter().find(|c| c.address.ends_with("[\"a\"]")).unwrap();
    assert_eq!(sub.module_address.as_deref(), Some("module.subnets"));
    assert_eq!(sub.index, Some(J::from("a")));
    assert_eq!(sub.name, "subnet");
    let vpc = plan.resource_changes.iter().find(|c| c.address == "terraform_data.vpc").unwrap();
    assert_eq!(vpc.change.after["input"]["cidr"], "10.0.0.0/16");
    // The engine marks the whole `input` (or just its token) sensitive.
    let s = &vpc.change.after_sensitive["input"];
    assert!(*s == J::Bool(true) || s["token"] == true, "{:?}", vpc.change.after_sensitive);
    let mut planned = Vec::new();
    module_addresses(&plan.planned_values.root_module, &mut planned);
    planned.sort();
    assert_eq!(planned, addrs);
    assert_eq!(plan.planned_values.root_module.child_modules[0].address.as_deref(), Some("module.subnets"));
    let r = &plan.planned_values.root_module.resources[0];
    assert_eq!((r.mode.as_str(), r.ty.as_str(), r.name.as_str(), r.schema_version), ("managed", "terraform_data", "vpc", 0));
    assert!(r.values.contains_key("input") && r.index.is_none() && r.sensitive_values.is_object());
    assert_eq!(r.provider_name, "terraform.io/builtin/terraform");
    assert_eq!(plan.output_changes["vpc_id"].actions, ["create"]);
    assert!(plan.planned_values.outputs["vpc_id"].value.is_none(), "unknown outputs have no value");
    assert!(!plan.planned_values.outputs["vpc_id"].sensitive);
    assert_eq!(plan.prior_state.as_ref().map(|s| s.format_version.as_str()), Some("1.0"));
    assert!(plan.configuration.root_module["module_calls"]["subnets"]["module"]["resources"].is_array());
    assert!(plan.configuration.provider_config.is_object());
    assert!(
        plan.resource_drift.is_empty() && plan.deferred_changes.is_empty() && plan.relevant_attributes.is_empty() && plan.checks.is_empty()
    );
    let _ = (
        &sub.previous_address,
        &sub.deposed,
        &sub.action_reason,
        &sub.change.replace_paths,
        &sub.change.importing,
        &sub.change.before_sensitive,
    );

    // After applying, the state representation has the same resource tree.
    d.run(&["apply", "tfplan"]).ok();
    let show = d.run(&["show", "-json"]).ok();
    let state: StateRepr = serde_json::from_str(&show.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show.stdout));
    let values = state.values.expect("values");
    let mut in_state = Vec::new();
    module_addresses(&values.root_module, &mut in_state);
    in_state.sort();
    assert_eq!(in_state, addrs);
    assert!(values.outputs["vpc_id"].value.as_ref().is_some_and(J::is_string));
    assert_eq!(values.outputs["vpc_id"].ty, Some(J::from("string")));
    // plinth's state files record no Terraform version, and `show -json`
    // shows what the file records, as Terraform's does (it omits the field).
    assert_eq!(state.terraform_version.as_deref(), None);
}

#[test]
fn saved_plan_is_refused_when_the_state_moved() {
    let d = Dir::with(&[("main.tf", "variable \"v\" {\n  default = \"a\"\n}\nresource \"terraform_data\" \"x\" {\n  input = var.v\n}\n")]);
    d.run(&["apply", "-auto-approve"]).ok();
    d.run(&["plan", "-out=p1", "-var", "v=b"]).ok();
    d.run(&["plan", "-out=p2", "-var", "v=c"]).ok();
    let human = d.run(&["show", "p1"]).ok();
    assert!(human.stdout.contains("~ input  = \"a\" -> \"b\""), "{}", human.stdout);
    let a1 = d.run(&["apply", "p1"]).ok();
    assert!(a1.stdout.contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."), "{}", a1.stdout);
    // No outputs at all: Terraform 1.15 warns "No outputs found" and exits 0.
    assert_eq!(d.run(&["output", "-raw", "x"]).code, 0);
    let a2 = d.run(&["apply", "p2"]);
    assert_eq!(a2.code, 1);
    assert!(a2.stderr.contains("Saved plan is stale"), "{}", a2.stderr);
    // The saved variable value was used, not the configuration's default.
    let state = d.run(&["show", "-json"]).ok();
    assert!(state.stdout.contains("\"input\":\"b\""), "{}", state.stdout);
    // A configuration edited after planning does not make the plan stale:
    // as Terraform, apply makes the saved plan's change (its values, not the
    // edited default).
    d.run(&["plan", "-out=p3"]).ok();
    d.write("main.tf", "variable \"v\" {\n  default = \"z\"\n}\nresource \"terraform_data\" \"x\" {\n  input = var.v\n}\n");
    let a3 = d.run(&["apply", "p3"]).ok();
    assert!(a3.stdout.contains("1 changed"), "{a3:?}");
    let state = d.run(&["show", "-json"]).ok();
    assert!(state.stdout.contains("\"input\":\"a\""), "{}", state.stdout);
}

/// As Terraform 1.10+: an ephemeral variable's value is not saved in the
/// plan file (nor its JSON); applying the plan needs it set again, and may
/// set it to another value.
#[test]
fn saved_plan_keeps_no_ephemeral_variable_value() {
    let d = Dir::with(&[(
        "main.tf",
        "variable \"e\" {\n  type      = string\n  ephemeral = true\n}\nvariable \"p\" {\n  type = string\n}\nresource \"terraform_data\" \"r\" {\n  input = ephemeralasnull(var.e)\n}\n",
    )]);
    d.run(&["plan", "-out=p", "-var", "e=SECRET1", "-var", "p=P"]).ok();
    let saved = std::fs::read_to_string(d.path().join("p")).expect("the plan file");
    assert!(!saved.contains("SECRET1"), "{saved}");
    let shown: J = serde_json::from_str(&d.run(&["show", "-json", "p"]).ok().stdout).expect("JSON");
    assert_eq!(shown["variables"], serde_json::json!({ "p": { "value": "P" } }));
    let a = d.run(&["apply", "p"]);
    assert_eq!(a.code, 1);
    assert!(a.stderr.contains("No value for required variable"), "{}", a.stderr);
    assert!(a.stderr.contains("The ephemeral input variable \"e\" was set during the plan phase"), "{}", a.stderr);
    let a = d.run(&["apply", "-var", "e=OTHER", "p"]).ok();
    assert!(a.stdout.contains("Apply complete! Resources: 1 added"), "{}", a.stdout);
    let state = std::fs::read_to_string(d.path().join("terraform.tfstate")).expect("the state");
    assert!(!state.contains("SECRET1") && !state.contains("OTHER"), "{state}");
}

fn lines(stdout: &str) -> Vec<J> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn plan_and_apply_stream_json_ui_messages() {
    let d = Dir::with(&[(
        "main.tf",
        "resource \"terraform_data\" \"x\" {\n  input = 1\n}\noutput \"o\" {\n  value = terraform_data.x.input\n}\n",
    )]);
    let plan = lines(&d.run(&["plan", "-json"]).ok().stdout);
    let types: Vec<&str> = plan.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["version", "planned_change", "change_summary", "outputs"]);
    for m in &plan {
        for k in ["@level", "@message", "@module", "@timestamp"] {
            assert!(m[k].is_string(), "{k} in {m}");
        }
    }
    assert_eq!(plan[1]["change"]["action"], "create");
    assert_eq!(plan[1]["change"]["resource"]["addr"], "terraform_data.x");
    assert_eq!(plan[2]["changes"]["add"], 1);
    assert_eq!(plan[2]["@message"], "Plan: 1 to add, 0 to change, 0 to destroy.");
    let apply = lines(&d.run(&["apply", "-json", "-auto-approve"]).ok().stdout);
    let types: Vec<&str> = apply.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["version", "planned_change", "change_summary", "outputs", "apply_start", "apply_complete", "change_summary", "outputs"]
    );
    assert_eq!(apply[5]["hook"]["id_key"], "id");
    assert_eq!(apply[6]["changes"]["operation"], "apply");
    assert_eq!(apply[7]["outputs"]["o"]["value"], 1);
    let bad = Dir::with(&[("main.tf", "output \"x\" {\n  value = local.nope\n}\n")]);
    let r = bad.run(&["plan", "-json"]);
    assert_eq!(r.code, 1);
    let msgs = lines(&r.stdout);
    let diag = msgs.iter().find(|m| m["type"] == "diagnostic").expect("a diagnostic message");
    assert_eq!(diag["@level"], "error");
    assert_eq!(diag["diagnostic"]["severity"], "error");
    assert_eq!(diag["diagnostic"]["range"]["filename"], "main.tf");
    assert_eq!(diag["diagnostic"]["range"]["start"]["line"], 2);
}
