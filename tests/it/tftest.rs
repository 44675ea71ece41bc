//! `plinth test` through the binary: every module under `modules/` has test
//! files (mocked aws/kubernetes providers) that pass; the cloud modules also
//! apply against moto (`tests-moto/`, with `PLINTH_MOTO=1`); the command's
//! flags and words on the differential corpus.

use std::path::Path;
use std::time::Instant;

use crate::support::{bin, repo_root, Run};

fn plinth_test(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = std::process::Command::new(bin())
        .arg("test")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run plinth");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `Success! N passed, 0 failed.` → N.
fn passed(r: &Run) -> usize {
    let line = r
        .stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("Success! "))
        .unwrap_or_else(|| panic!("no success line:\n{}\n{}", r.stdout, r.stderr));
    line["Success! ".len()..].split(' ').next().and_then(|n| n.parse().ok()).expect("a count")
}

#[test]
fn every_module_has_passing_tests() {
    let modules = repo_root().join("modules");
    let mut names: Vec<String> = std::fs::read_dir(&modules)
        .expect("modules/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let dir = modules.join(&name);
        let files = std::fs::read_dir(dir.join("tests")).map(|rd| rd.filter_map(|e| e.ok()).count()).unwrap_or(0);
        assert!(files > 0, "modules/{name} has no tests/*.tftest.hcl");
        let start = Instant::now();
        let r = plinth_test(&dir, &[], &[]);
        assert_eq!(r.code, 0, "modules/{name}:\n{}\n{}", r.stdout, r.stderr);
        let n = passed(&r);
        assert!(n >= 4, "modules/{name} has only {n} runs");
        eprintln!("modules/{name}: {n} runs passed in {:.2} s", start.elapsed().as_secs_f64());
    }
}

#[test]
fn cloud_modules_apply_against_moto() {
    if std::env::var("PLINTH_MOTO").as_deref() != Ok("1") {
        eprintln!("skipped: PLINTH_MOTO is not set (scripts/test.sh starts moto)");
        return;
    }
    for (name, region) in [("network", "ap-south-2"), ("registry", "ap-southeast-3"), ("cluster", "me-central-1")] {
        let dir = repo_root().join("modules").join(name);
        let start = Instant::now();
        let r = plinth_test(&dir, &["-test-directory=tests-moto"], &[("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]);
        assert_eq!(r.code, 0, "modules/{name} against moto:\n{}\n{}", r.stdout, r.stderr);
        eprintln!("modules/{name} against moto: {} runs passed in {:.2} s", passed(&r), start.elapsed().as_secs_f64());
    }
}

#[test]
fn flags_and_words() {
    let dir = repo_root().join("tests/tftest/basic");
    let xml = tempfile::NamedTempFile::new().expect("tmp");
    let junit = format!("-junit-xml={}", xml.path().display());
    let r = plinth_test(&dir, &["-filter=tests/02_plan_fail.tftest.hcl", &junit], &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "tests/02_plan_fail.tftest.hcl... in progress\n  run \"wrong_input\"... fail\n  run \"still_runs\"... pass\ntests/02_plan_fail.tftest.hcl... tearing down\ntests/02_plan_fail.tftest.hcl... fail\n\nFailure! 1 passed, 1 failed.\n"
    );
    assert!(
        r.stderr.contains("Error: Test assertion failed\n\n  on tests/02_plan_fail.tftest.hcl line 5, in run \"wrong_input\":"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("\ninput is web-2\n"), "{}", r.stderr);
    assert!(std::fs::read_to_string(xml.path()).expect("junit").contains("<testsuite name=\"tests/02_plan_fail.tftest.hcl\" tests=\"2\""));

    // -var reaches the module; run and file variables still win over it.
    let r = plinth_test(&dir, &["-filter=tests/01_plan_pass.tftest.hcl", "-var", "replicas=3"], &[]);
    assert_eq!(r.code, 1, "replicas=3 breaks the plan assertions: {}", r.stdout);
    let r = plinth_test(&dir, &["-filter=tests/04_file_variables.tftest.hcl", "-var", "replicas=7"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // -json: one object a line, ending with the summary.
    let r = plinth_test(&dir, &["-filter=tests/01_plan_pass.tftest.hcl", "-json"], &[]);
    assert_eq!(r.code, 0);
    let msgs: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let last = msgs.last().expect("messages");
    assert_eq!(last["type"], "test_summary");
    assert_eq!(last["test_summary"]["passed"], 1);
    assert_eq!(last["@message"], "Success! 1 passed, 0 failed.");
    assert!(msgs.iter().any(|m| m["type"] == "test_run" && m["test_run"]["status"] == "pass"));

    // -verbose shows what each run planned.
    let r = plinth_test(&dir, &["-filter=tests/01_plan_pass.tftest.hcl", "-verbose"], &[]);
    assert!(r.stdout.contains("# terraform_data.one will be created"), "{}", r.stdout);
}
