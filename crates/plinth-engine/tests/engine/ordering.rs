//! The order of operations during apply: replacements and their dependents,
//! create_before_destroy, depends_on, destroy across modules, failed deletes.

use expect_test::expect;

use crate::harness::Fixture;
use plinth_provider::mock::{Failure, Op};

fn pair(ami: &str, cbd: bool) -> String {
    format!(
        r#"
resource "mock_thing" "a" {{
  name = "a"
  ami  = "{ami}"
  lifecycle {{ create_before_destroy = {cbd} }}
}}
resource "mock_other" "b" {{
  name = "b"
  ref  = mock_thing.a.id
}}
"#
    )
}

#[test]
fn a_replacement_then_its_dependent_update() {
    let mut f = Fixture::new();
    f.apply(&pair("one", false));
    expect![[r#"
        mock_other.b: update
            ref = "mock_thing-1" -> (known after apply)
        mock_thing.a: delete, create (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 1 to change, 1 to destroy
        --- apply
        delete mock_thing a
        create mock_thing a
        update mock_other b
        --- state
        mock_other.b: id="mock_other-1" name="b" ref="mock_thing-2"
        mock_thing.a: ami="two" arn="arn:mock_thing-2" id="mock_thing-2" name="a"
    "#]]
    .assert_eq(&f.apply(&pair("two", false)));
}

#[test]
fn create_before_destroy_deletes_the_old_object_after_dependents_update() {
    let mut f = Fixture::new();
    f.apply(&pair("one", true));
    expect![[r#"
        mock_other.b: update
            ref = "mock_thing-1" -> (known after apply)
        mock_thing.a: create, delete (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 1 to change, 1 to destroy
        --- apply
        create mock_thing a
        update mock_other b
        delete mock_thing a
        --- state
        mock_other.b: id="mock_other-1" name="b" ref="mock_thing-2"
        mock_thing.a: ami="two" arn="arn:mock_thing-2" id="mock_thing-2" name="a"
    "#]]
    .assert_eq(&f.apply(&pair("two", true)));
}

#[test]
fn replacing_both_ends_of_a_reference() {
    let mut f = Fixture::new();
    let cfg = |ami: &str| {
        format!(
            r#"
resource "mock_thing" "a" {{
  name = "a"
  ami  = "{ami}"
}}
resource "mock_thing" "b" {{
  name = "b"
  ami  = mock_thing.a.id
}}
"#
        )
    };
    f.apply(&cfg("one"));
    expect![[r#"
        mock_thing.a: delete, create (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        mock_thing.b: delete, create (replace forced by ami)
            ami = "mock_thing-1" -> (known after apply)
            arn = "arn:mock_thing-2" -> (known after apply)
            id = "mock_thing-2" -> (known after apply)
        plan: 2 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_thing b
        delete mock_thing a
        create mock_thing a
        create mock_thing b
        --- state
        mock_thing.a: ami="two" arn="arn:mock_thing-3" id="mock_thing-3" name="a"
        mock_thing.b: ami="mock_thing-3" arn="arn:mock_thing-4" id="mock_thing-4" name="b"
    "#]]
    .assert_eq(&f.apply(&cfg("two")));
}

#[test]
fn depends_on_orders_without_a_reference() {
    let mut f = Fixture::new();
    let cfg = r#"
resource "mock_thing" "z" {
  name       = "z"
  depends_on = [mock_other.y]
}
resource "mock_other" "y" { name = "y" }
"#;
    expect![[r#"
        mock_other.y: create
            id = (known after apply)
            name = "y"
        mock_thing.z: create
            arn = (known after apply)
            id = (known after apply)
            name = "z"
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_other y
        create mock_thing z
        --- state
        mock_other.y: id="mock_other-1" name="y"
        mock_thing.z: arn="arn:mock_thing-1" id="mock_thing-1" name="z"
    "#]]
    .assert_eq(&f.apply(cfg));
    expect![[r#"
        mock_other.y: delete
        mock_thing.z: delete
        plan: 0 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_thing z
        delete mock_other y
        --- state
    "#]]
    .assert_eq(&f.destroy(cfg));
}

#[test]
fn destroy_across_modules_follows_module_outputs() {
    let mut f = Fixture::new();
    let cfg = r#"
-- main.tf --
module "net" { source = "./net" }
module "app" {
  source = "./app"
  net_id = module.net.id
}
-- net/main.tf --
resource "mock_thing" "net" { name = "net" }
output "id" { value = mock_thing.net.id }
-- app/main.tf --
variable "net_id" { type = string }
resource "mock_other" "app" {
  name = "app"
  ref  = var.net_id
}
"#;
    f.apply(cfg);
    expect![[r#"
        module.app.mock_other.app: delete
        module.net.mock_thing.net: delete
        plan: 0 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_other app
        delete mock_thing net
        --- state
    "#]]
    .assert_eq(&f.destroy(cfg));
}

#[test]
fn a_failed_delete_keeps_the_object_and_what_it_depends_on() {
    let mut f = Fixture::new();
    f.apply(
        r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_other" "b" {
  name = "b"
  ref  = mock_thing.a.id
}
"#,
    );
    f.mock().fail(Failure::on(Op::Delete).label("b"));
    expect![[r#"
        mock_other.b: delete (because mock_other.b is not in configuration)
        mock_thing.a: delete (because mock_thing.a is not in configuration)
        plan: 0 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_other b
        error: Mock failure: scripted delete failure  with mock_other.b
        --- state
        mock_other.b: id="mock_other-1" name="b" ref="mock_thing-1"
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(""));
}

#[test]
fn a_failed_create_of_a_replacement_leaves_nothing_current() {
    let mut f = Fixture::new();
    f.apply(&pair("one", false));
    f.mock().fail(Failure::on(Op::Create).label("a"));
    expect![[r#"
        mock_other.b: update
            ref = "mock_thing-1" -> (known after apply)
        mock_thing.a: delete, create (replace forced by ami)
            ami = "one" -> "two"
            arn = "arn:mock_thing-1" -> (known after apply)
            id = "mock_thing-1" -> (known after apply)
        plan: 1 to add, 1 to change, 1 to destroy
        --- apply
        delete mock_thing a
        create mock_thing a
        error: Mock failure [main.tf:2]: scripted create failure  with mock_thing.a
        --- state
        mock_other.b: id="mock_other-1" name="b" ref="mock_thing-1"
    "#]]
    .assert_eq(&f.apply(&pair("two", false)));
}

#[test]
fn a_quoted_depends_on_reference_still_orders() {
    // Terraform 0.11's quoted form: still the reference, with a warning.
    let mut f = Fixture::new();
    let cfg = r#"
resource "mock_other" "a" {
  name       = "a"
  depends_on = ["mock_thing.z"]
}
resource "mock_thing" "z" { name = "z" }
"#;
    expect![[r#"
        mock_other.a: create
            id = (known after apply)
            name = "a"
        mock_thing.z: create
            arn = (known after apply)
            id = (known after apply)
            name = "z"
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing z
        create mock_other a
        --- state
        mock_other.a: id="mock_other-1" name="a"
        mock_thing.z: arn="arn:mock_thing-1" id="mock_thing-1" name="z"
    "#]]
    .assert_eq(&f.apply(cfg));
}
