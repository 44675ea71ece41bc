//! The in-memory state: outputs, and resources grouped by module instance.
//!
//! Nothing here knows the file format (see `statefile`). Attribute values are
//! kept as JSON objects exactly as providers' schemas encode them; the engine
//! converts them to typed values with the schema.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::addr::{AbsResource, AbsResourceInstance, InstanceKey, ModuleInstance, Resource, Target};

/// A whole state snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Incremented each time a changed snapshot is persisted.
    pub serial: u64,
    /// Identifies the history a snapshot belongs to; fixed when a state is
    /// first created.
    pub lineage: String,
    /// The Terraform version that wrote the snapshot (may be empty).
    pub terraform_version: String,
    /// Root module output values.
    pub outputs: BTreeMap<String, OutputState>,
    /// Saved `check_results`, kept as Terraform's JSON (`None` is `null`).
    pub check_results: Option<Value>,
    modules: BTreeMap<ModuleInstance, ModuleState>,
}

/// A root module output value.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputState {
    pub value: Value,
    /// The type in Terraform's JSON type notation, e.g. `"string"` or
    /// `["object", {"a": "number"}]`.
    pub ty: Value,
    pub sensitive: bool,
}

/// The resources of one module instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModuleState {
    resources: BTreeMap<Resource, ResourceState>,
}

impl ModuleState {
    pub fn resources(&self) -> impl Iterator<Item = (&Resource, &ResourceState)> {
        self.resources.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

/// How a resource's instances are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EachMode {
    /// A single instance with no key.
    None,
    /// `count`: integer keys.
    List,
    /// `for_each`: string keys.
    Map,
}

/// One resource and all its instances.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceState {
    /// The provider configuration, e.g.
    /// `provider["registry.terraform.io/hashicorp/aws"]` or
    /// `module.a.provider["registry.terraform.io/hashicorp/aws"].west`.
    pub provider: String,
    instances: BTreeMap<InstanceKey, ResourceInstance>,
}

impl ResourceState {
    pub fn new(provider: impl Into<String>) -> Self {
        ResourceState { provider: provider.into(), instances: BTreeMap::new() }
    }

    /// Instances in key order: no key, then ints, then strings.
    pub fn instances(&self) -> impl Iterator<Item = (&InstanceKey, &ResourceInstance)> {
        self.instances.iter()
    }

    pub fn instance(&self, key: &InstanceKey) -> Option<&ResourceInstance> {
        self.instances.get(key)
    }

    /// Derived from the instance keys (Terraform no longer stores it).
    pub fn each_mode(&self) -> EachMode {
        match self.instances.keys().next() {
            Some(InstanceKey::Int(_)) => EachMode::List,
            Some(InstanceKey::Str(_)) => EachMode::Map,
            _ => EachMode::None,
        }
    }
}

/// A deposed object's key: 8 hex digits, e.g. `"00000001"` or `"a1b2c3d4"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeposedKey(String);

impl DeposedKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        DeposedKey(format!("{:02x}{:02x}{:02x}{:02x}", bytes[0], bytes[1], bytes[2], bytes[3]))
    }

    /// Checks Terraform's format (exactly 8 characters).
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 8).then(|| DeposedKey(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeposedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One resource instance: its current object and any deposed objects left
/// by `create_before_destroy` replacements. Never empty while in a state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceInstance {
    pub current: Option<InstanceObject>,
    pub deposed: BTreeMap<DeposedKey, InstanceObject>,
}

impl ResourceInstance {
    pub fn is_empty(&self) -> bool {
        self.current.is_none() && self.deposed.is_empty()
    }
}

/// Whether an object is usable or must be replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ObjectStatus {
    #[default]
    Ready,
    Tainted,
}

/// One step of a path into an object's attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    /// `.name`
    GetAttr(String),
    /// `[key]`: the key value and its type, in Terraform's JSON notation
    /// (`"string"` or `"number"` in practice).
    Index { key: Value, ty: Value },
}

/// A path to an attribute value, e.g. the one marked sensitive.
pub type AttrPath = Vec<PathStep>;

/// A remote object as recorded in state.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceObject {
    pub schema_version: u64,
    /// A JSON object of attribute values.
    pub attributes: Value,
    pub sensitive_attributes: Vec<AttrPath>,
    pub identity_schema_version: u64,
    /// The resource identity object, when the provider supports identities.
    pub identity: Option<Value>,
    /// Provider-private data, base64-encoded as in the state file.
    pub private: Option<String>,
    /// Addresses of resources this object depends on (`module.a.aws_vpc.x`).
    pub dependencies: Vec<String>,
    pub create_before_destroy: bool,
    pub status: ObjectStatus,
}

impl InstanceObject {
    /// A ready object with the given attributes and no other metadata.
    pub fn new(attributes: Value) -> Self {
        InstanceObject {
            schema_version: 0,
            attributes,
            sensitive_attributes: Vec::new(),
            identity_schema_version: 0,
            identity: None,
            private: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
            status: ObjectStatus::Ready,
        }
    }
}

/// Why a move (`state mv`, `moved` blocks) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("Invalid source address: no matching objects for {0} in the state")]
    SourceMissing(String),
    #[error("Cannot move to {0}: there is already a resource instance at that address in the current state")]
    DestinationExists(String),
    #[error("Cannot move {from} to {to}: the source and destination must be of the same kind (module, resource, or resource instance)")]
    KindMismatch { from: String, to: String },
    #[error("Cannot move {from} to {to}: resource types don't match")]
    TypeMismatch { from: String, to: String },
    #[error("Cannot move {from} to {to}: a module cannot be moved into itself")]
    IntoItself { from: String, to: String },
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// An empty state with a fresh lineage and serial 0.
    pub fn new() -> Self {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            terraform_version: String::new(),
            outputs: BTreeMap::new(),
            check_results: None,
            modules: BTreeMap::new(),
        }
    }

    /// Marks a new snapshot in the same lineage.
    pub fn bump_serial(&mut self) {
        self.serial += 1;
    }

    /// True when there are no resources and no outputs.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty() && self.outputs.is_empty()
    }

    /// Module instances that have resources, in `state list` order.
    pub fn modules(&self) -> impl Iterator<Item = (&ModuleInstance, &ModuleState)> {
        self.modules.iter()
    }

    pub fn module(&self, addr: &ModuleInstance) -> Option<&ModuleState> {
        self.modules.get(addr)
    }

    /// All resources, in `state list` order.
    pub fn resources(&self) -> impl Iterator<Item = (AbsResource, &ResourceState)> {
        self.modules
            .iter()
            .flat_map(|(m, ms)| ms.resources.iter().map(move |(r, rs)| (AbsResource { module: m.clone(), resource: r.clone() }, rs)))
    }

    pub fn resource(&self, addr: &AbsResource) -> Option<&ResourceState> {
        self.modules.get(&addr.module)?.resources.get(&addr.resource)
    }

    pub fn instance(&self, addr: &AbsResourceInstance) -> Option<&ResourceInstance> {
        self.resource(&addr.resource)?.instances.get(&addr.key)
    }

    pub fn current(&self, addr: &AbsResourceInstance) -> Option<&InstanceObject> {
        self.instance(addr)?.current.as_ref()
    }

    /// Addresses of all instances (with a current or a deposed object),
    /// in `terraform state list` order.
    pub fn instance_addrs(&self) -> impl Iterator<Item = AbsResourceInstance> + '_ {
        self.resources().flat_map(|(r, rs)| rs.instances.keys().map(move |k| r.instance(k.clone())).collect::<Vec<_>>())
    }

    /// Number of instances across all resources.
    pub fn instance_count(&self) -> usize {
        self.modules.values().flat_map(|m| m.resources.values()).map(|r| r.instances.len()).sum()
    }

    /// Sets (or with `None`, removes) the current object of an instance.
    /// The resource is created with `provider` if it doesn't exist, and its
    /// provider is updated otherwise. Empty instances, resources and modules
    /// are pruned.
    pub fn set_current(&mut self, addr: &AbsResourceInstance, obj: Option<InstanceObject>, provider: &str) {
        self.update_instance(addr, provider, obj.is_some(), |inst| inst.current = obj);
    }

    /// Sets (or with `None`, removes) one deposed object of an instance.
    pub fn set_deposed(&mut self, addr: &AbsResourceInstance, key: DeposedKey, obj: Option<InstanceObject>, provider: &str) {
        self.update_instance(addr, provider, obj.is_some(), |inst| match obj {
            Some(obj) => {
                inst.deposed.insert(key, obj);
            }
            None => {
                inst.deposed.remove(&key);
            }
        });
    }

    /// Moves the current object of an instance to a new deposed key (the
    /// first step of a create_before_destroy replacement). Returns the key,
    /// or `None` if there was no current object.
    pub fn depose_current(&mut self, addr: &AbsResourceInstance) -> Option<DeposedKey> {
        let inst = self.instance_mut(addr)?;
        let obj = inst.current.take()?;
        let mut key = DeposedKey::generate();
        while inst.deposed.contains_key(&key) {
            key = DeposedKey::generate();
        }
        inst.deposed.insert(key.clone(), obj);
        Some(key)
    }

    /// Records that a resource is managed by another provider configuration
    /// (`state replace-provider`).
    pub fn set_resource_provider(&mut self, addr: &AbsResource, provider: &str) {
        if let Some(rs) = self.modules.get_mut(&addr.module).and_then(|m| m.resources.get_mut(&addr.resource)) {
            rs.provider = provider.to_string();
        }
    }

    /// Removes an instance with all its objects.
    pub fn remove_instance(&mut self, addr: &AbsResourceInstance) -> Option<ResourceInstance> {
        let ms = self.modules.get_mut(&addr.resource.module)?;
        let rs = ms.resources.get_mut(&addr.resource.resource)?;
        let removed = rs.instances.remove(&addr.key);
        self.prune(&addr.resource);
        removed
    }

    /// Removes a resource with all its instances.
    pub fn remove_resource(&mut self, addr: &AbsResource) -> Option<ResourceState> {
        let ms = self.modules.get_mut(&addr.module)?;
        let removed = ms.resources.remove(&addr.resource);
        if ms.resources.is_empty() {
            self.modules.remove(&addr.module);
        }
        removed
    }

    /// Removes a module instance and all module instances nested in it.
    /// Returns the number of module instances removed.
    pub fn remove_module(&mut self, addr: &ModuleInstance) -> usize {
        let before = self.modules.len();
        self.modules.retain(|m, _| !addr.contains(m));
        before - self.modules.len()
    }

    /// Moves whatever `from` denotes to `to`, as `terraform state mv` does.
    /// A resource address may also name its single unkeyed instance.
    pub fn move_target(&mut self, from: &Target, to: &Target) -> Result<(), MoveError> {
        match (from, to) {
            (Target::Module(f), Target::Module(t)) => self.move_module(f, t),
            (Target::Resource(f), Target::Resource(t)) => self.move_resource(f, t),
            (Target::Instance(f), Target::Instance(t)) => self.move_instance(f, t),
            (Target::Instance(f), Target::Resource(t)) => self.move_instance(f, &t.instance(InstanceKey::None)),
            (Target::Resource(f), Target::Instance(t)) => self.move_instance(&f.instance(InstanceKey::None), t),
            _ => Err(MoveError::KindMismatch { from: from.to_string(), to: to.to_string() }),
        }
    }

    /// Moves one instance (all its objects) to another address. The
    /// destination resource is created with the source's provider if needed.
    pub fn move_instance(&mut self, from: &AbsResourceInstance, to: &AbsResourceInstance) -> Result<(), MoveError> {
        if from == to {
            return if self.instance(from).is_some() { Ok(()) } else { Err(MoveError::SourceMissing(from.to_string())) };
        }
        check_same_type(&from.resource, &to.resource)?;
        let provider = match self.resource(&from.resource) {
            Some(rs) if rs.instances.contains_key(&from.key) => rs.provider.clone(),
            _ => return Err(MoveError::SourceMissing(from.to_string())),
        };
        if self.instance(to).is_some() {
            return Err(MoveError::DestinationExists(to.to_string()));
        }
        let inst = self.remove_instance(from).expect("checked above");
        let rs = self
            .modules
            .entry(to.resource.module.clone())
            .or_default()
            .resources
            .entry(to.resource.resource.clone())
            .or_insert_with(|| ResourceState::new(provider));
        rs.instances.insert(to.key.clone(), inst);
        Ok(())
    }

    /// Moves a resource with all its instances.
    pub fn move_resource(&mut self, from: &AbsResource, to: &AbsResource) -> Result<(), MoveError> {
        if from == to {
            return match self.resource(from) {
                Some(_) => Ok(()),
                None => Err(MoveError::SourceMissing(from.to_string())),
            };
        }
        check_same_type(from, to)?;
        if self.resource(from).is_none() {
            return Err(MoveError::SourceMissing(from.to_string()));
        }
        if self.resource(to).is_some() {
            return Err(MoveError::DestinationExists(to.to_string()));
        }
        let rs = self.remove_resource(from).expect("checked above");
        self.modules.entry(to.module.clone()).or_default().resources.insert(to.resource.clone(), rs);
        Ok(())
    }

    /// Moves a module instance and everything nested in it.
    pub fn move_module(&mut self, from: &ModuleInstance, to: &ModuleInstance) -> Result<(), MoveError> {
        if from == to {
            return Ok(());
        }
        if from.contains(to) || from.is_root() {
            return Err(MoveError::IntoItself { from: from.to_string(), to: to.to_string() });
        }
        let moving: Vec<ModuleInstance> = self.modules.keys().filter(|m| from.contains(m)).cloned().collect();
        if moving.is_empty() {
            return Err(MoveError::SourceMissing(from.to_string()));
        }
        if let Some(existing) = self.modules.keys().find(|m| to.contains(m)) {
            return Err(MoveError::DestinationExists(existing.to_string()));
        }
        for m in moving {
            let ms = self.modules.remove(&m).expect("listed above");
            let new = m.reparent(from, to).expect("from contains m");
            self.modules.insert(new, ms);
        }
        Ok(())
    }

    fn instance_mut(&mut self, addr: &AbsResourceInstance) -> Option<&mut ResourceInstance> {
        self.modules.get_mut(&addr.resource.module)?.resources.get_mut(&addr.resource.resource)?.instances.get_mut(&addr.key)
    }

    fn update_instance(&mut self, addr: &AbsResourceInstance, provider: &str, adding: bool, update: impl FnOnce(&mut ResourceInstance)) {
        if adding {
            let rs = self
                .modules
                .entry(addr.resource.module.clone())
                .or_default()
                .resources
                .entry(addr.resource.resource.clone())
                .or_insert_with(|| ResourceState::new(provider));
            if rs.provider != provider {
                rs.provider = provider.to_string();
            }
            update(rs.instances.entry(addr.key.clone()).or_default());
        } else if let Some(inst) = self.instance_mut(addr) {
            update(inst);
            if inst.is_empty() {
                self.remove_instance(addr);
            }
        }
    }

    /// Removes the resource if it has no instances, and its module if empty.
    fn prune(&mut self, addr: &AbsResource) {
        let Some(ms) = self.modules.get_mut(&addr.module) else {
            return;
        };
        if ms.resources.get(&addr.resource).is_some_and(|rs| rs.instances.is_empty()) {
            ms.resources.remove(&addr.resource);
        }
        if ms.resources.is_empty() {
            self.modules.remove(&addr.module);
        }
    }

    /// Inserts a resource as read from a file; used by the file reader,
    /// which reports duplicates itself.
    pub(crate) fn resource_entry(&mut self, addr: AbsResource, provider: String) -> &mut ResourceState {
        let rs = self
            .modules
            .entry(addr.module)
            .or_default()
            .resources
            .entry(addr.resource)
            .or_insert_with(|| ResourceState::new(String::new()));
        rs.provider = provider;
        rs
    }
}

impl ResourceState {
    pub(crate) fn instance_entry(&mut self, key: InstanceKey) -> &mut ResourceInstance {
        self.instances.entry(key).or_default()
    }
}

fn check_same_type(from: &AbsResource, to: &AbsResource) -> Result<(), MoveError> {
    if from.resource.mode != to.resource.mode || from.resource.type_name != to.resource.type_name {
        return Err(MoveError::TypeMismatch { from: from.to_string(), to: to.to_string() });
    }
    Ok(())
}
