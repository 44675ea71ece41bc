//! The built-in `random` provider (`registry.terraform.io/hashicorp/random`):
//! `random_id`, `random_password`, `random_string`, `random_integer` and
//! `random_shuffle`, with the Terraform provider's argument and attribute names.
//!
//! Every value is made once, at create, and kept in state; reading returns the
//! state as it is. Every argument forces replacement, so changing `keepers`
//! (or anything else) makes a new value. `random_password`'s `result` and
//! `bcrypt_hash` are sensitive.

use std::collections::BTreeMap;

use base64::Engine as _;
use plinth_provider::{
    ApplyRequest, AttributeSchema, BlockSchema, PathStep, PlanRequest, PlanResponse, Provider, ProviderError, ProviderSchema,
    ResourceSchema,
};
use plinth_value::{Number, Type, Value};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

mod generate;

pub use generate::{generate_string, StringSpec};

pub const SOURCE: &str = "registry.terraform.io/hashicorp/random";

pub struct RandomProvider {
    schema: ProviderSchema,
}

impl Default for RandomProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn keepers() -> AttributeSchema {
    AttributeSchema::optional(Type::map(Type::String)).force_new()
}

fn string_schema(password: bool) -> BlockSchema {
    let mut b = BlockSchema::default();
    let a = &mut b.attributes;
    a.insert("keepers".into(), keepers());
    a.insert("length".into(), AttributeSchema::required(Type::Number).force_new());
    for flag in ["special", "upper", "lower", "numeric", "number"] {
        a.insert(flag.into(), AttributeSchema::optional_computed(Type::Bool).force_new());
    }
    for min in ["min_special", "min_upper", "min_lower", "min_numeric"] {
        a.insert(min.into(), AttributeSchema::optional_computed(Type::Number).force_new());
    }
    a.insert("override_special".into(), AttributeSchema::optional(Type::String).force_new());
    a.insert("id".into(), AttributeSchema::computed(Type::String));
    let result = AttributeSchema::computed(Type::String);
    if password {
        a.insert("result".into(), result.sensitive());
        a.insert("bcrypt_hash".into(), AttributeSchema::computed(Type::String).sensitive());
    } else {
        a.insert("result".into(), result);
    }
    b
}

fn resource(block: BlockSchema) -> ResourceSchema {
    ResourceSchema { version: 0, block }
}

impl RandomProvider {
    pub fn new() -> RandomProvider {
        let mut schema = ProviderSchema::default();
        let r = &mut schema.resources;

        let mut id = BlockSchema::default();
        id.attributes.insert("keepers".into(), keepers());
        id.attributes.insert("byte_length".into(), AttributeSchema::required(Type::Number).force_new());
        id.attributes.insert("prefix".into(), AttributeSchema::optional(Type::String).force_new());
        for c in ["id", "b64_url", "b64_std", "hex", "dec"] {
            id.attributes.insert(c.into(), AttributeSchema::computed(Type::String));
        }
        r.insert("random_id".into(), resource(id));

        r.insert("random_password".into(), resource(string_schema(true)));
        r.insert("random_string".into(), resource(string_schema(false)));

        let mut int = BlockSchema::default();
        int.attributes.insert("keepers".into(), keepers());
        int.attributes.insert("min".into(), AttributeSchema::required(Type::Number).force_new());
        int.attributes.insert("max".into(), AttributeSchema::required(Type::Number).force_new());
        int.attributes.insert("seed".into(), AttributeSchema::optional(Type::String).force_new());
        int.attributes.insert("result".into(), AttributeSchema::computed(Type::Number));
        int.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        r.insert("random_integer".into(), resource(int));

        let mut shuffle = BlockSchema::default();
        shuffle.attributes.insert("keepers".into(), keepers());
        shuffle.attributes.insert("input".into(), AttributeSchema::required(Type::list(Type::String)).force_new());
        shuffle.attributes.insert("result_count".into(), AttributeSchema::optional(Type::Number).force_new());
        shuffle.attributes.insert("seed".into(), AttributeSchema::optional(Type::String).force_new());
        shuffle.attributes.insert("result".into(), AttributeSchema::computed(Type::list(Type::String)));
        shuffle.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        r.insert("random_shuffle".into(), resource(shuffle));

        RandomProvider { schema }
    }

    fn block(&self, type_name: &str) -> Result<&BlockSchema, ProviderError> {
        self.schema.resources.get(type_name).map(|r| &r.block).ok_or_else(|| {
            ProviderError::new("Unsupported resource type", format!("The random provider has no resource type {type_name:?}."))
        })
    }
}

/// Defaults of optional arguments that the provider fills in when unset.
fn defaults(type_name: &str) -> Vec<(&'static str, Value)> {
    match type_name {
        "random_password" | "random_string" => {
            let mut d: Vec<(&'static str, Value)> =
                ["special", "upper", "lower", "numeric", "number"].into_iter().map(|k| (k, Value::bool(true))).collect();
            d.extend(["min_special", "min_upper", "min_lower", "min_numeric"].into_iter().map(|k| (k, Value::int(0))));
            d
        }
        _ => Vec::new(),
    }
}

fn entries(v: &Value) -> BTreeMap<String, Value> {
    v.as_entries().cloned().unwrap_or_default()
}

fn attr<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k).filter(|v| !v.is_null())
}

fn int_attr(m: &BTreeMap<String, Value>, k: &str) -> Option<i64> {
    attr(m, k).and_then(Value::as_number).and_then(Number::to_i64)
}

fn bool_attr(m: &BTreeMap<String, Value>, k: &str) -> bool {
    attr(m, k).and_then(Value::as_bool).unwrap_or(false)
}

fn str_attr<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a str> {
    attr(m, k).and_then(Value::as_str)
}

fn invalid(attribute: &str, detail: impl Into<String>) -> ProviderError {
    ProviderError::new("Invalid attribute value", detail).at(vec![PathStep::Attr(attribute.into())])
}

/// Plans a resource whose arguments all force replacement and whose computed
/// attributes are made at create: unchanged arguments keep the prior object,
/// any change plans a new one with the computed attributes unknown.
fn plan_immutable(block: &BlockSchema, type_name: &str, req: &PlanRequest<'_>) -> PlanResponse {
    let mut args = entries(req.config);
    for (k, v) in defaults(type_name) {
        if args.get(k).is_none_or(Value::is_null) {
            args.insert(k.into(), v);
        }
    }
    let computed_only = |k: &str| block.attributes.get(k).is_some_and(|a| a.computed && !a.optional);
    if let Some(prior) = req.prior {
        let prior = entries(prior);
        let changed: Vec<_> = block
            .attributes
            .keys()
            .filter(|k| !computed_only(k))
            .filter(|k| {
                let null = Value::null(block.attributes[*k].ty.clone());
                !args.get(*k).unwrap_or(&null).raw_equal(prior.get(*k).unwrap_or(&null))
            })
            .map(|k| vec![PathStep::Attr(k.clone())])
            .collect();
        if changed.is_empty() {
            return PlanResponse { planned: Value::object(prior), requires_replace: Vec::new() };
        }
        let planned = fresh(block, args);
        return PlanResponse { planned, requires_replace: changed };
    }
    PlanResponse { planned: fresh(block, args), requires_replace: Vec::new() }
}

fn fresh(block: &BlockSchema, mut args: BTreeMap<String, Value>) -> Value {
    for (k, a) in &block.attributes {
        if a.computed && !a.optional {
            args.insert(k.clone(), Value::unknown(a.ty.clone()));
        }
    }
    Value::object(args)
}

fn string_spec(m: &BTreeMap<String, Value>) -> StringSpec {
    let min = |k| int_attr(m, k).unwrap_or(0).max(0) as usize;
    StringSpec {
        length: int_attr(m, "length").unwrap_or(0).max(0) as usize,
        upper: bool_attr(m, "upper"),
        lower: bool_attr(m, "lower"),
        numeric: bool_attr(m, "numeric") && bool_attr(m, "number"),
        special: bool_attr(m, "special"),
        override_special: str_attr(m, "override_special").map(str::to_string),
        min_upper: min("min_upper"),
        min_lower: min("min_lower"),
        min_numeric: min("min_numeric"),
        min_special: min("min_special"),
    }
}

/// A random number generator: seeded from `seed` when one is given (the same
/// seed gives the same result), otherwise from the operating system.
fn rng_for(seed: Option<&str>) -> rand::rngs::StdRng {
    match seed {
        Some(s) => {
            // FNV-1a over the seed's bytes, widened into the 32-byte seed.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in s.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            rand::rngs::StdRng::seed_from_u64(h)
        }
        None => rand::rngs::StdRng::from_entropy(),
    }
}

fn create(type_name: &str, planned: &Value) -> Result<Value, ProviderError> {
    let mut m = entries(planned);
    match type_name {
        "random_id" => {
            let n = int_attr(&m, "byte_length").unwrap_or(0);
            let bytes: Vec<u8> = (0..n).map(|_| rand::random::<u8>()).collect();
            id_values(&mut m, &bytes);
        }
        "random_password" | "random_string" => {
            let s = generate_string(&string_spec(&m), &mut rand::rngs::StdRng::from_entropy())?;
            if type_name == "random_password" {
                let hash =
                    bcrypt::hash(&s, bcrypt::DEFAULT_COST).map_err(|e| ProviderError::new("Failed to hash the password", e.to_string()))?;
                m.insert("bcrypt_hash".into(), Value::string(hash));
                m.insert("id".into(), Value::string("none"));
            } else {
                m.insert("id".into(), Value::string(s.clone()));
            }
            m.insert("result".into(), Value::string(s));
        }
        "random_integer" => {
            let (min, max) = (int_attr(&m, "min").unwrap_or(0), int_attr(&m, "max").unwrap_or(0));
            let n = rng_for(str_attr(&m, "seed")).gen_range(min..=max);
            m.insert("result".into(), Value::int(n));
            m.insert("id".into(), Value::string(n.to_string()));
        }
        "random_shuffle" => {
            let input: Vec<Value> = attr(&m, "input").and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
            let count = int_attr(&m, "result_count").map(|n| n.max(0) as usize).unwrap_or(input.len());
            let mut rng = rng_for(str_attr(&m, "seed"));
            let mut out = Vec::with_capacity(count);
            while out.len() < count && !input.is_empty() {
                let mut round = input.clone();
                round.shuffle(&mut rng);
                out.extend(round.into_iter().take(count - out.len()));
            }
            m.insert("result".into(), Value::list(Type::String, out));
            m.insert("id".into(), Value::string("-"));
        }
        other => {
            return Err(ProviderError::new("Unsupported resource type", format!("The random provider has no resource type {other:?}.")))
        }
    }
    Ok(Value::object(m))
}

fn id_values(m: &mut BTreeMap<String, Value>, bytes: &[u8]) {
    let prefix = str_attr(m, "prefix").unwrap_or("").to_string();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let std = base64::engine::general_purpose::STANDARD.encode(bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let dec = num_bigint::BigUint::from_bytes_be(bytes).to_string();
    m.insert("id".into(), Value::string(url.clone()));
    m.insert("b64_url".into(), Value::string(format!("{prefix}{url}")));
    m.insert("b64_std".into(), Value::string(format!("{prefix}{std}")));
    m.insert("hex".into(), Value::string(format!("{prefix}{hex}")));
    m.insert("dec".into(), Value::string(format!("{prefix}{dec}")));
}

#[async_trait::async_trait]
impl Provider for RandomProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, _config: &Value) -> Result<(), ProviderError> {
        Ok(())
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        let m = entries(config);
        let known_int = |k: &str| int_attr(&m, k);
        let mut errs = Vec::new();
        match type_name {
            "random_id" if known_int("byte_length").is_some_and(|n| n < 1) => {
                errs.push(invalid("byte_length", "byte_length must be at least 1."));
            }
            "random_password" | "random_string" => {
                if let Some(len) = known_int("length") {
                    let mins: i64 = ["min_upper", "min_lower", "min_numeric", "min_special"].iter().filter_map(|k| known_int(k)).sum();
                    if len < 1 {
                        errs.push(invalid("length", "length must be at least 1."));
                    } else if len < mins {
                        errs.push(invalid(
                            "length",
                            format!(
                                "length ({len}) must be at least the sum of min_upper, min_lower, min_numeric and min_special ({mins})."
                            ),
                        ));
                    }
                }
            }
            "random_integer" => {
                if let (Some(min), Some(max)) = (known_int("min"), known_int("max")) {
                    if max < min {
                        errs.push(invalid("max", format!("max ({max}) must be at least min ({min}).")));
                    }
                }
            }
            "random_shuffle" if known_int("result_count").is_some_and(|n| n < 0) => {
                errs.push(invalid("result_count", "result_count must not be negative."));
            }
            _ => {}
        }
        errs
    }

    /// Plans from the request alone (values are drawn at apply).
    fn plans_locally(&self) -> bool {
        true
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let block = self.block(req.type_name)?;
        Ok(plan_immutable(block, req.type_name, &req))
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let Some(planned) = req.planned else {
            return Ok(Value::dynamic_null());
        };
        if req.prior.is_some() && planned.is_wholly_known() {
            // Nothing in place can change: an update only carries the prior object.
            return Ok(planned.clone());
        }
        create(req.type_name, planned)
    }

    async fn read_resource(&self, _type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }

    async fn read_data_source(&self, type_name: &str, _config: &Value) -> Result<Value, ProviderError> {
        Err(ProviderError::new("Unsupported data source", format!("The random provider has no data source {type_name:?}.")))
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let block = self.block(type_name)?;
        let mut m: BTreeMap<String, Value> = block.attributes.iter().map(|(k, a)| (k.clone(), Value::null(a.ty.clone()))).collect();
        for (k, v) in defaults(type_name) {
            m.insert(k.into(), v);
        }
        match type_name {
            "random_password" | "random_string" => {
                m.insert("length".into(), Value::int(id.chars().count() as i64));
                m.insert("result".into(), Value::string(id));
                if type_name == "random_password" {
                    let hash = bcrypt::hash(id, bcrypt::DEFAULT_COST)
                        .map_err(|e| ProviderError::new("Failed to hash the password", e.to_string()))?;
                    m.insert("bcrypt_hash".into(), Value::string(hash));
                    m.insert("id".into(), Value::string("none"));
                } else {
                    m.insert("id".into(), Value::string(id));
                }
            }
            "random_id" => {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(id)
                    .map_err(|e| ProviderError::new("Invalid import ID", format!("{id:?} is not base64url without padding: {e}")))?;
                m.insert("byte_length".into(), Value::int(bytes.len() as i64));
                id_values(&mut m, &bytes);
            }
            "random_integer" => {
                let parts: Vec<&str> = id.split(',').collect();
                let num = |s: &str| {
                    s.trim()
                        .parse::<i64>()
                        .map_err(|_| ProviderError::new("Invalid import ID", format!("{id:?} is not \"result,min,max[,seed]\".")))
                };
                if !(3..=4).contains(&parts.len()) {
                    return Err(ProviderError::new("Invalid import ID", format!("{id:?} is not \"result,min,max[,seed]\".")));
                }
                let result = num(parts[0])?;
                m.insert("result".into(), Value::int(result));
                m.insert("id".into(), Value::string(result.to_string()));
                m.insert("min".into(), Value::int(num(parts[1])?));
                m.insert("max".into(), Value::int(num(parts[2])?));
                if let Some(seed) = parts.get(3) {
                    m.insert("seed".into(), Value::string(*seed));
                }
            }
            other => return Err(ProviderError::new("Resource import not supported", format!("{other} cannot be imported."))),
        }
        Ok(Value::object(m))
    }
}

#[cfg(test)]
mod tests;
