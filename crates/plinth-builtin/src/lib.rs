//! The built-in `terraform` provider (`terraform.io/builtin/terraform`):
//! the `terraform_data` resource and the `terraform_remote_state` data source.

use std::collections::BTreeMap;
use std::sync::Arc;

use plinth_provider::{
    ApplyRequest, AttributeSchema, BlockSchema, PathStep, PlanRequest, PlanResponse, Provider, ProviderError, ProviderSchema,
    ResourceSchema,
};
use plinth_value::{Type, Value};

pub const SOURCE: &str = "terraform.io/builtin/terraform";

/// Opens a backend for `terraform_remote_state`: its `backend` type and
/// `config` object. The binary provides it, so that this crate (and the
/// engine) know no storage service.
pub type BackendFactory =
    Arc<dyn Fn(&str, &serde_json::Map<String, serde_json::Value>) -> Result<Box<dyn plinth_state::Backend>, String> + Send + Sync>;

pub struct TerraformProvider {
    schema: ProviderSchema,
    backends: Option<BackendFactory>,
}

impl Default for TerraformProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl TerraformProvider {
    pub fn new() -> TerraformProvider {
        let mut data = BlockSchema::default();
        data.attributes.insert("id".into(), AttributeSchema::computed(Type::String));
        data.attributes.insert("input".into(), AttributeSchema::optional(Type::Dynamic));
        data.attributes.insert("output".into(), AttributeSchema::computed(Type::Dynamic));
        data.attributes.insert("triggers_replace".into(), AttributeSchema::optional(Type::Dynamic));
        let mut remote = BlockSchema::default();
        remote.attributes.insert("backend".into(), AttributeSchema::required(Type::String));
        remote.attributes.insert("config".into(), AttributeSchema::optional(Type::Dynamic));
        remote.attributes.insert("defaults".into(), AttributeSchema::optional(Type::Dynamic));
        remote.attributes.insert("workspace".into(), AttributeSchema::optional(Type::String));
        remote.attributes.insert("outputs".into(), AttributeSchema::computed(Type::Dynamic));
        let mut schema = ProviderSchema::default();
        schema.resources.insert("terraform_data".into(), ResourceSchema { version: 0, block: data });
        schema.data_sources.insert("terraform_remote_state".into(), ResourceSchema { version: 0, block: remote });
        TerraformProvider { schema, backends: None }
    }

    /// Lets `terraform_remote_state` read backends other than `local`.
    pub fn with_backends(mut self, factory: BackendFactory) -> Self {
        self.backends = Some(factory);
        self
    }
}

fn outputs_value(st: &plinth_state::State) -> Value {
    let mut m = BTreeMap::new();
    for (k, o) in &st.outputs {
        let ty = plinth_value::type_from_json(&o.ty).unwrap_or(Type::Dynamic);
        let v = plinth_value::value_from_json(&o.value, &ty).unwrap_or_else(|_| Value::dynamic_null());
        m.insert(k.clone(), if o.sensitive { v.sensitive() } else { v });
    }
    Value::object(m)
}

fn attr(v: &Value, name: &str) -> Value {
    v.as_entries().and_then(|m| m.get(name)).cloned().unwrap_or_else(Value::dynamic_null)
}

#[async_trait::async_trait]
impl Provider for TerraformProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, _config: &Value) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Plans from the request alone.
    fn plans_locally(&self) -> bool {
        true
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let input = attr(req.config, "input");
        let trigger = attr(req.config, "triggers_replace");
        let unknown_output = |input: &Value| if input.is_null() { input.clone() } else { Value::unknown(input.ty()) };
        let mut planned: BTreeMap<String, Value> = BTreeMap::new();
        planned.insert("input".into(), input.clone());
        planned.insert("triggers_replace".into(), trigger.clone());
        let mut requires_replace = Vec::new();
        match req.prior {
            None => {
                planned.insert("id".into(), Value::unknown(Type::String));
                planned.insert("output".into(), unknown_output(&input));
            }
            Some(prior) => {
                planned.insert("id".into(), attr(prior, "id"));
                planned.insert("output".into(), attr(prior, "output"));
                if !attr(prior, "triggers_replace").raw_equal(&trigger) {
                    requires_replace.push(vec![PathStep::Attr("triggers_replace".into())]);
                    planned.insert("id".into(), Value::unknown(Type::String));
                    planned.insert("output".into(), unknown_output(&input));
                } else if !attr(prior, "input").raw_equal(&input) {
                    planned.insert("output".into(), unknown_output(&input));
                }
            }
        }
        Ok(PlanResponse { planned: Value::object(planned), requires_replace })
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        let Some(planned) = req.planned else {
            return Ok(Value::dynamic_null());
        };
        let mut out: BTreeMap<String, Value> = planned.as_entries().cloned().unwrap_or_default();
        if out.get("id").is_none_or(|v| !v.is_known() || v.is_null()) {
            out.insert("id".into(), Value::string(uuid::Uuid::new_v4().to_string()));
        }
        let input = out.get("input").cloned().unwrap_or_else(Value::dynamic_null);
        out.insert("output".into(), input);
        Ok(Value::object(out))
    }

    async fn read_resource(&self, _type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        if type_name != "terraform_remote_state" {
            return Err(ProviderError::new("Unsupported data source", format!("No data source {type_name:?}.")));
        }
        let backend = attr(config, "backend");
        let kind = backend.as_str().unwrap_or("").to_string();
        let cfg = attr(config, "config");
        let workspace = attr(config, "workspace").as_str().unwrap_or(plinth_state::DEFAULT_WORKSPACE).to_string();
        let not_found =
            || ProviderError::new("Unable to find remote state", "No stored state was found for the given workspace in the given backend.");
        let state = if kind == "local" {
            let get = |k: &str| cfg.as_entries().and_then(|m| m.get(k)).and_then(|p| p.as_str().map(str::to_string));
            // The local backend's layout: `path` for the default workspace,
            // `workspace_dir/NAME/terraform.tfstate` for the others.
            let path = if workspace == plinth_state::DEFAULT_WORKSPACE {
                get("path").unwrap_or_else(|| "terraform.tfstate".into())
            } else {
                format!("{}/{workspace}/terraform.tfstate", get("workspace_dir").unwrap_or_else(|| "terraform.tfstate.d".into()))
            };
            match std::fs::read(&path) {
                Ok(bytes) if !bytes.is_empty() => plinth_state::statefile::read_state(&bytes)
                    .map_err(|e| ProviderError::new("Error loading state", format!("Failed to read {path}: {e}")))?,
                Ok(_) => return Err(not_found()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
                Err(e) => return Err(ProviderError::new("Error loading state", format!("Failed to read {path}: {e}"))),
            }
        } else {
            let Some(factory) = self.backends.clone() else {
                return Err(ProviderError::new(
                    "Unsupported backend",
                    format!("terraform_remote_state does not support the {kind:?} backend here."),
                ));
            };
            let json_cfg = match plinth_value::value_to_json(&cfg) {
                serde_json::Value::Object(m) => m,
                serde_json::Value::Null => serde_json::Map::new(),
                _ => return Err(ProviderError::new("Invalid backend configuration", "The \"config\" argument must be an object.")),
            };
            // Backends block on their I/O: keep it off the async workers.
            let read = tokio::task::spawn_blocking(move || {
                let mut b = factory(&kind, &json_cfg).map_err(|e| format!("Error configuring the {kind:?} backend: {e}"))?;
                b.read(&workspace).map_err(|e| format!("Unable to find remote state: {e}"))
            })
            .await
            .map_err(|e| ProviderError::new("Error loading state", e.to_string()))?;
            match read.map_err(|e| ProviderError::new("Error loading state", e))? {
                Some(st) => st,
                None => return Err(not_found()),
            }
        };
        // `defaults` fill in what the remote state's outputs lack.
        let mut merged: BTreeMap<String, Value> = attr(config, "defaults").as_entries().cloned().unwrap_or_default();
        if let Some(outs) = outputs_value(&state).as_entries() {
            merged.extend(outs.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let outputs = Value::object(merged);
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("outputs".into(), outputs);
        Ok(Value::object(out))
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let _ = type_name;
        let mut out = BTreeMap::new();
        out.insert("id".into(), Value::string(id));
        out.insert("input".into(), Value::dynamic_null());
        out.insert("output".into(), Value::dynamic_null());
        out.insert("triggers_replace".into(), Value::dynamic_null());
        Ok(Value::object(out))
    }
}
