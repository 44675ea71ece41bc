//! Schemas: what arguments, attributes and nested blocks a resource type has.

use std::collections::BTreeMap;

use plinth_value::Type;

#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: BlockSchema,
    pub resources: BTreeMap<String, ResourceSchema>,
    pub data_sources: BTreeMap<String, ResourceSchema>,
}

#[derive(Clone, Debug, Default)]
pub struct ResourceSchema {
    pub version: u64,
    pub block: BlockSchema,
}

#[derive(Clone, Debug, Default)]
pub struct BlockSchema {
    pub attributes: BTreeMap<String, AttributeSchema>,
    pub blocks: BTreeMap<String, NestedBlock>,
}

#[derive(Clone, Debug)]
pub struct AttributeSchema {
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// A change to this attribute replaces the object.
    pub force_new: bool,
}

impl AttributeSchema {
    pub fn required(ty: Type) -> AttributeSchema {
        AttributeSchema { ty, required: true, optional: false, computed: false, sensitive: false, force_new: false }
    }
    pub fn optional(ty: Type) -> AttributeSchema {
        AttributeSchema { required: false, optional: true, ..AttributeSchema::required(ty) }
    }
    pub fn computed(ty: Type) -> AttributeSchema {
        AttributeSchema { required: false, computed: true, ..AttributeSchema::required(ty) }
    }
    pub fn optional_computed(ty: Type) -> AttributeSchema {
        AttributeSchema { optional: true, ..AttributeSchema::computed(ty) }
    }
    pub fn sensitive(mut self) -> AttributeSchema {
        self.sensitive = true;
        self
    }
    pub fn force_new(mut self) -> AttributeSchema {
        self.force_new = true;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; the attribute is an object (null when absent).
    Single,
    List,
    Set,
    /// Blocks with one label each; the attribute is a map of objects.
    Map,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: BlockSchema,
    pub min_items: usize,
    pub max_items: usize,
}

impl BlockSchema {
    /// The object type of a value conforming to this schema.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self.attributes.iter().map(|(k, a)| (k.clone(), a.ty.clone())).collect();
        for (k, b) in &self.blocks {
            let inner = b.block.implied_type();
            let t = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attrs.insert(k.clone(), t);
        }
        Type::object(attrs)
    }
}
