//! `providers schema -json`: the schemas of the plugin providers the
//! configuration requires, printed as `terraform providers schema -json`
//! prints them (each provider started from the package `init` installed and
//! the lock file verified, asked for its schema and stopped).
//!
//! Not yet: the built-in providers' schemas (they have no descriptions to
//! print; a configuration that requires one gets a warning naming it), and
//! `providers` without a subcommand, `providers lock` and `providers mirror`.

use std::collections::BTreeMap;
use std::path::Path;

use plinth_provider_plugin::{install, schema_json, Log, PluginConfig, PluginProvider};
use plinth_syntax::Diagnostic;

use crate::args::Args;
use crate::{ui, workdir};

pub fn run(dir: &Path, args: &Args) -> u8 {
    match args.positional.first().map(String::as_str) {
        Some("schema") => schema(dir, args),
        Some(other) => {
            eprintln!("plinth has no command named \"providers {other}\". plinth implements \"providers schema -json\" so far.");
            1
        }
        None => {
            eprintln!("plinth implements \"providers schema -json\" so far; \"providers\" without a subcommand is not implemented yet.");
            1
        }
    }
}

fn schema(dir: &Path, args: &Args) -> u8 {
    let color = ui::use_color(false);
    let fail = |files: &plinth_syntax::Files, d: Diagnostic| {
        ui::print_diags(files, &[d], color);
        1
    };
    if !args.bool("json") {
        return fail(
            &plinth_syntax::Files::new(),
            Diagnostic::error("The -json flag is required", "The `plinth providers schema` command requires the `-json` flag."),
        );
    }
    if let Some(extra) = args.positional.get(1) {
        return fail(
            &plinth_syntax::Files::new(),
            Diagnostic::error("Unexpected argument", format!("The providers schema command takes no arguments, but {extra:?} was given.")),
        );
    }
    let (wd, diags) = workdir::load(dir);
    if diags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &diags, color);
        return 1;
    }
    let reqs = match crate::plugins::requirements(&wd.tree) {
        Ok(r) => r,
        Err(e) => return fail(&wd.files, Diagnostic::error("Invalid provider source address", e)),
    };
    let mut addrs: BTreeMap<String, install::Address> = BTreeMap::new();
    for r in reqs.into_values() {
        addrs.insert(r.addr.to_string(), r.addr);
    }
    let builtin = builtin_required(&wd.tree);
    if !builtin.is_empty() {
        let d = Diagnostic::warning(
            "Built-in providers left out",
            format!("plinth prints the schemas of plugin providers only so far; left out: {}.", builtin.join(", ")),
        );
        ui::print_diags(&wd.files, &[d], color);
    }
    let mut schemas = BTreeMap::new();
    for (name, addr) in addrs {
        let exe = match install::installed(dir, &addr) {
            Ok(e) => e,
            Err(e) => return fail(&wd.files, Diagnostic::error(e.summary, e.detail)),
        };
        let p = PluginProvider::start(PluginConfig::new(name.clone(), exe), Log::from_env());
        let started = p.start_error().cloned();
        p.stop();
        if let Some(e) = started {
            return fail(&wd.files, Diagnostic::error(e.summary, e.detail));
        }
        schemas.insert(name, p.raw_schema().clone());
    }
    println!("{}", schema_json::go_json(&schema_json::providers_json(&schemas)));
    0
}

/// The built-in providers' addresses the configuration uses (its resources'
/// and provider blocks' local names, or its `required_providers`).
fn builtin_required(tree: &plinth_engine::tree::ConfigTree) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in &tree.modules {
        let declared = m.module.terraform.required_providers.iter().map(|(l, (s, _))| (l.clone(), s.clone()));
        let used = m
            .module
            .resources
            .values()
            .map(|r| plinth_engine::walk::provider_local(r).to_string())
            .chain(m.module.providers.iter().map(|p| p.name.clone()))
            .map(|l| (l, None));
        for (local, source) in declared.chain(used) {
            let addr = match source {
                Some(s) => install::Address::parse(&s).ok(),
                None => {
                    crate::plugins::native_sources().iter().find(|(n, _)| *n == local).and_then(|(_, s)| install::Address::parse(s).ok())
                }
            };
            if let Some(a) = addr.filter(crate::plugins::is_native) {
                let s = a.to_string();
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    out
}
