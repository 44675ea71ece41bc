//! End-to-end behaviour of the CLI on small configurations.

use crate::support::Dir;

#[test]
fn apply_then_noop_plan_then_destroy() {
    let d = Dir::with(&[(
        "main.tf",
        r#"
resource "terraform_data" "a" {
  input = "one"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
output "b" {
  value = terraform_data.b.output
}
"#,
    )]);
    d.run(&["init"]).ok();
    let apply = d.run(&["apply", "-auto-approve"]).ok();
    assert!(apply.stdout.contains("Plan: 2 to add, 0 to change, 0 to destroy."), "{}", apply.stdout);
    assert!(apply.stdout.contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."), "{}", apply.stdout);
    let plan = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let out = d.run(&["output", "-raw", "b"]).ok();
    assert_eq!(out.stdout, "one");
    let destroy = d.run(&["destroy", "-auto-approve"]).ok();
    assert!(destroy.stdout.contains("Destroy complete! Resources: 2 destroyed."), "{}", destroy.stdout);
    let list = d.run(&["state", "list"]).ok();
    assert_eq!(list.stdout, "");
}

#[test]
fn update_in_place_and_replace() {
    let d = Dir::with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"one\"\n  triggers_replace = 1\n}\n")]);
    d.run(&["apply", "-auto-approve"]).ok();
    d.write("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"two\"\n  triggers_replace = 1\n}\n");
    let up = d.run(&["apply", "-auto-approve"]).ok();
    assert!(up.stdout.contains("will be updated in-place"), "{}", up.stdout);
    assert!(up.stdout.contains("Resources: 0 added, 1 changed, 0 destroyed."), "{}", up.stdout);
    d.write("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"two\"\n  triggers_replace = 2\n}\n");
    let rep = d.run(&["apply", "-auto-approve"]).ok();
    assert!(rep.stdout.contains("must be replaced"), "{}", rep.stdout);
    assert!(rep.stdout.contains("# forces replacement"), "{}", rep.stdout);
    assert!(rep.stdout.contains("Resources: 1 added, 0 changed, 1 destroyed."), "{}", rep.stdout);
}

#[test]
fn diagnostics_point_at_the_source() {
    let d = Dir::with(&[("main.tf", "output \"x\" {\n  value = local.nope\n}\n")]);
    let r = d.run(&["plan", "-no-color"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Error: Reference to undeclared local value"), "{}", r.stderr);
    assert!(r.stderr.contains("on main.tf line 2, in output \"x\":"), "{}", r.stderr);
    assert!(r.stderr.contains("   2:   value = local.nope"), "{}", r.stderr);
}

#[test]
fn corrupt_state_is_reported_and_kept() {
    let d = Dir::with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n"), ("terraform.tfstate", "{\"version\": 4, \"serial\": ")]);
    let r = d.run(&["plan"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Failed to load state"), "{}", r.stderr);
    let kept = std::fs::read_to_string(d.path().join("terraform.tfstate")).expect("state file");
    assert_eq!(kept, "{\"version\": 4, \"serial\": ");
}

#[test]
fn console_prints_like_terraform() {
    let d = Dir::with(&[("main.tf", "locals {\n  m = { b = [1, 2], a = \"x\" }\n}\n")]);
    let r = d.run_stdin(&["console"], "local.m\n").ok();
    assert_eq!(r.stdout, "{\n  \"a\" = \"x\"\n  \"b\" = [\n    1,\n    2,\n  ]\n}\n");
}

#[test]
fn a_killed_apply_is_recovered_from_the_journal() {
    let d = Dir::with(&[("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n")]);
    d.run(&["apply", "-auto-approve"]).ok();
    // What a run killed after creating terraform_data.b, before writing the
    // state, leaves behind: its intent and result records, plus an intent
    // whose call never answered and a torn last line.
    let journal = concat!(
        r#"{"op":"intent","token":"t1","addr":"terraform_data.b","action":"create","provider":"provider[\"terraform.io/builtin/terraform\"]"}"#,
        "\n",
        r#"{"op":"set","token":"t1","addr":"terraform_data.b","provider":"provider[\"terraform.io/builtin/terraform\"]","object":{"schema_version":0,"attributes":{"id":"b-id","input":"y","output":"y","triggers_replace":null},"sensitive_attributes":[]}}"#,
        "\n",
        r#"{"op":"intent","token":"t2","addr":"terraform_data.c","action":"create","provider":"provider[\"terraform.io/builtin/terraform\"]"}"#,
        "\n",
        r#"{"op":"set","tok"#,
    );
    // The journal names the state it was written against.
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path().join("terraform.tfstate")).unwrap()).unwrap();
    let begin = serde_json::json!({"op": "begin", "lineage": s["lineage"], "serial": s["serial"]});
    d.write("terraform.tfstate.journal", &format!("{begin}\n{journal}"));
    let plan = d.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("Recovered an interrupted run"), "{}", plan.stdout);
    assert!(plan.stdout.contains("terraform_data.c: the interrupted create made no object"), "{}", plan.stdout);
    assert!(!d.path().join("terraform.tfstate.journal").exists());
    let list = d.run(&["state", "list"]).ok();
    assert_eq!(list.stdout, "terraform_data.a\nterraform_data.b\n");
    // b is no longer in configuration, so the recovered object is planned for deletion, not lost.
    assert!(plan.stdout.contains("terraform_data.b will be destroyed"), "{}", plan.stdout);
}

#[test]
fn a_corrupt_journal_stops_the_run_and_is_kept() {
    let d = Dir::with(&[("main.tf", "resource \"terraform_data\" \"a\" {}\n"), ("terraform.tfstate.journal", "garbage\n")]);
    let r = d.run(&["plan"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Interrupted run cannot be recovered"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(d.path().join("terraform.tfstate.journal")).unwrap(), "garbage\n");
}

#[test]
fn dynamic_block_iterators_are_no_resource_references() {
    // `tag.key` inside `dynamic "tag"` (and `t.value` with `iterator = t`)
    // is the iterator: validate must not look for a resource type "tag".
    let d = Dir::with(&[(
        "main.tf",
        r#"
locals {
  tags = { a = "1", b = "2" }
}
resource "aws_autoscaling_group" "g" {
  min_size = 0
  max_size = 0
  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
resource "aws_launch_template" "t" {
  dynamic "tag_specifications" {
    for_each = ["instance", "volume"]
    iterator = t
    content {
      resource_type = t.value
      tags          = local.tags
    }
  }
}
"#,
    )]);
    d.run(&["init"]).ok();
    let r = d.run(&["validate", "-no-color"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("The configuration is valid"), "{}", r.stdout);
}

/// Destroy evaluates child modules' outputs: another module's arguments (and
/// so its expansion) may read them, here through a function that needs a map.
#[test]
fn destroy_evaluates_child_module_outputs() {
    let d = Dir::with(&[
        (
            "main.tf",
            r#"
module "a" {
  source = "./a"
}
module "b" {
  source = "./b"
  names  = values(module.a.ids)
}
"#,
        ),
        (
            "a/main.tf",
            r#"
resource "terraform_data" "x" {
  for_each = toset(["one", "two"])
  input    = each.key
}
output "ids" {
  value = { for k, r in terraform_data.x : k => r.output }
}
"#,
        ),
        (
            "b/main.tf",
            r#"
variable "names" {
  type = list(string)
}
resource "terraform_data" "y" {
  count = length(var.names)
  input = var.names[count.index]
}
"#,
        ),
    ]);
    d.run(&["init"]).ok();
    d.run(&["apply", "-auto-approve"]).ok();
    let destroy = d.run(&["destroy", "-auto-approve"]).ok();
    assert!(destroy.stdout.contains("Resources: 4 destroyed."), "{}", destroy.stdout);
}

/// A `for_each` known only after apply: the plan warns that the instances
/// are planned during apply (they are not in it), apply creates them, and
/// when the keys become unknown again the instances in state are kept rather
/// than planned for deletion.
#[test]
fn unknown_for_each_is_planned_during_apply_and_keeps_existing_instances() {
    let config = |keys: &str| {
        format!(
            r#"
resource "terraform_data" "keys" {{
  input = {keys}
}}
resource "terraform_data" "x" {{
  for_each = toset(terraform_data.keys.output)
  input    = each.key
}}
"#
        )
    };
    let d = Dir::with(&[("main.tf", &config(r#"["a", "b"]"#))]);
    d.run(&["init"]).ok();
    let plan = d.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{}", plan.stdout);
    assert!(
        plan.stderr.contains("Instances known only after apply") || plan.stdout.contains("Instances known only after apply"),
        "{}\n{}",
        plan.stdout,
        plan.stderr
    );
    d.run(&["apply", "-auto-approve"]).ok();
    let list = d.run(&["state", "list"]).ok();
    assert_eq!(list.stdout, "terraform_data.keys\nterraform_data.x[\"a\"]\nterraform_data.x[\"b\"]\n");
    let again = d.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.stdout);

    d.write("main.tf", &config(r#"["a", "c"]"#));
    let plan = d.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("0 to destroy"), "existing instances must not be planned for deletion:\n{}", plan.stdout);
    d.run(&["apply", "-auto-approve"]).ok();
    let plan = d.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("terraform_data.x[\"b\"] will be destroyed"), "{}", plan.stdout);
}

/// The walk plans locally-planning providers' instances ahead of their turn;
/// the two things a turn does first — Terraform's implicit move when `count`
/// is added, and `replace_triggered_by` reading what earlier turns planned —
/// must still decide the plan.
#[test]
fn implicit_moves_and_replace_triggered_by_survive_planning_ahead() {
    // `a` (with the given count argument and input), and `b`, replaced whenever `a` changes.
    let config = |count: &str, input: &str| {
        format!(
            "resource \"terraform_data\" \"a\" {{\n{count}  input = \"{input}\"\n}}\nresource \"terraform_data\" \"b\" {{\n  input = \"b\"\n  lifecycle {{\n    replace_triggered_by = [terraform_data.a]\n  }}\n}}\n"
        )
    };
    let d = Dir::with(&[("main.tf", config("", "one").as_str())]);
    d.run(&["apply", "-auto-approve"]).ok();
    // count added to a single-instance resource: a move, not a replacement.
    d.write("main.tf", &config("  count = 1\n", "one"));
    let moved = d.run(&["apply", "-auto-approve"]).ok();
    assert!(moved.stdout.contains("# terraform_data.a has moved to terraform_data.a[0]"), "{}", moved.stdout);
    assert!(moved.stdout.contains("Resources: 0 added, 0 changed, 0 destroyed."), "{}", moved.stdout);
    // a changes in place: b, which names it in replace_triggered_by, is replaced.
    d.write("main.tf", &config("  count = 1\n", "two"));
    let plan = d.run(&["plan", "-no-color"]).ok();
    assert!(plan.stdout.contains("# terraform_data.a[0] will be updated in-place"), "{}", plan.stdout);
    assert!(plan.stdout.contains("# terraform_data.b will be replaced due to changes in replace_triggered_by"), "{}", plan.stdout);
    assert!(plan.stdout.contains("Plan: 1 to add, 1 to change, 1 to destroy."), "{}", plan.stdout);
}
