//! Language rules checked against Terraform 1.15: dynamic blocks, schema
//! checks at validate.

use expect_test::expect;
use plinth_provider::mock::MockProvider;

use crate::harness::Fixture;

/// A listener needs exactly one `action` block.
const LB: &str = r#"
resource mock_lb {
  id string computed
  block action list min=1 max=1 {
    kind string required
  }
  block timeouts single {
    create string optional
  }
}
"#;

const DYNAMIC: &str = r#"
variable "u" {
  default = ["a"]
}
resource "mock_lb" "unknown" {
  dynamic "action" {
    for_each = var.u
    content {
      kind = action.value
    }
  }
}
resource "mock_lb" "two_unknown" {
  dynamic "action" {
    for_each = var.u
    content {
      kind = action.value
    }
  }
  dynamic "action" {
    for_each = var.u
    content {
      kind = action.value
    }
  }
}
resource "mock_lb" "empty" {
  dynamic "action" {
    for_each = []
    content {
      kind = "x"
    }
  }
  dynamic "timeouts" {
    for_each = []
    content {
      bogus = 1
    }
  }
}
resource "mock_lb" "content" {
  action {
    kind = "x"
  }
  dynamic "timeouts" {
    for_each = var.u
    content {
      bogus2 = 1
    }
  }
}
resource "mock_lb" "many" {
  dynamic "action" {
    for_each = [1, 2]
    content {
      kind = "x"
    }
  }
}
"#;

/// As `terraform validate`: a dynamic block whose `for_each` is unknown
/// counts as satisfying its block type's item limits (however many there
/// are) and its content is still checked; one with no instances has its
/// content unchecked and counts as no blocks.
#[test]
fn validate_dynamic_blocks_with_unknown_for_each() {
    let mut f = Fixture::with_mock(MockProvider::new(LB));
    expect![[r#"
        error: Unsupported argument [main.tf:48]: An argument named "bogus2" is not expected here.
        error: Insufficient action blocks [main.tf:27]: At least 1 "action" blocks are required.
        error: Too many action blocks [main.tf:55]: No more than 1 "action" blocks are allowed
    "#]]
    .assert_eq(&f.validate(DYNAMIC));
}

/// At plan, a known `for_each` is expanded; an unknown one (a value known
/// only after apply) leaves the block list unknown instead of empty.
#[test]
fn plan_dynamic_block_with_unknown_for_each() {
    let mut f = Fixture::with_mock(MockProvider::new(LB));
    expect![[r#"
        mock_lb.a: create
            action = [{kind = "x"}]
            id = (known after apply)
        mock_lb.b: create
            action = (known after apply)
            id = (known after apply)
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_lb" "a" {
  action {
    kind = "x"
  }
}
resource "mock_lb" "b" {
  dynamic "action" {
    for_each = mock_lb.a.id == "" ? [] : ["y"]
    content {
      kind = action.value
    }
  }
}
"#,
    ));
}

/// `terraform validate`: a resource or data source type the provider does
/// not have is an error, naming the provider by its source address.
#[test]
fn validate_unknown_resource_type() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid data source [main.tf:4]: The provider registry.terraform.io/hashicorp/mock does not support data source "mock_nosuch".
        error: Invalid resource type [main.tf:2]: The provider registry.terraform.io/hashicorp/mock does not support resource type "mock_nosuch".
    "#]]
    .assert_eq(&f.validate(
        r#"
resource "mock_nosuch" "a" {
}
data "mock_nosuch" "b" {
}
"#,
    ));
}
