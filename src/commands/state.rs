//! `state list|show|mv|rm|pull|push` and `force-unlock`.

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
            let state = match read(b, &ws) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let filters: Vec<Target> = rest.iter().filter_map(|t| t.parse().ok()).collect();
            for a in state.instance_addrs() {
                let keep = filters.is_empty()
                    || filters.iter().any(|f| match f {
                        Target::Module(m) => m.contains(&a.resource.module),
                        Target::Resource(r) => *r == a.resource,
                        Target::Instance(i) => *i == a,
                    });
                if keep {
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
                    println!("# {addr}:\n{}", serde_json::to_string_pretty(&o.attributes).unwrap_or_default());
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
        "rm" | "mv" => {
            let targets: Result<Vec<Target>, _> = rest.iter().map(|t| t.parse::<Target>()).collect();
            let Ok(targets) = targets else {
                eprintln!("\nError: Invalid address\n\nThe given addresses could not be parsed.");
                return 1;
            };
            let dry = args.bool("dry-run");
            let is_rm = sub == "rm";
            with_lock(b, &ws, args, "OperationTypeInvalid", |b| {
                let mut state = b.read(&ws).map_err(|e| e.to_string())?.unwrap_or_else(State::new);
                if is_rm {
                    if targets.is_empty() {
                        return Err("At least one address is required.".into());
                    }
                    let mut n = 0;
                    for t in &targets {
                        n += match t {
                            Target::Instance(i) => usize::from(state.remove_instance(i).is_some()),
                            Target::Resource(r) => usize::from(state.remove_resource(r).is_some()),
                            Target::Module(m) => state.remove_module(m),
                        };
                        println!("Removed {t}");
                    }
                    if n == 0 {
                        return Err("Invalid target address: no matching objects found.".into());
                    }
                    println!("Successfully removed {n} resource instance(s).");
                } else {
                    let [from, to] = targets.as_slice() else {
                        return Err("Exactly two arguments expected: a source and a destination address.".into());
                    };
                    state.move_target(from, to).map_err(|e| e.to_string())?;
                    println!("Move {from:?} to {to:?}\nSuccessfully moved 1 object(s).", from = from.to_string(), to = to.to_string());
                }
                if dry {
                    return Ok(());
                }
                state.bump_serial();
                b.write(&ws, &state).map_err(|e| e.to_string())
            })
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
        Some(e) if !force && !(e.is_empty() && e.outputs.is_empty()) => e,
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
