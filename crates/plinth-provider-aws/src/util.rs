//! Shared plumbing: reading and building values, the schema shorthand, AWS
//! errors as provider errors, retries for eventual consistency, waits, tags.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use plinth_provider::{AttributeSchema, BlockSchema, NestedBlock, Nesting, ProviderError};
use plinth_value::{convert, Kind, Type, Value};

// ---- reading values -----------------------------------------------------------

/// Attribute `k` of object `v` when it is known and not null.
pub fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.as_entries().and_then(|m| m.get(k)).filter(|x| !x.is_null() && x.is_known())
}

pub fn gs(v: &Value, k: &str) -> Option<String> {
    get(v, k).and_then(Value::as_str).map(str::to_string)
}

/// A string attribute, treating `""` as absent (as the SDKv2 provider does).
pub fn gsn(v: &Value, k: &str) -> Option<String> {
    gs(v, k).filter(|s| !s.is_empty())
}

pub fn gb(v: &Value, k: &str) -> Option<bool> {
    get(v, k).and_then(Value::as_bool)
}

pub fn gi(v: &Value, k: &str) -> Option<i64> {
    get(v, k).and_then(Value::as_number).and_then(|n| n.to_i64())
}

pub fn gstrs(v: &Value, k: &str) -> Vec<String> {
    get(v, k).and_then(Value::as_seq).map(|xs| xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

pub fn gmap(v: &Value, k: &str) -> BTreeMap<String, String> {
    get(v, k)
        .and_then(Value::as_entries)
        .map(|m| m.iter().filter_map(|(k, x)| x.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// Elements of a nested block list/set attribute.
pub fn gblocks(v: &Value, k: &str) -> Vec<Value> {
    get(v, k).and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default()
}

/// The string `id` of a state object.
pub fn id_of(v: &Value) -> Result<String, ProviderError> {
    gs(v, "id").ok_or_else(|| ProviderError::new("Missing ID", "The object has no id in state."))
}

// ---- building values ---------------------------------------------------------

pub fn vs(s: impl Into<String>) -> Value {
    Value::string(s.into())
}

pub fn vos(s: Option<impl Into<String>>) -> Value {
    s.map(|s| vs(s)).unwrap_or_else(|| Value::null(Type::String))
}

/// A string, `""` when absent (SDKv2-style zero value).
pub fn vzs(s: Option<impl Into<String>>) -> Value {
    vs(s.map(Into::into).unwrap_or_default())
}

pub fn vstrs<I: IntoIterator<Item = S>, S: Into<String>>(xs: I) -> Value {
    Value::list(Type::String, xs.into_iter().map(|s| vs(s)).collect())
}

pub fn vmap(m: &BTreeMap<String, String>) -> Value {
    Value::map(Type::String, m.iter().map(|(k, v)| (k.clone(), vs(v.clone()))).collect())
}

/// A list of nested block objects, each completed to `inner`'s type.
pub fn vblocks(inner: &Sb, items: Vec<Obj>) -> Value {
    Value::list(inner.block.implied_type(), items.into_iter().map(|o| o.finish(&inner.block)).collect())
}

/// A set of nested block objects, each completed to `inner`'s type.
pub fn vblock_set(inner: &Sb, items: Vec<Obj>) -> Value {
    Value::set(inner.block.implied_type(), items.into_iter().map(|o| o.finish(&inner.block)).collect())
}

/// The first element of a list block, if any.
pub fn gblock(v: &Value, k: &str) -> Option<Value> {
    gblocks(v, k).into_iter().next()
}

/// An object being assembled for state: starts from the prior or planned
/// value (so arguments AWS does not report keep their configured value), then
/// AWS's view overwrites what it knows.
pub struct Obj(pub BTreeMap<String, Value>);

impl Obj {
    pub fn from(v: &Value) -> Obj {
        Obj(v.as_entries().cloned().unwrap_or_default())
    }
    pub fn set(&mut self, k: &str, v: Value) -> &mut Obj {
        self.0.insert(k.to_string(), v);
        self
    }
    pub fn s(&mut self, k: &str, v: Option<impl Into<String>>) -> &mut Obj {
        self.set(k, vos(v))
    }
    pub fn b(&mut self, k: &str, v: Option<bool>) -> &mut Obj {
        self.set(k, v.map(Value::bool).unwrap_or_else(|| Value::null(Type::Bool)))
    }
    pub fn i(&mut self, k: &str, v: Option<i64>) -> &mut Obj {
        self.set(k, v.map(Value::int).unwrap_or_else(|| Value::null(Type::Number)))
    }
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|x| !x.is_null() && x.is_known())
    }
    /// A value conforming to `block`: missing attributes null, unknowns null,
    /// each attribute converted to its type.
    pub fn finish(self, block: &BlockSchema) -> Value {
        let ty = block.implied_type();
        let Type::Object(o) = &ty else { unreachable!("blocks imply objects") };
        let mut out = BTreeMap::new();
        for (k, t) in &o.attrs {
            let v = self.0.get(k).cloned().unwrap_or_else(|| Value::null(t.clone()));
            let v = strip_unknown(v);
            let v = convert(&v, t).unwrap_or_else(|_| Value::null(t.clone()));
            out.insert(k.clone(), v);
        }
        Value::object(out)
    }
}

/// Replaces every unknown inside `v` with a null of its type.
pub fn strip_unknown(v: Value) -> Value {
    if v.is_wholly_known() {
        return v;
    }
    v.map_deep(&mut |x| match x.kind {
        Kind::Unknown(t) => Value::null(t),
        _ => x,
    })
}

// ---- schemas -------------------------------------------------------------------

/// Shorthand for block schemas. Flags: `R` required, `O` optional,
/// `C` computed, `F` forces replacement, `S` sensitive.
#[derive(Clone, Default)]
pub struct Sb {
    pub block: BlockSchema,
    /// Values that unset optional arguments take (the SDKv2 `Default`).
    pub defaults: BTreeMap<String, Value>,
    /// Nested blocks whose change forces replacement.
    pub force_new_blocks: Vec<String>,
}

impl Sb {
    pub fn new() -> Sb {
        Sb::default()
    }
    pub fn a(mut self, name: &str, ty: Type, flags: &str) -> Sb {
        let mut a = if flags.contains('R') {
            AttributeSchema::required(ty)
        } else if flags.contains('O') && flags.contains('C') {
            AttributeSchema::optional_computed(ty)
        } else if flags.contains('C') {
            AttributeSchema::computed(ty)
        } else {
            AttributeSchema::optional(ty)
        };
        a.force_new = flags.contains('F');
        a.sensitive = flags.contains('S');
        self.block.attributes.insert(name.to_string(), a);
        self
    }
    /// An optional argument with a default.
    pub fn d(mut self, name: &str, ty: Type, flags: &str, default: Value) -> Sb {
        self = self.a(name, ty, flags);
        self.defaults.insert(name.to_string(), default);
        self
    }
    pub fn blk(mut self, name: &str, nesting: Nesting, inner: Sb, min: usize, max: usize) -> Sb {
        self.block.blocks.insert(name.to_string(), NestedBlock { nesting, block: inner.block, min_items: min, max_items: max });
        self
    }
    pub fn blk_force_new(mut self, name: &str, nesting: Nesting, inner: Sb, min: usize, max: usize) -> Sb {
        self.force_new_blocks.push(name.to_string());
        self.blk(name, nesting, inner, min, max)
    }
    /// `id`, `tags` and `tags_all`, which almost every resource has.
    pub fn tagged(self) -> Sb {
        self.a("tags", map_str(), "O").a("tags_all", map_str(), "OC")
    }
}

pub fn str_t() -> Type {
    Type::String
}
pub fn num_t() -> Type {
    Type::Number
}
pub fn bool_t() -> Type {
    Type::Bool
}
pub fn list_str() -> Type {
    Type::list(Type::String)
}
pub fn set_str() -> Type {
    Type::set(Type::String)
}
pub fn map_str() -> Type {
    Type::map(Type::String)
}

/// The SDKv2 zero value of a type: what unset nested arguments read back as.
pub fn zero(t: &Type) -> Value {
    match t {
        Type::String => vs(""),
        Type::Number => Value::int(0),
        Type::Bool => Value::bool(false),
        Type::List(e) => Value::list((**e).clone(), Vec::new()),
        Type::Set(e) => Value::set((**e).clone(), Vec::new()),
        Type::Map(e) => Value::map((**e).clone(), BTreeMap::new()),
        other => Value::null(other.clone()),
    }
}

// ---- errors ----------------------------------------------------------------------

/// An AWS SDK error as a provider error carrying the AWS error code and message.
pub fn aws_err<E, R>(what: &str, e: aws_smithy_runtime_api::client::result::SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = e.code().map(str::to_string);
    let message = e.message().map(str::to_string);
    match code {
        Some(code) => {
            let retryable = is_retryable_code(&code);
            let mut err = ProviderError::new(format!("{what}: {code}"), format!("api error {code}: {}", message.unwrap_or_default()));
            err.retryable = retryable;
            err
        }
        None => {
            let detail = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&e));
            let mut err = ProviderError::new(what.to_string(), detail);
            err.retryable = matches!(
                e,
                aws_smithy_runtime_api::client::result::SdkError::DispatchFailure(_)
                    | aws_smithy_runtime_api::client::result::SdkError::TimeoutError(_)
            );
            err
        }
    }
}

fn is_retryable_code(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "ServiceUnavailable"
            | "InternalError"
    )
}

/// The AWS error code a provider error carries, if any.
pub fn err_code(e: &ProviderError) -> Option<&str> {
    e.detail.strip_prefix("api error ").and_then(|r| r.split(':').next())
}

pub fn is_not_found(e: &ProviderError) -> bool {
    err_code(e)
        .is_some_and(|c| c.ends_with("NotFound") || c.ends_with("NotFoundException") || c == "NoSuchEntity" || c.ends_with(".Malformed"))
}

// ---- retries and waits -------------------------------------------------------------

/// Retries `f` while it fails with one of `codes` (eventual consistency right
/// after a create) or a retryable error, for at most `limit`.
pub async fn retry_on<T, F, Fut>(limit: Duration, codes: &[&str], mut f: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let matches = e.retryable || err_code(&e).is_some_and(|c| codes.contains(&c));
                if !matches || start.elapsed() + delay > limit {
                    return Err(e);
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Polls `check` until it returns `Some`, for at most `limit`; the error says
/// what was waited for.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ProviderError>>,
{
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if start.elapsed() >= limit {
            return Err(ProviderError::new(
                format!("timeout while waiting for {what}"),
                format!("Gave up waiting for {what} after {}s.", limit.as_secs()),
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

// ---- tags ---------------------------------------------------------------------

/// The tag key every object plinth creates carries, with the operation token.
pub const OPERATION_TAG: &str = "plinth:operation";

/// Tags as plinth shows them: without AWS's own and plinth's bookkeeping tag.
pub fn visible_tags(tags: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    tags.into_iter().filter(|(k, _)| k != OPERATION_TAG && !k.starts_with("aws:")).collect()
}

/// `tags` and `tags_all` for state from what AWS reports: `tags` are the
/// configured ones (those in the prior `tags`, or any not coming from
/// `default_tags`).
pub fn set_tags(o: &mut Obj, all: BTreeMap<String, String>, default_tags: &BTreeMap<String, String>) {
    let prior_tags: Option<BTreeMap<String, String>> = o.get("tags").map(|_| gmap(&Value::object(o.0.clone()), "tags"));
    let own: BTreeMap<String, String> = all
        .iter()
        .filter(|(k, v)| prior_tags.as_ref().is_some_and(|p| p.contains_key(*k)) || default_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let tags = if own.is_empty() && prior_tags.is_none() { Value::null(map_str()) } else { vmap(&own) };
    o.set("tags", tags);
    o.set("tags_all", vmap(&all));
}

/// Tags to add or change, and keys to remove, going from `old` to `new`.
pub fn tag_diff(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<String>) {
    let set = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let del = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    (set, del)
}

/// Whether two JSON documents are equal as JSON (policies).
pub fn json_equal(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(x), Ok(y)) => normalize_policy(x) == normalize_policy(y),
        _ => a == b,
    }
}

/// IAM treats a one-element list and a bare string alike; so do we.
fn normalize_policy(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Array(xs) if xs.len() == 1 => normalize_policy(xs.into_iter().next().expect("one")),
        serde_json::Value::Array(xs) => serde_json::Value::Array(xs.into_iter().map(normalize_policy).collect()),
        serde_json::Value::Object(m) => serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, normalize_policy(v))).collect()),
        other => other,
    }
}

/// Keeps the prior policy text when AWS's is the same document.
pub fn keep_policy(prior: Option<String>, remote: String) -> String {
    match prior {
        Some(p) if json_equal(&p, &remote) => p,
        _ => remote,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_between_own_and_default() {
        let mut o = Obj(BTreeMap::new());
        o.set("tags", Value::null(map_str()));
        let all: BTreeMap<String, String> = [("env".to_string(), "dev".to_string()), ("Name".to_string(), "x".to_string())].into();
        let defaults: BTreeMap<String, String> = [("env".to_string(), "dev".to_string())].into();
        set_tags(&mut o, all, &defaults);
        assert_eq!(gmap(&Value::object(o.0.clone()), "tags"), [("Name".to_string(), "x".to_string())].into());
        assert_eq!(gmap(&Value::object(o.0.clone()), "tags_all").len(), 2);
    }

    #[test]
    fn no_tags_stay_null() {
        let mut o = Obj(BTreeMap::new());
        set_tags(&mut o, BTreeMap::new(), &BTreeMap::new());
        assert!(o.0["tags"].is_null());
    }

    #[test]
    fn policies_compare_as_json() {
        assert!(json_equal(r#"{"a": ["x"], "b": 1}"#, r#"{"b":1,"a":"x"}"#));
        assert!(!json_equal(r#"{"a": 1}"#, r#"{"a": 2}"#));
        assert_eq!(keep_policy(Some("{ \"a\": 1 }".into()), "{\"a\":1}".into()), "{ \"a\": 1 }");
    }

    #[test]
    fn error_codes_are_found() {
        let e = ProviderError::new(
            "reading EC2 VPC: InvalidVpcID.NotFound",
            "api error InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist",
        );
        assert_eq!(err_code(&e), Some("InvalidVpcID.NotFound"));
        assert!(is_not_found(&e));
    }
}
