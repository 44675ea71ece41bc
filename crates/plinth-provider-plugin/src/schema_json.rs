//! A provider's schema as `terraform providers schema -json` prints it
//! (Terraform's `jsonprovider` and `jsonfunction` packages): Go's
//! `encoding/json` field order for each object, map keys sorted, fields with
//! their zero value left out where Terraform's struct tags say `omitempty`,
//! and `<`, `>`, `&`, U+2028 and U+2029 escaped as Go escapes them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::proto;

/// The document for every provider, by full source address.
pub fn providers_json(providers: &BTreeMap<String, proto::GetProviderSchemaResponse>) -> Value {
    let mut out = Map::new();
    out.insert("format_version".into(), "1.0".into());
    if !providers.is_empty() {
        let schemas: Map<String, Value> = providers.iter().map(|(addr, r)| (addr.clone(), provider(r))).collect();
        out.insert("provider_schemas".into(), Value::Object(schemas));
    }
    Value::Object(out)
}

/// One provider: `jsonprovider.Provider`.
pub fn provider(r: &proto::GetProviderSchemaResponse) -> Value {
    let mut out = Map::new();
    // Terraform always has a provider schema (an empty block when the
    // provider sends none).
    let empty = proto::Schema::default();
    out.insert("provider".into(), schema(r.provider.as_ref().unwrap_or(&empty)));
    let mut maps = |key: &str, m: &std::collections::HashMap<String, proto::Schema>| {
        if !m.is_empty() {
            let sorted: BTreeMap<&String, &proto::Schema> = m.iter().collect();
            out.insert(key.into(), Value::Object(sorted.into_iter().map(|(k, s)| (k.clone(), schema(s))).collect()));
        }
    };
    maps("resource_schemas", &r.resource_schemas);
    maps("data_source_schemas", &r.data_source_schemas);
    maps("ephemeral_resource_schemas", &r.ephemeral_resource_schemas);
    maps("list_resource_schemas", &r.list_resource_schemas);
    if !r.functions.is_empty() {
        let sorted: BTreeMap<&String, &proto::Function> = r.functions.iter().collect();
        out.insert("functions".into(), Value::Object(sorted.into_iter().map(|(k, f)| (k.clone(), function(f))).collect()));
    }
    Value::Object(out)
}

fn schema(s: &proto::Schema) -> Value {
    let mut out = Map::new();
    out.insert("version".into(), s.version.into());
    let empty = proto::Block::default();
    out.insert("block".into(), block(s.block.as_ref().unwrap_or(&empty)));
    Value::Object(out)
}

fn string_kind(k: i32) -> &'static str {
    if k == 1 {
        "markdown"
    } else {
        "plain"
    }
}

fn block(b: &proto::Block) -> Value {
    let mut out = Map::new();
    if !b.attributes.is_empty() {
        let sorted: BTreeMap<&String, &proto::Attribute> = b.attributes.iter().map(|a| (&a.name, a)).collect();
        out.insert("attributes".into(), Value::Object(sorted.into_iter().map(|(k, a)| (k.clone(), attribute(a))).collect()));
    }
    if !b.block_types.is_empty() {
        let sorted: BTreeMap<&String, &proto::NestedBlock> = b.block_types.iter().map(|n| (&n.type_name, n)).collect();
        out.insert("block_types".into(), Value::Object(sorted.into_iter().map(|(k, n)| (k.clone(), block_type(n))).collect()));
    }
    if !b.description.is_empty() {
        out.insert("description".into(), b.description.clone().into());
    }
    out.insert("description_kind".into(), string_kind(b.description_kind).into());
    if b.deprecated {
        out.insert("deprecated".into(), true.into());
    }
    Value::Object(out)
}

fn nesting(n: i32) -> &'static str {
    match n {
        proto::NESTING_SINGLE => "single",
        proto::NESTING_LIST => "list",
        proto::NESTING_SET => "set",
        proto::NESTING_MAP => "map",
        proto::NESTING_GROUP => "group",
        _ => "invalid",
    }
}

fn block_type(n: &proto::NestedBlock) -> Value {
    let mut out = Map::new();
    out.insert("nesting_mode".into(), nesting(n.nesting).into());
    let empty = proto::Block::default();
    out.insert("block".into(), block(n.block.as_ref().unwrap_or(&empty)));
    if n.min_items > 0 {
        out.insert("min_items".into(), n.min_items.into());
    }
    if n.max_items > 0 {
        out.insert("max_items".into(), n.max_items.into());
    }
    Value::Object(out)
}

/// A type as the provider sent it (cty's JSON), compacted; `null` if it is
/// not JSON.
fn type_json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

fn attribute(a: &proto::Attribute) -> Value {
    let mut out = Map::new();
    if a.nested_type.is_none() {
        if let Some(t) = type_json(&a.r#type) {
            out.insert("type".into(), t);
        }
    }
    if let Some(obj) = &a.nested_type {
        let mut nt = Map::new();
        if !obj.attributes.is_empty() {
            let sorted: BTreeMap<&String, &proto::Attribute> = obj.attributes.iter().map(|a| (&a.name, a)).collect();
            nt.insert("attributes".into(), Value::Object(sorted.into_iter().map(|(k, a)| (k.clone(), attribute(a))).collect()));
        }
        nt.insert("nesting_mode".into(), nesting(obj.nesting).into());
        out.insert("nested_type".into(), Value::Object(nt));
    }
    if !a.description.is_empty() {
        out.insert("description".into(), a.description.clone().into());
    }
    out.insert("description_kind".into(), string_kind(a.description_kind).into());
    for (key, set) in [
        ("deprecated", a.deprecated),
        ("required", a.required),
        ("optional", a.optional),
        ("computed", a.computed),
        ("sensitive", a.sensitive),
        ("write_only", a.write_only),
    ] {
        if set {
            out.insert(key.into(), true.into());
        }
    }
    Value::Object(out)
}

/// `jsonfunction.FunctionSignature`.
fn function(f: &proto::Function) -> Value {
    let mut out = Map::new();
    if !f.description.is_empty() {
        out.insert("description".into(), f.description.clone().into());
    }
    if !f.summary.is_empty() {
        out.insert("summary".into(), f.summary.clone().into());
    }
    if !f.deprecation_message.is_empty() {
        out.insert("deprecation_message".into(), f.deprecation_message.clone().into());
    }
    let ret = f.r#return.as_ref().and_then(|r| type_json(&r.r#type)).unwrap_or(Value::Null);
    out.insert("return_type".into(), ret);
    if !f.parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(f.parameters.iter().map(parameter).collect()));
    }
    if let Some(v) = &f.variadic_parameter {
        out.insert("variadic_parameter".into(), parameter(v));
    }
    Value::Object(out)
}

fn parameter(p: &proto::FunctionParameter) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), p.name.clone().into());
    if !p.description.is_empty() {
        out.insert("description".into(), p.description.clone().into());
    }
    if p.allow_null_value {
        out.insert("is_nullable".into(), true.into());
    }
    out.insert("type".into(), type_json(&p.r#type).unwrap_or(Value::Null));
    Value::Object(out)
}

/// `v` as Go's `json.Marshal` writes it: compact, with the HTML-sensitive
/// characters and the JavaScript line separators escaped.
pub fn go_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes_and_field_order() {
        let r = proto::GetProviderSchemaResponse {
            provider: Some(proto::Schema {
                version: 0,
                block: Some(proto::Block {
                    attributes: vec![
                        proto::Attribute {
                            name: "b".into(),
                            r#type: b"\"string\"".to_vec(),
                            description: "x < y & z".into(),
                            optional: true,
                            sensitive: true,
                            ..Default::default()
                        },
                        proto::Attribute {
                            name: "a".into(),
                            r#type: b"[\"list\",\"number\"]".to_vec(),
                            required: true,
                            ..Default::default()
                        },
                    ],
                    ..Default::default()
                }),
            }),
            ..Default::default()
        };
        let mut m = BTreeMap::new();
        m.insert("registry.terraform.io/x/y".to_string(), r);
        assert_eq!(
            go_json(&providers_json(&m)),
            r#"{"format_version":"1.0","provider_schemas":{"registry.terraform.io/x/y":{"provider":{"version":0,"block":{"attributes":{"a":{"type":["list","number"],"description_kind":"plain","required":true},"b":{"type":"string","description":"x \u003c y \u0026 z","description_kind":"plain","optional":true,"sensitive":true}},"description_kind":"plain"}}}}}"#
        );
    }
}
