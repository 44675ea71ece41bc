//! `state list|show|mv|rm|pull|push|replace-provider`, `taint`/`untaint` and `force-unlock`.

use std::path::Path;

use plinth_state::{Backend, LockInfo, State, Target};

use crate::args::Args;
use crate::{ui, workdir};

fn open(dir: &Path, args: &Args) -> Result<(Box<dyn Backend>, String), u8> {
    let color = ui::use_color(args.bool("no-color"));
    let (wd, _) = workdir::load(dir);
    match wd.backend() {
        Ok(b) => Ok((b, wd.workspace())),
        Err(d) => {
            ui::print_diags(&wd.files, &[d], color);
            Err(1)
        }
    }
}

fn read(b: &mut dyn Backend, ws: &str) -> Result<State, u8> {
    match b.read(ws) {
        Ok(s) => Ok(s.unwrap_or_else(State::new)),
        Err(e) => {
            eprintln!("\nError: Failed to load state\n\n{e}");
            Err(1)
        }
    }
}

pub fn run(dir: &Path, args: &Args) -> u8 {
    let Some((sub, rest)) = args.positional.split_first() else {
        eprintln!("Usage: plinth state <subcommand> [options] [args]\n\nSubcommands: list, mv, pull, push, rm, show");
        return 1;
    };
    let (mut backend, ws) = match open(dir, args) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let b = backend.as_mut();
    match sub.as_str() {
        "list" => {
            let state = match b.read(&ws) {
                Ok(Some(s)) => s,
                Ok(None) => {
                    eprintln!("{NO_STATE}");
                    return 1;
                }
                Err(e) => {
                    eprintln!("\nError: Failed to load state\n\n{e}");
                    return 1;
                }
            };
            let mut filters = Vec::new();
            for t in rest {
                match t.parse::<Target>() {
                    Ok(f) => filters.push(f),
                    Err(e) => {
                        eprintln!("\nError: Error parsing instance address: {t}\n\n{e}");
                        return 1;
                    }
                }
            }
            for f in &filters {
                if let Target::Resource(r) = f {
                    if state.resource(r).is_none() {
                        eprintln!("\nError: Unknown resource\n\nThe current state contains no resource {r}. If you've just added this resource to the configuration, you must run \"plinth apply\" first to create the resource's entry in the state.");
                        return 1;
                    }
                }
            }
            let id = args.flag("id");
            for a in state.instance_addrs() {
                let keep = filters.is_empty() || filters.iter().any(|f| target_matches(f, &a));
                let id_ok =
                    id.is_none_or(|want| state.current(&a).and_then(|o| o.attributes.get("id")).and_then(|v| v.as_str()) == Some(want));
                if keep && id_ok {
                    println!("{a}");
                }
            }
            0
        }
        "show" => {
            let state = match read(b, &ws) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let Some(addr) = rest.first().and_then(|a| a.parse::<plinth_state::AbsResourceInstance>().ok()) else {
                eprintln!("\nError: Invalid address\n\nExactly one resource instance address is required.");
                return 1;
            };
            match state.current(&addr) {
                Some(o) => {
                    let (wd, _) = crate::workdir::load(dir);
                    let providers = wd.providers();
                    let schema_of = super::output::schema_lookup(&providers);
                    let paddr = state.resource(&addr.resource).map(|r| r.provider.as_str()).unwrap_or_default();
                    let mut out = String::new();
                    let p = crate::ui::Paint { color: crate::ui::use_color(args.bool("no-color")) };
                    crate::ui::state::render_object(&mut out, &addr, o, None, schema_of(&addr, paddr), &p);
                    print!("{out}");
                    0
                }
                None => {
                    eprintln!("\nError: No instance found for the given address!\n\nThis command requires that the address references one specific instance.");
                    1
                }
            }
        }
        "pull" => {
            let state = match read(b, &ws) {
                Ok(s) => s,
                Err(c) => return c,
            };
            print!("{}", String::from_utf8_lossy(&plinth_state::statefile::to_bytes(&state)));
            0
        }
        "push" => {
            let Some(path) = rest.first() else {
                eprintln!("Usage: plinth state push PATH");
                return 1;
            };
            let bytes = if path == "-" {
                let mut v = Vec::new();
                let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut v);
                v
            } else {
                match std::fs::read(path) {
                    Ok(v) => v,
                    Err(e) => {
                        eprintln!("\nError: Failed to read {path}: {e}");
                        return 1;
                    }
                }
            };
            let new = match plinth_state::statefile::read_state(&bytes) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("\nError: Failed to load state\n\n{e}");
                    return 1;
                }
            };
            let force = args.bool("force");
            with_lock(b, &ws, args, "OperationTypeInvalid", |b| {
                push(b, &ws, &new, force).map_err(|e| format!("Failed to write state: {e}"))
            })
        }
        "rm" => {
            let targets = match parse_targets(rest) {
                Ok(t) => t,
                Err(c) => return c,
            };
            if targets.is_empty() {
                eprintln!("\nError: Invalid target address\n\nAt least one address is required.");
                return 1;
            }
            let dry = args.bool("dry-run");
            let mut lines = Vec::new();
            let code = with_lock(b, &ws, args, "OperationTypeInvalid", |b| {
                let mut state = read_existing(b, &ws)?;
                // Every address must match before anything is removed.
                let mut matched: Vec<plinth_state::AbsResourceInstance> = Vec::new();
                for t in &targets {
                    let found: Vec<_> = state.instance_addrs().filter(|a| target_matches(t, a)).collect();
                    if found.is_empty() {
                        return Err("Invalid target address\n\nNo matching objects found. To view the available instances, use \"plinth state list\". Please modify the address to reference a specific instance.".into());
                    }
                    for a in found {
                        if !matched.contains(&a) {
                            matched.push(a);
                        }
                    }
                }
                for a in &matched {
                    lines.push(format!("{} {a}", if dry { "Would remove" } else { "Removed" }));
                    if !dry {
                        state.remove_instance(a);
                    }
                }
                if dry {
                    return Ok(());
                }
                lines.push(format!("Successfully removed {} resource instance(s).", matched.len()));
                state.bump_serial();
                b.write(&ws, &state).map_err(|e| e.to_string())
            });
            if code == 0 {
                println!("{}", lines.join("\n"));
            }
            code
        }
        "mv" => {
            let targets = match parse_targets(rest) {
                Ok(t) => t,
                Err(c) => return c,
            };
            let [from, to] = targets.as_slice() else {
                eprintln!("Exactly two arguments expected.\n\nUsage: plinth [global options] state mv [options] SOURCE DESTINATION");
                return 1;
            };
            let dry = args.bool("dry-run");
            let code = with_lock(b, &ws, args, "OperationTypeInvalid", |b| {
                let mut state = read_existing(b, &ws)?;
                state.move_target(from, to).map_err(|e| match e {
                    plinth_state::MoveError::SourceMissing(_) => {
                        format!("Invalid source address\n\nCannot move {from}: does not match anything in the current state.")
                    }
                    plinth_state::MoveError::DestinationExists(_) => format!(
                        "Invalid target address\n\nCannot move to {to}: there is already a resource instance at that address in the current state."
                    ),
                    other => format!("Invalid state move request\n\n{other}"),
                })?;
                if dry {
                    return Ok(());
                }
                state.bump_serial();
                b.write(&ws, &state).map_err(|e| e.to_string())
            });
            if code == 0 {
                if dry {
                    println!("Would move {:?} to {:?}", from.to_string(), to.to_string());
                } else {
                    println!("Move {:?} to {:?}\nSuccessfully moved 1 object(s).", from.to_string(), to.to_string());
                }
            }
            code
        }
        "replace-provider" => {
            let [from, to] = rest else {
                eprintln!("Exactly two arguments expected.\n\nUsage: plinth [global options] state replace-provider [options] FROM_PROVIDER_FQN TO_PROVIDER_FQN");
                return 1;
            };
            let (Some(from), Some(to)) = (provider_fqn(from), provider_fqn(to)) else {
                eprintln!("\nError: Invalid provider address\n\nThe provider addresses must be of the form [HOSTNAME/]NAMESPACE/TYPE.");
                return 1;
            };
            let approved = args.bool("auto-approve");
            let mut lines = Vec::new();
            let code = with_lock(b, &ws, args, "OperationTypeInvalid", |b| {
                let mut state = read_existing(b, &ws)?;
                let old = format!("provider[\"{from}\"]");
                let matching: Vec<plinth_state::AbsResource> = state
                    .resources()
                    .filter(|(_, rs)| rs.provider == old || rs.provider.starts_with(&format!("{old}.")))
                    .map(|(a, _)| a)
                    .collect();
                if matching.is_empty() {
                    lines.push("No matching resources found.".to_string());
                    return Ok(());
                }
                if !approved {
                    return Err("Approval required\n\nReplacing providers in the state needs confirmation, and plinth cannot ask for it here: use -auto-approve.".into());
                }
                for a in &matching {
                    state.set_resource_provider(a, &format!("provider[\"{to}\"]"));
                }
                lines.push(format!(
                    "plinth will perform the following actions:\n\n  ~ Updating provider:\n    - {from}\n    + {to}\n\nChanged {} resource(s):\n\n{}\n",
                    matching.len(),
                    matching.iter().map(|a| format!("  {a}")).collect::<Vec<_>>().join("\n")
                ));
                lines.push(format!("Successfully replaced provider for {} resource(s).", matching.len()));
                state.bump_serial();
                b.write(&ws, &state).map_err(|e| e.to_string())
            });
            if code == 0 {
                println!("{}", lines.join("\n"));
            }
            code
        }
        other => {
            eprintln!("plinth state has no subcommand {other:?}.");
            1
        }
    }
}

/// `state push`: Terraform's `CheckValidImport` unless `force`. Any state
/// may replace one with no resources and no outputs; otherwise the lineage
/// must match, the serial must not be older, and a state of the same serial
/// must be the same state.
fn push(b: &mut dyn Backend, ws: &str, new: &State, force: bool) -> Result<(), String> {
    let existing = b.read(ws).map_err(|e| e.to_string())?;
    let existing = match existing {
        Some(e) if !(force || e.is_empty() && e.outputs.is_empty()) => e,
        _ => return b.replace(ws, new).map_err(|e| e.to_string()),
    };
    if new.lineage != existing.lineage {
        return Err(format!("cannot import state with lineage {:?} over unrelated state with lineage {:?}", new.lineage, existing.lineage));
    }
    if new.serial < existing.serial {
        return Err(format!("cannot import state with serial {} over newer state with serial {}", new.serial, existing.serial));
    }
    if new.serial == existing.serial {
        let content = |s: &State| {
            let mut s = s.clone();
            s.terraform_version = String::new();
            plinth_state::statefile::to_bytes(&s)
        };
        if content(new) != content(&existing) {
            return Err(format!(
                "cannot overwrite existing state with serial {} with a different state that has the same serial",
                new.serial
            ));
        }
        return Ok(());
    }
    b.write(ws, new).map_err(|e| e.to_string())
}

const NO_STATE: &str = "No state file was found!\n\nState management commands require a state file. Run this command\nin a directory where plinth has been run or use the -state flag\nto point the command to a specific state location.";

/// The workspace's state for a command that changes it: none is an error.
fn read_existing(b: &mut dyn Backend, ws: &str) -> Result<State, String> {
    match b.read(ws) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(NO_STATE.to_string()),
        Err(e) => Err(format!("Failed to load state\n\n{e}")),
    }
}

fn parse_targets(rest: &[String]) -> Result<Vec<Target>, u8> {
    let mut out = Vec::new();
    for t in rest {
        match t.parse::<Target>() {
            Ok(x) => out.push(x),
            Err(e) => {
                eprintln!("\nError: Invalid target address\n\nError parsing {t:?}: {e}");
                return Err(1);
            }
        }
    }
    Ok(out)
}

fn target_matches(f: &Target, a: &plinth_state::AbsResourceInstance) -> bool {
    match f {
        Target::Module(m) => m.contains(&a.resource.module),
        Target::Resource(r) => *r == a.resource,
        Target::Instance(i) => i == a,
    }
}

/// `hashicorp/aws` or `registry.terraform.io/hashicorp/aws` → the full
/// source address.
fn provider_fqn(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('/').collect();
    let ok = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    match parts.as_slice() {
        [ns, ty] if ok(ns) && ok(ty) => Some(format!("registry.terraform.io/{ns}/{ty}")),
        [host, ns, ty] if ok(host) && ok(ns) && ok(ty) => Some(format!("{host}/{ns}/{ty}")),
        _ => None,
    }
}

fn with_lock(b: &mut dyn Backend, ws: &str, args: &Args, op: &str, f: impl FnOnce(&mut dyn Backend) -> Result<(), String>) -> u8 {
    let id = if args.bool_or("lock", true) {
        let timeout = args.duration("lock-timeout");
        match b.lock(ws, LockInfo::new(op), timeout) {
            Ok(id) => Some(id),
            Err(e) => {
                eprintln!("\nError: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    let mut r = f(b);
    if let Some(id) = id {
        if let Err(e) = b.unlock(ws, &id) {
            let msg = format!(
                "{e}\n\nplinth failed to release the state lock; run \"plinth force-unlock {id}\" once nobody else is using the state."
            );
            r = match r {
                Ok(()) => Err(msg),
                Err(first) => Err(format!("{first}\n\nError: {msg}")),
            };
        }
    }
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("\nError: {e}");
            1
        }
    }
}

pub fn force_unlock(dir: &Path, args: &Args) -> u8 {
    let Some(id) = args.positional.first() else {
        eprintln!("Usage: plinth force-unlock LOCK_ID");
        return 1;
    };
    let (mut backend, ws) = match open(dir, args) {
        Ok(x) => x,
        Err(c) => return c,
    };
    match backend.force_unlock(&ws, id) {
        Ok(()) => {
            println!("plinth state has been successfully unlocked!");
            0
        }
        Err(e) => {
            eprintln!("\nError: Failed to unlock state: {e}");
            1
        }
    }
}

/// `taint ADDR` / `untaint ADDR`: marks an instance's current object as
/// tainted (replaced by the next apply) or ready again.
pub fn taint(dir: &Path, args: &Args, taint: bool) -> u8 {
    let verb = if taint { "taint" } else { "untaint" };
    let [addr] = args.positional.as_slice() else {
        eprintln!("The {verb} command expects exactly one argument.");
        return 1;
    };
    let Ok(addr) = addr.parse::<plinth_state::AbsResourceInstance>() else {
        eprintln!("\nError: Invalid address\n\nThe given address {addr:?} is not a resource instance address.");
        return 1;
    };
    if addr.resource.resource.mode == plinth_state::ResourceMode::Data {
        eprintln!(
            "\nError: Invalid resource address\n\nResource instance {addr} cannot be {verb}ed: data resources are not tracked for changes."
        );
        return 1;
    }
    let (mut backend, ws) = match open(dir, args) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let allow_missing = args.bool("allow-missing");
    let mut outcome = String::new();
    let code = with_lock(backend.as_mut(), &ws, args, "OperationTypeInvalid", |b| {
        let mut state = b.read(&ws).map_err(|e| format!("Failed to load state\n\n{e}"))?.unwrap_or_else(State::new);
        let Some(mut obj) = state.current(&addr).cloned() else {
            if allow_missing {
                outcome = format!("\nWarning: No such resource instance\n\nResource instance {addr} was not found, but this is not an error because -allow-missing was set.");
                return Ok(());
            }
            if state.instance_count() == 0 {
                return Err("No such resource instance\n\nThe state currently contains no resource instances whatsoever. This may occur if the configuration has never been applied or if it has recently been destroyed.".into());
            }
            return Err(format!("No such resource instance\n\nThere is no resource instance in the state with the address {addr}. If the resource configuration has just been added, you must run \"plinth apply\" once to create the corresponding instance(s) before they can be tainted."));
        };
        if !taint && obj.status != plinth_state::ObjectStatus::Tainted {
            return Err(format!(
                "Resource instance is not tainted\n\nResource instance {addr} is not currently tainted, and so it cannot be untainted."
            ));
        }
        obj.status = if taint { plinth_state::ObjectStatus::Tainted } else { plinth_state::ObjectStatus::Ready };
        let provider = state.resource(&addr.resource).map(|r| r.provider.clone()).unwrap_or_default();
        state.set_current(&addr, Some(obj), &provider);
        state.bump_serial();
        b.write(&ws, &state).map_err(|e| e.to_string())?;
        outcome = if taint {
            format!("Resource instance {addr} has been marked as tainted.")
        } else {
            format!("Resource instance {addr} has been successfully untainted.")
        };
        Ok(())
    });
    if code == 0 {
        if outcome.starts_with('\n') {
            eprintln!("{outcome}");
        } else {
            println!("{outcome}");
        }
    }
    code
}
