//! `-target` / `-exclude` as graph operations, and apply making exactly the
//! plan's changes in every plan mode; a seeded property test over random
//! small graphs and random target/exclude sets.

use expect_test::expect;
use plinth_engine::{Action, PlanMode, PlanOptions};
use plinth_state::Target;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::Fixture;

const CHAIN: &str = r#"
resource "mock_thing" "a" { name = "a" }
resource "mock_thing" "b" { in = mock_thing.a.id }
resource "mock_thing" "c" { in = mock_thing.b.out }
resource "mock_thing" "d" { name = "d" }
output "c" { value = mock_thing.c.out }
output "d" { value = mock_thing.d.id }
"#;

fn targets(ts: &[&str]) -> Vec<Target> {
    ts.iter().map(|t| t.parse().expect("a target address")).collect()
}

fn opts(mode: PlanMode, target: &[&str], exclude: &[&str]) -> PlanOptions {
    PlanOptions { mode, targets: targets(target), excludes: targets(exclude), ..PlanOptions::default() }
}

#[test]
fn target_plans_and_applies_the_target_and_its_dependencies_only() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.a: create
            arn = (known after apply)
            id = (known after apply)
            name = "a"
        mock_thing.b: create
            arn = (known after apply)
            id = (known after apply)
            in = (known after apply)
            out = (known after apply)
        mock_thing.c: create
            arn = (known after apply)
            id = (known after apply)
            in = (known after apply)
            out = (known after apply)
        output c: null -> (known after apply)
        plan: 3 to add, 0 to change, 0 to destroy
        warning: Resource targeting is in effect: You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.  The -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message.
        --- apply
        create mock_thing a
        create mock_thing ?
        create mock_thing ?
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
        mock_thing.b: arn="arn:mock_thing-2" id="mock_thing-2" in={value="mock_thing-1" type="string"} out={value="mock_thing-1" type="string"
        mock_thing.c: arn="arn:mock_thing-3" id="mock_thing-3" in={value="mock_thing-1" type="string"} out={value="mock_thing-1" type="string"
        output c = "mock_thing-1"
    "#]]
    .assert_eq(&f.apply_with(CHAIN, opts(PlanMode::Normal, &["mock_thing.c"], &[])));
}

#[test]
fn exclude_drops_the_excluded_and_its_dependents() {
    let mut f = Fixture::new();
    expect![[r#"
        mock_thing.d: create
            arn = (known after apply)
            id = (known after apply)
            name = "d"
        output d: null -> (known after apply)
        plan: 1 to add, 0 to change, 0 to destroy
        warning: Resource targeting is in effect: You are creating a plan with either the -target option or the -exclude option, which means that the result of this plan may not represent all of the changes requested by the current configuration.  The -target and -exclude options are not for routine use, and are provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message.
        --- apply
        create mock_thing d
        --- state
        mock_thing.d: arn="arn:mock_thing-1" id="mock_thing-1" name="d"
        output d = "mock_thing-1"
    "#]]
    .assert_eq(&f.apply_with(CHAIN, opts(PlanMode::Normal, &[], &["mock_thing.a"])));
}

#[test]
fn targeted_destroy_takes_the_dependents_and_keeps_outputs() {
    let mut f = Fixture::new();
    f.apply(CHAIN);
    expect![[r#"
        mock_thing.b: delete
        mock_thing.c: delete
        plan: 0 to add, 0 to change, 2 to destroy
        warning: Resource targeting is in effect: You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.  The -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when plinth specifically suggests to use it as part of an error message.
        --- apply
        delete mock_thing mock_thing-4
        delete mock_thing mock_thing-3
        --- state
        mock_thing.a: arn="arn:mock_thing-1" id="mock_thing-1" name="a"
        mock_thing.d: arn="arn:mock_thing-2" id="mock_thing-2" name="d"
        output c = "mock_thing-1"
        output d = "mock_thing-2"
    "#]]
    .assert_eq(&f.apply_with(CHAIN, opts(PlanMode::Destroy, &["mock_thing.b"], &[])));
}

#[test]
fn refresh_only_apply_neither_creates_nor_destroys() {
    let mut f = Fixture::new();
    f.apply(r#"resource "mock_thing" "gone" { name = "g" }"#);
    expect![[r#"
        output n: null -> (known after apply)
        plan: 0 to add, 0 to change, 0 to destroy
        --- apply
        --- state
        mock_thing.gone: arn="arn:mock_thing-1" id="mock_thing-1" name="g"
    "#]]
    .assert_eq(&f.apply_with(
        r#"
resource "mock_thing" "new" { name = "n" }
output "n" { value = mock_thing.new.id }
"#,
        opts(PlanMode::RefreshOnly, &[], &[]),
    ));
}

#[test]
fn destroy_refuses_prevent_destroy() {
    let mut f = Fixture::new();
    let cfg = r#"
resource "mock_thing" "keep" {
  name = "k"
  lifecycle { prevent_destroy = true }
}
resource "mock_thing" "other" { name = "o" }
"#;
    f.apply(cfg);
    expect![[r#"
        error: Instance cannot be destroyed [main.tf:2]: Resource mock_thing.keep has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target option.
    "#]]
    .assert_eq(&f.destroy(cfg));
    // Outside the selection it does not matter.
    let out = f.apply_with(cfg, opts(PlanMode::Destroy, &["mock_thing.other"], &[]));
    assert!(out.contains("mock_thing.other: delete") && !out.contains("error:"), "{out}");
}

#[test]
fn removed_module_without_destroy_forgets_its_resources() {
    let mut f = Fixture::new();
    f.apply(
        r#"
-- main.tf --
module "m" { source = "./m" }
-- m/main.tf --
resource "mock_thing" "x" { name = "x" }
module "n" { source = "./n" }
-- m/n/main.tf --
resource "mock_thing" "y" { name = "y" }
"#,
    );
    expect![[r#"
        module.m.mock_thing.x: forget (because module.m is not in configuration)
        module.m.module.n.mock_thing.y: forget (because module.m.module.n is not in configuration)
        plan: 0 to add, 0 to change, 0 to destroy
        warning: Some objects will no longer be managed by plinth: If you apply this plan, plinth will discard its tracking information for the following objects, but it will not delete them:  - module.m.mock_thing.x  - module.m.module.n.mock_thing.y  After applying this plan, plinth will no longer manage these objects. You will need to import them into plinth to manage them again.
        --- apply
        --- state
    "#]]
    .assert_eq(&f.apply(
        r#"
removed {
  from = module.m
  lifecycle { destroy = false }
}
"#,
    ));
}

// ---- the property: apply makes exactly the plan's changes ---------------------

/// A random configuration of a few `mock_thing` resources (some counted),
/// with references and `depends_on` to earlier ones, and maybe a module fed
/// by one of them and read by another. `version` changes arguments so that a
/// second configuration updates, replaces and drops some of them.
fn random_config(rng: &mut StdRng, version: u32) -> (String, Vec<String>) {
    let n = rng.gen_range(3..7);
    let mut root = String::new();
    let mut addrs = Vec::new();
    let module = rng.gen_bool(0.5);
    let mut kept: Vec<usize> = Vec::new();
    for i in 0..n {
        // Leave some resources out of the second configuration (orphans);
        // r0 (read by the module and the output) and the last stay.
        if version > 0 && i > 0 && i < n - 1 && rng.gen_bool(0.15) {
            continue;
        }
        let counted = rng.gen_bool(0.3);
        let mut body = String::new();
        if counted {
            body.push_str("  count = 2\n");
        }
        body.push_str(&format!("  name = \"r{i}-{}\"\n", if rng.gen_bool(0.3) { version } else { 0 }));
        if rng.gen_bool(0.2) {
            body.push_str(&format!("  ami = \"ami-{}\"\n", if rng.gen_bool(0.3) { version } else { 0 }));
        }
        if !kept.is_empty() && rng.gen_bool(0.6) {
            let j = kept[rng.gen_range(0..kept.len())];
            body.push_str(&format!("  in = [for x in flatten([mock_thing.r{j}]) : x.id]\n"));
        }
        if kept.len() > 1 && rng.gen_bool(0.3) {
            let j = kept[rng.gen_range(0..kept.len())];
            body.push_str(&format!("  depends_on = [mock_thing.r{j}]\n"));
        }
        kept.push(i);
        if module && i == n - 1 {
            body.push_str("  size = length(module.m.out)\n");
        }
        root.push_str(&format!("resource \"mock_thing\" \"r{i}\" {{\n{body}}}\n"));
        addrs.push(format!("mock_thing.r{i}"));
        if counted {
            addrs.push(format!("mock_thing.r{i}[1]"));
        }
    }
    let mut files = String::new();
    if module {
        root.push_str("module \"m\" {\n  source = \"./m\"\n  in = [for x in flatten([mock_thing.r0]) : x.id]\n}\n");
        files = format!(
            "-- m/main.tf --\nvariable \"in\" {{}}\nresource \"mock_thing\" \"inner\" {{\n  in   = var.in\n  name = \"i{}\"\n}}\nresource \"mock_thing\" \"free\" {{ name = \"f\" }}\noutput \"out\" {{ value = mock_thing.inner.id }}\n",
            if rng.gen_bool(0.3) { version } else { 0 }
        );
        addrs.push("module.m".into());
        addrs.push("module.m.mock_thing.free".into());
    }
    root.push_str("output \"first\" { value = [for x in flatten([mock_thing.r0]) : x.id] }\n");
    (format!("-- main.tf --\n{root}{files}"), addrs)
}

#[test]
fn apply_changes_exactly_what_its_plan_listed() {
    for seed in 0..60u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut f = Fixture::new();
        let (first, _) = random_config(&mut rng, 0);
        // Some prior state: everything, or part of it, applied.
        if rng.gen_bool(0.7) {
            f.apply(&first);
        }
        let (second, addrs) = random_config(&mut StdRng::seed_from_u64(seed), 1);
        let pick = |rng: &mut StdRng| -> Vec<String> {
            let k = rng.gen_range(1..3).min(addrs.len());
            (0..k).map(|_| addrs[rng.gen_range(0..addrs.len())].clone()).collect()
        };
        let (mode, target, exclude) = match rng.gen_range(0..5) {
            0 => (PlanMode::Normal, pick(&mut rng), vec![]),
            1 => (PlanMode::Normal, vec![], pick(&mut rng)),
            2 => (PlanMode::Destroy, pick(&mut rng), vec![]),
            3 => (PlanMode::Destroy, vec![], pick(&mut rng)),
            _ => (PlanMode::Normal, vec![], vec![]),
        };
        let t: Vec<&str> = target.iter().map(String::as_str).collect();
        let e: Vec<&str> = exclude.iter().map(String::as_str).collect();
        let config = if mode == PlanMode::Destroy { &first } else { &second };
        let seen = f
            .apply_observed(config, opts(mode, &t, &e))
            .unwrap_or_else(|e| panic!("seed {seed}: {mode:?} -target={target:?} -exclude={exclude:?}:\n{e}\n{config}"));
        let mut planned: Vec<String> = seen.planned.iter().map(|(a, _)| a.clone()).collect();
        let mut applied: Vec<String> = seen.applied.iter().map(|(a, _)| a.clone()).collect();
        planned.sort();
        planned.dedup();
        applied.sort();
        applied.dedup();
        assert_eq!(applied, planned, "seed {seed}: {mode:?} -target={target:?} -exclude={exclude:?}\n{config}");
        // A replacement is two operations on one address, anything else one.
        let ops: usize = seen.planned.iter().map(|(_, a)| if a.is_replace() { 2 } else { 1 }).sum();
        assert_eq!(seen.applied.len(), ops, "seed {seed}: {:?} vs {:?}", seen.applied, seen.planned);
        assert_eq!(seen.targeted, !target.is_empty() || !exclude.is_empty());
        // What was applied is done: the same plan again changes nothing.
        let again = f.apply_observed(config, opts(mode, &t, &e)).expect("the same plan again");
        let left: Vec<&(String, Action)> = again.planned.iter().collect();
        assert!(left.is_empty(), "seed {seed}: {mode:?} -target={target:?} -exclude={exclude:?} left {left:?}\n{config}");
    }
}
