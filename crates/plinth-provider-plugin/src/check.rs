//! Terraform's safety checks on what a provider returns (its `objchange`
//! package): a planned value must not contradict a known configuration
//! value, and an applied value must not contradict a known planned value.
//! Providers built on the legacy SDK (which sets `legacy_type_system`) are
//! exempt, as in Terraform.

use plinth_provider::BlockSchema;
use plinth_value::{display_value, Kind, Value};

fn shown(v: &Value, sensitive: bool) -> String {
    if sensitive {
        return "(sensitive value)".into();
    }
    match &v.kind {
        Kind::Null(_) => "null".into(),
        Kind::Unknown(_) => "(known after apply)".into(),
        _ => display_value(v),
    }
}

fn attr<'a>(v: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    v.and_then(Value::as_entries).and_then(|m| m.get(name))
}

/// The first attribute whose planned value contradicts the configuration,
/// as `path: planned value X does not match config value Y`.
pub fn plan_valid(schema: &BlockSchema, prior: Option<&Value>, config: &Value, planned: &Value) -> Option<String> {
    block_valid(schema, prior, config, planned, "")
}

fn block_valid(schema: &BlockSchema, prior: Option<&Value>, config: &Value, planned: &Value, path: &str) -> Option<String> {
    if !planned.is_known() || !config.is_known() {
        return None;
    }
    for (name, a) in &schema.attributes {
        let (Some(c), Some(p)) = (attr(Some(config), name), attr(Some(planned), name)) else { continue };
        let here = format!("{path}.{name}");
        let must_match = !a.computed || !c.is_null();
        if must_match && !c.raw_equal(p) {
            return Some(format!("{here}: planned value {} does not match config value {}", shown(p, a.sensitive), shown(c, a.sensitive)));
        }
    }
    for (name, nb) in &schema.blocks {
        let (Some(c), Some(p)) = (attr(Some(config), name), attr(Some(planned), name)) else { continue };
        let prior_b = attr(prior, name);
        let here = format!("{path}.{name}");
        if !c.is_known() || !p.is_known() {
            continue;
        }
        match (&c.kind, &p.kind) {
            (Kind::Object(_), Kind::Object(_)) => {
                if let Some(e) = block_valid(&nb.block, prior_b, c, p, &here) {
                    return Some(e);
                }
            }
            (Kind::List(_, cs), Kind::List(_, ps)) | (Kind::Tuple(cs), Kind::Tuple(ps)) => {
                if cs.len() != ps.len() {
                    return Some(format!("{here}: block count in plan ({}) disagrees with count in config ({})", ps.len(), cs.len()));
                }
                for (i, (ci, pi)) in cs.iter().zip(ps.iter()).enumerate() {
                    let pr = prior_b.and_then(Value::as_seq).and_then(|s| s.get(i));
                    if let Some(e) = block_valid(&nb.block, pr, ci, pi, &format!("{here}[{i}]")) {
                        return Some(e);
                    }
                }
            }
            (Kind::Map(_, cs), Kind::Map(_, ps)) | (Kind::Object(cs), Kind::Map(_, ps)) => {
                for (k, ci) in cs.iter() {
                    let Some(pi) = ps.get(k) else {
                        return Some(format!("{here}: block key {k:?} from config is missing from the plan"));
                    };
                    if let Some(e) = block_valid(&nb.block, attr(prior_b, k), ci, pi, &format!("{here}[{k:?}]")) {
                        return Some(e);
                    }
                }
            }
            // Sets are matched by value, which a provider may legitimately
            // rewrite in computed nested attributes; Terraform's own set
            // check is a heuristic, not repeated here.
            _ => {}
        }
    }
    None
}

/// The first place where the applied value contradicts a known planned
/// value, as `path: was X, but now Y`.
pub fn apply_consistent(planned: &Value, new: &Value) -> Option<String> {
    compatible(planned, new, "")
}

fn compatible(planned: &Value, new: &Value, path: &str) -> Option<String> {
    let here = if path.is_empty() { "Root object".to_string() } else { path.to_string() };
    if !planned.is_known() {
        return None;
    }
    let differs = || Some(format!("{here}: was {}, but now {}", shown(planned, false), shown(new, false)));
    if planned.is_null() != new.is_null() {
        return differs();
    }
    match (&planned.kind, &new.kind) {
        (Kind::Object(ps), Kind::Object(ns)) | (Kind::Map(_, ps), Kind::Map(_, ns)) => {
            for (k, pv) in ps.iter() {
                let step = if matches!(planned.kind, Kind::Object(_)) { format!("{path}.{k}") } else { format!("{path}[{k:?}]") };
                match ns.get(k) {
                    Some(nv) => {
                        if let Some(e) = compatible(pv, nv, &step) {
                            return Some(e);
                        }
                    }
                    None => return Some(format!("{step}: element has vanished")),
                }
            }
            if ns.len() != ps.len() {
                return differs();
            }
            None
        }
        (Kind::List(_, ps), Kind::List(_, ns)) | (Kind::Tuple(ps), Kind::Tuple(ns)) => {
            if ps.len() != ns.len() {
                return Some(format!("{here}: wrong final number of elements (planned {}, got {})", ps.len(), ns.len()));
            }
            for (i, (pv, nv)) in ps.iter().zip(ns.iter()).enumerate() {
                if let Some(e) = compatible(pv, nv, &format!("{path}[{i}]")) {
                    return Some(e);
                }
            }
            None
        }
        (Kind::Set(..), Kind::Set(..)) => {
            // A set with unknown elements may resolve to any elements.
            if planned.is_wholly_known() && !planned.raw_equal(new) {
                return differs();
            }
            None
        }
        _ => {
            if planned.raw_equal(new) {
                None
            } else {
                differs()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use plinth_provider::AttributeSchema;
    use plinth_value::Type;

    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn a_plan_must_keep_configured_values() {
        let mut s = BlockSchema::default();
        s.attributes.insert("name".into(), AttributeSchema::required(Type::String));
        s.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        s.attributes.insert("size".into(), AttributeSchema::optional_computed(Type::Number));
        let config = obj(&[("name", Value::string("a")), ("id", Value::null(Type::String)), ("size", Value::null(Type::Number))]);
        let ok = obj(&[("name", Value::string("a")), ("id", Value::unknown(Type::String)), ("size", Value::int(3))]);
        assert_eq!(plan_valid(&s, None, &config, &ok), None, "computed values not in the configuration are the provider's");
        let bad = obj(&[("name", Value::string("b")), ("id", Value::unknown(Type::String)), ("size", Value::int(3))]);
        assert_eq!(plan_valid(&s, None, &config, &bad).unwrap(), ".name: planned value \"b\" does not match config value \"a\"");
        let config2 = obj(&[("name", Value::string("a")), ("id", Value::null(Type::String)), ("size", Value::int(1))]);
        assert!(plan_valid(&s, None, &config2, &ok).unwrap().starts_with(".size: planned value 3"));
    }

    #[test]
    fn an_apply_must_keep_known_planned_values() {
        let planned = obj(&[("id", Value::unknown(Type::String)), ("n", Value::int(1))]);
        let new = obj(&[("id", Value::string("x")), ("n", Value::int(1))]);
        assert_eq!(apply_consistent(&planned, &new), None);
        let new2 = obj(&[("id", Value::string("x")), ("n", Value::int(2))]);
        assert_eq!(apply_consistent(&planned, &new2).unwrap(), ".n: was 1, but now 2");
    }
}
