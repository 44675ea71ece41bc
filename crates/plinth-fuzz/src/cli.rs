//! The binary's path through a module directory, without the binary: load
//! the configuration (`plinth_engine::tree::load_tree`), read variables
//! (`terraform.tfvars`, `*.auto.tfvars(.json)` and `-var` values, through
//! `plinth_config`), build the graph and plan against empty state with the
//! built-in `terraform` provider (plus `random`, which plans locally).
//! [`run_dir`] returns every diagnostic with its file and line, so the
//! hostile corpus can check both that nothing crashes and where errors point.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use plinth_engine::{PlanOptions, Providers};
use plinth_syntax::{Diagnostic, Files};
use plinth_value::Value;

/// One diagnostic, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub error: bool,
    pub summary: String,
    pub detail: String,
    /// The subject's file name and 1-based line.
    pub at: Option<(String, usize)>,
}

impl Located {
    /// One line: `E|W <file>:<line> <summary>`.
    pub fn line(&self) -> String {
        let at = self.at.as_ref().map_or("-".to_string(), |(f, l)| format!("{f}:{l}"));
        format!("{} {at} {}", if self.error { "E" } else { "W" }, self.summary.replace('\n', " "))
    }
}

/// What a run over a directory reported, and whether it got to a plan.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    pub diags: Vec<Located>,
    pub planned: bool,
}

fn locate(files: &Files, d: &Diagnostic) -> Located {
    let at = d.subject.and_then(|s| files.get(s.file).map(|(name, _)| (name.to_string(), files.pos(s.file, s.start as usize).line)));
    Located { error: d.is_error(), summary: d.summary.clone(), detail: d.detail.clone(), at }
}

/// Loads, reads variables, graphs and plans `dir` (`vars` as `-var NAME=VALUE`).
pub fn run_dir(dir: &Path, vars: &[(String, String)]) -> RunReport {
    let mut files = Files::new();
    let (tree, mut diags) = plinth_engine::tree::load_tree(dir, &mut files);
    let mut report = RunReport::default();
    let done = |files: &Files, diags: &[Diagnostic], mut report: RunReport| {
        report.diags = diags.iter().map(|d| locate(files, d)).collect();
        report
    };
    if diags.iter().any(Diagnostic::is_error) {
        return done(&files, &diags, report);
    }
    let mut inputs: BTreeMap<String, Value> = BTreeMap::new();
    let mut var_files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    n == "terraform.tfvars"
                        || n == "terraform.tfvars.json"
                        || n.ends_with(".auto.tfvars")
                        || n.ends_with(".auto.tfvars.json")
                })
                .collect()
        })
        .unwrap_or_default();
    var_files.sort();
    for p in var_files {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        match std::fs::read(&p) {
            Ok(text) => {
                let (values, d) = plinth_config::parse_values_file(&mut files, name, text);
                diags.extend(d);
                inputs.extend(values.into_iter().map(|v| (v.name, v.value)));
            }
            Err(e) => diags.push(Diagnostic::error("Failed to read variables file", format!("Error reading {}: {e}", p.display()))),
        }
    }
    let root_vars = tree.root().module.variables.clone();
    for (name, text) in vars {
        match plinth_config::parse_variable_value(&mut files, name, text, root_vars.get(name)) {
            Ok(v) => {
                inputs.insert(name.clone(), v);
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return done(&files, &diags, report);
    }
    let (graph, gd) = plinth_engine::graph::build(&tree);
    diags.extend(gd);
    if diags.iter().any(Diagnostic::is_error) {
        return done(&files, &diags, report);
    }
    let mut providers = Providers::new();
    providers.add("terraform", plinth_builtin::SOURCE, Arc::new(plinth_builtin::TerraformProvider::new()));
    providers.add("random", plinth_provider_random::SOURCE, Arc::new(plinth_provider_random::RandomProvider::new()));
    let ctx = plinth_engine::Context {
        tree: &tree,
        graph: &graph,
        providers: &providers,
        inputs: &inputs,
        workspace: "default",
        root_dir: dir.to_path_buf(),
        files: &files,
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            diags.push(Diagnostic::error("No runtime", e.to_string()));
            return done(&files, &diags, report);
        }
    };
    match rt.block_on(plinth_engine::plan(&ctx, plinth_state::State::default(), &PlanOptions::default())) {
        Ok(plan) => {
            report.planned = true;
            std::hint::black_box(plan.counts());
        }
        Err(ds) => diags.extend(ds),
    }
    done(&files, &diags, report)
}
