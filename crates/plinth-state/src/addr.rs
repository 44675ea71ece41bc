//! Addresses of modules, resources and resource instances, in Terraform's
//! syntax (`module.a["k"].aws_vpc.main[0]`, `data.aws_ami.x`).
//!
//! The `Ord` implementations follow Terraform's `Less` methods, so a sorted
//! collection of instance addresses is in `terraform state list` order:
//! shorter module paths first, then module steps (name, then key), then data
//! resources before managed ones, then type, name and instance key (no key,
//! then integers numerically, then strings lexically).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The key of one instance of a resource or module: none (no `count` or
/// `for_each`), an integer (`count`) or a string (`for_each`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    // Declaration order is the sort order: no key, ints, strings.
    None,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    pub fn is_none(&self) -> bool {
        matches!(self, InstanceKey::None)
    }
}

impl fmt::Display for InstanceKey {
    /// `[0]`, `["key"]`, or nothing for [`InstanceKey::None`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => {
                f.write_str("[")?;
                write_quoted(f, s)?;
                f.write_str("]")
            }
        }
    }
}

/// Writes `s` as an HCL quoted string, as Terraform's `toHCLQuotedString`
/// does: JSON-like escapes plus doubling of `${` / `%{` template introducers.
fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '$' | '%' => {
                f.write_char(c)?;
                if chars.peek() == Some(&'{') {
                    f.write_char(c)?;
                }
            }
            c if c.is_control() => {
                let n = c as u32;
                if n < 0x10000 {
                    write!(f, "\\u{n:04x}")?
                } else {
                    write!(f, "\\U{n:08x}")?
                }
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// One step of a module instance path: `module.<name>[<key>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: InstanceKey,
}

/// The path of a module instance; empty for the root module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ModuleInstance {
    steps: Vec<ModuleStep>,
}

impl ModuleInstance {
    pub const fn root() -> Self {
        ModuleInstance { steps: Vec::new() }
    }

    pub fn new(steps: Vec<ModuleStep>) -> Self {
        ModuleInstance { steps }
    }

    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn steps(&self) -> &[ModuleStep] {
        &self.steps
    }

    /// The path of a child module instance of this one.
    pub fn child(&self, name: impl Into<String>, key: InstanceKey) -> Self {
        let mut steps = self.steps.clone();
        steps.push(ModuleStep { name: name.into(), key });
        ModuleInstance { steps }
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: &ModuleInstance) -> bool {
        other.steps.starts_with(&self.steps)
    }

    /// Replaces the prefix `from` of this path with `to`, if `from` is a prefix.
    pub fn reparent(&self, from: &ModuleInstance, to: &ModuleInstance) -> Option<Self> {
        let rest = self.steps.strip_prefix(from.steps.as_slice())?;
        let mut steps = to.steps.clone();
        steps.extend_from_slice(rest);
        Some(ModuleInstance { steps })
    }

    pub fn resource(&self, mode: ResourceMode, type_name: &str, name: &str) -> AbsResource {
        AbsResource { module: self.clone(), resource: Resource::new(mode, type_name, name) }
    }
}

impl Ord for ModuleInstance {
    fn cmp(&self, other: &Self) -> Ordering {
        // Terraform: a shorter path sorts first, then step by step.
        self.steps.len().cmp(&other.steps.len()).then_with(|| self.steps.cmp(&other.steps))
    }
}

impl PartialOrd for ModuleInstance {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{}{}", step.name, step.key)?;
        }
        Ok(())
    }
}

/// Managed resources (`resource` blocks) or data resources (`data` blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceMode {
    // Declaration order is the sort order: Terraform sorts data first.
    Data,
    Managed,
}

impl ResourceMode {
    /// The spelling used in the state file's `mode` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceMode::Data => "data",
            ResourceMode::Managed => "managed",
        }
    }
}

/// A resource relative to its module: `aws_vpc.main` or `data.aws_ami.x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resource {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
}

impl Resource {
    pub fn new(mode: ResourceMode, type_name: impl Into<String>, name: impl Into<String>) -> Self {
        Resource { mode, type_name: type_name.into(), name: name.into() }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == ResourceMode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// A resource in a particular module instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResource {
    pub module: ModuleInstance,
    pub resource: Resource,
}

impl AbsResource {
    pub fn instance(&self, key: InstanceKey) -> AbsResourceInstance {
        AbsResourceInstance { resource: self.clone(), key }
    }
}

impl fmt::Display for AbsResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}", self.resource)
    }
}

/// One instance of a resource: `module.a["k"].aws_vpc.main[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResourceInstance {
    pub resource: AbsResource,
    pub key: InstanceKey,
}

impl fmt::Display for AbsResourceInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

/// What an address string given to `state mv`, `state rm` or `-target`
/// denotes: a whole module instance, a whole resource, or one instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Module(ModuleInstance),
    Resource(AbsResource),
    Instance(AbsResourceInstance),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Module(m) => m.fmt(f),
            Target::Resource(r) => r.fmt(f),
            Target::Instance(i) => i.fmt(f),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {input:?}: {message}")]
pub struct AddrParseError {
    pub input: String,
    pub message: String,
}

impl FromStr for Target {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Parser { src: s, pos: 0 }.target().map_err(|message| AddrParseError { input: s.to_string(), message })
    }
}

impl FromStr for ModuleInstance {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(ModuleInstance::root());
        }
        match s.parse::<Target>()? {
            Target::Module(m) => Ok(m),
            _ => Err(AddrParseError { input: s.to_string(), message: "a module address is required".into() }),
        }
    }
}

impl FromStr for AbsResource {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Resource(r) => Ok(r),
            _ => Err(AddrParseError { input: s.to_string(), message: "a resource address without an instance key is required".into() }),
        }
    }
}

impl FromStr for AbsResourceInstance {
    type Err = AddrParseError;

    /// Parses an instance address; `aws_vpc.main` means the instance with no key.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Resource(r) => Ok(r.instance(InstanceKey::None)),
            Target::Instance(i) => Ok(i),
            Target::Module(_) => Err(AddrParseError { input: s.to_string(), message: "a resource instance address is required".into() }),
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, what: &str) -> String {
        match self.peek() {
            None => format!("expected {what} at end of address"),
            Some(c) => format!("expected {what} at {:?} (byte {})", c, self.pos),
        }
    }

    fn ident(&mut self, what: &str) -> Result<String, String> {
        let rest = self.rest();
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            let ok = if i == 0 { c.is_alphabetic() || c == '_' } else { c.is_alphanumeric() || c == '_' || c == '-' };
            if !ok {
                break;
            }
            end = i + c.len_utf8();
        }
        if end == 0 {
            return Err(self.unexpected(what));
        }
        let ident = rest[..end].to_string();
        self.pos += end;
        Ok(ident)
    }

    fn key(&mut self) -> Result<InstanceKey, String> {
        if !self.eat('[') {
            return Ok(InstanceKey::None);
        }
        let key = match self.peek() {
            Some('"') => InstanceKey::Str(self.string()?),
            Some(c) if c.is_ascii_digit() => {
                let digits: String = self.rest().chars().take_while(char::is_ascii_digit).collect();
                self.pos += digits.len();
                InstanceKey::Int(digits.parse().map_err(|_| format!("index {digits} is too large"))?)
            }
            _ => return Err(self.unexpected("an integer or a quoted string as instance key")),
        };
        self.expect(']', "\"]\"")?;
        Ok(key)
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"', "'\"'")?;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated string".into());
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err("unterminated string".into());
                    };
                    self.pos += e.len_utf8();
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex = self.rest().get(..n).ok_or("truncated unicode escape")?;
                            let cp = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("invalid unicode escape \\{e}{hex}"))?;
                            self.pos += n;
                            out.push(cp);
                        }
                        other => return Err(format!("invalid escape sequence \\{other}")),
                    }
                }
                '$' | '%' if self.rest().starts_with(c) && self.rest()[1..].starts_with('{') => {
                    // `$${` is the escaped form of a literal `${`.
                    self.pos += 1;
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }

    fn target(&mut self) -> Result<Target, String> {
        let mut module = ModuleInstance::root();
        loop {
            if self.rest().starts_with("module.") {
                self.pos += "module.".len();
                let name = self.ident("a module name")?;
                let key = self.key()?;
                module.steps.push(ModuleStep { name, key });
                if self.peek().is_none() {
                    return Ok(Target::Module(module));
                }
                self.expect('.', "\".\"")?;
                continue;
            }
            break;
        }
        let mut mode = ResourceMode::Managed;
        let mut type_name = self.ident("a resource type")?;
        if type_name == "data" && self.peek() == Some('.') {
            self.pos += 1;
            mode = ResourceMode::Data;
            type_name = self.ident("a data source type")?;
        } else if type_name == "module" || type_name == "data" {
            return Err(format!("\"{type_name}\" must be followed by \".\""));
        }
        self.expect('.', "\".\" after the resource type")?;
        let name = self.ident("a resource name")?;
        let resource = AbsResource { module, resource: Resource { mode, type_name, name } };
        if self.peek() == Some('[') {
            let key = self.key()?;
            if self.peek().is_some() {
                return Err(self.unexpected("end of address"));
            }
            return Ok(Target::Instance(resource.instance(key)));
        }
        if self.peek().is_some() {
            return Err(self.unexpected("end of address"));
        }
        Ok(Target::Resource(resource))
    }
}
