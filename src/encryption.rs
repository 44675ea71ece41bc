//! `terraform { encryption { ... } }` and `TF_ENCRYPTION` → an
//! [`EncryptionConfig`]: OpenTofu's syntax, evaluated with input variables
//! only (the configuration's other values depend on state, which can't be
//! read before it is decrypted).
//!
//! `TF_ENCRYPTION` holds the block's contents (HCL, or JSON) and is merged
//! over the configuration: a `key_provider` or `method` with the same type
//! and name, and a `state`, `plan` or `remote_state_data_sources` block,
//! replace the configuration's.

use std::collections::BTreeMap;
use std::sync::Arc;

use plinth_encryption::{EncryptionConfig, Encryptor, HashFunction, Method, Pbkdf2, Target};
use plinth_lang::functions::CallCtx;
use plinth_lang::{EvalError, Evaluator, Scope};
use plinth_syntax::ast::{Block, Body, Expr, ExprKind, Ident};
use plinth_syntax::{Diagnostic, Files};
use plinth_value::Value;

/// The state encryptor configured for this working directory, if any.
pub fn state_encryptor(config_block: Option<&Body>, vars: &BTreeMap<String, Value>) -> Result<Option<Arc<Encryptor>>, Diagnostic> {
    let Some(cfg) = load(config_block, vars)? else { return Ok(None) };
    cfg.state().map(|e| e.map(Arc::new)).map_err(|e| Diagnostic::error("Invalid encryption configuration", e.to_string()))
}

/// Parses and merges the configuration's block and `TF_ENCRYPTION`.
pub fn load(config_block: Option<&Body>, vars: &BTreeMap<String, Value>) -> Result<Option<EncryptionConfig>, Diagnostic> {
    let env = std::env::var("TF_ENCRYPTION").ok().filter(|s| !s.trim().is_empty());
    let env_body = match &env {
        Some(text) => Some(parse_env(text)?),
        None => None,
    };
    let merged = match (config_block, env_body) {
        (None, None) => return Ok(None),
        (Some(b), None) => b.clone(),
        (None, Some(e)) => e,
        (Some(b), Some(e)) => merge(b, e),
    };
    evaluate(&merged, vars).map(Some)
}

fn parse_env(text: &str) -> Result<Body, Diagnostic> {
    let mut files = Files::new();
    let id = files.add("TF_ENCRYPTION".to_string(), text.to_string());
    let (body, diags) = if text.trim_start().starts_with('{') {
        plinth_syntax::parse_json_file(id, files.text(id))
    } else {
        plinth_syntax::parse_file(id, files.text(id))
    };
    if let Some(d) = diags.into_iter().find(Diagnostic::is_error) {
        return Err(Diagnostic::error("Invalid TF_ENCRYPTION environment variable", format!("{}: {}", d.summary, d.detail)));
    }
    // The JSON form may wrap the contents in {"encryption": ...}... accept both.
    Ok(body)
}

fn block_id(b: &Block) -> (String, Vec<String>) {
    let labels = match b.kind.name.as_str() {
        "key_provider" | "method" | "remote_state" => b.labels.iter().map(|l| l.value.clone()).collect(),
        _ => Vec::new(),
    };
    (b.kind.name.clone(), labels)
}

fn merge(config: &Body, env: Body) -> Body {
    let mut out = config.clone();
    for b in env.blocks {
        let id = block_id(&b);
        out.blocks.retain(|c| block_id(c) != id);
        out.blocks.push(b);
    }
    for a in env.attributes {
        out.attributes.retain(|c| c.name.name != a.name.name);
        out.attributes.push(a);
    }
    out
}

fn error(summary: &str, detail: String, at: Option<plinth_syntax::Span>) -> Diagnostic {
    let d = Diagnostic::error(summary, detail);
    match at {
        Some(s) => d.with_subject(s),
        None => d,
    }
}

fn evaluate(body: &Body, vars: &BTreeMap<String, Value>) -> Result<EncryptionConfig, Diagnostic> {
    let scope = VarScope { vars };
    let mut cfg = EncryptionConfig::default();
    if let Some(a) = body.attributes.first() {
        return Err(error("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name), Some(a.name.span)));
    }
    for b in &body.blocks {
        match b.kind.name.as_str() {
            "key_provider" => {
                let [ty, name] = labels(b)?;
                if ty != "pbkdf2" {
                    return Err(error(
                        "Unsupported key provider",
                        format!("plinth supports the \"pbkdf2\" key provider; {ty:?} is not supported yet."),
                        Some(b.header_span),
                    ));
                }
                let mut p = Pbkdf2::new(String::new());
                let mut has_passphrase = false;
                for a in &b.body.attributes {
                    let v = eval(&scope, &a.expr)?;
                    match a.name.name.as_str() {
                        "passphrase" => {
                            p.passphrase = string(&v, a.expr.span)?;
                            has_passphrase = true;
                        }
                        "key_length" => p.key_length = number(&v, a.expr.span)? as usize,
                        "iterations" => p.iterations = number(&v, a.expr.span)? as u32,
                        "salt_length" => p.salt_length = number(&v, a.expr.span)? as usize,
                        "hash_function" => {
                            let s = string(&v, a.expr.span)?;
                            p.hash_function = HashFunction::parse(&s).ok_or_else(|| {
                                error(
                                    "Invalid hash function",
                                    format!("invalid hash function name: {s} (use sha256 or sha512)"),
                                    Some(a.expr.span),
                                )
                            })?;
                        }
                        "encrypted_metadata_alias" | "chain" => {
                            return Err(error(
                                "Unsupported argument",
                                format!("{:?} is not supported by plinth yet.", a.name.name),
                                Some(a.name.span),
                            ))
                        }
                        other => return Err(unexpected(other, a.name.span)),
                    }
                }
                if !has_passphrase {
                    return Err(error(
                        "Missing required argument",
                        "The argument \"passphrase\" is required, but no definition was found.".into(),
                        Some(b.header_span),
                    ));
                }
                cfg.key_providers.insert(format!("key_provider.pbkdf2.{name}"), p);
            }
            "method" => {
                let [ty, name] = labels(b)?;
                let method = match ty.as_str() {
                    "unencrypted" => {
                        if let Some(a) = b.body.attributes.first() {
                            return Err(unexpected(&a.name.name, a.name.span));
                        }
                        Method::Unencrypted
                    }
                    "aes_gcm" => {
                        let mut keys = None;
                        let mut aad = Vec::new();
                        for a in &b.body.attributes {
                            match a.name.name.as_str() {
                                "keys" => keys = Some(reference(&a.expr, "key_provider")?),
                                "aad" => aad = string(&eval(&scope, &a.expr)?, a.expr.span)?.into_bytes(),
                                other => return Err(unexpected(other, a.name.span)),
                            }
                        }
                        let keys = keys.ok_or_else(|| {
                            error(
                                "Missing required argument",
                                "The argument \"keys\" is required, but no definition was found.".into(),
                                Some(b.header_span),
                            )
                        })?;
                        Method::AesGcm { keys, aad }
                    }
                    other => {
                        return Err(error(
                            "Unsupported encryption method",
                            format!("plinth supports the \"aes_gcm\" and \"unencrypted\" methods; {other:?} is not supported."),
                            Some(b.header_span),
                        ))
                    }
                };
                cfg.methods.insert(format!("method.{ty}.{name}"), method);
            }
            "state" | "plan" => {
                let (target, enforced) = target(&scope, &b.body, true)?;
                if b.kind.name == "state" {
                    cfg.state = Some(target);
                    cfg.state_enforced = enforced;
                } else {
                    cfg.plan = Some(target);
                    cfg.plan_enforced = enforced;
                }
            }
            // Reading other configurations' states: they are read with the
            // state settings (see terraform_remote_state).
            "remote_state_data_sources" => {}
            other => {
                return Err(error("Unsupported block type", format!("Blocks of type {other:?} are not expected here."), Some(b.kind.span)));
            }
        }
    }
    Ok(cfg)
}

fn target(scope: &VarScope, body: &Body, top: bool) -> Result<(Target, bool), Diagnostic> {
    let mut t = Target::default();
    let mut enforced = false;
    for a in &body.attributes {
        match a.name.name.as_str() {
            "method" => t.method = Some(reference(&a.expr, "method")?),
            "enforced" if top => {
                enforced = eval(scope, &a.expr)?
                    .as_bool()
                    .ok_or_else(|| error("Incorrect attribute value type", "\"enforced\" must be a bool.".into(), Some(a.expr.span)))?;
            }
            other => return Err(unexpected(other, a.name.span)),
        }
    }
    for b in &body.blocks {
        match b.kind.name.as_str() {
            "fallback" => t.fallback = Some(Box::new(target(scope, &b.body, false)?.0)),
            other => {
                return Err(error("Unsupported block type", format!("Blocks of type {other:?} are not expected here."), Some(b.kind.span)))
            }
        }
    }
    Ok((t, enforced))
}

fn labels(b: &Block) -> Result<[String; 2], Diagnostic> {
    match b.labels.as_slice() {
        [a, c] => Ok([a.value.clone(), c.value.clone()]),
        _ => Err(error(
            "Missing name for block",
            format!("A {} block needs two labels: a type and a name.", b.kind.name),
            Some(b.header_span),
        )),
    }
}

fn unexpected(name: &str, at: plinth_syntax::Span) -> Diagnostic {
    error("Unsupported argument", format!("An argument named {name:?} is not expected here."), Some(at))
}

/// `key_provider.pbkdf2.k` / `method.aes_gcm.m` → that address.
fn reference(e: &Expr, root: &str) -> Result<String, Diagnostic> {
    let mut parts = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::GetAttr(inner, name) => {
                parts.push(name.name.clone());
                cur = inner;
            }
            ExprKind::Variable(v) => {
                parts.push(v.name.clone());
                break;
            }
            _ => parts.clear(),
        }
        if parts.is_empty() {
            break;
        }
    }
    parts.reverse();
    if parts.len() == 3 && parts[0] == root {
        return Ok(parts.join("."));
    }
    Err(error("Invalid reference", format!("Expected a reference like {root}.<type>.<name>."), Some(e.span)))
}

fn eval(scope: &VarScope, e: &Expr) -> Result<Value, Diagnostic> {
    let mut ev = Evaluator::new(scope, CallCtx::default());
    ev.eval(e).map_err(|mut err| {
        if err.diags.is_empty() {
            error("Invalid expression", "This value could not be evaluated.".into(), Some(e.span))
        } else {
            err.diags.remove(0)
        }
    })
}

fn string(v: &Value, at: plinth_syntax::Span) -> Result<String, Diagnostic> {
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    match plinth_value::convert(v, &plinth_value::Type::String) {
        Ok(s) if s.as_str().is_some() => Ok(s.as_str().unwrap_or_default().to_string()),
        _ => Err(error("Incorrect attribute value type", "A string is required.".into(), Some(at))),
    }
}

fn number(v: &Value, at: plinth_syntax::Span) -> Result<u64, Diagnostic> {
    let s = plinth_value::value_to_json(v);
    s.as_u64()
        .or_else(|| s.as_str().and_then(|t| t.parse().ok()))
        .ok_or_else(|| error("Incorrect attribute value type", "A whole number is required.".into(), Some(at)))
}

/// Only `var.<name>` can be referred to.
struct VarScope<'a> {
    vars: &'a BTreeMap<String, Value>,
}

impl Scope for VarScope<'_> {
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        if root.name == "var" {
            if let Some(name) = attrs.first() {
                return match self.vars.get(&name.name) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => Err(EvalError::new(
                        Diagnostic::error(
                            "No value for required variable",
                            format!("The encryption configuration refers to var.{}, which has no value: set it with -var, a .tfvars file, TF_VAR_{}, or a default.", name.name, name.name),
                        )
                        .with_subject(name.span),
                    )),
                };
            }
        }
        Err(EvalError::new(
            Diagnostic::error("Variables not allowed", "Only input variables (var.<name>) may be used in the encryption configuration.")
                .with_subject(root.span),
        ))
    }
}
