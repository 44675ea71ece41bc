//! Protocol schemas → plinth's schema types.
//!
//! - Nested blocks keep their nesting mode; `GROUP` (a block that is never
//!   null) is read as `SINGLE`, which plinth's schema has no other word for.
//! - A tfplugin6 nested attribute becomes an attribute of object type (or a
//!   list, set or map of one) whose attributes that are not required are
//!   optional in the type, so that configuration may leave them out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use plinth_provider::{AttributeSchema, BlockSchema, NestedBlock, Nesting, ProviderSchema, ResourceSchema};
use plinth_value::{type_from_json, ObjectType, Type};

use crate::proto;

pub fn provider_schema(r: &proto::GetProviderSchemaResponse) -> Result<ProviderSchema, String> {
    let provider = match r.provider.as_ref().and_then(|s| s.block.as_ref()) {
        Some(b) => block(b).map_err(|e| format!("provider configuration: {e}"))?,
        None => BlockSchema::default(),
    };
    let mut resources = BTreeMap::new();
    for (name, s) in &r.resource_schemas {
        resources.insert(name.clone(), resource(s).map_err(|e| format!("resource type {name}: {e}"))?);
    }
    let mut data_sources = BTreeMap::new();
    for (name, s) in &r.data_source_schemas {
        data_sources.insert(name.clone(), resource(s).map_err(|e| format!("data source {name}: {e}"))?);
    }
    Ok(ProviderSchema { provider, resources, data_sources })
}

fn resource(s: &proto::Schema) -> Result<ResourceSchema, String> {
    let block = match &s.block {
        Some(b) => block(b)?,
        None => BlockSchema::default(),
    };
    Ok(ResourceSchema { version: u64::try_from(s.version).unwrap_or(0), block })
}

pub fn block(b: &proto::Block) -> Result<BlockSchema, String> {
    let mut out = BlockSchema::default();
    for a in &b.attributes {
        out.attributes.insert(a.name.clone(), attribute(a).map_err(|e| format!("attribute {}: {e}", a.name))?);
    }
    for nb in &b.block_types {
        let nesting = match nb.nesting {
            proto::NESTING_SINGLE | proto::NESTING_GROUP => Nesting::Single,
            proto::NESTING_LIST => Nesting::List,
            proto::NESTING_SET => Nesting::Set,
            proto::NESTING_MAP => Nesting::Map,
            other => return Err(format!("block {}: invalid nesting mode {other}", nb.type_name)),
        };
        let inner = match &nb.block {
            Some(b) => block(b).map_err(|e| format!("block {}: {e}", nb.type_name))?,
            None => BlockSchema::default(),
        };
        out.blocks.insert(
            nb.type_name.clone(),
            NestedBlock {
                nesting,
                block: inner,
                min_items: usize::try_from(nb.min_items).unwrap_or(0),
                max_items: usize::try_from(nb.max_items).unwrap_or(0),
            },
        );
    }
    Ok(out)
}

fn attribute(a: &proto::Attribute) -> Result<AttributeSchema, String> {
    let ty = attribute_type(a)?;
    Ok(AttributeSchema { ty, required: a.required, optional: a.optional, computed: a.computed, sensitive: a.sensitive, force_new: false })
}

pub fn attribute_type(a: &proto::Attribute) -> Result<Type, String> {
    if let Some(obj) = &a.nested_type {
        return nested_type(obj);
    }
    let j: serde_json::Value = serde_json::from_slice(&a.r#type).map_err(|e| format!("invalid type: {e}"))?;
    type_from_json(&j).ok_or_else(|| format!("invalid type {j}"))
}

fn nested_type(obj: &proto::Object) -> Result<Type, String> {
    let mut attrs = BTreeMap::new();
    let mut optional = BTreeSet::new();
    for a in &obj.attributes {
        attrs.insert(a.name.clone(), attribute_type(a).map_err(|e| format!("attribute {}: {e}", a.name))?);
        if !a.required {
            optional.insert(a.name.clone());
        }
    }
    let o = Type::Object(Arc::new(ObjectType { attrs, optional }));
    Ok(match obj.nesting {
        proto::NESTING_SINGLE => o,
        proto::NESTING_LIST => Type::list(o),
        proto::NESTING_SET => Type::set(o),
        proto::NESTING_MAP => Type::map(o),
        other => return Err(format!("invalid nested attribute nesting mode {other}")),
    })
}
