//! `cargo run -p plinth-test --example tftest -- DIR [-verbose] [-json] [-junit-xml=F] [-filter=F]`:
//! `plinth test` with only the built-in `terraform` provider, for trying test
//! files without building the binary.

use std::sync::Arc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let mut opts = plinth_test::Options {
        dir: dir.clone(),
        test_directory: "tests".into(),
        filter: Vec::new(),
        variables: Vec::new(),
        verbose: false,
        json: false,
        junit_xml: None,
        color: false,
        parallelism: 10,
        render_plan: None,
    };
    for a in args {
        if a == "-verbose" {
            opts.verbose = true;
        } else if a == "-json" {
            opts.json = true;
        } else if let Some(f) = a.strip_prefix("-junit-xml=") {
            opts.junit_xml = Some(f.into());
        } else if let Some(f) = a.strip_prefix("-filter=") {
            opts.filter.push(f.into());
        } else if let Some(v) = a.strip_prefix("-var=") {
            if let Some((k, v)) = v.split_once('=') {
                opts.variables.push(plinth_test::VarArg::Var(k.into(), v.into()));
            }
        }
    }
    if std::env::set_current_dir(&dir).is_ok() {
        opts.dir = ".".into();
    }
    let make = || {
        let mut p = plinth_engine::Providers::new();
        p.add("terraform", plinth_builtin::SOURCE, Arc::new(plinth_builtin::TerraformProvider::new()));
        p
    };
    let code = plinth_test::run_tests(&opts, &make, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(i32::from(code));
}
