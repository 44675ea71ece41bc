//! `count` and `for_each` on resources and modules.

use expect_test::expect;

use crate::harness::Fixture;

#[test]
fn count_creates_indexed_instances() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a[0]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a0"
        mock_thing.a[1]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a1"
        output names: null -> ["a0", "a1"]
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
resource "mock_thing" "a" {
  count = 2
  name  = "a${count.index}"
}
output "names" { value = mock_thing.a[*].name }
"#,
    ));
}

#[test]
fn count_decrease_deletes_the_highest_indexes() {
    let mut f = Fixture::new();
    f.apply(
        r#"resource "mock_thing" "a" {
  count = 3
  name  = "a${count.index}"
}"#,
    );
    expect![[r#"
        mock_thing.a[0]: no-op
        mock_thing.a[1]: delete (because index [1] is out of range for count)
        mock_thing.a[2]: delete (because index [2] is out of range for count)
        plan: 0 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_thing a2
        delete mock_thing a1
        --- state
        mock_thing.a[0]: arn="arn:mock_thing-1" id="mock_thing-1" name="a0"
    "#]]
    .assert_eq(&f.apply(
        r#"resource "mock_thing" "a" {
  count = 1
  name  = "a${count.index}"
}"#,
    ));
}

#[test]
fn for_each_over_a_set_keys_by_value() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a["x"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "x"
        mock_thing.a["y"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "y"
        output ids: null -> {x = (known after apply), y = (known after apply)}
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing x
        create mock_thing y
        --- state
        mock_thing.a["x"]: arn="arn:mock_thing-1" id="mock_thing-1" name="x"
        mock_thing.a["y"]: arn="arn:mock_thing-2" id="mock_thing-2" name="y"
        output ids = {"x":"mock_thing-1","y":"mock_thing-2"}
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" {
  for_each = toset(["x", "y"])
  name     = each.key
}
output "ids" { value = { for k, v in mock_thing.a : k => v.id } }
"#,
    ));
}

#[test]
fn for_each_removing_a_key_deletes_that_instance() {
    let mut f = Fixture::new();
    let cfg = |keys: &str| {
        format!(
            r#"resource "mock_thing" "a" {{
  for_each = {{ {keys} }}
  name     = each.key
  size     = each.value
}}"#
        )
    };
    f.apply(&cfg("x = 1, y = 2"));
    expect![[r#"
        mock_thing.a["x"]: delete (because key ["x"] is not in for_each map)
        mock_thing.a["y"]: update
            size = 2 -> 3
        mock_thing.a["z"]: create
            arn = (known after apply)
            id = (known after apply)
            name = "z"
            size = 4
        plan: 1 to add, 1 to change, 1 to destroy
        --- apply
        delete mock_thing x
        update mock_thing y
        create mock_thing z
        --- state
        mock_thing.a["y"]: arn="arn:mock_thing-2" id="mock_thing-2" name="y" size=3
        mock_thing.a["z"]: arn="arn:mock_thing-3" id="mock_thing-3" name="z" size=4
    "#]]
    .assert_eq(&f.apply(&cfg("y = 3, z = 4")));
}

#[test]
fn switching_from_no_count_to_count_moves_the_instance_to_index_zero() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);
    expect![[r#"
        mock_thing.a[0]: no-op (moved from mock_thing.a)
        mock_thing.a[1]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        plan: 1 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" {
  count = 2
  name  = "a"
}"#,
    ));
}

#[test]
fn count_zero_plans_nothing() {
    let mut f = Fixture::new();
    expect![[r#"
        output n: null -> 0
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" {
  count = 0
}
output "n" { value = length(mock_thing.a) }"#,
    ));
}

#[test]
fn module_with_count_expands_its_resources() {
    let mut f = Fixture::new();
    expect![[r#"
        module.m[0].mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "m0"
        module.m[1].mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "m1"
        output ids: null -> [(known after apply), (known after apply)]
        plan: 2 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing m0
        create mock_thing m1
        --- state
        module.m[0].mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="m0"
        module.m[1].mock_thing.a: arn="arn:mock_thing-2" id="mock_thing-2" name="m1"
        output ids = ["mock_thing-1","mock_thing-2"]
    "#]]
    .assert_eq(&f.apply(
        r#"
-- main.tf --
module "m" {
  source = "./m"
  count  = 2
  name   = "m${count.index}"
}
output "ids" { value = module.m[*].id }
-- m/main.tf --
variable "name" { type = string }
resource "mock_thing" "a" { name = var.name }
output "id" { value = mock_thing.a.id }
"#,
    ));
}

#[test]
fn module_for_each_and_nested_modules() {
    let mut f = Fixture::new();
    expect![[r#"
        module.m["a"].module.inner.mock_other.o: create
            id = (known after apply)
            name = "a-inner"
        module.m["b"].module.inner.mock_other.o: create
            id = (known after apply)
            name = "b-inner"
        plan: 2 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(
        r#"
-- main.tf --
module "m" {
  source   = "./m"
  for_each = toset(["a", "b"])
  name     = each.key
}
-- m/main.tf --
variable "name" { type = string }
module "inner" {
  source = "./inner"
  name   = "${var.name}-inner"
}
-- m/inner/main.tf --
variable "name" { type = string }
resource "mock_other" "o" { name = var.name }
"#,
    ));
}

#[test]
fn removing_a_module_instance_deletes_its_resources() {
    let mut f = Fixture::new();
    let cfg = |keys: &str| {
        format!(
            r#"
-- main.tf --
module "m" {{
  source   = "./m"
  for_each = toset([{keys}])
  name     = each.key
}}
-- m/main.tf --
variable "name" {{ type = string }}
resource "mock_thing" "a" {{ name = var.name }}
resource "mock_other" "b" {{ ref = mock_thing.a.id }}
"#
        )
    };
    f.apply(&cfg(r#""a", "b""#));
    expect![[r#"
        module.m["a"].mock_other.b: no-op
        module.m["a"].mock_thing.a: no-op
        module.m["b"].mock_other.b: delete (because module.m["b"] is not in configuration)
        module.m["b"].mock_thing.a: delete (because module.m["b"] is not in configuration)
        plan: 0 to add, 0 to change, 2 to destroy
        --- apply
        delete mock_other mock_other-2
        delete mock_thing b
        --- state
        module.m["a"].mock_other.b: id="mock_other-1" ref="mock_thing-1"
        module.m["a"].mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
    "#]]
    .assert_eq(&f.apply(&cfg(r#""a""#)));
}

#[test]
fn count_index_references_between_counted_resources() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_other.b[0]: create
            id = (known after apply)
            ref = (known after apply)
        mock_other.b[1]: create
            id = (known after apply)
            ref = (known after apply)
        mock_thing.a[0]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a0"
        mock_thing.a[1]: create
            arn = (known after apply)
            id = (known after apply)
            name = "a1"
        plan: 4 to add, 0 to change, 0 to destroy
        --- apply
        create mock_thing a0
        create mock_thing a1
        create mock_other ?
        create mock_other ?
        --- state
        mock_other.b[0]: id="mock_other-1" ref="mock_thing-1"
        mock_other.b[1]: id="mock_other-2" ref="mock_thing-2"
        mock_thing.a[0]: arn="arn:mock_thing-1" id="mock_thing-1" name="a0"
        mock_thing.a[1]: arn="arn:mock_thing-2" id="mock_thing-2" name="a1"
    "#]]
    .assert_eq(&f.apply(
        r#"
resource "mock_thing" "a" {
  count = 2
  name  = "a${count.index}"
}
resource "mock_other" "b" {
  count = 2
  ref   = mock_thing.a[count.index].id
}
"#,
    ));
}

#[test]
fn for_each_with_a_duplicate_or_unknown_key_type_is_an_error() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid for_each argument [main.tf:2]: The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type tuple.
    "#]].assert_eq(&f.plan(r#"resource "mock_thing" "a" {
  for_each = ["a", "b"]
}"#));
}

#[test]
fn count_must_be_a_whole_number() {
    let mut f = Fixture::new();
    expect![[r#"
        error: Invalid count argument [main.tf:2]: The given "count" argument value is unsuitable: must be greater than or equal to zero.
    "#]]
    .assert_eq(&f.plan(
        r#"resource "mock_thing" "a" {
  count = -1
}"#,
    ));
}
