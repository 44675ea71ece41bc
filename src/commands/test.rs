//! `plinth test`: flags to [`plinth_test::Options`] and the binary's
//! providers; the framework itself is the `plinth-test` crate.

use std::path::Path;

use crate::args::Args;

pub fn run(dir: &Path, args: &Args) -> u8 {
    let mut variables = Vec::new();
    for (is_file, v) in args.var_sources() {
        if is_file {
            variables.push(plinth_test::VarArg::File(v.into()));
            continue;
        }
        match v.split_once('=') {
            Some((k, val)) => variables.push(plinth_test::VarArg::Var(k.to_string(), val.to_string())),
            None => {
                eprintln!("\nError: Invalid -var option\n\nThe given -var option {v:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\".");
                return 1;
            }
        }
    }
    // Terraform's test command takes any -parallelism (0 and below run one at a time).
    let parallelism = usize::try_from(args.int_or("parallelism", 10)).unwrap_or(1).max(1);
    let opts = plinth_test::Options {
        dir: dir.to_path_buf(),
        test_directory: args.flag("test-directory").unwrap_or("tests").to_string(),
        filter: args.all("filter").into_iter().map(str::to_string).collect(),
        variables,
        verbose: args.bool("verbose"),
        json: args.bool("json"),
        junit_xml: args.flag("junit-xml").map(Into::into),
        color: crate::ui::use_color(args.bool("no-color")),
        parallelism,
        render_plan: Some(Box::new(|plan, providers, color| {
            let schema_of = crate::commands::run::schema_lookup(providers);
            crate::ui::plan::render(plan, &schema_of, &crate::ui::Paint { color })
        })),
    };
    // Plugin providers the module requires (installed by `init`); a module
    // that does not load is reported by the test run itself.
    let reqs = {
        let mut files = plinth_syntax::Files::new();
        let (tree, _) = plinth_engine::tree::load_tree(dir, &mut files);
        crate::plugins::requirements(&tree).unwrap_or_default()
    };
    let make = || {
        let mut p = crate::workdir::providers_for(dir);
        crate::plugins::register(&mut p, dir, &reqs);
        p
    };
    plinth_test::run_tests(&opts, &make, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
}
