//! A scriptable in-memory provider for engine tests.
//!
//! Its schema is written inline in a compact text form ([`MockProvider::new`]);
//! it keeps a "remote world" of objects by type and `id`, so creates, updates,
//! deletes, refreshes and imports behave like a real API's; it records every
//! call in order ([`MockProvider::calls`]); it fails when told to
//! ([`MockProvider::fail`]); drift is scripted by changing or removing remote
//! objects ([`MockProvider::set_remote`], [`MockProvider::remove_remote`]).
//!
//! Planning follows the SDK's defaults: configured values win, computed
//! attributes not configured are unknown when creating and keep their prior
//! value otherwise, a change to a `force_new` attribute replaces the object.
//! Apply fills what was unknown deterministically: `id` is `<type>-<n>` (`n`
//! counting the type's creates from 1), a computed attribute written
//! `from=<attr>` copies that attribute, other strings are `<attr>:<id>`,
//! numbers `n`, bools `false`, collections empty.
//!
//! Clones share everything (calls, world, scripts): register one clone with
//! the engine and keep another to script and inspect.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use plinth_value::{Type, Value};

use crate::{
    ApplyRequest, AttributeSchema, BlockSchema, NestedBlock, Nesting, PathStep, PlanRequest, PlanResponse, Provider, ProviderError,
    ProviderSchema, ResourceSchema,
};

/// The provider methods the mock records and can be told to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Configure,
    Plan,
    Create,
    Update,
    Delete,
    Read,
    ReadData,
    Import,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Configure => "configure",
            Op::Plan => "plan",
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Read => "read",
            Op::ReadData => "read-data",
            Op::Import => "import",
        })
    }
}

/// One recorded call: the method, the resource or data type (the
/// provider's name for `configure`) and a label naming the object: its `name` argument when it
/// has a known one, else its `id`, else `?` (for `configure`, the non-null
/// configuration arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub op: Op,
    pub type_name: String,
    pub label: String,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.op, self.type_name, self.label)
    }
}

/// A scripted failure: calls of `op` matching every filter given fail with
/// `Mock failure` and the message.
#[derive(Clone, Debug)]
pub struct Failure {
    op: Op,
    type_name: Option<String>,
    label: Option<String>,
    nth: Option<usize>,
    message: String,
    matched: usize,
}

impl Failure {
    /// Every call of `op` fails (narrow it with the other methods).
    pub fn on(op: Op) -> Failure {
        Failure { op, type_name: None, label: None, nth: None, message: format!("scripted {op} failure"), matched: 0 }
    }
    /// Only calls for this resource or data type.
    pub fn of_type(mut self, type_name: &str) -> Failure {
        self.type_name = Some(type_name.to_string());
        self
    }
    /// Only calls for the object with this label (`name` argument, else `id`).
    pub fn label(mut self, label: &str) -> Failure {
        self.label = Some(label.to_string());
        self
    }
    /// Only the `n`th matching call (from 1).
    pub fn nth(mut self, n: usize) -> Failure {
        self.nth = Some(n);
        self
    }
    pub fn message(mut self, message: &str) -> Failure {
        self.message = message.to_string();
        self
    }
}

/// Per type: attributes computed by copying another (`from=<attr>`).
type Derived = BTreeMap<String, BTreeMap<String, String>>;

type CallLog = Arc<Mutex<Vec<Call>>>;

#[derive(Default)]
struct Inner {
    /// The provider's name in `configure` calls (`mock` unless renamed).
    name: String,
    /// Possibly shared with other mocks ([`MockProvider::share_calls_with`]).
    calls: CallLog,
    /// The remote world: objects by type and id.
    objects: BTreeMap<(String, String), Value>,
    created: BTreeMap<String, u64>,
    failures: Vec<Failure>,
    /// Scripted data source results, by type: attributes set over the computed ones.
    data: BTreeMap<String, BTreeMap<String, Value>>,
    configured: Option<Value>,
}

#[derive(Clone)]
pub struct MockProvider {
    schema: Arc<ProviderSchema>,
    derived: Arc<Derived>,
    plans_locally: bool,
    inner: Arc<Mutex<Inner>>,
}

impl MockProvider {
    /// A provider with the schema described by `schema`:
    ///
    /// ```text
    /// provider { region string optional }
    /// resource mock_thing {
    ///   id     string computed
    ///   name   string optional
    ///   ami    string optional force_new
    ///   secret string optional sensitive
    ///   out    dynamic computed from=in
    ///   in     dynamic optional
    ///   block rule list min=0 max=3 { port number required }
    /// }
    /// data mock_lookup { name string required  value string computed }
    /// ```
    ///
    /// Types: `string number bool dynamic list(T) set(T) map(T)`; flags:
    /// `required optional computed sensitive force_new from=<attr>`; nested
    /// block nestings: `single list set map`.
    ///
    /// # Panics
    /// When the description does not parse: it is test code's own text.
    pub fn new(schema: &str) -> MockProvider {
        match parse_schema(schema) {
            Ok((schema, derived)) => MockProvider {
                schema: Arc::new(schema),
                derived: Arc::new(derived),
                plans_locally: false,
                inner: Arc::new(Mutex::new(Inner { name: "mock".into(), ..Inner::default() })),
            },
            Err(e) => panic!("mock provider schema: {e}"),
        }
    }

    /// Plans on the engine's worker threads, ahead of the walk, as the
    /// built-in providers do (plan calls are then recorded in any order).
    pub fn planning_locally(mut self) -> MockProvider {
        self.plans_locally = true;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Names the provider in its `configure` calls.
    pub fn set_name(&self, name: &str) {
        self.lock().name = name.to_string();
    }

    /// Records this provider's calls (and its clones') in `other`'s log, so
    /// one list shows the order of calls to both.
    pub fn share_calls_with(&self, other: &MockProvider) {
        let log = other.lock().calls.clone();
        self.lock().calls = log;
    }

    fn log(&self) -> CallLog {
        self.lock().calls.clone()
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.log().lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the recorded calls.
    pub fn clear_calls(&self) {
        self.log().lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The configuration `configure` last received.
    pub fn configured(&self) -> Option<Value> {
        self.lock().configured.clone()
    }

    pub fn fail(&self, failure: Failure) {
        self.lock().failures.push(failure);
    }

    /// Removes every scripted failure.
    pub fn clear_failures(&self) {
        self.lock().failures.clear();
    }

    /// The remote object of `type_name` with this id.
    pub fn remote(&self, type_name: &str, id: &str) -> Option<Value> {
        self.lock().objects.get(&(type_name.to_string(), id.to_string())).cloned()
    }

    /// Ids of the remote objects of `type_name`.
    pub fn remote_ids(&self, type_name: &str) -> Vec<String> {
        self.lock().objects.keys().filter(|(t, _)| t == type_name).map(|(_, id)| id.clone()).collect()
    }

    /// Creates or changes a remote object (drift, or something to import):
    /// `attrs` over the existing object, or over an all-null one; `id` is set.
    pub fn set_remote(&self, type_name: &str, id: &str, attrs: &[(&str, Value)]) {
        let ty = self.schema.resources.get(type_name).map(|s| s.block.implied_type()).unwrap_or(Type::Dynamic);
        let mut inner = self.lock();
        let key = (type_name.to_string(), id.to_string());
        let mut obj = match inner.objects.get(&key) {
            Some(v) => v.as_entries().cloned().unwrap_or_default(),
            None => crate::null_object(&ty).as_entries().cloned().unwrap_or_default(),
        };
        obj.insert("id".into(), Value::string(id));
        for (k, v) in attrs {
            obj.insert((*k).to_string(), v.clone());
        }
        inner.objects.insert(key, Value::object(obj));
    }

    /// Deletes a remote object behind the engine's back.
    pub fn remove_remote(&self, type_name: &str, id: &str) {
        self.lock().objects.remove(&(type_name.to_string(), id.to_string()));
    }

    /// What reads of data source `type_name` return for these attributes
    /// (the others as by default).
    pub fn set_data(&self, type_name: &str, attrs: &[(&str, Value)]) {
        let m = attrs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect();
        self.lock().data.insert(type_name.to_string(), m);
    }

    /// Records a call and fails it when a scripted failure matches.
    fn call(&self, op: Op, type_name: &str, label: String) -> Result<(), ProviderError> {
        let mut inner = self.lock();
        inner.calls.lock().unwrap_or_else(|e| e.into_inner()).push(Call { op, type_name: type_name.to_string(), label: label.clone() });
        for f in inner.failures.iter_mut() {
            if f.op != op || f.type_name.as_deref().is_some_and(|t| t != type_name) || f.label.as_deref().is_some_and(|l| l != label) {
                continue;
            }
            f.matched += 1;
            if f.nth.is_none_or(|n| n == f.matched) {
                return Err(ProviderError::new("Mock failure", f.message.clone()));
            }
        }
        Ok(())
    }

    fn resource_schema(&self, type_name: &str) -> Result<&ResourceSchema, ProviderError> {
        self.schema.resources.get(type_name).ok_or_else(|| ProviderError::new("Unsupported resource type", type_name.to_string()))
    }

    /// Fills what is unknown in `v` (an object of `block`), as apply does.
    fn fill(&self, type_name: &str, block: &BlockSchema, v: &Value, id: &str, n: u64) -> Value {
        let Some(m) = v.as_entries() else { return v.clone() };
        let mut out = m.clone();
        let derived = self.derived.get(type_name);
        for (name, a) in &block.attributes {
            let cur = out.get(name).cloned().unwrap_or_else(|| Value::null(a.ty.clone()));
            if cur.is_known() {
                continue;
            }
            let filled = if name == "id" {
                Value::string(id)
            } else if let Some(src) = derived.and_then(|d| d.get(name)) {
                m.get(src).cloned().unwrap_or_else(|| Value::null(a.ty.clone()))
            } else {
                filler(&a.ty, name, id, n)
            };
            out.insert(name.clone(), filled);
        }
        for (name, b) in &block.blocks {
            if let Some(cur) = out.get(name).cloned() {
                out.insert(name.clone(), fill_nested(self, type_name, b, &cur, id, n));
            }
        }
        Value::object(out)
    }
}

fn fill_nested(p: &MockProvider, type_name: &str, b: &NestedBlock, v: &Value, id: &str, n: u64) -> Value {
    if v.is_null() || !v.is_known() {
        return v.clone();
    }
    let ty = b.block.implied_type();
    match b.nesting {
        Nesting::Single => p.fill(type_name, &b.block, v, id, n),
        Nesting::List => Value::list(ty, v.as_seq().unwrap_or(&[]).iter().map(|x| p.fill(type_name, &b.block, x, id, n)).collect()),
        Nesting::Set => Value::set(ty, v.as_seq().unwrap_or(&[]).iter().map(|x| p.fill(type_name, &b.block, x, id, n)).collect()),
        Nesting::Map => Value::map(
            ty,
            v.as_entries().map(|m| m.iter().map(|(k, x)| (k.clone(), p.fill(type_name, &b.block, x, id, n))).collect()).unwrap_or_default(),
        ),
    }
}

/// The deterministic value apply gives an unknown computed attribute.
fn filler(ty: &Type, name: &str, id: &str, n: u64) -> Value {
    match ty {
        Type::String => Value::string(format!("{name}:{id}")),
        Type::Number => Value::int(n as i64),
        Type::Bool => Value::bool(false),
        Type::List(e) => Value::list((**e).clone(), Vec::new()),
        Type::Set(e) => Value::set((**e).clone(), Vec::new()),
        Type::Map(e) => Value::map((**e).clone(), BTreeMap::new()),
        Type::Object(o) => Value::object(o.attrs.iter().map(|(k, t)| (k.clone(), filler(t, k, id, n))).collect::<BTreeMap<_, _>>()),
        Type::Tuple(_) | Type::Dynamic => Value::dynamic_null(),
    }
}

fn attr<'a>(v: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    v.and_then(Value::as_entries).and_then(|m| m.get(name))
}

/// The label of the object a call is about: its known `name`, else its known `id`.
fn label(v: Option<&Value>) -> String {
    for key in ["name", "id"] {
        if let Some(s) = attr(v, key).and_then(Value::as_str) {
            return s.to_string();
        }
    }
    "?".into()
}

fn config_label(v: &Value) -> String {
    let parts: Vec<String> = v
        .as_entries()
        .map(|m| {
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| {
                    if x.is_known() {
                        format!("{k}={}", x.as_str().map(plinth_value::go_quote).unwrap_or_else(|| plinth_value::display_value(x)))
                    } else {
                        format!("{k}=(unknown)")
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if parts.is_empty() {
        "{}".into()
    } else {
        parts.join(" ")
    }
}

/// A value with every unknown (deeply) counted as a difference.
fn differs(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !(a.is_wholly_known() && b.is_wholly_known() && a.raw_equal(b)),
        (None, None) => false,
        (Some(x), None) | (None, Some(x)) => !x.is_null(),
    }
}

#[async_trait::async_trait]
impl Provider for MockProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: &Value) -> Result<(), ProviderError> {
        let name = self.lock().name.clone();
        self.call(Op::Configure, &name, config_label(config))?;
        self.lock().configured = Some(config.clone());
        Ok(())
    }

    fn plans_locally(&self) -> bool {
        self.plans_locally
    }

    fn plan_resource(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        unmarked(&[req.prior, Some(req.proposed), Some(req.config)])?;
        self.call(Op::Plan, req.type_name, label(req.prior.or(Some(req.proposed))))?;
        let schema = self.resource_schema(req.type_name)?;
        let mut planned = req.proposed.as_entries().cloned().unwrap_or_default();
        let derived = self.derived.get(req.type_name);
        let Some(prior) = req.prior else {
            // A copy of a null attribute is null already at plan.
            for (name, src) in derived.into_iter().flatten() {
                if planned.get(src).is_some_and(|v| v.is_known() && v.is_null()) {
                    let ty = schema.block.attributes.get(name).map_or(Type::Dynamic, |a| a.ty.clone());
                    planned.insert(name.clone(), Value::null(ty));
                }
            }
            return Ok(PlanResponse { planned: Value::object(planned), requires_replace: Vec::new() });
        };
        let mut requires_replace = Vec::new();
        for (name, a) in &schema.block.attributes {
            if a.force_new && differs(attr(Some(prior), name), planned.get(name)) {
                requires_replace.push(vec![PathStep::Attr(name.clone())]);
            }
        }
        for (name, a) in &schema.block.attributes {
            let configured = attr(Some(req.config), name).is_some_and(|v| !v.is_null());
            if !a.computed || configured {
                continue;
            }
            let source_changed = derived.and_then(|d| d.get(name)).is_some_and(|src| differs(attr(Some(prior), src), planned.get(src)));
            if !requires_replace.is_empty() || source_changed {
                let src_null =
                    derived.and_then(|d| d.get(name)).and_then(|src| planned.get(src)).is_some_and(|v| v.is_known() && v.is_null());
                planned.insert(name.clone(), if src_null { Value::null(a.ty.clone()) } else { Value::unknown(a.ty.clone()) });
            }
        }
        Ok(PlanResponse { planned: Value::object(planned), requires_replace })
    }

    async fn apply_resource(&self, req: ApplyRequest<'_>) -> Result<Value, ProviderError> {
        unmarked(&[req.prior, req.planned, req.config])?;
        let schema = self.resource_schema(req.type_name)?.clone();
        let Some(planned) = req.planned else {
            self.call(Op::Delete, req.type_name, label(req.prior))?;
            if let Some(id) = attr(req.prior, "id").and_then(Value::as_str) {
                self.remove_remote(req.type_name, id);
            }
            return Ok(Value::null(schema.block.implied_type()));
        };
        let (op, id, n) = match req.prior {
            Some(prior) => {
                self.call(Op::Update, req.type_name, label(Some(prior)))?;
                let id = attr(Some(prior), "id").and_then(Value::as_str).unwrap_or("?").to_string();
                (Op::Update, id, 0)
            }
            None => {
                let lbl = label(Some(planned));
                self.call(Op::Create, req.type_name, lbl)?;
                let mut inner = self.lock();
                let n = inner.created.entry(req.type_name.to_string()).or_insert(0);
                *n += 1;
                let n = *n;
                let id = match attr(Some(planned), "id").and_then(Value::as_str) {
                    Some(id) => id.to_string(),
                    None => format!("{}-{n}", req.type_name),
                };
                (Op::Create, id, n)
            }
        };
        let _ = op;
        let out = self.fill(req.type_name, &schema.block, planned, &id, n);
        let id = attr(Some(&out), "id").and_then(Value::as_str).unwrap_or(&id).to_string();
        self.lock().objects.insert((req.type_name.to_string(), id), out.clone());
        Ok(out)
    }

    async fn read_resource(&self, type_name: &str, state: &Value) -> Result<Option<Value>, ProviderError> {
        unmarked(&[Some(state)])?;
        self.call(Op::Read, type_name, label(Some(state)))?;
        let Some(id) = attr(Some(state), "id").and_then(Value::as_str) else { return Ok(None) };
        Ok(self.remote(type_name, id))
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        unmarked(&[Some(config)])?;
        self.call(Op::ReadData, type_name, label(Some(config)))?;
        let Some(schema) = self.schema.data_sources.get(type_name) else {
            return Err(ProviderError::new("Unsupported data source", type_name.to_string()));
        };
        let lbl = label(Some(config));
        let id = if lbl == "?" { type_name.to_string() } else { lbl };
        let mut m = config.as_entries().cloned().unwrap_or_default();
        for (k, v) in self.lock().data.get(type_name).cloned().unwrap_or_default() {
            m.insert(k, v);
        }
        for (name, a) in &schema.block.attributes {
            if a.computed && m.get(name).is_none_or(Value::is_null) {
                m.insert(name.clone(), Value::unknown(a.ty.clone()));
            }
        }
        Ok(self.fill(type_name, &schema.block, &Value::object(m), &id, 1))
    }

    async fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        self.call(Op::Import, type_name, id.to_string())?;
        self.remote(type_name, id).ok_or_else(|| {
            ProviderError::new(
                "Cannot import non-existent remote object",
                format!("While attempting to import an existing object to \"{type_name}\", the provider detected that no object exists with the given id."),
            )
        })
    }
}

// ---- the schema description -------------------------------------------------

fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in s.lines() {
        let line = line.split('#').next().unwrap_or("");
        for w in line.split_whitespace() {
            let mut cur = String::new();
            for c in w.chars() {
                if c == '{' || c == '}' {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    out.push(c.to_string());
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                out.push(cur);
            }
        }
        out.push("\n".into());
    }
    out
}

struct Parser {
    toks: Vec<String>,
    pos: usize,
}

impl Parser {
    fn skip_newlines(&mut self) {
        while self.toks.get(self.pos).is_some_and(|t| t == "\n") {
            self.pos += 1;
        }
    }
    fn next(&mut self) -> Option<String> {
        self.skip_newlines();
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect(&mut self, want: &str) -> Result<(), String> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            other => Err(format!("expected {want:?}, found {other:?}")),
        }
    }
    /// Tokens up to the end of the line or an opening brace (not consumed).
    fn line(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(t) = self.toks.get(self.pos) {
            if t == "\n" || t == "{" || t == "}" {
                break;
            }
            out.push(t.clone());
            self.pos += 1;
        }
        out
    }

    /// A block body after its `{`, through its `}`.
    fn body(&mut self, derived: &mut BTreeMap<String, String>) -> Result<BlockSchema, String> {
        let mut block = BlockSchema::default();
        loop {
            self.skip_newlines();
            match self.toks.get(self.pos).map(String::as_str) {
                None => return Err("unclosed block".into()),
                Some("}") => {
                    self.pos += 1;
                    return Ok(block);
                }
                Some("block") => {
                    self.pos += 1;
                    let words = self.line();
                    let [name, nesting, rest @ ..] = words.as_slice() else {
                        return Err(format!("block needs a name and a nesting: {words:?}"));
                    };
                    let nesting = match nesting.as_str() {
                        "single" => Nesting::Single,
                        "list" => Nesting::List,
                        "set" => Nesting::Set,
                        "map" => Nesting::Map,
                        other => return Err(format!("unknown nesting {other:?}")),
                    };
                    let (mut min_items, mut max_items) = (0, 0);
                    for r in rest {
                        match r.split_once('=') {
                            Some(("min", n)) => min_items = n.parse().map_err(|_| format!("bad min {n:?}"))?,
                            Some(("max", n)) => max_items = n.parse().map_err(|_| format!("bad max {n:?}"))?,
                            _ => return Err(format!("unknown block option {r:?}")),
                        }
                    }
                    self.expect("{")?;
                    let mut ignored = BTreeMap::new();
                    let inner = self.body(&mut ignored)?;
                    block.blocks.insert(name.clone(), NestedBlock { nesting, block: inner, min_items, max_items });
                }
                Some(_) => {
                    let words = self.line();
                    let [name, ty, flags @ ..] = words.as_slice() else {
                        return Err(format!("attribute needs a name and a type: {words:?}"));
                    };
                    let mut a = AttributeSchema::required(parse_type(ty)?);
                    a.required = false;
                    for f in flags {
                        match f.as_str() {
                            "required" => a.required = true,
                            "optional" => a.optional = true,
                            "computed" => a.computed = true,
                            "sensitive" => a.sensitive = true,
                            "force_new" => a.force_new = true,
                            other => match other.strip_prefix("from=") {
                                Some(src) => {
                                    derived.insert(name.clone(), src.to_string());
                                }
                                None => return Err(format!("unknown attribute flag {other:?}")),
                            },
                        }
                    }
                    if !(a.required || a.optional || a.computed) {
                        return Err(format!("attribute {name:?} is neither required, optional nor computed"));
                    }
                    block.attributes.insert(name.clone(), a);
                }
            }
        }
    }
}

fn parse_type(s: &str) -> Result<Type, String> {
    Ok(match s {
        "string" => Type::String,
        "number" => Type::Number,
        "bool" => Type::Bool,
        "dynamic" | "any" => Type::Dynamic,
        _ => {
            let (outer, inner) = s.strip_suffix(')').and_then(|s| s.split_once('(')).ok_or_else(|| format!("unknown type {s:?}"))?;
            let inner = parse_type(inner)?;
            match outer {
                "list" => Type::list(inner),
                "set" => Type::set(inner),
                "map" => Type::map(inner),
                _ => return Err(format!("unknown type {s:?}")),
            }
        }
    })
}

fn parse_schema(s: &str) -> Result<(ProviderSchema, Derived), String> {
    let mut p = Parser { toks: tokens(s), pos: 0 };
    let mut schema = ProviderSchema::default();
    let mut derived = Derived::new();
    while let Some(kw) = p.next() {
        match kw.as_str() {
            "provider" => {
                p.expect("{")?;
                schema.provider = p.body(&mut BTreeMap::new())?;
            }
            "resource" | "data" => {
                let name = p.next().ok_or("a resource or data type needs a name")?;
                p.expect("{")?;
                let mut d = BTreeMap::new();
                let block = p.body(&mut d)?;
                let rs = ResourceSchema { version: 0, block };
                if kw == "resource" {
                    if !d.is_empty() {
                        derived.insert(name.clone(), d);
                    }
                    schema.resources.insert(name, rs);
                } else {
                    schema.data_sources.insert(name, rs);
                }
            }
            other => return Err(format!("expected provider, resource or data, found {other:?}")),
        }
    }
    Ok((schema, derived))
}

/// Marks are the engine's: a provider (a plugin over the protocol, say)
/// never sees them. The mock refuses marked values so that tests catch an
/// engine path that forgets to unmark.
fn unmarked(values: &[Option<&Value>]) -> Result<(), ProviderError> {
    if values.iter().flatten().any(|v| v.marks_deep() != plinth_value::Marks::NONE) {
        return Err(ProviderError::new(
            "Marked value",
            "the engine sent the mock provider a value with marks (sensitive or ephemeral)".to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"
        provider { region string optional }
        resource mock_thing {
          id   string computed
          name string optional
          ami  string optional force_new
          out  dynamic computed from=in
          in   dynamic optional
          block rule list max=2 { port number required }
        }
        data mock_lookup { name string required
          value string computed }
    "#;

    fn obj(attrs: &[(&str, Value)]) -> Value {
        Value::object(attrs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn the_schema_description_parses() {
        let p = MockProvider::new(SCHEMA);
        let s = p.schema();
        assert!(s.provider.attributes["region"].optional);
        let t = &s.resources["mock_thing"].block;
        assert!(t.attributes["id"].computed && !t.attributes["id"].optional);
        assert!(t.attributes["ami"].force_new);
        assert_eq!(t.blocks["rule"].nesting, Nesting::List);
        assert_eq!(t.blocks["rule"].max_items, 2);
        assert!(t.blocks["rule"].block.attributes["port"].required);
        assert!(s.data_sources["mock_lookup"].block.attributes["value"].computed);
        assert_eq!(p.derived["mock_thing"]["out"], "in");
        assert!(parse_schema("resource x { a strin optional }").is_err());
        assert!(parse_schema("resource x { a string }").is_err());
        assert!(parse_schema("resource x { a string optional ").is_err());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn apply_fills_unknowns_deterministically_and_keeps_a_world() {
        let p = MockProvider::new(SCHEMA);
        let ty = p.schema().resources["mock_thing"].block.implied_type();
        let Type::Object(o) = &ty else { unreachable!() };
        let mut planned = crate::null_object(&ty).as_entries().cloned().unwrap_or_default();
        planned.insert("id".into(), Value::unknown(Type::String));
        planned.insert("out".into(), Value::unknown(Type::Dynamic));
        planned.insert("name".into(), Value::string("a"));
        planned.insert("in".into(), Value::string("x"));
        let planned = Value::object(planned);
        assert_eq!(o.attrs.len(), 6);
        let req = ApplyRequest { type_name: "mock_thing", prior: None, planned: Some(&planned), config: None, operation_token: "t" };
        let out = p.apply_resource(req).await.expect("applies");
        assert_eq!(crate::get_str(&out, "id"), Some("mock_thing-1"));
        assert_eq!(crate::get_str(&out, "out"), Some("x"));
        assert!(p.remote("mock_thing", "mock_thing-1").is_some());
        p.fail(Failure::on(Op::Read).label("a"));
        assert!(p.read_resource("mock_thing", &out).await.is_err());
        p.clear_failures();
        p.remove_remote("mock_thing", "mock_thing-1");
        assert!(p.read_resource("mock_thing", &out).await.expect("reads").is_none());
        let calls: Vec<String> = p.calls().iter().map(ToString::to_string).collect();
        assert_eq!(calls, ["create mock_thing a", "read mock_thing a", "read mock_thing a"]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_nth_call_fails_once_and_plans_replace_on_force_new() {
        let p = MockProvider::new(SCHEMA);
        p.fail(Failure::on(Op::Configure).nth(2));
        let cfg = obj(&[("region", Value::string("eu"))]);
        assert!(p.configure(&cfg).await.is_ok());
        assert!(p.configure(&cfg).await.is_err());
        assert!(p.configure(&cfg).await.is_ok());
        assert_eq!(p.calls()[0].to_string(), "configure mock region=\"eu\"");
        let prior = obj(&[("id", Value::string("i")), ("ami", Value::string("a")), ("out", Value::dynamic_null())]);
        let proposed = obj(&[("id", Value::string("i")), ("ami", Value::string("b")), ("out", Value::dynamic_null())]);
        let config = obj(&[("id", Value::null(Type::String)), ("ami", Value::string("b")), ("out", Value::dynamic_null())]);
        let r = p
            .plan_resource(PlanRequest { type_name: "mock_thing", prior: Some(&prior), proposed: &proposed, config: &config })
            .expect("plans");
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("ami".into())]]);
        assert!(!r.planned.as_entries().expect("object")["id"].is_known());
        assert!(p.import_resource("mock_thing", "nope").await.is_err());
    }
}
