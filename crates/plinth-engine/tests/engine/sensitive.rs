//! Sensitivity recorded in state (`sensitive_attributes`) and restored from it.

use expect_test::expect;

use crate::harness::Fixture;

const CONFIG: &str = r#"
variable "pw" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "mock_thing" "a" {
  name   = var.pw
  secret = "s3cr3t"
}
"#;

fn sensitive_paths(f: &Fixture) -> String {
    let mut out = String::new();
    for addr in f.state.instance_addrs().collect::<Vec<_>>() {
        let Some(o) = f.state.instance(&addr).and_then(|i| i.current.as_ref()) else { continue };
        for p in &o.sensitive_attributes {
            let steps: Vec<String> = p
                .iter()
                .map(|s| match s {
                    plinth_state::model::PathStep::GetAttr(k) => format!(".{k}"),
                    plinth_state::model::PathStep::Index { key, .. } => format!("[{key}]"),
                })
                .collect();
            out.push_str(&format!("{addr}: {}\n", steps.concat()));
        }
    }
    out
}

#[test]
fn state_records_sensitive_variable_and_schema_sensitive_paths() {
    let mut f = Fixture::new();
    f.apply(CONFIG);
    expect![[r#"
        mock_thing.a: .name
        mock_thing.a: .secret
    "#]]
    .assert_eq(&sensitive_paths(&f));
}

#[test]
fn prior_values_read_from_state_stay_sensitive() {
    let mut f = Fixture::new();
    f.apply(CONFIG);
    // The prior `name` is sensitive only through state's sensitive_attributes.
    let out = f.plan(&CONFIG.replace("name   = var.pw", "name   = \"changed\""));
    assert!(!out.contains("hunter2"), "{out}");
    expect![[r#"
        mock_thing.a: update
            name = (sensitive value) -> "changed"
        plan: 0 to add, 1 to change, 0 to destroy
    "#]]
    .assert_eq(&out);
}

#[test]
fn an_unchanged_configuration_plans_nothing_over_restored_marks() {
    let mut f = Fixture::new();
    f.apply(CONFIG);
    // The mock refuses marked values: the provider gets the prior unmarked.
    expect![[r#"
        mock_thing.a: no-op
        plan: 0 to add, 0 to change, 0 to destroy
    "#]]
    .assert_eq(&f.plan(CONFIG));
}

#[test]
fn deep_marks_are_recorded_at_their_paths() {
    let mut f = Fixture::new();
    f.apply(
        r#"
variable "pw" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "mock_thing" "a" {
  in = { pass = var.pw, user = "u", list = ["a", var.pw] }
}
"#,
    );
    expect![[r#"
        mock_thing.a: .in.list[1]
        mock_thing.a: .in.pass
        mock_thing.a: .secret
    "#]]
    .assert_eq(&sensitive_paths(&f));
}
