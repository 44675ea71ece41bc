//! Preconditions, postconditions, check blocks and variable validation.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn a_failing_precondition_stops_the_plan() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Resource precondition failed [main.tf:7]: Size must be positive.
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "size" { default = 0 }
resource "mock_thing" "a" {
  size = var.size
  lifecycle {
    precondition {
      condition     = var.size > 0
      error_message = "Size must be positive."
    }
  }
}
"#,
    ));
}

#[test]
fn a_passing_precondition_plans() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            size = 2
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "size" { default = 2 }
resource "mock_thing" "a" {
  size = var.size
  lifecycle {
    precondition {
      condition     = var.size > 0
      error_message = "Size must be positive."
    }
  }
}
"#,
    ));
}

#[test]
fn a_postcondition_on_an_unknown_value_is_checked_at_apply() {
    let mut f = Fixture::new();
    expect![[r#"
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
        error: Resource postcondition failed [main.tf:6]: Unexpected id.
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" {
  name = "a"
  lifecycle {
    postcondition {
      condition     = self.id == "nope"
      error_message = "Unexpected id."
    }
  }
}
resource "mock_other" "b" { ref = mock_thing.a.id }
"#,
    ));
}

#[test]
fn an_output_precondition() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Module output value precondition failed [main.tf:6]: Too short.
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "s" { default = "short" }
output "x" {
  value = var.s
  precondition {
    condition     = length(var.s) > 10
    error_message = "Too short."
  }
}
"#,
    ));
}

#[test]
fn a_failing_check_block_only_warns() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            size = 1
        plan: 1 to add, 0 to change, 0 to destroy
        warning: Check block assertion failed [main.tf:5]: One is not more than two.
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" { size = 1 }
check "big" {
  assert {
    condition     = mock_thing.a.size > 2
    error_message = "One is not more than two."
  }
}
"#,
    ));
}

#[test]
fn variable_validation() {
    let mut f = Fixture::new();
    f.var("n", plinth_value::Value::int(-3));
    expect![[r#"
        error: Invalid value for variable [main.tf:2]: n must not be negative.  This was checked by the validation rule at main.tf:5,3-13.
    "#]]
    .assert_eq(&f.plan(
        r#"
variable "n" {
  type = number
  # a comment
  validation {
    condition     = var.n >= 0
    error_message = "n must not be negative."
  }
}
"#,
    ));
}
