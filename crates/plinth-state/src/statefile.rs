//! Terraform's state file format, version 4: reading into a [`State`] and
//! writing one out byte-for-byte as Terraform does (2-space indented JSON,
//! Go's escaping of `<`, `>`, `&`, trailing newline).
//!
//! This is the only module that knows the format. Writing streams straight
//! from the model through serde into the given writer: no intermediate
//! document is built, and the only sorting is of the (few) module paths.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::de::IgnoredAny;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::Value;

use crate::addr::{AbsResource, InstanceKey, ModuleInstance, Resource, ResourceMode};
use crate::model::{AttrPath, DeposedKey, InstanceObject, ModuleState, ObjectStatus, OutputState, PathStep, ResourceState, State};

/// The Terraform version plinth is compatible with, as named in messages.
pub const TERRAFORM_VERSION: &str = "1.15.0";

/// Why a state file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateFileError {
    /// Terraform treats an empty file as "no state"; callers usually do too.
    #[error("The state file is empty.")]
    Empty,
    /// Empty while its `.backup` is not: most likely cut short (a full disk,
    /// a crash of another tool), so it is not taken for "no state".
    #[error("The state file is empty, but its backup {0} is not: the state was probably truncated. Copy the backup over the state file to recover it, or delete the backup if an empty state is really meant.")]
    EmptyWithBackup(String),
    #[error("Unsupported state file format: The state file could not be parsed as JSON: {message} at line {line}, column {column}.")]
    Syntax { message: String, line: usize, column: usize },
    #[error("Unsupported state file format: The state file does not have a \"version\" attribute, which is required to identify the format version.")]
    MissingVersion,
    #[error("Unsupported state file format: The version in the state file is {0}. A positive whole number is required.")]
    InvalidVersion(String),
    #[error("Unsupported state file format: The state file uses JSON syntax but has a version number of zero. There was never a JSON-based state format zero, so this state file is invalid and cannot be processed.")]
    VersionZero,
    #[error("Unsupported state file format: The state file uses format version {0}, which is no longer supported. Upgrade it by running a Terraform 1.x command (such as \"terraform refresh\") on it first.")]
    LegacyVersion(u64),
    #[error("Unsupported state file format: The state file uses format version {version}, which is not supported by Terraform {TERRAFORM_VERSION}. {}", created_by_sentence(.created_by))]
    NewerVersion { version: u64, created_by: Option<String> },
    /// Valid JSON that doesn't have the shape of a v4 state (missing or
    /// mistyped fields).
    #[error("Invalid state file: {message} at line {line}, column {column}.")]
    Shape { message: String, line: usize, column: usize },
    /// Well-formed, but with contents that make no sense.
    #[error("{summary}: {detail}")]
    Content { summary: &'static str, detail: String },
}

fn created_by_sentence(created_by: &Option<String>) -> String {
    match created_by {
        Some(v) => format!("This state file was created by Terraform {v}."),
        None => "This state file may have been created by a newer version of Terraform.".to_string(),
    }
}

fn json_error(err: serde_json::Error) -> StateFileError {
    let full = err.to_string();
    let message = match full.rsplit_once(" at line ") {
        Some((m, _)) => m.to_string(),
        None => full,
    };
    let (line, column) = (err.line(), err.column());
    match err.classify() {
        serde_json::error::Category::Data => StateFileError::Shape { message, line, column },
        _ => StateFileError::Syntax { message, line, column },
    }
}

fn content(summary: &'static str, detail: String) -> StateFileError {
    StateFileError::Content { summary, detail }
}

/// Reads a state file of any supported format version (only 4 today).
pub fn read_state(src: &[u8]) -> Result<State, StateFileError> {
    if src.is_empty() {
        return Err(StateFileError::Empty);
    }

    // serde would accept a JSON array for a struct; the format needs an object.
    if src.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<IgnoredAny>(src).map_err(json_error)?;
        return Err(StateFileError::MissingVersion);
    }
    #[derive(Deserialize)]
    struct Sniff {
        version: Option<Value>,
        terraform_version: Option<IgnoredAny>,
    }
    // Sniff the version first so that a newer format whose shape we don't
    // know gets a version error rather than a confusing shape error.
    let sniff: Sniff = serde_json::from_slice(src).map_err(|e| match json_error(e) {
        // A top level that is not an object.
        StateFileError::Shape { .. } => StateFileError::MissingVersion,
        other => other,
    })?;
    let _ = sniff.terraform_version;
    let version = match sniff.version {
        None => return Err(StateFileError::MissingVersion),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| StateFileError::InvalidVersion(n.to_string()))?,
        Some(other) => return Err(StateFileError::InvalidVersion(other.to_string())),
    };
    match version {
        0 => Err(StateFileError::VersionZero),
        1..=3 => Err(StateFileError::LegacyVersion(version)),
        4 => read_v4(src),
        _ => {
            #[derive(Deserialize)]
            struct CreatedBy {
                terraform_version: Option<String>,
            }
            let created_by =
                serde_json::from_slice::<CreatedBy>(src).ok().and_then(|c| c.terraform_version).filter(|v| looks_like_version(v));
            Err(StateFileError::NewerVersion { version, created_by })
        }
    }
}

fn looks_like_version(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    !core.is_empty() && core.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Deserialize)]
struct FileV4 {
    #[serde(default)]
    terraform_version: String,
    serial: u64,
    lineage: String,
    #[serde(default)]
    outputs: BTreeMap<String, OutputV4>,
    #[serde(default)]
    resources: Vec<ResourceV4>,
    #[serde(default)]
    check_results: Option<Value>,
}

#[derive(Deserialize)]
struct OutputV4 {
    value: Value,
    #[serde(rename = "type")]
    ty: Value,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
struct ResourceV4 {
    #[serde(default)]
    module: String,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    provider: String,
    #[serde(default)]
    instances: Vec<InstanceV4>,
}

#[derive(Deserialize)]
struct InstanceV4 {
    #[serde(default)]
    index_key: Value,
    #[serde(default)]
    status: String,
    #[serde(default)]
    deposed: String,
    #[serde(default)]
    schema_version: u64,
    attributes: Option<Value>,
    attributes_flat: Option<IgnoredAny>,
    sensitive_attributes: Option<Vec<Vec<PathStepV4>>>,
    #[serde(default)]
    identity_schema_version: u64,
    identity: Option<Value>,
    private: Option<String>,
    #[serde(default)]
    dependencies: Option<Vec<String>>,
    #[serde(default)]
    create_before_destroy: bool,
}

#[derive(Deserialize)]
struct PathStepV4 {
    #[serde(rename = "type")]
    kind: String,
    value: Value,
}

fn read_v4(src: &[u8]) -> Result<State, StateFileError> {
    let file: FileV4 = serde_json::from_slice(src).map_err(json_error)?;
    let mut state = State::new();
    state.serial = file.serial;
    state.lineage = file.lineage;
    state.terraform_version = file.terraform_version;
    state.check_results = file.check_results.filter(|v| !v.is_null());

    for (name, o) in file.outputs {
        state.outputs.insert(name, OutputState { value: o.value, ty: o.ty, sensitive: o.sensitive });
    }

    for r in file.resources {
        let mode = match r.mode.as_str() {
            "managed" => ResourceMode::Managed,
            "data" => ResourceMode::Data,
            other => {
                return Err(content(
                    "Invalid resource mode in state",
                    format!("State contains a resource with mode {other:?} ({:?} {:?}) which is not supported.", r.type_name, r.name),
                ))
            }
        };
        let module: ModuleInstance =
            r.module.parse().map_err(|e: crate::addr::AddrParseError| content("Invalid module address in state", e.to_string()))?;
        let addr = AbsResource { module, resource: Resource { mode, type_name: r.type_name, name: r.name } };
        let rs = state.resource_entry(addr.clone(), r.provider);
        for i in r.instances {
            read_instance(&addr, rs, i)?;
        }
    }
    Ok(state)
}

fn read_instance(addr: &AbsResource, rs: &mut ResourceState, i: InstanceV4) -> Result<(), StateFileError> {
    let invalid = |detail: String| content("Invalid resource instance metadata in state", detail);
    let key = match i.index_key {
        Value::Null => InstanceKey::None,
        Value::String(s) => InstanceKey::Str(s),
        Value::Number(n) => match n.as_i64() {
            Some(n) => InstanceKey::Int(n),
            None => return Err(invalid(format!("Resource {addr} has an instance with the invalid instance key {n}."))),
        },
        other => return Err(invalid(format!("Resource {addr} has an instance with the invalid instance key {other}."))),
    };
    let inst_addr = addr.instance(key.clone());
    let status = match i.status.as_str() {
        "" => ObjectStatus::Ready,
        "tainted" => ObjectStatus::Tainted,
        other => return Err(invalid(format!("Instance {inst_addr} has invalid status {other:?}."))),
    };
    let attributes = match (i.attributes, i.attributes_flat) {
        (Some(a), _) => a,
        (None, Some(_)) => {
            return Err(invalid(format!(
                "Instance {inst_addr} uses the legacy flatmap attribute format (\"attributes_flat\"), which is not supported."
            )))
        }
        (None, None) => Value::Object(Default::default()),
    };
    let mut sensitive_attributes = Vec::new();
    for path in i.sensitive_attributes.unwrap_or_default() {
        sensitive_attributes.push(read_path(path).map_err(|detail| content("Error unmarshaling path step", detail))?);
    }
    let obj = InstanceObject {
        schema_version: i.schema_version,
        attributes,
        sensitive_attributes,
        identity_schema_version: i.identity_schema_version,
        identity: i.identity,
        private: i.private.filter(|p| !p.is_empty()),
        dependencies: i.dependencies.unwrap_or_default(),
        create_before_destroy: i.create_before_destroy,
        status,
    };
    let inst = rs.instance_entry(key);
    if i.deposed.is_empty() {
        if inst.current.is_some() {
            return Err(content(
                "Duplicate resource instance in state",
                format!("Instance {inst_addr} appears multiple times in the state file."),
            ));
        }
        inst.current = Some(obj);
    } else {
        let Some(dk) = DeposedKey::parse(&i.deposed) else {
            return Err(invalid(format!(
                "Instance {inst_addr} has an object with deposed key {:?}, which is not correctly formatted.",
                i.deposed
            )));
        };
        if inst.deposed.contains_key(&dk) {
            return Err(content(
                "Duplicate resource instance in state",
                format!("Instance {inst_addr} deposed object {:?} appears multiple times in the state file.", i.deposed),
            ));
        }
        inst.deposed.insert(dk, obj);
    }
    Ok(())
}

fn read_path(steps: Vec<PathStepV4>) -> Result<AttrPath, String> {
    steps
        .into_iter()
        .map(|step| match step.kind.as_str() {
            "get_attr" => match step.value {
                Value::String(name) => Ok(PathStep::GetAttr(name)),
                other => Err(format!("Failed to unmarshal get attr step name: expected a string, got {other}")),
            },
            "index" => match step.value {
                Value::Object(mut o) if o.contains_key("value") && o.contains_key("type") => {
                    Ok(PathStep::Index { key: o.remove("value").unwrap_or(Value::Null), ty: o.remove("type").unwrap_or(Value::Null) })
                }
                other => Err(format!("Failed to unmarshal index step key: expected {{\"value\", \"type\"}}, got {other}")),
            },
            other => Err(format!("Unsupported path step type {other:?}")),
        })
        .collect()
}

/// Writes `state` in format version 4, exactly as Terraform formats it.
/// Pass a buffered writer; this makes many small writes.
pub fn write_state<W: Write>(state: &State, writer: W) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, GoFormatter::new());
    FileOut(state).serialize(&mut ser).map_err(io::Error::other)?;
    let mut writer = ser.into_inner();
    writer.write_all(b"\n")?;
    writer.flush()
}

/// The v4 serialization of `state` in memory.
pub fn to_bytes(state: &State) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    write_state(state, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// serde_json's pretty printer with Go's `encoding/json` string escaping:
/// `<`, `>`, `&`, U+2028 and U+2029 become `\u003c` etc.
struct GoFormatter(PrettyFormatter<'static>);

impl GoFormatter {
    fn new() -> Self {
        GoFormatter(PrettyFormatter::with_indent(b"  "))
    }
}

impl Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        // Go's extra escapes, the rule plinth-value keeps for every writer.
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if let Some(esc) = plinth_value::go::json_html_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                writer.write_all(esc.as_bytes())?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

struct FileOut<'a>(&'a State);

impl Serialize for FileOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let state = self.0;
        let mut st = s.serialize_struct("stateV4", 7)?;
        st.serialize_field("version", &4)?;
        st.serialize_field("terraform_version", &state.terraform_version)?;
        st.serialize_field("serial", &state.serial)?;
        st.serialize_field("lineage", &state.lineage)?;
        st.serialize_field("outputs", &OutputsOut(&state.outputs))?;
        st.serialize_field("resources", &ResourcesOut(state))?;
        st.serialize_field("check_results", &state.check_results)?;
        st.end()
    }
}

struct OutputsOut<'a>(&'a BTreeMap<String, OutputState>);

impl Serialize for OutputsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, o) in self.0 {
            map.serialize_entry(name, &OutputOut(o))?;
        }
        map.end()
    }
}

struct OutputOut<'a>(&'a OutputState);

impl Serialize for OutputOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut st = s.serialize_struct("outputStateV4", 3)?;
        st.serialize_field("value", &o.value)?;
        st.serialize_field("type", &o.ty)?;
        if o.sensitive {
            st.serialize_field("sensitive", &true)?;
        }
        st.end()
    }
}

struct ResourcesOut<'a>(&'a State);

impl Serialize for ResourcesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Terraform orders resources by the module's string form (not the
        // `state list` order the model keeps), then mode, type and name.
        let mut modules: Vec<(String, &ModuleState)> = self.0.modules().map(|(m, ms)| (m.to_string(), ms)).collect();
        modules.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut seq = s.serialize_seq(None)?;
        for (module, ms) in &modules {
            for (resource, rs) in ms.resources() {
                seq.serialize_element(&ResourceOut { module, resource, rs })?;
            }
        }
        seq.end()
    }
}

struct ResourceOut<'a> {
    module: &'a str,
    resource: &'a Resource,
    rs: &'a ResourceState,
}

impl Serialize for ResourceOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("resourceStateV4", 6)?;
        if !self.module.is_empty() {
            st.serialize_field("module", self.module)?;
        }
        st.serialize_field("mode", self.resource.mode.as_str())?;
        st.serialize_field("type", &self.resource.type_name)?;
        st.serialize_field("name", &self.resource.name)?;
        // Terraform no longer writes "each"; it is implied by the keys.
        st.serialize_field("provider", &self.rs.provider)?;
        st.serialize_field("instances", &InstancesOut(self.rs))?;
        st.end()
    }
}

struct InstancesOut<'a>(&'a ResourceState);

impl Serialize for InstancesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (key, inst) in self.0.instances() {
            if let Some(obj) = &inst.current {
                seq.serialize_element(&ObjectOut { key, deposed: None, obj })?;
            }
            for (dk, obj) in &inst.deposed {
                seq.serialize_element(&ObjectOut { key, deposed: Some(dk), obj })?;
            }
        }
        seq.end()
    }
}

struct ObjectOut<'a> {
    key: &'a InstanceKey,
    deposed: Option<&'a DeposedKey>,
    obj: &'a InstanceObject,
}

impl Serialize for ObjectOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let obj = self.obj;
        let mut st = s.serialize_struct("instanceObjectStateV4", 12)?;
        match self.key {
            InstanceKey::None => {}
            InstanceKey::Int(i) => st.serialize_field("index_key", i)?,
            InstanceKey::Str(k) => st.serialize_field("index_key", k)?,
        }
        if obj.status == ObjectStatus::Tainted {
            st.serialize_field("status", "tainted")?;
        }
        if let Some(dk) = self.deposed {
            st.serialize_field("deposed", dk.as_str())?;
        }
        st.serialize_field("schema_version", &obj.schema_version)?;
        st.serialize_field("attributes", &obj.attributes)?;
        st.serialize_field("sensitive_attributes", &PathsOut(&obj.sensitive_attributes))?;
        st.serialize_field("identity_schema_version", &obj.identity_schema_version)?;
        if let Some(identity) = &obj.identity {
            st.serialize_field("identity", identity)?;
        }
        if let Some(private) = obj.private.as_deref().filter(|p| !p.is_empty()) {
            st.serialize_field("private", private)?;
        }
        if !obj.dependencies.is_empty() {
            st.serialize_field("dependencies", &obj.dependencies)?;
        }
        if obj.create_before_destroy {
            st.serialize_field("create_before_destroy", &true)?;
        }
        st.end()
    }
}

struct PathsOut<'a>(&'a [AttrPath]);

impl Serialize for PathsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for path in self.0 {
            seq.serialize_element(&PathOut(path))?;
        }
        seq.end()
    }
}

struct PathOut<'a>(&'a [PathStep]);

impl Serialize for PathOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for step in self.0 {
            seq.serialize_element(&StepOut(step))?;
        }
        seq.end()
    }
}

struct StepOut<'a>(&'a PathStep);

impl Serialize for StepOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("pathStep", 2)?;
        match self.0 {
            PathStep::GetAttr(name) => {
                st.serialize_field("type", "get_attr")?;
                st.serialize_field("value", name)?;
            }
            PathStep::Index { key, ty } => {
                st.serialize_field("type", "index")?;
                st.serialize_field("value", &IndexValueOut { key, ty })?;
            }
        }
        st.end()
    }
}

struct IndexValueOut<'a> {
    key: &'a Value,
    ty: &'a Value,
}

impl Serialize for IndexValueOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("dynamic", 2)?;
        st.serialize_field("value", self.key)?;
        st.serialize_field("type", self.ty)?;
        st.end()
    }
}

/// One instance object as the v4 file writes it (without `index_key`), for
/// records that carry a single object, such as the intent journal's.
pub fn object_to_json(obj: &InstanceObject, deposed: Option<&DeposedKey>) -> Value {
    serde_json::to_value(ObjectOut { key: &InstanceKey::None, deposed, obj }).expect("state objects always serialize")
}

/// The inverse of [`object_to_json`]: the object and its deposed key, if any.
pub fn object_from_json(addr: &AbsResource, v: Value) -> Result<(InstanceObject, Option<DeposedKey>), StateFileError> {
    let i: InstanceV4 = serde_json::from_value(v).map_err(|e| content("Invalid resource instance object", e.to_string()))?;
    let mut rs = ResourceState::new("");
    read_instance(addr, &mut rs, i)?;
    let inst = rs.instance(&InstanceKey::None).cloned().unwrap_or_default();
    match (inst.current, inst.deposed.into_iter().next()) {
        (Some(obj), _) => Ok((obj, None)),
        (None, Some((k, obj))) => Ok((obj, Some(k))),
        (None, None) => Err(content("Invalid resource instance object", "The record holds no object.".into())),
    }
}
