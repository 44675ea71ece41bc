//! The shared Terraform conformance corpus (`../shared/conformance`), run
//! through its own runner against this build. Cases listed in
//! `tests/conformance-known-failures.txt` are expected to fail; the test fails
//! on any other failure, and on a listed case that now passes (so the list
//! only shrinks).

use std::collections::BTreeSet;
use std::process::Command;

use crate::support::{bin, repo_root};

#[test]
fn conformance_corpus() {
    let runner = repo_root().join("../shared/conformance/run.py");
    assert!(runner.exists(), "the shared conformance corpus is missing at {}", runner.display());
    let out = Command::new("python3")
        .arg(&runner)
        .arg("--bin")
        .arg(bin())
        .arg("--jobs")
        .arg("2")
        .arg("-v")
        .output()
        .expect("run the conformance runner");
    let text = String::from_utf8_lossy(&out.stdout);
    let failed: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    let known_text = std::fs::read_to_string(repo_root().join("tests/conformance-known-failures.txt")).unwrap_or_default();
    let known: BTreeSet<String> =
        known_text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect();
    let new: Vec<&String> = failed.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&failed).collect();
    let summary = text.lines().filter(|l| l.contains("passed")).collect::<Vec<_>>().join("\n");
    assert!(new.is_empty(), "{summary}\nnew conformance failures:\n{new:#?}\n\nfull output:\n{text}");
    assert!(fixed.is_empty(), "{summary}\nthese cases pass now; remove them from tests/conformance-known-failures.txt:\n{fixed:#?}");
}
