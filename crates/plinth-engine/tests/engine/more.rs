//! Expressions over resources, modules and outputs in the walk.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn for_each_over_a_map_of_objects() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.box["large"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "large"
            size = 8
            tags = {tier = "prod"}
        mock_thing.box["small"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "small"
            size = 1
            tags = {tier = "dev"}
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "boxes" {
  default = {
    small = { size = 1, tags = { tier = "dev" } }
    large = { size = 8, tags = { tier = "prod" } }
  }
}
resource "mock_thing" "box" {
  for_each = var.boxes
  name     = each.key
  size     = each.value.size
  tags     = each.value.tags
}
"#,
    ));
}

#[test]
fn a_sensitive_module_output_stays_sensitive() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_other.b: create
            id = (known after apply)
            name = (sensitive value)
        module.m.mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            secret = (sensitive value)
        output secret (sensitive): null -> (sensitive value)
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing ?
        create mock_other s3cr3t
        --- state
        mock_other.b: id="mock_other-1" name="s3cr3t"
        module.m.mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" secret="s3cr3t"
        output secret = (sensitive value)
    "#]]
    .assert_eq(&f.apply(
        r#"
-- main.tf --
module "m" { source = "./m" }
resource "mock_other" "b" { name = module.m.secret }
output "secret" {
  value     = module.m.secret
  sensitive = true
}
-- m/main.tf --
resource "mock_thing" "a" { secret = "s3cr3t" }
output "secret" {
  value     = mock_thing.a.secret
  sensitive = true
}
"#,
    ));
}

#[test]
fn destroy_removes_root_outputs() {
    let mut f = Fixture::new();
    let cfg = r#"
resource "mock_thing" "a" { name = "a" }
output "id" { value = mock_thing.a.id }
"#;
    f.apply(cfg);
    expect![[r#"
        mock_thing.a: delete
        output id: "mock_thing-1" -> null
        plan: 0 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing a
        --- state
    "#]]
    .assert_eq(&f.destroy(cfg));
}

#[test]
fn a_removed_output_leaves_state() {
    let mut f = Fixture::new();
    f.apply(r#"output "x" { value = 1 }"#);
    expect![[r#"
        output x: 1 -> null
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
    "#]]
    .assert_eq(&f.apply(""));
}

#[test]
fn conditional_resource_with_count() {
    let mut f = Fixture::new();
    let cfg = |on: bool| {
        format!(
            r#"
variable "on" {{ default = {on} }}
resource "mock_thing" "a" {{
  count = var.on ? 1 : 0
  name  = "a"
}}
output "id" {{ value = one(mock_thing.a[*].id) }}
"#
        )
    };
    f.apply(&cfg(true));
    expect![[r#"
        mock_thing.a[0]: delete (because index [0] is out of range for count)
        output id: "mock_thing-1" -> null
        plan: 0 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing a
        --- state
    "#]]
    .assert_eq(&f.apply(&cfg(false)));
}

#[test]
fn a_module_removed_entirely_is_destroyed() {
    let mut f = Fixture::new();
    f.apply(
        r#"
-- main.tf --
module "m" { source = "./m" }
-- m/main.tf --
resource "mock_thing" "a" { name = "a" }
"#,
    );
    expect![[r#"
        module.m.mock_thing.a: delete (because module.m is not in configuration)
        plan: 0 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing a
        --- state
    "#]]
    .assert_eq(&f.apply(""));
}

#[test]
fn an_undeclared_reference_is_an_error_before_planning() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Reference to undeclared resource [main.tf:1]: A managed resource "mock_thing" "nope" has not been declared in the root module.
    "#]].assert_eq(&f.plan(r#"resource "mock_thing" "a" { name = mock_thing.nope.name }"#));
    assert!(f.mock().calls().is_empty(), "nothing is asked of the provider");
}

#[test]
fn an_unsupported_argument_is_an_error() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Unsupported argument [main.tf:1]: An argument named "colour" is not expected here.
    "#]]
    .assert_eq(&f.plan(r#"resource "mock_thing" "a" { colour = "red" }"#));
}

#[test]
fn a_cycle_is_an_error() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Cycle: mock_thing.b, mock_thing.a: 
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" { name = mock_thing.b.id }
resource "mock_thing" "b" { name = mock_thing.a.id }
"#,
    ));
}

#[test]
fn unknown_values_inside_a_nested_block() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_net.n: create
            id = (known after apply)
            meta = {owner = (known after apply)}
            name = "n"
            rule = [{port = 80, proto = null}]
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            size = 80
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" { size = 80 }
resource "mock_net" "n" {
  name = "n"
  rule { port = mock_thing.a.size }
  meta { owner = mock_thing.a.id }
}
"#,
    ));
}

#[test]
fn a_data_source_depending_on_a_pending_change_is_read_during_apply() {
    let mut f = Fixture::new();
    expect![[r#"
        data.mock_lookup.l: read (because of depends_on)
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        output v: null -> (known after apply)
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        read-data mock_lookup static
        --- state
        data.mock_lookup.l: id="static" name="static" value="value:static"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
        output v = "value:static"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" { name = "a" }
data "mock_lookup" "l" {
  name       = "static"
  depends_on = [mock_thing.a]
}
output "v" { value = data.mock_lookup.l.value }
"#,
    ));
}

#[test]
fn module_outputs_drive_for_each_when_known() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a["n-x"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "n-x"
        mock_thing.a["n-y"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "n-y"
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "names" { source = "./names" }
resource "mock_thing" "a" {
  for_each = module.names.names
  name     = each.value
}
-- names/main.tf --
locals { base = ["x", "y"] }
output "names" { value = toset([for n in local.base : "n-${n}"]) }
"#,
    ));
}

#[test]
fn a_child_module_variable_default_and_override() {
    let mut f = Fixture::new();
    expect![[r#"
        module.a.mock_thing.t: create
            arn = (known after apply)
            id = (known after apply)
            size = 1
        module.b.mock_thing.t: create
            arn = (known after apply)
            id = (known after apply)
            size = 3
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "a" { source = "./m" }
module "b" {
  source = "./m"
  size   = 3
}
-- m/main.tf --
variable "size" { default = 1 }
resource "mock_thing" "t" { size = var.size }
"#,
    ));
}
