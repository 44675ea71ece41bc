//! The shared Terraform conformance corpus (`../shared/conformance`), run
//! through its own runner against this build, and the differential-testing
//! regression corpus (`tests/differential/regressions.jsonl`: cases where
//! plinth once differed from Terraform 1.15, with Terraform's results) run the
//! same way. Cases listed in `tests/conformance-known-failures.txt` /
//! `tests/differential/known-failures.txt` are expected to fail; the tests fail
//! on any other failure, and on a listed case that now passes (so the lists
//! only shrink).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::support::{bin, repo_root};

fn run_corpus(extra_args: &[&str], known_failures: &Path) {
    let runner = repo_root().join("../shared/conformance/run.py");
    assert!(runner.exists(), "the shared conformance corpus is missing at {}", runner.display());
    let out = Command::new("python3")
        .arg(&runner)
        .arg("--bin")
        .arg(bin())
        .arg("--jobs")
        .arg("2")
        .arg("-v")
        .args(extra_args)
        .output()
        .expect("run the conformance runner");
    let text = String::from_utf8_lossy(&out.stdout);
    let failed: BTreeSet<String> =
        text.lines().filter_map(|l| l.strip_prefix("FAIL ")).map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" ")).collect();
    let known_text = std::fs::read_to_string(known_failures).unwrap_or_default();
    let known: BTreeSet<String> =
        known_text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect();
    let new: Vec<&String> = failed.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&failed).collect();
    let summary = text.lines().filter(|l| l.contains("passed")).collect::<Vec<_>>().join("\n");
    assert!(!summary.is_empty(), "the runner printed no summary:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(new.is_empty(), "{summary}\nnew conformance failures:\n{new:#?}\n\nfull output:\n{text}");
    assert!(fixed.is_empty(), "{summary}\nthese cases pass now; remove them from {}:\n{fixed:#?}", known_failures.display());
}

#[test]
fn conformance_corpus() {
    run_corpus(&[], &repo_root().join("tests/conformance-known-failures.txt"));
}

/// The runner reads `context.tf` beside the JSONL file.
#[test]
fn differential_regressions() {
    let dir = repo_root().join("tests/differential");
    let corpus = dir.join("regressions.jsonl");
    assert!(dir.join("context.tf").exists(), "tests/differential/context.tf must sit beside regressions.jsonl");
    run_corpus(&["--expressions", corpus.to_str().expect("utf-8 path")], &dir.join("known-failures.txt"));
}
