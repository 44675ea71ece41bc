//! `plinth graph`: resources grouped by module, edges through locals and
//! module outputs, filled by planned action; SVG output.

use crate::support::Dir;

const CONFIG: &[(&str, &str)] = &[
    ("main.tf", "resource \"terraform_data\" \"vpc\" {\n  input = 1\n}\nlocals {\n  id = terraform_data.vpc.id\n}\nmodule \"sub\" {\n  source = \"./modules/sub\"\n  vpc    = local.id\n}\n"),
    ("modules/sub/main.tf", "variable \"vpc\" {}\nresource \"terraform_data\" \"s\" {\n  count = 2\n  input = var.vpc\n}\n"),
];

#[test]
fn dot_groups_by_module_and_colours_by_action() {
    let d = Dir::with(CONFIG);
    let r = d.run(&["graph"]).ok();
    assert!(r.stdout.starts_with("digraph G {\n  rankdir = \"RL\";\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  subgraph \"cluster_module.sub\" {\n    label = \"module.sub\"\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\"module.sub.terraform_data.s\" [label = \"terraform_data.s\", style = \"filled\", fillcolor = \"#b7e4c7\", tooltip = \"create\"];"), "{}", r.stdout);
    assert!(r.stdout.contains("  \"module.sub.terraform_data.s\" -> \"terraform_data.vpc\";\n"), "{}", r.stdout);
    d.run(&["apply", "-auto-approve"]).ok();
    d.write("main.tf", &CONFIG[0].1.replace("input = 1", "input = 2"));
    d.run(&["plan", "-out=p"]).ok();
    let r = d.run(&["graph", "-plan=p"]).ok();
    assert!(
        r.stdout.contains(
            "\"terraform_data.vpc\" [label = \"terraform_data.vpc\", style = \"filled\", fillcolor = \"#ffe8a3\", tooltip = \"update\"];"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("tooltip = \"create\""), "{}", r.stdout);
    let svg = d.run(&["graph", "-format=svg"]).ok();
    assert!(svg.stdout.contains("<svg") && svg.stdout.contains("terraform_data.vpc"), "{}", svg.stdout);
}
