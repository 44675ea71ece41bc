//! `init`: checks the configuration and its modules, prepares `.terraform/`,
//! and configures the backend: `-backend-config` (partial configuration),
//! `-migrate-state` (copy every workspace's state from the previous backend),
//! `-reconfigure` (forget the previous backend).

use std::path::Path;
use std::time::Duration;

use plinth_state::{Backend, LockInfo};
use plinth_syntax::Diagnostic;

use crate::args::Args;
use crate::backend_config::{self, BackendSpec};
use crate::{ui, workdir};

pub fn run(dir: &Path, args: &Args) -> u8 {
    let color = ui::use_color(args.bool("no-color"));
    let (mut wd, diags) = workdir::load(dir);
    if diags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &diags, color);
        eprintln!("\nError: plinth encountered problems during initialisation.");
        return 1;
    }
    let fail = |wd: &workdir::Workdir, d: Diagnostic| {
        ui::print_diags(&wd.files, &[d], color);
        1
    };
    let mut spec = match backend_config::from_block(wd.tree.root().module.terraform.backend.as_ref()) {
        Ok(s) => s,
        Err(d) => return fail(&wd, d),
    };
    let overrides = args.all("backend-config");
    if !overrides.is_empty() && wd.tree.root().module.terraform.backend.is_none() {
        return fail(
            &wd,
            Diagnostic::error(
                "Invalid backend configuration argument",
                "The -backend-config option is only valid when a backend block is present in the configuration.",
            ),
        );
    }
    if let Err(d) = backend_config::apply_overrides(&mut spec, dir, &overrides) {
        return fail(&wd, d);
    }
    let inputs = match wd.input_variables(args) {
        Ok((i, _)) => i,
        Err(ds) => {
            ui::print_diags(&wd.files, &ds, color);
            return 1;
        }
    };
    // A provider that cannot be installed (a package whose checksum the lock
    // file does not list, none at all) fails init before anything is written.
    if let Err(code) = check_providers(&wd, dir, args.bool("upgrade"), color) {
        return code;
    }
    if let Err(e) = std::fs::create_dir_all(dir.join(".terraform")) {
        eprintln!("\nError: Failed to create .terraform directory: {e}");
        return 1;
    }
    if wd.tree.modules.len() > 1 {
        println!("Initializing modules...");
    }
    println!("\nInitializing the backend...");

    let mut new = match wd.open_backend(&spec, &inputs) {
        Ok(b) => b,
        Err(d) => return fail(&wd, d),
    };
    let saved = match backend_config::read_saved(dir) {
        Ok(s) => s,
        Err(d) => return fail(&wd, d),
    };
    let previous = saved.unwrap_or_else(BackendSpec::implicit_local);
    let reconfigure = args.bool("reconfigure");
    let migrate = args.bool("migrate-state") || args.bool("force-copy");
    if reconfigure && migrate {
        return fail(&wd, Diagnostic::error("Invalid init options", "The -migrate-state and -reconfigure options are mutually-exclusive."));
    }
    if !reconfigure && !previous.same_as(&spec) {
        let mut old = match wd.open_backend(&previous, &inputs) {
            Ok(b) => b,
            Err(d) => return fail(&wd, d),
        };
        let has_state = match has_state(old.as_mut()) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("\nError: Error loading the state of the previous backend ({:?}): {e}", previous.kind);
                return 1;
            }
        };
        if has_state {
            if !migrate {
                eprintln!(
                    "\nError: Backend configuration changed\n\nA change in the backend configuration has been detected, which may require\nmigrating existing state.\n\nIf you wish to attempt automatic migration of the state, use \"plinth init -migrate-state\".\nIf you wish to store the current configuration with no changes to the state, use \"plinth init -reconfigure\"."
                );
                return 1;
            }
            let timeout = args.duration("lock-timeout");
            let lock = args.bool_or("lock", true);
            match migrate_all(old.as_mut(), new.as_mut(), lock, timeout) {
                Ok(n) => println!(
                    "Successfully migrated {n} workspace state(s) from the {:?} backend to the {:?} backend.",
                    previous.kind, spec.kind
                ),
                Err(e) => {
                    eprintln!(
                        "\nError: Error migrating the workspace states from the {:?} backend to the {:?} backend:\n\n{e}",
                        previous.kind, spec.kind
                    );
                    return 1;
                }
            }
        }
    }
    drop(new);
    if let Err(e) = backend_config::write_saved(dir, &spec) {
        eprintln!("\nError: Failed to save the backend configuration in {}: {e}", backend_config::SAVED_PATH);
        return 1;
    }
    if !spec.is_implicit_local() {
        println!(
            "\n{}",
            ui::bold(&format!("Successfully configured the backend {:?}! plinth will automatically\nuse this backend unless the backend configuration changes.", spec.kind), color)
        );
    }
    println!("\nInitializing provider plugins...");
    if let Err(code) = init_providers(&wd, dir, args.bool("upgrade"), color) {
        return code;
    }
    println!("\n{}", ui::bold("plinth has been successfully initialized!", color));
    ui::print_diags(&wd.files, &diags, color);
    0
}

/// Chooses and verifies the plugin providers as [`init_providers`] does,
/// changing nothing; on an error prints what init would have printed.
fn check_providers(wd: &workdir::Workdir, dir: &Path, upgrade: bool, color: bool) -> Result<(), u8> {
    use plinth_provider_plugin::install;
    let mut said = Vec::new();
    let fail = |said: &[String], summary: &str, detail: &str| {
        println!("\nInitializing provider plugins...");
        for l in said {
            println!("{l}");
        }
        ui::print_diags(&wd.files, &[Diagnostic::error(summary, detail)], color);
        1
    };
    let by_addr = match plugin_requirements(wd) {
        Ok(r) => r,
        Err(e) => return Err(fail(&said, "Invalid provider source address", &e)),
    };
    if by_addr.is_empty() {
        return Ok(());
    }
    let sources = install::sources(dir).map_err(|e| fail(&said, "Invalid CLI configuration", &e))?;
    let mut say = |line: String| said.push(line);
    match install::resolve_providers(dir, &sources, &by_addr, upgrade, &mut say) {
        Ok(_) => Ok(()),
        Err(e) => Err(fail(&said, &e.summary, &e.detail)),
    }
}

/// The plugin providers the configuration requires, one per address.
fn plugin_requirements(wd: &workdir::Workdir) -> Result<Vec<plinth_provider_plugin::install::Requirement>, String> {
    use plinth_provider_plugin::install;
    let reqs = crate::plugins::requirements(&wd.tree)?;
    // One requirement per address, whatever local names it goes by.
    let mut by_addr: Vec<install::Requirement> = Vec::new();
    for r in reqs.into_values() {
        match by_addr.iter_mut().find(|h| h.addr == r.addr) {
            Some(h) => {
                if let Some(c) = r.constraints {
                    h.constraints = Some(match h.constraints.take() {
                        Some(have) => format!("{have}, {c}"),
                        None => c,
                    });
                }
            }
            None => by_addr.push(r),
        }
    }
    by_addr.sort_by(|a, b| a.addr.cmp(&b.addr));
    Ok(by_addr)
}

/// Installs the plugin providers the configuration requires and writes the
/// dependency lock file (built-in providers need neither).
fn init_providers(wd: &workdir::Workdir, dir: &Path, upgrade: bool, color: bool) -> Result<(), u8> {
    use plinth_provider_plugin::install;
    let fail = |summary: &str, detail: &str| {
        ui::print_diags(&wd.files, &[Diagnostic::error(summary, detail)], color);
        1
    };
    let by_addr = plugin_requirements(wd).map_err(|e| fail("Invalid provider source address", &e))?;
    if by_addr.is_empty() {
        return Ok(());
    }
    let had_lock = dir.join(install::LOCK_FILE).exists();
    let sources = install::sources(dir).map_err(|e| fail("Invalid CLI configuration", &e))?;
    let mut say = |line: String| println!("{line}");
    install::init_providers(dir, &sources, &by_addr, upgrade, &mut say).map_err(|e| fail(&e.summary, &e.detail))?;
    if !had_lock {
        println!(
            "\nplinth has created a lock file {} to record the provider\nselections it made above. Include this file in your version control repository\nso that plinth can guarantee to make the same selections by default when\nyou run \"plinth init\" in the future.",
            ui::bold(install::LOCK_FILE, color)
        );
    }
    Ok(())
}

fn has_state(b: &mut dyn Backend) -> Result<bool, String> {
    for ws in b.workspaces().map_err(|e| e.to_string())? {
        if ws != plinth_state::DEFAULT_WORKSPACE {
            return Ok(true);
        }
        if b.read(&ws).map_err(|e| e.to_string())?.is_some_and(|s| !s.is_empty()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Copies every workspace's state, each under both backends' locks.
fn migrate_all(from: &mut dyn Backend, to: &mut dyn Backend, lock: bool, timeout: Duration) -> Result<usize, String> {
    let mut n = 0;
    for ws in from.workspaces().map_err(|e| e.to_string())? {
        let locks = if lock {
            let a = from.lock(&ws, LockInfo::new("migration source state"), timeout).map_err(|e| e.to_string())?;
            match to.lock(&ws, LockInfo::new("migration destination state"), timeout) {
                Ok(b) => Some((a, b)),
                Err(e) => {
                    let _ = from.unlock(&ws, &a);
                    return Err(e.to_string());
                }
            }
        } else {
            None
        };
        let result = copy_one(from, to, &ws);
        if let Some((a, b)) = locks {
            let _ = to.unlock(&ws, &b);
            let _ = from.unlock(&ws, &a);
        }
        if result? {
            n += 1;
        }
    }
    Ok(n)
}

fn copy_one(from: &mut dyn Backend, to: &mut dyn Backend, ws: &str) -> Result<bool, String> {
    let Some(state) = from.read(ws).map_err(|e| e.to_string())? else {
        return Ok(false);
    };
    if let Some(existing) = to.read(ws).map_err(|e| e.to_string())? {
        if !existing.is_empty() && existing.lineage != state.lineage {
            return Err(format!(
                "The destination already has a state for workspace {ws:?} from another lineage ({}); plinth won't overwrite it. Remove it, or use -reconfigure to keep using it.",
                existing.lineage
            ));
        }
        if existing.is_empty() && existing.lineage != state.lineage {
            // An empty placeholder (e.g. `workspace new`): replace it.
            to.delete_workspace(ws, true).ok();
        }
    }
    to.write(ws, &state).map_err(|e| format!("workspace {ws:?}: {e}"))?;
    Ok(true)
}
