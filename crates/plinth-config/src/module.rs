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
    /// Each import block's `import` keyword, for diagnostics.
    pub import_spans: Vec<Span>,
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
    /// Where the `required_providers` and `backend` blocks are declared (one
    /// of each per module).
    pub required_providers_span: Option<Span>,
    pub backend_def_span: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
    /// `provider "aws"`, for diagnostics.
    pub def_span: Span,
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
    pub decl_span: Span,
}

fn unsupported_block(b: &Block) -> Diagnostic {
    Diagnostic::error("Unsupported block type", format!("Blocks of type {:?} are not expected here.", b.kind.name))
        .with_subject(b.kind.span)
}

fn unsupported_arg(a: &Attribute) -> Diagnostic {
    Diagnostic::error("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name))
        .with_subject(a.name.span)
}

/// Terraform's `DefRange` of a block: its type keyword and labels, without
/// the brace (what declaration positions in messages quote).
pub fn def_range(b: &Block) -> Span {
    let end = b.labels.last().map_or(b.kind.span, |l| l.span);
    b.kind.span.to(end)
}

fn invalid_name(b: &Block, what: &str, label: usize) -> Option<Diagnostic> {
    let l = b.labels.get(label)?;
    (!plinth_syntax::valid_identifier(&l.value)).then(|| {
        Diagnostic::error(
            format!("Invalid {what} name"),
            "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
        )
        .with_subject(l.span)
    })
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

/// A static list of references (`depends_on`, `ignore_changes`,
/// `replace_triggered_by`). A quoted reference (`"aws_vpc.main"`, the 0.11
/// style) is still the reference, with Terraform's deprecation warning.
fn exprs_list(a: &Attribute, files: &Files, diags: &mut Vec<Diagnostic>) -> Vec<Expr> {
    match &a.expr.kind {
        ExprKind::Tuple(items) => items.iter().map(|e| unquoted_reference(e, files, diags).unwrap_or_else(|| e.clone())).collect(),
        _ => {
            diags.push(Diagnostic::error("Invalid expression", "A static list expression is required.").with_subject(a.expr.span));
            Vec::new()
        }
    }
}

/// The reference a quoted string holds, parsed where it stands in its file
/// (so its positions are the file's), and the warning; `None` for anything
/// else, or a string with escapes or that holds no reference.
fn unquoted_reference(e: &Expr, files: &Files, diags: &mut Vec<Diagnostic>) -> Option<Expr> {
    let text = literal_string(e)?;
    let (_, src) = files.get(e.span.file)?;
    let inner = src.get(e.span.start as usize + 1..(e.span.end as usize).checked_sub(1)?)?;
    if inner != text || text.is_empty() {
        return None;
    }
    // Spaces in place of everything before the reference keep its byte
    // offsets; Files turns those into lines and columns.
    let padded = format!("{}{inner}", " ".repeat(e.span.start as usize + 1));
    let (parsed, errs) = plinth_syntax::parse_expr(e.span.file, &padded);
    if !errs.is_empty() || parsed.as_traversal().is_none() {
        return None;
    }
    diags.push(
        Diagnostic::warning(
            "Quoted references are deprecated",
            "In this context, references are expected literally rather than in quotes. Terraform 0.11 and earlier required quotes, but quoted references are now deprecated and will be removed in a future version of Terraform. Remove the quotes surrounding this reference to silence this warning.",
        )
        .with_subject(e.span),
    );
    Some(parsed)
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
    // Each named block as written so far (primary, then merged with each
    // override in turn), for the next override to merge into.
    let mut written: BTreeMap<String, Block> = BTreeMap::new();
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
        let mark = diags.len();
        diags.extend(pdiags);
        for b in &body.blocks {
            name_context(&mut diags[mark..], b.span, &b.kind.name, &b.labels);
        }
        if had_errors {
            continue;
        }
        add_body(&mut module, body, is_ovr, &mut written, files, &mut diags);
    }
    (module, diags)
}

fn add_body(
    m: &mut Module,
    body: Body,
    is_override: bool,
    written: &mut BTreeMap<String, Block>,
    files: &Files,
    diags: &mut Vec<Diagnostic>,
) {
    for a in &body.attributes {
        diags.push(unsupported_arg(a));
    }
    for b in body.blocks {
        let mark = diags.len();
        let (span, kind, labels) = (b.span, b.kind.name.clone(), b.labels.clone());
        match override_target(&b, is_override, written, diags) {
            Some(merged) => {
                add_block(m, merged, is_override, files, diags);
                // The merged block repeats the primary's own errors.
                let (seen, new) = diags.split_at(mark);
                let fresh: Vec<Diagnostic> = new
                    .iter()
                    .filter(|d| !seen.iter().any(|s| s.summary == d.summary && s.detail == d.detail && s.subject == d.subject))
                    .cloned()
                    .collect();
                diags.truncate(mark);
                diags.extend(fresh);
            }
            None if is_override && written_key(&b).is_some() => {}
            None => add_block(m, b, is_override, files, diags),
        }
        name_context(&mut diags[mark..], span, &kind, &labels);
    }
}

/// The key under which a block that an override file may override is
/// remembered (`resource.TYPE.NAME`, `provider.NAME.ALIAS`, ...).
fn written_key(b: &Block) -> Option<String> {
    let labels: Vec<&str> = b.labels.iter().map(|l| l.value.as_str()).collect();
    match (b.kind.name.as_str(), labels.as_slice()) {
        ("variable" | "output" | "module", [n]) => Some(format!("{}.{n}", b.kind.name)),
        ("resource" | "data", [t, n]) => Some(format!("{}.{t}.{n}", b.kind.name)),
        ("provider", [n]) => {
            let alias = b.body.attribute("alias").and_then(|a| literal_string(&a.expr)).unwrap_or_default();
            Some(format!("provider.{n}.{alias}"))
        }
        _ => None,
    }
}

/// For a block of an override file, the block it makes merged into the one
/// written before it (`None` with an error when there is none to override);
/// for a primary file's block, `None` after remembering it. As Terraform
/// merges: each argument of the override replaces the one of that name;
/// each nested block type in the override (a `dynamic` block counting as its
/// label's type) replaces all blocks of that type, except `lifecycle`, whose
/// arguments and nested blocks merge in the same way. An override of a
/// default provider configuration needs none written before.
fn override_target(b: &Block, is_override: bool, written: &mut BTreeMap<String, Block>, diags: &mut Vec<Diagnostic>) -> Option<Block> {
    let key = written_key(b)?;
    if !is_override {
        written.entry(key).or_insert_with(|| b.clone());
        return None;
    }
    let label = |i: usize| b.labels.get(i).map(|l| l.value.as_str()).unwrap_or_default();
    let Some(base) = written.get(&key) else {
        let (summary, detail) = match b.kind.name.as_str() {
            "resource" => ("Missing resource to override", format!("There is no {} resource named {:?}. An override file can only override a resource block defined in a primary configuration file.", label(0), label(1))),
            "data" => ("Missing data resource to override", format!("There is no {} data resource named {:?}. An override file can only override a data block defined in a primary configuration file.", label(0), label(1))),
            "module" => ("Missing module call to override", format!("There is no module call named {:?}. An override file can only override a module call that was defined in a primary configuration file.", label(0))),
            "variable" => ("Missing base variable declaration to override", format!("There is no variable named {:?}. An override file can only override a variable that was already declared in a primary configuration file.", label(0))),
            "output" => ("Missing base output definition to override", format!("There is no output named {:?}. An override file can only override an output that was already defined in a primary configuration file.", label(0))),
            _ => match b.body.attribute("alias").and_then(|a| literal_string(&a.expr)) {
                Some(alias) => ("Missing base provider configuration for override", format!("There is no {} provider configuration with the alias {alias:?}. An override file can only override an aliased provider configuration that was already defined in a primary configuration file.", label(0))),
                None => {
                    written.insert(key, b.clone());
                    return Some(b.clone());
                }
            },
        };
        diags.push(Diagnostic::error(summary, detail).with_subject(def_range(b)));
        return None;
    };
    if matches!(b.kind.name.as_str(), "resource" | "data" | "module") {
        if let Some(d) = b.body.attribute("depends_on") {
            let first = match &d.expr.kind {
                ExprKind::Tuple(items) => items.first().map(|e| e.span),
                _ => Some(d.expr.span),
            };
            if let Some(at) = first {
                diags.push(Diagnostic::error("Unsupported override", "The depends_on argument may not be overridden.").with_subject(at));
            }
        }
    }
    let mut over = b.body.clone();
    if b.kind.name == "variable" {
        for v in over.blocks.iter().filter(|v| v.kind.name == "validation") {
            diags.push(
                Diagnostic::error("Can't override validation blocks", "Override files cannot override \"validation\" blocks.")
                    .with_subject(def_range(v)),
            );
        }
        over.blocks.retain(|v| v.kind.name != "validation");
    }
    let mut merged = base.clone();
    merged.body = merge_bodies(&base.body, &over, true);
    written.insert(key, merged.clone());
    Some(merged)
}

/// `over`'s arguments replace `base`'s of the same names; its nested block
/// types replace `base`'s blocks of those types (`lifecycle` merged, at the
/// top level, by these same rules).
fn merge_bodies(base: &Body, over: &Body, top: bool) -> Body {
    let mut out = base.clone();
    for a in &over.attributes {
        if a.name.name == "depends_on" && top {
            continue;
        }
        match out.attributes.iter_mut().find(|x| x.name.name == a.name.name) {
            Some(x) => *x = a.clone(),
            None => out.attributes.push(a.clone()),
        }
    }
    let type_of = |b: &Block| match (b.kind.name.as_str(), b.labels.first()) {
        ("dynamic", Some(l)) => l.value.clone(),
        _ => b.kind.name.clone(),
    };
    let overridden: std::collections::BTreeSet<String> = over.blocks.iter().map(type_of).collect();
    let base_lifecycle = base.blocks.iter().find(|b| b.kind.name == "lifecycle");
    out.blocks.retain(|b| !overridden.contains(&type_of(b)));
    for ob in &over.blocks {
        match (ob.kind.name.as_str(), base_lifecycle) {
            ("lifecycle", Some(bl)) if top => {
                let mut lc = bl.clone();
                lc.body = merge_bodies(&bl.body, &ob.body, false);
                out.blocks.push(lc);
            }
            _ => out.blocks.push(ob.clone()),
        }
    }
    out
}

/// Gives the diagnostics whose subject lies inside top-level block `b` its
/// name as context (`in resource "t" "n"`), as Terraform's do: the block
/// containing the byte before the subject, so a subject that is the block's
/// own header gets none.
fn name_context(diags: &mut [Diagnostic], span: Span, kind: &str, labels: &[plinth_syntax::ast::Label]) {
    let mut context = None;
    for d in diags {
        let inside = d.subject.is_some_and(|s| span.holds_subject(s));
        if inside && d.context.is_none() {
            d.context = Some(
                context
                    .get_or_insert_with(|| {
                        let mut s = kind.to_string();
                        for l in labels {
                            s.push(' ');
                            s.push_str(&format!("{:?}", l.value));
                        }
                        s
                    })
                    .clone(),
            );
        }
    }
}

fn add_block(m: &mut Module, b: Block, is_override: bool, files: &Files, diags: &mut Vec<Diagnostic>) {
    let label = |i: usize| b.labels.get(i).map(|l| l.value.clone()).unwrap_or_default();
    let want_labels = match b.kind.name.as_str() {
        "resource" | "data" => 2,
        "variable" | "output" | "module" | "provider" | "check" => 1,
        "locals" | "terraform" | "moved" | "removed" | "import" => 0,
        _ => {
            diags.push(unsupported_block(&b));
            return;
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
        return;
    }
    match b.kind.name.as_str() {
        "terraform" => add_terraform(m, &b, is_override, files, diags),
        "provider" => {
            let alias = b.body.attribute("alias").and_then(|a| string_attr(a, diags));
            let (name, def_span) = (label(0), def_range(&b));
            if is_override {
                if let Some(p) = m.providers.iter_mut().find(|p| p.name == name && p.alias == alias) {
                    p.body = b.body.clone();
                    return;
                }
            }
            let prev = m.providers.iter().find(|p| p.name == name && p.alias == alias);
            if let (Some(prev), false) = (prev, is_override) {
                let at = files.range_text(prev.def_span);
                let detail = match &alias {
                        None => format!("A default (non-aliased) provider configuration for {name:?} was already given at {at}. If multiple configurations are required, set the \"alias\" argument for alternative configurations."),
                        Some(a) => format!("A provider configuration for {name:?} with alias {a:?} was already given at {at}. Each configuration for the same provider must have a distinct alias."),
                    };
                diags.push(Diagnostic::error("Duplicate provider configuration", detail).with_subject(def_span));
                return;
            }
            m.providers.push(ProviderConfig { name, alias, body: b.body.clone(), span: b.span, def_span });
        }
        "variable" => {
            diags.extend(invalid_name(&b, "variable", 0));
            let v = variable(&b, diags);
            let prev = m.variables.get(&v.name).map(|p| p.span);
            merge_named(&mut m.variables, v.name.clone(), v, prev, is_override, "variable", &b, files, diags);
        }
        "locals" => {
            for a in &b.body.attributes {
                let l = Local { name: a.name.name.clone(), expr: a.expr.clone(), span: a.span };
                if let Some(prev) = m.locals.get(&l.name) {
                    if !is_override {
                        diags.push(
                            Diagnostic::error(
                                "Duplicate local value definition",
                                format!(
                                    "A local value named {:?} was already defined at {}. Local value names must be unique within a module.",
                                    l.name,
                                    files.range_text(prev.span)
                                ),
                            )
                            .with_subject(a.name.span),
                        );
                        continue;
                    }
                } else if is_override {
                    diags.push(
                        Diagnostic::error(
                            "Missing base local value definition to override",
                            format!("There is no local value named {:?}. An override file can only override a local value that was already defined in a primary configuration file.", l.name),
                        )
                        .with_subject(a.name.span),
                    );
                    continue;
                }
                m.locals.insert(l.name.clone(), l);
            }
            for inner in &b.body.blocks {
                diags.push(unsupported_block(inner));
            }
        }
        "output" => {
            diags.extend(invalid_name(&b, "output", 0));
            let o = output(&b, files, diags);
            let prev = m.outputs.get(&o.name).map(|p| p.span);
            merge_named(&mut m.outputs, o.name.clone(), o, prev, is_override, "output", &b, files, diags);
        }
        "resource" | "data" => {
            let mode = if b.kind.name == "data" { ResourceMode::Data } else { ResourceMode::Managed };
            diags.extend(invalid_name(&b, if mode == ResourceMode::Data { "data source" } else { "resource" }, 1));
            let header_span = def_range(&b);
            let r = resource(b, mode, files, diags);
            let key = match mode {
                ResourceMode::Managed => format!("{}.{}", r.type_name, r.name),
                ResourceMode::Data => format!("data.{}.{}", r.type_name, r.name),
            };
            // One search of the map per resource (entry), not two.
            match m.resources.entry(key) {
                std::collections::btree_map::Entry::Occupied(prev) if !is_override => {
                    let (what, what_named) =
                        if mode == ResourceMode::Data { ("data", "data resource named") } else { ("resource", "resource named") };
                    diags.push(
                        Diagnostic::error(
                            format!("Duplicate {what} {:?} configuration", r.type_name),
                            format!(
                                "A {} {what_named} {:?} was already declared at {}. Resource names must be unique per type in each module.",
                                r.type_name,
                                r.name,
                                files.range_text(prev.get().decl_span)
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
            // An invalid name is no call: its source is not read.
            if let Some(d) = invalid_name(&b, "module instance", 0) {
                diags.push(d);
                return;
            }
            if let Some(mc) = module_call(&b, files, diags) {
                let prev = m.module_calls.get(&mc.name).map(|p| p.decl_span);
                merge_named(&mut m.module_calls, mc.name.clone(), mc, prev, is_override, "module", &b, files, diags);
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
        "import" => {
            // One import block per resource instance address (a static
            // `to`; for_each imports are checked when expanded).
            let to = b.body.attribute("to").filter(|_| b.body.attribute("for_each").is_none());
            let text =
                |e: &Expr| files.get(e.span.file).and_then(|(_, t)| t.get(e.span.start as usize..e.span.end as usize)).map(str::to_string);
            if let Some((to, addr)) = to.and_then(|a| text(&a.expr).map(|t| (a, t))) {
                let prev = m.imports.iter().zip(&m.import_spans).find(|(body, _)| {
                    body.attribute("for_each").is_none()
                        && body.attribute("to").and_then(|a| text(&a.expr)).as_deref() == Some(addr.as_str())
                });
                if let Some((_, prev)) = prev {
                    diags.push(
                            Diagnostic::error(
                                format!("Duplicate import configuration for {addr:?}"),
                                format!("An import block for the resource {addr:?} was already declared at {}. A resource can have only one import block.", files.range_text(*prev)),
                            )
                            .with_subject(to.expr.span),
                        );
                    return;
                }
            }
            m.imports.push(b.body.clone());
            m.import_spans.push(b.kind.span);
        }
        "check" => {
            let mut asserts = Vec::new();
            let mut data = Vec::new();
            for inner in &b.body.blocks {
                match inner.kind.name.as_str() {
                    "assert" => asserts.extend(condition(inner, diags)),
                    "data" if inner.labels.len() == 2 => data.push(resource(inner.clone(), ResourceMode::Data, files, diags)),
                    _ => diags.push(unsupported_block(inner)),
                }
            }
            let decl_span = def_range(&b);
            if let Some(prev) = m.checks.iter().find(|c| c.name == label(0)) {
                diags.push(
                    Diagnostic::error(
                        format!("Duplicate check {:?} configuration", label(0)),
                        format!(
                            "A check block named {:?} was already declared at {}. Check blocks must be unique within each module.",
                            label(0),
                            files.range_text(prev.decl_span)
                        ),
                    )
                    .with_subject(decl_span),
                );
                return;
            }
            m.checks.push(CheckBlock { name: label(0), asserts, data, span: b.span, decl_span });
        }
        _ => unreachable!("filtered above"),
    }
}

#[allow(clippy::too_many_arguments)]
fn merge_named<T>(
    map: &mut BTreeMap<String, T>,
    name: String,
    v: T,
    prev: Option<Span>,
    is_override: bool,
    what: &str,
    b: &Block,
    files: &Files,
    diags: &mut Vec<Diagnostic>,
) {
    if let (Some(prev), false) = (prev, is_override) {
        let summary = match what {
            "variable" => "Duplicate variable declaration".to_string(),
            "output" => "Duplicate output definition".to_string(),
            "module" => "Duplicate module call".to_string(),
            _ => format!("Duplicate {what}"),
        };
        diags.push(
            Diagnostic::error(
                summary,
                format!(
                    "A {what} named {name:?} was already declared at {}. {} names must be unique within a module.",
                    files.range_text(prev),
                    capitalize(what)
                ),
            )
            .with_subject(def_range(b)),
        );
        return;
    }
    map.insert(name, v);
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// A `terraform` block. In an override file, as Terraform merges it: its
/// `required_version` and backend replace the primary's, and its
/// `required_providers` entries replace theirs by name.
/// Why `source` is no module registry address (`[HOST/]NAMESPACE/NAME/SYSTEM`
/// with an optional `//SUBDIR`), in Terraform's words; `None` when it may be
/// one.
fn registry_address_error(source: &str) -> Option<String> {
    if ["./", "../", ".\\", "..\\"].iter().any(|p| source.starts_with(p)) {
        return Some(format!("can't use local directory {source:?} as a module registry address."));
    }
    // The subdirectory after `//`, not counting a scheme's `://`.
    let start = source.find("://").map_or(0, |i| i + 3);
    let package = source[start..].find("//").map_or(source, |i| &source[..start + i]);
    let parts: Vec<&str> = package.split('/').collect();
    match parts.as_slice() {
        [host, _, _, _] => {
            let (name, port) = host.split_once(':').map_or((*host, None), |(h, p)| (h, Some(p)));
            let name_ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            (!(name_ok && port_ok)).then(|| format!("invalid module registry hostname {host:?}."))
        }
        [first, _, _] if first.contains('.') => Some(
            "source address must have three more components after the hostname: the namespace, the name, and the target system.".into(),
        ),
        [_, _, _] => None,
        _ => Some("a module registry source address must have either three or four slash-separated components.".into()),
    }
}

fn add_terraform(m: &mut Module, b: &Block, is_override: bool, files: &Files, diags: &mut Vec<Diagnostic>) {
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
                if let (Some(prev), false) = (m.terraform.required_providers_span, is_override) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate required providers configuration",
                            format!("A module may have only one required providers configuration. The required providers were previously configured at {}.", files.range_text(prev)),
                        )
                        .with_subject(def_range(inner)),
                    );
                    continue;
                }
                m.terraform.required_providers_span = Some(def_range(inner));
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
                if let (Some(prev), false) = (m.terraform.backend_def_span, is_override) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate 'backend' configuration block",
                            format!(
                                "A module may have only one 'backend' configuration block. The backend was previously configured at {}.",
                                files.range_text(prev)
                            ),
                        )
                        .with_subject(def_range(inner)),
                    );
                    continue;
                }
                m.terraform.backend_def_span = Some(def_range(inner));
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
        span: def_range(b),
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

fn output(b: &Block, files: &Files, diags: &mut Vec<Diagnostic>) -> Output {
    let mut o = Output {
        name: b.labels[0].value.clone(),
        expr: None,
        sensitive: false,
        ephemeral: false,
        description: None,
        depends_on: Vec::new(),
        preconditions: Vec::new(),
        span: def_range(b),
    };
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "value" => o.expr = Some(a.expr.clone()),
            "sensitive" => o.sensitive = literal_bool(a, diags),
            "ephemeral" => o.ephemeral = literal_bool(a, diags),
            "description" => o.description = string_attr(a, diags),
            "depends_on" => o.depends_on = exprs_list(a, files, diags),
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
fn resource(mut b: Block, mode: ResourceMode, files: &Files, diags: &mut Vec<Diagnostic>) -> Resource {
    let decl_span = def_range(&b);
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
        decl_span,
    };
    let mut for_each_name = None;
    for a in b.body.attributes {
        match a.name.name.as_str() {
            "count" => r.count = Some(a.expr),
            "for_each" => {
                for_each_name = Some(a.name.span);
                r.for_each = Some(a.expr)
            }
            "depends_on" => r.depends_on = exprs_list(&a, files, diags),
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
    if let (Some(_), Some(at)) = (&r.count, for_each_name) {
        diags.push(count_and_for_each(at));
    }
    let mut lifecycle_at: Option<Span> = None;
    for inner in b.body.blocks {
        match inner.kind.name.as_str() {
            "lifecycle" if lifecycle_at.is_some() => diags.push(
                Diagnostic::error(
                    "Duplicate lifecycle block",
                    format!("This resource already has a lifecycle block at {}.", files.range_text(lifecycle_at.unwrap_or_default())),
                )
                .with_subject(def_range(&inner)),
            ),
            "lifecycle" => {
                lifecycle_at = Some(def_range(&inner));
                r.lifecycle = lifecycle(&inner, files, diags)
            }
            "connection" | "provisioner" => {}
            _ => r.config.blocks.push(inner),
        }
    }
    // Kept for the whole run, one per resource: no spare capacity.
    r.config.attributes.shrink_to_fit();
    r.config.blocks.shrink_to_fit();
    r
}

/// Terraform's refusal of both `count` and `for_each`, at the `for_each`.
fn count_and_for_each(for_each_name: Span) -> Diagnostic {
    Diagnostic::error(
        "Invalid combination of \"count\" and \"for_each\"",
        "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
    )
    .with_subject(for_each_name)
}

fn lifecycle(b: &Block, files: &Files, diags: &mut Vec<Diagnostic>) -> Lifecycle {
    let mut l = Lifecycle::default();
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "create_before_destroy" => l.create_before_destroy = literal_bool(a, diags),
            "prevent_destroy" => l.prevent_destroy = literal_bool(a, diags),
            "ignore_changes" => match &a.expr.kind {
                ExprKind::Variable(i) if i.name == "all" => l.ignore_all_changes = true,
                _ => l.ignore_changes = exprs_list(a, files, diags),
            },
            "replace_triggered_by" => l.replace_triggered_by = exprs_list(a, files, diags),
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

fn module_call(b: &Block, files: &Files, diags: &mut Vec<Diagnostic>) -> Option<ModuleCall> {
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
        decl_span: def_range(b),
    };
    let mut has_source = false;
    let mut for_each_name = None;
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "source" => {
                mc.source = string_attr(a, diags)?;
                mc.source_span = a.expr.span;
                has_source = true;
            }
            "version" => mc.version = string_attr(a, diags),
            "count" => mc.count = Some(a.expr.clone()),
            "for_each" => {
                for_each_name = Some(a.name.span);
                mc.for_each = Some(a.expr.clone())
            }
            "depends_on" => mc.depends_on = exprs_list(a, files, diags),
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
    if let (Some(_), Some(at)) = (&mc.count, for_each_name) {
        diags.push(count_and_for_each(at));
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
    // A version constraint means a registry address (Terraform's
    // addrs.ParseModuleSource).
    if let Some(why) = b.body.attribute("version").and_then(|_| registry_address_error(&mc.source)) {
        diags.push(
            Diagnostic::error(
                "Invalid registry module source address",
                format!("Failed to parse module registry address: {why}\n\nplinth assumed that you intended a module registry source address because you also set the argument \"version\", which applies only to registry modules."),
            )
            .with_subject(mc.source_span),
        );
        return None;
    }
    Some(mc)
}
