//! `import ADDRESS ID`: brings an existing object under management by asking
//! its provider to read it by ID, and records it in state.

use std::path::Path;

use plinth_engine::Context;
use plinth_state::{AbsResourceInstance, InstanceObject, State};
use plinth_syntax::Diagnostic;

use crate::args::Args;
use crate::commands::run::load_run;
use crate::ui;

pub fn run(dir: &Path, args: &Args) -> u8 {
    let [addr, id] = args.positional.as_slice() else {
        eprintln!("The import command expects two arguments.\nUsage: plinth [global options] import [options] ADDR ID");
        return 1;
    };
    let addr: AbsResourceInstance = match addr.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("\nError: Invalid address\n\n{addr}: {e}");
            return 1;
        }
    };
    let mut run = match load_run(dir, args, "OperationTypeApply", true) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let color = run.color;
    if run.state.current(&addr).is_some() {
        eprintln!("\nError: Resource already managed by plinth\n\nplinth is already managing a remote object for {addr}. To import to this address you must first remove the existing object from the state.");
        return 1;
    }
    // The resource must be configured, in the module the address names.
    let module = run.wd.tree.modules.iter().find(|m| {
        let steps = addr.resource.module.steps();
        m.path.len() == steps.len() && m.path.iter().zip(steps).all(|(p, s)| *p == s.name)
    });
    let key = format!("{}.{}", addr.resource.resource.type_name, addr.resource.resource.name);
    let Some(rc) = module.and_then(|m| m.module.resources.get(&key)).cloned() else {
        eprintln!("\nError: Configuration for import target does not exist\n\nThe configuration for the given import target {addr} does not exist. All target instances must have an associated configuration to be imported.");
        return 1;
    };
    let providers = run.wd.providers();
    let local = rc.provider.as_ref().map(|(n, _)| n.clone()).unwrap_or_else(|| plinth_engine::walk::provider_local_name(&rc.type_name));
    let Some((provider, paddr)) = providers.get(&local) else {
        eprintln!("\nError: Missing required provider\n\nThis configuration requires provider {local:?}, which plinth does not include.");
        return 1;
    };
    let ctx = Context {
        tree: &run.wd.tree,
        graph: &run.graph,
        providers: &providers,
        inputs: &run.inputs,
        workspace: &run.workspace,
        root_dir: run.wd.dir.clone(),
        files: &run.wd.files,
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let diags = rt.block_on(plinth_engine::configure_providers(&ctx, &run.state));
    if diags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&run.wd.files, &diags, color);
        return 1;
    }
    println!("{}: Importing from ID {id:?}...", ui::bold(&addr.to_string(), color));
    let value = match rt.block_on(provider.import_resource(&rc.type_name, id)) {
        Ok(v) => v,
        Err(e) => {
            let d = plinth_engine::walk::provider_diag(&addr, e, rc.decl_span);
            ui::print_diags(&run.wd.files, &[d], color);
            return 1;
        }
    };
    println!("{}: Import prepared!\n  Prepared {} for import", ui::bold(&addr.to_string(), color), rc.type_name);
    let mut state: State = run.state.clone();
    let ty = provider.schema().resources.get(&rc.type_name).map(|s| s.block.implied_type()).unwrap_or(plinth_value::Type::Dynamic);
    let mut obj = InstanceObject::new(plinth_engine::statevals::object_to_state_json(&value, &ty));
    obj.schema_version = provider.schema().resources.get(&rc.type_name).map(|s| s.version).unwrap_or(0);
    state.set_current(&addr, Some(obj), &paddr);
    state.bump_serial();
    if let Err(e) = run.backend.write(&run.workspace, &state) {
        eprintln!("\nError: Failed to persist state\n\n{e}");
        return 1;
    }
    println!(
        "\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour plinth state and will henceforth be managed by plinth.",
        ui::bold("Import successful!", color)
    );
    0
}
