//! `import` blocks: before planning, each `to` address not yet in state is
//! filled by the provider's `import_resource` with the object `id` names, so
//! the plan compares configuration against what exists.

use plinth_config::ResourceMode as CfgMode;
use plinth_lang::Evaluator;
use plinth_state::{AbsResourceInstance, InstanceObject, ModuleInstance, State};
use plinth_syntax::Diagnostic;

use crate::configure::eval_referenced;
use crate::statevals::object_to_state_json;
use crate::walk::{provider_diag, Context};

/// Imports what the root module's `import` blocks ask for into `state`;
/// returns the addresses imported.
pub async fn import_blocks(ctx: &Context<'_>, state: &mut State, diags: &mut Vec<Diagnostic>) -> Vec<(AbsResourceInstance, String)> {
    let root = &ctx.tree.root().module;
    let mut done = Vec::new();
    if root.imports.is_empty() {
        return done;
    }
    let mut exprs = Vec::new();
    for b in &root.imports {
        if let Some(a) = b.attribute("id") {
            exprs.push(&a.expr);
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
        let Some(text) = crate::traversal_text(&to.expr) else {
            diags.push(
                Diagnostic::error("Invalid import address", "The \"to\" argument must be a resource address.").with_subject(to.expr.span),
            );
            continue;
        };
        let addr: AbsResourceInstance = match text.parse() {
            Ok(a) => a,
            Err(e) => {
                diags.push(Diagnostic::error("Invalid import address", format!("{text}: {e}")).with_subject(to.expr.span));
                continue;
            }
        };
        if state.current(&addr).is_some() {
            continue;
        }
        let key = format!("{}.{}", addr.resource.resource.type_name, addr.resource.resource.name);
        let Some(rc) = root.resources.get(&key).filter(|r| r.mode == CfgMode::Managed) else {
            diags.push(
                Diagnostic::error("Configuration for import target does not exist", format!("The configuration for the given import target {addr} does not exist. All target instances must have an associated configuration to be imported."))
                    .with_subject(to.expr.span),
            );
            continue;
        };
        let id = {
            let scope = walk.scope(0, &inst);
            let mut ev = Evaluator::new(&scope, walk.call_ctx(0, true));
            match ev.eval(&id.expr) {
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
            }
        };
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
                let ty =
                    provider.schema().resources.get(&rc.type_name).map(|s| s.block.implied_type()).unwrap_or(plinth_value::Type::Dynamic);
                let mut obj = InstanceObject::new(object_to_state_json(&v, &ty));
                obj.schema_version = version;
                state.set_current(&addr, Some(obj), &paddr);
                done.push((addr, id.clone()));
            }
            Err(e) => diags.push(provider_diag(&addr, e, to.expr.span)),
        }
    }
    done
}
