//! Which backend a working directory uses, and with what settings.
//!
//! As in Terraform, `init` decides: it merges the `backend` block with
//! `-backend-config` values and records the result in
//! `.terraform/terraform.tfstate`; other commands use that record, and
//! refuse to run when the block has changed since (`init` again, with
//! `-migrate-state` or `-reconfigure`). Without a `backend` block the state
//! is local and nothing needs recording.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use plinth_encryption::Encryptor;
use plinth_state::{Backend, LocalBackend};
use plinth_syntax::ast::Body;
use plinth_syntax::{Diagnostic, Files, Span};
use serde_json::{json, Map, Value as Json};

use crate::workdir::const_eval;

/// Where `init` records the backend settings.
pub const SAVED_PATH: &str = ".terraform/terraform.tfstate";

/// The backend types plinth has.
const KINDS: &[&str] = &["local", "s3"];

/// A backend type with its settings (JSON, as recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct BackendSpec {
    pub kind: String,
    pub config: Map<String, Json>,
    /// A hash of the configuration's block alone (not `-backend-config`),
    /// to notice that it changed.
    pub hash: u64,
}

impl BackendSpec {
    /// Local state in the working directory: no `backend` block.
    pub fn implicit_local() -> BackendSpec {
        BackendSpec { kind: "local".into(), config: Map::new(), hash: 0 }
    }

    pub fn is_implicit_local(&self) -> bool {
        self.kind == "local" && self.config.is_empty()
    }

    /// The same storage and settings (the hash aside).
    pub fn same_as(&self, other: &BackendSpec) -> bool {
        self.kind == other.kind && self.config == other.config
    }
}

/// The configuration's `backend` block, evaluated (values must be
/// constants, as in Terraform).
pub fn from_block(block: Option<&(String, Body, Span)>) -> Result<BackendSpec, Diagnostic> {
    let Some((kind, body, span)) = block else { return Ok(BackendSpec::implicit_local()) };
    if !KINDS.contains(&kind.as_str()) {
        return Err(Diagnostic::error(
            "Unsupported backend type",
            format!("There is no backend type named {kind:?} in this version of plinth."),
        )
        .with_subject(*span));
    }
    let config = body_to_json(body)?;
    let hash = fnv(&format!("{kind}\n{}", Json::Object(config.clone())));
    Ok(BackendSpec { kind: kind.clone(), config, hash })
}

fn body_to_json(body: &Body) -> Result<Map<String, Json>, Diagnostic> {
    let mut out = Map::new();
    for a in &body.attributes {
        let v = const_eval(&a.expr).map_err(|mut e| {
            if e.diags.is_empty() {
                Diagnostic::error("Invalid backend configuration", "Values must be constants.").with_subject(a.expr.span)
            } else {
                let mut d = e.diags.remove(0);
                if d.summary == "Variables not allowed" {
                    d.detail = "Variables may not be used here: the backend configuration is read before anything else.".into();
                }
                d
            }
        })?;
        out.insert(a.name.name.clone(), plinth_value::value_to_json(&v));
    }
    // `endpoints { s3 = ... }` and `assume_role { ... }` as blocks are the
    // same as object attributes.
    for b in &body.blocks {
        out.insert(b.kind.name.clone(), Json::Object(body_to_json(&b.body)?));
    }
    Ok(out)
}

/// Merges `-backend-config` values: `KEY=VALUE`, or a file of attributes.
pub fn apply_overrides(spec: &mut BackendSpec, dir: &Path, values: &[&str]) -> Result<(), Diagnostic> {
    for v in values {
        match v.split_once('=') {
            // Terraform's rule: with an "=" it is KEY=VALUE, else a file.
            Some((key, value)) => {
                let key = key.trim();
                let json = if value.trim_start().starts_with('{') {
                    let mut files = Files::new();
                    let id = files.add(format!("<-backend-config {key}>"), value.to_string());
                    let (expr, diags) = plinth_syntax::parse_expr(id, files.text(id));
                    if let Some(d) = diags.into_iter().find(Diagnostic::is_error) {
                        return Err(Diagnostic::error(
                            "Invalid backend configuration value",
                            format!("-backend-config={key}: {}", d.detail),
                        ));
                    }
                    let val = const_eval(&expr).map_err(|_| {
                        Diagnostic::error(
                            "Invalid backend configuration value",
                            format!("-backend-config={key}: the value must be a constant."),
                        )
                    })?;
                    plinth_value::value_to_json(&val)
                } else {
                    Json::String(value.to_string())
                };
                spec.config.insert(key.to_string(), json);
            }
            _ => {
                let path = dir.join(v);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Diagnostic::error("Failed to read file", format!("The file {v:?} could not be read: {e}")))?;
                let mut files = Files::new();
                let id = files.add(v.to_string(), text);
                let (body, diags) = if v.ends_with(".json") {
                    plinth_syntax::parse_json_file(id, files.text(id))
                } else {
                    plinth_syntax::parse_file(id, files.text(id))
                };
                if let Some(d) = diags.into_iter().find(Diagnostic::is_error) {
                    return Err(Diagnostic::error(d.summary.clone(), format!("In {v}: {}", d.detail)));
                }
                for (k, val) in body_to_json(&body)? {
                    spec.config.insert(k, val);
                }
            }
        }
    }
    Ok(())
}

/// The settings `init` recorded, if any.
pub fn read_saved(dir: &Path) -> Result<Option<BackendSpec>, Diagnostic> {
    let path = dir.join(SAVED_PATH);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Diagnostic::error("Failed to read the backend settings", format!("{}: {e}", path.display()))),
    };
    let doc: Json = serde_json::from_str(&text)
        .map_err(|e| Diagnostic::error("Failed to read the backend settings", format!("{}: {e}", path.display())))?;
    let Some(b) = doc.get("backend").filter(|b| !b.is_null()) else { return Ok(None) };
    let kind = b.get("type").and_then(Json::as_str).unwrap_or_default().to_string();
    let config = b.get("config").and_then(Json::as_object).cloned().unwrap_or_default();
    let hash = b.get("hash").and_then(Json::as_u64).unwrap_or_default();
    // Terraform records every argument, unset ones as null.
    let config = config.into_iter().filter(|(_, v)| !v.is_null()).collect();
    Ok(Some(BackendSpec { kind, config, hash }))
}

/// Records `spec` (or, for implicit local state, removes the record).
pub fn write_saved(dir: &Path, spec: &BackendSpec) -> std::io::Result<()> {
    let path = dir.join(SAVED_PATH);
    if spec.is_implicit_local() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    std::fs::create_dir_all(dir.join(".terraform"))?;
    let doc = json!({
        "version": 3,
        "terraform_version": plinth_state::statefile::TERRAFORM_VERSION,
        "backend": {"type": spec.kind, "config": spec.config, "hash": spec.hash},
    });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let tmp = path.with_extension("tfstate.tmp");
    std::fs::write(&tmp, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // It may hold credentials (access_key, secret_key).
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
    }
    std::fs::rename(tmp, path)
}

/// For commands other than `init`: the recorded settings, provided the
/// configuration still asks for them.
pub fn effective(configured: BackendSpec, dir: &Path) -> Result<BackendSpec, Diagnostic> {
    let saved = read_saved(dir)?;
    let reason = match &saved {
        None if configured.is_implicit_local() => return Ok(configured),
        None if configured.kind == "local" => return Ok(configured),
        Some(s) if s.kind == configured.kind && (s.hash == configured.hash || configured.is_implicit_local()) => return Ok(s.clone()),
        None => format!("Initial configuration of the requested backend {:?}", configured.kind),
        Some(s) if configured.is_implicit_local() => format!("Unsetting the previously set backend {:?}", s.kind),
        Some(s) if s.kind != configured.kind => format!("Backend type changed from {:?} to {:?}", s.kind, configured.kind),
        Some(_) => "Backend configuration block has changed".to_string(),
    };
    Err(Diagnostic::error(
        "Backend initialization required, please run \"plinth init\"",
        format!(
            "Reason: {reason}\n\nThe \"backend\" is the interface that plinth uses to store state,\nperform operations, etc. If this message is showing up, it means that the\nplinth configuration you're using is using a custom configuration for\nthe plinth backend.\n\nChanges to backend configurations require reinitialization. This allows\nplinth to set up the new configuration, copy existing state, etc. Please run\n\"plinth init\" with either the \"-reconfigure\" or \"-migrate-state\" flags to\nuse the current configuration.\n\nIf the change reason above is incorrect, please verify your configuration\nhasn't changed and try again. At this point, no changes to your existing\nconfiguration or state have been made."
        ),
    ))
}

/// Opens the backend `spec` describes, relative to `dir`.
pub fn open(spec: &BackendSpec, dir: &Path, encryption: Option<Arc<Encryptor>>) -> Result<Box<dyn Backend>, String> {
    match spec.kind.as_str() {
        "local" => {
            let string = |k: &str| spec.config.get(k).and_then(Json::as_str).map(str::to_string);
            for k in spec.config.keys() {
                if !["path", "workspace_dir"].contains(&k.as_str()) {
                    return Err(format!("Unsupported argument: an argument named {k:?} is not expected here."));
                }
            }
            let b = match string("path") {
                Some(p) => {
                    let wsd: PathBuf = dir.join(string("workspace_dir").unwrap_or_else(|| "terraform.tfstate.d".into()));
                    LocalBackend::with_paths(dir.join(p), wsd)
                }
                None => match string("workspace_dir") {
                    Some(w) => LocalBackend::with_paths(dir.join("terraform.tfstate"), dir.join(w)),
                    None => LocalBackend::new(dir),
                },
            };
            Ok(Box::new(b.with_encryption(encryption)))
        }
        "s3" => {
            let cfg = plinth_backend_s3::S3Config::from_json(&spec.config)?;
            let b = plinth_backend_s3::S3Backend::new(cfg).map_err(|e| e.to_string())?;
            Ok(Box::new(b.with_encryption(encryption)))
        }
        other => Err(format!("There is no backend type named {other:?} in this version of plinth.")),
    }
}

/// `terraform_remote_state`'s backends: a type and its `config` object.
pub fn open_remote(kind: &str, config: &Map<String, Json>, dir: &Path) -> Result<Box<dyn Backend>, String> {
    let config: Map<String, Json> = config.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    let spec = BackendSpec { kind: kind.to_string(), config, hash: 0 };
    open(&spec, dir, None)
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
