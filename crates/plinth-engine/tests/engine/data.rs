//! Data sources: read at plan when their configuration is known, during
//! apply when it is not.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn a_known_data_source_is_read_during_plan() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "value:web"
        output v: null -> "value:web"
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing value:web
        --- state
        data.mock_lookup.l: id="web" name="web" value="value:web"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="value:web"
        output v = "value:web"
    "#]]
    .assert_eq(&f.apply(
        r#"
data "mock_lookup" "l" { name = "web" }
resource "mock_thing" "a" { name = data.mock_lookup.l.value }
output "v" { value = data.mock_lookup.l.value }
"#,
    ));
}

#[test]
fn a_data_source_depending_on_an_unknown_is_read_during_apply() {
    let mut f = Fixture::new();
    expect![[r#"
        data.mock_lookup.l: read
        mock_other.b: create
            id = (known after apply)
            ref = (known after apply)
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        read-data mock_lookup mock_thing-1
        create mock_other ?
        --- state
        data.mock_lookup.l: id="mock_thing-1" name="mock_thing-1" value="value:mock_thing-1"
        mock_other.b: id="mock_other-1" ref="value:mock_thing-1"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" { name = "a" }
data "mock_lookup" "l" { name = mock_thing.a.id }
resource "mock_other" "b" { ref = data.mock_lookup.l.value }
"#,
    ));
}

#[test]
fn scripted_data_results() {
    let mut f = Fixture::new();
    f.mock().set_data("mock_lookup", &[("value", plinth_value::Value::string("ami-123"))]);
    expect![[r#"
        mock_thing.a: create
            ami = "ami-123"
            arn = (known after apply)
            id = (known after apply)
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
data "mock_lookup" "l" { name = "x" }
resource "mock_thing" "a" { ami = data.mock_lookup.l.value }
"#,
    ));
}

#[test]
fn a_failed_data_read_fails_the_plan() {
    let mut f = Fixture::new();
    f.mock().fail(plinth_provider::mock::Failure::on(plinth_provider::mock::Op::ReadData).label("missing"));
    expect![[r#"
        error: Mock failure [main.tf:1]: scripted read-data failure  with data.mock_lookup.l
    "#]]
    .assert_eq(&f.plan(r#"data "mock_lookup" "l" { name = "missing" }"#));
}

#[test]
fn data_sources_with_count() {
    let mut f = Fixture::new();
    expect![[r#"
        output values: null -> ["value:n0", "value:n1"]
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
data "mock_lookup" "l" {
  count = 2
  name  = "n${count.index}"
}
output "values" { value = data.mock_lookup.l[*].value }
"#,
    ));
}

#[test]
fn data_resources_in_state_follow_the_configuration_and_leave_on_destroy() {
    let mut f = Fixture::new();
    let config = |n: usize| format!("data \"mock_lookup\" \"l\" {{\n  count = {n}\n  name = \"n${{count.index}}\"\n}}\n");
    let state = |out: String| out.split("--- state\n").nth(1).unwrap_or("").to_string();
    expect![[r#"
        data.mock_lookup.l[0]: id="n0" name="n0" value="value:n0"
        data.mock_lookup.l[1]: id="n1" name="n1" value="value:n1"
    "#]]
    .assert_eq(&state(f.apply(&config(2))));
    expect![[r#"
        data.mock_lookup.l[0]: id="n0" name="n0" value="value:n0"
    "#]]
    .assert_eq(&state(f.apply(&config(1))));
    expect![""].assert_eq(&state(f.destroy(&config(1))));
}
