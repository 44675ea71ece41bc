//! `lifecycle`: create_before_destroy, ignore_changes, replace_triggered_by,
//! prevent_destroy; `-replace`.

use expect_test::expect;

use crate::harness::Fixture;
use plinth_engine::PlanOptions;

#[test]
fn create_before_destroy_creates_the_new_object_first() {
    let mut f = Fixture::new();
    let cfg = |ami: &str| {
        format!(
            r#"resource "mock_thing" "a" {{
  name = "a"
  ami  = "{ami}"
  lifecycle {{ create_before_destroy = true }}
}}"#
        )
    };
    f.apply(&cfg("one"));
    expect![[r#"
        mock_thing.a: create, delete (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 0 to change, 1 to destroy
        --- apply
        create mock_thing a
        delete mock_thing a
        --- state
        mock_thing.a: ami="two" arn="arn:mock_thing-2" id="mock_thing-2" name="a"
    "#]]
    .assert_eq(&f.apply(&cfg("two")));
}

#[test]
fn ignore_changes_keeps_the_prior_value() {
    let mut f = Fixture::new();
    let cfg = |size: u32, name: &str| {
        format!(
            r#"resource "mock_thing" "a" {{
  name = "{name}"
  size = {size}
  lifecycle {{ ignore_changes = [size] }}
}}"#
        )
    };
    f.apply(&cfg(1, "a"));
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(&cfg(2, "a")));
    expect![[r#"
        mock_thing.a: update
            name = "a" -> "b"
        plan: 0 to add, 1 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(&cfg(2, "b")));
}

#[test]
fn ignore_changes_all() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  name = "a"
  lifecycle { ignore_changes = all }
}"#,
    );
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" {
  name = "b"
  size = 3
  lifecycle { ignore_changes = all }
}"#,
    ));
}

#[test]
fn ignore_changes_on_a_force_new_attribute_avoids_replacement() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  ami = "one"
  lifecycle { ignore_changes = [ami] }
}"#,
    );
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" {
  ami = "two"
  lifecycle { ignore_changes = [ami] }
}"#,
    ));
}

#[test]
fn prevent_destroy_refuses_a_plan_that_deletes() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  ami = "one"
  lifecycle { prevent_destroy = true }
}"#,
    );
    expect![[r#"
        error: Instance cannot be destroyed [main.tf:1]: Resource mock_thing.a has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option.
    "#]].assert_eq(&f.plan(r#"resource "mock_thing" "a" {
  ami = "two"
  lifecycle { prevent_destroy = true }
}"#));
}

#[test]
fn replace_option_replaces_an_unchanged_instance() {
    let mut f = Fixture::new();
    let cfg = r#"resource "mock_thing" "a" {
  count = 2
  name  = "a${count.index}"
}"#;
    f.apply(cfg);
    let opts = PlanOptions { replace: vec!["mock_thing.a[1]".parse().expect("an address")], ..PlanOptions::default() };
    expect![[r#"
        mock_thing.a[0]: no-op
        mock_thing.a[1]: delete, create (as requested)
            arn = "arn:mock_thing-2" -> (known after apply)
            id = "mock_thing-2" -> (known after apply)
        plan: 1 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing a1
        create mock_thing a1
        --- state
        mock_thing.a[0]: arn="arn:mock_thing-1" id="mock_thing-1" name="a0"
        mock_thing.a[1]: arn="arn:mock_thing-3" id="mock_thing-3" name="a1"
    "#]]
    .assert_eq(&f.apply_with(cfg, opts));
}

#[test]
fn replace_triggered_by_a_resource_update() {
    let mut f = Fixture::new();
    let cfg = |size: u32| {
        format!(
            r#"
resource "mock_thing" "a" {{ size = {size} }}
resource "mock_other" "b" {{
  name = "b"
  lifecycle {{ replace_triggered_by = [mock_thing.a] }}
}}"#
        )
    };
    f.apply(&cfg(1));
    expect![[r#"
        mock_other.b: delete, create (because of replace_triggered_by)
            id = "mock_other-1" -> (known after apply)
        mock_thing.a: update
            size = 1 -> 2
        plan: 1 to add, 1 to change, 1 to destroy
        --- apply
        delete mock_other b
        update mock_thing mock_thing-1
        create mock_other b
        --- state
        mock_other.b: id="mock_other-2" name="b"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" size=2
    "#]]
    .assert_eq(&f.apply(&cfg(2)));
}

#[test]
fn replace_triggered_by_an_attribute_only_when_it_changes() {
    let mut f = Fixture::new();
    let cfg = |name: &str, ami: &str| {
        format!(
            r#"
resource "mock_thing" "a" {{
  name = "{name}"
  ami  = "{ami}"
}}
resource "mock_other" "b" {{
  name = "b"
  lifecycle {{ replace_triggered_by = [mock_thing.a.name] }}
}}"#
        )
    };
    f.apply(&cfg("x", "1"));
    // `a` is replaced, but its `name` stays: `b` is left alone.
    expect![[r#"
        mock_other.b: no-op
        mock_thing.a: delete, create (replace forced by ami)
            ami = "1" -> "2"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 0 to change, 1 to destroy
    "#]]
    .assert_eq(&f.plan(&cfg("x", "2")));
    // `name` changes: `b` is replaced.
    expect![[r#"
        mock_other.b: delete, create (because of replace_triggered_by)
            id = "mock_other-1" -> (known after apply)
        mock_thing.a: update
            name = "x" -> "y"
        plan: 1 to add, 1 to change, 1 to destroy
    "#]]
    .assert_eq(&f.plan(&cfg("y", "1")));
}
