//! Provider installation as `terraform init` does it from local sources:
//! source addresses and version constraints, the CLI configuration's
//! `provider_installation { filesystem_mirror { ... } }` (or the implied
//! local mirror directories), packed (`.zip`) and unpacked mirror layouts,
//! the package cache under `.terraform/providers/`, and the dependency lock
//! file `.terraform.lock.hcl` with Terraform's `h1:` package hashes.
//!
//! Not here yet: the registry protocol (`direct`), `network_mirror`,
//! `dev_overrides` and `plugin_cache_dir`; a provider only they could supply
//! is an error saying so.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use plinth_syntax::ast::{Body, Expr, ExprKind, TemplatePart};
use plinth_syntax::Files;
use sha2::{Digest, Sha256};

pub const DEFAULT_HOST: &str = "registry.terraform.io";
pub const LOCK_FILE: &str = ".terraform.lock.hcl";

/// A provider source address: `registry.terraform.io/hashicorp/null`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub hostname: String,
    pub namespace: String,
    pub type_name: String,
}

impl Address {
    /// Parses `TYPE`, `NAMESPACE/TYPE` or `HOST/NAMESPACE/TYPE` (as in
    /// `required_providers`; a bare type is in the `hashicorp` namespace).
    pub fn parse(s: &str) -> Result<Address, String> {
        let lower = s.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        let (h, n, t) = match parts.as_slice() {
            [t] => (DEFAULT_HOST, "hashicorp", *t),
            [n, t] => (DEFAULT_HOST, *n, *t),
            [h, n, t] => (*h, *n, *t),
            _ => {
                return Err(format!(
                    "The {s:?} source address has too many parts: a provider source address has at most three, HOSTNAME/NAMESPACE/TYPE."
                ))
            }
        };
        let ok = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !ok(h) || !ok(n) || !ok(t) {
            return Err(format!("Invalid provider source address {s:?}."));
        }
        Ok(Address { hostname: h.into(), namespace: n.into(), type_name: t.into() })
    }

    /// `hashicorp/null` for the default registry, else the full address (as
    /// Terraform's messages print it).
    pub fn for_display(&self) -> String {
        if self.hostname == DEFAULT_HOST {
            format!("{}/{}", self.namespace, self.type_name)
        } else {
            self.to_string()
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.hostname, self.namespace, self.type_name)
    }
}

/// A provider version: `MAJOR.MINOR.PATCH[-PRERELEASE]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (s, String::new()),
        };
        let core = core.split('+').next()?;
        let mut it = core.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = it.next().map_or(Some(0), |p| p.parse().ok())?;
        if it.next().is_some() {
            return None;
        }
        Some(Version { major, minor, patch, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            // A release sorts after its prereleases.
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                (false, false) => self.pre.cmp(&o.pre),
            })
    }
}
impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    /// `~>`: the rightmost given part may grow.
    Pessimistic,
}

/// Version constraints as written in `required_providers` (`">= 2.0, < 3"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    items: Vec<(Op, Version, usize)>,
}

impl Constraints {
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let mut items = Vec::new();
        for part in s.split(',') {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let (op, rest) =
                [("~>", Op::Pessimistic), (">=", Op::Ge), ("<=", Op::Le), ("!=", Op::Ne), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
                    .iter()
                    .find_map(|(t, op)| p.strip_prefix(t).map(|r| (*op, r)))
                    .unwrap_or((Op::Eq, p));
            let rest = rest.trim();
            let v = Version::parse(rest).ok_or_else(|| format!("Invalid version constraint {s:?}: {rest:?} is not a valid version."))?;
            let given = rest.split('-').next().unwrap_or(rest).split('.').count();
            items.push((op, v, given));
        }
        Ok(Constraints { items })
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn allows(&self, v: &Version) -> bool {
        // A prerelease is only selected by an exact constraint naming it.
        if !v.pre.is_empty() && !self.items.iter().any(|(op, c, _)| *op == Op::Eq && c == v) {
            return false;
        }
        self.items.iter().all(|(op, c, given)| match op {
            Op::Eq => v == c,
            Op::Ne => v != c,
            Op::Gt => v > c,
            Op::Ge => v >= c,
            Op::Lt => v < c,
            Op::Le => v <= c,
            Op::Pessimistic => {
                if v < c {
                    return false;
                }
                match given {
                    1 => true,
                    2 => v.major == c.major,
                    _ => v.major == c.major && v.minor == c.minor,
                }
            }
        })
    }

    /// Terraform's normalised form, as written into the lock file.
    pub fn to_lock_string(&self) -> String {
        self.items
            .iter()
            .map(|(op, v, _)| {
                let op = match op {
                    Op::Eq => return v.to_string(),
                    Op::Ne => "!=",
                    Op::Gt => ">",
                    Op::Ge => ">=",
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Pessimistic => "~>",
                };
                format!("{op} {v}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// This machine's platform in Terraform's naming: `linux_amd64`.
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        other => other,
    };
    format!("{os}_{arch}")
}

/// One `filesystem_mirror` (or implied local directory) with the addresses
/// it may supply.
#[derive(Clone, Debug)]
pub struct Mirror {
    pub path: PathBuf,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Mirror {
    pub fn new(path: impl Into<PathBuf>) -> Mirror {
        Mirror { path: path.into(), include: Vec::new(), exclude: Vec::new() }
    }
    fn matches(&self, addr: &Address) -> bool {
        let full = addr.to_string();
        let m = |pat: &String| glob_match(pat, &full);
        (self.include.is_empty() || self.include.iter().any(m)) && !self.exclude.iter().any(m)
    }
}

/// `*` matches one address part (`registry.terraform.io/hashicorp/*`).
fn glob_match(pattern: &str, addr: &str) -> bool {
    let Ok(p) = Address::parse(pattern.replace('*', "x-star-x").as_str()) else { return false };
    let Ok(a) = Address::parse(addr) else { return false };
    let part = |p: &str, a: &str| p == "x-star-x" || p == a;
    part(&p.hostname, &a.hostname) && part(&p.namespace, &a.namespace) && part(&p.type_name, &a.type_name)
}

/// Where providers come from, read from the CLI configuration.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub mirrors: Vec<Mirror>,
    /// Installation methods named in the configuration that plinth cannot
    /// use yet (`direct`, `network_mirror`), for the error message.
    pub unsupported: Vec<String>,
}

/// The CLI configuration file in use: `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`.
pub fn cli_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TF_CLI_CONFIG_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".terraformrc");
    p.is_file().then_some(p)
}

/// The provider sources for a working directory: the CLI configuration's
/// `provider_installation` block if it has one, else the implied local
/// mirror directories that exist (Terraform's list for Unix).
pub fn sources(workdir: &Path) -> Result<Sources, String> {
    if let Some(path) = cli_config_path() {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("Error reading the CLI configuration {}: {e}", path.display()))?;
        if let Some(s) = sources_from_cli_config(&path.display().to_string(), &text)? {
            return Ok(s);
        }
    }
    let mut dirs = vec![workdir.join("terraform.d/plugins")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".terraform.d/plugins"));
    }
    match std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        Some(x) => dirs.push(Path::new(&x).join("terraform/plugins")),
        None => {
            if let Some(home) = std::env::var_os("HOME") {
                dirs.push(Path::new(&home).join(".local/share/terraform/plugins"));
            }
        }
    }
    dirs.push(PathBuf::from("/usr/local/share/terraform/plugins"));
    dirs.push(PathBuf::from("/usr/share/terraform/plugins"));
    Ok(Sources { mirrors: dirs.into_iter().filter(|d| d.is_dir()).map(Mirror::new).collect(), unsupported: vec!["direct".into()] })
}

/// The `provider_installation` block of a CLI configuration, if any.
pub fn sources_from_cli_config(name: &str, text: &str) -> Result<Option<Sources>, String> {
    let mut files = Files::new();
    let id = files.add(name.to_string(), text.to_string());
    let (body, diags) = if name.ends_with(".json") {
        plinth_syntax::parse_json_file(id, files.text(id))
    } else {
        plinth_syntax::parse_file(id, files.text(id))
    };
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(format!("Invalid CLI configuration {name}: {}", d.summary));
    }
    let Some(pi) = body.blocks_of("provider_installation").next() else { return Ok(None) };
    let mut s = Sources::default();
    for b in &pi.body.blocks {
        let list = |b: &Body, n: &str| b.attribute(n).map(|a| strings(&a.expr)).unwrap_or_default();
        match b.kind.name.as_str() {
            "filesystem_mirror" => {
                let path =
                    b.body.attribute("path").and_then(|a| string(&a.expr)).ok_or_else(|| {
                        format!("Invalid CLI configuration {name}: a filesystem_mirror block requires a \"path\" argument.")
                    })?;
                s.mirrors.push(Mirror { path: PathBuf::from(path), include: list(&b.body, "include"), exclude: list(&b.body, "exclude") });
            }
            other => s.unsupported.push(other.to_string()),
        }
    }
    Ok(Some(s))
}

fn string(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Template(parts) => {
            let mut out = String::new();
            for p in parts {
                match p {
                    TemplatePart::Literal(s) => out.push_str(s),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn strings(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Tuple(items) => items.iter().filter_map(string).collect(),
        _ => Vec::new(),
    }
}

/// A package a mirror offers for this platform.
#[derive(Clone, Debug, PartialEq)]
pub enum Package {
    /// `HOST/NS/TYPE/VERSION/OS_ARCH/`
    Unpacked(PathBuf),
    /// `HOST/NS/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip`
    Packed(PathBuf),
}

impl Package {
    /// Terraform's `h1:` hash of the package's contents.
    pub fn hash(&self) -> Result<String, String> {
        match self {
            Package::Unpacked(d) => hash_dir(d),
            Package::Packed(z) => hash_zip(z),
        }
    }
}

/// Every version of `addr` the sources offer for `platform`, newest first.
pub fn available(sources: &Sources, addr: &Address, platform: &str) -> Vec<(Version, Package)> {
    let mut out: Vec<(Version, Package)> = Vec::new();
    for m in sources.mirrors.iter().filter(|m| m.matches(addr)) {
        let base = m.path.join(&addr.hostname).join(&addr.namespace).join(&addr.type_name);
        let Ok(entries) = std::fs::read_dir(&base) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let path = e.path();
            if path.is_dir() {
                if let Some(v) = Version::parse(&name) {
                    let pkg = path.join(platform);
                    if pkg.is_dir() && !out.iter().any(|(have, _)| *have == v) {
                        out.push((v, Package::Unpacked(pkg)));
                    }
                }
            } else if let Some(rest) = name.strip_prefix(&format!("terraform-provider-{}_", addr.type_name)) {
                if let Some(v) = rest.strip_suffix(&format!("_{platform}.zip")).and_then(Version::parse) {
                    if !out.iter().any(|(have, _)| *have == v) {
                        out.push((v, Package::Packed(path)));
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

/// Go's `dirhash.Hash1` over `(name, contents)` pairs: the SHA-256 of the
/// lines `"<sha256 hex>  <name>\n"` sorted by name, base64, prefixed `h1:`.
fn hash1(mut files: Vec<(String, Vec<u8>)>) -> Result<String, String> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Sha256::new();
    for (name, data) in &files {
        if name.contains('\n') {
            return Err("dirhash: filenames with newlines are not supported".into());
        }
        let h = Sha256::digest(data);
        summary.update(format!("{}  {name}\n", hex(&h)));
    }
    Ok(format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(summary.finalize())))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `h1:` of an unpacked package directory (symlinks followed, as Terraform does).
pub fn hash_dir(dir: &Path) -> Result<String, String> {
    let root = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> Result<(), String> {
        let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let ft = e.file_type().map_err(|e| e.to_string())?;
            if ft.is_dir() {
                walk(root, &p, out)?;
            } else {
                let rel = p.strip_prefix(root).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?));
            }
        }
        Ok(())
    }
    walk(&root, &root, &mut files)?;
    hash1(files)
}

/// `h1:` of a zip package: the same as of its unpacked contents.
pub fn hash_zip(path: &Path) -> Result<String, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut files = Vec::new();
    for i in 0..z.len() {
        let mut entry = z.by_index(i).map_err(|e| format!("{}: {e}", path.display()))?;
        if entry.is_dir() {
            continue;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((entry.name().to_string(), data));
    }
    hash1(files)
}

/// Where a package is installed in a working directory.
pub fn package_dir(workdir: &Path, addr: &Address, version: &Version, platform: &str) -> PathBuf {
    workdir
        .join(".terraform/providers")
        .join(&addr.hostname)
        .join(&addr.namespace)
        .join(&addr.type_name)
        .join(version.to_string())
        .join(platform)
}

/// Installs `pkg` at `dest` (replacing what is there): an unpacked mirror
/// directory is linked, as Terraform does, a zip is extracted.
pub fn install(pkg: &Package, dest: &Path) -> Result<(), String> {
    let parent = dest.parent().ok_or("invalid package directory")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    if let Ok(meta) = std::fs::symlink_metadata(dest) {
        let r = if meta.is_dir() { std::fs::remove_dir_all(dest) } else { std::fs::remove_file(dest) };
        r.map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    match pkg {
        Package::Unpacked(src) => {
            let src = std::fs::canonicalize(src).map_err(|e| format!("{}: {e}", src.display()))?;
            std::os::unix::fs::symlink(&src, dest).map_err(|e| format!("{}: {e}", dest.display()))
        }
        Package::Packed(zip_path) => {
            // Extract beside the destination, then rename, so that a failure
            // leaves no half-written package.
            let tmp = parent.join(format!(".{}.tmp", dest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()));
            let _ = std::fs::remove_dir_all(&tmp);
            let f = std::fs::File::open(zip_path).map_err(|e| format!("{}: {e}", zip_path.display()))?;
            let mut z = zip::ZipArchive::new(f).map_err(|e| format!("{}: {e}", zip_path.display()))?;
            z.extract(&tmp).map_err(|e| format!("extracting {}: {e}", zip_path.display()))?;
            std::fs::rename(&tmp, dest).map_err(|e| format!("{}: {e}", dest.display()))
        }
    }
}

/// The provider executable in an installed package: the file whose name
/// starts with `terraform-provider-TYPE`.
pub fn executable(dir: &Path, addr: &Address) -> Option<PathBuf> {
    let prefix = format!("terraform-provider-{}", addr.type_name);
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// One provider in the dependency lock file.
#[derive(Clone, Debug, PartialEq)]
pub struct Locked {
    pub version: Version,
    pub constraints: Option<String>,
    pub hashes: Vec<String>,
}

/// `.terraform.lock.hcl`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LockFile {
    pub providers: BTreeMap<Address, Locked>,
}

impl LockFile {
    pub fn read(workdir: &Path) -> Result<LockFile, String> {
        let path = workdir.join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LockFile::default()),
            Err(e) => return Err(format!("Failed to read dependency lock file: {e}")),
        };
        LockFile::parse(&text)
    }

    pub fn parse(text: &str) -> Result<LockFile, String> {
        let mut files = Files::new();
        let id = files.add(LOCK_FILE.to_string(), text.to_string());
        let (body, diags) = plinth_syntax::parse_file(id, files.text(id));
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(format!("Failed to read dependency lock file: {}", d.summary));
        }
        let mut out = LockFile::default();
        for b in body.blocks_of("provider") {
            let label = b
                .labels
                .first()
                .map(|l| l.value.clone())
                .ok_or("Failed to read dependency lock file: a provider block needs its address")?;
            let addr = Address::parse(&label)?;
            let version = b
                .body
                .attribute("version")
                .and_then(|a| string(&a.expr))
                .and_then(|v| Version::parse(&v))
                .ok_or_else(|| format!("Failed to read dependency lock file: the provider {label:?} has no valid version"))?;
            let constraints = b.body.attribute("constraints").and_then(|a| string(&a.expr));
            let hashes = b.body.attribute("hashes").map(|a| strings(&a.expr)).unwrap_or_default();
            out.providers.insert(addr, Locked { version, constraints, hashes });
        }
        Ok(out)
    }

    /// The file's text, formatted as Terraform writes it.
    pub fn render(&self) -> String {
        let mut s =
            String::from("# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n");
        for (addr, l) in &self.providers {
            s.push_str(&format!("\nprovider \"{addr}\" {{\n"));
            match &l.constraints {
                Some(c) => s.push_str(&format!("  version     = \"{}\"\n  constraints = \"{c}\"\n", l.version)),
                None => s.push_str(&format!("  version = \"{}\"\n", l.version)),
            }
            s.push_str("  hashes = [\n");
            for h in &l.hashes {
                s.push_str(&format!("    \"{h}\",\n"));
            }
            s.push_str("  ]\n}\n");
        }
        s
    }

    /// Writes the file atomically (a temporary file renamed over it).
    pub fn write(&self, workdir: &Path) -> Result<(), String> {
        let path = workdir.join(LOCK_FILE);
        let tmp = workdir.join(format!(".{LOCK_FILE}.tmp"));
        std::fs::write(&tmp, self.render()).map_err(|e| format!("Failed to write dependency lock file: {e}"))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("Failed to write dependency lock file: {e}"))
    }
}

/// A provider the configuration requires.
#[derive(Clone, Debug)]
pub struct Requirement {
    pub addr: Address,
    /// The version constraints of every module that names it, joined.
    pub constraints: Option<String>,
}

/// An `init` failure, as Terraform words it.
#[derive(Clone, Debug, PartialEq)]
pub struct InitError {
    pub summary: String,
    pub detail: String,
}

impl InitError {
    fn new(summary: impl Into<String>, detail: impl Into<String>) -> InitError {
        InitError { summary: summary.into(), detail: detail.into() }
    }
}

/// What [`resolve_providers`] chose: per provider its version, the mirror's
/// package, the lock file's hashes and constraints, and whether the package
/// already installed in `.terraform/providers` matches them.
pub struct Resolved {
    old: LockFile,
    chosen: Vec<Choice>,
}

/// One provider's resolution.
struct Choice {
    addr: Address,
    version: Version,
    pkg: Package,
    hashes: Vec<String>,
    constraints: Option<String>,
    /// The package in `.terraform/providers` is this one already.
    installed: bool,
}

/// Chooses a version of each required provider from `sources` and verifies
/// its package against the lock file, printing progress through `say`, and
/// changes nothing: an error leaves the working directory as it was. A
/// package already installed that matches the lock file is used as it is,
/// whatever the mirror now holds (as Terraform's "Using previously-installed").
pub fn resolve_providers(
    workdir: &Path,
    sources: &Sources,
    reqs: &[Requirement],
    upgrade: bool,
    say: &mut dyn FnMut(String),
) -> Result<Resolved, InitError> {
    let platform = platform();
    let old = LockFile::read(workdir).map_err(|e| InitError::new("Failed to read dependency lock file", e))?;
    let mut plan: Vec<Choice> = Vec::new();
    for r in reqs {
        let shown = r.addr.for_display();
        let constraints = match &r.constraints {
            Some(c) => Constraints::parse(c).map_err(|e| InitError::new("Invalid version constraint", e))?,
            None => Constraints::default(),
        };
        let lock_constraints = (!constraints.is_empty()).then(|| constraints.to_lock_string());
        let locked = old.providers.get(&r.addr).filter(|_| !upgrade);
        let offered = available(sources, &r.addr, &platform);
        let chosen = match locked {
            Some(l) => {
                say(format!("- Reusing previous version of {shown} from the dependency lock file"));
                if !constraints.allows(&l.version) {
                    return Err(InitError::new(
                        "Failed to query available provider packages",
                        format!(
                            "Could not retrieve the list of available versions for provider {shown}: locked provider {} {} does not match configured version constraint {}; must use terraform init -upgrade to allow selection of new versions",
                            r.addr,
                            l.version,
                            constraints.to_lock_string()
                        ),
                    ));
                }
                offered.into_iter().find(|(v, _)| *v == l.version)
            }
            None => {
                match &lock_constraints {
                    Some(c) => say(format!("- Finding {shown} versions matching \"{c}\"...")),
                    None => say(format!("- Finding latest version of {shown}...")),
                }
                offered.into_iter().find(|(v, _)| constraints.allows(v))
            }
        };
        let Some((version, pkg)) = chosen else {
            let searched: Vec<String> = sources.mirrors.iter().map(|m| format!("  - {}", m.path.display())).collect();
            let mut detail = format!(
                "Could not retrieve the list of available versions for provider {shown}: provider {} was not found in any of the search locations\n\n{}",
                r.addr,
                searched.join("\n")
            );
            if !sources.unsupported.is_empty() {
                detail.push_str(&format!(
                    "\n\nplinth installs providers only from filesystem mirrors so far; the CLI configuration's {} installation method is not supported yet.",
                    sources.unsupported.join(", ")
                ));
            }
            return Err(InitError::new("Failed to query available provider packages", detail));
        };
        let locked_hashes = old.providers.get(&r.addr).filter(|l| l.version == version).map(|l| l.hashes.clone()).unwrap_or_default();
        let cached = hash_dir(&package_dir(workdir, &r.addr, &version, &platform)).ok();
        if cached.as_ref().is_some_and(|h| locked_hashes.contains(h)) {
            plan.push(Choice { addr: r.addr.clone(), version, pkg, hashes: locked_hashes, constraints: lock_constraints, installed: true });
            continue;
        }
        let hash = pkg
            .hash()
            .map_err(|e| InitError::new("Failed to install provider", format!("Error while installing {shown} v{version}: {e}")))?;
        let mut hashes = vec![hash.clone()];
        if let Some(l) = old.providers.get(&r.addr).filter(|l| l.version == version) {
            if !l.hashes.is_empty() && !l.hashes.contains(&hash) {
                return Err(InitError::new(
                    "Failed to install provider",
                    format!(
                        "Error while installing {shown} v{version}: the local package for {} {version} doesn't match any of the checksums previously recorded in the dependency lock file (this might be because the available checksums are for packages targeting different platforms); for more information: https://developer.hashicorp.com/terraform/language/files/dependency-lock#checksum-verification",
                        r.addr
                    ),
                ));
            }
            hashes = l.hashes.clone();
        }
        hashes.sort();
        hashes.dedup();
        let installed = cached.as_ref().is_some_and(|h| hashes.contains(h));
        plan.push(Choice { addr: r.addr.clone(), version, pkg, hashes, constraints: lock_constraints, installed });
    }
    Ok(Resolved { old, chosen: plan })
}

/// Installs the required providers from `sources` into `workdir` and
/// updates the lock file, printing progress through `say`. Everything is
/// resolved and verified before anything is installed ([`resolve_providers`]),
/// so an error there leaves the working directory as it was.
pub fn init_providers(
    workdir: &Path,
    sources: &Sources,
    reqs: &[Requirement],
    upgrade: bool,
    say: &mut dyn FnMut(String),
) -> Result<LockFile, InitError> {
    let platform = platform();
    let Resolved { old, chosen } = resolve_providers(workdir, sources, reqs, upgrade, say)?;
    let mut lock = LockFile::default();
    for Choice { addr, version, pkg, hashes, constraints, installed: cached } in chosen {
        let shown = addr.for_display();
        let dest = package_dir(workdir, &addr, &version, &platform);
        if cached {
            say(format!("- Using previously-installed {shown} v{version}"));
        } else {
            say(format!("- Installing {shown} v{version}..."));
            install(&pkg, &dest)
                .map_err(|e| InitError::new("Failed to install provider", format!("Error while installing {shown} v{version}: {e}")))?;
            say(format!("- Installed {shown} v{version} (unauthenticated)"));
        }
        lock.providers.insert(addr, Locked { version, constraints, hashes });
    }
    if lock != old {
        lock.write(workdir).map_err(|e| InitError::new("Failed to write dependency lock file", e))?;
    }
    Ok(lock)
}

/// The executable of an installed provider, checked against the lock file
/// as Terraform checks before plan and apply.
pub fn installed(workdir: &Path, addr: &Address) -> Result<PathBuf, InitError> {
    let lock = LockFile::read(workdir).map_err(|e| InitError::new("Failed to read dependency lock file", e))?;
    let Some(l) = lock.providers.get(addr) else {
        return Err(InitError::new(
            "Inconsistent dependency lock file",
            format!("The following dependency selections recorded in the lock file are inconsistent with the current configuration:\n  - provider {addr}: required by this configuration but no version is selected\n\nTo make the initial dependency selections that will initialize the dependency lock file, run:\n  terraform init"),
        ));
    };
    let dir = package_dir(workdir, addr, &l.version, &platform());
    let not_installed = |why: String| {
        InitError::new(
            "Required plugins are not installed",
            format!("The installed provider plugins are not consistent with the packages selected in the dependency lock file:\n  - {addr}: {why}\n\nTerraform uses external plugins to integrate with a variety of different infrastructure services. To download the plugins required for this configuration, run:\n  terraform init"),
        )
    };
    let hash = hash_dir(&dir)
        .map_err(|_| not_installed(format!("there is no package for {addr} {} cached in .terraform/providers", l.version)))?;
    if !l.hashes.contains(&hash) {
        return Err(not_installed(format!(
            "the cached package for {addr} {} (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file",
            l.version
        )));
    }
    executable(&dir, addr).ok_or_else(|| {
        not_installed(format!("the cached package for {addr} {} has no terraform-provider-{} executable", l.version, addr.type_name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn addresses_and_constraints() {
        assert_eq!(Address::parse("null").unwrap().to_string(), "registry.terraform.io/hashicorp/null");
        assert_eq!(Address::parse("Local/Workato").unwrap().to_string(), "registry.terraform.io/local/workato");
        assert_eq!(Address::parse("example.com/a/b").unwrap().for_display(), "example.com/a/b");
        assert!(Address::parse("a/b/c/d").is_err());
        let c = Constraints::parse(">= 2.0").unwrap();
        assert!(c.allows(&v("2.1.2")) && !c.allows(&v("1.9.0")) && !c.allows(&v("3.0.0-beta1")));
        assert_eq!(c.to_lock_string(), ">= 2.0.0");
        let p = Constraints::parse("~> 2.1").unwrap();
        assert!(p.allows(&v("2.9.0")) && !p.allows(&v("3.0.0")) && !p.allows(&v("2.0.9")));
        let p = Constraints::parse("~> 2.1.0").unwrap();
        assert!(p.allows(&v("2.1.7")) && !p.allows(&v("2.2.0")));
        assert_eq!(Constraints::parse("2.1.2, != 2.1.3").unwrap().to_lock_string(), "2.1.2, != 2.1.3");
        assert!(Constraints::parse(">= banana").is_err());
        assert!(v("2.10.0") > v("2.9.1") && v("1.0.0") > v("1.0.0-rc1"));
    }

    #[test]
    fn the_h1_hash_is_dirhash_hash1() {
        // Two files, hashed in name order: the summary lines are
        // "<sha256(contents)>  <name>\n". Checked with Python's hashlib.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b"), b"world").unwrap();
        std::fs::write(dir.path().join("a"), b"hello").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/c"), b"").unwrap();
        let h = hash_dir(dir.path()).unwrap();
        let expected = {
            let mut s = Sha256::new();
            for (name, data) in [("a", &b"hello"[..]), ("b", b"world"), ("sub/c", b"")] {
                s.update(format!("{}  {name}\n", hex(&Sha256::digest(data))));
            }
            format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(s.finalize()))
        };
        assert_eq!(h, expected);
        assert_eq!(h, "h1:KY0oDOdA1tH1jnJbfk4tzrydWtJbbQQ663vXn398Ps8=");
    }

    #[test]
    fn lock_files_round_trip_in_terraforms_layout() {
        let text = "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n\nprovider \"registry.terraform.io/hashicorp/null\" {\n  version     = \"2.1.2\"\n  constraints = \">= 2.0.0\"\n  hashes = [\n    \"h1:CFnENdqQu4g3LJNevA32aDxcUz2qGkRGQpFfkI8TCdE=\",\n  ]\n}\n";
        let l = LockFile::parse(text).unwrap();
        let n = &l.providers[&Address::parse("hashicorp/null").unwrap()];
        assert_eq!(n.version, v("2.1.2"));
        assert_eq!(l.render(), text);
    }

    #[test]
    fn cli_configuration_mirrors() {
        let s = sources_from_cli_config(
            "x.tfrc",
            "provider_installation {\n  filesystem_mirror {\n    path = \"/m\"\n    include = [\"registry.terraform.io/hashicorp/*\"]\n  }\n  direct {\n    exclude = [\"registry.terraform.io/hashicorp/*\"]\n  }\n}\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.mirrors.len(), 1);
        assert!(s.mirrors[0].matches(&Address::parse("hashicorp/null").unwrap()));
        assert!(!s.mirrors[0].matches(&Address::parse("local/workato").unwrap()));
        assert_eq!(s.unsupported, vec!["direct".to_string()]);
        assert!(sources_from_cli_config("x.tfrc", "plugin_cache_dir = \"/x\"\n").unwrap().is_none());
    }

    #[test]
    fn mirrors_offer_packed_and_unpacked_packages() {
        let m = tempfile::tempdir().unwrap();
        let base = m.path().join("registry.terraform.io/hashicorp/null");
        std::fs::create_dir_all(base.join("2.1.2/linux_amd64")).unwrap();
        std::fs::write(base.join("2.1.2/linux_amd64/terraform-provider-null_v2.1.2_x4"), b"bin").unwrap();
        // A packed 3.0.0 holding the same file.
        let zpath = base.join("terraform-provider-null_3.0.0_linux_amd64.zip");
        {
            let mut w = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
            w.start_file("terraform-provider-null_v2.1.2_x4", zip::write::SimpleFileOptions::default().unix_permissions(0o755)).unwrap();
            std::io::Write::write_all(&mut w, b"bin").unwrap();
            w.finish().unwrap();
        }
        let sources = Sources { mirrors: vec![Mirror::new(m.path())], unsupported: vec![] };
        let addr = Address::parse("hashicorp/null").unwrap();
        let found = available(&sources, &addr, "linux_amd64");
        assert_eq!(found.iter().map(|(v, _)| v.to_string()).collect::<Vec<_>>(), vec!["3.0.0", "2.1.2"]);
        // The zip hashes as its contents do.
        assert_eq!(found[0].1.hash().unwrap(), found[1].1.hash().unwrap());
        let wd = tempfile::tempdir().unwrap();
        for (ver, pkg) in &found {
            let dest = package_dir(wd.path(), &addr, ver, "linux_amd64");
            install(pkg, &dest).unwrap();
            let exe = executable(&dest, &addr).unwrap();
            assert_eq!(std::fs::read(&exe).unwrap(), b"bin");
            assert_eq!(hash_dir(&dest).unwrap(), pkg.hash().unwrap());
        }
        assert!(available(&sources, &addr, "darwin_arm64").is_empty());
    }
}
