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

/// An override file's blocks merge into the primary's per argument, as
/// Terraform's do: the module call keeps `source` and `a`, the resource
/// keeps `size` and its lifecycle's `ignore_changes`, the variable keeps its
/// type, the output its description; each local is replaced by name.
#[test]
fn override_files_merge_per_argument() {
    let mut f = Fixture::new();
    let cfg = r#"
-- main.tf --
module "m" {
  source = "./m"
  a      = "A"
  b      = "B"
}
variable "v" {
  type    = string
  default = "x"
}
resource "mock_thing" "r" {
  name = "n"
  size = var.size
  lifecycle {
    ignore_changes = [size]
  }
}
variable "size" {
  default = 1
}
locals {
  l1 = "one"
  l2 = "two"
}
output "o" {
  value       = [module.m.ab, var.v, local.l1, local.l2]
  description = "kept"
}
-- x_override.tf --
module "m" {
  b = "B2"
}
variable "v" {
  default = "y"
}
resource "mock_thing" "r" {
  name = "n2"
  lifecycle {
    create_before_destroy = true
  }
}
locals {
  l2 = "TWO"
}
-- m/main.tf --
variable "a" {}
variable "b" {}
output "ab" {
  value = "${var.a}-${var.b}"
}
"#;
    expect![[r#"
        mock_thing.r: create
            arn = (known after apply)
            id = (known after apply)
            name = "n2"
            size = 1
        output o: null -> ["A-B2", "y", "one", "TWO"]
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing n2
        --- state
        mock_thing.r: arn="arn:mock_thing-1" id="mock_thing-1" name="n2" size=1
        output o = ["A-B2","y","one","TWO"]
    "#]]
    .assert_eq(&f.apply(cfg));
    f.var("size", plinth_value::Value::int(2));
    expect![[r#"
        mock_thing.r: no-op
        output o: ["A-B2", "y", "one", "TWO"]
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(cfg));
}

/// What an override file may not do, in Terraform's words: override a block
/// no primary file defines, `depends_on`, or a variable's validations.
#[test]
fn override_files_errors() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Unsupported override [x_override.tf:2]: The depends_on argument may not be overridden.
        error: Missing resource to override [x_override.tf:4]: There is no mock_thing resource named "b". An override file can only override a resource block defined in a primary configuration file.
        error: Missing data resource to override [x_override.tf:6]: There is no mock_lookup data resource named "c". An override file can only override a data block defined in a primary configuration file.
        error: Missing module call to override [x_override.tf:9]: There is no module call named "m". An override file can only override a module call that was defined in a primary configuration file.
        error: Can't override validation blocks [x_override.tf:13]: Override files cannot override "validation" blocks.
        error: Missing base variable declaration to override [x_override.tf:18]: There is no variable named "w". An override file can only override a variable that was already declared in a primary configuration file.
        error: Missing base output definition to override [x_override.tf:20]: There is no output named "o". An override file can only override an output that was already defined in a primary configuration file.
        error: Missing base local value definition to override [x_override.tf:24]: There is no local value named "l". An override file can only override a local value that was already defined in a primary configuration file.
        error: Missing base provider configuration for override [x_override.tf:26]: There is no mock provider configuration with the alias "e". An override file can only override an aliased provider configuration that was already defined in a primary configuration file.
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
resource "mock_thing" "a" {
}
variable "v" {
  default = 1
}
-- x_override.tf --
resource "mock_thing" "a" {
  depends_on = [mock_thing.b]
}
resource "mock_thing" "b" {
}
data "mock_lookup" "c" {
  name = "c"
}
module "m" {
  source = "./m"
}
variable "v" {
  validation {
    condition     = true
    error_message = "No."
  }
}
variable "w" {
}
output "o" {
  value = 1
}
locals {
  l = 1
}
provider "mock" {
  alias = "e"
}
"#,
    ));
}

/// `version` means a registry module: a local path with one is an error
/// at the call's source (and the call is not loaded).
#[test]
fn version_on_a_local_module_source() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid registry module source address [main.tf:2]: Failed to parse module registry address: can't use local directory "./m" as a module registry address.  plinth assumed that you intended a module registry source address because you also set the argument "version", which applies only to registry modules.
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "m" {
  source  = "./m"
  version = "1.0"
  a       = "x"
}
-- m/main.tf --
variable "a" {
  type = number
}
"#,
    ));
}

/// A module call's unsuitable input is reported at the call's argument,
/// `in module "m"`, naming `module.m.var.NAME` (no instance key), as
/// Terraform does.
#[test]
fn module_input_errors_at_the_call() {
    let mut f = Fixture::new();
    let cfg = r#"
-- main.tf --
module "m" {
  source = "./m"
  count  = 1
  a      = "x"
  d      = null
  c      = "bad"
}
-- m/main.tf --
variable "a" {
  type = number
}
variable "c" {
  type = string
  validation {
    condition     = var.c != "bad"
    error_message = "No bad."
  }
}
variable "d" {
  type     = string
  nullable = false
}
"#;
    expect![[r#"
        error: Invalid value for input variable [main.tf:4]: The given value is not suitable for module.m.var.a declared at m/main.tf:1,1-13: a number is required.
        error: Required variable not set [main.tf:5]: The given value is not suitable for module.m.var.d defined at m/main.tf:11,1-13: required variable may not be set to null.
        error: Invalid value for variable [main.tf:6]: No bad.  This was checked by the validation rule at m/main.tf:6,3-13.
    "#]]
    .assert_eq(&f.validate(cfg));
    expect![[r#"
        error: Required variable not set [main.tf:5]: The given value is not suitable for module.m.var.d defined at m/main.tf:11,1-13: required variable may not be set to null.
        error: Invalid value for variable [main.tf:6]: No bad.  This was checked by the validation rule at m/main.tf:6,3-13.
        error: Invalid value for input variable [main.tf:4]: The given value is not suitable for module.m.var.a declared at m/main.tf:1,1-13: a number is required.
    "#]]
    .assert_eq(&f.plan(cfg));
}

/// Ephemeral variables and outputs (Terraform 1.10+): a value derived from
/// one may not reach a resource argument (it would be persisted to state) or
/// an output not declared ephemeral; a root module output may not be
/// ephemeral; `ephemeralasnull` makes every ephemeral value within a value
/// null. At validate, references to ephemeral variables are checked too.
const EPHEMERAL: &str = r#"
-- main.tf --
variable "e" {
  type      = string
  ephemeral = true
  default   = "secret"
}
module "m" {
  source = "./m"
  in     = var.e
}
resource "mock_thing" "ok" {
  name = ephemeralasnull(module.m.eo)
  tags = ephemeralasnull({ a = var.e, b = "x" })
}
resource "mock_thing" "bad" {
  name = "${var.e}-x"
}
output "bad" {
  value = module.m.eo
}
output "ok" {
  value = ephemeralasnull({ a = var.e, b = "x" })
}
module "plain" {
  source = "./p"
  in     = var.e
}
-- p/main.tf --
variable "in" {
}
-- m/main.tf --
variable "in" {
  ephemeral = true
}
output "eo" {
  value     = "${var.in}-x"
  ephemeral = true
}
"#;

#[test]
fn ephemeral_values_stay_out_of_resources_and_outputs() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid use of ephemeral value [main.tf:15]: Ephemeral values are not valid for "name", because it is not a write-only attribute and must be persisted to state.
        error: Ephemeral value not allowed [main.tf:25]: This input variable is not declared as accepting a ephemeral values, so it cannot be set to a result derived from an ephemeral value.
    "#]]
    .assert_eq(&f.validate(EPHEMERAL));
    expect![[r#"
        error: Ephemeral value not allowed [main.tf:25]: This input variable is not declared as accepting a ephemeral values, so it cannot be set to a result derived from an ephemeral value.
        error: Invalid use of ephemeral value [main.tf:15]: Ephemeral values are not valid for "name", because it is not a write-only attribute and must be persisted to state.
        error: Ephemeral value not allowed [main.tf:18]: This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.
    "#]]
    .assert_eq(&f.plan(EPHEMERAL));
    let ok = EPHEMERAL
        .replace("resource \"mock_thing\" \"bad\" {\n  name = \"${var.e}-x\"\n}\n", "")
        .replace("output \"bad\" {\n  value = module.m.eo\n}\n", "")
        .replace("module \"plain\" {\n  source = \"./p\"\n  in     = var.e\n}\n", "");
    expect![[r#"
        mock_thing.ok: create
            arn = (known after apply)
            id = (known after apply)
            tags = {a = null, b = "x"}
        output ok: null -> {a = null, b = "x"}
        plan: 1 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing ?
        --- state
        mock_thing.ok: arn="arn:mock_thing-1" id="mock_thing-1" tags={b="x"
        output ok = {"a":null,"b":"x"}
    "#]]
    .assert_eq(&f.apply(&ok));
    expect![[r#"
        error: Ephemeral output not allowed [out.tf:1]: Ephemeral outputs are not allowed in context of a root module
    "#]]
    .assert_eq(&f.plan(&format!("{ok}-- out.tf --\noutput \"root\" {{\n  value     = 1\n  ephemeral = true\n}}\n")));
}

/// A `terraform` block in an override file replaces the backend and
/// `required_version` and each `required_providers` entry it names, as
/// Terraform's does, instead of being a duplicate.
#[test]
fn override_file_terraform_block() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "main.tf",
        "terraform {\n  required_version = \">= 0.1\"\n  backend \"local\" {}\n  required_providers {\n    mock = {\n      source = \"hashicorp/mock\"\n    }\n    other = {\n      source = \"hashicorp/other\"\n    }\n  }\n}\n",
    );
    write(
        "override.tf",
        "terraform {\n  backend \"local\" {\n    path = \"x.tfstate\"\n  }\n  required_providers {\n    mock = {\n      source  = \"hashicorp/mock\"\n      version = \"3.0.0\"\n    }\n  }\n}\n",
    );
    let mut files = plinth_syntax::Files::new();
    let (tree, diags) = plinth_engine::tree::load_tree(dir.path(), &mut files);
    assert!(diags.is_empty(), "{}", crate::harness::render_diags(&diags, &files, dir.path()));
    let tf = &tree.root().module.terraform;
    let (kind, body, _) = tf.backend.as_ref().expect("a backend");
    assert_eq!(kind, "local");
    assert!(body.attribute("path").is_some());
    assert_eq!(tf.required_providers["mock"].1.as_deref(), Some("3.0.0"));
    assert_eq!(tf.required_providers["other"].0.as_deref(), Some("hashicorp/other"));
}

/// `version` on a source that cannot be a registry address (`[HOST/]NS/NAME/SYSTEM`):
/// Terraform's reasons, checked against `terraform validate` 1.15.5.
#[test]
fn version_on_a_source_that_is_no_registry_address() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid registry module source address [main.tf:3]: Failed to parse module registry address: a module registry source address must have either three or four slash-separated components.  plinth assumed that you intended a module registry source address because you also set the argument "version", which applies only to registry modules.
        error: Invalid registry module source address [main.tf:7]: Failed to parse module registry address: invalid module registry hostname "https:".  plinth assumed that you intended a module registry source address because you also set the argument "version", which applies only to registry modules.
        error: Invalid registry module source address [main.tf:11]: Failed to parse module registry address: invalid module registry hostname "git::https:".  plinth assumed that you intended a module registry source address because you also set the argument "version", which applies only to registry modules.
        error: Invalid registry module source address [main.tf:15]: Failed to parse module registry address: source address must have three more components after the hostname: the namespace, the name, and the target system.  plinth assumed that you intended a module registry source address because you also set the argument "version", which applies only to registry modules.
    "#]]
    .assert_eq(&f.plan(
        r#"
module "a" {
  source  = "hashicorp/consul"
  version = "1.0"
}
module "d" {
  source  = "https://example.com/x.zip"
  version = "1.0"
}
module "g" {
  source  = "git::https://example.com/x.git"
  version = "1.0"
}
module "h" {
  source  = "github.com/hashicorp/example"
  version = "1.0"
}
"#,
    ));
}
