//! `moved` blocks and refactoring.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn a_moved_resource_keeps_its_object() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "old" { name = "a" }"#);
    expect![[r#"
        mock_thing.new: no-op (moved from mock_thing.old)
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
        mock_thing.new: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "new" { name = "a" }
moved {
  from = mock_thing.old
  to   = mock_thing.new
}
"#,
    ));
}

#[test]
fn a_move_into_a_module() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    expect![[r#"
        module.m.mock_thing.a: no-op (moved from mock_thing.a)
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "m" { source = "./m" }
moved {
  from = mock_thing.a
  to   = module.m.mock_thing.a
}
-- m/main.tf --
resource "mock_thing" "a" { name = "a" }
"#,
    ));
}

#[test]
fn a_move_with_a_change() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "old" { size = 1 }"#);
    expect![[r#"
        mock_thing.new: update (moved from mock_thing.old)
            size = 1 -> 2
        plan: 0 to add, 1 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "new" { size = 2 }
moved {
  from = mock_thing.old
  to   = mock_thing.new
}
"#,
    ));
}

#[test]
fn a_move_from_nothing_is_ignored() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.new: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "new" { name = "a" }
moved {
  from = mock_thing.old
  to   = mock_thing.new
}
"#,
    ));
}

#[test]
fn count_to_single_moves_index_zero() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  count = 2
  name  = "a"
}"#,
    );
    expect![[r#"
        mock_thing.a: no-op (moved from mock_thing.a[0])
        mock_thing.a[1]: delete (because resource does not use count)
        plan: 0 to add, 0 to change, 1 to destroy
    "#]]
    .assert_eq(&f.plan(r#"resource "mock_thing" "a" { name = "a" }"#));
}
