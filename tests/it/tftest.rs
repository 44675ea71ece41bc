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
        // scripts/test.sh starts moto and requires its tools: there a missing
        // emulator is a failure, not a skip.
        assert!(std::env::var_os("PLINTH_REQUIRE_PYTHON_TOOLS").is_none(), "PLINTH_REQUIRE_PYTHON_TOOLS is set but PLINTH_MOTO is not");
        eprintln!("skipped: PLINTH_MOTO is not set (scripts/test.sh starts moto)");
        return;
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok().filter(|u| !u.is_empty());
    assert!(endpoint.is_some(), "PLINTH_MOTO=1 but AWS_ENDPOINT_URL is not set");
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

    // Unknown flags are refused as Terraform refuses them, before any test runs.
    let r = plinth_test(&dir, &["-auto-approve"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Failed to parse command-line flags") && r.stderr.contains("flag provided but not defined: -auto-approve"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no test ran: {}", r.stdout);
    let r = plinth_test(&dir, &["-parallelism=many"], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid value \"many\" for flag -parallelism: parse error"), "{}", r.stderr);
    let r = plinth_test(&dir, &["-filter=tests/01_plan_pass.tftest.hcl", "-parallelism=1", "-run-parallelism=2", "-no-color"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // -var reaches the module; run and file variables still win over it.
    let r = plinth_test(&dir, &["-filter=tests/01_plan_pass.tftest.hcl", "-var", "replicas=3"], &[]);
    assert_eq!(r.code, 1, "replicas=3 breaks the plan assertions: {}", r.stdout);
    let r = plinth_test(&dir, &["-filter=tests/04_file_variables.tftest.hcl", "-var", "replicas=7"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // A failed validation points at the value the run gave, as Terraform's does.
    let r = plinth_test(&dir, &["-filter=tests/07_validation_unexpected.tftest.hcl"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Error: Invalid value for variable\n\n  on tests/07_validation_unexpected.tftest.hcl line 5, in run \"too_long\":\n   5:     name = \"much-too-long\"\n"),
        "{}",
        r.stderr
    );

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

/// `-junit-xml`: the file read back by an XML parser is a JUnit report —
/// `testsuites` of one `testsuite` per test file and one `testcase` per run,
/// counts that match its cases and the summary line, failures and errors
/// that carry a message and the diagnostics, skipped cases that say why.
#[test]
fn junit_xml_is_junit_shaped() {
    let dir = repo_root().join("tests/tftest/basic");
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("report.xml");
    let files = ["tests/01_plan_pass.tftest.hcl", "tests/02_plan_fail.tftest.hcl", "tests/07_validation_unexpected.tftest.hcl"];
    let mut args: Vec<String> = files.iter().map(|f| format!("-filter={f}")).collect();
    args.push(format!("-junit-xml={}", path.display()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = plinth_test(&dir, &args, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let summary = r.stdout.lines().rev().find(|l| l.starts_with("Failure! ")).expect("a summary line");
    assert_eq!(summary, "Failure! 2 passed, 2 failed, 1 skipped.");

    let text = std::fs::read_to_string(&path).expect("the JUnit file");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(suites.iter().all(|s| s.tag_name().name() == "testsuite"), "only testsuite elements under testsuites");
    let names: Vec<&str> = suites.iter().map(|s| s.attribute("name").expect("a suite name")).collect();
    assert_eq!(names, files, "one suite per file, in run order");

    let num = |n: &roxmltree::Node, a: &str| -> usize {
        n.attribute(a).unwrap_or_else(|| panic!("{} has no {a}", n.tag_name().name())).parse().expect("a count")
    };
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut outcomes = Vec::new();
    for s in &suites {
        let cases: Vec<_> = s.children().filter(|n| n.is_element() && n.tag_name().name() == "testcase").collect();
        let with = |tag: &str| cases.iter().filter(|c| c.children().any(|k| k.is_element() && k.tag_name().name() == tag)).count();
        assert_eq!(num(s, "tests"), cases.len(), "tests= counts the testcases of {names:?}");
        assert_eq!(num(s, "failures"), with("failure"));
        assert_eq!(num(s, "errors"), with("error"));
        assert_eq!(num(s, "skipped"), with("skipped"));
        for c in &cases {
            assert_eq!(c.attribute("classname"), s.attribute("name"), "a case's class is its file");
            let name = c.attribute("name").expect("a case name").to_string();
            let results: Vec<_> =
                c.children().filter(|k| k.is_element() && matches!(k.tag_name().name(), "failure" | "error" | "skipped")).collect();
            assert!(results.len() <= 1, "{name}: at most one result element");
            match results.first() {
                None => {
                    passed += 1;
                    let t: f64 = c.attribute("time").expect("a run's time").parse().expect("seconds");
                    assert!(t >= 0.0);
                    outcomes.push((name, "pass".to_string(), String::new()));
                }
                Some(k) => {
                    let tag = k.tag_name().name();
                    let message = k.attribute("message").unwrap_or_default();
                    assert!(!message.is_empty(), "{name}: <{tag}> carries a message");
                    let body = k.text().unwrap_or_default();
                    if tag == "skipped" {
                        skipped += 1;
                    } else {
                        failed += 1;
                        assert!(body.contains("Error: "), "{name}: <{tag}> holds the diagnostics: {body:?}");
                        assert!(body.contains(" line "), "{name}: with their file and line: {body:?}");
                    }
                    outcomes.push((name, tag.to_string(), message.to_string()));
                }
            }
        }
    }
    assert_eq!(summary, format!("Failure! {passed} passed, {failed} failed, {skipped} skipped."), "the report counts what the run printed");
    let by_name: std::collections::BTreeMap<&str, (&str, &str)> =
        outcomes.iter().map(|(n, t, m)| (n.as_str(), (t.as_str(), m.as_str()))).collect();
    assert_eq!(by_name["defaults"].0, "pass");
    assert_eq!(by_name["wrong_input"], ("failure", "1 of 1 assertions failed: input is web-2"));
    assert_eq!(by_name["still_runs"].0, "pass");
    assert_eq!(by_name["too_long"], ("error", "Encountered an error"));
    assert_eq!(by_name["skipped"], ("skipped", "Testcase skipped due to a previous testcase error"));
}

/// `-var` and `-var-file` apply in command-line order (the later wins), and a
/// variables file that does not exist stops the command before any test.
#[test]
fn variable_options_in_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    std::fs::write(d.join("main.tf"), "variable \"n\" {\n  type = number\n}\n\noutput \"n\" {\n  value = var.n\n}\n").expect("write");
    std::fs::write(d.join("seven.tfvars"), "n = 7\n").expect("write");
    std::fs::write(
        d.join("n.tftest.hcl"),
        "run \"n\" {\n  command = plan\n\n  assert {\n    condition     = output.n == 7\n    error_message = \"n is ${output.n}\"\n  }\n}\n",
    )
    .expect("write");
    let r = plinth_test(d, &["-var", "n=5", "-var-file=seven.tfvars"], &[]);
    assert_eq!(r.code, 0, "the file comes last and wins:\n{}\n{}", r.stdout, r.stderr);
    let r = plinth_test(d, &["-var-file=seven.tfvars", "-var", "n=5"], &[]);
    assert_eq!(r.code, 1, "-var comes last and wins:\n{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("\nn is 5\n"), "{}", r.stderr);
    let r = plinth_test(d, &["-var-file=missing.tfvars"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Error: Failed to read variables file\n\nGiven variables file missing.tfvars does not exist."),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("run \"n\""), "no test ran: {}", r.stdout);
}
