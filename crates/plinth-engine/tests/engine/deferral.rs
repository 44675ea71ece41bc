//! Values known only after apply: unknown `count`/`for_each`, and a
//! provider configured from them. Both are plinth's design (ARCHITECTURE.md,
//! "How a plan is applied"), where Terraform 1.15 (without its experimental
//! deferral) stops: `Invalid count argument` / `Invalid for_each argument`,
//! and a provider configured with unknown values. Changes of such a provider
//! are deferred to a later round; such `count`/`for_each` expand during apply.

use expect_test::expect;

use crate::harness::Fixture;
use plinth_provider::mock::MockProvider;

const CLOUD: &str = r#"
provider { endpoint string optional }
resource cloud_box {
  id   string computed
  name string optional
}
"#;

#[test]
fn a_provider_configured_from_an_unknown_value_is_deferred() {
    let mut f = Fixture::new();
    let cloud = MockProvider::new(CLOUD);
    f.provider("cloud", cloud.clone());
    let cfg = r#"
resource "mock_thing" "api" { name = "api" }
provider "cloud" { endpoint = mock_thing.api.arn }
resource "cloud_box" "b" { name = "b" }
"#;
    expect![[r#"
        cloud_box.b: create (until mock_thing.api is applied; deferred: provider_config_unknown)
            id = (known after apply)
            name = "b"
        mock_thing.api: create
            arn = (known after apply)
            id = (known after apply)
            name = "api"
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing api
        --- state
        mock_thing.api: arn="arn:mock_thing-1" id="mock_thing-1" name="api"
    "#]]
    .assert_eq(&f.apply(cfg));
    expect![[r#"
        cloud_box.b: create
            id = (known after apply)
            name = "b"
        mock_thing.api: no-op
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create cloud_box b
        --- state
        cloud_box.b: id="cloud_box-1" name="b"
        mock_thing.api: arn="arn:mock_thing-1" id="mock_thing-1" name="api"
    "#]]
    .assert_eq(&f.apply(cfg));
    let configured: Vec<String> =
        cloud.calls().iter().filter(|c| c.op == plinth_provider::mock::Op::Configure).map(ToString::to_string).collect();
    expect![[r#"
        [
            "configure mock {}",
            "configure mock {}",
            "configure cloud endpoint=\"arn:mock_thing-1\"",
            "configure mock {}",
            "configure cloud endpoint=\"arn:mock_thing-1\"",
            "configure mock {}",
        ]
    "#]]
    .assert_debug_eq(&configured);
}

#[test]
fn a_known_provider_configuration_is_passed_to_configure() {
    let mut f = Fixture::new();
    f.apply(
        r#"provider "mock" { region = "eu-west-1" }
resource "mock_thing" "a" { name = "a" }"#,
    );
    expect![[r#"
        [
            "configure mock region=\"eu-west-1\"",
            "plan mock_thing a",
            "configure mock region=\"eu-west-1\"",
            "plan mock_thing a",
            "create mock_thing a",
        ]
    "#]]
    .assert_debug_eq(&f.mock().calls().iter().map(ToString::to_string).collect::<Vec<_>>());
}

#[test]
fn unknown_count_plans_no_instances_and_apply_creates_them() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            size = 2
        plan: 1 to add, 0 to change, 0 to destroy
        warning: Instances known only after apply [main.tf:4]: The "count" value of mock_other.b depends on values that are known only after apply, so its instances cannot be planned yet and are not in this plan. plinth plans and applies them during apply, once what they depend on exists; the instances it already manages are kept until then. To review them first, apply their dependencies alone with -target, then plan again.
        --- apply
        create mock_thing ?
        create mock_other b0
        create mock_other b1
        --- state
        mock_other.b[0]: id="mock_other-1" name="b0"
        mock_other.b[1]: id="mock_other-2" name="b1"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" size=2
    "#]].assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" { size = 2 }
resource "mock_other" "b" {
  count = length(mock_thing.a.id) > 0 ? 2 : 0
  name  = "b${count.index}"
}
"#,
    ));
}

#[test]
fn unknown_for_each_keeps_existing_instances() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_other" "b" {
  for_each = toset(["x"])
  name     = each.key
}"#,
    );
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 1 to add, 0 to change, 0 to destroy
        warning: Instances known only after apply [main.tf:4]: The "for_each" value of mock_other.b depends on values that are known only after apply, so its instances cannot be planned yet and are not in this plan. plinth plans and applies them during apply, once what they depend on exists; the instances it already manages are kept until then. To review them first, apply their dependencies alone with -target, then plan again.
    "#]].assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_other" "b" {
  for_each = toset([mock_thing.a.id])
  name     = each.key
}
"#,
    ));
}

#[test]
fn unknown_values_flow_through_module_outputs() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_other.b: create
            id = (known after apply)
            ref = (known after apply)
        module.m.mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        output arn: null -> (known after apply)
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "m" { source = "./m" }
resource "mock_other" "b" { ref = module.m.arn }
output "arn" { value = module.m.arn }
-- m/main.tf --
resource "mock_thing" "a" { name = "a" }
output "arn" { value = mock_thing.a.arn }
"#,
    ));
}
