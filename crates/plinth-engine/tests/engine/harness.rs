//! The engine test harness: configuration text in, plan/apply/state text out.
//!
//! ```ignore
//! let mut f = Fixture::new();                       // the default mock schema below
//! f.apply(r#"resource "mock_thing" "a" { name = "a" }"#);   // plan + apply, state kept
//! expect![[...]].assert_eq(&f.plan(r#"..."#));       // plan against that state
//! ```
//!
//! A configuration is one `main.tf`, or several files in txtar form
//! (`-- main.tf --`, `-- mod/main.tf --` lines start each file). Each step
//! writes the files afresh into one temporary directory, loads the tree,
//! builds the graph and plans (and applies) against the fixture's state;
//! `apply` keeps the state it ends with, like `terraform apply`.
//!
//! Renderings are compact and stable: one line per planned change
//! (`addr: action` with reason, `moved from`, deferral, `requires replace`),
//! the attributes that change under it, outputs, warnings and errors; for
//! apply, the provider's create/update/delete/read-data calls in order and the
//! resulting state.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use plinth_engine::apply::{ApplyObserver, StateSink};
use plinth_engine::{Action, Context, Plan, PlanMode, PlanOptions, Providers};
use plinth_provider::mock::{MockProvider, Op};
use plinth_state::journal::Entry;
use plinth_state::{AbsResourceInstance, State};
use plinth_syntax::{Diagnostic, Files};
use plinth_value::{Kind, Marks, Value};

/// The schema most cases use.
pub const SCHEMA: &str = r#"
provider {
  region string optional
}
resource mock_thing {
  id     string computed
  name   string optional
  size   number optional
  tags   map(string) optional
  ami    string optional force_new
  secret string optional sensitive
  arn    string computed
  in     dynamic optional
  out    dynamic computed from=in
}
resource mock_net {
  id    string computed
  name  string optional
  block rule list {
    port  number required
    proto string optional
  }
  block meta single {
    owner string optional
  }
}
resource mock_other {
  id    string computed
  name  string optional
  ref   string optional
}
data mock_lookup {
  name  string required
  id    string computed
  value string computed
}
"#;

pub const SOURCE: &str = "registry.terraform.io/hashicorp/mock";

pub struct Fixture {
    mock: MockProvider,
    /// Further providers by local name (their types are `<name>_*`).
    others: Vec<(String, MockProvider)>,
    pub state: State,
    pub vars: BTreeMap<String, Value>,
    dir: tempfile::TempDir,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_mock(MockProvider::new(SCHEMA))
    }

    pub fn with_mock(mock: MockProvider) -> Fixture {
        Fixture {
            mock,
            others: Vec::new(),
            state: State::new(),
            vars: BTreeMap::new(),
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// The mock, to script failures and drift and to read its calls.
    pub fn mock(&self) -> &MockProvider {
        &self.mock
    }

    /// Registers another provider under `local_name`, with source
    /// `registry.terraform.io/hashicorp/<local_name>`.
    /// Its calls go to the main mock's log (so they show in apply output).
    pub fn provider(&mut self, local_name: &str, mock: MockProvider) -> &mut Fixture {
        mock.set_name(local_name);
        mock.share_calls_with(&self.mock);
        self.others.push((local_name.to_string(), mock));
        self
    }

    /// A root input variable (as `-var`).
    pub fn var(&mut self, name: &str, value: Value) -> &mut Fixture {
        self.vars.insert(name.to_string(), value);
        self
    }

    /// Plans `config` against the fixture's state.
    pub fn plan(&mut self, config: &str) -> String {
        self.plan_with(config, PlanOptions::default())
    }

    pub fn plan_with(&mut self, config: &str, opts: PlanOptions) -> String {
        let loaded = match self.load(config) {
            Ok(l) => l,
            Err(e) => return e,
        };
        let ctx = loaded.ctx(&self.vars);
        match runtime().block_on(plinth_engine::plan(&ctx, self.state.clone(), &opts)) {
            Ok(plan) => render_plan(&plan, &loaded.files, &loaded.dir),
            Err(ds) => render_diags(&ds, &loaded.files, &loaded.dir),
        }
    }

    /// What `validate` adds to loading: `config` checked against the
    /// providers' schemas with every reference unknown.
    pub fn validate(&mut self, config: &str) -> String {
        let loaded = match self.load(config) {
            Ok(l) => l,
            Err(e) => return e,
        };
        let diags = plinth_engine::validate_schemas(&loaded.tree, &loaded.providers, &loaded.files);
        if diags.is_empty() {
            return "valid\n".into();
        }
        render_diags(&diags, &loaded.files, &loaded.dir)
    }

    /// Plans and applies `config`; the fixture keeps the resulting state.
    pub fn apply(&mut self, config: &str) -> String {
        self.apply_with(config, PlanOptions::default())
    }

    /// Plans in destroy mode and applies.
    pub fn destroy(&mut self, config: &str) -> String {
        self.apply_with(config, PlanOptions { mode: PlanMode::Destroy, ..PlanOptions::default() })
    }

    pub fn apply_with(&mut self, config: &str, opts: PlanOptions) -> String {
        let loaded = match self.load(config) {
            Ok(l) => l,
            Err(e) => return e,
        };
        let ctx = loaded.ctx(&self.vars);
        let rt = runtime();
        let plan = match rt.block_on(plinth_engine::plan(&ctx, self.state.clone(), &opts)) {
            Ok(p) => p,
            Err(ds) => return render_diags(&ds, &loaded.files, &loaded.dir),
        };
        let mut out = render_plan(&plan, &loaded.files, &loaded.dir);
        let before = self.mock.calls().len();
        let mut sink = MemorySink;
        let cancel = AtomicBool::new(false);
        // One operation at a time: the calls' order is then the scheduler's.
        let outcome = rt.block_on(plinth_engine::apply::apply(&ctx, &plan, 1, &mut sink, &mut NoProgress, &cancel));
        out.push_str("--- apply\n");
        for c in &self.mock.calls()[before..] {
            if matches!(c.op, Op::Create | Op::Update | Op::Delete | Op::ReadData) {
                writeln!(out, "{c}").ok();
            }
        }
        out.push_str(&render_diags(&outcome.warnings, &loaded.files, &loaded.dir));
        out.push_str(&render_diags(&outcome.diags, &loaded.files, &loaded.dir));
        self.state = outcome.state;
        out.push_str("--- state\n");
        out.push_str(&self.state_text());
        out
    }

    /// Plans `config` with `opts` and applies that plan; returns the plan's
    /// changes other than no-ops and the operations apply started, each as
    /// (address, action), in order. The fixture keeps the resulting state.
    pub fn apply_observed(&mut self, config: &str, opts: PlanOptions) -> Result<Observed, String> {
        let loaded = self.load(config)?;
        let ctx = loaded.ctx(&self.vars);
        let rt = runtime();
        let plan = rt
            .block_on(plinth_engine::plan(&ctx, self.state.clone(), &opts))
            .map_err(|ds| render_diags(&ds, &loaded.files, &loaded.dir))?;
        let planned = plan
            .changes
            .iter()
            .filter(|c| !matches!(c.action, Action::NoOp | Action::Read) && c.deferred.is_none())
            .map(|c| (c.addr.to_string(), c.action))
            .collect();
        let mut sink = MemorySink;
        let cancel = AtomicBool::new(false);
        let mut seen = Recorder::default();
        let outcome = rt.block_on(plinth_engine::apply::apply(&ctx, &plan, 4, &mut sink, &mut seen, &cancel));
        if outcome.diags.iter().any(Diagnostic::is_error) {
            return Err(render_diags(&outcome.diags, &loaded.files, &loaded.dir));
        }
        self.state = outcome.state;
        Ok(Observed { planned, applied: seen.0, targeted: plan.targeted() })
    }

    /// The fixture's state: one line per object, then root outputs.
    pub fn state_text(&self) -> String {
        render_state(&self.state)
    }

    fn load(&self, config: &str) -> Result<Loaded, String> {
        write_files(self.dir.path(), config);
        let mut files = Files::new();
        let (tree, mut diags) = plinth_engine::tree::load_tree(self.dir.path(), &mut files);
        let (graph, gdiags) = plinth_engine::graph::build(&tree);
        diags.extend(gdiags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(render_diags(&diags, &files, self.dir.path()));
        }
        let mut providers = Providers::new();
        providers.add("mock", SOURCE, Arc::new(self.mock.clone()));
        for (name, p) in &self.others {
            providers.add(name, &format!("registry.terraform.io/hashicorp/{name}"), Arc::new(p.clone()));
        }
        Ok(Loaded { tree, graph, providers, files, dir: self.dir.path().to_path_buf() })
    }
}

struct Loaded {
    tree: plinth_engine::tree::ConfigTree,
    graph: plinth_engine::graph::Graph,
    providers: Providers,
    files: Files,
    dir: std::path::PathBuf,
}

impl Loaded {
    fn ctx<'a>(&'a self, vars: &'a BTreeMap<String, Value>) -> Context<'a> {
        Context {
            tree: &self.tree,
            graph: &self.graph,
            providers: &self.providers,
            inputs: vars,
            workspace: "default",
            root_dir: self.dir.clone(),
            files: &self.files,
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// Replaces the directory's contents with the txtar `config`.
fn write_files(dir: &Path, config: &str) {
    for e in std::fs::read_dir(dir).expect("the fixture directory").flatten() {
        let p = e.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).expect("clean");
        } else {
            std::fs::remove_file(&p).expect("clean");
        }
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in config.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("-- ").and_then(|s| s.strip_suffix(" --")) {
            files.push((name.trim().to_string(), String::new()));
            continue;
        }
        if files.is_empty() {
            files.push(("main.tf".into(), String::new()));
        }
        let body = &mut files.last_mut().expect("pushed above").1;
        body.push_str(line);
        body.push('\n');
    }
    for (name, body) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("under the directory")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
}

struct MemorySink;

impl StateSink for MemorySink {
    fn record(&mut self, _entry: &Entry) -> Result<(), String> {
        Ok(())
    }
    fn persist(&mut self, _state: &State) -> Result<(), String> {
        Ok(())
    }
}

/// What [`Fixture::apply_observed`] saw.
pub struct Observed {
    pub planned: Vec<(String, Action)>,
    pub applied: Vec<(String, Action)>,
    pub targeted: bool,
}

#[derive(Default)]
struct Recorder(Vec<(String, Action)>);

impl ApplyObserver for Recorder {
    fn started(&mut self, addr: &AbsResourceInstance, action: Action, _id: Option<&str>) {
        self.0.push((addr.to_string(), action));
    }
    fn finished(&mut self, _addr: &AbsResourceInstance, _action: Action, _id: Option<&str>, _elapsed: Duration) {}
}

struct NoProgress;

impl ApplyObserver for NoProgress {
    fn started(&mut self, _addr: &AbsResourceInstance, _action: Action, _id: Option<&str>) {}
    fn finished(&mut self, _addr: &AbsResourceInstance, _action: Action, _id: Option<&str>, _elapsed: Duration) {}
}

// ---- rendering ----------------------------------------------------------------

fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "no-op",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate => "delete, create",
        Action::CreateThenDelete => "create, delete",
        Action::Delete => "delete",
        Action::Forget => "forget",
    }
}

/// A value on one line: `{a = 1, b = "x"}`, `["a"]`, `(known after apply)`.
pub fn value_text(v: &Value) -> String {
    let mut s = String::new();
    write_value(v, &mut s);
    s
}

fn write_value(v: &Value, out: &mut String) {
    if v.marks.contains(Marks::SENSITIVE) {
        out.push_str("(sensitive value)");
        return;
    }
    match &v.kind {
        Kind::Unknown(_) => out.push_str("(known after apply)"),
        Kind::Null(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&n.to_string()),
        Kind::String(s) => out.push_str(&plinth_value::go_quote(s)),
        Kind::Tuple(xs) | Kind::List(_, xs) | Kind::Set(_, xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(x, out);
            }
            out.push(']');
        }
        Kind::Object(m) | Kind::Map(_, m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(" = ");
                write_value(x, out);
            }
            out.push('}');
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && a.marks_deep() == b.marks_deep() && a.raw_equal_unmarked(b)
}

/// The attributes of a change worth showing: all non-null ones of a create,
/// the changed ones of an update or replace.
fn attr_lines(before: Option<&Value>, after: Option<&Value>, out: &mut String) {
    let empty = BTreeMap::new();
    let b = before.and_then(Value::as_entries).unwrap_or(&empty);
    let Some(a) = after.and_then(Value::as_entries) else { return };
    for (k, av) in a {
        match b.get(k) {
            None if before.is_none() => {
                if !av.is_null() && av.len() != Some(0) {
                    writeln!(out, "    {k} = {}", value_text(av)).ok();
                }
            }
            Some(bv) if same(bv, av) => {}
            Some(bv) if bv.is_null() && av.is_null() => {}
            bv => {
                let bt = bv.map(value_text).unwrap_or_else(|| "null".into());
                writeln!(out, "    {k} = {bt} -> {}", value_text(av)).ok();
            }
        }
    }
}

pub fn render_plan(plan: &Plan, files: &Files, dir: &Path) -> String {
    let mut out = String::new();
    let mut changes: Vec<_> = plan.changes.iter().collect();
    changes.sort_by_key(|c| (c.addr.to_string(), c.deposed.is_some()));
    for c in changes {
        let mut line = format!("{}", c.addr);
        if c.deposed.is_some() {
            line.push_str(" (deposed)");
        }
        write!(line, ": {}", action_name(c.action)).ok();
        let mut notes = Vec::new();
        if let Some(r) = &c.reason {
            notes.push(r.clone());
        }
        if let Some(m) = &c.moved_from {
            notes.push(format!("moved from {m}"));
        }
        if let Some(id) = &c.importing {
            notes.push(format!("importing {id:?}"));
        }
        if let Some(d) = &c.deferred {
            notes.push(format!("deferred: {d}"));
        }
        if !c.requires_replace.is_empty() {
            let paths: Vec<String> = c.requires_replace.iter().map(path_text).collect();
            notes.push(format!("replace forced by {}", paths.join(", ")));
        }
        if !notes.is_empty() {
            write!(line, " ({})", notes.join("; ")).ok();
        }
        out.push_str(&line);
        out.push('\n');
        if matches!(c.action, Action::Create | Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete | Action::Read) {
            let before = if c.action == Action::Read { None } else { c.before.as_ref() };
            attr_lines(before, c.after.as_ref(), &mut out);
        }
    }
    for (name, o) in &plan.outputs {
        let text = |v: &Option<Value>| v.as_ref().map(value_text).unwrap_or_else(|| "null".into());
        let changed = match (&o.before, &o.after) {
            (Some(b), Some(a)) => !same(b, a),
            (None, None) => false,
            (None, Some(a)) => !a.is_null(),
            (Some(_), None) => true,
        };
        let sens = if o.sensitive { " (sensitive)" } else { "" };
        if changed {
            writeln!(out, "output {name}{sens}: {} -> {}", text(&o.before), text(&o.after)).ok();
        } else {
            writeln!(out, "output {name}{sens}: {}", text(&o.after)).ok();
        }
    }
    let (add, change, destroy) = plan.counts();
    let import = if plan.imports.is_empty() { String::new() } else { format!("{} to import, ", plan.imports.len()) };
    writeln!(out, "plan: {import}{add} to add, {change} to change, {destroy} to destroy").ok();
    out.push_str(&render_diags(&plan.warnings, files, dir));
    out
}

fn path_text(p: &plinth_provider::Path) -> String {
    let mut s = String::new();
    for step in p {
        match step {
            plinth_provider::PathStep::Attr(a) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(a);
            }
            plinth_provider::PathStep::Key(k) => write!(s, "[{k:?}]").unwrap_or(()),
            plinth_provider::PathStep::Index(i) => write!(s, "[{i}]").unwrap_or(()),
        }
    }
    s
}

/// Diagnostics one a line: `error: Summary [file:line]: detail`.
pub fn render_diags(diags: &[Diagnostic], files: &Files, dir: &Path) -> String {
    let dir = format!("{}/", dir.display());
    let mut out = String::new();
    for d in diags {
        let sev = if d.is_error() { "error" } else { "warning" };
        let at = d
            .subject
            .filter(|s| files.get(s.file).is_some())
            .map(|s| format!(" [{}:{}]", files.name(s.file).trim_start_matches(dir.as_str()), files.pos(s.file, s.start as usize).line))
            .unwrap_or_default();
        let detail = d.detail.replace('\n', " ").replace(dir.as_str(), "");
        writeln!(out, "{sev}: {}{at}: {}", d.summary, detail.trim()).ok();
    }
    out
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => {
            let parts: Vec<String> = m.iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| format!("{k}={}", json_text(x))).collect();
            format!("{{{}}}", parts.join(" "))
        }
        other => other.to_string(),
    }
}

pub fn render_state(state: &State) -> String {
    let mut out = String::new();
    for addr in state.instance_addrs().collect::<Vec<_>>() {
        let Some(inst) = state.instance(&addr) else { continue };
        if let Some(o) = &inst.current {
            let a = json_text(&o.attributes);
            let tainted = if o.status == plinth_state::ObjectStatus::Tainted { " (tainted)" } else { "" };
            writeln!(out, "{addr}{tainted}: {}", a.trim_start_matches('{').trim_end_matches('}')).ok();
        }
        for o in inst.deposed.values() {
            let a = json_text(&o.attributes);
            writeln!(out, "{addr} (deposed): {}", a.trim_start_matches('{').trim_end_matches('}')).ok();
        }
    }
    for (k, o) in &state.outputs {
        let v = if o.sensitive { "(sensitive value)".to_string() } else { o.value.to_string() };
        writeln!(out, "output {k} = {v}").ok();
    }
    out
}
