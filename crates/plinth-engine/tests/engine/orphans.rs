//! Objects configuration no longer has, destroy mode and destroy order.

use expect_test::expect;

use crate::harness::Fixture;

const CHAIN: &str = r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_other" "b" {
  name = "b"
  ref  = mock_thing.a.id
}
resource "mock_other" "c" {
  name = "c"
  ref  = mock_other.b.id
}
"#;

#[test]
fn a_removed_resource_is_deleted() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" { name = "a" }
resource "mock_thing" "b" { name = "b" }"#,
    );
    expect![[r#"
        mock_thing.a: no-op
        mock_thing.b: delete (because mock_thing.b is not in configuration)
        plan: 0 to add, 0 to change, 1 to destroy
        --- apply
        delete mock_thing b
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(r#"resource "mock_thing" "a" { name = "a" }"#));
}

#[test]
fn orphans_are_deleted_dependents_first() {
    let mut f = Fixture::new();
    f.apply(CHAIN);
    expect![[r#"
        mock_other.b: delete (because mock_other.b is not in configuration)
        mock_other.c: delete (because mock_other.c is not in configuration)
        mock_thing.a: delete (because mock_thing.a is not in configuration)
        plan: 0 to add, 0 to change, 3 to destroy
        --- apply
        delete mock_other c
        delete mock_other b
        delete mock_thing a
        --- state
    "#]]
    .assert_eq(&f.apply(""));
}

#[test]
fn destroy_deletes_in_reverse_dependency_order() {
    let mut f = Fixture::new();
    f.apply(CHAIN);
    expect![[r#"
        mock_other.b: delete
        mock_other.c: delete
        mock_thing.a: delete
        plan: 0 to add, 0 to change, 3 to destroy
        --- apply
        delete mock_other c
        delete mock_other b
        delete mock_thing a
        --- state
    "#]]
    .assert_eq(&f.destroy(CHAIN));
}

#[test]
fn destroy_of_an_empty_state_does_nothing() {
    let mut f = Fixture::new();
    expect![[r#"
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
    "#]]
    .assert_eq(&f.destroy(CHAIN));
}

#[test]
fn a_removed_block_forgets_without_destroying() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    expect![[r#"
        mock_thing.a: forget (because mock_thing.a is not in configuration)
        plan: 0 to add, 0 to change, 0 to destroy
        warning: Some objects will no longer be managed by plinth: If you apply this plan, plinth will discard its tracking information for the following objects, but it will not delete them:  - mock_thing.a  After applying this plan, plinth will no longer manage these objects. You will need to import them into plinth to manage them again.
        --- apply
        --- state
    "#]]
    .assert_eq(&f.apply(
        r#"
removed {
  from = mock_thing.a
  lifecycle { destroy = false }
}
"#,
    ));
    assert_eq!(f.mock().remote_ids("mock_thing"), ["mock_thing-1"], "forgotten, not destroyed");
}
