//! `plinth fmt` against output recorded from Terraform 1.15's `fmt`
//! (`fmt-terraform.hcl` is `terraform fmt -` of `fmt-input.hcl`).

use crate::support::Dir;

const INPUT: &str = include_str!("fmt-input.hcl");
const TERRAFORM: &str = include_str!("fmt-terraform.hcl");

#[test]
fn stdin_matches_terraform() {
    let d = Dir::with(&[]);
    let r = d.run_stdin(&["fmt", "-"], INPUT).ok();
    assert_eq!(r.stdout, TERRAFORM);
}

#[test]
fn check_list_write_and_recursive() {
    let d = Dir::with(&[("main.tf", INPUT), ("sub/b.tf", INPUT), ("ok.tf", TERRAFORM), (".hidden/c.tf", INPUT)]);
    let check = d.run(&["fmt", "-check", "-recursive"]);
    assert_eq!(check.code, 3, "{check:?}");
    assert_eq!(check.stdout, "main.tf\nsub/b.tf\n");
    let diff = d.run(&["fmt", "-diff", "-write=false", "main.tf"]).ok();
    assert!(diff.stdout.starts_with("main.tf\n--- old/main.tf\n+++ new/main.tf\n@@ -1,"), "{}", diff.stdout);
    assert!(diff.stdout.contains("\n-    type = \"string\"\n"), "{}", diff.stdout);
    let write = d.run(&["fmt"]).ok();
    assert_eq!(write.stdout, "main.tf\n");
    assert_eq!(std::fs::read_to_string(d.path().join("main.tf")).unwrap(), TERRAFORM);
    assert_eq!(std::fs::read_to_string(d.path().join("sub/b.tf")).unwrap(), INPUT, "not recursive");
    d.run(&["fmt", "-recursive", "-list=false"]).ok();
    assert_eq!(d.run(&["fmt", "-check", "-recursive"]).code, 0);
}

#[test]
fn syntax_errors_exit_2_and_leave_the_file() {
    let d = Dir::with(&[("main.tf", "locals {\n  a = \"x\n}\n")]);
    let r = d.run(&["fmt"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("Error:"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(d.path().join("main.tf")).unwrap(), "locals {\n  a = \"x\n}\n");
}
