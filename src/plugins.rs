//! Which providers run as Terraform plugins, and wiring them in.
//!
//! The built-in providers (`terraform`, `aws`, `kubernetes`, `random`, `tls`)
//! stay the default for their addresses. Every other provider the
//! configuration requires — in `required_providers`, or implied by a
//! resource type's prefix (`null_resource` → `hashicorp/null`) — is a plugin,
//! installed by `init` into `.terraform/providers` and started by the run that
//! first needs it. `PLINTH_PLUGIN_PROVIDERS` (comma-separated source
//! addresses, e.g. `hashicorp/random`) makes plinth use the plugin for an
//! address that also has a built-in provider.

use std::collections::BTreeMap;
use std::path::Path;

use plinth_engine::tree::ConfigTree;
use plinth_provider_plugin::install::{Address, Requirement};

/// The built-in providers' source addresses, by their usual local name.
pub fn native_sources() -> [(&'static str, &'static str); 5] {
    [
        ("terraform", plinth_builtin::SOURCE),
        ("kubernetes", plinth_provider_kubernetes::SOURCE),
        ("tls", plinth_provider_tls::SOURCE),
        ("random", plinth_provider_random::SOURCE),
        ("aws", plinth_provider_aws::SOURCE),
    ]
}

/// Addresses the user asked to run as plugins although plinth has them built in.
fn opted_in() -> Vec<Address> {
    std::env::var("PLINTH_PLUGIN_PROVIDERS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| Address::parse(s).ok())
        .collect()
}

/// Whether `addr` is served by a built-in provider in this run.
pub fn is_native(addr: &Address) -> bool {
    let full = addr.to_string();
    native_sources().iter().any(|(_, s)| *s == full) && !opted_in().contains(addr)
}

/// The providers the configuration requires that run as plugins, by local
/// name (the name resources use), with every module's constraints joined.
pub fn requirements(tree: &ConfigTree) -> Result<BTreeMap<String, Requirement>, String> {
    let mut out: BTreeMap<String, Requirement> = BTreeMap::new();
    fn add(out: &mut BTreeMap<String, Requirement>, local: &str, addr: Address, constraints: Option<&str>) {
        if is_native(&addr) {
            return;
        }
        let r = out.entry(local.to_string()).or_insert_with(|| Requirement { addr: addr.clone(), constraints: None });
        if let Some(c) = constraints.filter(|c| !c.trim().is_empty()) {
            r.constraints = Some(match &r.constraints {
                Some(have) if have != c => format!("{have}, {c}"),
                _ => c.to_string(),
            });
        }
    }
    let natives = native_sources();
    for m in &tree.modules {
        for (local, (source, version)) in &m.module.terraform.required_providers {
            let addr = match source {
                Some(s) => Address::parse(s)?,
                None => implied(local, &natives)?,
            };
            add(&mut out, local, addr, version.as_deref());
        }
    }
    for m in &tree.modules {
        let declared = &m.module.terraform.required_providers;
        let locals = m
            .module
            .resources
            .values()
            .map(|r| plinth_engine::walk::provider_local(r).to_string())
            .chain(m.module.providers.iter().map(|p| p.name.clone()));
        for local in locals {
            if declared.contains_key(&local) || out.contains_key(&local) {
                continue;
            }
            add(&mut out, &local, implied(&local, &natives)?, None);
        }
    }
    Ok(out)
}

/// The address a local name implies when `required_providers` does not say:
/// the built-in provider's for its own names, else `hashicorp/<name>`.
fn implied(local: &str, natives: &[(&str, &str)]) -> Result<Address, String> {
    match natives.iter().find(|(n, _)| *n == local) {
        Some((_, s)) if *s == plinth_builtin::SOURCE => {
            Ok(Address { hostname: "terraform.io".into(), namespace: "builtin".into(), type_name: "terraform".into() })
        }
        Some((_, s)) => Address::parse(s),
        None => Address::parse(local),
    }
}

/// Registers a plugin provider for each requirement: started on first use
/// from the package `init` installed, or failing with the reason it cannot.
pub fn register(p: &mut plinth_engine::Providers, dir: &Path, reqs: &BTreeMap<String, Requirement>) {
    for (local, r) in reqs {
        let dir = dir.to_path_buf();
        let addr = r.addr.clone();
        p.add_lazy(local, &addr.to_string(), move || -> std::sync::Arc<dyn plinth_provider::Provider> {
            match plinth_provider_plugin::install::installed(&dir, &addr) {
                Ok(exe) => std::sync::Arc::new(plinth_provider_plugin::PluginProvider::start(
                    plinth_provider_plugin::PluginConfig::new(addr.to_string(), exe),
                    plinth_provider_plugin::Log::from_env(),
                )),
                Err(e) => std::sync::Arc::new(plinth_provider_plugin::PluginProvider::unavailable(addr.to_string(), e.summary, e.detail)),
            }
        });
    }
}
