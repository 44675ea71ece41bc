//! `plinth test`: Terraform 1.15's module test framework on the engine's
//! public API. Test files (`*.tftest.hcl` / `*.tftest.json`, in the module
//! directory and the test directory) hold `run` blocks that plan or apply the
//! module (or a helper module), with assertions, expected failures, mock
//! providers and overrides. Each file's states live in memory, one per state
//! key, and are destroyed in reverse order when the file ends.
//!
//! The binary only parses flags and supplies the real providers
//! ([`Options`], [`run_tests`]); everything else is here.

pub mod file;
pub mod junit;
pub mod mock;
mod output;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plinth_engine::apply::{ApplyObserver, StateSink};
use plinth_engine::tree::ConfigTree;
use plinth_engine::{Action, Context, ExtraRefs, PlanMode, PlanOptions, Providers};
use plinth_lang::{EvalError, Evaluator, Scope};
use plinth_state::journal::Entry;
use plinth_state::{AbsResourceInstance, State, Target};
use plinth_syntax::ast::{Attribute, Expr, Ident};
use plinth_syntax::{Diagnostic, Files, Span};
use plinth_value::{Type, Value};

use file::{Command, OverrideKind, TestFile};
pub use output::Output;

/// What `plinth test` was asked to do.
pub struct Options {
    /// The module under test (the working directory).
    pub dir: PathBuf,
    /// `-test-directory` (default `tests`), relative to `dir`.
    pub test_directory: String,
    /// `-filter=FILE`: only these test files (paths as listed).
    pub filter: Vec<String>,
    /// `-var NAME=VALUE` and `-var-file=FILE`, in command-line order (a later one wins).
    pub variables: Vec<VarArg>,
    pub verbose: bool,
    pub json: bool,
    pub junit_xml: Option<PathBuf>,
    pub color: bool,
    /// `-parallelism`: concurrent operations within a run's apply (Terraform's default 10).
    pub parallelism: usize,
    /// How `-verbose` shows a plan run's plan (the binary's renderer, with
    /// the run's providers for schemas and whether to colour); `None`: a
    /// list of the planned changes.
    pub render_plan: Option<PlanRenderer>,
}

/// See [`Options::render_plan`].
pub type PlanRenderer = Box<dyn Fn(&plinth_engine::Plan, &Providers, bool) -> String + Sync>;

/// One `-var` or `-var-file` option.
#[derive(Clone, Debug)]
pub enum VarArg {
    Var(String, String),
    File(PathBuf),
}

/// A run's (or file's) outcome; the larger wins when merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pending,
    Skip,
    Pass,
    Fail,
    Error,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Skip => "skip",
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

pub struct RunResult {
    pub name: String,
    pub status: Status,
    pub diags: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Assertions evaluated and how many failed (for the JUnit message).
    pub asserts: (usize, usize),
    /// The run that errored and so skipped this one.
    pub skipped_by: Option<String>,
}

pub struct FileResult {
    pub name: String,
    pub status: Status,
    pub runs: Vec<RunResult>,
    /// Diagnostics of the file itself: parsing, teardown.
    pub diags: Vec<Diagnostic>,
}

pub struct Summary {
    pub files: Vec<FileResult>,
    pub files_db: Files,
    /// Diagnostics of the whole command (variables that cannot be read).
    pub diags: Vec<Diagnostic>,
}

impl Summary {
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let (mut pass, mut fail, mut err, mut skip) = (0, 0, 0, 0);
        for r in self.files.iter().flat_map(|f| &f.runs) {
            match r.status {
                Status::Pass => pass += 1,
                Status::Fail => fail += 1,
                Status::Error => err += 1,
                Status::Skip | Status::Pending => skip += 1,
            }
        }
        (pass, fail, err, skip)
    }

    pub fn status(&self) -> Status {
        let own = if self.diags.iter().any(Diagnostic::is_error) { Status::Error } else { Status::Pass };
        self.files.iter().map(|f| f.status).max().unwrap_or(Status::Pass).max(own)
    }

    /// `Success! 4 passed, 0 failed.` / `Failure! 1 passed, 2 failed, 1 skipped.`
    pub fn line(&self) -> String {
        let (pass, fail, err, skip) = self.counts();
        let word = if self.status() <= Status::Pass { "Success!" } else { "Failure!" };
        let mut s = format!("{word} {pass} passed, {} failed", fail + err);
        if skip > 0 {
            s.push_str(&format!(", {skip} skipped"));
        }
        s.push('.');
        s
    }
}

/// Runs every selected test file; returns the exit code (0 all passed, 1 otherwise).
pub fn run_tests(opts: &Options, make_providers: &(dyn Fn() -> Providers + Sync), stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let mut out = Output::new(opts.json, opts.color, stdout, stderr);
    let summary = run_all(opts, make_providers, &mut out);
    if summary.diags.iter().any(Diagnostic::is_error) {
        // Nothing ran: Terraform prints the error alone.
        return 1;
    }
    out.summary(&summary);
    if let Some(path) = &opts.junit_xml {
        let xml = junit::render(&summary);
        if let Err(e) = write_atomic(path, xml.as_bytes()) {
            out.diag(
                &summary.files_db,
                &Diagnostic::error("Failed to write JUnit XML file", format!("Could not write {}: {e}.", path.display())),
                None,
            );
            return 1;
        }
    }
    u8::from(summary.status() > Status::Pass)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("xml.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The test files: the module directory's, then the test directory's, each
/// in name order, as paths relative to the module directory.
pub fn discover(dir: &Path, test_directory: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for (sub, prefix) in [(dir.to_path_buf(), String::new()), (dir.join(test_directory), format!("{test_directory}/"))] {
        let Ok(rd) = std::fs::read_dir(&sub) else { continue };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".tftest.hcl") || n.ends_with(".tftest.json"))
            .collect();
        names.sort();
        for n in names {
            out.push((sub.join(&n), format!("{prefix}{n}")));
        }
    }
    out
}

pub fn run_all(opts: &Options, make_providers: &(dyn Fn() -> Providers + Sync), out: &mut Output) -> Summary {
    let mut files = Files::new();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let mut results = Vec::new();
    let found: Vec<(PathBuf, String)> =
        discover(&opts.dir, &opts.test_directory).into_iter().filter(|(_, n)| opts.filter.is_empty() || opts.filter.contains(n)).collect();
    // Parse everything first: the JSON view lists the files and runs up front.
    let mut parsed = Vec::new();
    for (path, name) in &found {
        let (tf, diags) = file::parse(path, name, &opts.dir, &mut files);
        parsed.push((name.clone(), tf, diags));
    }
    out.abstract_(
        &parsed
            .iter()
            .map(|(n, tf, _)| (n.clone(), tf.as_ref().map(|t| t.runs.iter().map(|r| r.name.clone()).collect()).unwrap_or_default()))
            .collect::<Vec<_>>(),
    );
    let mut var_diags = Vec::new();
    let cli_vars = cli_variables(opts, &mut files, &mut var_diags);
    if var_diags.iter().any(Diagnostic::is_error) {
        // As in Terraform: no test runs with variables that cannot be read.
        for d in &var_diags {
            out.diag(&files, d, None);
        }
        return Summary { files: Vec::new(), files_db: files, diags: var_diags };
    }
    for (name, tf, diags) in parsed {
        out.file_start(&name);
        let res = match tf {
            None => {
                let r = FileResult { name: name.clone(), status: Status::Error, runs: Vec::new(), diags };
                out.file_diags(&files, &r);
                r
            }
            Some(tf) => {
                let mut fr = FileRunner {
                    opts,
                    tf: &tf,
                    make_providers,
                    rt: &rt,
                    cli_vars: &cli_vars,
                    states: Vec::new(),
                    outputs: BTreeMap::new(),
                };
                fr.run(&mut files, out, diags)
            }
        };
        out.file_end(&res);
        results.push(res);
    }
    Summary { files: results, files_db: files, diags: var_diags }
}

/// `-var` and `-var-file` values: expressions, or for `-var` raw strings
/// when the text is not one (Terraform reads them by the variable's type;
/// a string variable given `-var x=1` gets "1" either way once converted).
struct CliVar {
    raw: Option<String>,
    expr: Option<Expr>,
}

/// The values a test file's runs get from outside the file, by Terraform's
/// precedence (later wins): `TF_VAR_name` environment variables, the module
/// directory's `terraform.tfvars(.json)` and `*.auto.tfvars(.json)`, `-var`
/// and `-var-file` in order, then the test directory's variable files.
fn cli_variables(opts: &Options, files: &mut Files, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, CliVar> {
    let mut out = BTreeMap::new();
    let mut env: Vec<(String, String)> =
        std::env::vars().filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v))).collect();
    env.sort();
    for (k, v) in env {
        raw_var(&mut out, files, &k, &v, "environment variable");
    }
    for (path, shown) in auto_var_files(&opts.dir, "") {
        var_file(&mut out, files, &path, &shown, diags);
    }
    for a in &opts.variables {
        match a {
            VarArg::Var(k, v) => raw_var(&mut out, files, k, v, "-var"),
            VarArg::File(f) => {
                let shown = f.display().to_string();
                let path = if f.is_absolute() { f.clone() } else { opts.dir.join(f) };
                if !path.is_file() {
                    diags.push(Diagnostic::error("Failed to read variables file", format!("Given variables file {shown} does not exist.")));
                    continue;
                }
                var_file(&mut out, files, &path, &shown, diags);
            }
        }
    }
    let prefix = format!("{}/", opts.test_directory.trim_end_matches('/'));
    for (path, shown) in auto_var_files(&opts.dir.join(&opts.test_directory), &prefix) {
        var_file(&mut out, files, &path, &shown, diags);
    }
    out
}

/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)`
/// in name order, of `dir`; shown as `prefix` + name.
fn auto_var_files(dir: &Path, prefix: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for n in ["terraform.tfvars", "terraform.tfvars.json"] {
        if dir.join(n).is_file() {
            out.push((dir.join(n), format!("{prefix}{n}")));
        }
    }
    let mut auto: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    out.extend(auto.into_iter().map(|n| (dir.join(&n), format!("{prefix}{n}"))));
    out
}

fn raw_var(out: &mut BTreeMap<String, CliVar>, files: &mut Files, k: &str, v: &str, origin: &str) {
    let id = files.add(format!("<value for var.{k} from {origin}>"), v.to_string());
    let (e, d) = plinth_syntax::parse_expr(id, files.text(id));
    let expr = if d.iter().any(Diagnostic::is_error) { None } else { Some(e) };
    out.insert(k.to_string(), CliVar { raw: Some(v.to_string()), expr });
}

fn var_file(out: &mut BTreeMap<String, CliVar>, files: &mut Files, path: &Path, shown: &str, diags: &mut Vec<Diagnostic>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read variables file", format!("Could not read {shown}: {e}.")));
            return;
        }
    };
    let id = files.add(shown.to_string(), text);
    let (body, d) =
        if shown.ends_with(".json") { plinth_syntax::parse_json_tfvars(files, id) } else { plinth_syntax::parse_file(id, files.text(id)) };
    diags.extend(d);
    for b in &body.blocks {
        diags.push(
            Diagnostic::error("Unexpected block", format!("Blocks are not allowed in a variables file; found a {:?} block.", b.kind.name))
                .with_subject(b.kind.span),
        );
    }
    for a in body.attributes {
        out.insert(a.name.name.clone(), CliVar { raw: None, expr: Some(a.expr) });
    }
}

/// One state of a file, by key, with what its last run used (for teardown).
struct Slot {
    key: String,
    state: State,
    /// The index of the last run that applied to it.
    last_run: Option<usize>,
}

struct FileRunner<'a> {
    opts: &'a Options,
    tf: &'a TestFile,
    make_providers: &'a (dyn Fn() -> Providers + Sync),
    rt: &'a tokio::runtime::Runtime,
    cli_vars: &'a BTreeMap<String, CliVar>,
    states: Vec<Slot>,
    /// Outputs of the runs so far (`run.NAME`), as objects.
    outputs: BTreeMap<String, Value>,
}

/// What a run executes against: the module tree (with overrides applied),
/// its graph, inputs and providers.
struct Env {
    tree: ConfigTree,
    graph: plinth_engine::graph::Graph,
    inputs: BTreeMap<String, Value>,
    providers: Providers,
    dir: PathBuf,
}

const CHECK_SUMMARIES: [&str; 6] = [
    "Invalid value for variable",
    "Resource precondition failed",
    "Resource postcondition failed",
    "Module output value precondition failed",
    "Check block assertion failed",
    "Output precondition failed",
];

struct NoSink;
impl StateSink for NoSink {
    fn record(&mut self, _entry: &Entry) -> Result<(), String> {
        Ok(())
    }
    fn persist(&mut self, _state: &State) -> Result<(), String> {
        Ok(())
    }
}

struct NoObserver;
impl ApplyObserver for NoObserver {
    fn started(&mut self, _addr: &AbsResourceInstance, _action: Action, _id: Option<&str>) {}
    fn finished(&mut self, _addr: &AbsResourceInstance, _action: Action, _id: Option<&str>, _elapsed: Duration) {}
}

impl FileRunner<'_> {
    fn run(&mut self, files: &mut Files, out: &mut Output, parse_warnings: Vec<Diagnostic>) -> FileResult {
        let mut res = FileResult { name: self.tf.name.clone(), status: Status::Pass, runs: Vec::new(), diags: parse_warnings };
        let mut errored: Option<String> = None;
        for (idx, run) in self.tf.runs.iter().enumerate() {
            if let Some(by) = &errored {
                let r = RunResult {
                    name: run.name.clone(),
                    status: Status::Skip,
                    diags: Vec::new(),
                    elapsed: Duration::ZERO,
                    asserts: (0, 0),
                    skipped_by: Some(by.clone()),
                };
                out.run_end(files, &self.tf.name, &r, None);
                res.runs.push(r);
                continue;
            }
            out.run_start(&self.tf.name, &run.name);
            let start = Instant::now();
            let (status, diags, asserts, verbose) = self.exec(idx, files);
            let r = RunResult { name: run.name.clone(), status, diags, elapsed: start.elapsed(), asserts, skipped_by: None };
            out.run_end(files, &self.tf.name, &r, verbose.as_deref().filter(|_| self.opts.verbose));
            if status == Status::Error {
                errored = Some(run.name.clone());
            }
            res.status = res.status.max(status);
            res.runs.push(r);
        }
        out.teardown(&self.tf.name);
        let td = self.teardown(files);
        if td.iter().any(Diagnostic::is_error) {
            res.status = Status::Error;
        }
        for d in &td {
            out.diag(files, d, None);
        }
        res.diags.extend(td);
        res
    }

    /// The module a run tests and its state key.
    fn module_of(&self, idx: usize) -> (PathBuf, String) {
        let run = &self.tf.runs[idx];
        match &run.module_source {
            Some((src, _)) => {
                (plinth_engine::tree::normalize(&self.opts.dir.join(src)), run.state_key.clone().unwrap_or_else(|| src.clone()))
            }
            None => (self.opts.dir.clone(), run.state_key.clone().unwrap_or_default()),
        }
    }

    fn slot(&mut self, key: &str) -> &mut Slot {
        if let Some(i) = self.states.iter().position(|s| s.key == key) {
            return &mut self.states[i];
        }
        self.states.push(Slot { key: key.to_string(), state: State::new(), last_run: None });
        self.states.last_mut().expect("pushed")
    }

    /// Loads the module for run `idx` with the file's providers, mocks and
    /// overrides applied, and evaluates its inputs.
    fn env(&self, idx: usize, files: &mut Files) -> Result<Env, Vec<Diagnostic>> {
        let run = &self.tf.runs[idx];
        let (dir, _) = self.module_of(idx);
        let (mut tree, diags) = plinth_engine::tree::load_tree(&dir, files);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        let scope = TestScope { runner: self, run_idx: idx, files, with_file_vars: true };
        let mut providers = (self.make_providers)();
        // Test-file provider blocks configure the module's providers (by
        // `providers = { … }` when the run maps them).
        for p in &self.tf.providers {
            let wanted = match &run.providers {
                Some(map) => map
                    .iter()
                    .find(|(_, v)| *v == p.alias.as_ref().map_or_else(|| p.name.clone(), |a| format!("{}.{a}", p.name)))
                    .map(|(k, _)| k.clone()),
                None => p.alias.is_none().then(|| p.name.clone()),
            };
            let Some(local) = wanted else { continue };
            let root = &mut tree.modules[0].module;
            root.providers.retain(|x| !(x.name == local && x.alias.is_none()));
            root.providers.push(plinth_config::ProviderConfig {
                name: local,
                alias: None,
                body: p.body.clone(),
                span: p.span,
                def_span: p.def_span,
            });
        }
        // Mock providers replace the real ones under the same name, with their schema.
        let mut overrides: Vec<&file::Override> = self.tf.overrides.iter().collect();
        for m in &self.tf.mocks {
            let local = match &run.providers {
                Some(map) => {
                    let me = m.alias.as_ref().map_or_else(|| m.name.clone(), |a| format!("{}.{a}", m.name));
                    match map.iter().find(|(_, v)| *v == me) {
                        Some((k, _)) => k.clone(),
                        None => continue,
                    }
                }
                None if m.alias.is_some() => continue,
                None => m.name.clone(),
            };
            let Some((real, addr)) = providers.get(&m.name) else {
                return Err(vec![Diagnostic::error(
                    "Unknown provider to mock",
                    format!("plinth has no provider {:?}, so it has no schema to mock.", m.name),
                )
                .with_subject(m.span)]);
            };
            let mut mp = mock::MockProvider::new(real.schema().clone(), m.during_plan);
            for t in &m.types {
                let values = match &t.defaults {
                    Some(e) => Some(scope.eval(e).map_err(|e| e.diags)?),
                    None => None,
                };
                let mv = mock::MockValues { values, during_plan: t.during_plan.unwrap_or(m.during_plan) };
                if t.data {
                    mp.set_data(&t.type_name, mv);
                } else {
                    mp.set_resource(&t.type_name, mv);
                }
            }
            providers.add(&local, source_of(&addr), Arc::new(mp));
            overrides.extend(m.overrides.iter());
        }
        overrides.extend(run.overrides.iter());
        // Later overrides of the same target win (run over file).
        let mut by_target: BTreeMap<&str, &file::Override> = BTreeMap::new();
        for o in overrides {
            by_target.insert(o.target.as_str(), o);
        }
        let mut n = 0;
        for o in by_target.values() {
            let values = match &o.values {
                Some(e) => Some(scope.eval(e).map_err(|e| e.diags)?),
                None => None,
            };
            apply_override(&mut tree, &mut providers, o, values, &mut n)?;
        }
        let (graph, gdiags) = plinth_engine::graph::build(&tree);
        if gdiags.iter().any(Diagnostic::is_error) {
            return Err(gdiags);
        }
        // Inputs: run variables over file variables over -var/-var-file,
        // for the variables the module declares.
        let mut inputs = BTreeMap::new();
        let mut diags = Vec::new();
        for (name, var) in &tree.root().module.variables {
            let found =
                run.variables.iter().find(|a| a.name.name == *name).or_else(|| self.tf.variables.iter().find(|a| a.name.name == *name));
            let v = match found {
                Some(a) => scope.eval(&a.expr),
                None => match self.cli_vars.get(name) {
                    Some(c) => cli_value(c, var, &scope),
                    None => continue,
                },
            };
            match v {
                Ok(v) => {
                    inputs.insert(name.clone(), v);
                }
                Err(e) => diags.extend(e.diags),
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        Ok(Env { tree, graph, inputs, providers, dir })
    }

    fn exec(&mut self, idx: usize, files: &mut Files) -> (Status, Vec<Diagnostic>, (usize, usize), Option<String>) {
        let run = &self.tf.runs[idx];
        let ctx_name = format!("run {:?}", run.name);
        let env = match self.env(idx, files) {
            Ok(e) => e,
            Err(ds) => return (Status::Error, with_context(ds, &ctx_name), (0, 0), None),
        };
        let files: &Files = files;
        let (_, key) = self.module_of(idx);
        let prior = self.slot(&key).state.clone();
        let mut opts =
            PlanOptions { mode: if run.plan.refresh_only { PlanMode::RefreshOnly } else { PlanMode::Normal }, ..PlanOptions::default() };
        let scope = TestScope { runner: self, run_idx: idx, files, with_file_vars: true };
        let mut diags = Vec::new();
        if let Some(e) = &run.plan.refresh {
            match scope.eval(e) {
                Ok(v) => opts.refresh = v.as_bool().unwrap_or(true),
                Err(e) => diags.extend(e.diags),
            }
        }
        for (t, span) in &run.plan.replace {
            match t.parse::<AbsResourceInstance>() {
                Ok(a) => opts.replace.push(a),
                Err(e) => diags.push(Diagnostic::error("Invalid replace address", e.to_string()).with_subject(*span)),
            }
        }
        for (t, span) in &run.plan.target {
            match t.parse::<Target>() {
                Ok(a) => opts.targets.push(a),
                Err(e) => diags.push(Diagnostic::error("Invalid target address", e.to_string()).with_subject(*span)),
            }
        }
        if !diags.is_empty() {
            return (Status::Error, diags, (0, 0), None);
        }
        let ctx = Context {
            tree: &env.tree,
            graph: &env.graph,
            providers: &env.providers,
            inputs: &env.inputs,
            workspace: "default",
            root_dir: env.dir.clone(),
            files,
        };
        let expected: Vec<(String, Span, Option<Vec<Span>>)> =
            run.expect_failures.iter().map(|(t, s)| (t.clone(), *s, checkable_spans(&env.tree, t))).collect();
        for (t, s, span) in &expected {
            if span.is_none() {
                diags.push(
                    Diagnostic::error("Invalid `expect_failures` reference", format!("You cannot expect failures from {t}. You can only expect failures from checkable objects such as input variables, output values, check blocks, managed resources and data sources."))
                        .with_subject(*s),
                );
            }
        }
        if !diags.is_empty() {
            return (Status::Error, with_context(diags, &ctx_name), (0, 0), None);
        }
        let is_expected = |d: &Diagnostic| -> Option<usize> {
            if !CHECK_SUMMARIES.contains(&d.summary.as_str()) {
                return None;
            }
            let sub = d.subject?;
            expected.iter().position(|(_, _, s)| {
                s.as_ref().is_some_and(|s| s.iter().any(|s| s.file == sub.file && s.start <= sub.start && sub.end <= s.end))
            })
        };
        let mut hit = vec![false; expected.len()];
        let planned = self.rt.block_on(plinth_engine::plan_session(&ctx, prior, &opts));
        let (plan, session) = match planned {
            Ok(x) => x,
            Err(ds) => {
                let mut others = Vec::new();
                for d in ds {
                    match is_expected(&d) {
                        Some(i) if d.is_error() => hit[i] = true,
                        _ => others.push(self.at_value_origin(idx, &env.tree, d)),
                    }
                }
                if others.iter().any(Diagnostic::is_error) {
                    return (Status::Error, with_context(others, &ctx_name), (0, 0), None);
                }
                if run.command == Command::Apply {
                    let mut out: Vec<Diagnostic> = expected
                        .iter()
                        .zip(&hit)
                        .filter(|(_, h)| **h)
                        .map(|((t, _, _), _)| Diagnostic::warning("Expected failure while planning", format!("A custom condition within {t} failed during the planning stage and prevented the requested apply operation. While this was an expected failure, the apply operation could not be executed and so the overall test case will be marked as a failure and the original diagnostic included in the test report.")))
                        .collect();
                    out.extend(others);
                    return (Status::Error, with_context(out, &ctx_name), (0, 0), None);
                }
                let missing = missing_failures(&expected, &hit);
                let st = if missing.is_empty() { Status::Pass } else { Status::Error };
                let mut all = others;
                all.extend(missing);
                self.outputs.insert(run.name.clone(), Value::empty_object());
                return (st, with_context(all, &ctx_name), (0, 0), None);
            }
        };
        let mut shown: Vec<Diagnostic> = Vec::new();
        // A failed check block is an error in a test, unless it is expected.
        let mut check_failed = false;
        for w in &plan.warnings {
            match is_expected(w) {
                Some(i) => hit[i] = true,
                None => {
                    let d = promote_check(w.clone());
                    check_failed |= d.is_error();
                    shown.push(d);
                }
            }
        }
        if check_failed && run.command == Command::Plan {
            return (Status::Error, with_context(shown, &ctx_name), (0, 0), None);
        }
        let verbose = self.opts.verbose.then(|| match &self.opts.render_plan {
            Some(render) => render(&plan, &env.providers, self.opts.color),
            None => output::describe_plan(&plan),
        });
        let (status, asserts, outputs, verbose) = if run.command == Command::Plan {
            let outputs: BTreeMap<String, Value> =
                plan.outputs.iter().map(|(k, o)| (k.clone(), o.after.clone().unwrap_or_else(Value::dynamic_null))).collect();
            let outs = Value::object(outputs.clone());
            let (st, ds, counts) = self.asserts(idx, files, &outs, |e, x| session.eval_with(e, x, true));
            shown.extend(ds);
            (st, counts, outs, verbose)
        } else {
            let cancel = AtomicBool::new(false);
            let outcome = self.rt.block_on(plinth_engine::apply::apply(
                &ctx,
                &plan,
                self.opts.parallelism.max(1),
                &mut NoSink,
                &mut NoObserver,
                &cancel,
            ));
            {
                let slot = self.slot(&key);
                slot.state = outcome.state.clone();
                slot.last_run = Some(idx);
            }
            let mut failed = check_failed;
            for w in &outcome.warnings {
                match is_expected(w) {
                    Some(i) => hit[i] = true,
                    None => {
                        let d = promote_check(w.clone());
                        failed |= d.is_error();
                        shown.push(d);
                    }
                }
            }
            for d in outcome.diags {
                match is_expected(&d) {
                    Some(i) => hit[i] = true,
                    None => {
                        failed |= d.is_error();
                        shown.push(d);
                    }
                }
            }
            if failed {
                self.outputs.insert(run.name.clone(), state_outputs(&outcome.state, &env.tree));
                return (Status::Error, with_context(shown, &ctx_name), (0, 0), verbose);
            }
            // After a targeted apply, resources the apply did not touch
            // cannot be referred to.
            if !opts.targets.is_empty() {
                let mut uninit = Vec::new();
                for a in &run.asserts {
                    for key in resource_refs(&a.condition) {
                        let exists = env.tree.root().module.resources.contains_key(&key);
                        let in_state = outcome.state.resources().any(|(r, _)| r.module.is_root() && r.resource.to_string() == key);
                        if exists && !in_state {
                            uninit.push(Diagnostic::error("Reference to uninitialized resource", format!("The resource {key} was not processed by the most recent operation, this likely means the previous operation either failed or was incomplete due to targeting.")).with_subject(a.condition.span));
                        }
                    }
                }
                if !uninit.is_empty() {
                    shown.extend(uninit);
                    self.outputs.insert(run.name.clone(), state_outputs(&outcome.state, &env.tree));
                    return (Status::Error, with_context(shown, &ctx_name), (0, 0), verbose);
                }
            }
            let (applied, _) = plinth_engine::ConsoleSession::after_apply(&ctx, outcome.state.clone(), &session);
            let outs = state_outputs(&outcome.state, &env.tree);
            let (st, ds, counts) = self.asserts(idx, files, &outs, |e, x| applied.eval_with(e, x, false));
            shown.extend(ds);
            let verbose = self.opts.verbose.then(|| output::describe_state(&outcome.state));
            (st, counts, outs, verbose)
        };
        let missing = missing_failures(&expected, &hit);
        let status = if missing.is_empty() { status } else { status.max(Status::Error) };
        shown.extend(missing);
        self.outputs.insert(run.name.clone(), outputs);
        (status, with_context(shown, &ctx_name), asserts, verbose)
    }

    /// Terraform points a failed variable validation at where the test file
    /// gave the value: the run's `variables` (`in run "NAME"`), else the
    /// file's (`in variables`); a value from `-var` keeps the declaration.
    fn at_value_origin(&self, idx: usize, tree: &ConfigTree, mut d: Diagnostic) -> Diagnostic {
        if d.summary != "Invalid value for variable" {
            return d;
        }
        let Some(sub) = d.subject else { return d };
        let declared = tree
            .root()
            .module
            .variables
            .iter()
            .find(|(_, v)| v.span.file == sub.file && v.span.start <= sub.start && sub.end <= v.span.end);
        let Some((name, _)) = declared else { return d };
        let run = &self.tf.runs[idx];
        if let Some(a) = run.variables.iter().find(|a| a.name.name == *name) {
            d.subject = Some(a.expr.span);
            d.context = Some(format!("run {:?}", run.name));
        } else if let Some(a) = self.tf.variables.iter().find(|a| a.name.name == *name) {
            d.subject = Some(a.expr.span);
            d.context = Some("variables".to_string());
        }
        d
    }

    /// Evaluates run `idx`'s assertions with `eval` (the module's scope
    /// after plan or apply, plus `run.…`, `output.…` and the test's `var.…`).
    fn asserts(
        &self,
        idx: usize,
        files: &Files,
        outputs: &Value,
        eval: impl Fn(&Expr, &dyn ExtraRefs) -> Result<Value, EvalError>,
    ) -> (Status, Vec<Diagnostic>, (usize, usize)) {
        let run = &self.tf.runs[idx];
        let _ = files;
        let extra = AssertRefs { runner: self, run_idx: idx, outputs };
        let mut status = Status::Pass;
        let mut diags = Vec::new();
        let mut failed = 0;
        for a in &run.asserts {
            let v = match eval(&a.condition, &extra) {
                Ok(v) => v,
                Err(e) => {
                    diags.extend(e.diags);
                    status = Status::Error;
                    continue;
                }
            };
            let (v, _) = v.unmark_deep();
            if !v.is_wholly_known() {
                diags.push(Diagnostic::error("Unknown condition value", "Condition expression could not be evaluated at this time. This means you have executed a `run` block with `command = plan` and one of the values your condition depended on is not known until after the plan has been applied. Either remove this value from your condition, or execute an `apply` command from this `run` block. Alternatively, if there is an override for this value, you can make it available during the plan phase by setting `override_during = plan` in the `override_` block.").with_subject(a.condition.span));
                status = Status::Error;
                continue;
            }
            if v.is_null() {
                diags.push(
                    Diagnostic::error("Invalid condition run", "Condition expression must return either true or false, not null.")
                        .with_subject(a.condition.span),
                );
                status = Status::Error;
                continue;
            }
            let b = match plinth_value::convert(&v, &Type::Bool) {
                Ok(b) => b.as_bool().unwrap_or(false),
                Err(e) => {
                    diags.push(
                        Diagnostic::error("Invalid condition run", format!("Invalid condition run expression: {e}."))
                            .with_subject(a.condition.span),
                    );
                    status = Status::Error;
                    continue;
                }
            };
            if !b {
                failed += 1;
                let msg = match eval(&a.error_message, &extra) {
                    Ok(m) => {
                        let (m, marks) = m.unmark_deep();
                        if marks.contains(plinth_value::Marks::SENSITIVE) {
                            "The error message included a sensitive value, so it will not be displayed.".to_string()
                        } else {
                            match plinth_value::convert(&m, &Type::String) {
                                Ok(s) => s.as_str().unwrap_or_default().to_string(),
                                Err(_) => String::new(),
                            }
                        }
                    }
                    Err(e) => {
                        diags.extend(e.diags);
                        status = Status::Error;
                        continue;
                    }
                };
                diags.push(Diagnostic::error("Test assertion failed", msg).with_subject(a.condition.span));
                status = status.max(Status::Fail);
            }
        }
        (status, diags, (run.asserts.len(), failed))
    }

    /// Destroys the file's states, the most recently created first, each with
    /// the module and variables of the last run that applied to it.
    fn teardown(&mut self, files: &mut Files) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let slots: Vec<(String, State, Option<usize>)> =
            self.states.iter().rev().map(|s| (s.key.clone(), s.state.clone(), s.last_run)).collect();
        for (key, state, last) in slots {
            let Some(idx) = last else { continue };
            if state.is_empty() {
                continue;
            }
            let run_name = self.tf.runs[idx].name.clone();
            let leftover = |state: &State| -> Diagnostic {
                let addrs: Vec<String> = state.instance_addrs().map(|a| format!("  - {a}")).collect();
                Diagnostic::error(
                    "Failed to clean up after tests",
                    format!(
                        "plinth left the following resources in state after executing {}/{run_name}, and they need to be cleaned up manually:\n{}",
                        self.tf.name,
                        addrs.join("\n")
                    ),
                )
            };
            let env = match self.env(idx, files) {
                Ok(e) => e,
                Err(ds) => {
                    diags.extend(ds);
                    diags.push(leftover(&state));
                    continue;
                }
            };
            let files: &Files = files;
            let ctx = Context {
                tree: &env.tree,
                graph: &env.graph,
                providers: &env.providers,
                inputs: &env.inputs,
                workspace: "default",
                root_dir: env.dir.clone(),
                files,
            };
            let opts = PlanOptions { mode: PlanMode::Destroy, ..PlanOptions::default() };
            let plan = match self.rt.block_on(plinth_engine::plan(&ctx, state.clone(), &opts)) {
                Ok(p) => p,
                Err(ds) => {
                    diags.extend(ds);
                    diags.push(leftover(&state));
                    continue;
                }
            };
            let cancel = AtomicBool::new(false);
            let outcome = self.rt.block_on(plinth_engine::apply::apply(
                &ctx,
                &plan,
                self.opts.parallelism.max(1),
                &mut NoSink,
                &mut NoObserver,
                &cancel,
            ));
            let failed = outcome.diags.iter().any(Diagnostic::is_error);
            diags.extend(outcome.diags);
            if failed || !outcome.state.is_empty() {
                diags.push(leftover(&outcome.state));
            }
            if let Some(s) = self.states.iter_mut().find(|s| s.key == key) {
                s.state = outcome.state;
            }
        }
        diags
    }
}

/// The root resources an expression refers to (`type.name`, `data.type.name`).
fn resource_refs(e: &Expr) -> Vec<String> {
    use plinth_syntax::ast::ExprKind;
    const NOT_RESOURCES: [&str; 11] = ["var", "local", "module", "output", "run", "path", "terraform", "count", "each", "self", "check"];
    let mut out = Vec::new();
    fn walk(e: &Expr, out: &mut Vec<String>) {
        if let ExprKind::GetAttr(inner, name) = &e.kind {
            match &inner.kind {
                ExprKind::Variable(root) if !NOT_RESOURCES.contains(&root.name.as_str()) && root.name != "data" => {
                    out.push(format!("{}.{}", root.name, name.name));
                    return;
                }
                ExprKind::GetAttr(r, t) if matches!(&r.kind, ExprKind::Variable(d) if d.name == "data") => {
                    out.push(format!("data.{}.{}", t.name, name.name));
                    return;
                }
                _ => {}
            }
        }
        e.for_each_child(&mut |c| walk(c, out));
    }
    walk(e, &mut out);
    out
}

/// `terraform test` reports a failed check block as an error.
fn promote_check(mut d: Diagnostic) -> Diagnostic {
    if d.summary == "Check block assertion failed" {
        d.severity = plinth_syntax::Severity::Error;
    }
    d
}

fn with_context(ds: Vec<Diagnostic>, ctx: &str) -> Vec<Diagnostic> {
    ds.into_iter().map(|d| d.with_context(ctx.to_string())).collect()
}

fn missing_failures(expected: &[(String, Span, Option<Vec<Span>>)], hit: &[bool]) -> Vec<Diagnostic> {
    expected
        .iter()
        .zip(hit)
        .filter(|(_, h)| !**h)
        .map(|((t, s, _), _)| {
            Diagnostic::error(
                "Missing expected failure",
                format!("The checkable object, {t}, was expected to report an error but did not."),
            )
            .with_subject(*s)
        })
        .collect()
}

/// `provider["registry.terraform.io/hashicorp/aws"]` → `registry.terraform.io/hashicorp/aws`.
fn source_of(addr: &str) -> &str {
    addr.strip_prefix("provider[\"").and_then(|s| s.strip_suffix("\"]")).unwrap_or(addr)
}

/// The condition spans of the root-module object `t` names (`var.x`,
/// `output.y`, `check.z`, `aws_vpc.main`, `data.x.y`): its validations,
/// preconditions, postconditions or assertions, whose failures it reports.
/// `None` when `t` names nothing checkable.
fn checkable_spans(tree: &ConfigTree, t: &str) -> Option<Vec<Span>> {
    let m = &tree.root().module;
    let t = t.split('[').next().unwrap_or(t);
    if let Some(n) = t.strip_prefix("var.") {
        // A failed validation names the declaration (or the value's origin).
        return m.variables.get(n).map(|v| v.validations.iter().map(|c| c.condition.span).chain([v.span]).collect());
    }
    if let Some(n) = t.strip_prefix("output.") {
        return m.outputs.get(n).map(|o| o.preconditions.iter().map(|c| c.condition.span).collect());
    }
    if let Some(n) = t.strip_prefix("check.") {
        return m.checks.iter().find(|c| c.name == n).map(|c| c.asserts.iter().map(|a| a.condition.span).collect());
    }
    m.resources.get(t).map(|r| r.lifecycle.preconditions.iter().chain(&r.lifecycle.postconditions).map(|c| c.condition.span).collect())
}

/// Module id and resource key of a target like `module.a.module.b.aws_vpc.main[0]`.
fn locate(tree: &ConfigTree, target: &str) -> Option<(usize, String)> {
    let mut id = 0;
    let mut rest = target;
    while let Some(r) = rest.strip_prefix("module.") {
        let (name, tail) = r.split_once('.').unwrap_or((r, ""));
        let name = name.split('[').next().unwrap_or(name);
        id = tree.child(id, name)?;
        rest = tail;
        if rest.is_empty() {
            return Some((id, String::new()));
        }
    }
    let key = rest.split('[').next().unwrap_or(rest).to_string();
    Some((id, key))
}

fn apply_override(
    tree: &mut ConfigTree,
    providers: &mut Providers,
    o: &file::Override,
    values: Option<Value>,
    n: &mut usize,
) -> Result<(), Vec<Diagnostic>> {
    if o.target.contains('[') {
        // The override would reach every instance: refused rather than wrong.
        return Err(vec![Diagnostic::error(
            "Unsupported override target",
            format!("{} names a single instance. plinth overrides whole resources, data sources and module calls only; override {} instead, or mock its provider.", o.target, o.target.split('[').next().unwrap_or(&o.target)),
        )
        .with_subject(o.target_span)]);
    }
    let Some((id, key)) = locate(tree, &o.target) else { return Ok(()) };
    match o.kind {
        OverrideKind::Module => {
            if !key.is_empty() {
                return Ok(());
            }
            stub_module(tree, id, values.as_ref());
        }
        OverrideKind::Resource | OverrideKind::Data => {
            let Some(rc) = tree.modules[id].module.resources.get(&key) else { return Ok(()) };
            let local = plinth_engine::walk::provider_local(rc).to_string();
            let type_name = rc.type_name.clone();
            let Some(real) = providers.provider(&local) else { return Ok(()) };
            let schema = real.schema().clone();
            let name = format!("plinthtest{n}");
            *n += 1;
            let mp = mock::MockProvider::single(
                &schema,
                &type_name,
                o.kind == OverrideKind::Data,
                mock::MockValues { values, during_plan: o.during_plan.unwrap_or(false) },
            );
            providers.add(&name, &format!("plinth.test/override/{name}"), Arc::new(mp));
            if let Some(rc) = tree.modules[id].module.resources.get_mut(&key) {
                rc.provider = Some((name, None));
            }
        }
    }
    Ok(())
}

/// `override_module`: the module keeps its variables, loses everything else,
/// and its outputs are the given values (null where none is given).
fn stub_module(tree: &mut ConfigTree, id: usize, outputs: Option<&Value>) {
    let span = tree.modules[id].module.outputs.values().next().map(|o| o.span).unwrap_or_default();
    {
        let m = &mut tree.modules[id].module;
        m.resources.clear();
        m.module_calls.clear();
        m.locals.clear();
        m.checks.clear();
        m.moved.clear();
        m.removed.clear();
        m.imports.clear();
        m.providers.clear();
        for (name, o) in m.outputs.iter_mut() {
            let v = outputs.and_then(Value::as_entries).and_then(|e| e.get(name)).cloned().unwrap_or_else(Value::dynamic_null);
            o.expr = Some(value_expr(&v, span));
            o.preconditions.clear();
            o.depends_on.clear();
        }
        for v in m.variables.values_mut() {
            v.validations.clear();
        }
    }
    tree.modules[id].children.clear();
    compact(tree);
}

/// Drops modules no longer reachable from the root, renumbering the rest.
fn compact(tree: &mut ConfigTree) {
    let mut keep = vec![false; tree.modules.len()];
    let mut stack = vec![0];
    while let Some(i) = stack.pop() {
        if keep[i] {
            continue;
        }
        keep[i] = true;
        stack.extend(tree.modules[i].children.values().copied());
    }
    let mut map = vec![usize::MAX; tree.modules.len()];
    let mut next = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            map[i] = next;
            next += 1;
        }
    }
    let old = std::mem::take(&mut tree.modules);
    for (i, mut m) in old.into_iter().enumerate() {
        if !keep[i] {
            continue;
        }
        m.parent = m.parent.map(|p| map[p]);
        for c in m.children.values_mut() {
            *c = map[*c];
        }
        tree.modules.push(m);
    }
}

/// An expression that evaluates to `v`.
fn value_expr(v: &Value, span: Span) -> Expr {
    use plinth_syntax::ast::{ExprKind, ObjectItem, ObjectKey, TemplatePart};
    let lit = |s: &str| Expr::new(ExprKind::Template(vec![TemplatePart::Literal(s.to_string())]), span);
    let kind = match &v.kind {
        plinth_value::Kind::Null(_) | plinth_value::Kind::Unknown(_) => ExprKind::Null,
        plinth_value::Kind::Bool(b) => ExprKind::Bool(*b),
        plinth_value::Kind::Number(n) => ExprKind::Number(n.to_string()),
        plinth_value::Kind::String(s) => return lit(s),
        plinth_value::Kind::List(_, items) | plinth_value::Kind::Set(_, items) | plinth_value::Kind::Tuple(items) => {
            ExprKind::Tuple(items.iter().map(|i| value_expr(i, span)).collect())
        }
        plinth_value::Kind::Map(_, m) | plinth_value::Kind::Object(m) => {
            ExprKind::Object(m.iter().map(|(k, x)| ObjectItem { key: ObjectKey::Expr(lit(k)), value: value_expr(x, span) }).collect())
        }
    };
    Expr::new(kind, span)
}

/// Root outputs of a state as one object.
fn state_outputs(state: &State, tree: &ConfigTree) -> Value {
    // Null outputs are not stored in state.
    let mut m: BTreeMap<String, Value> = tree.root().module.outputs.keys().map(|k| (k.clone(), Value::dynamic_null())).collect();
    for (k, o) in &state.outputs {
        let ty = plinth_value::type_from_json(&o.ty).unwrap_or(Type::Dynamic);
        let mut v = plinth_value::value_from_json(&o.value, &ty).unwrap_or_else(|_| Value::dynamic_null());
        if o.sensitive {
            v = v.sensitive();
        }
        m.insert(k.clone(), v);
    }
    Value::object(m)
}

fn cli_value(c: &CliVar, var: &plinth_config::Variable, scope: &TestScope) -> Result<Value, EvalError> {
    let string_typed = !var.has_type || matches!(var.ty.ty, Type::String);
    match (&c.raw, &c.expr) {
        (Some(raw), _) if string_typed => Ok(Value::string(raw.as_str())),
        (_, Some(e)) => scope.eval(e),
        (Some(raw), None) => Ok(Value::string(raw.as_str())),
        (None, None) => Ok(Value::dynamic_null()),
    }
}

/// The scope of a test file's own expressions (variables, mock defaults,
/// override values): `var.…` (the file's variables, then `-var`), `run.…`.
struct TestScope<'r, 'a> {
    runner: &'r FileRunner<'a>,
    run_idx: usize,
    files: &'r Files,
    with_file_vars: bool,
}

impl TestScope<'_, '_> {
    fn eval(&self, e: &Expr) -> Result<Value, EvalError> {
        let call = plinth_lang::functions::CallCtx { base_dir: self.runner.opts.dir.clone(), ..Default::default() };
        let mut ev = Evaluator::new(self, call);
        ev.eval(e)
    }
}

impl Scope for TestScope<'_, '_> {
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        match root.name.as_str() {
            "run" => run_reference(self.runner, self.run_idx, root, attrs),
            "var" => {
                let Some(name) = attrs.first() else {
                    return Err(EvalError::new(
                        Diagnostic::error("Invalid reference", "The \"var\" object cannot be accessed directly.").with_subject(root.span),
                    ));
                };
                if self.with_file_vars {
                    if let Some(a) = self.runner.tf.variables.iter().find(|a: &&Attribute| a.name.name == name.name) {
                        let inner = TestScope { runner: self.runner, run_idx: self.run_idx, files: self.files, with_file_vars: false };
                        return inner.eval(&a.expr).map(|v| (v, 1));
                    }
                }
                match self.runner.cli_vars.get(&name.name) {
                    Some(CliVar { expr: Some(e), .. }) => self.eval(e).map(|v| (v, 1)),
                    Some(CliVar { raw: Some(r), .. }) => Ok((Value::string(r.as_str()), 1)),
                    _ => Err(EvalError::new(
                        Diagnostic::error(
                            "Reference to undeclared input variable",
                            format!("An input variable with the name {:?} has not been declared.", name.name),
                        )
                        .with_subject(name.span),
                    )),
                }
            }
            _ => Err(EvalError::fatal(
                Diagnostic::error(
                    "Invalid reference",
                    format!("You can only reference run blocks and variables here, not {:?}.", root.name),
                )
                .with_subject(root.span),
            )),
        }
    }
}

/// `run.NAME[.output]`: a run earlier in the file.
fn run_reference(runner: &FileRunner, idx: usize, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
    let Some(name) = attrs.first() else {
        return Err(EvalError::new(
            Diagnostic::error("Invalid reference", "The \"run\" object cannot be accessed directly.").with_subject(root.span),
        ));
    };
    if let Some(v) = runner.outputs.get(&name.name) {
        return Ok((v.clone(), 1));
    }
    let later = runner.tf.runs.iter().skip(idx).any(|r| r.name == name.name);
    let d = if later {
        Diagnostic::error(
            "Reference to unavailable run block",
            format!("The run block {:?} has not executed yet. You can only reference run blocks that are in the same test file and will execute before the current run block.", name.name),
        )
    } else {
        Diagnostic::error(
            "Reference to unknown run block",
            format!("The run block {:?} does not exist within this test file. You can only reference run blocks that are in the same test file and will execute before the current run block.", name.name),
        )
    };
    Err(EvalError::fatal(d.with_subject(root.span.to(name.span))))
}

/// What an assertion sees besides the module: `run.…` and `output.…`.
struct AssertRefs<'r, 'a> {
    runner: &'r FileRunner<'a>,
    run_idx: usize,
    outputs: &'r Value,
}

impl ExtraRefs for AssertRefs<'_, '_> {
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Option<Result<(Value, usize), EvalError>> {
        match root.name.as_str() {
            "run" => Some(run_reference(self.runner, self.run_idx, root, attrs)),
            "output" => Some(match attrs.first() {
                Some(n) => match self.outputs.as_entries().and_then(|m| m.get(&n.name)) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => Err(EvalError::fatal(
                        Diagnostic::error(
                            "Reference to undeclared output value",
                            format!("An output value with the name {:?} has not been declared.", n.name),
                        )
                        .with_subject(n.span),
                    )),
                },
                None => Ok((self.outputs.clone(), 0)),
            }),
            _ => None,
        }
    }
}
