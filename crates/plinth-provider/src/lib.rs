//! The one trait every provider implements, and the schema types it describes
//! its resources with. The engine talks to AWS, Kubernetes and the built-in
//! `terraform` provider only through [`Provider`]; it knows nothing else of them.
//!
//! Values crossing this boundary are typed [`Value`]s conforming to the
//! resource type's [`BlockSchema::implied_type`]; unknown values appear only in
//! plans, never in what `apply`, `read` or `import` return.

use std::collections::BTreeMap;

use plinth_value::{Type, Value};

pub mod mock;
mod schema;

pub use schema::{AttributeSchema, BlockSchema, NestedBlock, Nesting, ProviderSchema, ResourceSchema};

/// A step into a value: how the engine and providers name an attribute that
/// forces replacement, is sensitive, or is ignored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    Attr(String),
    Key(String),
    Index(u64),
}

pub type Path = Vec<PathStep>;

/// A provider failure, shown to the user with the resource address prepended.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
#[error("{summary}: {detail}")]
pub struct ProviderError {
    pub summary: String,
    pub detail: String,
    /// The argument at fault, when there is one.
    pub attribute: Option<Path>,
    /// Worth retrying (throttling, eventual consistency, a dropped connection).
    pub retryable: bool,
}

impl ProviderError {
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> ProviderError {
        ProviderError { summary: summary.into(), detail: detail.into(), attribute: None, retryable: false }
    }
    pub fn at(mut self, path: Path) -> ProviderError {
        self.attribute = Some(path);
        self
    }
}

/// What the engine proposes for one resource instance.
pub struct PlanRequest<'a> {
    pub type_name: &'a str,
    /// Current state (after refresh); `None` when creating.
    pub prior: Option<&'a Value>,
    /// Configuration merged over the prior state: configured arguments take
    /// their configured value, computed attributes not configured keep the
    /// prior value (unknown when creating).
    pub proposed: &'a Value,
    /// The configuration as written, with nulls for unset arguments.
    pub config: &'a Value,
}

pub struct PlanResponse {
    /// The planned new state, with unknowns where the provider cannot know yet.
    pub planned: Value,
    /// Attributes whose change forces the instance to be replaced.
    pub requires_replace: Vec<Path>,
}

/// One change to make real.
pub struct ApplyRequest<'a> {
    pub type_name: &'a str,
    /// `None` when creating.
    pub prior: Option<&'a Value>,
    /// `None` when deleting.
    pub planned: Option<&'a Value>,
    pub config: Option<&'a Value>,
    /// A token unique to this operation, recorded in the intent journal before
    /// the call. Providers attach it to what they create (a tag, an annotation,
    /// a client token) so an interrupted create can be found and adopted.
    pub operation_token: &'a str,
}

/// One planned resource instance, shown to its provider once the whole
/// configuration is planned.
pub struct PlannedInstance<'a> {
    pub type_name: &'a str,
    /// The planned new state (unknowns where the provider could not know).
    pub planned: &'a Value,
}

/// What a provider finds looking at all its planned instances together.
#[derive(Debug, Default)]
pub struct PlanReview {
    /// `(dependent, dependency)` indices into the reviewed instances: the
    /// dependent is created after the dependency and destroyed before it, as
    /// if its configuration referred to it.
    pub dependencies: Vec<(usize, usize)>,
    /// Problems with one instance (by index) that only the whole plan shows.
    pub errors: Vec<(usize, ProviderError)>,
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// Resource types, data sources and the provider's own configuration schema.
    fn schema(&self) -> &ProviderSchema;

    /// Receives the provider block's evaluated configuration once, before use.
    async fn configure(&self, config: &Value) -> Result<(), ProviderError>;

    /// Checks a resource's configuration beyond what the schema expresses.
    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        let _ = (type_name, config);
        Vec::new()
    }

    /// Computes the planned new state. It may ask the remote API (a dry
    /// run) only when [`Provider::plans_locally`] is false.
    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError>;

    /// True when `plan_resource` reads nothing but its request and what
    /// `configure` set: no remote calls, no async runtime. The engine then
    /// plans many instances at once on plain threads, ahead of their turn in
    /// the walk.
    fn plans_locally(&self) -> bool {
        false
    }

    /// Reviews every planned instance of this provider together, after the
    /// whole configuration is planned: ordering the configuration does not
    /// express (a custom resource after the CRD that defines its kind) and
    /// errors that only the whole plan shows.
    async fn review_plan(&self, instances: &[PlannedInstance<'_>]) -> PlanReview {
        let _ = instances;
        PlanReview::default()
    }

    /// Creates, updates or deletes; returns the new state (`Value::null` when deleted).
    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError>;

    /// Refreshes one instance; `Ok(None)` when it no longer exists.
    async fn read_resource(&self, type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError>;

    /// Refreshes many instances of one type. Providers that can list objects
    /// in pages override this so a refresh costs one call per page.
    async fn read_resources(&self, type_name: &str, states: &[Value]) -> Vec<Result<Option<Value>, ProviderError>> {
        let mut out = Vec::with_capacity(states.len());
        for s in states {
            out.push(self.read_resource(type_name, s).await);
        }
        out
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError>;

    /// Looks up an existing object by its import ID and returns its state.
    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError>;

    /// Finds an object an interrupted create may have made, by the operation
    /// token it was tagged with. `Ok(None)` when there is none.
    async fn find_by_operation_token(&self, type_name: &str, token: &str) -> Result<Option<Value>, ProviderError> {
        let _ = (type_name, token);
        Ok(None)
    }

    /// Provider-private bytes that belong with `object`, an object of
    /// `type_name` this provider returned (a plugin's `private`; state
    /// records them base64-encoded). `None` when there are none.
    fn private_data(&self, type_name: &str, object: &Value) -> Option<Vec<u8>> {
        let _ = (type_name, object);
        None
    }

    /// Gives back the private bytes state recorded with `object`, before the
    /// object is refreshed, planned or destroyed in this process.
    fn restore_private_data(&self, type_name: &str, object: &Value, private: &[u8]) {
        let _ = (type_name, object, private);
    }
}

/// Reads a string attribute from an object value (for providers' convenience).
pub fn get_str<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.as_entries().and_then(|m| m.get(name)).and_then(Value::as_str)
}

/// An object value of `ty` with every attribute null.
pub fn null_object(ty: &Type) -> Value {
    match ty {
        Type::Object(o) => Value::object(o.attrs.iter().map(|(k, t)| (k.clone(), Value::null(t.clone()))).collect::<BTreeMap<_, _>>()),
        other => Value::null(other.clone()),
    }
}
