//! `output` and `show`: what the state records.

use std::path::Path;

use plinth_state::{OutputState, State};
use plinth_value::Type;

use crate::args::Args;
use crate::{ui, workdir};

fn read_state(dir: &Path, args: &Args) -> Result<State, u8> {
    let color = ui::use_color(args.bool("no-color"));
    let (wd, diags) = workdir::load(dir);
    let mut backend = match wd.backend() {
        Ok(b) => b,
        Err(d) => {
            ui::print_diags(&wd.files, &[d], color);
            return Err(1);
        }
    };
    let _ = diags;
    match backend.read(&wd.workspace()) {
        Ok(s) => Ok(s.unwrap_or_else(State::new)),
        Err(e) => {
            eprintln!("\nError: Failed to load state\n\n{e}");
            Err(1)
        }
    }
}

fn typed(o: &OutputState) -> plinth_value::Value {
    let ty = plinth_value::type_from_json(&o.ty).unwrap_or(Type::Dynamic);
    plinth_value::value_from_json(&o.value, &ty).unwrap_or_else(|_| plinth_value::Value::dynamic_null())
}

/// An output as `apply` and `output NAME` print it.
pub fn display_output(o: &OutputState) -> String {
    if o.sensitive {
        return "<sensitive>".into();
    }
    plinth_value::display_value(&typed(o))
}

pub fn run(dir: &Path, args: &Args) -> u8 {
    let state = match read_state(dir, args) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let name = args.positional.first();
    if args.bool("json") {
        let render = |o: &OutputState| serde_json::json!({"sensitive": o.sensitive, "type": o.ty, "value": o.value});
        let v = match name {
            Some(n) => match state.outputs.get(n) {
                Some(o) => o.value.clone(),
                None => return missing(n),
            },
            None => serde_json::Value::Object(state.outputs.iter().map(|(k, o)| (k.clone(), render(o))).collect()),
        };
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    if state.outputs.is_empty() {
        // Terraform warns (and -raw, meant for machines, says nothing); both exit 0.
        if !args.bool("raw") {
            eprintln!("{NO_OUTPUTS}");
        }
        return 0;
    }
    match name {
        Some(n) => match state.outputs.get(n) {
            Some(o) if args.bool("raw") => {
                let v = typed(o);
                match plinth_value::convert(&v, &Type::String) {
                    Ok(s) if s.as_str().is_some() => {
                        print!("{}", s.as_str().unwrap_or_default());
                        0
                    }
                    _ => {
                        eprintln!("\nError: Unsupported value for raw output\n\nThe -raw option only supports strings, numbers, and boolean values, but output value {n:?} is {}.", v.ty().friendly_name());
                        1
                    }
                }
            }
            Some(o) => {
                println!("{}", plinth_value::display_value(&typed(o)));
                0
            }
            None => missing(n),
        },
        None => {
            for (k, o) in &state.outputs {
                println!("{k} = {}", display_output(o));
            }
            0
        }
    }
}

const NO_OUTPUTS: &str = "\nWarning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `plinth refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `plinth console` command to assist.";

fn missing(n: &str) -> u8 {
    eprintln!("\nError: Output {n:?} not found\n\nThe output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `plinth apply`, since the state won't be updated with new output variables until that command is run.");
    1
}

pub fn show(dir: &Path, args: &Args) -> u8 {
    if let Some(f) = args.positional.first() {
        let path = Path::new(f);
        // A saved plan, or a state file, as Terraform's `show FILE` reads either.
        if let Ok(sp) = super::planfile::read(path) {
            if args.bool("json") {
                println!("{}", serde_json::to_string(&sp.doc["plan"]).unwrap_or_default());
            } else {
                print!("{}", sp.doc["rendered"].as_str().unwrap_or_default());
            }
            return 0;
        }
        match std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| plinth_state::statefile::read_state(&b).map_err(|e| e.to_string()))
        {
            Ok(state) if args.bool("json") => {
                println!("{}", serde_json::to_string(&ui::json::state_json(&state)).unwrap_or_default());
                return 0;
            }
            Ok(state) => return show_state(dir, &state, args),
            Err(e) => {
                eprintln!("\nError: Failed to read the given file as a state or plan file\n\n{e}");
                return 1;
            }
        }
    }
    let state = match read_state(dir, args) {
        Ok(s) => s,
        Err(c) => return c,
    };
    if args.bool("json") {
        println!("{}", serde_json::to_string(&ui::json::state_json(&state)).unwrap_or_default());
        return 0;
    }
    show_state(dir, &state, args)
}

fn show_state(dir: &Path, state: &State, args: &Args) -> u8 {
    if state.is_empty() && state.outputs.is_empty() {
        println!("No state.");
        return 0;
    }
    let (wd, _) = workdir::load(dir);
    let providers = wd.providers();
    let schema_of = schema_lookup(&providers);
    print!("{}", ui::state::render_state(state, &schema_of, &ui::Paint { color: ui::use_color(args.bool("no-color")) }));
    0
}

/// The schema of a stored instance's resource type, from the providers its
/// provider address names.
pub fn schema_lookup<'p>(
    providers: &'p plinth_engine::Providers,
) -> impl Fn(&plinth_state::AbsResourceInstance, &str) -> Option<&'p plinth_provider::BlockSchema> + 'p {
    move |addr, paddr| {
        let r = &addr.resource.resource;
        let name =
            plinth_engine::walk::provider_name_from_addr(paddr).unwrap_or_else(|| plinth_engine::walk::provider_local_name(&r.type_name));
        let p = providers.provider(&name)?;
        let map = if r.mode == plinth_state::ResourceMode::Data { &p.schema().data_sources } else { &p.schema().resources };
        map.get(&r.type_name).map(|s| &s.block)
    }
}
