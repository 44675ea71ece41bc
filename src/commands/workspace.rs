//! `workspace new|list|select|show|delete`.

use std::path::Path;

use plinth_state::{State, DEFAULT_WORKSPACE};

use crate::args::Args;
use crate::workdir;

pub fn run(dir: &Path, args: &Args) -> u8 {
    let (wd, _) = workdir::load(dir);
    let mut backend = match wd.backend() {
        Ok(b) => b,
        Err(d) => {
            eprintln!("\nError: {}", d.summary);
            return 1;
        }
    };
    let current = wd.workspace();
    let select = |name: &str| -> u8 {
        let _ = std::fs::create_dir_all(dir.join(".terraform"));
        match std::fs::write(dir.join(".terraform/environment"), name) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("\nError: {e}");
                1
            }
        }
    };
    let sub = args.positional.first().map(String::as_str).unwrap_or("");
    let name = args.positional.get(1).cloned();
    match sub {
        "show" => {
            println!("{current}");
            0
        }
        "list" => {
            let ws = backend.workspaces().unwrap_or_else(|_| vec![DEFAULT_WORKSPACE.to_string()]);
            for w in ws {
                println!("{} {w}", if w == current { "*" } else { " " });
            }
            0
        }
        "new" | "select" | "delete" => {
            let Some(name) = name else {
                eprintln!("Expected a single argument: NAME.");
                return 1;
            };
            if !valid_name(&name) {
                eprintln!("\nThe workspace name {name:?} is not allowed. The name must contain only URL safe\ncharacters, contain no path separators, and not be an empty string.\n");
                return 1;
            }
            let exists = backend.workspaces().unwrap_or_default().contains(&name);
            match sub {
                "new" => {
                    if exists {
                        // Terraform's words, plain on stderr (no diagnostic).
                        eprintln!("Workspace {name:?} already exists");
                        return 1;
                    }
                    if let Err(e) = backend.write(&name, &State::new()) {
                        eprintln!("\nError: {e}");
                        return 1;
                    }
                    println!("Created and switched to workspace {name:?}!");
                    select(&name)
                }
                "select" => {
                    if !exists && !args.bool("or-create") {
                        eprintln!("{}", no_such(&name));
                        return 1;
                    }
                    if !exists {
                        let _ = backend.write(&name, &State::new());
                    }
                    println!("Switched to workspace {name:?}.");
                    select(&name)
                }
                _ => {
                    if name == DEFAULT_WORKSPACE {
                        eprintln!("Cannot delete the default workspace");
                        return 1;
                    }
                    if !exists {
                        eprintln!("{}", no_such(&name));
                        return 1;
                    }
                    if name == current {
                        eprintln!("Workspace {name:?} is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again.");
                        return 1;
                    }
                    let tracked: Vec<String> = match backend.read(&name) {
                        Ok(Some(st)) => st
                            .instance_addrs()
                            .filter(|a| a.resource.resource.mode == plinth_state::ResourceMode::Managed)
                            .map(|a| a.to_string())
                            .collect(),
                        Ok(None) => Vec::new(),
                        Err(e) => {
                            eprintln!("\nError: Error loading state: {e}");
                            return 1;
                        }
                    };
                    let force = args.bool("force");
                    if !tracked.is_empty() && !force {
                        let list: String = tracked.iter().map(|a| format!("\n  - {a}")).collect();
                        eprintln!("\nError: Workspace is not empty\n\nWorkspace {name:?} is currently tracking the following resource instances:{list}\n\nDeleting this workspace would cause plinth to lose track of any associated\nremote objects, which would then require you to delete them manually outside\nof plinth. You should destroy these objects with plinth before deleting\nthe workspace.\n\nIf you want to delete this workspace anyway, and have plinth forget about\nthese managed objects, use the -force option to disable this safety check.");
                        return 1;
                    }
                    match backend.delete_workspace(&name, force) {
                        Ok(()) => {
                            println!("Deleted workspace {name:?}!");
                            if !tracked.is_empty() {
                                println!("WARNING: {name:?} was non-empty.\nThe resources managed by the deleted workspace may still exist,\nbut are no longer manageable by plinth since the state has\nbeen deleted.");
                            }
                            0
                        }
                        Err(e) => {
                            eprintln!("\nError: {e}");
                            1
                        }
                    }
                }
            }
        }
        _ => {
            eprintln!("Usage: plinth workspace <new|list|select|show|delete> [NAME]");
            1
        }
    }
}

/// Terraform's rule: a workspace name is non-empty and survives URL path
/// escaping unchanged (no separators, spaces or other reserved characters).
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~$&+,;=:@".contains(&b))
}

/// Terraform's message for a workspace that does not exist (its trailing
/// space included).
fn no_such(name: &str) -> String {
    format!("Workspace {name:?} doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.")
}
