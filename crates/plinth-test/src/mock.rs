//! Terraform's `mock_provider` and `override_*` values: a provider with a
//! real provider's schema that never calls anything. Computed attributes the
//! configuration leaves unset get the mock's `defaults`, else a generated value
//! of their type, by Terraform's rules (checked against Terraform 1.15.5):
//! strings are 8 random characters from `[0-9a-z]`, numbers 0, bools false,
//! lists, sets and maps empty, objects built attribute by attribute, and
//! attributes of type `any` null. During plan the values stay unknown unless
//! the override is `override_during = plan`.
//!
//! `plinth_provider::mock` (the engine tests' mock) records calls and plans
//! by fixed rules for the engine's own tests; these rules are Terraform's
//! test framework's, so they live here.

use std::collections::{BTreeMap, HashMap};

use plinth_provider::{
    ApplyRequest, BlockSchema, Nesting, PlanRequest, PlanResponse, Provider, ProviderError, ProviderSchema, ResourceSchema,
};
use plinth_value::{Kind, Type, Value};

/// The values one resource or data source type (or one overridden resource)
/// gets, and when.
#[derive(Clone, Debug, Default)]
pub struct MockValues {
    /// An object of attribute values (`defaults` / `values`); `None`: generated.
    pub values: Option<Value>,
    /// `override_during = plan`: the values are set when planning, not left unknown.
    pub during_plan: bool,
}

/// A mocked provider: `schema` is the real provider's.
pub struct MockProvider {
    schema: ProviderSchema,
    resources: HashMap<String, MockValues>,
    data: HashMap<String, MockValues>,
    /// The provider-level `override_during`.
    during_plan: bool,
}

impl MockProvider {
    pub fn new(schema: ProviderSchema, during_plan: bool) -> MockProvider {
        MockProvider { schema, resources: HashMap::new(), data: HashMap::new(), during_plan }
    }

    /// A provider that mocks only `type_name` (an `override_resource` /
    /// `override_data` of a resource whose provider is otherwise real).
    pub fn single(schema: &ProviderSchema, type_name: &str, data: bool, values: MockValues) -> MockProvider {
        let mut s = ProviderSchema { provider: BlockSchema::default(), resources: BTreeMap::new(), data_sources: BTreeMap::new() };
        let mut p = MockProvider::new(ProviderSchema::default(), values.during_plan);
        if data {
            if let Some(r) = schema.data_sources.get(type_name) {
                s.data_sources.insert(type_name.to_string(), r.clone());
            }
            p.data.insert(type_name.to_string(), values);
        } else {
            if let Some(r) = schema.resources.get(type_name) {
                s.resources.insert(type_name.to_string(), r.clone());
            }
            p.resources.insert(type_name.to_string(), values);
        }
        p.schema = s;
        p
    }

    pub fn set_resource(&mut self, type_name: &str, v: MockValues) {
        self.resources.insert(type_name.to_string(), v);
    }

    pub fn set_data(&mut self, type_name: &str, v: MockValues) {
        self.data.insert(type_name.to_string(), v);
    }

    fn resource_schema(&self, type_name: &str) -> Result<&ResourceSchema, ProviderError> {
        self.schema
            .resources
            .get(type_name)
            .ok_or_else(|| ProviderError::new("Invalid resource type", format!("The mocked provider has no resource type {type_name:?}.")))
    }

    fn mock_of(&self, type_name: &str, data: bool) -> (Option<&Value>, bool) {
        let m = if data { self.data.get(type_name) } else { self.resources.get(type_name) };
        match m {
            Some(m) => (m.values.as_ref(), m.during_plan || self.during_plan),
            None => (None, self.during_plan),
        }
    }
}

#[async_trait::async_trait]
impl Provider for MockProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, _config: &Value) -> Result<(), ProviderError> {
        Ok(())
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let schema = self.resource_schema(req.type_name)?;
        let (defaults, during_plan) = self.mock_of(req.type_name, false);
        let planned = if during_plan {
            // Stable for the same configuration: the apply plans again with
            // final values and must come to the same values.
            let mut rng = Rng::seeded(&format!("{}{}", req.type_name, plinth_value::value_to_json_string(req.config)));
            fill(req.proposed, &schema.block, defaults, &mut rng)
        } else {
            req.proposed.clone()
        };
        Ok(PlanResponse { planned, requires_replace: Vec::new() })
    }

    fn plans_locally(&self) -> bool {
        true
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let schema = self.resource_schema(req.type_name)?;
        let Some(planned) = req.planned else { return Ok(Value::null(schema.block.implied_type())) };
        let (defaults, _) = self.mock_of(req.type_name, false);
        Ok(fill(planned, &schema.block, defaults, &mut Rng::random()))
    }

    async fn read_resource(&self, _type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        let schema =
            self.schema.data_sources.get(type_name).ok_or_else(|| {
                ProviderError::new("Invalid data source", format!("The mocked provider has no data source {type_name:?}."))
            })?;
        let (defaults, _) = self.mock_of(type_name, true);
        // Computed attributes the configuration leaves null are what the
        // provider would have read.
        let v = unknown_computed(config, &schema.block);
        Ok(fill(&v, &schema.block, defaults, &mut Rng::random()))
    }

    async fn import_resource(&self, type_name: &str, _id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new("Import not supported", format!("A mocked provider cannot import {type_name:?}.")))
    }
}

/// Null computed attributes (not set in configuration) made unknown, so
/// `fill` gives them values.
fn unknown_computed(v: &Value, block: &BlockSchema) -> Value {
    let Some(entries) = v.as_entries() else { return v.clone() };
    let mut out = entries.clone();
    for (name, a) in &block.attributes {
        if a.computed && out.get(name).is_none_or(Value::is_null) {
            out.insert(name.clone(), Value::unknown(a.ty.clone()));
        }
    }
    Value::object(out)
}

/// Replaces every unknown in `v` (an object of `block`'s type) with the
/// value `defaults` gives it, or a generated one.
pub fn fill(v: &Value, block: &BlockSchema, defaults: Option<&Value>, rng: &mut Rng) -> Value {
    let Some(entries) = v.as_entries() else {
        return if v.is_unknown() { generate(&block.implied_type(), rng) } else { v.clone() };
    };
    let default_of = |name: &str| defaults.and_then(Value::as_entries).and_then(|d| d.get(name));
    let mut out = BTreeMap::new();
    for (name, x) in entries {
        let d = default_of(name);
        let filled = if let Some(a) = block.attributes.get(name) {
            fill_value(x, &a.ty, d, rng)
        } else if let Some(b) = block.blocks.get(name) {
            match (&x.kind, b.nesting) {
                (Kind::Unknown(_), _) => generate(&x.ty(), rng),
                (Kind::List(t, items), Nesting::List) => Value::list(t.clone(), items.iter().map(|i| fill(i, &b.block, d, rng)).collect()),
                (Kind::Set(t, items), Nesting::Set) => Value::set(t.clone(), items.iter().map(|i| fill(i, &b.block, d, rng)).collect()),
                (Kind::Map(t, items), Nesting::Map) => {
                    Value::map(t.clone(), items.iter().map(|(k, i)| (k.clone(), fill(i, &b.block, d, rng))).collect())
                }
                (Kind::Object(_), Nesting::Single) => fill(x, &b.block, d, rng),
                _ => x.clone(),
            }
        } else {
            x.clone()
        };
        out.insert(name.clone(), filled.mark(x.marks));
    }
    Value::object(out)
}

/// An attribute's value with unknowns replaced: by the default when there is
/// one (converted to the attribute's type), else generated.
fn fill_value(x: &Value, ty: &Type, default: Option<&Value>, rng: &mut Rng) -> Value {
    if x.is_unknown() {
        if let Some(d) = default {
            if let Ok(c) = plinth_value::convert(d, ty) {
                return c;
            }
        }
        return generate(ty, rng);
    }
    match &x.kind {
        Kind::Object(m) => {
            let d = default.and_then(Value::as_entries);
            let sub = |k: &str| d.and_then(|d| d.get(k));
            let attr_ty = |k: &str| match ty {
                Type::Object(o) => o.attrs.get(k).cloned().unwrap_or(Type::Dynamic),
                _ => Type::Dynamic,
            };
            Value::object(m.iter().map(|(k, v)| (k.clone(), fill_value(v, &attr_ty(k), sub(k), rng))).collect())
        }
        Kind::List(t, items) if !x.is_wholly_known() => Value::list(t.clone(), items.iter().map(|i| fill_value(i, t, None, rng)).collect()),
        Kind::Map(t, items) if !x.is_wholly_known() => {
            Value::map(t.clone(), items.iter().map(|(k, i)| (k.clone(), fill_value(i, t, None, rng))).collect())
        }
        _ => x.clone(),
    }
}

/// A generated value of type `ty`, by Terraform's rules.
pub fn generate(ty: &Type, rng: &mut Rng) -> Value {
    match ty {
        Type::String => Value::string(rng.alphanumeric(8)),
        Type::Number => Value::int(0),
        Type::Bool => Value::bool(false),
        Type::List(t) => Value::list((**t).clone(), Vec::new()),
        Type::Set(t) => Value::set((**t).clone(), Vec::new()),
        Type::Map(t) => Value::map((**t).clone(), BTreeMap::new()),
        Type::Tuple(ts) => Value::tuple(ts.iter().map(|t| generate(t, rng)).collect()),
        Type::Object(o) => Value::object(o.attrs.iter().map(|(k, t)| (k.clone(), generate(t, rng))).collect()),
        Type::Dynamic => Value::dynamic_null(),
    }
}

/// splitmix64: the generated strings need no cryptographic quality, only
/// variety, and a seeded stream for plan-time values; uuid's random bytes seed
/// the unseeded stream (a whole RNG crate buys nothing more here).
pub struct Rng(u64);

impl Rng {
    pub fn random() -> Rng {
        let b = uuid::Uuid::new_v4().into_bytes();
        Rng(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    pub fn seeded(s: &str) -> Rng {
        // FNV-1a over the seed text.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }

    pub fn alphanumeric(&mut self, n: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..n).map(|_| CHARS[(self.next() % CHARS.len() as u64) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_provider::AttributeSchema;

    fn schema() -> BlockSchema {
        let mut b = BlockSchema::default();
        b.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        b.attributes.insert("n".into(), AttributeSchema::computed(Type::Number));
        b.attributes.insert("ok".into(), AttributeSchema::computed(Type::Bool));
        b.attributes.insert("tags".into(), AttributeSchema::optional_computed(Type::map(Type::String)));
        b.attributes.insert("out".into(), AttributeSchema::computed(Type::Dynamic));
        b.attributes.insert("name".into(), AttributeSchema::optional(Type::String));
        b
    }

    fn planned() -> Value {
        let b = schema();
        let mut m = BTreeMap::new();
        for (k, a) in &b.attributes {
            m.insert(k.clone(), if a.computed { Value::unknown(a.ty.clone()) } else { Value::string("given") });
        }
        Value::object(m)
    }

    #[test]
    fn generated_values_follow_terraforms_rules() {
        let v = fill(&planned(), &schema(), None, &mut Rng::random());
        let m = v.as_entries().expect("object");
        let id = m["id"].as_str().expect("string");
        assert_eq!(id.len(), 8);
        assert!(id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{id}");
        assert!(m["n"].raw_equal(&Value::int(0)));
        assert!(m["ok"].raw_equal(&Value::bool(false)));
        assert_eq!(m["tags"].len(), Some(0));
        assert!(m["out"].is_null());
        assert_eq!(m["name"].as_str(), Some("given"), "configured values stay");
    }

    #[test]
    fn defaults_fill_before_generation_and_are_converted() {
        let d = Value::object(BTreeMap::from([("id".to_string(), Value::string("fixed")), ("n".to_string(), Value::string("7"))]));
        let v = fill(&planned(), &schema(), Some(&d), &mut Rng::random());
        let m = v.as_entries().expect("object");
        assert_eq!(m["id"].as_str(), Some("fixed"));
        assert!(m["n"].raw_equal(&Value::int(7)));
    }

    #[test]
    fn seeded_streams_repeat_and_random_ones_differ() {
        assert_eq!(Rng::seeded("a").alphanumeric(8), Rng::seeded("a").alphanumeric(8));
        assert_ne!(Rng::seeded("a").alphanumeric(8), Rng::seeded("b").alphanumeric(8));
        assert_ne!(Rng::random().alphanumeric(16), Rng::random().alphanumeric(16));
    }
}
