//! Terraform plugin providers behind plinth's [`Provider`] trait: any provider
//! binary built for Terraform (tfplugin5 or tfplugin6 over go-plugin's gRPC
//! transport) runs under plinth. The engine sees only the trait.
//!
//! One plugin process per [`PluginProvider`] (one per provider configuration
//! in a run), started by [`PluginProvider::start`] and stopped by
//! [`PluginProvider::stop`], on drop, or by [`stop_all`] (which the binary
//! calls before it exits). On Linux the process also dies with plinth
//! (`PR_SET_PDEATHSIG`), so not even `kill -9` leaves one running.
//!
//! Every call runs on the crate's own tokio runtime: the gRPC channel lives
//! there, whatever runtime (or none) the caller uses, and the synchronous
//! trait methods (`plan_resource`, `validate_resource`) block on it.
//!
//! Provider-private data (`private` in the protocol) is kept in memory for the
//! life of the process, keyed by the object it belongs to: a plan's private
//! data reaches the apply of the same run and an apply's reaches later reads
//! and plans in that process. The engine writes an object's private data to
//! state (`Provider::private_data`) and gives state's back to a new process
//! (`Provider::restore_private_data`); plan files do not carry it.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use plinth_provider::{
    ApplyRequest, BlockSchema, Path as AttrPath, PathStep, PlanRequest, PlanResponse, Provider, ProviderError, ProviderSchema,
};
use plinth_value::{Type, Value};

mod check;
mod client;
pub mod install;
pub mod msgpack;
mod process;
pub mod proto;
mod schema;
pub mod schema_json;

pub use process::{parse_handshake, Handshake, Log, StartError, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, SUPPORTED_VERSIONS};

use client::{Client, RpcError};

/// The Terraform version plinth reports to providers in `ConfigureProvider`.
pub const TERRAFORM_VERSION: &str = "1.15.5";

/// What to start.
#[derive(Clone, Debug)]
pub struct PluginConfig {
    /// The provider's source address (`registry.terraform.io/hashicorp/null`),
    /// used in messages.
    pub address: String,
    /// The provider executable.
    pub executable: PathBuf,
    pub handshake_timeout: Duration,
}

impl PluginConfig {
    pub fn new(address: impl Into<String>, executable: impl Into<PathBuf>) -> PluginConfig {
        PluginConfig { address: address.into(), executable: executable.into(), handshake_timeout: Duration::from_secs(60) }
    }
}

/// The crate's runtime: the plugins' channels and I/O live on it.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("plinth-plugin")
            .enable_all()
            .build()
            .expect("the plugin runtime starts (threads and an I/O driver)")
    })
}

/// Runs `f` on the crate's runtime and waits for it from synchronous code,
/// inside a runtime or not.
fn block<F>(f: F) -> Result<F::Output, ProviderError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    runtime().spawn(async move {
        let _ = tx.send(f.await);
    });
    let wait = || rx.recv();
    let got = match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(wait),
        _ => wait(),
    };
    got.map_err(|_| ProviderError::new("Plugin call failed", "the call to the plugin ended without an answer"))
}

/// Runs `f` on the crate's runtime from async code.
async fn on_runtime<F>(f: F) -> Result<F::Output, ProviderError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(f).await.map_err(|e| ProviderError::new("Plugin call failed", e.to_string()))
}

/// Live plugins, for [`stop_all`].
fn live() -> &'static Mutex<Vec<Weak<Running>>> {
    static LIVE: OnceLock<Mutex<Vec<Weak<Running>>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Stops every plugin process still running (graceful shutdown, then kill).
/// The binary calls this before it exits.
pub fn stop_all() {
    let all: Vec<Arc<Running>> = live().lock().map(|mut l| l.drain(..).filter_map(|w| w.upgrade()).collect()).unwrap_or_default();
    for r in all {
        r.stop_blocking();
    }
}

struct Running {
    client: Client,
    child: Mutex<Option<tokio::process::Child>>,
    stderr_tail: Arc<Mutex<std::collections::VecDeque<String>>>,
}

impl Running {
    fn stop_blocking(&self) {
        let Some(mut child) = self.child.lock().ok().and_then(|mut c| c.take()) else { return };
        let client = self.client.clone();
        let _ = block(async move {
            client.shutdown(Duration::from_millis(500)).await;
            if tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err() {
                let _ = child.kill().await;
            }
        });
    }

    /// Whether the process has exited (crashed), with its status.
    fn exited(&self) -> Option<String> {
        let mut c = self.child.lock().ok()?;
        let child = c.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            if let Some(child) = c.as_mut() {
                let _ = child.start_kill();
            }
        }
    }
}

pub struct PluginProvider {
    address: String,
    /// The executable's file name, as Terraform names a crashed plugin.
    plugin_name: String,
    running: Option<Arc<Running>>,
    /// Why the plugin could not be started or described; every call fails with it.
    start_error: Option<ProviderError>,
    schema: ProviderSchema,
    raw_schema: proto::GetProviderSchemaResponse,
    /// Provider-private data by (type, msgpack of the object it belongs to).
    private: Mutex<HashMap<(String, Vec<u8>), Vec<u8>>>,
}

impl PluginProvider {
    /// Starts the plugin and reads its schema. Never fails: a plugin that
    /// cannot be started gives a provider whose every call returns the error
    /// (the engine reports it, with the resource, at `configure`).
    pub fn start(config: PluginConfig, log: Log) -> PluginProvider {
        let plugin_name = config.executable.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let address = config.address.clone();
        let failed = |detail: String| {
            PluginProvider {
            address: address.clone(),
            plugin_name: plugin_name.clone(),
            running: None,
            start_error: Some(ProviderError::new(
                "Failed to load plugin schemas",
                format!("Could not load the schema for provider {address}: failed to instantiate provider \"{address}\" to obtain schema: {detail}"),
            )),
            schema: ProviderSchema::default(),
            raw_schema: proto::GetProviderSchemaResponse::default(),
            private: Mutex::new(HashMap::new()),
        }
        };
        let exe = config.executable.clone();
        let timeout = config.handshake_timeout;
        let log_name = format!("provider.{plugin_name}");
        let started = block(async move {
            let p = process::start(process::StartOptions { path: &exe, handshake_timeout: timeout, log, log_name }).await?;
            let client = Client::new(p.channel.clone(), p.version);
            let schema = client.get_schema().await;
            Ok::<_, StartError>((p, client, schema))
        });
        let (p, client, schema) = match started {
            Err(e) => return failed(e.detail),
            Ok(Err(e)) => return failed(e.0),
            Ok(Ok(x)) => x,
        };
        let running = Arc::new(Running { client, child: Mutex::new(Some(p.child)), stderr_tail: p.stderr_tail });
        let mut provider = PluginProvider { running: Some(running.clone()), ..failed(String::new()) };
        provider.start_error = None;
        if let Ok(mut l) = live().lock() {
            l.retain(|w| w.strong_count() > 0);
            l.push(Arc::downgrade(&running));
        }
        let resp = match schema {
            Ok(r) => r,
            Err(e) => {
                let err = provider.rpc_error(e);
                running.stop_blocking();
                return failed(err.detail);
            }
        };
        if let Some(e) = first_error(&resp.diagnostics) {
            running.stop_blocking();
            return failed(format!("{}: {}", e.summary, e.detail));
        }
        match schema::provider_schema(&resp) {
            Ok(s) => provider.schema = s,
            Err(e) => {
                running.stop_blocking();
                return failed(format!("invalid schema: {e}"));
            }
        }
        provider.raw_schema = resp;
        provider
    }

    /// A provider that could not be found or installed: every call fails
    /// with this error.
    pub fn unavailable(address: impl Into<String>, summary: impl Into<String>, detail: impl Into<String>) -> PluginProvider {
        PluginProvider {
            address: address.into(),
            plugin_name: String::new(),
            running: None,
            start_error: Some(ProviderError::new(summary, detail)),
            schema: ProviderSchema::default(),
            raw_schema: proto::GetProviderSchemaResponse::default(),
            private: Mutex::new(HashMap::new()),
        }
    }

    /// The protocol major version in use (5 or 6); `None` when not running.
    pub fn protocol_version(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.client.version)
    }

    /// Why the plugin could not be started or described, if it could not.
    pub fn start_error(&self) -> Option<&ProviderError> {
        self.start_error.as_ref()
    }

    /// The schema as the provider sent it (descriptions and all).
    pub fn raw_schema(&self) -> &proto::GetProviderSchemaResponse {
        &self.raw_schema
    }

    /// Stops the plugin process (graceful shutdown, then kill).
    pub fn stop(&self) {
        if let Some(r) = &self.running {
            r.stop_blocking();
        }
    }

    /// The process id of the plugin, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().and_then(|r| r.child.lock().ok().and_then(|c| c.as_ref().and_then(|c| c.id())))
    }

    /// Asks the provider to cancel its operations in flight (Ctrl-C).
    pub async fn cancel(&self) -> Result<(), ProviderError> {
        let client = self.client()?;
        let r = on_runtime(async move { client.stop().await }).await?;
        match r {
            Ok(r) if r.error.is_empty() => Ok(()),
            Ok(r) => Err(ProviderError::new("Failed to stop provider", r.error)),
            Err(e) => Err(self.rpc_error(e)),
        }
    }

    fn client(&self) -> Result<Client, ProviderError> {
        match (&self.running, &self.start_error) {
            (_, Some(e)) => Err(e.clone()),
            (Some(r), None) => Ok(r.client.clone()),
            (None, None) => {
                Err(ProviderError::new("Provider not running", format!("The plugin for provider \"{}\" is not running.", self.address)))
            }
        }
    }

    /// An RPC that failed below the protocol, worded as Terraform's "Plugin
    /// did not respond", with what the plugin last printed (its panic).
    fn rpc_error(&self, e: RpcError) -> ProviderError {
        let mut detail = format!(
            "The plugin encountered an error, and failed to respond to the plugin.(*GRPCProvider).{} call. The plugin logs may contain more details.",
            e.method
        );
        if let Some(r) = &self.running {
            // Give a crashing process a moment to be reaped, so the report says so.
            for _ in 0..20 {
                if r.exited().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if let Some(status) = r.exited() {
                detail.push_str(&format!("\n\nThe {} plugin for provider \"{}\" crashed ({status}).", self.plugin_name, self.address));
                detail.push_str(&process::tail_text(&r.stderr_tail));
            } else {
                detail.push_str(&format!("\n\n{}", e.status.message()));
            }
        }
        ProviderError::new("Plugin did not respond", detail)
    }

    fn resource_schema(&self, type_name: &str) -> Result<&BlockSchema, ProviderError> {
        self.schema.resources.get(type_name).map(|r| &r.block).ok_or_else(|| {
            ProviderError::new(
                "Invalid resource type",
                format!("The provider {} does not support resource type {type_name:?}.", self.address),
            )
        })
    }

    fn data_schema(&self, type_name: &str) -> Result<&BlockSchema, ProviderError> {
        self.schema.data_sources.get(type_name).map(|r| &r.block).ok_or_else(|| {
            ProviderError::new("Invalid data source", format!("The provider {} does not support data source {type_name:?}.", self.address))
        })
    }

    fn dv(&self, v: &Value, ty: &Type) -> Result<proto::DynamicValue, ProviderError> {
        let msgpack = msgpack::encode(v, ty).map_err(|e| ProviderError::new("Failed to encode a value for the provider", e))?;
        Ok(proto::DynamicValue { msgpack, json: Vec::new() })
    }

    fn decode(&self, dv: Option<proto::DynamicValue>, ty: &Type, what: &str) -> Result<Value, ProviderError> {
        let Some(dv) = dv else { return Ok(Value::null(ty.clone())) };
        let r = if !dv.msgpack.is_empty() {
            msgpack::decode(&dv.msgpack, ty)
        } else if !dv.json.is_empty() {
            serde_json::from_slice::<serde_json::Value>(&dv.json)
                .map_err(|e| e.to_string())
                .and_then(|j| plinth_value::value_from_json(&j, ty))
        } else {
            Ok(Value::null(ty.clone()))
        };
        r.map_err(|e| {
            ProviderError::new(
                "Provider returned an invalid value",
                format!("Provider \"{}\" returned an invalid {what}: {e}", self.address),
            )
        })
    }

    fn diagnostics(&self, diags: &[proto::Diagnostic]) -> Result<(), ProviderError> {
        match first_error(diags) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn private_for(&self, type_name: &str, obj: &[u8]) -> Vec<u8> {
        self.private.lock().ok().and_then(|m| m.get(&(type_name.to_string(), obj.to_vec())).cloned()).unwrap_or_default()
    }

    /// Records the private data the provider's latest response gave with
    /// `obj`; an empty one replaces what an earlier response gave, as in
    /// Terraform (a read that returns none leaves the object with none).
    fn keep_private(&self, type_name: &str, obj: Vec<u8>, private: Vec<u8>) {
        if let Ok(mut m) = self.private.lock() {
            if private.is_empty() {
                m.remove(&(type_name.to_string(), obj));
            } else {
                m.insert((type_name.to_string(), obj), private);
            }
        }
    }

    /// UpgradeResourceState: the provider's own view of a stored object at
    /// the current schema version (Terraform calls it before every read).
    async fn upgrade(&self, type_name: &str, state: &Value, ty: &Type) -> Result<Value, ProviderError> {
        let client = self.client()?;
        let version = self.schema.resources.get(type_name).map_or(0, |r| r.version) as i64;
        let json = plinth_value::value_to_json_string(state).into_bytes();
        let req = proto::UpgradeResourceStateRequest {
            type_name: type_name.to_string(),
            version,
            raw_state: Some(proto::RawState { json, flatmap: Default::default() }),
        };
        let r = on_runtime(async move { client.upgrade_resource_state(req).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&r.diagnostics)?;
        self.decode(r.upgraded_state, ty, "upgraded state")
    }
}

/// The first error among `diags`, with the summaries of any further errors
/// appended (the trait carries one error per call). Warnings are dropped.
fn first_error(diags: &[proto::Diagnostic]) -> Option<ProviderError> {
    let mut errors = diags.iter().filter(|d| d.severity == proto::SEVERITY_ERROR);
    let first = errors.next()?;
    let mut e = ProviderError::new(first.summary.clone(), first.detail.clone());
    if let Some(p) = &first.attribute {
        e = e.at(path_from_proto(p));
    }
    for more in errors {
        e.detail.push_str(&format!("\n\nAlso: {}: {}", more.summary, more.detail));
    }
    Some(e)
}

fn path_from_proto(p: &proto::AttributePath) -> AttrPath {
    p.steps
        .iter()
        .filter_map(|s| match &s.selector {
            Some(proto::Selector::AttributeName(n)) => Some(PathStep::Attr(n.clone())),
            Some(proto::Selector::ElementKeyString(k)) => Some(PathStep::Key(k.clone())),
            Some(proto::Selector::ElementKeyInt(i)) => Some(PathStep::Index(u64::try_from(*i).unwrap_or(0))),
            None => None,
        })
        .collect()
}

fn strip(v: &Value) -> Value {
    v.clone().unmark_deep().0
}

#[async_trait::async_trait]
impl Provider for PluginProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: &Value) -> Result<(), ProviderError> {
        let client = self.client()?;
        let ty = self.schema.provider.implied_type();
        let dv = self.dv(&strip(config), &ty)?;
        let c = client.clone();
        let dv2 = dv.clone();
        let v = on_runtime(async move { c.validate_provider_config(dv2).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&v.diagnostics)?;
        // tfplugin5 may return the configuration with its defaults filled in.
        let dv = match v.prepared_config {
            Some(p) if !p.msgpack.is_empty() => p,
            _ => dv,
        };
        let r = on_runtime(async move { client.configure(dv, TERRAFORM_VERSION).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&r.diagnostics)
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<ProviderError> {
        let run = || -> Result<(), ProviderError> {
            let client = self.client()?;
            let (ty, data) = match self.schema.resources.get(type_name) {
                Some(r) => (r.block.implied_type(), false),
                None => (self.data_schema(type_name)?.implied_type(), true),
            };
            let dv = self.dv(&strip(config), &ty)?;
            let name = type_name.to_string();
            let r = block(async move {
                if data {
                    client.validate_data_source(&name, dv).await
                } else {
                    client.validate_resource(&name, dv).await
                }
            })?
            .map_err(|e| self.rpc_error(e))?;
            self.diagnostics(&r.diagnostics)
        };
        run().err().into_iter().collect()
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let client = self.client()?;
        let schema = self.resource_schema(req.type_name)?;
        let ty = schema.implied_type();
        let config = strip(req.config);
        let prior = match req.prior {
            Some(p) => strip(p),
            None => Value::null(ty.clone()),
        };
        let prior_dv = self.dv(&prior, &ty)?;
        let prior_private = if req.prior.is_some() { self.private_for(req.type_name, &prior_dv.msgpack) } else { Vec::new() };
        let config_dv = self.dv(&config, &ty)?;
        let validate = proto::DynamicValue { msgpack: config_dv.msgpack.clone(), json: Vec::new() };
        let plan = proto::PlanResourceChangeRequest {
            type_name: req.type_name.to_string(),
            prior_state: Some(prior_dv),
            proposed_new_state: Some(self.dv(&strip(req.proposed), &ty)?),
            config: Some(config_dv),
            prior_private,
            provider_meta: None,
            client_capabilities: Some(proto::ClientCapabilities::default()),
        };
        let name = req.type_name.to_string();
        let (v, r) = block(async move {
            // Terraform validates each resource's configuration before planning it.
            let v = client.validate_resource(&name, validate).await?;
            if first_error(&v.diagnostics).is_some() {
                return Ok((v, None));
            }
            client.plan_resource_change(plan).await.map(|r| (v, Some(r)))
        })?
        .map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&v.diagnostics)?;
        let Some(r) = r else { return Err(ProviderError::new("Invalid configuration", "")) };
        self.diagnostics(&r.diagnostics)?;
        let planned = self.decode(r.planned_state, &ty, "planned state")?;
        if !r.legacy_type_system {
            if let Some(problem) = check::plan_valid(schema, req.prior, &config, &planned) {
                return Err(ProviderError::new(
                    "Provider produced invalid plan",
                    format!(
                        "Provider \"{}\" planned an invalid value for {problem}.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker.",
                        self.address
                    ),
                ));
            }
        }
        if let Ok(bytes) = msgpack::encode(&planned, &ty) {
            self.keep_private(req.type_name, bytes, r.planned_private);
        }
        Ok(PlanResponse { planned, requires_replace: r.requires_replace.iter().map(path_from_proto).collect() })
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let client = self.client()?;
        let ty = self.resource_schema(req.type_name)?.implied_type();
        let null = Value::null(ty.clone());
        let prior = req.prior.map(strip).unwrap_or_else(|| null.clone());
        let planned = req.planned.map(strip).unwrap_or_else(|| null.clone());
        let config = req.config.map(strip).unwrap_or_else(|| null.clone());
        let planned_dv = self.dv(&planned, &ty)?;
        let planned_private = if req.planned.is_some() { self.private_for(req.type_name, &planned_dv.msgpack) } else { Vec::new() };
        let areq = proto::ApplyResourceChangeRequest {
            type_name: req.type_name.to_string(),
            prior_state: Some(self.dv(&prior, &ty)?),
            planned_state: Some(planned_dv),
            config: Some(self.dv(&config, &ty)?),
            planned_private,
            provider_meta: None,
        };
        let r = on_runtime(async move { client.apply_resource_change(areq).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&r.diagnostics)?;
        let new = self.decode(r.new_state, &ty, "new state")?;
        if req.planned.is_none() {
            if !new.is_null() {
                return Err(ProviderError::new(
                    "Provider produced inconsistent result after apply",
                    format!("Provider \"{}\" returned a non-null object for a destroy.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker.", self.address),
                ));
            }
            return Ok(new);
        }
        if !new.is_wholly_known() {
            return Err(ProviderError::new(
                "Provider returned invalid result object after apply",
                format!("After the apply operation, the provider still indicated an unknown value for one of the object's attributes. All values must be known after apply, so this is always a bug in the provider and should be reported in the provider's own repository. plinth will still save the other known object values in the state.\n\nProvider: {}", self.address),
            ));
        }
        if !r.legacy_type_system {
            if let Some(problem) = check::apply_consistent(&planned, &new) {
                return Err(ProviderError::new(
                    "Provider produced inconsistent result after apply",
                    format!(
                        "When applying changes, provider \"{}\" produced an unexpected new value: {problem}.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker.",
                        self.address
                    ),
                ));
            }
        }
        if let Ok(bytes) = msgpack::encode(&new, &ty) {
            self.keep_private(req.type_name, bytes, r.private);
        }
        Ok(new)
    }

    fn private_data(&self, type_name: &str, object: &Value) -> Option<Vec<u8>> {
        let ty = self.schema.resources.get(type_name)?.block.implied_type();
        let bytes = msgpack::encode(&strip(object), &ty).ok()?;
        Some(self.private_for(type_name, &bytes)).filter(|p| !p.is_empty())
    }

    fn restore_private_data(&self, type_name: &str, object: &Value, private: &[u8]) {
        let Some(ty) = self.schema.resources.get(type_name).map(|r| r.block.implied_type()) else { return };
        if let Ok(bytes) = msgpack::encode(&strip(object), &ty) {
            self.keep_private(type_name, bytes, private.to_vec());
        }
    }

    async fn read_resource(&self, type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        let client = self.client()?;
        let ty = self.resource_schema(type_name)?.implied_type();
        let upgraded = self.upgrade(type_name, &strip(state), &ty).await?;
        let current = self.dv(&upgraded, &ty)?;
        let private = self.private_for(type_name, &current.msgpack);
        let rreq = proto::ReadResourceRequest {
            type_name: type_name.to_string(),
            current_state: Some(current),
            private,
            provider_meta: None,
            client_capabilities: Some(proto::ClientCapabilities::default()),
        };
        let r = on_runtime(async move { client.read_resource(rreq).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&r.diagnostics)?;
        let new = self.decode(r.new_state, &ty, "refreshed state")?;
        if new.is_null() {
            return Ok(None);
        }
        if let Ok(bytes) = msgpack::encode(&new, &ty) {
            self.keep_private(type_name, bytes, r.private);
        }
        Ok(Some(new))
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        let client = self.client()?;
        let ty = self.data_schema(type_name)?.implied_type();
        let dv = self.dv(&strip(config), &ty)?;
        let name = type_name.to_string();
        let rreq = proto::ReadDataSourceRequest {
            type_name: type_name.to_string(),
            config: Some(dv.clone()),
            provider_meta: None,
            client_capabilities: Some(proto::ClientCapabilities::default()),
        };
        let (v, r) = on_runtime(async move {
            let v = client.validate_data_source(&name, dv).await?;
            if first_error(&v.diagnostics).is_some() {
                return Ok((v, None));
            }
            client.read_data_source(rreq).await.map(|r| (v, Some(r)))
        })
        .await?
        .map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&v.diagnostics)?;
        let Some(r) = r else { return Err(ProviderError::new("Invalid configuration", "")) };
        self.diagnostics(&r.diagnostics)?;
        self.decode(r.state, &ty, "data source state")
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let client = self.client()?;
        self.resource_schema(type_name)?;
        let ireq = proto::ImportResourceStateRequest {
            type_name: type_name.to_string(),
            id: id.to_string(),
            client_capabilities: Some(proto::ClientCapabilities::default()),
        };
        let r = on_runtime(async move { client.import_resource_state(ireq).await }).await?.map_err(|e| self.rpc_error(e))?;
        self.diagnostics(&r.diagnostics)?;
        let Some(imported) = r.imported_resources.into_iter().find(|i| i.type_name == type_name) else {
            return Err(ProviderError::new(
                "Cannot import non-existent remote object",
                format!("While attempting to import an existing object to {type_name}, the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"terraform apply\" to create a new remote object for this resource."),
            ));
        };
        let ty = self.resource_schema(type_name)?.implied_type();
        let state = self.decode(imported.state, &ty, "imported state")?;
        if let Ok(bytes) = msgpack::encode(&state, &ty) {
            self.keep_private(type_name, bytes, imported.private);
        }
        // Terraform reads the imported object before recording it.
        match self.read_resource(type_name, &state).await? {
            Some(v) => Ok(v),
            None => Err(ProviderError::new(
                "Cannot import non-existent remote object",
                format!("While attempting to import an existing object to {type_name}, the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"terraform apply\" to create a new remote object for this resource."),
            )),
        }
    }
}
