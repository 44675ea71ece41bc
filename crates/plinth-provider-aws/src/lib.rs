//! The `aws` provider (`registry.terraform.io/hashicorp/aws`) on the Rust AWS
//! SDK. Resource types, argument and attribute names follow the Terraform AWS
//! provider so configurations port over.
//!
//! Layout: [`AwsProvider`] owns the schemas and the configured SDK clients and
//! dispatches to one [`ResourceType`] per resource type (`ec2.rs` network,
//! `ecr.rs` registry, `iam.rs` identity, `data.rs` data sources). Planning is
//! generic and pure ([`AwsProvider::plan`]): defaults, `tags_all` from
//! `default_tags`, replacement from the schema's `force_new` marks. Every
//! object plinth creates is tagged `plinth:operation = <token>` where the API
//! allows, so an interrupted create can be found again.
//!
//! Concurrency: an AIMD limiter per AWS service (`limiter.rs`) bounds the
//! operations in flight against it, lowered when AWS throttles and raised
//! again as calls succeed; the SDK retries each call with backoff meanwhile.
//!
//! Diagnostic switch: `PLINTH_AWS_BATCH_READS=0` in the environment makes a
//! refresh read objects one by one (one Describe call per object, as before
//! batching) instead of one call per page of IDs per type. It exists to
//! measure what batching saves (`bench/api_calls.py`); results are the same.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use plinth_provider::{
    ApplyRequest, BlockSchema, Nesting, PathStep, PlanRequest, PlanResponse, Provider, ProviderError, ProviderSchema, ResourceSchema,
};
use plinth_value::{Type, Value};

mod autoscaling;
mod compute;
mod data;
mod dhcp;
mod ec2;
mod ecr;
mod elb;
mod iam;
mod limiter;
mod s3;
mod util;

use util::{gb, gblocks, get, gi, gmap, gs, vmap, Obj, Sb};

pub const SOURCE: &str = "registry.terraform.io/hashicorp/aws";

/// Configured SDK clients and provider-wide settings.
pub(crate) struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub s3: aws_sdk_s3::Client,
    pub region: String,
    pub account_id: Option<String>,
    pub default_tags: BTreeMap<String, String>,
    /// How long to retry reads that find nothing right after a create.
    pub consistency: Duration,
    /// Adaptive concurrency per service (`limiter.rs`).
    pub limiters: limiter::Limiters,
}

impl Clients {
    /// A slot of the limiter of `type_name`'s service, waiting for it (bounded);
    /// `None` for types that call no API.
    async fn slot(&self, type_name: &str, what: &str) -> Result<Option<limiter::Permit>, ProviderError> {
        match self.limiters.for_type(type_name) {
            Some(l) => l.acquire(&format!("{what} {type_name}"), limiter::MAX_WAIT).await.map(Some),
            None => Ok(None),
        }
    }
}

/// One managed resource type. Implementations return [`Obj`]s; the provider
/// completes them to the schema's type.
#[async_trait::async_trait]
pub(crate) trait ResourceType: Send + Sync {
    fn schema(&self) -> Sb;

    /// Adjusts the generic plan before replacement is decided.
    fn plan(&self, prior: Option<&Value>, config: &Value, planned: &mut Obj) {
        let _ = (prior, config, planned);
    }

    async fn create(&self, c: &Clients, planned: &Value, token: &str) -> Result<Obj, ProviderError>;

    /// Reads one object; `Ok(None)` when it is gone. `state` is the base the
    /// result starts from (arguments AWS does not report keep their value).
    async fn read(&self, c: &Clients, state: &Value) -> Result<Option<Obj>, ProviderError>;

    /// Reads many objects; EC2 types answer with one Describe call per page.
    async fn read_many(&self, c: &Clients, states: &[Value]) -> Vec<Result<Option<Obj>, ProviderError>> {
        let mut out = Vec::with_capacity(states.len());
        for s in states {
            out.push(self.read(c, s).await);
        }
        out
    }

    async fn update(&self, c: &Clients, prior: &Value, planned: &Value) -> Result<Obj, ProviderError>;

    async fn delete(&self, c: &Clients, prior: &Value) -> Result<(), ProviderError>;

    /// The state of an existing object by its import ID. `base` holds the
    /// schema defaults; the default reads the object whose `id` is the ID.
    async fn import(&self, c: &Clients, id: &str, mut base: Obj) -> Result<Option<Obj>, ProviderError> {
        base.set("id", util::vs(id));
        self.read(c, &Value::object(base.0)).await
    }

    async fn find_by_token(&self, c: &Clients, token: &str) -> Result<Option<Obj>, ProviderError> {
        let _ = (c, token);
        Ok(None)
    }
}

#[async_trait::async_trait]
pub(crate) trait DataSource: Send + Sync {
    fn schema(&self) -> Sb;
    async fn read(&self, c: &Clients, config: &Value) -> Result<Obj, ProviderError>;
}

pub struct AwsProvider {
    schema: ProviderSchema,
    shorthand: BTreeMap<String, Sb>,
    resources: BTreeMap<String, Arc<dyn ResourceType>>,
    data_sources: BTreeMap<String, Arc<dyn DataSource>>,
    clients: RwLock<Option<Arc<Clients>>>,
}

impl Default for AwsProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn provider_block() -> BlockSchema {
    use util::*;
    let mut endpoints = Sb::new();
    for svc in ["ec2", "ecr", "iam", "sts", "s3", "autoscaling", "elbv2", "elb"] {
        endpoints = endpoints.a(svc, str_t(), "O");
    }
    Sb::new()
        .a("region", str_t(), "O")
        .a("access_key", str_t(), "O")
        .a("secret_key", str_t(), "OS")
        .a("token", str_t(), "OS")
        .a("profile", str_t(), "O")
        .a("shared_credentials_files", list_str(), "O")
        .a("shared_config_files", list_str(), "O")
        .a("max_retries", num_t(), "O")
        .a("skip_credentials_validation", bool_t(), "O")
        .a("skip_requesting_account_id", bool_t(), "O")
        .a("skip_metadata_api_check", str_t(), "O")
        .a("skip_region_validation", bool_t(), "O")
        .a("s3_use_path_style", bool_t(), "O")
        .a("insecure", bool_t(), "O")
        .blk("endpoints", Nesting::List, endpoints, 0, 0)
        .blk("default_tags", Nesting::List, Sb::new().a("tags", map_str(), "O"), 0, 1)
        .block
}

impl AwsProvider {
    pub fn new() -> AwsProvider {
        let mut resources: BTreeMap<String, Arc<dyn ResourceType>> = BTreeMap::new();
        ec2::register(&mut resources);
        ecr::register(&mut resources);
        iam::register(&mut resources);
        compute::register(&mut resources);
        dhcp::register(&mut resources);
        autoscaling::register(&mut resources);
        elb::register(&mut resources);
        s3::register(&mut resources);
        let mut data_sources: BTreeMap<String, Arc<dyn DataSource>> = BTreeMap::new();
        data::register(&mut data_sources);
        iam::register_data(&mut data_sources);
        let mut schema = ProviderSchema { provider: provider_block(), ..Default::default() };
        let mut shorthand = BTreeMap::new();
        for (name, r) in &resources {
            let sb = r.schema().a("id", Type::String, "OC");
            schema.resources.insert(name.clone(), ResourceSchema { version: 0, block: sb.block.clone() });
            shorthand.insert(name.clone(), sb);
        }
        for (name, d) in &data_sources {
            let sb = d.schema().a("id", Type::String, "OC");
            schema.data_sources.insert(name.clone(), ResourceSchema { version: 0, block: sb.block.clone() });
        }
        AwsProvider { schema, shorthand, resources, data_sources, clients: RwLock::new(None) }
    }

    fn clients(&self) -> Result<Arc<Clients>, ProviderError> {
        self.clients.read().expect("clients lock").clone().ok_or_else(|| {
            ProviderError::new("Provider not configured", "The aws provider was used before its configuration was evaluated.")
        })
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn ResourceType>, ProviderError> {
        self.resources
            .get(type_name)
            .ok_or_else(|| ProviderError::new("Unsupported resource type", format!("The aws provider has no resource type {type_name:?}.")))
    }

    fn finish(&self, type_name: &str, o: Obj) -> Value {
        o.finish(&self.shorthand[type_name].block)
    }

    /// The generic plan: defaults, nested zero values, `tags_all`, replacement.
    fn plan(&self, req: &PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let r = self.resource(req.type_name)?;
        let sb = &self.shorthand[req.type_name];
        let mut o = Obj::from(req.proposed);
        for (k, d) in &sb.defaults {
            if req.config.as_entries().and_then(|m| m.get(k)).is_none_or(Value::is_null) {
                o.set(k, d.clone());
            }
        }
        let prior_obj = req.prior.and_then(Value::as_entries);
        for (name, nb) in &sb.block.blocks {
            if let Some(v) = o.0.get(name).cloned() {
                let prior_v = prior_obj.and_then(|p| p.get(name));
                o.set(name, zero_fill_blocks(v, &nb.block, prior_v));
            }
        }
        if sb.block.attributes.contains_key("tags_all") {
            let default_tags = self.clients.read().expect("clients lock").as_ref().map(|c| c.default_tags.clone()).unwrap_or_default();
            let tags = req.config.as_entries().and_then(|m| m.get("tags")).cloned().unwrap_or_else(|| Value::null(util::map_str()));
            let all = if !tags.is_wholly_known() {
                Value::unknown(util::map_str())
            } else {
                let mut all = default_tags;
                all.extend(gmap(req.config, "tags"));
                vmap(&all)
            };
            o.set("tags_all", all);
        }
        r.plan(req.prior, req.config, &mut o);
        let mut requires_replace = Vec::new();
        if let Some(prior) = req.prior {
            for name in &sb.force_new_blocks {
                let now = o.0.get(name).cloned();
                let before = prior.as_entries().and_then(|m| m.get(name)).cloned();
                if !matches!((&now, &before), (Some(a), Some(b)) if a.raw_equal(b)) {
                    requires_replace.push(vec![PathStep::Attr(name.clone())]);
                }
            }
            for (name, a) in &sb.block.attributes {
                if a.force_new {
                    let now = o.0.get(name).cloned().unwrap_or_else(|| Value::null(a.ty.clone()));
                    let before = prior.as_entries().and_then(|m| m.get(name)).cloned().unwrap_or_else(|| Value::null(a.ty.clone()));
                    if !now.raw_equal(&before) {
                        requires_replace.push(vec![PathStep::Attr(name.clone())]);
                    }
                }
            }
        }
        let replacing = !requires_replace.is_empty();
        if replacing {
            for (name, a) in &sb.block.attributes {
                if a.computed && req.config.as_entries().and_then(|m| m.get(name)).is_none_or(Value::is_null) && name != "tags_all" {
                    o.set(name, Value::unknown(a.ty.clone()));
                }
            }
        }
        let ty = sb.block.implied_type();
        let Type::Object(ot) = &ty else { unreachable!() };
        let mut out = BTreeMap::new();
        for (k, t) in &ot.attrs {
            let v = o.0.get(k).cloned().unwrap_or_else(|| Value::null(t.clone()));
            let v = plinth_value::convert(&v, t).unwrap_or_else(|_| Value::unknown(t.clone()));
            out.insert(k.clone(), v);
        }
        Ok(PlanResponse { planned: Value::object(out), requires_replace })
    }

    async fn configure_clients(&self, config: &Value) -> Result<Clients, ProviderError> {
        use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region};
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        let region = gs(config, "region");
        if let Some(r) = &region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(p) = gs(config, "profile") {
            loader = loader.profile_name(p);
        }
        match (gs(config, "access_key"), gs(config, "secret_key")) {
            (Some(ak), Some(sk)) => {
                loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                    ak,
                    sk,
                    gs(config, "token"),
                    None,
                    "plinth-provider-config",
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(ProviderError::new("Invalid provider configuration", "\"access_key\" and \"secret_key\" must be set together.")
                    .at(vec![PathStep::Attr("secret_key".into())]))
            }
            _ => {}
        }
        let attempts = gi(config, "max_retries").unwrap_or(25).clamp(0, 100) as u32 + 1;
        // Standard retry mode, not adaptive: adaptive adds a client-side send
        // rate limiter that delays even first attempts once throttled, which
        // would fight the per-service concurrency limiter (`limiter.rs`) over
        // the same signal. Standard mode's retry quota (500 tokens per service
        // partition; a throttling retry holds 5, another retry 14, given back
        // when the call succeeds) is held only while a call is retrying, so
        // with at most `limiter::CEILING` calls in flight per service it
        // cannot run dry (16 × 14 < 500), even under heavy throttling. 500s and
        // dropped connections are transient errors it retries too.
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts).with_max_backoff(Duration::from_secs(20)));
        loader = loader.timeout_config(
            TimeoutConfig::builder().connect_timeout(Duration::from_secs(10)).operation_attempt_timeout(Duration::from_secs(120)).build(),
        );
        let sdk = loader.load().await;
        let Some(region) = sdk.region().map(|r| r.to_string()) else {
            return Err(ProviderError::new(
                "Invalid provider configuration",
                "The argument \"region\" is required, but no definition was found: set it in the provider block, or AWS_REGION in the environment.",
            ));
        };
        let limiters = limiter::Limiters::new(limiter::CEILING);
        let observe = |l: &Arc<limiter::Limiter>| limiter::Observe(l.clone());
        let endpoints = gblocks(config, "endpoints");
        let endpoint = |svc: &str| endpoints.iter().find_map(|e| gs(e, svc));
        let mut ec2 = aws_sdk_ec2::config::Builder::from(&sdk).interceptor(observe(&limiters.ec2));
        if let Some(u) = endpoint("ec2") {
            ec2 = ec2.endpoint_url(u);
        }
        let mut ecr = aws_sdk_ecr::config::Builder::from(&sdk).interceptor(observe(&limiters.ecr));
        if let Some(u) = endpoint("ecr") {
            ecr = ecr.endpoint_url(u);
        }
        let mut iam = aws_sdk_iam::config::Builder::from(&sdk).interceptor(observe(&limiters.iam));
        if let Some(u) = endpoint("iam") {
            iam = iam.endpoint_url(u);
        }
        let mut sts = aws_sdk_sts::config::Builder::from(&sdk).interceptor(observe(&limiters.sts));
        if let Some(u) = endpoint("sts") {
            sts = sts.endpoint_url(u);
        }
        let sts = aws_sdk_sts::Client::from_conf(sts.build());
        let mut autoscaling = aws_sdk_autoscaling::config::Builder::from(&sdk).interceptor(observe(&limiters.autoscaling));
        if let Some(u) = endpoint("autoscaling") {
            autoscaling = autoscaling.endpoint_url(u);
        }
        let mut elbv2 = aws_sdk_elasticloadbalancingv2::config::Builder::from(&sdk).interceptor(observe(&limiters.elbv2));
        if let Some(u) = endpoint("elbv2").or_else(|| endpoint("elb")) {
            elbv2 = elbv2.endpoint_url(u);
        }
        let mut s3 = aws_sdk_s3::config::Builder::from(&sdk).interceptor(observe(&limiters.s3));
        let s3_endpoint = endpoint("s3").or_else(|| sdk.endpoint_url().map(str::to_string));
        if let Some(u) = endpoint("s3") {
            s3 = s3.endpoint_url(u);
        }
        // Path-style addressing when asked, and for an endpoint on an IP
        // address or localhost (an emulator), where bucket host names cannot
        // resolve.
        let local_endpoint = s3_endpoint.as_deref().is_some_and(s3::is_local_endpoint);
        if gb(config, "s3_use_path_style").unwrap_or(false) || local_endpoint {
            s3 = s3.force_path_style(true);
        }
        let skip_validation = gb(config, "skip_credentials_validation").unwrap_or(false);
        let skip_account = gb(config, "skip_requesting_account_id").unwrap_or(false);
        let mut account_id = None;
        if !skip_validation || !skip_account {
            match sts.get_caller_identity().send().await {
                Ok(out) => account_id = out.account().map(str::to_string),
                Err(e) if !skip_validation => {
                    let mut err = util::aws_err("validating provider credentials", e);
                    err.summary = format!("Retrieving AWS account details: {}", err.summary);
                    return Err(err);
                }
                Err(_) => {}
            }
        }
        let default_tags = gblocks(config, "default_tags").first().map(|d| gmap(d, "tags")).unwrap_or_default();
        Ok(Clients {
            ec2: aws_sdk_ec2::Client::from_conf(ec2.build()),
            ecr: aws_sdk_ecr::Client::from_conf(ecr.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            sts,
            autoscaling: aws_sdk_autoscaling::Client::from_conf(autoscaling.build()),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(elbv2.build()),
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            region,
            account_id,
            default_tags,
            consistency: Duration::from_secs(120),
            limiters,
        })
    }
}

/// Whether refresh batches reads (the default); `PLINTH_AWS_BATCH_READS=0`
/// turns it off, a diagnostic switch (see the module header).
fn batch_reads() -> bool {
    std::env::var("PLINTH_AWS_BATCH_READS").map_or(true, |v| v != "0")
}

/// Unset arguments of nested blocks take their zero value (`""`, `[]`,
/// `false`), as the SDKv2 provider stores them; unset computed arguments of
/// list blocks keep the prior value of the element at the same index, or are
/// unknown (as Terraform's proposed new state has them). Nested blocks of
/// nested blocks are treated alike.
fn zero_fill_blocks(v: Value, block: &BlockSchema, prior: Option<&Value>) -> Value {
    let prior_items: Vec<Value> = prior.and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
    let fill = |x: &Value, prior: Option<&Value>, by_index: bool| -> Value {
        let Some(m) = x.as_entries() else { return x.clone() };
        let mut m = m.clone();
        let pm = prior.and_then(Value::as_entries);
        for (k, a) in &block.attributes {
            if m.get(k).is_none_or(Value::is_null) {
                if !a.computed {
                    m.insert(k.clone(), util::zero(&a.ty));
                } else if by_index {
                    let pv = pm.and_then(|p| p.get(k)).filter(|v| !v.is_null()).cloned();
                    m.insert(k.clone(), pv.unwrap_or_else(|| Value::unknown(a.ty.clone())));
                }
            }
        }
        for (k, nb) in &block.blocks {
            if let Some(inner) = m.get(k).cloned() {
                m.insert(k.clone(), zero_fill_blocks(inner, &nb.block, pm.and_then(|p| p.get(k))));
            }
        }
        Value::object(m)
    };
    match &v.kind {
        plinth_value::Kind::List(t, xs) => {
            Value::list(t.clone(), xs.iter().enumerate().map(|(i, x)| fill(x, prior_items.get(i), true)).collect())
        }
        plinth_value::Kind::Set(t, xs) => Value::set(t.clone(), xs.iter().map(|x| fill(x, None, false)).collect()),
        _ => v,
    }
}

#[async_trait::async_trait]
impl Provider for AwsProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: &Value) -> Result<(), ProviderError> {
        let clients = self.configure_clients(config).await?;
        *self.clients.write().expect("clients lock") = Some(Arc::new(clients));
        Ok(())
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        let mut out = Vec::new();
        if type_name == "aws_subnet"
            && get(config, "cidr_block").is_none()
            && get(config, "ipv6_cidr_block").is_none()
            && gb(config, "ipv6_native") != Some(true)
        {
            out.push(ProviderError::new("Missing required argument", "One of \"cidr_block\" or \"ipv6_cidr_block\" must be specified."));
        }
        out
    }

    /// Plans from the request and the configured default tags.
    fn plans_locally(&self) -> bool {
        true
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        self.plan(&req)
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let c = self.clients()?;
        let r = self.resource(req.type_name)?;
        let _slot = c.slot(req.type_name, "apply").await?;
        match (req.prior, req.planned) {
            (Some(prior), None) => {
                r.delete(&c, prior).await?;
                Ok(Value::null(self.shorthand[req.type_name].block.implied_type()))
            }
            (None, Some(planned)) => {
                let o = r.create(&c, planned, req.operation_token).await?;
                Ok(self.finish(req.type_name, o))
            }
            (Some(prior), Some(planned)) => {
                let o = r.update(&c, prior, planned).await?;
                Ok(self.finish(req.type_name, o))
            }
            (None, None) => Err(ProviderError::new("Invalid change", "Neither a prior nor a planned state.")),
        }
    }

    async fn read_resource(&self, type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        let c = self.clients()?;
        let r = self.resource(type_name)?;
        let _slot = c.slot(type_name, "read").await?;
        Ok(r.read(&c, state).await?.map(|o| self.finish(type_name, o)))
    }

    async fn read_resources(&self, type_name: &str, states: &[Value]) -> Vec<Result<Option<Value>, ProviderError>> {
        let (c, r) = match (self.clients(), self.resource(type_name)) {
            (Ok(c), Ok(r)) => (c, r),
            (Err(e), _) | (_, Err(e)) => return states.iter().map(|_| Err(e.clone())).collect(),
        };
        let _slot = match c.slot(type_name, "refresh").await {
            Ok(s) => s,
            Err(e) => return states.iter().map(|_| Err(e.clone())).collect(),
        };
        let results = if batch_reads() {
            r.read_many(&c, states).await
        } else {
            let mut out = Vec::with_capacity(states.len());
            for s in states {
                out.push(r.read(&c, s).await);
            }
            out
        };
        results.into_iter().map(|x| x.map(|o| o.map(|o| self.finish(type_name, o)))).collect()
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        let c = self.clients()?;
        let d = self
            .data_sources
            .get(type_name)
            .ok_or_else(|| ProviderError::new("Unsupported data source", format!("The aws provider has no data source {type_name:?}.")))?;
        let _slot = c.slot(type_name, "read data source").await?;
        let o = d.read(&c, config).await?;
        Ok(o.finish(&self.schema.data_sources[type_name].block))
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let c = self.clients()?;
        let r = self.resource(type_name)?;
        let sb = &self.shorthand[type_name];
        let mut base = Obj(BTreeMap::new());
        for (k, d) in &sb.defaults {
            base.set(k, d.clone());
        }
        let _slot = c.slot(type_name, "import").await?;
        match r.import(&c, id, base).await? {
            Some(o) => Ok(self.finish(type_name, o)),
            None => Err(ProviderError::new(
                "Cannot import non-existent remote object",
                format!("While attempting to import an existing object to {type_name}, the provider detected that no object exists with the given id {id:?}."),
            )),
        }
    }

    async fn find_by_operation_token(&self, type_name: &str, token: &str) -> Result<Option<Value>, ProviderError> {
        let c = self.clients()?;
        let r = self.resource(type_name)?;
        let _slot = c.slot(type_name, "find by operation token").await?;
        Ok(r.find_by_token(&c, token).await?.map(|o| self.finish(type_name, o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn config_for(p: &AwsProvider, ty: &str, set: &[(&str, Value)]) -> Value {
        let t = p.schema.resources[ty].block.implied_type();
        let mut o = Obj::from(&plinth_provider::null_object(&t));
        for (k, v) in set {
            o.set(k, v.clone());
        }
        // Nested blocks absent: empty collections, as the engine decodes them.
        for (k, nb) in &p.schema.resources[ty].block.blocks {
            if o.get(k).is_none() && nb.nesting != Nesting::Single {
                let et = nb.block.implied_type();
                o.set(k, if nb.nesting == Nesting::Set { Value::set(et, vec![]) } else { Value::list(et, vec![]) });
            }
        }
        Value::object(o.0)
    }

    #[test]
    fn every_type_has_id_and_a_valid_schema() {
        let p = AwsProvider::new();
        for (name, r) in &p.schema.resources {
            assert!(r.block.attributes.contains_key("id"), "{name}");
            for (a, s) in &r.block.attributes {
                assert!(s.required || s.optional || s.computed, "{name}.{a}");
            }
        }
        assert!(p.schema.resources.len() >= 18, "{}", p.schema.resources.len());
    }

    #[test]
    fn create_plan_has_unknown_computed_and_defaults() {
        let p = AwsProvider::new();
        let cfg = config_for(&p, "aws_vpc", &[("cidr_block", util::vs("10.0.0.0/16"))]);
        let proposed = cfg.clone();
        let r = p.plan(&PlanRequest { type_name: "aws_vpc", prior: None, proposed: &proposed, config: &cfg }).unwrap();
        let m = r.planned.as_entries().unwrap();
        assert_eq!(m["instance_tenancy"].as_str(), Some("default"));
        assert_eq!(m["enable_dns_support"].as_bool(), Some(true));
        assert!(m["tags_all"].is_known());
    }

    #[test]
    fn changing_a_forcing_argument_replaces() {
        let p = AwsProvider::new();
        let cfg = config_for(&p, "aws_subnet", &[("vpc_id", util::vs("vpc-1")), ("cidr_block", util::vs("10.0.2.0/24"))]);
        let prior = {
            let old = config_for(&p, "aws_subnet", &[("vpc_id", util::vs("vpc-1")), ("cidr_block", util::vs("10.0.1.0/24"))]);
            let created = p.plan(&PlanRequest { type_name: "aws_subnet", prior: None, proposed: &old, config: &old }).unwrap().planned;
            let mut o = Obj::from(&created);
            o.set("id", util::vs("subnet-1")).set("arn", util::vs("arn:x"));
            p.finish("aws_subnet", o)
        };
        let mut proposed = Obj::from(&cfg);
        proposed.set("id", util::vs("subnet-1")).set("arn", util::vs("arn:x"));
        let proposed = Value::object(proposed.0);
        let r = p.plan(&PlanRequest { type_name: "aws_subnet", prior: Some(&prior), proposed: &proposed, config: &cfg }).unwrap();
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("cidr_block".into())]]);
        assert!(r.planned.as_entries().unwrap()["id"].is_unknown());
        let _ = obj(&[]);
    }

    /// One nested block element of `ty.block`, unset arguments null.
    fn block_of(p: &AwsProvider, ty: &str, block: &str, set: &[(&str, Value)]) -> Value {
        let nb = &p.schema.resources[ty].block.blocks[block];
        let mut o = Obj(BTreeMap::new());
        for (k, v) in set {
            o.set(k, v.clone());
        }
        for (k, inner) in &nb.block.blocks {
            let et = inner.block.implied_type();
            o.set(k, if inner.nesting == Nesting::Set { Value::set(et, vec![]) } else { Value::list(et, vec![]) });
        }
        let item = o.finish(&nb.block);
        if nb.nesting == Nesting::Set {
            Value::set(nb.block.implied_type(), vec![item])
        } else {
            Value::list(nb.block.implied_type(), vec![item])
        }
    }

    fn created(p: &AwsProvider, ty: &str, cfg: &Value, computed: &[(&str, Value)]) -> Value {
        let planned = p.plan(&PlanRequest { type_name: ty, prior: None, proposed: cfg, config: cfg }).unwrap().planned;
        let mut o = Obj::from(&planned);
        for (k, v) in computed {
            o.set(k, v.clone());
        }
        p.finish(ty, o)
    }

    #[test]
    fn launch_template_changes_are_new_versions_in_place() {
        let p = AwsProvider::new();
        let cfg = |t: &str| {
            config_for(
                &p,
                "aws_launch_template",
                &[("name", util::vs("nodes")), ("instance_type", util::vs(t)), ("update_default_version", Value::bool(true))],
            )
        };
        let prior = created(
            &p,
            "aws_launch_template",
            &cfg("t3.micro"),
            &[("id", util::vs("lt-1")), ("latest_version", Value::int(1)), ("default_version", Value::int(1))],
        );
        let new = cfg("t3.large");
        let mut proposed = Obj::from(&new);
        for k in ["id", "latest_version", "default_version", "arn", "name_prefix", "tags_all"] {
            proposed.set(k, prior.as_entries().unwrap()[k].clone());
        }
        let proposed = Value::object(proposed.0);
        let r = p.plan(&PlanRequest { type_name: "aws_launch_template", prior: Some(&prior), proposed: &proposed, config: &new }).unwrap();
        assert!(r.requires_replace.is_empty(), "{:?}", r.requires_replace);
        let m = r.planned.as_entries().unwrap();
        assert!(m["latest_version"].is_unknown());
        assert!(m["default_version"].is_unknown());
        assert_eq!(m["id"].as_str(), Some("lt-1"));
    }

    #[test]
    fn autoscaling_group_launch_template_defaults() {
        let p = AwsProvider::new();
        let lt = block_of(&p, "aws_autoscaling_group", "launch_template", &[("id", util::vs("lt-1"))]);
        let cfg =
            config_for(&p, "aws_autoscaling_group", &[("min_size", Value::int(1)), ("max_size", Value::int(2)), ("launch_template", lt)]);
        let r = p.plan(&PlanRequest { type_name: "aws_autoscaling_group", prior: None, proposed: &cfg, config: &cfg }).unwrap();
        let m = r.planned.as_entries().unwrap();
        let lt = &m["launch_template"].as_seq().unwrap()[0];
        assert_eq!(util::gs(lt, "version").as_deref(), Some("$Default"));
        assert!(lt.as_entries().unwrap()["name"].is_unknown());
        assert_eq!(m["wait_for_capacity_timeout"].as_str(), Some("10m"));
        assert!(m["name"].is_unknown());
    }

    #[test]
    fn target_group_health_check_defaults() {
        let p = AwsProvider::new();
        let hc = block_of(
            &p,
            "aws_lb_target_group",
            "health_check",
            &[("protocol", util::vs("TCP")), ("port", util::vs("443")), ("interval", Value::int(10))],
        );
        let cfg = config_for(
            &p,
            "aws_lb_target_group",
            &[("name", util::vs("tcp")), ("port", Value::int(443)), ("protocol", util::vs("TCP")), ("health_check", hc)],
        );
        let r = p.plan(&PlanRequest { type_name: "aws_lb_target_group", prior: None, proposed: &cfg, config: &cfg }).unwrap();
        let h = &r.planned.as_entries().unwrap()["health_check"].as_seq().unwrap()[0];
        assert_eq!(util::gi(h, "interval"), Some(10));
        assert_eq!(util::gi(h, "healthy_threshold"), Some(3));
        assert_eq!(util::gb(h, "enabled"), Some(true));
        assert_eq!(util::gs(h, "path").as_deref(), Some(""));
        assert!(h.as_entries().unwrap()["timeout"].is_unknown());
    }

    #[test]
    fn nested_computed_arguments_keep_prior_values() {
        let p = AwsProvider::new();
        let md = |tokens: Option<&str>| {
            let mut set = vec![("http_endpoint", util::vs("enabled"))];
            if let Some(t) = tokens {
                set.push(("http_tokens", util::vs(t)));
            }
            block_of(&p, "aws_launch_template", "metadata_options", &set)
        };
        let cfg = config_for(&p, "aws_launch_template", &[("name", util::vs("n")), ("metadata_options", md(None))]);
        let prior = config_for(&p, "aws_launch_template", &[("name", util::vs("n")), ("metadata_options", md(Some("required")))]);
        let r = p.plan(&PlanRequest { type_name: "aws_launch_template", prior: Some(&prior), proposed: &cfg, config: &cfg }).unwrap();
        let m = &r.planned.as_entries().unwrap()["metadata_options"].as_seq().unwrap()[0];
        assert_eq!(util::gs(m, "http_tokens").as_deref(), Some("required"));
        let r = p.plan(&PlanRequest { type_name: "aws_launch_template", prior: None, proposed: &cfg, config: &cfg }).unwrap();
        let m = &r.planned.as_entries().unwrap()["metadata_options"].as_seq().unwrap()[0];
        assert!(m.as_entries().unwrap()["http_tokens"].is_unknown());
    }
}
