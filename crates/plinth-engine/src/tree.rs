//! The configuration tree: the root module and every module it calls, loaded
//! recursively from local `source` paths. Modules are identified by their
//! static path (call names, no instance keys) and indexed by [`ModuleId`].

use std::path::{Path, PathBuf};

use plinth_config::{load_module, Module};
use plinth_syntax::{Diagnostic, Files};

pub type ModuleId = usize;

pub struct ModuleNode {
    /// Call names from the root: `[]` for the root, `["network", "subnets"]`.
    pub path: Vec<String>,
    pub module: Module,
    pub parent: Option<ModuleId>,
    /// Child module ids by call name.
    pub children: std::collections::BTreeMap<String, ModuleId>,
}

pub struct ConfigTree {
    pub modules: Vec<ModuleNode>,
}

impl ConfigTree {
    pub fn root(&self) -> &ModuleNode {
        &self.modules[0]
    }
    pub fn get(&self, id: ModuleId) -> &ModuleNode {
        &self.modules[id]
    }
    pub fn child(&self, id: ModuleId, name: &str) -> Option<ModuleId> {
        self.modules[id].children.get(name).copied()
    }
}

const MAX_DEPTH: usize = 64;

/// Loads the root module in `dir` and, depth first, every local child module.
pub fn load_tree(dir: &Path, files: &mut Files) -> (ConfigTree, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (root, d) = load_module(dir, files);
    diags.extend(d);
    let mut tree = ConfigTree { modules: vec![ModuleNode { path: Vec::new(), module: root, parent: None, children: Default::default() }] };
    let mut queue = vec![0usize];
    while let Some(id) = queue.pop() {
        let calls: Vec<_> = tree.modules[id].module.module_calls.values().cloned().collect();
        let base = tree.modules[id].module.dir.clone();
        for call in calls {
            if tree.modules[id].path.len() >= MAX_DEPTH {
                diags.push(
                    Diagnostic::error("Module nesting too deep", "Modules may be nested at most 64 levels deep.")
                        .with_subject(call.decl_span),
                );
                continue;
            }
            if !(call.source.starts_with("./") || call.source.starts_with("../")) {
                diags.push(
                    Diagnostic::error(
                        "Module not installed",
                        format!("This module's source {:?} is not a local path; plinth only supports local module sources (\"./...\" or \"../...\").", call.source),
                    )
                    .with_subject(call.source_span),
                );
                continue;
            }
            let child_dir: PathBuf = normalize(&base.join(&call.source));
            if !child_dir.is_dir() {
                diags.push(
                    Diagnostic::error(
                        "Unreadable module directory",
                        format!("The directory {} does not exist or cannot be read.", child_dir.display()),
                    )
                    .with_subject(call.source_span),
                );
                continue;
            }
            let (m, d) = load_module(&child_dir, files);
            diags.extend(d);
            let mut path = tree.modules[id].path.clone();
            path.push(call.name.clone());
            tree.modules.push(ModuleNode { path, module: m, parent: Some(id), children: Default::default() });
            let cid = tree.modules.len() - 1;
            tree.modules[id].children.insert(call.name.clone(), cid);
            queue.push(cid);
        }
    }
    (tree, diags)
}

/// Lexically removes `.` and `..` components, as Terraform reports module paths.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                // `..` cancels a directory name, never another `..` (a
                // relative path may climb more than one level).
                if matches!(out.components().next_back(), Some(std::path::Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn normalize_climbs_more_than_one_level() {
        assert_eq!(super::normalize(Path::new("./../../modules/cluster")), Path::new("../../modules/cluster"));
        assert_eq!(super::normalize(Path::new("a/b/../../c")), Path::new("c"));
        assert_eq!(super::normalize(Path::new("a/../../c")), Path::new("../c"));
        assert_eq!(super::normalize(Path::new("/x/y/../z")), Path::new("/x/z"));
    }
}
