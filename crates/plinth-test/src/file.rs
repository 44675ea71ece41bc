//! A test file (`*.tftest.hcl` / `*.tftest.json`) parsed into its blocks,
//! expressions unevaluated.

use plinth_syntax::ast::{Attribute, Block, Body, Expr, ExprKind};
use plinth_syntax::{Diagnostic, FileId, Files, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Plan,
    Apply,
}

#[derive(Clone, Debug)]
pub struct Assert {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

/// `override_resource` / `override_data` / `override_module`.
#[derive(Clone, Debug)]
pub struct Override {
    pub kind: OverrideKind,
    /// The target address as written (`module.a.aws_vpc.main`).
    pub target: String,
    pub target_span: Span,
    /// `values` (resources, data) or `outputs` (modules).
    pub values: Option<Expr>,
    /// `override_during = plan`; `None`: inherited.
    pub during_plan: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverrideKind {
    Resource,
    Data,
    Module,
}

/// `mock_resource "type"` / `mock_data "type"`.
#[derive(Clone, Debug)]
pub struct MockType {
    pub type_name: String,
    pub data: bool,
    pub defaults: Option<Expr>,
    pub during_plan: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct MockProviderBlock {
    pub name: String,
    pub alias: Option<String>,
    pub during_plan: bool,
    pub types: Vec<MockType>,
    pub overrides: Vec<Override>,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct PlanOpts {
    pub refresh_only: bool,
    pub refresh: Option<Expr>,
    pub replace: Vec<(String, Span)>,
    pub target: Vec<(String, Span)>,
}

#[derive(Clone, Debug)]
pub struct Run {
    pub name: String,
    pub command: Command,
    pub variables: Vec<Attribute>,
    pub module_source: Option<(String, Span)>,
    /// `providers = { aws = aws.alt }`: (name in the module, test file provider `name[.alias]`).
    pub providers: Option<Vec<(String, String)>>,
    pub plan: PlanOpts,
    pub asserts: Vec<Assert>,
    pub expect_failures: Vec<(String, Span)>,
    pub state_key: Option<String>,
    pub parallel: bool,
    pub overrides: Vec<Override>,
    pub span: Span,
    pub decl_span: Span,
}

#[derive(Clone, Debug)]
pub struct TestFile {
    pub name: String,
    pub file: FileId,
    pub variables: Vec<Attribute>,
    pub providers: Vec<plinth_config::ProviderConfig>,
    pub mocks: Vec<MockProviderBlock>,
    pub overrides: Vec<Override>,
    pub runs: Vec<Run>,
    pub parallel: bool,
}

fn err(summary: &str, detail: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(summary, detail).with_subject(span)
}

fn unsupported_block(b: &Block, context: &str) -> Diagnostic {
    err("Unsupported block type", format!("Blocks of type {:?} are not expected here.", b.kind.name), b.kind.span).with_context(context)
}

fn unsupported_arg(a: &Attribute, context: &str) -> Diagnostic {
    err("Unsupported argument", format!("An argument named {:?} is not expected here.", a.name.name), a.name.span).with_context(context)
}

/// The static text of a reference (`aws_vpc.main`, `module.a`, `var.x`,
/// `plan`, `refresh-only`).
pub fn reference_text(e: &Expr) -> Option<String> {
    if let ExprKind::Parens(inner) = &e.kind {
        return reference_text(inner);
    }
    // `refresh-only` parses as a subtraction of two names.
    if let ExprKind::Binary { op: plinth_syntax::ast::BinaryOp::Sub, lhs, rhs } = &e.kind {
        if let (ExprKind::Variable(a), ExprKind::Variable(b)) = (&lhs.kind, &rhs.kind) {
            return Some(format!("{}-{}", a.name, b.name));
        }
    }
    // JSON syntax: references are strings.
    if let ExprKind::Template(parts) = &e.kind {
        if let [plinth_syntax::ast::TemplatePart::Literal(s)] = parts.as_slice() {
            return Some(s.clone());
        }
    }
    plinth_engine::traversal_text(e)
}

/// Whether `e` refers to anything (a condition of literals checks nothing).
fn refers_to_something(e: &Expr) -> bool {
    if matches!(e.kind, ExprKind::Variable(_)) {
        return true;
    }
    let mut found = false;
    e.for_each_child(&mut |c| found |= refers_to_something(c));
    found
}

fn references(e: &Expr, what: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, Span)> {
    match &e.kind {
        ExprKind::Tuple(items) => items
            .iter()
            .filter_map(|i| match reference_text(i) {
                Some(t) => Some((t, i.span)),
                None => {
                    diags.push(err("Invalid reference", format!("The {what} list must contain only static references."), i.span));
                    None
                }
            })
            .collect(),
        _ => {
            diags.push(err("Invalid reference list", format!("The {what} argument must be a list of references."), e.span));
            Vec::new()
        }
    }
}

fn bool_literal(e: &Expr, diags: &mut Vec<Diagnostic>) -> bool {
    match &e.kind {
        ExprKind::Bool(b) => *b,
        _ => {
            diags.push(err("Invalid value", "A literal true or false is required here.", e.span));
            false
        }
    }
}

fn string_literal(e: &Expr, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match plinth_config::literal_string(e) {
        Some(s) => Some(s),
        None => {
            diags.push(err("Invalid value", "A literal string is required here.", e.span));
            None
        }
    }
}

fn during(e: &Expr, diags: &mut Vec<Diagnostic>) -> Option<bool> {
    match reference_text(e).as_deref() {
        Some("plan") => Some(true),
        Some("apply") => Some(false),
        _ => {
            diags.push(err("Invalid override_during value", "The override_during attribute must be \"plan\" or \"apply\".", e.span));
            None
        }
    }
}

fn parse_override(b: &Block, kind: OverrideKind, diags: &mut Vec<Diagnostic>) -> Option<Override> {
    let ctx = b.kind.name.clone();
    let mut o = Override { kind, target: String::new(), target_span: b.header_span, values: None, during_plan: None };
    let values_name = if kind == OverrideKind::Module { "outputs" } else { "values" };
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "target" => match reference_text(&a.expr) {
                Some(t) => {
                    o.target = t;
                    o.target_span = a.expr.span;
                }
                None => diags.push(err("Invalid target", "The target must be a static reference.", a.expr.span)),
            },
            "override_during" if kind != OverrideKind::Module => o.during_plan = during(&a.expr, diags),
            n if n == values_name => o.values = Some(a.expr.clone()),
            _ => diags.push(unsupported_arg(a, &ctx)),
        }
    }
    for nb in &b.body.blocks {
        diags.push(unsupported_block(nb, &ctx));
    }
    if o.target.is_empty() {
        diags.push(err("Missing required argument", "The argument \"target\" is required, but no definition was found.", b.header_span));
        return None;
    }
    let ok = match kind {
        OverrideKind::Module => o.target.starts_with("module."),
        OverrideKind::Data => o.target.starts_with("data.") || o.target.contains(".data."),
        OverrideKind::Resource => !(o.target.starts_with("data.") || o.target.contains(".data.")),
    };
    if !ok {
        diags.push(err(
            "Invalid override target",
            format!(
                "You can only target {} with {}.",
                match kind {
                    OverrideKind::Module => "modules",
                    OverrideKind::Data => "data sources",
                    OverrideKind::Resource => "managed resources",
                },
                b.kind.name
            ),
            o.target_span,
        ));
        return None;
    }
    Some(o)
}

fn parse_run(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<Run> {
    let Some(name) = b.labels.first().map(|l| l.value.clone()) else {
        diags.push(err("Missing name for run", "All run blocks must have exactly one label: the run's name.", b.header_span));
        return None;
    };
    let ctx = format!("run {name:?}");
    let mut r = Run {
        name,
        command: Command::Apply,
        variables: Vec::new(),
        module_source: None,
        providers: None,
        plan: PlanOpts::default(),
        asserts: Vec::new(),
        expect_failures: Vec::new(),
        state_key: None,
        parallel: false,
        overrides: Vec::new(),
        span: b.span,
        decl_span: b.header_span,
    };
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "command" => match reference_text(&a.expr).as_deref() {
                Some("plan") => r.command = Command::Plan,
                Some("apply") => r.command = Command::Apply,
                _ => diags.push(
                    err(
                        "Invalid command keyword",
                        "The command argument requires one of the following keywords without quotes: apply or plan.",
                        a.expr.span,
                    )
                    .with_context(&ctx),
                ),
            },
            "expect_failures" => r.expect_failures = references(&a.expr, "expect_failures", diags),
            "state_key" => r.state_key = string_literal(&a.expr, diags),
            "parallel" => r.parallel = bool_literal(&a.expr, diags),
            "providers" => match &a.expr.kind {
                ExprKind::Object(items) => {
                    let mut out = Vec::new();
                    for it in items {
                        let key = match &it.key {
                            plinth_syntax::ast::ObjectKey::Ident(i) => Some(i.name.clone()),
                            plinth_syntax::ast::ObjectKey::Expr(e) => reference_text(e),
                        };
                        match (key, reference_text(&it.value)) {
                            (Some(k), Some(v)) => out.push((k, v)),
                            _ => diags.push(err("Invalid providers", "Each provider must be a static reference.", it.value.span)),
                        }
                    }
                    r.providers = Some(out);
                }
                _ => diags.push(err("Invalid providers", "The providers argument must be an object of provider references.", a.expr.span)),
            },
            _ => diags.push(unsupported_arg(a, &ctx)),
        }
    }
    for nb in &b.body.blocks {
        match nb.kind.name.as_str() {
            "variables" => {
                r.variables.extend(nb.body.attributes.iter().cloned());
                for x in &nb.body.blocks {
                    diags.push(unsupported_block(x, &ctx));
                }
            }
            "assert" => {
                let c = nb.body.attribute("condition");
                let m = nb.body.attribute("error_message");
                for a in &nb.body.attributes {
                    if a.name.name != "condition" && a.name.name != "error_message" {
                        diags.push(unsupported_arg(a, &ctx));
                    }
                }
                if let Some(c) = c {
                    if !refers_to_something(&c.expr) {
                        diags.push(err("Invalid assert expression", "The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.", c.expr.span).with_context(&ctx));
                    }
                }
                match (c, m) {
                    (Some(c), Some(m)) => {
                        r.asserts.push(Assert { condition: c.expr.clone(), error_message: m.expr.clone(), span: nb.span })
                    }
                    (None, _) => diags.push(err(
                        "Missing required argument",
                        "The argument \"condition\" is required, but no definition was found.",
                        nb.header_span,
                    )),
                    (_, None) => diags.push(err(
                        "Missing required argument",
                        "The argument \"error_message\" is required, but no definition was found.",
                        nb.header_span,
                    )),
                }
            }
            "module" => {
                for a in &nb.body.attributes {
                    match a.name.name.as_str() {
                        "source" => r.module_source = string_literal(&a.expr, diags).map(|s| (s, a.expr.span)),
                        "version" => {}
                        _ => diags.push(unsupported_arg(a, &ctx)),
                    }
                }
                if r.module_source.is_none() {
                    diags.push(err(
                        "Missing required argument",
                        "The argument \"source\" is required, but no definition was found.",
                        nb.header_span,
                    ));
                }
            }
            "plan_options" => {
                for a in &nb.body.attributes {
                    match a.name.name.as_str() {
                        "mode" => match reference_text(&a.expr).as_deref() {
                            Some("refresh-only") => r.plan.refresh_only = true,
                            Some("normal") => r.plan.refresh_only = false,
                            _ => diags.push(err(
                                "Invalid plan_options mode",
                                "The mode argument requires one of the following keywords without quotes: normal or refresh-only.",
                                a.expr.span,
                            )),
                        },
                        "refresh" => r.plan.refresh = Some(a.expr.clone()),
                        "replace" => r.plan.replace = references(&a.expr, "replace", diags),
                        "target" => r.plan.target = references(&a.expr, "target", diags),
                        _ => diags.push(unsupported_arg(a, &ctx)),
                    }
                }
            }
            "override_resource" => r.overrides.extend(parse_override(nb, OverrideKind::Resource, diags)),
            "override_data" => r.overrides.extend(parse_override(nb, OverrideKind::Data, diags)),
            "override_module" => r.overrides.extend(parse_override(nb, OverrideKind::Module, diags)),
            _ => diags.push(unsupported_block(nb, &ctx)),
        }
    }
    Some(r)
}

fn parse_mock(b: &Block, module_dir: &std::path::Path, files: &mut Files, diags: &mut Vec<Diagnostic>) -> Option<MockProviderBlock> {
    let name = b.labels.first()?.value.clone();
    let ctx = format!("mock_provider {name:?}");
    let mut m = MockProviderBlock { name, alias: None, during_plan: false, types: Vec::new(), overrides: Vec::new(), span: b.span };
    let mut source = None;
    for a in &b.body.attributes {
        match a.name.name.as_str() {
            "alias" => m.alias = string_literal(&a.expr, diags),
            "override_during" => m.during_plan = during(&a.expr, diags).unwrap_or(false),
            "source" => source = string_literal(&a.expr, diags),
            _ => diags.push(unsupported_arg(a, &ctx)),
        }
    }
    mock_blocks(&b.body.blocks, &mut m, &ctx, diags);
    if let Some(src) = source {
        // Mock data files (`*.tfmock.hcl` / `*.tfmock.json` in `source`, a
        // directory relative to the module under test): what the block itself
        // says wins over them.
        let mut from_files = MockProviderBlock { types: Vec::new(), overrides: Vec::new(), ..m.clone() };
        match mock_files(module_dir, &src) {
            None => diags.push(err(
                "Failed to read mock data directory",
                format!("Mock data directory {src} does not exist or cannot be read."),
                b.header_span,
            )),
            Some(paths) => {
                for (path, shown) in paths {
                    let text = match std::fs::read_to_string(&path) {
                        Ok(t) => t,
                        Err(e) => {
                            diags.push(err(
                                "Failed to read mock data file",
                                format!("The file {shown:?} could not be read: {e}."),
                                b.header_span,
                            ));
                            continue;
                        }
                    };
                    let id = files.add(shown.clone(), text);
                    let (body, d): (Body, _) = if shown.ends_with(".json") {
                        plinth_syntax::parse_json_file(id, files.text(id))
                    } else {
                        plinth_syntax::parse_file(id, files.text(id))
                    };
                    diags.extend(d);
                    for a in &body.attributes {
                        diags.push(unsupported_arg(a, "mock data file"));
                    }
                    mock_blocks(&body.blocks, &mut from_files, "mock data file", diags);
                }
            }
        }
        for t in from_files.types {
            if !m.types.iter().any(|x| x.type_name == t.type_name && x.data == t.data) {
                m.types.push(t);
            }
        }
        // Later overrides of a target win, so the block's own come last.
        from_files.overrides.append(&mut m.overrides);
        m.overrides = from_files.overrides;
    }
    Some(m)
}

/// The mock data files of `source`, in name order, with the names shown in
/// diagnostics; `None` when the directory cannot be read.
fn mock_files(module_dir: &std::path::Path, source: &str) -> Option<Vec<(std::path::PathBuf, String)>> {
    let dir = module_dir.join(source);
    let rd = std::fs::read_dir(&dir).ok()?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".tfmock.hcl") || n.ends_with(".tfmock.json"))
        .collect();
    names.sort();
    let prefix = source.trim_start_matches("./").trim_end_matches('/');
    Some(names.into_iter().map(|n| (dir.join(&n), if prefix.is_empty() { n.clone() } else { format!("{prefix}/{n}") })).collect())
}

/// `mock_resource`, `mock_data`, `override_resource` and `override_data`
/// blocks (of a `mock_provider` block or a mock data file) into `m`.
fn mock_blocks(blocks: &[Block], m: &mut MockProviderBlock, ctx: &str, diags: &mut Vec<Diagnostic>) {
    for nb in blocks {
        match nb.kind.name.as_str() {
            "mock_resource" | "mock_data" => {
                let Some(t) = nb.labels.first() else {
                    diags.push(err("Missing type label", format!("A {} block needs the type it mocks.", nb.kind.name), nb.header_span));
                    continue;
                };
                let mut mt = MockType { type_name: t.value.clone(), data: nb.kind.name == "mock_data", defaults: None, during_plan: None };
                for a in &nb.body.attributes {
                    match a.name.name.as_str() {
                        "defaults" => mt.defaults = Some(a.expr.clone()),
                        "override_during" => mt.during_plan = during(&a.expr, diags),
                        _ => diags.push(unsupported_arg(a, ctx)),
                    }
                }
                m.types.push(mt);
            }
            "override_resource" => m.overrides.extend(parse_override(nb, OverrideKind::Resource, diags)),
            "override_data" => m.overrides.extend(parse_override(nb, OverrideKind::Data, diags)),
            _ => diags.push(unsupported_block(nb, ctx)),
        }
    }
}

/// Parses one test file. Diagnostics with errors mean the file cannot run.
/// `module_dir` is the module under test (mock data `source` directories are relative to it).
pub fn parse(path: &std::path::Path, name: &str, module_dir: &std::path::Path, files: &mut Files) -> (Option<TestFile>, Vec<Diagnostic>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return (None, vec![Diagnostic::error("Failed to read test file", format!("The file {name:?} could not be read: {e}."))]),
    };
    let id = files.add(name.to_string(), text);
    let (body, mut diags): (Body, _) = if name.ends_with(".json") {
        plinth_syntax::parse_json_file(id, files.text(id))
    } else {
        plinth_syntax::parse_file(id, files.text(id))
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let mut tf = TestFile {
        name: name.to_string(),
        file: id,
        variables: Vec::new(),
        providers: Vec::new(),
        mocks: Vec::new(),
        overrides: Vec::new(),
        runs: Vec::new(),
        parallel: false,
    };
    for a in &body.attributes {
        diags.push(unsupported_arg(a, "test file"));
    }
    for b in &body.blocks {
        match b.kind.name.as_str() {
            "run" => {
                if let Some(r) = parse_run(b, &mut diags) {
                    if tf.runs.iter().any(|x| x.name == r.name) {
                        diags.push(err(
                            "Duplicate \"run\" block names",
                            format!("This test file already has a run named {}.", r.name),
                            b.header_span,
                        ));
                    }
                    tf.runs.push(r);
                }
            }
            "variables" => tf.variables.extend(b.body.attributes.iter().cloned()),
            "provider" => {
                let Some(l) = b.labels.first() else { continue };
                let alias = b.body.attribute("alias").and_then(|a| plinth_config::literal_string(&a.expr));
                let mut body = b.body.clone();
                body.attributes.retain(|a| a.name.name != "alias");
                tf.providers.push(plinth_config::ProviderConfig {
                    name: l.value.clone(),
                    alias,
                    body,
                    span: b.span,
                    def_span: plinth_config::def_range(b),
                });
            }
            "mock_provider" => tf.mocks.extend(parse_mock(b, module_dir, files, &mut diags)),
            "override_resource" => tf.overrides.extend(parse_override(b, OverrideKind::Resource, &mut diags)),
            "override_data" => tf.overrides.extend(parse_override(b, OverrideKind::Data, &mut diags)),
            "override_module" => tf.overrides.extend(parse_override(b, OverrideKind::Module, &mut diags)),
            "test" => {
                for a in &b.body.attributes {
                    match a.name.name.as_str() {
                        "parallel" => tf.parallel = bool_literal(&a.expr, &mut diags),
                        _ => diags.push(unsupported_arg(a, "test")),
                    }
                }
            }
            _ => diags.push(unsupported_block(b, "test file")),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (Some(tf), diags)
}
