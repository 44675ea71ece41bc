//! Decoding a resource's configuration body into an object value with its
//! schema: arguments converted to their types, nested blocks (including
//! `dynamic` blocks) collected, unknown arguments and missing required ones
//! reported where they are written.

use std::collections::BTreeMap;

use plinth_lang::{EvalError, Evaluator};
use plinth_provider::{BlockSchema, Nesting};
use plinth_syntax::ast::{Block, Body};
use plinth_syntax::{Diagnostic, Span};
use plinth_value::{convert, Type, Value};

pub fn decode_body(ev: &mut Evaluator, body: &Body, schema: &BlockSchema, decl: Span) -> Result<Value, EvalError> {
    let mut diags = Vec::new();
    let mut fatal = false;
    let mut out = BTreeMap::new();
    for a in &body.attributes {
        let Some(attr) = schema.attributes.get(&a.name.name) else {
            let what = if schema.blocks.contains_key(&a.name.name) {
                format!(
                    "An argument named {:?} is not expected here. Did you mean to define a block of type {:?}?",
                    a.name.name, a.name.name
                )
            } else {
                format!("An argument named {:?} is not expected here.", a.name.name)
            };
            diags.push(Diagnostic::error("Unsupported argument", what).with_subject(a.name.span));
            continue;
        };
        if attr.computed && !attr.optional && !attr.required {
            diags.push(
                Diagnostic::error(
                    "Invalid or unknown key",
                    format!("The argument {:?} is read-only: its value is computed by the provider.", a.name.name),
                )
                .with_subject(a.name.span),
            );
            continue;
        }
        match ev.eval(&a.expr) {
            Ok(v) => match convert(&v, &attr.ty) {
                Ok(v) => {
                    out.insert(a.name.name.clone(), v);
                }
                Err(ce) => diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute {:?}: {ce}.", a.name.name),
                    )
                    .with_subject(a.expr.span),
                ),
            },
            Err(e) => {
                fatal |= e.fatal;
                diags.extend(e.diags)
            }
        }
    }
    for (name, attr) in &schema.attributes {
        if !out.contains_key(name) {
            if attr.required && body.attribute(name).is_none() {
                diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!("The argument {name:?} is required, but no definition was found."),
                    )
                    .with_subject(decl),
                );
            }
            out.insert(name.clone(), Value::null(attr.ty.clone()));
        }
    }
    // Nested blocks, static and dynamic. Each item keeps where it is written
    // (for "Too many blocks"); a `dynamic` block whose `for_each` is unknown
    // makes its block type's value unknown and satisfies its item limits,
    // as HCL's placeholder block does in Terraform.
    let mut collected: BTreeMap<&str, Vec<(Option<String>, Value, Span)>> = BTreeMap::new();
    let mut unknown: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for b in &body.blocks {
        if b.kind.name == "dynamic" {
            match expand_dynamic(ev, b, schema) {
                Ok(expanded) => {
                    if let Some(label) = b.labels.first() {
                        if let Some((k, _)) = schema.blocks.get_key_value(label.value.as_str()) {
                            match expanded {
                                Some(items) => collected.entry(k.as_str()).or_default().extend(items),
                                None => {
                                    unknown.insert(k.as_str());
                                }
                            }
                        }
                    }
                }
                Err(e) => {
                    fatal |= e.fatal;
                    diags.extend(e.diags)
                }
            }
            continue;
        }
        let Some((k, nb)) = schema.blocks.get_key_value(b.kind.name.as_str()) else {
            diags.push(
                Diagnostic::error("Unsupported block type", format!("Blocks of type {:?} are not expected here.", b.kind.name))
                    .with_subject(b.kind.span),
            );
            continue;
        };
        match decode_body(ev, &b.body, &nb.block, b.header_span) {
            Ok(v) => collected.entry(k.as_str()).or_default().push((b.labels.first().map(|l| l.value.clone()), v, b.kind.span)),
            Err(e) => {
                fatal |= e.fatal;
                diags.extend(e.diags)
            }
        }
    }
    for (name, nb) in &schema.blocks {
        let items = collected.remove(name.as_str()).unwrap_or_default();
        let ty = nb.block.implied_type();
        if unknown.contains(name.as_str()) {
            let t = match nb.nesting {
                Nesting::Single => ty,
                Nesting::List => Type::list(ty),
                Nesting::Set => Type::set(ty),
                Nesting::Map => Type::map(ty),
            };
            out.insert(name.clone(), Value::unknown(t));
            continue;
        }
        if items.len() < nb.min_items {
            diags.push(
                Diagnostic::error(
                    format!("Insufficient {name} blocks"),
                    format!("At least {} {name:?} blocks are required.", nb.min_items),
                )
                .with_subject(decl),
            );
        }
        if nb.max_items > 0 && items.len() > nb.max_items {
            diags.push(
                Diagnostic::error(format!("Too many {name} blocks"), format!("No more than {} {name:?} blocks are allowed", nb.max_items))
                    .with_subject(items[nb.max_items].2),
            );
        }
        let v = match nb.nesting {
            Nesting::Single => items.into_iter().next().map(|(_, v, _)| v).unwrap_or_else(|| Value::null(ty)),
            Nesting::List => Value::list(ty, items.into_iter().map(|(_, v, _)| v).collect()),
            Nesting::Set => Value::set(ty, items.into_iter().map(|(_, v, _)| v).collect()),
            Nesting::Map => Value::map(ty, items.into_iter().map(|(k, v, _)| (k.unwrap_or_default(), v)).collect()),
        };
        out.insert(name.clone(), v);
    }
    if diags.is_empty() {
        Ok(Value::object(out))
    } else {
        Err(EvalError { diags, fatal })
    }
}

/// A resource's configuration body: [`decode_body`], then refusing
/// ephemeral values, which a resource argument would persist to state
/// (no attribute is write-only here).
pub fn decode_resource_body(ev: &mut Evaluator, body: &Body, schema: &BlockSchema, decl: Span) -> Result<Value, EvalError> {
    let v = decode_body(ev, body, schema, decl)?;
    let Some(attrs) = v.as_entries() else { return Ok(v) };
    let mut diags = Vec::new();
    for (name, x) in attrs.iter() {
        if !x.marks_deep().contains(plinth_value::Marks::EPHEMERAL) {
            continue;
        }
        let at = body
            .attribute(name)
            .map(|a| a.expr.span)
            .or_else(|| {
                body.blocks.iter().find(|b| b.kind.name == *name || b.labels.first().is_some_and(|l| l.value == *name)).map(|b| b.kind.span)
            })
            .unwrap_or(decl);
        diags.push(
            Diagnostic::error(
                "Invalid use of ephemeral value",
                format!(
                    "Ephemeral values are not valid for {name:?}, because it is not a write-only attribute and must be persisted to state."
                ),
            )
            .with_subject(at),
        );
    }
    if diags.is_empty() {
        Ok(v)
    } else {
        Err(EvalError { diags, fatal: false })
    }
}

/// `dynamic "name" { for_each = ...; iterator = it; content { ... } }`: the
/// blocks it makes, or `None` when `for_each` is unknown (its content is then
/// still decoded once, with an unknown iterator, for its errors).
fn expand_dynamic(ev: &mut Evaluator, b: &Block, schema: &BlockSchema) -> Result<Option<Vec<(Option<String>, Value, Span)>>, EvalError> {
    let label = b.labels.first().map(|l| l.value.clone()).unwrap_or_default();
    let Some(nb) = schema.blocks.get(&label) else {
        return Err(EvalError::new(
            Diagnostic::error("Unsupported block type", format!("Blocks of type {label:?} are not expected here."))
                .with_subject(b.header_span),
        ));
    };
    let Some(fe) = b.body.attribute("for_each") else {
        return Err(EvalError::new(
            Diagnostic::error("Missing required argument", "The argument \"for_each\" is required, but no definition was found.")
                .with_subject(b.header_span),
        ));
    };
    let iter_name = b.body.attribute("iterator").and_then(|a| a.expr.as_traversal().map(|(r, _)| r.name)).unwrap_or_else(|| label.clone());
    let Some(content) = b.body.blocks_of("content").next() else {
        return Err(EvalError::new(
            Diagnostic::error("Missing content block", "A dynamic block must have a nested block of type \"content\".")
                .with_subject(b.header_span),
        ));
    };
    let coll = ev.eval(&fe.expr)?;
    let (coll, _marks) = coll.unmark();
    if coll.is_unknown() {
        let it = Value::object(
            [("key".to_string(), Value::dynamic_unknown()), ("value".to_string(), Value::dynamic_unknown())].into_iter().collect(),
        );
        ev.with_local(&iter_name, it, |ev| decode_body(ev, &content.body, &nb.block, content.header_span))?;
        return Ok(None);
    }
    let items: Vec<(Value, Value)> = match (coll.as_seq(), coll.as_entries()) {
        (Some(xs), _) => xs.iter().enumerate().map(|(i, x)| (Value::int(i as i64), x.clone())).collect(),
        (_, Some(m)) => m.iter().map(|(k, v)| (Value::string(k.as_str()), v.clone())).collect(),
        _ if coll.is_null() => Vec::new(),
        _ => {
            return Err(EvalError::new(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    "Cannot use a value of this type in for_each. An iterable collection is required.",
                )
                .with_subject(fe.expr.span),
            ))
        }
    };
    let mut out = Vec::new();
    for (k, v) in items {
        let it = Value::object([("key".to_string(), k.clone()), ("value".to_string(), v)].into_iter().collect());
        let r = ev.with_local(&iter_name, it, |ev| decode_body(ev, &content.body, &nb.block, content.header_span))?;
        let label = k.as_str().map(str::to_string);
        out.push((label, r, content.kind.span));
    }
    Ok(Some(out))
}

/// Merges configuration over prior state for the provider's plan: configured
/// values win; unset computed attributes keep their prior value, or become
/// unknown when there is none.
pub fn proposed_new(schema: &BlockSchema, config: &Value, prior: Option<&Value>) -> Value {
    let (Some(cfg), prior_map) = (config.as_entries(), prior.and_then(Value::as_entries)) else {
        return config.clone();
    };
    let mut out = cfg.clone();
    for (name, attr) in &schema.attributes {
        let c = cfg.get(name);
        if attr.computed && c.is_none_or(Value::is_null) {
            let v = match prior_map.and_then(|p| p.get(name)) {
                Some(p) => p.clone(),
                None => Value::unknown(attr.ty.clone()),
            };
            out.insert(name.clone(), v);
        }
    }
    Value { kind: plinth_value::Kind::Object(std::sync::Arc::new(out)), marks: config.marks }
}
