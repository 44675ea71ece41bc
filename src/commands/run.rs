//! `plan`, `apply`, `destroy`, `refresh`, `validate` and `graph`: the
//! commands that load a whole run and drive the engine.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use plinth_engine::apply::{ApplyObserver, StateSink};
use plinth_engine::graph::Graph;
use plinth_engine::{Action, Context, Plan, PlanMode, PlanOptions};
use plinth_state::journal::{read_journal, replay, Entry, JournalWriter};
use plinth_state::{AbsResourceInstance, Backend, LockInfo, State, Target};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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
    if plan.has_resource_changes() || plan.has_moves() {
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
    let mut run = run;
    if let Err(c) = recover_journal(&mut run, &rt) {
        return c;
    }
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

/// Journals every operation as it starts and ends, and writes the whole
/// state (atomically, by the backend) once at the end. A run killed in between
/// leaves a journal the next run replays (see `recover_journal`).
struct Sink<'a> {
    backend: &'a mut dyn Backend,
    workspace: String,
    journal_path: PathBuf,
    journal: Option<JournalWriter>,
    last: State,
}

impl StateSink for Sink<'_> {
    fn record(&mut self, entry: &Entry) -> Result<(), String> {
        if self.journal.is_none() {
            self.journal = Some(JournalWriter::open(&self.journal_path).map_err(|e| format!("cannot open the intent journal: {e}"))?);
        }
        self.journal.as_mut().expect("opened above").append(entry).map_err(|e| format!("cannot write the intent journal: {e}"))
    }

    fn persist(&mut self, state: &State) -> Result<(), String> {
        let changed = state.outputs != self.last.outputs || !same_resources(state, &self.last);
        if changed {
            let mut s = state.clone();
            s.serial = self.last.serial;
            s.bump_serial();
            self.backend.write(&self.workspace, &s).map_err(|e| e.to_string())?;
            self.last = s;
        }
        if let Some(j) = self.journal.take() {
            j.finish().map_err(|e| format!("cannot remove the intent journal: {e}"))?;
        }
        Ok(())
    }
}

fn same_resources(a: &State, b: &State) -> bool {
    a.instance_count() == b.instance_count() && a.resources().zip(b.resources()).all(|((ra, sa), (rb, sb))| ra == rb && sa == sb)
}

/// The journal file for the run's workspace.
pub fn journal_path(run: &Run) -> PathBuf {
    run.backend
        .journal_path(&run.workspace)
        .unwrap_or_else(|| run.wd.dir.join(".terraform").join(format!("journal-{}.jsonl", run.workspace)))
}

/// Replays a journal an interrupted run left behind: results go into the
/// state, unfinished creates are adopted or forgotten through the providers,
/// and the state is written before the journal is removed.
fn recover_journal(run: &mut Run, rt: &tokio::runtime::Runtime) -> Result<(), u8> {
    let path = journal_path(run);
    let entries = match read_journal(&path) {
        Ok(Some(e)) => e,
        Ok(None) => return Ok(()),
        Err(e) => {
            eprintln!("\nError: Interrupted run cannot be recovered\n\n{e}");
            return Err(1);
        }
    };
    let unfinished = replay(&mut run.state, &entries);
    let providers = run.wd.providers();
    let report = rt.block_on(plinth_engine::recover(&providers, &mut run.state, &unfinished));
    let mut s = run.state.clone();
    s.bump_serial();
    if let Err(e) = run.backend.write(&run.workspace, &s) {
        eprintln!("\nError: Failed to save recovered state\n\n{e}");
        return Err(1);
    }
    run.state = s;
    if let Err(e) = std::fs::remove_file(&path) {
        eprintln!("\nError: cannot remove the intent journal {}: {e}", path.display());
        return Err(1);
    }
    println!("Recovered an interrupted run: {} recorded change(s) kept.", entries.len());
    for line in report {
        println!("  - {line}");
    }
    Ok(())
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
    if let Err(c) = recover_journal(&mut run, &rt) {
        return c;
    }
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
    let jpath = journal_path(&run);
    let mut sink = Sink { backend: run.backend.as_mut(), workspace, journal_path: jpath, journal: None, last };
    let mut progress = Progress { color };
    // Ctrl-C: the first stops new operations and lets running ones finish;
    // a second exits at once (the journal stays consistent).
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        rt.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nInterrupt received.\nPlease wait for plinth to exit or data loss may occur.\nGracefully shutting down...");
                cancel.store(true, Ordering::SeqCst);
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("\nTwo interrupts received. Exiting immediately. The intent journal lets the next run recover.");
                    std::process::exit(1);
                }
            }
        });
    }
    let outcome = rt.block_on(plinth_engine::apply::apply(&ctx, &plan, parallelism, &mut sink, &mut progress, &cancel));
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
