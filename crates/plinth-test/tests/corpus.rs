//! The differential corpus (`tests/tftest/`): every test file's run
//! statuses under plinth must equal Terraform 1.15.5's, recorded in
//! `terraform-results.json` by `record.py`; with real Terraform available
//! (`PLINTH_TERRAFORM`, set by scripts/test.sh) the recording is checked
//! against a live run too. Also: JUnit XML read back, and bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plinth_test::{Options, Status, Summary};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tftest")
}

fn providers() -> plinth_engine::Providers {
    let mut p = plinth_engine::Providers::new();
    p.add("terraform", plinth_builtin::SOURCE, Arc::new(plinth_builtin::TerraformProvider::new()));
    p.add("sticky", "example.com/test/sticky", Arc::new(Sticky(sticky_schema())));
    p
}

/// A provider whose one resource type, `sticky_thing`, cannot be deleted.
struct Sticky(plinth_provider::ProviderSchema);

fn sticky_schema() -> plinth_provider::ProviderSchema {
    let mut block = plinth_provider::BlockSchema::default();
    block.attributes.insert("id".into(), plinth_provider::AttributeSchema::computed(plinth_value::Type::String));
    let mut s = plinth_provider::ProviderSchema::default();
    s.resources.insert("sticky_thing".into(), plinth_provider::ResourceSchema { version: 0, block });
    s
}

#[async_trait::async_trait]
impl plinth_provider::Provider for Sticky {
    fn schema(&self) -> &plinth_provider::ProviderSchema {
        &self.0
    }
    async fn configure(&self, _: &plinth_value::Value) -> Result<(), plinth_provider::ProviderError> {
        Ok(())
    }
    fn plan_resource(
        &self,
        req: plinth_provider::PlanRequest<'_>,
    ) -> Result<plinth_provider::PlanResponse, plinth_provider::ProviderError> {
        Ok(plinth_provider::PlanResponse { planned: req.proposed.clone(), requires_replace: Vec::new() })
    }
    async fn apply_resource(&self, req: plinth_provider::ApplyRequest<'_>) -> Result<plinth_value::Value, plinth_provider::ProviderError> {
        match req.planned {
            Some(_) => Ok(plinth_value::Value::object(BTreeMap::from([("id".to_string(), plinth_value::Value::string("s-1"))]))),
            None => Err(plinth_provider::ProviderError::new("Deletion refused", "sticky things stay")),
        }
    }
    async fn read_resource(
        &self,
        _: &str,
        state: &plinth_value::Value,
    ) -> Result<Option<plinth_value::Value>, plinth_provider::ProviderError> {
        Ok(Some(state.clone()))
    }
    async fn read_data_source(&self, _: &str, _: &plinth_value::Value) -> Result<plinth_value::Value, plinth_provider::ProviderError> {
        Err(plinth_provider::ProviderError::new("no data", ""))
    }
    async fn import_resource(&self, _: &str, _: &str) -> Result<plinth_value::Value, plinth_provider::ProviderError> {
        Err(plinth_provider::ProviderError::new("no import", ""))
    }
}

fn options(dir: &Path, filter: &[&str]) -> Options {
    Options {
        dir: dir.to_path_buf(),
        test_directory: "tests".into(),
        filter: filter.iter().map(|s| s.to_string()).collect(),
        variables: Vec::new(),
        verbose: false,
        json: false,
        junit_xml: None,
        color: false,
        parallelism: 10,
        render_plan: None,
    }
}

fn run(opts: &Options) -> (Summary, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let summary = {
        let mut o = plinth_test::Output::new(opts.json, false, &mut out, &mut err);
        let s = plinth_test::run_all(opts, &providers, &mut o);
        o.summary(&s);
        s
    };
    (summary, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

fn word(s: Status) -> &'static str {
    s.word()
}

#[test]
fn corpus_agrees_with_terraform() {
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("terraform-results.json")).expect("recorded results")).expect("json");
    let known: Vec<String> = std::fs::read_to_string(corpus().join("known-differences.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut differ = Vec::new();
    let mut agree = 0;
    let entries = recorded.as_object().expect("object");
    assert!(entries.len() >= 40, "the corpus has {} test files", entries.len());
    for (key, rec) in entries {
        let (case, file) = key.split_once('/').expect("case/file");
        let (summary, out, err) = run(&options(&corpus().join(case), &[file]));
        let ours: BTreeMap<String, String> =
            summary.files.iter().flat_map(|f| &f.runs).map(|r| (r.name.clone(), word(r.status).to_string())).collect();
        let theirs: BTreeMap<String, String> =
            rec["runs"].as_object().expect("runs").iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
        let our_exit = summary.status() > Status::Pass;
        let their_exit = rec["exit"].as_i64() != Some(0);
        if ours == theirs && our_exit == their_exit {
            agree += 1;
            assert!(!known.contains(key), "{key} agrees now: remove it from known-differences.txt");
        } else if !known.contains(key) {
            differ.push(format!("{key}: terraform {theirs:?} (exit {their_exit}), plinth {ours:?} (exit {our_exit})\n{out}{err}"));
        }
    }
    eprintln!("{agree} of {} corpus files agree with Terraform ({} known differences)", entries.len(), known.len());
    assert!(differ.is_empty(), "{} files differ from Terraform:\n{}", differ.len(), differ.join("\n"));
}

/// The recording is Terraform's current answer, not a hand-written one.
#[test]
fn recording_matches_live_terraform() {
    let Ok(tf) = std::env::var("PLINTH_TERRAFORM") else {
        assert!(std::env::var_os("PLINTH_REQUIRE_PYTHON_TOOLS").is_none(), "PLINTH_TERRAFORM is not set");
        eprintln!("skipped: PLINTH_TERRAFORM (real Terraform) is not set");
        return;
    };
    let out =
        std::process::Command::new("python3").arg(corpus().join("record.py")).arg("--terraform").arg(&tf).output().expect("run record.py");
    assert!(out.status.success(), "record.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let live: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("terraform-results.json")).expect("recorded")).expect("json");
    assert_eq!(live, recorded, "terraform-results.json is stale: rerun tests/tftest/record.py --out tests/tftest/terraform-results.json");
}

#[test]
fn junit_xml_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xml_path = dir.path().join("out.xml");
    let mut opts = options(&corpus().join("basic"), &["tests/02_plan_fail.tftest.hcl", "tests/07_validation_unexpected.tftest.hcl"]);
    opts.junit_xml = Some(xml_path.clone());
    let code = {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        plinth_test::run_tests(&opts, &providers, &mut out, &mut err)
    };
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(&xml_path).expect("junit file");
    // Element tree by a real XML tokenizer: well-formed, and what it says.
    let mut stack: Vec<String> = Vec::new();
    let mut suites: Vec<BTreeMap<String, String>> = Vec::new();
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    let mut attrs: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::new();
    for tok in xmlparser::Tokenizer::from(xml.as_str()) {
        match tok.expect("well-formed XML") {
            xmlparser::Token::ElementStart { local, .. } => {
                current = local.to_string();
                attrs.clear();
            }
            xmlparser::Token::Attribute { local, value, .. } => {
                attrs.insert(local.to_string(), value.to_string());
            }
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {
                    match current.as_str() {
                        "testsuite" => suites.push(attrs.clone()),
                        "testcase" => cases.push((attrs["name"].clone(), Vec::new())),
                        "failure" | "error" | "skipped" | "system-err" => cases.last_mut().expect("in a testcase").1.push(current.clone()),
                        _ => {}
                    }
                    stack.push(current.clone());
                }
                xmlparser::ElementEnd::Close(_, name) => {
                    assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "balanced elements");
                }
                xmlparser::ElementEnd::Empty => {}
            },
            _ => {}
        }
    }
    assert!(stack.is_empty());
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[0]["name"], "tests/02_plan_fail.tftest.hcl");
    assert_eq!((suites[0]["tests"].as_str(), suites[0]["failures"].as_str(), suites[0]["errors"].as_str()), ("2", "1", "0"));
    assert_eq!((suites[1]["tests"].as_str(), suites[1]["skipped"].as_str(), suites[1]["errors"].as_str()), ("2", "1", "1"));
    let kinds: BTreeMap<&str, &Vec<String>> = cases.iter().map(|(n, k)| (n.as_str(), k)).collect();
    assert_eq!(kinds["wrong_input"], &vec!["failure".to_string()]);
    assert!(kinds["still_runs"].is_empty());
    assert_eq!(kinds["too_long"], &vec!["error".to_string()]);
    assert_eq!(kinds["skipped"], &vec!["skipped".to_string()]);
    assert!(xml.contains("1 of 1 assertions failed: input is web-2"), "{xml}");
}

#[test]
fn bad_input_is_reported_and_the_other_files_still_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("tests")).expect("mkdir");
    std::fs::write(d.join("main.tf"), "resource \"terraform_data\" \"kept\" {\n  input = 1\n}\n\nresource \"sticky_thing\" \"s\" {}\n")
        .expect("write");
    std::fs::write(d.join("tests/a_bad.tftest.hcl"), "run \"x\" {\n  command = plan\n  assert {\n    condition = \n  }\n}\n")
        .expect("write");
    std::fs::write(
        d.join("tests/b_good.tftest.hcl"),
        "run \"ok\" {\n  command = plan\n  assert {\n    condition     = terraform_data.kept.input == 1\n    error_message = \"x\"\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(d.join("tests/c_leftover.tftest.hcl"), "run \"create\" {}\n").expect("write");
    let (summary, out, err) = run(&options(d, &[]));
    let status: BTreeMap<&str, Status> = summary.files.iter().map(|f| (f.name.as_str(), f.status)).collect();
    assert_eq!(status["tests/a_bad.tftest.hcl"], Status::Error);
    assert_eq!(status["tests/b_good.tftest.hcl"], Status::Pass, "{out}{err}");
    assert_eq!(status["tests/c_leftover.tftest.hcl"], Status::Error, "{out}{err}");
    assert!(err.contains("on tests/a_bad.tftest.hcl line 4"), "{err}");
    assert!(err.contains("Failed to clean up after tests") && err.contains("  - sticky_thing.s"), "{err}");
    assert!(out.contains("tests/b_good.tftest.hcl... in progress\n  run \"ok\"... pass\n"), "{out}");
    assert!(out.ends_with("\nFailure! 2 passed, 0 failed.\n"), "{out}");
}

/// An override of one instance (Terraform 1.15 allows it) is refused with a
/// diagnostic rather than applied to every instance.
#[test]
fn single_instance_overrides_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("tests")).expect("mkdir");
    std::fs::write(d.join("main.tf"), "resource \"terraform_data\" \"a\" {\n  count = 2\n}\n").expect("write");
    std::fs::write(
        d.join("tests/a.tftest.hcl"),
        "override_resource {\n  target = terraform_data.a[0]\n  values = { id = \"zero\" }\n}\n\nrun \"a\" {}\n",
    )
    .expect("write");
    let (summary, _, err) = run(&options(d, &[]));
    assert_eq!(summary.files[0].runs[0].status, Status::Error, "{err}");
    assert!(err.contains("Error: Unsupported override target") && err.contains("on tests/a.tftest.hcl line 2"), "{err}");
}
