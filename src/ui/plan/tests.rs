//! Snapshots of rendered plans (`UPDATE_EXPECT=1 cargo test --bin plinth` rewrites them).

use std::collections::BTreeMap;

use expect_test::{expect, Expect};
use plinth_engine::plan::OutputChange;
use plinth_engine::{Action, Plan, PlanMode, ResourceChange};
use plinth_provider::{AttributeSchema, BlockSchema, NestedBlock, Nesting, PathStep};
use plinth_state::{AbsResourceInstance, State};
use plinth_value::{Type, Value};

use super::render;
use crate::ui::Paint;

fn s(x: &str) -> Value {
    Value::string(x)
}

fn obj(attrs: &[(&str, Value)]) -> Value {
    Value::object(attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

fn strs(xs: &[&str]) -> Value {
    Value::list(Type::String, xs.iter().map(|x| s(x)).collect())
}

/// A security-group-like schema: attributes, a set of `ingress` blocks and a
/// single `timeouts` block.
fn sg_schema() -> BlockSchema {
    let mut rule = BlockSchema::default();
    rule.attributes.insert("from_port".into(), AttributeSchema::required(Type::Number));
    rule.attributes.insert("to_port".into(), AttributeSchema::required(Type::Number));
    rule.attributes.insert("cidr_blocks".into(), AttributeSchema::optional(Type::list(Type::String)));
    let mut timeouts = BlockSchema::default();
    timeouts.attributes.insert("create".into(), AttributeSchema::optional(Type::String));
    let mut b = BlockSchema::default();
    b.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
    b.attributes.insert("name".into(), AttributeSchema::required(Type::String).force_new());
    b.attributes.insert("description".into(), AttributeSchema::optional(Type::String));
    b.attributes.insert("vpc_id".into(), AttributeSchema::optional(Type::String));
    b.attributes.insert("tags".into(), AttributeSchema::optional(Type::map(Type::String)));
    b.attributes.insert("policy".into(), AttributeSchema::optional(Type::String));
    b.attributes.insert("manifest".into(), AttributeSchema::optional(Type::String));
    b.attributes.insert("user_data".into(), AttributeSchema::optional(Type::String));
    b.attributes.insert("password".into(), AttributeSchema::optional(Type::String).sensitive());
    b.blocks.insert("ingress".into(), NestedBlock { nesting: Nesting::Set, block: rule, min_items: 0, max_items: 0 });
    b.blocks.insert("timeouts".into(), NestedBlock { nesting: Nesting::Single, block: timeouts, min_items: 0, max_items: 1 });
    b
}

fn rule(from: i64, cidrs: &[&str]) -> Value {
    obj(&[("from_port", Value::int(from)), ("to_port", Value::int(from)), ("cidr_blocks", strs(cidrs))])
}

/// A full object of the schema's type: `attrs` set, everything else null.
fn sg(attrs: &[(&str, Value)]) -> Value {
    let ty = sg_schema().implied_type();
    let Type::Object(o) = &ty else { unreachable!() };
    let mut m: BTreeMap<String, Value> = o.attrs.iter().map(|(k, t)| (k.clone(), Value::null(t.clone()))).collect();
    for (k, v) in attrs {
        m.insert(k.to_string(), v.clone());
    }
    Value::object(m)
}

fn change(addr: &str, action: Action, before: Option<Value>, after: Option<Value>) -> ResourceChange {
    ResourceChange {
        addr: addr.parse::<AbsResourceInstance>().expect("address"),
        deposed: None,
        provider: "aws".into(),
        provider_addr: "provider[\"registry.terraform.io/hashicorp/aws\"]".into(),
        action,
        before,
        after,
        requires_replace: Vec::new(),
        node: None,
        dependencies: Vec::new(),
        create_before_destroy: false,
        schema_version: 0,
        moved_from: None,
        reason: None,
        config: None,
        importing: None,
        deferred: None,
    }
}

fn plan_of(changes: Vec<ResourceChange>, outputs: BTreeMap<String, OutputChange>) -> Plan {
    Plan {
        mode: PlanMode::Normal,
        changes,
        outputs,
        prior_state: State::new(),
        warnings: Vec::new(),
        variables: BTreeMap::new(),
        imports: Vec::new(),
        selection: None,
        unknown_expansions: Vec::new(),
    }
}

fn check(changes: Vec<ResourceChange>, expect: Expect) {
    check_with_outputs(changes, BTreeMap::new(), expect)
}

fn check_with_outputs(changes: Vec<ResourceChange>, outputs: BTreeMap<String, OutputChange>, expect: Expect) {
    let plan = plan_of(changes, outputs);
    let sg = sg_schema();
    let schema = |c: &ResourceChange| (c.addr.resource.resource.type_name == "aws_security_group").then_some(&sg);
    expect.assert_eq(&render(&plan, &schema, &Paint { color: false }));
}

fn base() -> Vec<(&'static str, Value)> {
    vec![
        ("id", s("sg-123")),
        ("name", s("web")),
        ("description", s("Web servers")),
        ("vpc_id", s("vpc-1")),
        ("tags", Value::map(Type::String, [("Env".to_string(), s("prod")), ("Team".to_string(), s("web"))].into())),
        ("ingress", Value::set(rule(0, &[]).ty(), vec![rule(80, &["0.0.0.0/0"]), rule(443, &["0.0.0.0/0"])])),
    ]
}

fn with(mut attrs: Vec<(&'static str, Value)>, k: &'static str, v: Value) -> Vec<(&'static str, Value)> {
    attrs.retain(|(n, _)| *n != k);
    attrs.push((k, v));
    attrs
}

#[test]
fn create_with_nested_blocks() {
    let after = sg(&with(with(base(), "id", Value::unknown(Type::String)), "timeouts", obj(&[("create", s("5m"))])));
    check(
        vec![change("aws_security_group.web", Action::Create, None, Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              + create

            plinth will perform the following actions:

              # aws_security_group.web will be created
              + resource "aws_security_group" "web" {
                  + description = "Web servers"
                  + id          = (known after apply)
                  + name        = "web"
                  + tags        = {
                      + "Env"  = "prod"
                      + "Team" = "web"
                    }
                  + vpc_id      = "vpc-1"

                  + ingress {
                      + cidr_blocks = [
                          + "0.0.0.0/0",
                        ]
                      + from_port   = 443
                      + to_port     = 443
                    }
                  + ingress {
                      + cidr_blocks = [
                          + "0.0.0.0/0",
                        ]
                      + from_port   = 80
                      + to_port     = 80
                    }

                  + timeouts {
                      + create = "5m"
                    }
                }

            Plan: 1 to add, 0 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn update_in_place_hides_unchanged() {
    let before = sg(&base());
    let after = sg(&with(
        with(base(), "description", s("Web and API servers")),
        "ingress",
        Value::set(rule(0, &[]).ty(), vec![rule(80, &["0.0.0.0/0"]), rule(443, &["10.0.0.0/8", "0.0.0.0/0"])]),
    ));
    check(
        vec![change("aws_security_group.web", Action::Update, Some(before), Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # aws_security_group.web will be updated in-place
              ~ resource "aws_security_group" "web" {
                  ~ description = "Web servers" -> "Web and API servers"
                    id          = "sg-123"
                    name        = "web"
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                    # (1 unchanged attribute hidden)

                  - ingress {
                      - cidr_blocks = [
                          - "0.0.0.0/0",
                        ] -> null
                      - from_port   = 443 -> null
                      - to_port     = 443 -> null
                    }
                  + ingress {
                      + cidr_blocks = [
                          + "10.0.0.0/8",
                          + "0.0.0.0/0",
                        ]
                      + from_port   = 443
                      + to_port     = 443
                    }

                    # (1 unchanged block hidden)
                }

            Plan: 0 to add, 1 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn replace_marks_the_attribute_that_forces_it() {
    let before = sg(&base());
    let after = sg(&with(with(base(), "name", s("web-2")), "id", Value::unknown(Type::String)));
    let mut c = change("aws_security_group.web", Action::DeleteThenCreate, Some(before), Some(after));
    c.requires_replace = vec![vec![PathStep::Attr("name".into())]];
    check(
        vec![c],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
            -/+ destroy and then create replacement

            plinth will perform the following actions:

              # aws_security_group.web must be replaced
            -/+ resource "aws_security_group" "web" {
                  ~ id          = "sg-123" -> (known after apply)
                  ~ name        = "web" -> "web-2" # forces replacement
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                    # (2 unchanged attributes hidden)

                    # (2 unchanged blocks hidden)
                }

            Plan: 1 to add, 0 to change, 1 to destroy.
        "#]],
    );
}

#[test]
fn delete_with_reason() {
    let mut c = change("aws_security_group.old", Action::Delete, Some(sg(&base())), None);
    c.reason = Some("because aws_security_group.old is not in configuration".into());
    check(
        vec![c],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              - destroy

            plinth will perform the following actions:

              # aws_security_group.old will be destroyed
              # (because aws_security_group.old is not in configuration)
              - resource "aws_security_group" "old" {
                  - description = "Web servers" -> null
                  - id          = "sg-123" -> null
                  - name        = "web" -> null
                  - tags        = {
                      - "Env"  = "prod"
                      - "Team" = "web"
                    } -> null
                  - vpc_id      = "vpc-1" -> null

                  - ingress {
                      - cidr_blocks = [
                          - "0.0.0.0/0",
                        ] -> null
                      - from_port   = 443 -> null
                      - to_port     = 443 -> null
                    }
                  - ingress {
                      - cidr_blocks = [
                          - "0.0.0.0/0",
                        ] -> null
                      - from_port   = 80 -> null
                      - to_port     = 80 -> null
                    }
                }

            Plan: 0 to add, 0 to change, 1 to destroy.
        "#]],
    );
}

#[test]
fn sensitive_values_never_show() {
    let before = sg(&with(base(), "password", s("hunter2")));
    let after = sg(&with(with(base(), "password", s("correct horse")), "vpc_id", s("vpc-2").sensitive()));
    let outputs = BTreeMap::from([
        ("secret".to_string(), OutputChange { before: Some(s("a")), after: Some(s("b")), sensitive: true }),
        ("plain".to_string(), OutputChange { before: None, after: Some(s("x")), sensitive: false }),
    ]);
    check_with_outputs(
        vec![change("aws_security_group.web", Action::Update, Some(before), Some(after))],
        outputs,
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # aws_security_group.web will be updated in-place
              ~ resource "aws_security_group" "web" {
                    id          = "sg-123"
                    name        = "web"
                  ~ password    = (sensitive value)
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                  # Warning: this attribute value will be marked as sensitive and will not
                  # display in UI output after applying this change.
                  ~ vpc_id      = (sensitive value)
                    # (1 unchanged attribute hidden)

                    # (2 unchanged blocks hidden)
                }

            Plan: 0 to add, 1 to change, 0 to destroy.

            Changes to Outputs:
              + plain  = "x"
              ~ secret = (sensitive value)
        "#]],
    );
}

#[test]
fn embedded_json_is_diffed_structurally() {
    let policy = |actions: &[&str]| {
        let list = actions.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(",");
        s(&format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{list}],"Resource":"*"}}]}}"#))
    };
    let before = sg(&with(base(), "policy", policy(&["s3:GetObject", "s3:ListBucket"])));
    let after = sg(&with(base(), "policy", policy(&["s3:GetObject", "s3:PutObject", "s3:ListBucket"])));
    check(
        vec![change("aws_security_group.web", Action::Update, Some(before), Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # aws_security_group.web will be updated in-place
              ~ resource "aws_security_group" "web" {
                    id          = "sg-123"
                    name        = "web"
                  ~ policy      = jsonencode(
                      ~ {
                          ~ Statement = [
                              ~ {
                                  ~ Action   = [
                                        "s3:GetObject",
                                      + "s3:PutObject",
                                        "s3:ListBucket",
                                    ]
                                    # (2 unchanged attributes hidden)
                                },
                            ]
                            # (1 unchanged attribute hidden)
                        }
                    )
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                    # (2 unchanged attributes hidden)

                    # (2 unchanged blocks hidden)
                }

            Plan: 0 to add, 1 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn embedded_yaml_is_diffed_structurally() {
    let manifest = |replicas: u32, image: &str| {
        s(&format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {image}\n"))
    };
    let before = sg(&with(base(), "manifest", manifest(2, "nginx:1.25")));
    let after = sg(&with(base(), "manifest", manifest(3, "nginx:1.27")));
    check(
        vec![change("aws_security_group.web", Action::Update, Some(before), Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # aws_security_group.web will be updated in-place
              ~ resource "aws_security_group" "web" {
                    id          = "sg-123"
                  ~ manifest    = yamlencode(
                      ~ {
                          ~ spec       = {
                              ~ replicas = 2 -> 3
                              ~ template = {
                                  ~ spec = {
                                      ~ containers = [
                                          ~ {
                                              ~ image = "nginx:1.25" -> "nginx:1.27"
                                                name  = "web"
                                            },
                                        ]
                                    }
                                }
                            }
                            # (3 unchanged attributes hidden)
                        }
                    )
                    name        = "web"
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                    # (2 unchanged attributes hidden)

                    # (2 unchanged blocks hidden)
                }

            Plan: 0 to add, 1 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn multiline_strings_diff_line_by_line() {
    let before = sg(&with(base(), "user_data", s("#!/bin/sh\napt-get update\napt-get install -y nginx\nsystemctl start nginx\n")));
    let after = sg(&with(base(), "user_data", s("#!/bin/sh\napt-get update\napt-get install -y nginx certbot\nsystemctl start nginx\n")));
    check(
        vec![change("aws_security_group.web", Action::Update, Some(before), Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # aws_security_group.web will be updated in-place
              ~ resource "aws_security_group" "web" {
                    id          = "sg-123"
                    name        = "web"
                    tags        = {
                        "Env"  = "prod"
                        "Team" = "web"
                    }
                  ~ user_data   = <<-EOT
                        #!/bin/sh
                        apt-get update
                      - apt-get install -y nginx
                      + apt-get install -y nginx certbot
                        systemctl start nginx
                    EOT
                    # (2 unchanged attributes hidden)

                    # (2 unchanged blocks hidden)
                }

            Plan: 0 to add, 1 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn deferred_moved_and_imported_notes() {
    let mut deferred = change("aws_security_group.later[\"a\"]", Action::Create, None, Some(sg(&base())));
    deferred.deferred = Some("instance_count_unknown".into());
    let mut moved = change("aws_security_group.new", Action::NoOp, Some(sg(&base())), Some(sg(&base())));
    moved.moved_from = Some("aws_security_group.old".into());
    let mut imported = change("aws_security_group.imp", Action::NoOp, Some(sg(&base())), Some(sg(&base())));
    imported.importing = Some("sg-123".into());
    let outputs = BTreeMap::new();
    let mut plan = plan_of(vec![deferred, moved], outputs);
    let sg = sg_schema();
    let schema = |c: &ResourceChange| (c.addr.resource.resource.type_name == "aws_security_group").then_some(&sg);
    expect![[r#"

        Note: This is a partial plan, parts can only be known in the next plan / apply cycle.

          # aws_security_group.later["a"] was deferred
          # (because the number of resource instances is unknown)
          + resource "aws_security_group" "later" {
              + description = "Web servers"
              + id          = "sg-123"
              + name        = "web"
              + tags        = {
                  + "Env"  = "prod"
                  + "Team" = "web"
                }
              + vpc_id      = "vpc-1"

              + ingress {
                  + cidr_blocks = [
                      + "0.0.0.0/0",
                    ]
                  + from_port   = 443
                  + to_port     = 443
                }
              + ingress {
                  + cidr_blocks = [
                      + "0.0.0.0/0",
                    ]
                  + from_port   = 80
                  + to_port     = 80
                }
            }
        ──────────────────────────────────────────────────────────────────────────────

        plinth will perform the following actions:

          # aws_security_group.old has moved to aws_security_group.new
            resource "aws_security_group" "new" {
                id          = "sg-123"
                name        = "web"
                tags        = {
                    "Env"  = "prod"
                    "Team" = "web"
                }
                # (2 unchanged attributes hidden)

                # (2 unchanged blocks hidden)
            }

        Plan: 0 to add, 0 to change, 0 to destroy.
    "#]]
    .assert_eq(&render(&plan, &schema, &Paint { color: false }));
    plan.changes = vec![imported];
    expect![[r#"

        plinth will perform the following actions:

          # aws_security_group.imp will be imported
            resource "aws_security_group" "imp" {
                description = "Web servers"
                id          = "sg-123"
                name        = "web"
                tags        = {
                    "Env"  = "prod"
                    "Team" = "web"
                }
                vpc_id      = "vpc-1"

                ingress {
                    cidr_blocks = [
                        "0.0.0.0/0",
                    ]
                    from_port   = 443
                    to_port     = 443
                }
                ingress {
                    cidr_blocks = [
                        "0.0.0.0/0",
                    ]
                    from_port   = 80
                    to_port     = 80
                }
            }

        Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.
    "#]]
    .assert_eq(&render(&plan, &schema, &Paint { color: false }));
}

#[test]
fn lists_show_context_around_changes() {
    let list = |xs: &[&str]| obj(&[("items", strs(xs))]);
    let before = list(&["a", "b", "c", "d", "e", "f"]);
    let after = list(&["a", "b", "c", "x", "e", "f"]);
    check(
        vec![change("terraform_data.l", Action::Update, Some(before), Some(after))],
        expect![[r#"

            plinth used the selected providers to generate the following execution plan.
            Resource actions are indicated with the following symbols:
              ~ update in-place

            plinth will perform the following actions:

              # terraform_data.l will be updated in-place
              ~ resource "terraform_data" "l" {
                  ~ items = [
                        # (2 unchanged elements hidden)
                        "c",
                      ~ "d" -> "x",
                        "e",
                        # (1 unchanged element hidden)
                    ]
                }

            Plan: 0 to add, 1 to change, 0 to destroy.
        "#]],
    );
}

#[test]
fn colours_follow_terraform() {
    let plan = plan_of(vec![change("terraform_data.c", Action::Create, None, Some(obj(&[("input", s("x"))])))], BTreeMap::new());
    let out = render(&plan, &|_| None, &Paint { color: true });
    assert!(out.contains("\x1b[1m  # terraform_data.c\x1b[0m will be created"), "{out:?}");
    assert!(out.contains("  \x1b[32m+\x1b[0m resource \"terraform_data\" \"c\" {"), "{out:?}");
    assert!(out.contains("\x1b[1mPlan:\x1b[0m 1 to add"), "{out:?}");
}

#[test]
fn drift_report_shows_changed_and_deleted_objects() {
    use plinth_state::InstanceObject;
    let provider = "provider[\"registry.terraform.io/hashicorp/aws\"]";
    let attrs = |desc: &str| {
        serde_json::json!({"id": "sg-123", "name": "web", "description": desc, "vpc_id": "vpc-1", "tags": {"Env": "prod"},
            "policy": null, "manifest": null, "user_data": null, "password": "hunter2", "ingress": [], "timeouts": null})
    };
    let mut before = State::new();
    let web: AbsResourceInstance = "aws_security_group.web".parse().unwrap();
    let gone: AbsResourceInstance = "aws_security_group.gone".parse().unwrap();
    before.set_current(&web, Some(InstanceObject::new(attrs("Web servers"))), provider);
    before.set_current(&gone, Some(InstanceObject::new(attrs("Old"))), provider);
    let mut after = State::new();
    after.set_current(&web, Some(InstanceObject::new(attrs("Changed by hand"))), provider);
    let sg = sg_schema();
    let schema = |c: &ResourceChange| (c.addr.resource.resource.type_name == "aws_security_group").then_some(&sg);
    let drift = super::drift_changes(&before, &after, &schema);
    expect![[r#"

        Note: Objects have changed outside of plinth

        plinth detected the following changes made outside of plinth since the last
        "plinth apply" which may have affected this plan:

          # aws_security_group.gone has been deleted
          - resource "aws_security_group" "gone" {
              - description = "Old" -> null
              - id          = "sg-123" -> null
              - name        = "web" -> null
              - password    = (sensitive value) -> null
              - tags        = {
                  - "Env" = "prod"
                } -> null
              - vpc_id      = "vpc-1" -> null
            }

          # aws_security_group.web has changed
          ~ resource "aws_security_group" "web" {
              ~ description = "Web servers" -> "Changed by hand"
                id          = "sg-123"
                name        = "web"
                tags        = {
                    "Env" = "prod"
                }
                # (2 unchanged attributes hidden)
            }

        This is a refresh-only plan, so plinth will not take any actions to undo
        these. If you were expecting these changes then you can apply this plan to
        record the updated values in the plinth state without changing any remote
        objects.
    "#]]
    .assert_eq(&super::render_drift(&drift, &schema, true, &Paint { color: false }));
}

#[test]
fn many_changes_render_as_one_after_another() {
    // Enough changes to be rendered in chunks on several threads: the text
    // is what rendering them one after another, in address order, gives.
    let changes: Vec<ResourceChange> = (0..1000)
        .map(|i| {
            let addr = format!("terraform_data.r{i}");
            if i % 3 == 0 {
                change(&addr, Action::Update, Some(obj(&[("input", s("a"))])), Some(obj(&[("input", s(&format!("b{i}")))])))
            } else {
                change(&addr, Action::Create, None, Some(obj(&[("input", s(&format!("v{i}")))])))
            }
        })
        .collect();
    let plan = plan_of(changes, BTreeMap::new());
    let p = Paint { color: false };
    let out = render(&plan, &|_| None, &p);
    let mut sorted: Vec<&ResourceChange> = plan.changes.iter().collect();
    sorted.sort_by(|a, b| a.addr.cmp(&b.addr));
    let mut one_by_one = String::new();
    for c in sorted {
        one_by_one.push('\n');
        super::render_change(&mut one_by_one, c, None, super::Cause::Proposed, &p);
        one_by_one.push('\n');
    }
    let (_, actions) = out.split_once("plinth will perform the following actions:\n").expect("actions");
    let (actions, _) = actions.rsplit_once("\nPlan:").expect("summary");
    assert_eq!(actions, one_by_one);
}
