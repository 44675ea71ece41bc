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
    for o in root.outputs.values().filter(|o| o.ephemeral) {
        diags.push(
            Diagnostic::error("Ephemeral output not allowed", "Ephemeral outputs are not allowed in context of a root module")
                .with_subject(o.span),
        );
    }
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
    diags.extend(condition_checks(&tree));
    (tree, diags)
}

/// What Terraform checks of conditions when it loads a module: a
/// precondition, postcondition or `check` assertion must refer to something
/// (else it checks nothing), a variable's validation must refer to the
/// variable, and a `check` block needs an `assert`.
fn condition_checks(tree: &ConfigTree) -> Vec<Diagnostic> {
    use crate::refs::{references, RefTarget};
    let refers = |e: &plinth_syntax::ast::Expr| references(e).map_or(true, |r| !r.is_empty());
    let mut diags = Vec::new();
    let rule = |kind: &str, c: &plinth_config::Condition, context: String, diags: &mut Vec<Diagnostic>| {
        if !refers(&c.condition) {
            diags.push(
                Diagnostic::error(
                    format!("Invalid {kind} expression"),
                    "The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.",
                )
                .with_subject(c.condition.span)
                .with_context(context),
            );
        }
    };
    for m in &tree.modules {
        let module = &m.module;
        for v in module.variables.values() {
            let context = format!("variable {:?}", v.name);
            for c in &v.validations {
                rule("validation", c, context.clone(), &mut diags);
                let own = references(&c.condition).is_ok_and(|r| r.iter().any(|r| r.target == RefTarget::Var(v.name.clone())));
                if !own {
                    diags.push(
                        Diagnostic::error(
                            "Invalid variable validation condition",
                            format!(
                                "The condition for variable {:?} must refer to var.{} in order to test incoming values.",
                                v.name, v.name
                            ),
                        )
                        .with_subject(c.condition.span)
                        .with_context(context.clone()),
                    );
                }
            }
        }
        for r in module.resources.values() {
            let context = match r.mode {
                plinth_config::ResourceMode::Managed => format!("resource {:?} {:?}", r.type_name, r.name),
                plinth_config::ResourceMode::Data => format!("data {:?} {:?}", r.type_name, r.name),
            };
            for c in &r.lifecycle.preconditions {
                rule("precondition", c, context.clone(), &mut diags);
            }
            for c in &r.lifecycle.postconditions {
                rule("postcondition", c, context.clone(), &mut diags);
            }
        }
        for o in module.outputs.values() {
            for c in &o.preconditions {
                rule("precondition", c, format!("output {:?}", o.name), &mut diags);
            }
        }
        for ch in &module.checks {
            let mut valid = 0;
            for c in &ch.asserts {
                let before = diags.len();
                rule("assert", c, format!("check {:?}", ch.name), &mut diags);
                valid += usize::from(diags.len() == before);
            }
            if valid == 0 {
                diags.push(
                    Diagnostic::error("Zero assert blocks", "Check blocks must have at least one assert block.").with_subject(ch.span),
                );
            }
        }
    }
    diags
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
