//! `plan`, `apply`, `destroy`, `refresh`, `validate` and `graph`: the
//! commands that load a whole run and drive the engine.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use plinth_engine::apply::StateSink;
use plinth_engine::graph::Graph;
use plinth_engine::{Action, Context, Plan, PlanMode, PlanOptions};
use plinth_state::journal::{read_journal, replay, Entry, JournalWriter};
use plinth_state::{AbsResourceInstance, Backend, LockInfo, State, Target};
use plinth_syntax::Diagnostic;
use plinth_value::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::args::Args;
use crate::ui;
use crate::workdir::{self, Workdir};

/// A loaded run: configuration, graph, inputs, backend with its lock, state.
pub struct Run {
    /// `-json`: diagnostics and progress as JSON UI messages.
    pub json: bool,
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

impl Run {
    /// Releases the state lock and leaves the rest to the OS: the process
    /// ends right after, and freeing a configuration of thousands of
    /// resources piece by piece costs more than the OS reclaiming it.
    /// `code`, or 1 when the lock could not be released (Terraform's exit
    /// status then too).
    pub fn finish(mut self, code: u8) -> u8 {
        let released = self.unlock();
        std::mem::forget(self);
        if released {
            code
        } else {
            1
        }
    }

    /// Releases the lock; false (after saying so) when that failed.
    fn unlock(&mut self) -> bool {
        let Some(id) = self.lock.take() else { return true };
        let r = self.backend.unlock(&self.workspace, &id);
        crate::interrupt::lock_released();
        match r {
            Ok(()) => true,
            Err(e) => {
                eprintln!("\nError: {e}\n\nplinth failed to release the state lock; run \"plinth force-unlock {id}\" once nobody else is using the state.");
                false
            }
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.unlock();
    }
}

/// Loads everything a plan needs, printing diagnostics; `Err(exit code)` on failure.
pub fn load_run(dir: &Path, args: &Args, operation: &str, lock: bool) -> Result<Run, u8> {
    let color = ui::use_color(args.bool("no-color"));
    let json = args.bool("json");
    if json {
        ui::json::emit_version();
    }
    let (mut wd, diags) = workdir::load(dir);
    let (errs, mut warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    if !errs.is_empty() {
        ui::report_diags(json, &wd.files, &errs, color);
        return Err(1);
    }
    let (graph, gdiags) = wd.graph();
    if gdiags.iter().any(Diagnostic::is_error) {
        ui::report_diags(json, &wd.files, &gdiags, color);
        return Err(1);
    }
    let inputs = match wd.input_variables(args) {
        Ok((i, var_warnings)) => {
            warnings.extend(var_warnings);
            i
        }
        Err(ds) => {
            ui::report_diags(json, &wd.files, &ds, color);
            return Err(1);
        }
    };
    let opened = wd.backend_spec().and_then(|spec| wd.open_backend(&spec, &inputs).map(|b| (spec, b)));
    let (spec, mut backend) = match opened {
        Ok(x) => x,
        Err(d) => {
            ui::report_diags(json, &wd.files, &[d], color);
            return Err(1);
        }
    };
    let workspace = wd.workspace();
    let lock_id = if lock && args.bool_or("lock", true) {
        let timeout = args.duration("lock-timeout");
        if !timeout.is_zero() {
            eprintln!("Acquiring state lock. This may take a few moments...");
        }
        match backend.lock(&workspace, LockInfo::new(operation), timeout) {
            Ok(id) => {
                crate::interrupt::guard_lock(&spec, wd.dir.clone(), &workspace, &id);
                hold_lock_for_tests();
                Some(id)
            }
            Err(e) => {
                eprintln!("\nError: {e}");
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
    Ok(Run { json, wd, graph, inputs, backend, workspace, lock: lock_id, state, color, warnings })
}

/// `PLINTH_TEST_HOLD_LOCK=<duration>` keeps the lock that long before
/// going on, so tests can run into it (or interrupt its holder).
fn hold_lock_for_tests() {
    if let Some(d) = std::env::var("PLINTH_TEST_HOLD_LOCK").ok().and_then(|d| plinth_value::go::parse_duration_std(&d).ok()) {
        eprintln!("plinth: holding the state lock for {d:?} (PLINTH_TEST_HOLD_LOCK)");
        std::thread::sleep(d);
    }
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
    // Terraform's and OpenTofu's checks of option combinations.
    if args.bool("destroy") && args.bool("refresh-only") {
        return Err("Incompatible plan mode options\n\nThe -destroy and -refresh-only options are mutually-exclusive.".into());
    }
    let mode = if args.bool("destroy") {
        PlanMode::Destroy
    } else if args.bool("refresh-only") {
        PlanMode::RefreshOnly
    } else {
        mode
    };
    if mode == PlanMode::RefreshOnly && !args.bool_or("refresh", true) {
        return Err("Incompatible refresh options\n\nIt doesn't make sense to use -refresh-only at the same time as -refresh=false, because plinth would have nothing to do.".into());
    }
    let targets = parse_targets("target")?;
    let excludes = parse_targets("exclude")?;
    if !targets.is_empty() && !excludes.is_empty() {
        return Err("Invalid combination of arguments\n\nThe target and exclude planning options are mutually-exclusive. Each plan must use either only the target options or only the exclude options.".into());
    }
    if !replace.is_empty() && mode != PlanMode::Normal {
        return Err(
            "Unsupported plan mode\n\nForcing resource instance replacement (with -replace=...) is allowed only in normal planning mode."
                .into(),
        );
    }
    Ok(PlanOptions { mode, refresh: args.bool_or("refresh", true), replace, targets, excludes })
}

/// Plans from `prior` (the run's state, or a copy when the caller still needs it).
fn make_plan(run: &Run, prior: State, rt: &tokio::runtime::Runtime, opts: &PlanOptions) -> Result<Plan, u8> {
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
    match rt.block_on(plinth_engine::plan(&ctx, prior, opts)) {
        Ok(p) => Ok(p),
        Err(ds) => {
            ui::report_diags(run.json, &run.wd.files, &ds, run.color);
            Err(1)
        }
    }
}

/// The schema of a change's resource type from the run's providers.
pub fn schema_lookup<'p>(
    providers: &'p plinth_engine::Providers,
) -> impl Fn(&plinth_engine::ResourceChange) -> Option<&'p plinth_provider::BlockSchema> + Sync + 'p {
    move |c| {
        let p = providers.provider(&c.provider)?;
        let r = &c.addr.resource.resource;
        let map = if r.mode == plinth_state::ResourceMode::Data { &p.schema().data_sources } else { &p.schema().resources };
        map.get(&r.type_name).map(|s| &s.block)
    }
}

fn print_plan(run: &Run, plan: &Plan) {
    let providers = run.wd.providers();
    let schema_of = schema_lookup(&providers);
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", ui::plan::render(plan, &schema_of, &ui::Paint { color: run.color }));
}

/// Terraform's refusal to plan or apply without configuration, which would
/// propose to destroy everything in state (`-destroy` is how to ask for that).
fn require_config(dir: &Path, args: &Args, what: &str) -> Result<(), u8> {
    if args.bool("destroy") || workdir::has_config_files(dir) {
        return Ok(());
    }
    let detail = if what == "Plan" {
        "Plan requires configuration to be present. Planning without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run plan with the -destroy option. Otherwise, create a Terraform configuration file (.tf file) and try again."
    } else {
        "Apply requires configuration to be present. Applying without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, run 'plinth destroy' instead."
    };
    let d = Diagnostic::error("No configuration files", ui::word_wrap(detail, 78));
    ui::report_diags(args.bool("json"), &plinth_syntax::Files::new(), &[d], ui::use_color(args.bool("no-color")));
    Err(1)
}

/// Terraform's check of `-parallelism` (zero means the default).
fn check_parallelism(args: &Args) -> Result<(), u8> {
    let n = args.int_or("parallelism", 10);
    if n < 0 {
        let d = Diagnostic::error("Invalid parallelism value", format!("The parallelism must be a positive value. Not {n}."));
        ui::report_diags(args.bool("json"), &plinth_syntax::Files::new(), &[d], ui::use_color(args.bool("no-color")));
        return Err(1);
    }
    Ok(())
}

pub fn plan(dir: &Path, args: &Args) -> u8 {
    if let Err(c) = check_parallelism(args).and_then(|()| require_config(dir, args, "Plan")) {
        return c;
    }
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
    if let Err(c) = recover_journal(&mut run, &rt, false) {
        return c;
    }
    // Only a plan file records the state as loaded: otherwise the plan takes
    // it, not a copy (tens of megabytes for tens of thousands of resources).
    let prior = if args.flag("out").is_some() { run.state.clone() } else { std::mem::take(&mut run.state) };
    let plan = match make_plan(&run, prior, &rt, &opts) {
        Ok(p) => p,
        Err(c) => return c,
    };
    ui::report_diags(run.json, &run.wd.files, &run.warnings, run.color);
    ui::report_diags(run.json, &run.wd.files, &plan.warnings, run.color);
    if run.json {
        ui::json::emit_plan(&plan);
    } else {
        print_plan(&run, &plan);
    }
    if let Some(out) = args.flag("out") {
        let providers = run.wd.providers();
        let schema_of = schema_lookup(&providers);
        let rendered = ui::plan::render(&plan, &schema_of, &ui::Paint { color: false });
        let mut doc = ui::json::plan_json(&plan, &run.wd.tree);
        // Terraform lists every root variable, defaults included.
        for (name, v) in &run.wd.tree.root().module.variables {
            if plan.variables.contains_key(name) || v.ephemeral {
                continue;
            }
            let value = v
                .default
                .as_ref()
                .and_then(|e| workdir::const_eval(e).ok())
                .map(|x| ui::json::value_json(&x))
                .unwrap_or(serde_json::Value::Null);
            doc["variables"][name] = serde_json::json!({ "value": value });
        }
        let ephemeral_set: Vec<String> = run
            .wd
            .tree
            .root()
            .module
            .variables
            .values()
            .filter(|v| v.ephemeral && run.inputs.contains_key(&v.name))
            .map(|v| v.name.clone())
            .collect();
        if let Err(e) = super::planfile::write(
            Path::new(out),
            &plan,
            &run.wd.files,
            &run.workspace,
            &run.state,
            &args.flags,
            &rendered,
            doc,
            &run.wd.tree,
            &run.wd.dir,
            &ephemeral_set,
        ) {
            eprintln!("\nError: Failed to write plan file\n\nThe plan file could not be written: {e}.");
            return 1;
        }
        if !run.json {
            println!("\n{}\n\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the following command to apply:\n    plinth apply {out:?}", "─".repeat(78));
        }
    } else if !run.json && plan.has_changes() {
        println!("\n{}\n", "─".repeat(78));
        println!("{}", ui::word_wrap("Note: You didn't use the -out option to save this plan, so plinth can't guarantee to take exactly these actions if you run \"plinth apply\" now.", 78));
    }
    let code = if args.bool("detailed-exitcode") && plan.has_changes() { 2 } else { 0 };
    // The process ends right after: freeing a plan of thousands of changes
    // piece by piece costs more than the OS reclaiming it at exit.
    std::mem::forget(plan);
    run.finish(code)
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
            // The journal belongs to the snapshot this run applies against.
            let j = JournalWriter::open(&self.journal_path, &self.last.lineage, self.last.serial)
                .map_err(|e| format!("cannot open the intent journal {}: {e}", self.journal_path.display()))?;
            self.journal = Some(j);
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
///
/// Recovery writes state, so it runs only under the state lock: without it
/// (`-lock=false`) `plan` warns and plans from the state as stored, `apply`
/// refuses. A journal written against another snapshot than the one loaded
/// (another run wrote the state since) is stale: it is reported and set
/// aside, never replayed.
fn recover_journal(run: &mut Run, rt: &tokio::runtime::Runtime, applying: bool) -> Result<(), u8> {
    let path = journal_path(run);
    let journal = match read_journal(&path) {
        Ok(Some(e)) => e,
        Ok(None) => return Ok(()),
        Err(e) => {
            eprintln!("\nError: Interrupted run cannot be recovered\n\n{e}");
            return Err(1);
        }
    };
    if run.lock.is_none() {
        let detail = format!("An interrupted run left the intent journal {}. It is recovered only under the state lock, and locking is disabled (-lock=false).", path.display());
        if applying {
            eprintln!("\nError: Interrupted run not recovered\n\n{detail} Run again with locking to recover it before applying.");
            return Err(1);
        }
        let d = Diagnostic::warning(
            "Interrupted run not recovered",
            format!("{detail} This plan is made from the state as stored, without that run's changes; nothing was written."),
        );
        run.warnings.push(d);
        return Ok(());
    }
    if journal.entries.is_empty() {
        // Nothing was started: nothing to recover.
        if let Err(e) = std::fs::remove_file(&path) {
            eprintln!("\nError: cannot remove the intent journal {}: {e}", path.display());
            return Err(1);
        }
        return Ok(());
    }
    // A first apply killed before it wrote any state: nothing is stored, so
    // nothing newer can be overwritten; the state takes the journal's lineage.
    let nothing_stored = run.state.serial == 0 && run.state.is_empty() && run.state.outputs.is_empty();
    if let (true, Some((lineage, 0))) = (nothing_stored, &journal.base) {
        run.state.lineage = lineage.clone();
    }
    if !journal.matches(&run.state) {
        let written = match &journal.base {
            Some((lineage, serial)) => format!("state serial {serial} of lineage {lineage:?}"),
            None => "a state it does not name (an older plinth wrote it)".to_string(),
        };
        let aside = match plinth_state::journal::set_aside(&path) {
            Ok(p) => p,
            Err(e) => {
                eprintln!(
                    "\nError: Interrupted run cannot be recovered\n\nThe intent journal {} is stale and could not be moved aside: {e}",
                    path.display()
                );
                return Err(1);
            }
        };
        run.warnings.push(Diagnostic::warning(
            "Stale intent journal set aside",
            format!(
                "The intent journal {} was written against {written}, but the state is now serial {} of lineage {:?}: another run has written the state since. Its {} recorded change(s) were not replayed; the journal was moved to {}.",
                path.display(),
                run.state.serial,
                run.state.lineage,
                journal.changes(),
                aside.display()
            ),
        ));
        return Ok(());
    }
    let entries = journal.entries;
    let changes = entries.iter().filter(|e| !matches!(e, Entry::Intent { .. })).count();
    let unfinished = replay(&mut run.state, &entries);
    let providers = run.wd.providers();
    // Lookups by operation token need configured providers (region,
    // credentials, endpoint); `plan` configures them again afterwards.
    if unfinished.iter().any(|u| u.action == "create") {
        let ctx = Context {
            tree: &run.wd.tree,
            graph: &run.graph,
            providers: &providers,
            inputs: &run.inputs,
            workspace: &run.workspace,
            root_dir: run.wd.dir.clone(),
            files: &run.wd.files,
        };
        let extra = plinth_engine::recovery_providers(&unfinished);
        let diags = rt.block_on(plinth_engine::configure_providers_also(&ctx, &run.state, &extra));
        if diags.iter().any(Diagnostic::is_error) {
            ui::report_diags(run.json, &run.wd.files, &diags, run.color);
            eprintln!("\nError: Interrupted run cannot be recovered\n\nThe providers could not be configured to look for the objects the interrupted run may have created; the intent journal {} is kept.", path.display());
            return Err(1);
        }
    }
    let (report, resolved) = rt.block_on(plinth_engine::recover(&providers, &mut run.state, &unfinished));
    if !resolved {
        eprintln!("\nError: Interrupted run cannot be recovered\n");
        for line in &report {
            eprintln!("  - {line}");
        }
        eprintln!("\nSome interrupted creates could not be checked, so the objects they may have made are unknown. Nothing was changed and the intent journal {} is kept; run again when the provider is reachable.", path.display());
        return Err(1);
    }
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
    println!("Recovered an interrupted run: {changes} completed change(s) kept; the state was saved (serial {}).", run.state.serial);
    for line in report {
        println!("  - {line}");
    }
    Ok(())
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
    if let Err(c) = check_parallelism(args) {
        return c;
    }
    // `refresh` (which only reads) and `destroy` work without configuration;
    // a saved plan carries its own checks.
    if !destroy && args.positional.is_empty() && !args.bool("refresh-command") {
        if let Err(c) = require_config(dir, args, "Apply") {
            return c;
        }
    }
    // `apply FILE`: a saved plan, replayed with its own variables and options.
    let saved = match args.positional.first() {
        Some(f) if !destroy && Path::new(f).is_file() => match super::planfile::read(Path::new(f)) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("\nError: Failed to load \"{f}\" as a plan file\n\n{e}");
                return 1;
            }
        },
        Some(f) => {
            eprintln!("\nError: Failed to load \"{f}\" as a plan file\n\nNo file at that path.");
            return 1;
        }
        None => None,
    };
    let replay;
    let cli = args;
    let args = match &saved {
        Some(sp) => {
            let mut flags: Vec<(String, String)> = args
                .flags
                .iter()
                .filter(|(n, _)| {
                    !["var", "var-file", "target", "exclude", "replace", "destroy", "refresh-only", "refresh"].contains(&n.as_str())
                })
                .cloned()
                .collect();
            flags.extend(sp.args());
            flags.push(("auto-approve".into(), "true".into()));
            replay = Args { flags, positional: Vec::new() };
            &replay
        }
        None => args,
    };
    let mut run = match load_run(dir, args, "OperationTypeApply", true) {
        Ok(r) => r,
        Err(c) => return c,
    };
    if let Some(sp) = &saved {
        let stale = |why: &str| {
            eprintln!("\nError: Saved plan is stale\n\nThe given plan file can no longer be applied because {why}. Create a new plan.");
            1
        };
        if sp.doc["prior_state"]["serial"].as_u64() != Some(run.state.serial) {
            return stale("the state was changed by another operation after the plan was created");
        }
        // A state that does not exist yet gets a new lineage each time it is read.
        let fresh = run.state.is_empty() && run.state.serial == 0 && run.state.outputs.is_empty();
        if sp.doc["prior_state"]["lineage"].as_str() != Some(run.state.lineage.as_str()) && !fresh {
            return stale("the state belongs to another lineage");
        }
        // -var / -var-file may not change what the plan was made with.
        let given = match run.wd.cli_variables(cli) {
            Ok(v) => v,
            Err(ds) => {
                ui::report_diags(run.json, &run.wd.files, &ds, run.color);
                return 1;
            }
        };
        let saved_vars = sp.variables();
        for (name, v) in &given {
            let Some(was) = saved_vars.get(name) else { continue };
            if plinth_value::convert(v, &was.ty()).is_ok_and(|c| c.raw_equal(was)) {
                continue;
            }
            let show = |x: &Value| plinth_value::display_value(x);
            eprintln!(
                "\nError: Can't change variable when applying a saved plan\n\n{}",
                ui::word_wrap(&format!("The variable {name} cannot be set using the -var and -var-file options when applying a saved plan file, because a saved plan includes the variable values that were set when it was created. The saved plan specifies {} as the value whereas during apply the value {} was set by a CLI argument. To declare an ephemeral variable which is not saved in the plan file, use ephemeral = true.", show(was), show(v)), 78)
            );
            return 1;
        }
        // Edited since: apply with the configuration the plan was made with.
        if sp.doc["config_hash"].as_str() != Some(super::planfile::config_hash(&run.wd.files).as_str()) {
            match super::planfile::snapshot_workdir(sp, &run.wd.dir) {
                Ok((wd, graph)) => {
                    run.wd = wd;
                    run.graph = graph;
                }
                Err(why) => return stale(&format!("the configuration has changed since the plan was created, and {why}")),
            }
        }
        if sp.doc["workspace"].as_str() != Some(run.workspace.as_str()) {
            return stale("it was created for another workspace");
        }
        // Ephemeral variables set when planning must be set again, from
        // -var / -var-file or else the other sources (TF_VAR_*, .tfvars).
        let mut inputs = sp.variables();
        for name in sp.ephemeral_variables() {
            match given.get(&name).or_else(|| run.inputs.get(&name)) {
                Some(v) => {
                    inputs.insert(name, v.clone());
                }
                None => {
                    eprintln!(
                        "\nError: No value for required variable\n\n{}",
                        ui::word_wrap(&format!("The ephemeral input variable {name:?} was set during the plan phase, and so must also be set during the apply phase."), 78)
                    );
                    return 1;
                }
            }
        }
        run.inputs = inputs;
    }
    let destroy = destroy || args.bool("destroy");
    let opts = match plan_options(args, if destroy { PlanMode::Destroy } else { PlanMode::Normal }) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("\nError: {e}");
            return 1;
        }
    };
    let rt = runtime();
    if let Err(c) = recover_journal(&mut run, &rt, true) {
        return c;
    }
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
    // Rounds: the first applies what can be applied; changes deferred because
    // their provider's configuration was unknown are planned again (shown as
    // usual) and applied in the next round, once this one created what that
    // configuration needed. The run, and with it the state lock, is held across
    // rounds, and each round starts from the state the previous one persisted.
    // -auto-approve (or a saved plan, approved as a whole) covers every round.
    for round in 0.. {
        match apply_round(&mut run, &rt, args, &opts, saved.as_ref().filter(|_| round == 0), &cancel) {
            Err(code) => return run.finish(code),
            Ok(0) => return run.finish(0),
            Ok(deferred) if round >= MAX_DEFERRED_ROUNDS => {
                eprintln!("\nError: Deferred changes did not converge\n\n{deferred} change(s) are still deferred after {MAX_DEFERRED_ROUNDS} rounds of planning them again.");
                return run.finish(1);
            }
            Ok(deferred) => {
                println!("\n{}", ui::bold(&format!("{deferred} deferred change(s) can be planned now; planning them:"), run.color))
            }
        }
    }
    unreachable!("the rounds end by returning")
}

/// How many times one `apply` plans deferred changes again.
const MAX_DEFERRED_ROUNDS: usize = 3;

/// One round of `apply`: plan (checked against the saved plan in the first
/// round of `apply FILE`), confirm, apply, report. Returns how many deferred
/// changes the next round can plan (0: done), with `run.state` set to the
/// state this round persisted.
fn apply_round(
    run: &mut Run,
    rt: &tokio::runtime::Runtime,
    args: &Args,
    opts: &PlanOptions,
    saved: Option<&super::planfile::SavedPlan>,
    cancel: &Arc<AtomicBool>,
) -> Result<usize, u8> {
    let plan = make_plan(run, run.state.clone(), rt, opts)?;
    let color = run.color;
    let json = run.json;
    ui::report_diags(json, &run.wd.files, &std::mem::take(&mut run.warnings), color);
    let destroy = plan.mode == PlanMode::Destroy;
    if let Some(sp) = saved {
        if sp.doc["changes"] != super::planfile::fingerprint(&plan.changes) {
            eprintln!("\nError: Saved plan is stale\n\nThe real infrastructure no longer matches what the saved plan was made against, so its changes would differ now. Create a new plan.");
            return Err(1);
        }
    } else if json {
        ui::json::emit_plan(&plan);
    } else {
        print_plan(run, &plan);
    }
    let auto = args.bool("auto-approve");
    if plan.has_changes() && !auto {
        let interactive = std::io::stdin().is_terminal() && args.bool_or("input", true);
        if !interactive {
            eprintln!(
                "\nError: No configuration files\n\nApply requires confirmation; run with -auto-approve when input is not interactive."
            );
            return Err(1);
        }
        if !confirm(destroy) {
            eprintln!("\nError: {} cancelled.", if destroy { "Destroy" } else { "Apply" });
            return Err(1);
        }
    }
    // After the answer to the prompt; with -auto-approve Terraform's progress
    // lines follow the plan directly.
    if plan.has_resource_changes() && !json && saved.is_none() && !auto {
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
    let parallelism = match args.int_or("parallelism", 10) {
        // Terraform: zero means its default.
        0 => 10,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let jpath = journal_path(run);
    let mut sink = Sink {
        backend: run.backend.as_mut(),
        workspace: run.workspace.clone(),
        journal_path: jpath,
        journal: None,
        last: run.state.clone(),
    };
    let total = plan.changes.iter().filter(|c| c.deferred.is_none() && !matches!(c.action, Action::NoOp | Action::Forget)).count();
    let live = color && std::io::stdout().is_terminal();
    let outcome = if json {
        rt.block_on(plinth_engine::apply::apply(&ctx, &plan, parallelism, &mut sink, &mut ui::json::JsonProgress, cancel))
    } else {
        let mut progress = ui::progress::Progress::new(ui::Paint { color }, total, live);
        let o = rt.block_on(plinth_engine::apply::apply(&ctx, &plan, parallelism, &mut sink, &mut progress, cancel));
        progress.finish();
        o
    };
    // What the next round starts from: the state as persisted (its serial).
    let persisted = sink.last;
    ui::report_diags(json, &run.wd.files, &outcome.warnings, color);
    ui::report_diags(json, &run.wd.files, &plan.warnings, color);
    if let Some(sel) = &plan.selection {
        ui::report_diags(json, &run.wd.files, &[plinth_engine::targeted_apply_warning(sel.excluding)], color);
    }
    if !outcome.diags.is_empty() {
        ui::report_diags(json, &run.wd.files, &outcome.diags, color);
        if outcome.diags.iter().any(Diagnostic::is_error) {
            return Err(1);
        }
    }
    run.state = persisted;
    // `destroy` says so; `apply` says "Apply complete!", a saved destroy
    // plan's included (as Terraform's apply does).
    let destroy_words = destroy && saved.is_none();
    let word = if destroy_words { "Destroy complete!" } else { "Apply complete!" };
    let deferred = plan.changes.iter().filter(|c| c.deferred.is_some()).count();
    // Imports happen while planning: the apply commits what the plan imported.
    let imported = plan.changes.iter().filter(|c| c.importing.is_some() && c.deferred.is_none()).count();
    let imp = if imported > 0 { format!("{imported} imported, ") } else { String::new() };
    let progressed = outcome.added + outcome.changed + outcome.destroyed > 0;
    let last_round = deferred == 0 || !progressed;
    if json {
        ui::json::emit(
            "info",
            &format!("{word} Resources: {imp}{} added, {} changed, {} destroyed.", outcome.added, outcome.changed, outcome.destroyed),
            "change_summary",
            serde_json::json!({ "changes": { "add": outcome.added, "change": outcome.changed, "import": imported, "remove": outcome.destroyed, "operation": if destroy { "destroy" } else { "apply" } } }),
        );
        if last_round {
            let outs: serde_json::Map<String, serde_json::Value> = outcome
                .state
                .outputs
                .iter()
                .map(|(k, o)| (k.clone(), serde_json::json!({ "sensitive": o.sensitive, "type": o.ty, "value": if o.sensitive { serde_json::Value::Null } else { o.value.clone() } })))
                .collect();
            ui::json::emit("info", &format!("Outputs: {}", outs.len()), "outputs", serde_json::json!({ "outputs": outs }));
        }
    } else if destroy_words {
        println!("\n{} Resources: {} destroyed.", ui::bold(word, color), outcome.destroyed);
    } else {
        println!(
            "\n{} Resources: {imp}{} added, {} changed, {} destroyed.",
            ui::bold(word, color),
            outcome.added,
            outcome.changed,
            outcome.destroyed
        );
    }
    if !last_round {
        return Ok(deferred);
    }
    if !json && !destroy && !outcome.state.outputs.is_empty() {
        println!("\nOutputs:\n");
        for (name, o) in &outcome.state.outputs {
            println!("{name} = {}", super::output::display_output(o));
        }
    }
    if deferred > 0 {
        eprintln!("\nWarning: {deferred} change(s) remain deferred: their provider's configuration is still unknown.");
    }
    Ok(0)
}

pub fn refresh(dir: &Path, args: &Args) -> u8 {
    let mut a = Args { flags: args.flags.clone(), positional: args.positional.clone() };
    a.flags.push(("refresh-only".into(), "true".into()));
    a.flags.push(("auto-approve".into(), "true".into()));
    a.flags.push(("refresh-command".into(), "true".into()));
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
        diags.extend(plinth_engine::validate_schemas(&wd.tree, &wd.providers(), &wd.files));
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
                let mut o = serde_json::json!({
                    "severity": if d.is_error() { "error" } else { "warning" },
                    "summary": d.summary,
                    "detail": d.detail,
                });
                // Terraform omits `range` when a diagnostic has no source location.
                if let Some(r) = range {
                    o["range"] = r;
                }
                o
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
        if errors == 0 && warnings == 0 {
            println!("{}", ui::bold("Success! The configuration is valid.", color));
        } else if errors == 0 {
            // Terraform's words, wrapped where its terminal-less output wraps them.
            println!(
                "{}",
                ui::bold("Success! The configuration is valid, but there were some validation warnings\nas shown above.", color)
            );
        }
    }
    u8::from(errors > 0)
}

/// `plinth graph [-plan=FILE] [-format=dot|svg]`: the resources and their
/// dependencies as Terraform 1.7+ draws them (resources only, edges from a
/// resource to what it depends on through any locals or variables, one
/// cluster per module), filled by planned action — from the saved plan, or
/// from a fresh plan when one can be made.
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
    // Planned actions by resource address (instance keys dropped).
    let mut actions: BTreeMap<String, String> = BTreeMap::new();
    let mut add = |addr: &str, action: &str| {
        let mut res = String::new();
        let mut depth = 0;
        for ch in addr.chars() {
            match ch {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => res.push(ch),
                _ => {}
            }
        }
        let rank = |a: &str| ["read", "update", "create", "delete", "replace"].iter().position(|x| *x == a).unwrap_or(0);
        let e = actions.entry(res).or_insert_with(|| action.to_string());
        if rank(action) > rank(e) {
            *e = action.to_string();
        }
    };
    let word = |acts: &[&str]| match acts {
        ["create"] => Some("create"),
        ["update"] => Some("update"),
        ["delete"] => Some("delete"),
        ["read"] => Some("read"),
        [_, _] => Some("replace"),
        _ => None,
    };
    if let Some(f) = args.flag("plan") {
        match super::planfile::read(Path::new(f)) {
            Ok(sp) => {
                for c in sp.doc["changes"].as_array().into_iter().flatten() {
                    let acts: Vec<&str> = c["actions"].as_array().into_iter().flatten().filter_map(|a| a.as_str()).collect();
                    if let (Some(a), Some(w)) = (c["address"].as_str(), word(&acts)) {
                        add(a, w);
                    }
                }
            }
            Err(e) => {
                eprintln!("\nError: Failed to read plan file\n\n{e}");
                return 1;
            }
        }
    } else if let Ok(run) =
        load_run(dir, &Args { flags: vec![("no-color".into(), "true".into())], positional: vec![] }, "OperationTypePlan", false)
    {
        let opts = PlanOptions { mode: PlanMode::Normal, refresh: false, replace: Vec::new(), targets: Vec::new(), excludes: Vec::new() };
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
        if let Ok(plan) = runtime().block_on(plinth_engine::plan(&ctx, run.state.clone(), &opts)) {
            for c in &plan.changes {
                if let Some(w) = word(&ui::json::actions(c.action)) {
                    add(&c.addr.to_string(), w);
                }
            }
        }
    }
    let dot = graph_dot(&wd, &g, &actions);
    match args.flag("format").unwrap_or("dot") {
        "dot" => print!("{dot}"),
        "svg" => match graph_svg(&dot) {
            Ok(svg) => print!("{svg}"),
            Err(e) => {
                eprintln!("\nError: Failed to render the graph\n\n{e}");
                return 1;
            }
        },
        other => {
            eprintln!("\nError: Invalid graph format\n\nThe -format option accepts \"dot\" or \"svg\", not {other:?}.");
            return 1;
        }
    }
    0
}

fn graph_dot(wd: &Workdir, g: &Graph, actions: &BTreeMap<String, String>) -> String {
    use plinth_engine::graph::NodeKind;
    let is_res = |i: usize| matches!(g.nodes[i].kind, NodeKind::Resource(_));
    let mut edges = std::collections::BTreeSet::new();
    for i in (0..g.nodes.len()).filter(|&i| is_res(i)) {
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<usize> = g.deps[i].clone();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            if is_res(d) {
                edges.insert((g.node_name(&wd.tree, i), g.node_name(&wd.tree, d)));
            } else {
                stack.extend(g.deps[d].iter().copied());
            }
        }
    }
    let fill = |a: &str| match a {
        "create" => "#b7e4c7",
        "update" => "#ffe8a3",
        "delete" => "#f4b6b6",
        "replace" => "#f9c99b",
        _ => "#bde0fe",
    };
    fn module(
        out: &mut String,
        wd: &Workdir,
        g: &Graph,
        id: usize,
        depth: usize,
        actions: &BTreeMap<String, String>,
        fill: &dyn Fn(&str) -> &'static str,
    ) {
        let pad = "  ".repeat(depth + 1);
        for i in 0..g.nodes.len() {
            if g.nodes[i].module != id {
                continue;
            }
            if let plinth_engine::graph::NodeKind::Resource(r) = &g.nodes[i].kind {
                let name = g.node_name(&wd.tree, i);
                let style = match actions.get(&name) {
                    Some(a) => format!(", style = \"filled\", fillcolor = \"{}\", tooltip = \"{a}\"", fill(a)),
                    None => String::new(),
                };
                out.push_str(&format!("{pad}\"{name}\" [label = \"{r}\"{style}];\n"));
            }
        }
        for &child in wd.tree.get(id).children.values() {
            let path: String = wd.tree.get(child).path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".");
            out.push_str(&format!("{pad}subgraph \"cluster_{path}\" {{\n{pad}  label = \"{path}\"\n{pad}  fontname = \"sans-serif\"\n"));
            module(out, wd, g, child, depth + 1, actions, fill);
            out.push_str(&format!("{pad}}}\n"));
        }
    }
    let mut out = String::from("digraph G {\n  rankdir = \"RL\";\n  node [shape = rect, fontname = \"sans-serif\"];\n");
    module(&mut out, wd, g, 0, 0, actions, &fill);
    for (a, b) in edges {
        out.push_str(&format!("  \"{a}\" -> \"{b}\";\n"));
    }
    out.push_str("}\n");
    out
}

/// SVG from DOT: Graphviz's `dot` when installed, else a pure-Rust layout.
fn graph_svg(dot: &str) -> Result<String, String> {
    if let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(dot.as_bytes());
        }
        if let Ok(out) = child.wait_with_output() {
            if out.status.success() {
                return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
            }
        }
    }
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    // This layout draws no clusters, so nodes carry their full address.
    let dot: String = dot
        .lines()
        .map(|l| match (l.trim_start().strip_prefix('"').and_then(|r| r.split_once('"')), l.find("[label = \"")) {
            (Some((id, _)), Some(at)) => {
                let rest = &l[at + 10..];
                let after = rest.find('"').map_or("", |e| &rest[e..]);
                format!("{}{id}{after}\n", &l[..at + 10])
            }
            _ => format!("{l}\n"),
        })
        .collect();
    let mut parser = DotParser::new(&dot);
    let tree = parser.process().map_err(|e| format!("{e:?}"))?;
    let mut gb = GraphBuilder::new();
    gb.visit_graph(&tree);
    let mut vg = gb.get();
    let mut svg = SVGWriter::new();
    vg.do_it(false, false, false, &mut svg);
    Ok(svg.finalize())
}

/// `plinth drift`: a refresh-only comparison of state with the real objects.
/// Exit 0 when nothing changed outside plinth, 2 when something did, 1 on errors.
pub fn drift(dir: &Path, args: &Args) -> u8 {
    let run = match load_run(dir, args, "OperationTypeRefresh", false) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let opts = PlanOptions { mode: PlanMode::RefreshOnly, refresh: true, replace: Vec::new(), targets: Vec::new(), excludes: Vec::new() };
    let rt = runtime();
    let plan = match make_plan(&run, run.state.clone(), &rt, &opts) {
        Ok(p) => p,
        Err(c) => return c,
    };
    ui::report_diags(run.json, &run.wd.files, &run.warnings, run.color);
    let providers = run.wd.providers();
    let schema_of = schema_lookup(&providers);
    let drift = ui::plan::drift_changes(&run.state, &plan.prior_state, &schema_of);
    let changed = drift.iter().filter(|c| c.action == Action::Update).count();
    let deleted = drift.len() - changed;
    if run.json {
        for c in &drift {
            let action = if c.action == Action::Update { "update" } else { "delete" };
            ui::json::emit(
                "info",
                &format!("{}: Drift detected ({action})", c.addr),
                "resource_drift",
                serde_json::json!({ "change": { "resource": ui::json::resource_addr_json(&c.addr), "action": action } }),
            );
        }
        ui::json::emit(
            "info",
            &format!("Drift: {changed} changed, {deleted} deleted."),
            "drift_summary",
            serde_json::json!({ "drift": { "changed": changed, "deleted": deleted } }),
        );
    } else if drift.is_empty() {
        let p = ui::Paint { color: run.color };
        println!("\n{} {}\n", p.bold(&p.green("No changes.")), p.bold("Your infrastructure still matches the configuration."));
        println!("{}", ui::word_wrap("plinth has checked that the real remote objects still match the result of your most recent changes, and found no differences.", 78));
    } else {
        let p = ui::Paint { color: run.color };
        print!("{}", ui::plan::render_drift(&drift, &schema_of, true, &p));
        println!("\n{} {changed} changed, {deleted} deleted outside plinth.", p.bold("Drift:"));
    }
    if drift.is_empty() {
        0
    } else {
        2
    }
}
