//! What a walk has evaluated so far, per module instance, and the [`Scope`]
//! that resolves references against it.

use std::path::PathBuf;

use plinth_lang::{EvalError, Scope};
use plinth_state::{InstanceKey, ModuleInstance};
use plinth_syntax::ast::Ident;
use plinth_syntax::Diagnostic;
use plinth_value::{Type, Value};

use crate::tree::{ConfigTree, ModuleId};
use crate::FastMap;

/// How many instances an expanded object has.
#[derive(Clone, Debug)]
pub enum Expansion {
    Single,
    Count(usize),
    /// Keys in order, with their `each.value`.
    ForEach(Vec<(String, Value)>),
    /// `count` / `for_each` not known until apply.
    Unknown,
}

impl Expansion {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Expansion::Unknown)
    }

    pub fn keys(&self) -> Vec<(InstanceKey, Option<Value>)> {
        match self {
            Expansion::Single | Expansion::Unknown => vec![(InstanceKey::None, None)],
            Expansion::Count(n) => (0..*n).map(|i| (InstanceKey::Int(i as i64), None)).collect(),
            Expansion::ForEach(kv) => kv.iter().map(|(k, v)| (InstanceKey::Str(k.clone()), Some(v.clone()))).collect(),
        }
    }
}

#[derive(Default, Clone)]
pub struct ResourceValues {
    pub expansion: Option<Expansion>,
    /// A hash map rather than a B-tree: most resources have one instance, and
    /// a B-tree's first node holds room for eleven.
    pub instances: FastMap<InstanceKey, Value>,
}

#[derive(Default)]
pub struct Values {
    pub vars: FastMap<(ModuleInstance, String), Value>,
    pub locals: FastMap<(ModuleInstance, String), Value>,
    pub outputs: FastMap<(ModuleInstance, String), Value>,
    pub calls: FastMap<(ModuleInstance, String), Expansion>,
    pub resources: FastMap<(ModuleInstance, String), ResourceValues>,
    /// Module instances of each configured module, filled as calls expand.
    pub module_instances: FastMap<ModuleId, Vec<ModuleInstance>>,
}

impl Values {
    pub fn resource_value(&self, inst: &ModuleInstance, key: &str) -> Value {
        let Some(rv) = self.resources.get(&(inst.clone(), key.to_string())) else {
            return Value::dynamic_unknown();
        };
        let get = |k: &InstanceKey| rv.instances.get(k).cloned().unwrap_or_else(Value::dynamic_unknown);
        match &rv.expansion {
            None | Some(Expansion::Unknown) => Value::dynamic_unknown(),
            Some(Expansion::Single) => match rv.instances.get(&InstanceKey::None) {
                Some(v) => v.clone(),
                None => Value::dynamic_unknown(),
            },
            Some(Expansion::Count(n)) => Value::tuple((0..*n).map(|i| get(&InstanceKey::Int(i as i64))).collect()),
            Some(Expansion::ForEach(kv)) => Value::object(kv.iter().map(|(k, _)| (k.clone(), get(&InstanceKey::Str(k.clone())))).collect()),
        }
    }

    pub fn module_value(&self, tree: &ConfigTree, module: ModuleId, inst: &ModuleInstance, call: &str) -> Value {
        let Some(child) = tree.child(module, call) else { return Value::dynamic_unknown() };
        let outputs = &tree.get(child).module.outputs;
        let obj = |ci: &ModuleInstance| {
            Value::object(
                outputs
                    .keys()
                    .map(|o| {
                        let v = self.outputs.get(&(ci.clone(), o.clone())).cloned().unwrap_or_else(Value::dynamic_unknown);
                        (o.clone(), v)
                    })
                    .collect(),
            )
        };
        match self.calls.get(&(inst.clone(), call.to_string())) {
            None | Some(Expansion::Unknown) => Value::dynamic_unknown(),
            Some(Expansion::Single) => obj(&inst.child(call, InstanceKey::None)),
            Some(Expansion::Count(n)) => Value::tuple((0..*n).map(|i| obj(&inst.child(call, InstanceKey::Int(i as i64)))).collect()),
            Some(Expansion::ForEach(kv)) => {
                Value::object(kv.iter().map(|(k, _)| (k.clone(), obj(&inst.child(call, InstanceKey::Str(k.clone()))))).collect())
            }
        }
    }
}

/// Everything an expression in one module instance can see.
pub struct InstanceScope<'a> {
    pub tree: &'a ConfigTree,
    pub values: &'a Values,
    pub module: ModuleId,
    pub inst: &'a ModuleInstance,
    pub count_index: Option<i64>,
    pub each: Option<(Value, Value)>,
    pub self_value: Option<Value>,
    pub workspace: &'a str,
    pub root_dir: &'a PathBuf,
}

fn fatal(summary: &str, detail: String, id: &Ident) -> EvalError {
    EvalError::fatal(Diagnostic::error(summary, detail).with_subject(id.span))
}

/// Like [`fatal`], underlining `root.attr` as a whole.
fn fatal_ref(summary: &str, detail: String, root: &Ident, attr: &Ident) -> EvalError {
    EvalError::fatal(Diagnostic::error(summary, detail).with_subject(root.span.to(attr.span)))
}

impl Scope for InstanceScope<'_> {
    fn reference(&self, root: &Ident, attrs: &[&Ident]) -> Result<(Value, usize), EvalError> {
        let first = attrs.first();
        let need_attr = || {
            fatal(
                "Invalid reference",
                format!("The {:?} object cannot be accessed directly. Instead, access one of its attributes.", root.name),
                root,
            )
        };
        match root.name.as_str() {
            "var" => {
                let a = first.ok_or_else(need_attr)?;
                match self.values.vars.get(&(self.inst.clone(), a.name.clone())) {
                    Some(v) => Ok((v.clone(), 1)),
                    None if self.tree.get(self.module).module.variables.contains_key(&a.name) => Ok((Value::dynamic_unknown(), 1)),
                    None => Err(fatal_ref(
                        "Reference to undeclared input variable",
                        format!("An input variable with the name {:?} has not been declared. This variable can be declared with a variable {:?} {{}} block.", a.name, a.name),
                        root,
                        a,
                    )),
                }
            }
            "local" => {
                let a = first.ok_or_else(need_attr)?;
                match self.values.locals.get(&(self.inst.clone(), a.name.clone())) {
                    Some(v) => Ok((v.clone(), 1)),
                    None if self.tree.get(self.module).module.locals.contains_key(&a.name) => Ok((Value::dynamic_unknown(), 1)),
                    None => Err(fatal_ref(
                        "Reference to undeclared local value",
                        format!("A local value with the name {:?} has not been declared.", a.name),
                        root,
                        a,
                    )),
                }
            }
            "module" => {
                let a = first.ok_or_else(need_attr)?;
                if self.tree.child(self.module, &a.name).is_none() {
                    return Err(fatal("Reference to undeclared module", format!("No module call named {:?} is declared in this module.", a.name), a));
                }
                Ok((self.values.module_value(self.tree, self.module, self.inst, &a.name), 1))
            }
            "data" => {
                let (Some(t), Some(n)) = (attrs.first(), attrs.get(1)) else { return Err(need_attr()) };
                let key = format!("data.{}.{}", t.name, n.name);
                self.resource(&key, t, n, 2)
            }
            "count" => match (self.count_index, first) {
                (Some(i), Some(a)) if a.name == "index" => Ok((Value::int(i), 1)),
                _ => Err(fatal(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.".into(),
                    root,
                )),
            },
            "each" => match (&self.each, first.map(|a| a.name.as_str())) {
                (Some((k, _)), Some("key")) => Ok((k.clone(), 1)),
                (Some((_, v)), Some("value")) => Ok((v.clone(), 1)),
                _ => Err(fatal(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.".into(),
                    root,
                )),
            },
            "path" => {
                let a = first.ok_or_else(need_attr)?;
                let cwd = std::env::current_dir().unwrap_or_default();
                let rel = |p: &std::path::Path| -> String {
                    let s = p.strip_prefix(&cwd).map(|r| r.to_path_buf()).unwrap_or_else(|_| p.to_path_buf());
                    let s = s.display().to_string();
                    if s.is_empty() {
                        ".".into()
                    } else {
                        s
                    }
                };
                let v = match a.name.as_str() {
                    "module" => rel(&self.tree.get(self.module).module.dir),
                    "root" => rel(self.root_dir),
                    "cwd" => cwd.display().to_string(),
                    _ => return Err(fatal("Invalid \"path\" attribute", format!("The \"path\" object does not have an attribute named {:?}.", a.name), a)),
                };
                Ok((Value::string(v), 1))
            }
            "terraform" => Ok((Value::string(self.workspace), 1)),
            "self" => Ok((self.self_value.clone().unwrap_or_else(Value::dynamic_unknown), 0)),
            _ => {
                let n = first.ok_or_else(|| {
                    fatal("Invalid reference", "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.".into(), root)
                })?;
                let key = format!("{}.{}", root.name, n.name);
                self.resource(&key, root, n, 1)
            }
        }
    }
}

impl InstanceScope<'_> {
    fn resource(&self, key: &str, t: &Ident, n: &Ident, used: usize) -> Result<(Value, usize), EvalError> {
        if !self.tree.get(self.module).module.resources.contains_key(key) {
            let what = if key.starts_with("data.") { "data resource" } else { "managed resource" };
            return Err(fatal(
                "Reference to undeclared resource",
                format!("A {what} {:?} {:?} has not been declared in the root module.", t.name, n.name),
                n,
            ));
        }
        Ok((self.values.resource_value(self.inst, key), used))
    }
}

/// The unknown value standing for a resource's object before it is planned.
pub fn unknown_object(ty: &Type) -> Value {
    Value::unknown(ty.clone())
}
