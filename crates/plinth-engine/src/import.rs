//! `import` blocks: before planning, each `to` address not yet in state is
//! filled by the provider's `import_resource` with the object `id` names, so
//! the plan compares configuration against what exists.

use plinth_config::ResourceMode as CfgMode;
use plinth_lang::Evaluator;
use plinth_state::{AbsResourceInstance, InstanceObject, ModuleInstance, State};
use plinth_syntax::ast::{Expr, ExprKind};
use plinth_syntax::Diagnostic;
use plinth_value::{Kind, Value};

use crate::configure::eval_referenced;
use crate::statevals::object_to_state_json;
use crate::walk::{provider_diag, Context};

/// Imports what the root module's `import` blocks ask for into `state`;
/// returns the addresses imported. A block with `for_each` imports one
/// instance per element (`each.key` / `each.value` in `to` and `id`); `to`
/// may name a resource in a child module.
pub async fn import_blocks(ctx: &Context<'_>, state: &mut State, diags: &mut Vec<Diagnostic>) -> Vec<(AbsResourceInstance, String)> {
    let root = &ctx.tree.root().module;
    let mut done = Vec::new();
    if root.imports.is_empty() {
        return done;
    }
    let mut exprs = Vec::new();
    for b in &root.imports {
        for name in ["id", "for_each", "to"] {
            if let Some(a) = b.attribute(name) {
                exprs.push(&a.expr);
            }
        }
    }
    let walk = eval_referenced(ctx, state, &exprs);
    let inst = ModuleInstance::root();
    for b in &root.imports {
        let span = b.attributes.first().map(|a| a.expr.span).unwrap_or_default();
        let (Some(to), Some(id)) = (b.attribute("to"), b.attribute("id")) else {
            diags.push(Diagnostic::error("Invalid import block", "An import block needs both \"to\" and \"id\".").with_subject(span));
            continue;
        };
        // One (each.key, each.value) per instance to import; none without for_each.
        let items: Vec<Option<(Value, Value)>> = match b.attribute("for_each") {
            None => vec![None],
            Some(fe) => {
                let scope = walk.scope(0, &inst);
                let mut ev = Evaluator::new(&scope, walk.call_ctx(0, true));
                match ev.eval(&fe.expr) {
                    Ok(v) => match for_each_items(&v) {
                        Some(items) => items.into_iter().map(Some).collect(),
                        None => {
                            diags.push(
                                Diagnostic::error(
                                    "Invalid for_each argument",
                                    "The \"for_each\" expression of an import block must be a known map, set or list.",
                                )
                                .with_subject(fe.expr.span),
                            );
                            continue;
                        }
                    },
                    Err(e) => {
                        diags.extend(e.diags);
                        continue;
                    }
                }
            }
        };
        for item in items {
            let mut scope = walk.scope(0, &inst);
            if let Some((k, v)) = &item {
                scope.each = Some((k.clone(), v.clone()));
            }
            let mut ev = Evaluator::new(&scope, walk.call_ctx(0, true));
            let addr = match import_address(&mut ev, &to.expr) {
                Ok(a) => a,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            if state.current(&addr).is_some() {
                continue;
            }
            let rc = module_of(ctx, &addr).and_then(|m| {
                let key = format!("{}.{}", addr.resource.resource.type_name, addr.resource.resource.name);
                ctx.tree.get(m).module.resources.get(&key).filter(|r| r.mode == CfgMode::Managed)
            });
            let Some(rc) = rc else {
                diags.push(
                    Diagnostic::error("Configuration for import target does not exist", format!("The configuration for the given import target {addr} does not exist. All target instances must have an associated configuration to be imported."))
                        .with_subject(to.expr.span),
                );
                continue;
            };
            let id = match ev.eval(&id.expr) {
                Ok(v) => match v.unmark_deep().0.as_str() {
                    Some(s) if !s.is_empty() => s.to_string(),
                    _ => {
                        diags.push(
                            Diagnostic::error("Invalid import id argument", "The import ID must be a known, non-empty string.")
                                .with_subject(id.expr.span),
                        );
                        continue;
                    }
                },
                Err(e) => {
                    diags.extend(e.diags);
                    continue;
                }
            };
            if done.iter().any(|(a, _)| *a == addr) {
                diags.push(
                    Diagnostic::error(
                        "Duplicate import configuration",
                        format!("An import block for the resource {addr} was already declared."),
                    )
                    .with_subject(to.expr.span),
                );
                continue;
            }
            let (provider, _, paddr) = match walk.provider_for(rc) {
                Ok(p) => p,
                Err(ds) => {
                    diags.extend(ds);
                    continue;
                }
            };
            let version = provider.schema().resources.get(&rc.type_name).map(|s| s.version).unwrap_or(0);
            match provider.import_resource(&rc.type_name, &id).await {
                Ok(v) => {
                    let ty = provider
                        .schema()
                        .resources
                        .get(&rc.type_name)
                        .map(|s| s.block.implied_type())
                        .unwrap_or(plinth_value::Type::Dynamic);
                    let mut obj = InstanceObject::new(object_to_state_json(&v, &ty));
                    obj.schema_version = version;
                    state.set_current(&addr, Some(obj), &paddr);
                    done.push((addr, id.clone()));
                }
                Err(e) => diags.push(provider_diag(&addr, e, to.expr.span)),
            }
        }
    }
    done
}

/// `for_each` of an import block: a map or object (keys), a set (each
/// element is its own key), or a list or tuple (keys are the indexes).
fn for_each_items(v: &Value) -> Option<Vec<(Value, Value)>> {
    let (v, _) = v.clone().unmark_deep();
    if !v.is_wholly_known() || v.is_null() {
        return None;
    }
    match &v.kind {
        Kind::Map(_, m) | Kind::Object(m) => Some(m.iter().map(|(k, x)| (Value::string(k.as_str()), x.clone())).collect()),
        Kind::Set(_, xs) => Some(xs.iter().map(|x| (x.clone(), x.clone())).collect()),
        Kind::List(_, xs) | Kind::Tuple(xs) => {
            Some(xs.iter().enumerate().map(|(i, x)| (Value::number(plinth_value::Number::from_i64(i as i64)), x.clone())).collect())
        }
        _ => None,
    }
}

/// The instance `to` names: attribute steps as written, index keys
/// evaluated (`terraform_data.x[each.key]`).
fn import_address(ev: &mut Evaluator<'_>, e: &Expr) -> Result<AbsResourceInstance, Diagnostic> {
    let invalid = |detail: String| Diagnostic::error("Invalid import address", detail).with_subject(e.span);
    let mut steps: Vec<String> = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Variable(root) => {
                steps.push(root.name.clone());
                break;
            }
            ExprKind::GetAttr(inner, name) => {
                steps.push(format!(".{}", name.name));
                cur = inner;
            }
            ExprKind::Index(inner, key) => {
                let k = ev.eval(key).map_err(|err| err.diags.into_iter().next().unwrap_or_else(|| invalid("Invalid index.".into())))?;
                let (k, _) = k.unmark_deep();
                let text = match &k.kind {
                    Kind::String(s) => format!("[{}]", plinth_value::go_quote(s)),
                    Kind::Number(n) => format!("[{n}]"),
                    _ => return Err(invalid("An instance key must be a known string or number.".into())),
                };
                steps.push(text);
                cur = inner;
            }
            _ => return Err(invalid("The \"to\" argument must be a resource instance address.".into())),
        }
    }
    steps.reverse();
    let text = steps.concat();
    text.parse().map_err(|err| invalid(format!("{text}: {err}")))
}

/// The configuration module an address's module path names.
fn module_of(ctx: &Context<'_>, addr: &AbsResourceInstance) -> Option<crate::tree::ModuleId> {
    let mut m = 0;
    for step in addr.resource.module.steps() {
        m = ctx.tree.child(m, &step.name)?;
    }
    Some(m)
}
