//! Refresh: drift found by reading, objects gone, imports.

use expect_test::expect;

use crate::harness::Fixture;
use plinth_engine::{PlanMode, PlanOptions};
use plinth_value::Value;

#[test]
fn drift_is_planned_back_to_configuration() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { size = 1 }"#);
    f.mock().set_remote("mock_thing", "mock_thing-1", &[("size", Value::int(5))]);
    expect![[r#"
        mock_thing.a: update
            size = 5 -> 1
        plan: 0 to add, 1 to change, 0 to destroy
        --- apply
        update mock_thing mock_thing-1
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" size=1
    "#]]
    .assert_eq(&f.apply(r#"resource "mock_thing" "a" { size = 1 }"#));
}

#[test]
fn an_object_deleted_outside_is_created_again() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    f.mock().remove_remote("mock_thing", "mock_thing-1");
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        --- state
        mock_thing.a: arn="arn:mock_thing-2" id="mock_thing-2" name="a"
    "#]]
    .assert_eq(&f.apply(r#"resource "mock_thing" "a" { name = "a" }"#));
}

#[test]
fn refresh_false_does_not_read() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    f.mock().remove_remote("mock_thing", "mock_thing-1");
    f.mock().clear_calls();
    let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan_with(r#"resource "mock_thing" "a" { name = "a" }"#, opts));
    assert!(f.mock().calls().iter().all(|c| c.op != plinth_provider::mock::Op::Read));
}

#[test]
fn refresh_only_records_drift_without_changes() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { size = 1 }"#);
    f.mock().set_remote("mock_thing", "mock_thing-1", &[("size", Value::int(5))]);
    let opts = PlanOptions { mode: PlanMode::RefreshOnly, ..PlanOptions::default() };
    expect![[r#"
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" size=5
    "#]]
    .assert_eq(&f.apply_with(r#"resource "mock_thing" "a" { size = 1 }"#, opts));
}

#[test]
fn a_failed_refresh_fails_the_plan() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    f.mock().fail(plinth_provider::mock::Failure::on(plinth_provider::mock::Op::Read).message("throttled"));
    expect![[r#"
        error: Mock failure [main.tf:1]: throttled  with mock_thing.a
    "#]]
    .assert_eq(&f.plan(r#"resource "mock_thing" "a" { name = "a" }"#));
}

#[test]
fn an_import_block_brings_an_object_under_management() {
    let mut f = Fixture::new();
    f.mock().set_remote("mock_thing", "existing", &[("name", Value::string("a")), ("size", Value::int(1))]);
    expect![[r#"
        mock_thing.a: update (importing "existing")
            size = 1 -> 2
        plan: 1 to import, 0 to add, 1 to change, 0 to destroy
        --- apply
        update mock_thing a
        --- state
        mock_thing.a: id="existing" name="a" size=2
    "#]]
    .assert_eq(&f.apply(
        r#"
import {
  to = mock_thing.a
  id = "existing"
}
resource "mock_thing" "a" {
  name = "a"
  size = 2
}
"#,
    ));
}

#[test]
fn importing_a_missing_object_is_an_error() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Cannot import non-existent remote object [main.tf:3]: While attempting to import an existing object to "mock_thing", the provider detected that no object exists with the given id.  with mock_thing.a
    "#]].assert_eq(&f.plan(
        r#"
import {
  to = mock_thing.a
  id = "nope"
}
resource "mock_thing" "a" { name = "a" }
"#,
    ));
}
