//! Provider failures during apply: what is skipped, what is kept.

use expect_test::expect;

use crate::harness::Fixture;
use plinth_provider::mock::{Failure, Op};

#[test]
fn a_failed_create_skips_its_dependents_only() {
    let mut f = Fixture::new();
    f.mock().fail(Failure::on(Op::Create).label("a"));
    expect![[r#"
        mock_other.dep: create
            id = (known after apply)
            name = "dep"
            ref = (known after apply)
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        mock_thing.free: create
            arn = (known after apply)
            id = (known after apply)
            name = "free"
        plan: 3 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a
        create mock_thing free
        error: Mock failure [main.tf:2]: scripted create failure  with mock_thing.a
        --- state
        mock_thing.free: arn="arn:mock_thing-1" id="mock_thing-1" name="free"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_other" "dep" {
  name = "dep"
  ref  = mock_thing.a.id
}
resource "mock_thing" "free" { name = "free" }
"#,
    ));
}

#[test]
fn a_failed_update_keeps_the_prior_object() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  name = "a"
  size = 1
}"#,
    );
    f.mock().fail(Failure::on(Op::Update).of_type("mock_thing"));
    expect![[r#"
        mock_thing.a: update
            size = 1 -> 2
        plan: 0 to add, 1 to change, 0 to destroy
        --- apply
        update mock_thing a
        error: Mock failure [main.tf:1]: scripted update failure  with mock_thing.a
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a" size=1
    "#]]
    .assert_eq(&f.apply(
        r#"resource "mock_thing" "a" {
  name = "a"
  size = 2
}"#,
    ));
}

#[test]
fn a_failed_plan_is_an_error_at_the_resource() {
    let mut f = Fixture::new();
    f.mock().fail(Failure::on(Op::Plan).of_type("mock_other").message("the API said no"));
    expect![[r#"
        error: Mock failure [main.tf:3]: the API said no  with mock_other.b
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_other" "b" { name = "b" }
"#,
    ));
}

#[test]
fn the_second_of_three_creates_fails() {
    let mut f = Fixture::new();
    f.mock().fail(Failure::on(Op::Create).nth(2));
    expect![[r#"
        mock_thing.a[0]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a0"
        mock_thing.a[1]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a1"
        mock_thing.a[2]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a2"
        plan: 3 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a0
        create mock_thing a1
        create mock_thing a2
        error: Mock failure [main.tf:2]: scripted create failure  with mock_thing.a[1]
        --- state
        mock_thing.a[0]: arn="arn:mock_thing-1" id="mock_thing-1" name="a0"
        mock_thing.a[2]: arn="arn:mock_thing-2" id="mock_thing-2" name="a2"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" {
  count = 3
  name  = "a${count.index}"
}
"#,
    ));
}
