//! One module directory loaded into typed blocks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_syntax::ast::{Attribute, Block, Body, Expr, ExprKind, TemplatePart};
use plinth_syntax::{Diagnostic, Files, Span};

use crate::typeexpr::{parse_type_constraint, TypeConstraint};

#[derive(Clone, Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub terraform: Terraform,
    pub providers: Vec<ProviderConfig>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
    /// Managed resources and data sources by `type.name` / `data.type.name`.
    pub resources: BTreeMap<String, Resource>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub moved: Vec<Moved>,
    pub removed: Vec<Removed>,
    pub imports: Vec<Body>,
    pub checks: Vec<CheckBlock>,
}

#[derive(Clone, Debug, Default)]
pub struct Terraform {
    pub required_version: Option<Expr>,
    /// local name → (source, version constraint)
    pub required_providers: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Backend type and its configuration body.
    pub backend: Option<(String, Body, Span)>,
    /// The `encryption` block (OpenTofu's state and plan encryption),
    /// unevaluated: its passphrases may refer to variables.
    pub encryption: Option<(Body, Span)>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
    /// The block type keyword (`validation`): Terraform's `DeclRange`.
    pub decl_span: Span,
}

/// A `precondition` / `postcondition` / `check` `assert`.
pub type Condition = Validation;

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub ty: TypeConstraint,
    pub has_type: bool,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub ephemeral: bool,
    pub validations: Vec<Validation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub expr: Option<Expr>,
    pub sensitive: bool,
    pub ephemeral: bool,
    pub description: Option<String>,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceMode {
    Managed,
    Data,
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    /// `ignore_changes = all`
    pub ignore_all_changes: bool,
    pub ignore_changes: Vec<Expr>,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub postconditions: Vec<Condition>,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// `provider = aws.west` → ("aws", Some("west")).
    pub provider: Option<(String, Option<String>)>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Lifecycle,
    /// The resource's own arguments and nested blocks, meta-arguments removed.
    pub config: Body,
    pub span: Span,
    /// The `resource "t" "n"` header, for diagnostics.
    pub decl_span: Span,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_span: Span,
    pub version: Option<String>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `providers = { aws = aws.west }` as (child name, parent reference).
    pub providers: Vec<(Expr, Expr)>,
    /// Input variable arguments.
    pub args: Vec<Attribute>,
    pub span: Span,
    pub decl_span: Span,
}

#[derive(Clone, Debug)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Removed {
    pub from: Expr,
    pub destroy: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct CheckBlock {
    pub name: String,
    pub asserts: Vec<Condition>,
    pub data: Vec<Resource>,
    pub span: Span,
}

fn unsupported_block(b: &Block) -> Diagnostic {
    Diagnostic::error("Unsupported block type", format!("Blocks of type {:?} are not expected here.", b.kind.name))
        .with_subject(b.kind.span)
}

fn unsupported_arg(a: &Attribute) -> Diagnostic {
    Diagnostic::error("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name))
        .with_subject(a.name.span)
}

/// A literal string expression's text, if it is one.
pub fn literal_string(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Template(parts) => match parts.as_slice() {
            [] => Some(String::new()),
            [TemplatePart::Literal(s)] => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn literal_bool(a: &Attribute, diags: &mut Vec<Diagnostic>) -> bool {
    match &a.expr.kind {
        ExprKind::Bool(b) => *b,
        _ => {
            diags.push(Diagnostic::error("Unsuitable value type", "Unsuitable value: a bool is required").with_subject(a.expr.span));
            false
        }
    }
}

fn string_attr(a: &Attribute, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let s = literal_string(&a.expr);
    if s.is_none() {
        diags.push(Diagnostic::error("Invalid expression", "A static string value is required here.").with_subject(a.expr.span));
    }
    s
}

fn exprs_list(a: &Attribute, diags: &mut Vec<Diagnostic>) -> Vec<Expr> {
    match &a.expr.kind {
        ExprKind::Tuple(items) => items.clone(),
        _ => {
            diags.push(Diagnostic::error("Invalid expression", "A static list expression is required.").with_subject(a.expr.span));
            Vec::new()
        }
    }
}

fn condition(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<Condition> {
    let cond = b.body.attribute("condition");
    let msg = b.body.attribute("error_message");
    match (cond, msg) {
        (Some(c), Some(m)) => {
            Some(Validation { condition: c.expr.clone(), error_message: m.expr.clone(), span: b.span, decl_span: b.kind.span })
        }
        (None, _) => {
            diags.push(
                Diagnostic::error("Missing required argument", "The argument \"condition\" is required, but no definition was found.")
                    .with_subject(b.header_span),
            );
            None
        }
        (_, None) => {
            diags.push(
                Diagnostic::error("Missing required argument", "The argument \"error_message\" is required, but no definition was found.")
                    .with_subject(b.header_span),
            );
            None
        }
    }
}

/// Reads every configuration file of the module in `dir`.
pub fn load_module(dir: &Path, files: &mut Files) -> (Module, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut module = Module { dir: dir.to_path_buf(), ..Module::default() };
    let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
        // As Terraform lists a module's files: every entry but directories
        // (by `lstat`), so a dangling or looping symlink is read, and fails
        // as an error below instead of being skipped as if absent.
        Ok(rd) => rd.filter_map(|e| e.ok()).filter(|e| e.file_type().is_ok_and(|t| !t.is_dir())).map(|e| e.path()).collect(),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read module directory",
                format!("Module directory {} does not exist or cannot be read: {e}.", dir.display()),
            ));
            return (module, diags);
        }
    };
    names.retain(|p| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !n.starts_with('.') && !n.starts_with('#') && !n.ends_with('~') && (n.ends_with(".tf") || n.ends_with(".tf.json"))
    });
    names.sort();
    // Override files are merged after the primary files, in name order.
    let is_override = |p: &PathBuf| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = n.trim_end_matches(".json").trim_end_matches(".tf");
        stem == "override" || stem.ends_with("_override")
    };
    let (overrides, primaries): (Vec<_>, Vec<_>) = names.into_iter().partition(is_override);
    for (path, is_ovr) in primaries.into_iter().map(|p| (p, false)).chain(overrides.into_iter().map(|p| (p, true))) {
        let display = path.strip_prefix(std::env::current_dir().unwrap_or_default()).unwrap_or(&path).display().to_string();
        let display = display.strip_prefix("./").map(str::to_string).unwrap_or(display);
        let bytes = match std::fs::read(&path) {
            Ok(t) => t,
            Err(_) => {
                diags.push(Diagnostic::error("Failed to read file", format!("The file {display:?} could not be read.")));
                continue;
            }
        };
        let (id, encoding) = plinth_syntax::add_source(files, display, bytes);
        if let Some(d) = encoding {
            diags.push(d);
            continue;
        }
        let (body, pdiags) = if path.to_string_lossy().ends_with(".json") {
            plinth_syntax::parse_json_file(id, files.text(id))
        } else {
            plinth_syntax::parse_file_in(files, id)
        };
        let had_errors = pdiags.iter().any(Diagnostic::is_error);
        diags.extend(pdiags);
        if had_errors {
            continue;
        }
        add_body(&mut module, body, is_ovr, &mut diags);
    }
    (module, diags)
}

fn add_body(m: &mut Module, body: Body, is_override: bool, diags: &mut Vec<Diagnostic>) {
    for a in &body.attributes {
        diags.push(unsupported_arg(a));
    }
    for b in body.blocks {
        let label = |i: usize| b.labels.get(i).map(|l| l.value.clone()).unwrap_or_default();
        let want_labels = match b.kind.name.as_str() {
            "resource" | "data" => 2,
            "variable" | "output" | "module" | "provider" | "check" => 1,
            "locals" | "terraform" | "moved" | "removed" | "import" => 0,
            _ => {
                diags.push(unsupported_block(&b));
                continue;
            }
        };
        if b.labels.len() != want_labels {
            let detail = if b.labels.len() < want_labels {
                format!("All {:?} blocks must have {want_labels} labels.", b.kind.name)
            } else {
                format!("No more labels are expected for {:?} blocks.", b.kind.name)
            };
            let summary = if b.labels.len() < want_labels { "Missing name for block" } else { "Extraneous label for block" };
            diags.push(Diagnostic::error(summary, detail).with_subject(b.header_span));
            continue;
        }
        match b.kind.name.as_str() {
            "terraform" => add_terraform(m, &b, diags),
            "provider" => {
                let alias = b.body.attribute("alias").and_then(|a| string_attr(a, diags));
                m.providers.push(ProviderConfig { name: label(0), alias, body: b.body.clone(), span: b.span });
            }
            "variable" => {
                let v = variable(&b, diags);
                merge_named(&mut m.variables, v.name.clone(), v, is_override, "variable", &b, diags);
            }
            "locals" => {
                for a in &b.body.attributes {
                    let l = Local { name: a.name.name.clone(), expr: a.expr.clone(), span: a.span };
                    if let Some(prev) = m.locals.get(&l.name) {
                        if !is_override {
                            diags.push(
                                Diagnostic::error(
                                    "Duplicate local value definition",
                                    format!("A local value named {:?} was already defined at {}. Local value names must be unique within a module.", l.name, span_text(prev.span)),
                                )
                                .with_subject(a.name.span),
                            );
                            continue;
                        }
                    }
                    m.locals.insert(l.name.clone(), l);
                }
                for inner in &b.body.blocks {
                    diags.push(unsupported_block(inner));
                }
            }
            "output" => {
                let o = output(&b, diags);
                merge_named(&mut m.outputs, o.name.clone(), o, is_override, "output", &b, diags);
            }
            "resource" | "data" => {
                let mode = if b.kind.name == "data" { ResourceMode::Data } else { ResourceMode::Managed };
                let header_span = b.header_span;
                let r = resource(b, mode, diags);
                let key = match mode {
                    ResourceMode::Managed => format!("{}.{}", r.type_name, r.name),
                    ResourceMode::Data => format!("data.{}.{}", r.type_name, r.name),
                };
                // One search of the map per resource (entry), not two.
                match m.resources.entry(key) {
                    std::collections::btree_map::Entry::Occupied(prev) if !is_override => {
                        let what = if mode == ResourceMode::Data { "data" } else { "resource" };
                        diags.push(
                            Diagnostic::error(
                                format!("Duplicate {what} {:?} configuration", r.type_name),
                                format!(
                                    "A {what} {:?} {:?} was already declared at {}. Resource names must be unique per type in each module.",
                                    r.type_name,
                                    r.name,
                                    span_text(prev.get().decl_span)
                                ),
                            )
                            .with_subject(header_span),
                        );
                    }
                    std::collections::btree_map::Entry::Occupied(mut prev) => {
                        prev.insert(r);
                    }
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(r);
                    }
                }
            }
            "module" => {
                if let Some(mc) = module_call(&b, diags) {
                    merge_named(&mut m.module_calls, mc.name.clone(), mc, is_override, "module", &b, diags);
                }
            }
            "moved" => match (b.body.attribute("from"), b.body.attribute("to")) {
                (Some(f), Some(t)) => m.moved.push(Moved { from: f.expr.clone(), to: t.expr.clone(), span: b.span }),
                _ => diags.push(
                    Diagnostic::error("Missing required argument", "A moved block requires both \"from\" and \"to\" arguments.")
                        .with_subject(b.header_span),
                ),
            },
            "removed" => {
                let destroy = b
                    .body
                    .blocks_of("lifecycle")
                    .flat_map(|l| l.body.attribute("destroy"))
                    .map(|a| literal_bool(a, diags))
                    .next()
                    .unwrap_or(true);
                match b.body.attribute("from") {
                    Some(f) => m.removed.push(Removed { from: f.expr.clone(), destroy, span: b.span }),
                    None => diags.push(
                        Diagnostic::error("Missing required argument", "The argument \"from\" is required, but no definition was found.")
                            .with_subject(b.header_span),
                    ),
                }
            }
            "import" => m.imports.push(b.body.clone()),
            "check" => {
                let mut asserts = Vec::new();
                let mut data = Vec::new();
                for inner in &b.body.blocks {
                    match inner.kind.name.as_str() {
                        "assert" => asserts.extend(condition(inner, diags)),
                        "data" if inner.labels.len() == 2 => data.push(resource(inner.clone(), ResourceMode::Data, diags)),
                        _ => diags.push(unsupported_block(inner)),
                    }
                }
                m.checks.push(CheckBlock { name: label(0), asserts, data, span: b.span });
            }
            _ => unreachable!("filtered above"),
        }
    }
}

fn span_text(s: Span) -> String {
    // The engine re-renders positions with file names; keep a compact marker here.
    format!("byte {}", s.start)
}

fn merge_named<T>(
    map: &mut BTreeMap<String, T>,
    name: String,
    v: T,
    is_override: bool,
    what: &str,
    b: &Block,
    diags: &mut Vec<Diagnostic>,
) {
    if map.contains_key(&name) && !is_override {
        let summary = match what {
            "variable" => "Duplicate variable declaration".to_string(),
            "output" => "Duplicate output definition".to_string(),
            "module" => "Duplicate module call".to_string(),
            _ => format!("Duplicate {what}"),
        };
        diags.push(
            Diagnostic::error(
                summary,
                format!("A {what} named {name:?} was already declared. {} names must be unique within a module.", capitalize(what)),
            )
            .with_subject(b.header_span),
        );
        return;
    }
    map.insert(name, v);
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn add_terraform(m: &mut Module, b: &Block, diags: &mut Vec<Diagnostic>) {
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "required_version" => m.terraform.required_version = Some(a.expr.clone()),
            "experiments" | "language" => {}
            _ => diags.push(unsupported_arg(a)),
        }
    }
    for inner in &b.body.blocks {
        match inner.kind.name.as_str() {
            "required_providers" => {
                for a in &inner.body.attributes {
                    let (source, version) = match &a.expr.kind {
                        ExprKind::Object(items) => {
                            let mut source = None;
                            let mut version = None;
                            for it in items {
                                let key = match &it.key {
                                    plinth_syntax::ast::ObjectKey::Ident(i) => i.name.clone(),
                                    plinth_syntax::ast::ObjectKey::Expr(e) => literal_string(e).unwrap_or_default(),
                                };
                                match key.as_str() {
                                    "source" => source = literal_string(&it.value),
                                    "version" => version = literal_string(&it.value),
                                    _ => {}
                                }
                            }
                            (source, version)
                        }
                        _ => (None, literal_string(&a.expr)),
                    };
                    m.terraform.required_providers.insert(a.name.name.clone(), (source, version));
                }
            }
            "backend" | "cloud" => {
                let kind = inner.labels.first().map(|l| l.value.clone()).unwrap_or_else(|| "cloud".into());
                m.terraform.backend = Some((kind, inner.body.clone(), inner.span));
            }
            "encryption" => m.terraform.encryption = Some((inner.body.clone(), inner.span)),
            "provider_meta" => {}
            _ => diags.push(unsupported_block(inner)),
        }
    }
}

fn variable(b: &Block, diags: &mut Vec<Diagnostic>) -> Variable {
    let mut v = Variable {
        name: b.labels[0].value.clone(),
        ty: TypeConstraint::any(),
        has_type: false,
        default: None,
        description: None,
        sensitive: false,
        nullable: true,
        ephemeral: false,
        validations: Vec::new(),
        span: b.header_span,
    };
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "type" => match parse_type_constraint(&a.expr) {
                Ok(t) => {
                    v.ty = t;
                    v.has_type = true;
                }
                Err(d) => diags.push(d),
            },
            "default" => {
                // Terraform evaluates a default without a context: calls and
                // references are errors here, before any plan.
                if let Err(e) = plinth_lang::eval_literal(&a.expr) {
                    diags.extend(e.diags.into_iter().map(|d| d.with_context(format!("variable {:?}", v.name))));
                }
                v.default = Some(a.expr.clone())
            }
            "description" => v.description = string_attr(a, diags),
            "sensitive" => v.sensitive = literal_bool(a, diags),
            "nullable" => v.nullable = literal_bool(a, diags),
            "ephemeral" => v.ephemeral = literal_bool(a, diags),
            _ => diags.push(unsupported_arg(a)),
        }
    }
    for inner in &b.body.blocks {
        match inner.kind.name.as_str() {
            "validation" => v.validations.extend(condition(inner, diags)),
            _ => diags.push(unsupported_block(inner)),
        }
    }
    v
}

fn output(b: &Block, diags: &mut Vec<Diagnostic>) -> Output {
    let mut o = Output {
        name: b.labels[0].value.clone(),
        expr: None,
        sensitive: false,
        ephemeral: false,
        description: None,
        depends_on: Vec::new(),
        preconditions: Vec::new(),
        span: b.header_span,
    };
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "value" => o.expr = Some(a.expr.clone()),
            "sensitive" => o.sensitive = literal_bool(a, diags),
            "ephemeral" => o.ephemeral = literal_bool(a, diags),
            "description" => o.description = string_attr(a, diags),
            "depends_on" => o.depends_on = exprs_list(a, diags),
            _ => diags.push(unsupported_arg(a)),
        }
    }
    for inner in &b.body.blocks {
        match inner.kind.name.as_str() {
            "precondition" => o.preconditions.extend(condition(inner, diags)),
            _ => diags.push(unsupported_block(inner)),
        }
    }
    if o.expr.is_none() {
        diags.push(
            Diagnostic::error("Missing required argument", "The argument \"value\" is required, but no definition was found.")
                .with_subject(b.header_span),
        );
    }
    o
}

/// The block is taken by value: its arguments move into the resource's
/// configuration rather than being copied (thousands of resources add up).
fn resource(mut b: Block, mode: ResourceMode, diags: &mut Vec<Diagnostic>) -> Resource {
    let mut r = Resource {
        mode,
        type_name: std::mem::take(&mut b.labels[0].value),
        name: std::mem::take(&mut b.labels[1].value),
        count: None,
        for_each: None,
        provider: None,
        depends_on: Vec::new(),
        lifecycle: Lifecycle::default(),
        config: Body { attributes: Vec::new(), blocks: Vec::new(), span: b.body.span },
        span: b.span,
        decl_span: b.header_span,
    };
    for a in b.body.attributes {
        match a.name.name.as_str() {
            "count" => r.count = Some(a.expr),
            "for_each" => r.for_each = Some(a.expr),
            "depends_on" => r.depends_on = exprs_list(&a, diags),
            "provider" => match a.expr.as_traversal() {
                Some((root, steps)) => {
                    let alias = steps.first().and_then(|s| match s {
                        plinth_syntax::ast::TraversalStep::Attr(i) => Some(i.name.clone()),
                        _ => None,
                    });
                    r.provider = Some((root.name, alias));
                }
                None => diags.push(
                    Diagnostic::error(
                        "Invalid provider reference",
                        "Provider argument requires a provider name followed by an optional alias, like \"aws.foo\".",
                    )
                    .with_subject(a.expr.span),
                ),
            },
            _ => r.config.attributes.push(a),
        }
    }
    if r.count.is_some() && r.for_each.is_some() {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .with_subject(b.header_span),
        );
    }
    for inner in b.body.blocks {
        match inner.kind.name.as_str() {
            "lifecycle" => r.lifecycle = lifecycle(&inner, diags),
            "connection" | "provisioner" => {}
            _ => r.config.blocks.push(inner),
        }
    }
    // Kept for the whole run, one per resource: no spare capacity.
    r.config.attributes.shrink_to_fit();
    r.config.blocks.shrink_to_fit();
    r
}

fn lifecycle(b: &Block, diags: &mut Vec<Diagnostic>) -> Lifecycle {
    let mut l = Lifecycle::default();
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "create_before_destroy" => l.create_before_destroy = literal_bool(a, diags),
            "prevent_destroy" => l.prevent_destroy = literal_bool(a, diags),
            "ignore_changes" => match &a.expr.kind {
                ExprKind::Variable(i) if i.name == "all" => l.ignore_all_changes = true,
                _ => l.ignore_changes = exprs_list(a, diags),
            },
            "replace_triggered_by" => l.replace_triggered_by = exprs_list(a, diags),
            _ => diags.push(unsupported_arg(a)),
        }
    }
    for inner in &b.body.blocks {
        match inner.kind.name.as_str() {
            "precondition" => l.preconditions.extend(condition(inner, diags)),
            "postcondition" => l.postconditions.extend(condition(inner, diags)),
            _ => diags.push(unsupported_block(inner)),
        }
    }
    l
}

fn module_call(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<ModuleCall> {
    let mut mc = ModuleCall {
        name: b.labels[0].value.clone(),
        source: String::new(),
        source_span: b.header_span,
        version: None,
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        providers: Vec::new(),
        args: Vec::new(),
        span: b.span,
        decl_span: b.header_span,
    };
    let mut has_source = false;
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "source" => {
                mc.source = string_attr(a, diags)?;
                mc.source_span = a.expr.span;
                has_source = true;
            }
            "version" => mc.version = string_attr(a, diags),
            "count" => mc.count = Some(a.expr.clone()),
            "for_each" => mc.for_each = Some(a.expr.clone()),
            "depends_on" => mc.depends_on = exprs_list(a, diags),
            "providers" => {
                if let ExprKind::Object(items) = &a.expr.kind {
                    for it in items {
                        let k = match &it.key {
                            plinth_syntax::ast::ObjectKey::Ident(i) => Expr::new(ExprKind::Variable(i.clone()), i.span),
                            plinth_syntax::ast::ObjectKey::Expr(e) => e.clone(),
                        };
                        mc.providers.push((k, it.value.clone()));
                    }
                }
            }
            _ => mc.args.push(a.clone()),
        }
    }
    for inner in &b.body.blocks {
        diags.push(unsupported_block(inner));
    }
    if !has_source {
        diags.push(
            Diagnostic::error("Missing required argument", "The argument \"source\" is required, but no definition was found.")
                .with_subject(b.header_span),
        );
        return None;
    }
    Some(mc)
}
