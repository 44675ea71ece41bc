//! `init`: checks the configuration and its modules and prepares `.terraform/`.

use std::path::Path;

use plinth_syntax::Diagnostic;

use crate::args::Args;
use crate::{ui, workdir};

pub fn run(dir: &Path, args: &Args) -> u8 {
    let color = ui::use_color(args.bool("no-color"));
    let (wd, diags) = workdir::load(dir);
    if diags.iter().any(Diagnostic::is_error) {
        ui::print_diags(&wd.files, &diags, color);
        eprintln!("\nError: plinth encountered problems during initialisation.");
        return 1;
    }
    if let Err(d) = wd.backend() {
        ui::print_diags(&wd.files, &[d], color);
        return 1;
    }
    if let Err(e) = std::fs::create_dir_all(dir.join(".terraform")) {
        eprintln!("\nError: Failed to create .terraform directory: {e}");
        return 1;
    }
    if wd.tree.modules.len() > 1 {
        println!("Initializing modules...");
    }
    println!("\nInitializing the backend...\n\nInitializing provider plugins...\n");
    println!("{}", ui::bold("plinth has been successfully initialized!", color));
    ui::print_diags(&wd.files, &diags, color);
    0
}
