//! What `plinth test` prints: Terraform's human view (progress lines on
//! stdout, errors on stderr) or its `-json` view (one JSON object a line).

use std::io::Write;

use plinth_engine::{Action, Plan};
use plinth_state::State;
use plinth_syntax::{Diagnostic, Files};

use crate::{FileResult, RunResult, Status, Summary};

pub struct Output<'w> {
    json: bool,
    /// Colour is not used yet: the progress words print plain.
    _color: bool,
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
}

/// Terraform shows an errored run or file as "fail".
fn shown(s: Status) -> &'static str {
    match s {
        Status::Error => "fail",
        other => other.word(),
    }
}

impl<'w> Output<'w> {
    pub fn new(json: bool, color: bool, out: &'w mut dyn Write, err: &'w mut dyn Write) -> Output<'w> {
        let mut o = Output { json, _color: color, out, err };
        if json {
            o.emit(
                "info",
                &format!("plinth {}", env!("CARGO_PKG_VERSION")),
                "version",
                None,
                None,
                serde_json::json!({ "terraform": "1.15.5", "ui": "1.3" }),
            );
        }
        o
    }

    fn emit(&mut self, level: &str, message: &str, kind: &str, file: Option<&str>, run: Option<&str>, extra: serde_json::Value) {
        let mut m = serde_json::Map::new();
        m.insert("@level".into(), level.into());
        m.insert("@message".into(), message.into());
        m.insert("@module".into(), "terraform.ui".into());
        if let Some(f) = file {
            m.insert("@testfile".into(), f.into());
        }
        if let Some(r) = run {
            m.insert("@testrun".into(), r.into());
        }
        m.insert("@timestamp".into(), crate::junit::timestamp(std::time::SystemTime::now(), true).into());
        if let serde_json::Value::Object(e) = extra {
            for (k, v) in e {
                m.insert(k, v);
            }
        }
        m.insert("type".into(), kind.into());
        let _ = writeln!(self.out, "{}", serde_json::Value::Object(m));
    }

    pub fn abstract_(&mut self, files: &[(String, Vec<String>)]) {
        if !self.json {
            return;
        }
        let runs: usize = files.iter().map(|(_, r)| r.len()).sum();
        let map: serde_json::Map<String, serde_json::Value> = files.iter().map(|(f, r)| (f.clone(), serde_json::json!(r))).collect();
        let msg = format!(
            "Found {} file{} and {runs} run block{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if runs == 1 { "" } else { "s" }
        );
        self.emit("info", &msg, "test_abstract", None, None, serde_json::json!({ "test_abstract": map }));
    }

    pub fn file_start(&mut self, name: &str) {
        if self.json {
            self.emit(
                "info",
                &format!("{name}... in progress"),
                "test_file",
                Some(name),
                None,
                serde_json::json!({ "test_file": { "path": name, "progress": "starting" } }),
            );
        } else {
            let _ = writeln!(self.out, "{name}... in progress");
        }
    }

    pub fn run_start(&mut self, file: &str, run: &str) {
        if self.json {
            self.emit(
                "info",
                &format!("  {run:?}... in progress"),
                "test_run",
                Some(file),
                Some(run),
                serde_json::json!({ "test_run": { "path": file, "run": run, "progress": "starting", "elapsed": 0 } }),
            );
        }
    }

    pub fn run_end(&mut self, files: &Files, file: &str, r: &RunResult, verbose: Option<&str>) {
        if self.json {
            self.emit(
                "info",
                &format!("  {:?}... {}", r.name, shown(r.status)),
                "test_run",
                Some(file),
                Some(&r.name),
                serde_json::json!({ "test_run": { "path": file, "run": r.name, "progress": "complete", "status": r.status.word() } }),
            );
        } else {
            let _ = writeln!(self.out, "  run {:?}... {}", r.name, shown(r.status));
            if let Some(v) = verbose {
                // One blank line before and after, as Terraform sets it off.
                let v = v.trim_matches('\n');
                let _ = write!(self.out, "\n{v}\n\n");
            }
        }
        for d in &r.diags {
            self.diag(files, d, Some((file, &r.name)));
        }
    }

    pub fn file_diags(&mut self, files: &Files, f: &FileResult) {
        for d in &f.diags {
            self.diag(files, d, Some((&f.name, "")));
        }
    }

    pub fn teardown(&mut self, name: &str) {
        if self.json {
            self.emit(
                "info",
                &format!("{name}... tearing down"),
                "test_file",
                Some(name),
                None,
                serde_json::json!({ "test_file": { "path": name, "progress": "teardown" } }),
            );
        } else {
            let _ = writeln!(self.out, "{name}... tearing down");
        }
    }

    pub fn file_end(&mut self, f: &FileResult) {
        if self.json {
            self.emit(
                "info",
                &format!("{}... {}", f.name, shown(f.status)),
                "test_file",
                Some(&f.name),
                None,
                serde_json::json!({ "test_file": { "path": f.name, "progress": "complete", "status": f.status.word() } }),
            );
        } else {
            let _ = writeln!(self.out, "{}... {}", f.name, shown(f.status));
        }
    }

    pub fn diag(&mut self, files: &Files, d: &Diagnostic, at: Option<(&str, &str)>) {
        if self.json {
            let range = d.subject.filter(|s| files.get(s.file).is_some()).map(|s| {
                let from = files.pos(s.file, s.start as usize);
                let to = files.pos(s.file, s.end as usize);
                serde_json::json!({
                    "filename": files.name(s.file),
                    "start": {"line": from.line, "column": from.column, "byte": from.byte},
                    "end": {"line": to.line, "column": to.column, "byte": to.byte},
                })
            });
            let sev = if d.is_error() { "error" } else { "warning" };
            let mut diag = serde_json::json!({ "severity": sev, "summary": d.summary, "detail": d.detail });
            if let Some(r) = range {
                diag["range"] = r;
            }
            let (file, run) = match at {
                Some((f, r)) => (Some(f), Some(r).filter(|r| !r.is_empty())),
                None => (None, None),
            };
            let word = if d.is_error() { "Error" } else { "Warning" };
            self.emit(
                if d.is_error() { "error" } else { "warn" },
                &format!("{word}: {}", d.summary),
                "diagnostic",
                file,
                run,
                serde_json::json!({ "diagnostic": diag }),
            );
        } else {
            let text = d.render(files);
            if d.is_error() {
                let _ = write!(self.err, "\n{text}");
            } else {
                let _ = write!(self.out, "\n{text}");
            }
        }
    }

    pub fn summary(&mut self, s: &Summary) {
        let line = s.line();
        if self.json {
            let (pass, fail, err, skip) = s.counts();
            self.emit(
                "info",
                &line,
                "test_summary",
                None,
                None,
                serde_json::json!({ "test_summary": { "status": s.status().word(), "passed": pass, "failed": fail, "errored": err, "skipped": skip } }),
            );
        } else {
            let _ = writeln!(self.out, "\n{line}");
        }
        let _ = self.out.flush();
        let _ = self.err.flush();
    }
}

fn action_words(a: Action) -> &'static str {
    match a {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Delete => "will be destroyed",
        Action::DeleteThenCreate | Action::CreateThenDelete => "must be replaced",
        Action::Read => "will be read during apply",
        Action::Forget => "will be removed from the state",
        Action::NoOp => "",
    }
}

/// `-verbose` for a plan run: the changes, one line each, and the counts.
pub fn describe_plan(plan: &Plan) -> String {
    let mut s = String::new();
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        s.push_str(&format!("  # {} {}\n", c.addr, action_words(c.action)));
    }
    let (a, c, d) = plan.counts();
    if plan.has_resource_changes() {
        s.push_str(&format!("\nPlan: {a} to add, {c} to change, {d} to destroy.\n"));
    } else {
        s.push_str("No changes. Your infrastructure matches the configuration.\n");
    }
    s
}

/// `-verbose` for an apply run: the instances in state and the outputs.
pub fn describe_state(state: &State) -> String {
    let mut s = String::new();
    for a in state.instance_addrs() {
        s.push_str(&format!("# {a}\n"));
    }
    if !state.outputs.is_empty() {
        s.push_str("\nOutputs:\n\n");
        for (k, o) in &state.outputs {
            let v = if o.sensitive { "(sensitive value)".to_string() } else { o.value.to_string() };
            s.push_str(&format!("{k} = {v}\n"));
        }
    }
    s
}
