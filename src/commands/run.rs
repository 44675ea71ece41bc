//! `plan`, `apply`, `destroy`, `refresh`, `validate` and `graph`: the
//! commands that load a whole run and drive the engine.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use plinth_engine::apply::{ApplyObserver, StateSink};
use plinth_engine::graph::Graph;
use plinth_engine::{Action, Context, Plan, PlanMode, PlanOptions};
use plinth_state::{AbsResourceInstance, Backend, LockInfo, State, Target};
use plinth_syntax::Diagnostic;
use plinth_value::Value;

use crate::args::Args;
use crate::ui;
use crate::workdir::{self, Workdir};

/// A loaded run: configuration, graph, inputs, backend with its lock, state.
pub struct Run {
    pub wd: Workdir,
    pub graph: Graph,
    pub inputs: BTreeMap<String, Value>,
    pub backend: Box<dyn Backend>,
    pub workspace: String,
    pub lock: Option<String>,
    pub state: State,
    pub color: bool,
    pub warnings: Vec<Diagnostic>,
}

impl Drop for Run {
    fn drop(&mut self) {
        if let Some(id) = self.lock.take() {
            let _ = self.backend.unlock(&self.workspace, &id);
        }
    }
}

/// Loads everything a plan needs, printing diagnostics; `Err(exit code)` on failure.
pub fn load_run(dir: &Path, args: &Args, operation: &str, lock: bool) -> Result<Run, u8> {
    let color = ui::use_color(args.bool("no-color"));
    let (mut wd, diags) = workdir::load(dir);
    let (errs, mut warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    if !errs.is_empty() {
        ui::print_diags(&wd.files, &errs, color);
        return Err(1);
    }
    let (graph, gdiags) = wd.graph();
    if gdiags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &gdiags, color);
        return Err(1);
    }
    let inputs = match wd.input_variables(args) {
        Ok(i) => i,
        Err(ds) => {
            ui::print_diags(&wd.files, &ds, color);
            return Err(1);
        }
    };
    let mut backend = match wd.backend() {
        Ok(b) => b,
        Err(d) => {
            ui::print_diags(&wd.files, &[d], color);
            return Err(1);
        }
    };
    let workspace = wd.workspace();
    let lock_id = if lock && args.bool_or("lock", true) {
        let timeout = args.flag("lock-timeout").and_then(parse_duration).unwrap_or(Duration::ZERO);
        match backend.lock(&workspace, LockInfo::new(operation), timeout) {
            Ok(id) => Some(id),
            Err(e) => {
                eprintln!("\nError: Error acquiring the state lock\n\n{e}");
                return Err(1);
            }
        }
    } else {
        None
    };
    let state = match backend.read(&workspace) {
        Ok(Some(s)) => s,
        Ok(None) => State::new(),
        Err(e) => {
            eprintln!("\nError: Failed to load state\n\n{e}");
            if let Some(id) = lock_id {
                let _ = backend.unlock(&workspace, &id);
            }
            return Err(1);
        }
    };
    warnings.retain(|w| !w.is_error());
    Ok(Run { wd, graph, inputs, backend, workspace, lock: lock_id, state, color, warnings })
}

/// Go-style durations: `10s`, `1m30s`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += n * match unit.as_str() {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
    }
    if !num.is_empty() {
        total += num.parse::<f64>().ok()?;
    }
    Some(Duration::from_secs_f64(total))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

pub fn plan_options(args: &Args, mode: PlanMode) -> Result<PlanOptions, String> {
    let parse_targets = |name: &str| -> Result<Vec<Target>, String> {
        args.all(name).into_iter().map(|t| t.parse::<Target>().map_err(|e| format!("Invalid {name} address {t:?}: {e}"))).collect()
    };
    let replace = args
        .all("replace")
        .into_iter()
        .map(|t| t.parse::<AbsResourceInstance>().map_err(|e| format!("Invalid replace address {t:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mode = if args.bool("destroy") {
        PlanMode::Destroy
    } else if args.bool("refresh-only") {
        PlanMode::RefreshOnly
    } else {
        mode
    };
    Ok(PlanOptions { mode, refresh: args.bool_or("refresh", true), replace, targets: parse_targets("target")?, excludes: parse_targets("exclude")? })
}

fn make_plan(run: &Run, rt: &tokio::runtime::Runtime, opts: &PlanOptions) -> Result<Plan, u8> {
    let providers = run.wd.providers();
    let ctx = Context {
        tree: &run.wd.tree,
        graph: &run.graph,
        providers: &providers,
        inputs: &run.inputs,
        workspace: &run.workspace,
        root_dir: run.wd.dir.clone(),
        files: &run.wd.files,
    };
    match rt.block_on(plinth_engine::plan(&ctx, run.state.clone(), opts)) {
        Ok(p) => Ok(p),
        Err(ds) => {
            ui::print_diags(&run.wd.files, &ds, run.color);
            Err(1)
        }
    }
}

fn print_plan(plan: &Plan, color: bool) {
    let mut out = std::io::stdout().lock();
    if !plan.has_changes() {
        let _ = writeln!(out, "\n{}\n\nplinth has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.", ui::bold("No changes. Your infrastructure matches the configuration.", color));
        return;
    }
    let _ = write!(out, "{}", ui::plan::render(plan));
    if plan.has_resource_changes() || plan.has_moves() || !plan.imports.is_empty() {
        let _ = writeln!(out, "\n{}", ui::bold(&ui::plan::summary(plan), color));
    }
    let _ = write!(out, "{}", ui::plan::render_outputs(plan));
}

pub fn plan(dir: &Path, args: &Args) -> u8 {
    let run = match load_run(dir, args, "OperationTypePlan", true) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let opts = match plan_options(args, PlanMode::Normal) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("\nError: {e}");
            return 1;
        }
    };
    let rt = runtime();
    let plan = match make_plan(&run, &rt, &opts) {
        Ok(p) => p,
        Err(c) => return c,
    };
    ui::print_diags(&run.wd.files, &run.warnings, run.color);
    ui::print_diags(&run.wd.files, &plan.warnings, run.color);
    print_plan(&plan, run.color);
    if args.bool("detailed-exitcode") && plan.has_changes() {
        2
    } else {
        0
    }
}

struct Sink<'a> {
    backend: &'a mut dyn Backend,
    workspace: String,
    last: State,
    last_write: Instant,
    dirty: bool,
}

impl StateSink for Sink<'_> {
    fn persist(&mut self, state: &State, done: bool) -> Result<(), String> {
        let same = state.outputs == self.last.outputs && same_resources(state, &self.last);
        if same && !(done && self.dirty) {
            return Ok(());
        }
        // Bound the cost of persisting after every change: at most one write
        // per 50 ms while operations run, and always at the end.
        if !done && self.last_write.elapsed() < Duration::from_millis(50) {
            self.dirty = true;
            return Ok(());
        }
        let mut s = state.clone();
        s.serial = self.last.serial;
        s.bump_serial();
        self.backend.write(&self.workspace, &s).map_err(|e| e.to_string())?;
        self.last = s;
        self.last_write = Instant::now();
        self.dirty = false;
        Ok(())
    }
}

fn same_resources(a: &State, b: &State) -> bool {
    a.instance_count() == b.instance_count() && a.resources().zip(b.resources()).all(|((ra, sa), (rb, sb))| ra == rb && sa == sb)
}

struct Progress {
    color: bool,
}

fn progress_word(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => ("Creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Read => ("Reading...", "Read complete"),
        _ => ("", ""),
    }
}

impl ApplyObserver for Progress {
    fn started(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>) {
        let (w, _) = progress_word(action);
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        println!("{}: {w}{id}", ui::bold(&addr.to_string(), self.color));
    }
    fn finished(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>, elapsed: Duration) {
        let (_, w) = progress_word(action);
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        println!("{}: {w} after {}{id}", ui::bold(&addr.to_string(), self.color), fmt_elapsed(elapsed));
    }
}

fn fmt_elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

fn confirm(destroy: bool) -> bool {
    let mut out = std::io::stdout().lock();
    if destroy {
        let _ = write!(out, "\nDo you really want to destroy all resources?\n  plinth will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: ");
    } else {
        let _ = write!(out, "\nDo you want to perform these actions?\n  plinth will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    }
    let _ = out.flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    line.trim() == "yes"
}

pub fn apply(dir: &Path, args: &Args, destroy: bool) -> u8 {
    let mut run = match load_run(dir, args, "OperationTypeApply", true) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let opts = match plan_options(args, if destroy { PlanMode::Destroy } else { PlanMode::Normal }) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("\nError: {e}");
            return 1;
        }
    };
    let rt = runtime();
    let plan = match make_plan(&run, &rt, &opts) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let color = run.color;
    ui::print_diags(&run.wd.files, &run.warnings, color);
    print_plan(&plan, color);
    let auto = args.bool("auto-approve");
    if plan.has_changes() && !auto {
        let interactive = std::io::stdin().is_terminal() && args.bool_or("input", true);
        if !interactive {
            eprintln!("\nError: No configuration files\n\nApply requires confirmation; run with -auto-approve when input is not interactive.");
            return 1;
        }
        if !confirm(plan.mode == PlanMode::Destroy) {
            eprintln!("\nError: {} cancelled.", if destroy { "Destroy" } else { "Apply" });
            return 1;
        }
    }
    if plan.has_resource_changes() {
        println!();
    }
    let providers = run.wd.providers();
    let ctx = Context {
        tree: &run.wd.tree,
        graph: &run.graph,
        providers: &providers,
        inputs: &run.inputs,
        workspace: &run.workspace,
        root_dir: run.wd.dir.clone(),
        files: &run.wd.files,
    };
    let parallelism = args.flag("parallelism").and_then(|p| p.parse().ok()).unwrap_or(10);
    let last = run.state.clone();
    let workspace = run.workspace.clone();
    let mut sink = Sink { backend: run.backend.as_mut(), workspace, last, last_write: Instant::now() - Duration::from_secs(1), dirty: false };
    let mut progress = Progress { color };
    let outcome = rt.block_on(plinth_engine::apply::apply(&ctx, &plan, parallelism, &mut sink, &mut progress));
    ui::print_diags(&run.wd.files, &outcome.warnings, color);
    ui::print_diags(&run.wd.files, &plan.warnings, color);
    if !outcome.diags.is_empty() {
        ui::print_diags(&run.wd.files, &outcome.diags, color);
        if outcome.diags.iter().any(Diagnostic::is_error) {
            return 1;
        }
    }
    let word = if plan.mode == PlanMode::Destroy { "Destroy complete!" } else { "Apply complete!" };
    if plan.mode == PlanMode::Destroy {
        println!("\n{} Resources: {} destroyed.", ui::bold(word, color), outcome.destroyed);
    } else {
        println!("\n{} Resources: {} added, {} changed, {} destroyed.", ui::bold(word, color), outcome.added, outcome.changed, outcome.destroyed);
    }
    if plan.mode != PlanMode::Destroy && !outcome.state.outputs.is_empty() {
        println!("\nOutputs:\n");
        for (name, o) in &outcome.state.outputs {
            println!("{name} = {}", super::output::display_output(o));
        }
    }
    0
}

pub fn refresh(dir: &Path, args: &Args) -> u8 {
    let mut a = Args { flags: args.flags.clone(), positional: args.positional.clone() };
    a.flags.push(("refresh-only".into(), "true".into()));
    a.flags.push(("auto-approve".into(), "true".into()));
    apply(dir, &a, false)
}

pub fn validate(dir: &Path, args: &Args) -> u8 {
    let color = ui::use_color(args.bool("no-color"));
    let (wd, mut diags) = workdir::load(dir);
    if !diags.iter().any(Diagnostic::is_error) {
        let (_, g) = wd.graph();
        diags.extend(g);
    }
    if !diags.iter().any(Diagnostic::is_error) {
        diags.extend(plinth_engine::validate_schemas(&wd.tree, &wd.providers()));
    }
    let json = args.bool("json");
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if json {
        let ds: Vec<serde_json::Value> = diags
            .iter()
            .map(|d| {
                let range = d.subject.filter(|s| wd.files.get(s.file).is_some()).map(|s| {
                    let from = wd.files.pos(s.file, s.start as usize);
                    let to = wd.files.pos(s.file, s.end as usize);
                    serde_json::json!({
                        "filename": wd.files.name(s.file),
                        "start": {"line": from.line, "column": from.column, "byte": from.byte},
                        "end": {"line": to.line, "column": to.column, "byte": to.byte},
                    })
                });
                serde_json::json!({
                    "severity": if d.is_error() { "error" } else { "warning" },
                    "summary": d.summary,
                    "detail": d.detail,
                    "range": range,
                })
            })
            .collect();
        let v = serde_json::json!({
            "format_version": "1.0",
            "valid": errors == 0,
            "error_count": errors,
            "warning_count": warnings,
            "diagnostics": ds,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        ui::print_diags(&wd.files, &diags, color);
        if errors == 0 {
            println!("{}", ui::bold("Success! The configuration is valid.", color));
        }
    }
    u8::from(errors > 0)
}

pub fn graph(dir: &Path, args: &Args) -> u8 {
    let color = ui::use_color(args.bool("no-color"));
    let (wd, diags) = workdir::load(dir);
    if diags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &diags, color);
        return 1;
    }
    let (g, gd) = wd.graph();
    if gd.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &gd, color);
        return 1;
    }
    println!("digraph {{\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {{");
    for (i, ds) in g.deps.iter().enumerate() {
        let name = g.node_name(&wd.tree, i);
        println!("\t\t\"[root] {name}\" [label = \"{name}\", shape = \"box\"]");
        for &d in ds {
            println!("\t\t\"[root] {name}\" -> \"[root] {}\"", g.node_name(&wd.tree, d));
        }
    }
    println!("\t}}\n}}");
    0
}
