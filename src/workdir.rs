//! The working directory of a run: its configuration, input variables,
//! backend and workspace — everything commands share before the engine runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plinth_engine::graph::Graph;
use plinth_engine::tree::{load_tree, ConfigTree};
use plinth_engine::Providers;
use plinth_lang::EvalError;
use plinth_state::{Backend, DEFAULT_WORKSPACE};
use plinth_syntax::{Diagnostic, Files};
use plinth_value::Value;

use crate::args::Args;
use crate::backend_config::{self, BackendSpec};

pub struct Workdir {
    pub dir: PathBuf,
    pub files: Files,
    pub tree: ConfigTree,
}

/// Loads the configuration; parse and structure errors come back as diagnostics.
pub fn load(dir: &Path) -> (Workdir, Vec<Diagnostic>) {
    let mut files = Files::new();
    let (tree, mut diags) = load_tree(dir, &mut files);
    // `required_version` first: when a module rules this version out, its
    // other errors are only what a newer (or older) language would accept,
    // so they are not reported (as Terraform).
    let version_diags: Vec<Diagnostic> = tree
        .modules
        .iter()
        .flat_map(|m| {
            let addr = m.path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".");
            let source = m.parent.and_then(|p| tree.get(p).module.module_calls.get(m.path.last()?)).map(|c| c.source.clone());
            let call = source.as_deref().map(|s| (addr.as_str(), s));
            plinth_config::version::check_core_version(&m.module, crate::ui::json::TERRAFORM_VERSION, call)
        })
        .collect();
    if !version_diags.is_empty() {
        return (Workdir { dir: dir.to_path_buf(), files, tree }, version_diags);
    }
    // Arguments a module call passes that the module does not declare are
    // found when modules are installed, as with `terraform init`.
    for (id, m) in tree.modules.iter().enumerate() {
        for (name, call) in &m.module.module_calls {
            let Some(child) = tree.child(id, name) else { continue };
            for a in &call.args {
                if !tree.get(child).module.variables.contains_key(&a.name.name) {
                    diags.push(
                        Diagnostic::error("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name))
                            .with_subject(a.name.span)
                            .with_context(format!("module {name:?}")),
                    );
                }
            }
            // A variable without a default is required: the call must set it.
            for (vname, v) in &tree.get(child).module.variables {
                if v.default.is_none() && !call.args.iter().any(|a| a.name.name == *vname) {
                    diags.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!("The argument {vname:?} is required, but no definition was found."),
                        )
                        .with_subject(call.decl_span)
                        .with_context(format!("module {name:?}")),
                    );
                }
            }
        }
    }
    (Workdir { dir: dir.to_path_buf(), files, tree }, diags)
}

/// Whether `dir` holds any configuration file (Terraform's `IsConfigDir`):
/// without one, a plan would propose to destroy everything in state.
pub fn has_config_files(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    rd.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name();
        let n = name.to_string_lossy();
        !n.starts_with('.') && !n.starts_with('#') && !n.ends_with('~') && (n.ends_with(".tf") || n.ends_with(".tf.json"))
    })
}

impl Workdir {
    pub fn graph(&self) -> (Graph, Vec<Diagnostic>) {
        let (g, mut diags) = plinth_engine::graph::build(&self.tree);
        // Module-argument errors were already reported by `load`.
        diags.retain(|d| !(d.summary == "Unsupported argument" && d.context.is_none() && d.detail.starts_with("An argument named")));
        (g, diags)
    }

    /// The selected workspace (`.terraform/environment`, or `TF_WORKSPACE`).
    pub fn workspace(&self) -> String {
        if let Ok(ws) = std::env::var("TF_WORKSPACE") {
            if !ws.is_empty() {
                return ws;
            }
        }
        std::fs::read_to_string(self.dir.join(".terraform/environment"))
            .map(|s| s.trim().to_string())
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_WORKSPACE.to_string())
    }

    /// The backend settings in force (see [`backend_config::effective`]).
    pub fn backend_spec(&self) -> Result<BackendSpec, Diagnostic> {
        let configured = backend_config::from_block(self.tree.root().module.terraform.backend.as_ref())?;
        backend_config::effective(configured, &self.dir)
    }

    /// The configured backend, with state encryption configured from
    /// variables' defaults and `TF_VAR_*`.
    pub fn backend(&self) -> Result<Box<dyn Backend>, Diagnostic> {
        self.backend_with_vars(&BTreeMap::new())
    }

    /// The configured backend; `inputs` (from `input_variables`) may be
    /// referred to by the encryption configuration.
    pub fn backend_with_vars(&self, inputs: &BTreeMap<String, Value>) -> Result<Box<dyn Backend>, Diagnostic> {
        let spec = self.backend_spec()?;
        self.open_backend(&spec, inputs)
    }

    /// Opens `spec` with this configuration's state encryption.
    pub fn open_backend(&self, spec: &BackendSpec, inputs: &BTreeMap<String, Value>) -> Result<Box<dyn Backend>, Diagnostic> {
        let encryption = self.state_encryption(inputs)?;
        backend_config::open(spec, &self.dir, encryption).map_err(|e| Diagnostic::error("Failed to configure the backend", e))
    }

    /// The state encryptor (`terraform { encryption }`, `TF_ENCRYPTION`).
    pub fn state_encryption(&self, inputs: &BTreeMap<String, Value>) -> Result<Option<Arc<plinth_encryption::Encryptor>>, Diagnostic> {
        let mut vars = self.default_vars();
        vars.extend(inputs.iter().map(|(k, v)| (k.clone(), v.clone())));
        let block = self.tree.root().module.terraform.encryption.as_ref().map(|(b, _)| b);
        crate::encryption::state_encryptor(block, &vars)
    }

    /// Root variables' defaults, overridden by `TF_VAR_*` (for commands
    /// that don't read `-var` and `.tfvars`).
    fn default_vars(&self) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for (name, v) in &self.tree.root().module.variables {
            if let Some(Ok(val)) = v.default.as_ref().map(const_eval) {
                out.insert(name.clone(), val);
            }
            if let Ok(text) = std::env::var(format!("TF_VAR_{name}")) {
                out.insert(name.clone(), Value::string(text));
            }
        }
        out
    }

    /// Root input variable values from, in increasing precedence: `TF_VAR_*`,
    /// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)`,
    /// then `-var` / `-var-file` in command-line order; with the warnings
    /// (values for undeclared variables in files).
    pub fn input_variables(&mut self, args: &Args) -> Result<(BTreeMap<String, Value>, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut out = BTreeMap::new();
        let mut diags = Vec::new();
        let root_vars = self.tree.root().module.variables.clone();
        for (k, v) in std::env::vars() {
            if let Some(name) = k.strip_prefix("TF_VAR_") {
                if !root_vars.contains_key(name) {
                    continue;
                }
                match self.raw_value(name, &v, root_vars.get(name)) {
                    Ok(val) => {
                        out.insert(name.to_string(), val);
                    }
                    Err(d) => diags.extend(d),
                }
            }
        }
        let mut files: Vec<PathBuf> = Vec::new();
        for f in ["terraform.tfvars", "terraform.tfvars.json"] {
            let p = self.dir.join(f);
            if p.is_file() {
                files.push(p);
            }
        }
        let mut autos: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                    .collect()
            })
            .unwrap_or_default();
        autos.sort();
        files.extend(autos);
        for f in files {
            self.tfvars_file(&f, &mut out, &mut diags);
        }
        self.cli_variables_into(args, &mut out, &mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            Err(diags)
        } else {
            Ok((out, diags))
        }
    }

    /// The values `-var` and `-var-file` give, in order, into `out`.
    fn cli_variables_into(&mut self, args: &Args, out: &mut BTreeMap<String, Value>, diags: &mut Vec<Diagnostic>) {
        let root_vars = self.tree.root().module.variables.clone();
        for (is_file, v) in args.var_sources() {
            if is_file {
                let p = self.dir.join(&v);
                if !p.is_file() {
                    diags.push(Diagnostic::error("Failed to read variables file", format!("Given variables file {v} does not exist.")));
                    continue;
                }
                self.tfvars_file(&p, out, diags);
            } else {
                let Some((name, val)) = v.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {v:?} is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
                    ));
                    continue;
                };
                if !root_vars.contains_key(name) {
                    diags.push(Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named {name:?} was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
                    ));
                    continue;
                }
                match self.raw_value(name, val, root_vars.get(name)) {
                    Ok(x) => {
                        out.insert(name.to_string(), x);
                    }
                    Err(d) => diags.extend(d),
                }
            }
        }
    }

    /// Only the values `-var` and `-var-file` give (what applying a saved
    /// plan refuses to change).
    pub fn cli_variables(&mut self, args: &Args) -> Result<BTreeMap<String, Value>, Vec<Diagnostic>> {
        let (mut out, mut diags) = (BTreeMap::new(), Vec::new());
        self.cli_variables_into(args, &mut out, &mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            Err(diags)
        } else {
            Ok(out)
        }
    }

    fn raw_value(&mut self, name: &str, text: &str, origin_var: Option<&plinth_config::Variable>) -> Result<Value, Vec<Diagnostic>> {
        plinth_config::parse_variable_value(&mut self.files, name, text, origin_var)
    }

    fn tfvars_file(&mut self, path: &Path, out: &mut BTreeMap<String, Value>, diags: &mut Vec<Diagnostic>) {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error("Failed to read variables file", format!("Error reading {}: {e}", path.display())));
                return;
            }
        };
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let (values, file_diags) = plinth_config::parse_values_file(&mut self.files, name.clone(), text);
        diags.extend(file_diags);
        for v in values {
            if !self.tree.root().module.variables.contains_key(&v.name) {
                diags.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!("The root module does not declare a variable named {:?} but a value was found in file {name:?}. If you meant to use this value, add a \"variable\" block to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to provide certain \"global\" settings to all configurations in your organization. To reduce the verbosity of these warnings, use the -compact-warnings option.", v.name),
                    )
                    .with_subject(v.name_span),
                );
                continue;
            }
            out.insert(v.name, v.value);
        }
    }

    pub fn providers(&self) -> Providers {
        let mut p = providers_for(&self.dir);
        // Plugin providers: every other required provider (and built-in
        // addresses the user opted out of); an invalid source address is
        // reported by `init`.
        if let Ok(reqs) = crate::plugins::requirements(&self.tree) {
            crate::plugins::register(&mut p, &self.dir, &reqs);
        }
        p
    }
}

/// Every provider built into plinth, for a run in `dir` (plugin providers
/// are the configuration's: see [`crate::plugins::register`]).
pub fn providers_for(dir: &Path) -> Providers {
    let mut p = Providers::new();
    let dir = dir.to_path_buf();
    let backends: plinth_builtin::BackendFactory =
        Arc::new(move |kind: &str, config: &serde_json::Map<String, serde_json::Value>| backend_config::open_remote(kind, config, &dir));
    // Each provider is built when the run first asks for it.
    p.add_lazy("terraform", plinth_builtin::SOURCE, move || {
        Arc::new(plinth_builtin::TerraformProvider::new().with_backends(backends.clone()))
    });
    p.add_lazy("kubernetes", plinth_provider_kubernetes::SOURCE, || Arc::new(plinth_provider_kubernetes::KubernetesProvider::new()));
    p.add_lazy("tls", plinth_provider_tls::SOURCE, || Arc::new(plinth_provider_tls::TlsProvider::new()));
    p.add_lazy("random", plinth_provider_random::SOURCE, || Arc::new(plinth_provider_random::RandomProvider::new()));
    let mut functions = plinth_lang::functions::Registry::new();
    for (name, f) in plinth_provider_kubernetes::functions() {
        functions.add(name, f);
    }
    p.set_functions(functions);
    p.add_lazy("aws", plinth_provider_aws::SOURCE, || Arc::new(plinth_provider_aws::AwsProvider::new()));
    p
}

/// A literal value (variable defaults, backend settings): Terraform
/// evaluates these without a context, so calls and references are errors.
pub fn const_eval(e: &plinth_syntax::ast::Expr) -> Result<Value, EvalError> {
    plinth_lang::eval_literal(e)
}
