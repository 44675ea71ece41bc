//! Creating, updating and replacing single resources; outputs; sensitive values.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn create_one() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
            size = 1
        output id: null -> (known after apply)
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a" size=1
        output id = "mock_thing-1"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" {
  name = "a"
  size = 1
}
output "id" { value = mock_thing.a.id }
"#,
    ));
}

#[test]
fn nothing_changes_on_a_second_plan() {
    let mut f = Fixture::new();
    let cfg = r#"resource "mock_thing" "a" { name = "a" }"#;
    f.apply(cfg);
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(cfg));
}

#[test]
fn update_in_place() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { size = 1 }"#);
    expect![[r#"
        mock_thing.a: update
            size = 1 -> 2
        plan: 0 to add, 1 to change, 0 to destroy
        --- apply
        update mock_thing mock_thing-1
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" size=2
    "#]]
    .assert_eq(&f.apply(r#"resource "mock_thing" "a" { size = 2 }"#));
}

#[test]
fn force_new_replaces() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { ami = "one" }"#);
    expect![[r#"
        mock_thing.a: delete, create (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing mock_thing-1
        create mock_thing ?
        --- state
        mock_thing.a: ami="two" arn="arn:mock_thing-2" id="mock_thing-2"
    "#]]
    .assert_eq(&f.apply(r#"resource "mock_thing" "a" { ami = "two" }"#));
}

#[test]
fn references_order_creates() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_other.b: create
            id = (known after apply)
            name = "b"
            ref = (known after apply)
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        create mock_other b
        --- state
        mock_other.b: id="mock_other-1" name="b" ref="mock_thing-1"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_other" "b" {
  name = "b"
  ref  = mock_thing.a.id
}
resource "mock_thing" "a" { name = "a" }
"#,
    ));
}

#[test]
fn an_unknown_reference_is_known_after_apply() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" { ami = "one" }
resource "mock_other" "b" { ref = mock_thing.a.id }"#,
    );
    expect![[r#"
        mock_other.b: update
            ref = "mock_thing-1" -> (known after apply)
        mock_thing.a: delete, create (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 1 to change, 1 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" { ami = "two" }
resource "mock_other" "b" { ref = mock_thing.a.id }"#,
    ));
}

#[test]
fn output_changes_without_resource_changes() {
    let mut f = Fixture::new();
    f.apply(r#"output "x" { value = "one" }"#);
    expect![[r#"
        output x: "one" -> "two"
        output y: null -> [1, 2]
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
        output x = "two"
        output y = [1,2]
    "#]]
    .assert_eq(&f.apply(
        r#"output "x" { value = "two" }
output "y" { value = [1, 2] }"#,
    ));
}

#[test]
fn sensitive_attribute_is_hidden_in_plan() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            secret = (sensitive value)
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(r#"resource "mock_thing" "a" { secret = "hunter2" }"#));
}

#[test]
fn sensitive_variable_marks_what_it_reaches() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = (sensitive value)
        output pw (sensitive): null -> (sensitive value)
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing hunter2
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="hunter2"
        output pw = (sensitive value)
    "#]]
    .assert_eq(&f.apply(
        r#"
variable "pw" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "mock_thing" "a" { name = var.pw }
output "pw" {
  value     = var.pw
  sensitive = true
}
"#,
    ));
}

#[test]
fn sensitive_output_must_be_declared_sensitive() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Output refers to sensitive values [main.tf:6]: To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.  If you do intend to export this data, annotate the output value as sensitive by adding the following argument:     sensitive = true
    "#]].assert_eq(&f.plan(
        r#"
variable "pw" {
  default   = "hunter2"
  sensitive = true
}
output "pw" { value = var.pw }
"#,
    ));
}

#[test]
fn nested_blocks_plan_as_lists_and_objects() {
    let mut f = Fixture::new();
    f.apply(
        r#"
resource "mock_net" "n" {
  rule { port = 80 }
  meta { owner = "me" }
}"#,
    );
    expect![[r#"
        mock_net.n: update
            meta = {owner = "me"} -> null
            rule = [{port = 80, proto = null}] -> [{port = 80, proto = null}, {port = 443, proto = "tcp"}]
        plan: 0 to add, 1 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_net" "n" {
  rule { port = 80 }
  rule {
    port  = 443
    proto = "tcp"
  }
}"#,
    ));
}

#[test]
fn locals_and_variables_feed_arguments() {
    let mut f = Fixture::new();
    f.var("env", plinth_value::Value::string("prod"));
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "web-prod"
            tags = {env = "prod"}
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "env" { type = string }
locals { name = "web-${var.env}" }
resource "mock_thing" "a" {
  name = local.name
  tags = { env = var.env }
}
"#,
    ));
}
