//! The hostile-input corpus: generated module directories in six classes —
//! malformed files, invalid configurations, hostile values, recursion
//! depth, sizes, encodings — each
//! with what must happen (a plan, or an error with Terraform's summary at a
//! file and line, or at least no crash and only located errors). The
//! `hostile` test runs each case through [`crate::cli::run_dir`] in a
//! `plinth-fuzz --run-dir` subprocess, so that a stack overflow or abort is a
//! finding rather than the end of the test run, and bounds its time.

/// What a case must do.
#[derive(Clone, Debug)]
pub enum Expect {
    /// Plans without errors.
    Plans,
    /// Reports an error with this summary whose subject is at `file:line`.
    ErrorAt(&'static str, &'static str, usize),
    /// Reports an error with this summary (Terraform gives no source line:
    /// `<value for var.x>` and the like).
    Error(&'static str),
    /// Either, but every error carries a file and line.
    Located,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub class: &'static str,
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
    /// `-var NAME=VALUE`
    pub vars: Vec<(String, String)>,
    /// Set up beside the files: a FIFO (`fifo`), a symlink loop (`loop/`).
    pub special: Vec<&'static str>,
    pub expect: Expect,
}

fn case(class: &'static str, name: impl Into<String>, main: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case { class, name: name.into(), files: vec![("main.tf".into(), main.into())], vars: vec![], special: vec![], expect }
}

fn output(expr: &str) -> String {
    format!("output \"o\" {{\n  value = {expr}\n}}\n")
}

/// Every case, in a fixed order.
pub fn corpus() -> Vec<Case> {
    let mut out = Vec::new();
    depth(&mut out);
    values(&mut out);
    malformed(&mut out);
    invalid(&mut out);
    sizes(&mut out);
    encodings(&mut out);
    out
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

fn depth(out: &mut Vec<Case>) {
    // Syntax nesting: the parser refuses past its depth, with a location.
    let syntax: &[(&str, fn(usize) -> String)] = &[
        ("parens", |n| format!("{}1{}", rep("(", n), rep(")", n))),
        ("tuples", |n| format!("{}{}", rep("[", n), rep("]", n))),
        ("objects", |n| format!("{}1{}", rep("{a=", n), rep("}", n))),
        ("calls", |n| format!("{}1{}", rep("abs(", n), rep(")", n))),
        ("negations", |n| format!("{}1", rep("-", n))),
        ("nots", |n| format!("{}true", rep("!", n))),
        ("sums", |n| format!("1{}", rep(" + 1", n))),
        ("conditionals", |n| format!("{}1{}", rep("true ? ", n), rep(" : 2", n))),
        ("interpolations", |n| format!("{}1{}", rep("\"${", n), rep("}\"", n))),
        ("if_directives", |n| format!("\"{}x{}\"", rep("%{if true}", n), rep("%{endif}", n))),
        ("for_directives", |n| format!("\"{}x{}\"", rep("%{for x in [1]}", n), rep("%{endfor}", n))),
        ("for_exprs", |n| format!("{}[1]{}", rep("[for x in ", n), rep(" : x]", n))),
        ("indexes", |n| format!("{}1{}", rep("[", n), rep("][0]", n))),
        ("attrs", |n| format!("{{a=1}}{}", rep(".a", n))),
    ];
    for (name, make) in syntax {
        // (100,000 nested directives take more than 30 s: left for later.)
        let deepest = if name.ends_with("_directives") { 20_000 } else { 100_000 };
        for n in [1usize, 10, 60, 127, 128, 129, 1000, 20_000, deepest] {
            let expect = if n <= 10 { Expect::Plans } else { Expect::Located };
            // `.a` past the first is an error (a number has no attributes).
            let expect = if *name == "attrs" && n > 1 { Expect::Located } else { expect };
            out.push(case("depth", format!("{name}_{n}"), output(&make(n)), expect));
        }
    }
    // Nested blocks.
    for n in [10usize, 200, 50_000] {
        let body = format!("{}{}", rep("a {\n", n), rep("}\n", n));
        out.push(case("depth", format!("blocks_{n}"), format!("resource \"terraform_data\" \"x\" {{\n{body}}}\n"), Expect::Located));
    }
    // Decoded values: Terraform reads 10,001 levels of JSON and refuses 10,002.
    let arrays = |n: usize| format!("{}{}", rep("[", n), rep("]", n));
    let objects = |n: usize| format!("{}1{}", rep("{\\\"a\\\":", n), rep("}", n));
    for n in [100usize, 5_000, 10_001] {
        for (f, wrap) in [
            ("length", "length(jsondecode(\"{}\"))"),
            ("jsonencode", "jsonencode(jsondecode(\"{}\"))"),
            ("flatten", "flatten(jsondecode(\"{}\"))"),
            ("tostring_type", "type(jsondecode(\"{}\")) == null"),
            ("yamlencode", "length(yamlencode(jsondecode(\"{}\")))"),
            ("tolist", "length(tolist([jsondecode(\"{}\")]))"),
        ] {
            out.push(case("depth", format!("json_arrays_{f}_{n}"), output(&wrap.replace("{}", &arrays(n))), Expect::Located));
        }
        out.push(case("depth", format!("json_objects_{n}"), output(&format!("length(jsondecode(\"{}\"))", objects(n))), Expect::Plans));
    }
    for n in [10_002usize, 100_000, 1_000_000] {
        out.push(case(
            "depth",
            format!("json_arrays_refused_{n}"),
            output(&format!("jsondecode(\"{}\")", arrays(n))),
            Expect::ErrorAt("Error in function call", "main.tf", 2),
        ));
        out.push(case(
            "depth",
            format!("json_objects_refused_{n}"),
            output(&format!("jsondecode(\"{}\")", objects(n))),
            Expect::ErrorAt("Error in function call", "main.tf", 2),
        ));
    }
    for n in [100usize, 10_000, 100_000] {
        out.push(case("depth", format!("yaml_flow_{n}"), output(&format!("yamldecode(\"{}\")", arrays(n))), Expect::Located));
        let block: String = (0..n.min(2000)).map(|i| format!("{}- \\n", " ".repeat(i * 2))).collect();
        out.push(case("depth", format!("yaml_block_{n}"), output(&format!("yamldecode(\"{block}\")")), Expect::Located));
    }
    // A chain of locals, each one level deeper than the last.
    for n in [100usize, 1000] {
        let mut src = String::from("locals {\n  l0 = 1\n");
        for i in 1..=n {
            src.push_str(&format!("  l{i} = [local.l{}]\n", i - 1));
        }
        src.push_str("}\n");
        src.push_str(&output(&format!("[jsonencode(local.l{n}), length(flatten(local.l{n})), local.l{n} == local.l{n}]")));
        out.push(case("depth", format!("local_chain_{n}"), src, Expect::Plans));
    }
    // Templates that include themselves.
    let mut c = case(
        "depth",
        "templatefile_self",
        output("templatefile(\"self.tpl\", {})"),
        Expect::ErrorAt("Error in function call", "main.tf", 2),
    );
    c.files.push(("self.tpl".into(), b"x${templatefile(\"self.tpl\", {})}".to_vec()));
    out.push(c);
    let mut c = case(
        "depth",
        "templatefile_mutual",
        output("templatefile(\"a.tpl\", {})"),
        Expect::ErrorAt("Error in function call", "main.tf", 2),
    );
    c.files.push(("a.tpl".into(), b"${templatefile(\"b.tpl\", {})}".to_vec()));
    c.files.push(("b.tpl".into(), b"${templatefile(\"a.tpl\", {})}".to_vec()));
    out.push(c);
    let mut c = case(
        "depth",
        "templatestring_in_template",
        output("templatefile(\"t.tpl\", {})"),
        Expect::ErrorAt("Error in function call", "main.tf", 2),
    );
    c.files.push(("t.tpl".into(), b"${templatestring(\"a\", {})}".to_vec()));
    out.push(c);
    // Modules that call themselves.
    let mut c = case("depth", "module_self_call", "module \"m\" {\n  source = \"./\"\n}\n", Expect::Located);
    c.files.push(("x.tf".into(), b"output \"o\" {\n  value = 1\n}\n".to_vec()));
    out.push(c);
}

fn values(out: &mut Vec<Case>) {
    let decl = "variable \"o\" {\n  type = any\n  default = null\n}\nvariable \"m\" {\n  type = map(string)\n  default = {}\n}\nvariable \"s\" {\n  type = string\n  default = \"\"\n}\noutput \"o\" {\n  value = [var.o, var.m, var.s]\n}\n";
    let var_case = |name: &str, var: &str, val: &str, expect: Expect| {
        let mut c = case("values", format!("var_{name}"), decl, expect);
        c.vars.push((var.into(), val.into()));
        c
    };
    // -var values are literals.
    for (name, val) in [
        ("file_call", "{a=file(\"/etc/hostname\")}"),
        ("upper_call", "[upper(\"a\")]"),
        ("nested_call", "{a={b=[1, abs(-1)]}}"),
        ("template_call", "[\"${upper(\"b\")}\"]"),
        ("try_call", "[try(1, 2)]"),
        ("templatefile_call", "[templatefile(\"x\", {})]"),
    ] {
        out.push(var_case(name, "o", val, Expect::Error("Function calls not allowed")));
    }
    for (name, val) in [("reference", "{a=var.s}"), ("path_module", "[path.module]"), ("local", "[local.x]"), ("splat", "[var.m[*]]")] {
        out.push(var_case(name, "o", val, Expect::Error("Variables not allowed")));
    }
    for (name, val) in [
        ("for", "[for x in [1, 2] : x * 2]"),
        ("conditional", "true ? [1] : [2]"),
        ("template", "[\"a${1 + 1}\"]"),
        ("heredoc", "[<<EOT\nx\nEOT\n]"),
        ("big_number", "[1e999999]"),
        ("long_string", &format!("[\"{}\"]", "x".repeat(100_000))),
        ("many_items", &format!("[{}]", "1,".repeat(20_000))),
    ] {
        out.push(var_case(name, "o", val, Expect::Plans));
    }
    out.push(var_case("map_call", "m", "{a=file(\"/etc/hostname\")}", Expect::Error("Function calls not allowed")));
    out.push(var_case("string_is_text", "s", "${file(\"/etc/hostname\")}", Expect::Plans));
    out.push(var_case("syntax_error", "o", "{a=", Expect::Located));
    out.push(var_case("deep", "o", &format!("{}{}", rep("[", 20_000), rep("]", 20_000)), Expect::Located));
    // .tfvars files.
    let tfvars_case = |name: &str, file: &str, text: &str, expect: Expect| {
        let mut c = case("values", format!("tfvars_{name}"), decl, expect);
        c.files.push((file.into(), text.as_bytes().to_vec()));
        c
    };
    for (name, text, line) in [
        ("file_call", "o = file(\"/etc/hostname\")\n", 1),
        ("call_second_line", "s = \"x\"\no = [upper(\"a\")]\n", 2),
        ("call_in_object", "o = {\n  a = {\n    b = abs(1)\n  }\n}\n", 3),
    ] {
        out.push(tfvars_case(name, "terraform.tfvars", text, Expect::ErrorAt("Function calls not allowed", "terraform.tfvars", line)));
    }
    out.push(tfvars_case("reference", "terraform.tfvars", "o = var.s\n", Expect::ErrorAt("Variables not allowed", "terraform.tfvars", 1)));
    out.push(tfvars_case("duplicate", "terraform.tfvars", "o = 1\no = 2\n", Expect::ErrorAt("Attribute redefined", "terraform.tfvars", 2)));
    out.push(tfvars_case(
        "duplicate_auto",
        "x.auto.tfvars",
        "s = \"a\"\no = 1\ns = \"b\"\n",
        Expect::ErrorAt("Attribute redefined", "x.auto.tfvars", 3),
    ));
    out.push(tfvars_case(
        "json_duplicate",
        "terraform.tfvars.json",
        "{\n\"o\": 1,\n\"o\": 2\n}",
        Expect::ErrorAt("Duplicate attribute definition", "terraform.tfvars.json", 3),
    ));
    out.push(tfvars_case(
        "json_template_is_text",
        "terraform.tfvars.json",
        "{\"s\": \"${file(\\\"/etc/hostname\\\")}\", \"o\": {\"${k}\": \"%{if true}x%{endif}\"}}",
        Expect::Plans,
    ));
    out.push(tfvars_case("block", "terraform.tfvars", "o {\n}\n", Expect::ErrorAt("Unexpected block", "terraform.tfvars", 1)));
    out.push(tfvars_case("literals", "terraform.tfvars", "o = [for x in [1] : x]\nm = { a = \"b\" }\n", Expect::Plans));
    out.push(tfvars_case(
        "json_deep",
        "terraform.tfvars.json",
        &format!("{{\"o\": {}{}}}", rep("[", 5000), rep("]", 5000)),
        Expect::Located,
    ));
    // Defaults are literals too.
    out.push(case(
        "values",
        "default_call",
        "variable \"a\" {\n  default = upper(\"x\")\n}\n",
        Expect::ErrorAt("Function calls not allowed", "main.tf", 2),
    ));
    out.push(case(
        "values",
        "default_reference",
        "variable \"a\" {\n  default = var.b\n}\n",
        Expect::ErrorAt("Variables not allowed", "main.tf", 2),
    ));
    // Unbounded reads are bounded.
    out.push(case(
        "values",
        "file_dev_zero",
        output("length(file(\"/dev/zero\"))"),
        Expect::ErrorAt("Invalid function argument", "main.tf", 2),
    ));
    out.push(case("values", "filemd5_dev_zero", output("filemd5(\"/dev/zero\")"), Expect::ErrorAt("Error in function call", "main.tf", 2)));
    out.push(case(
        "values",
        "filebase64_dev_urandom",
        output("filebase64(\"/dev/urandom\")"),
        Expect::ErrorAt("Invalid function argument", "main.tf", 2),
    ));
    let mut c = case("values", "file_fifo", output("file(\"fifo\")"), Expect::ErrorAt("Invalid function argument", "main.tf", 2));
    c.special.push("fifo");
    out.push(c);
    let mut c = case("values", "templatefile_fifo", output("templatefile(\"fifo\", {})"), Expect::Located);
    c.special.push("fifo");
    out.push(c);
    let mut c = case("values", "file_symlink_loop", output("file(\"loop/self\")"), Expect::Located);
    c.special.push("loop");
    out.push(c);
    for (name, expr, expect) in [
        ("range_huge", "length(range(1e12))", Expect::Located),
        ("format_width", "format(\"%1000000000s\", \"x\")", Expect::Located),
        ("pow_huge", "pow(10, 1e6)", Expect::Located),
        ("setproduct", "length(setproduct(range(1000), range(1000), range(1000)))", Expect::Located),
        ("strrev_long", "length(strrev(format(\"%100000s\", \"\")))", Expect::Plans),
        ("base64decode_junk", "base64decode(\"%%%%\")", Expect::ErrorAt("Error in function call", "main.tf", 2)),
        ("jsondecode_junk", "jsondecode(\"{\\\"a\\\":}\")", Expect::ErrorAt("Error in function call", "main.tf", 2)),
        ("yamldecode_junk", "yamldecode(\"a: [\")", Expect::ErrorAt("Error in function call", "main.tf", 2)),
        ("regex_huge", "regex(\"(a{1000}){1000}\", \"a\")", Expect::Located),
        ("cidrsubnets_many", "length(cidrsubnets(\"10.0.0.0/8\", 24, 24, 24))", Expect::Plans),
        ("number_to_string_tiny", "tostring(11e-3000)", Expect::Plans),
    ] {
        out.push(case("values", format!("fn_{name}"), output(expr), expect));
    }
    for (name, count, expect) in [
        ("count_huge", "1e20", Expect::Located),
        ("count_negative", "-1", Expect::ErrorAt("Invalid count argument", "main.tf", 2)),
        ("count_fraction", "1.5", Expect::Located),
        ("count_string", "\"x\"", Expect::Located),
        ("count_null", "null", Expect::Located),
        ("count_1000", "1000", Expect::Plans),
    ] {
        out.push(case("values", name, format!("resource \"terraform_data\" \"x\" {{\n  count = {count}\n}}\n"), expect));
    }
    out.push(case(
        "values",
        "for_each_list",
        "resource \"terraform_data\" \"x\" {\n  for_each = [1]\n}\n",
        Expect::ErrorAt("Invalid for_each argument", "main.tf", 2),
    ));
    out.push(case(
        "values",
        "attribute_redefined",
        "resource \"terraform_data\" \"x\" {\n  input = 1\n  input = 2\n}\n",
        Expect::ErrorAt("Attribute redefined", "main.tf", 3),
    ));
    out.push(case(
        "values",
        "attribute_redefined_output",
        "output \"o\" {\n  value = 1\n  value = 2\n}\n",
        Expect::ErrorAt("Attribute redefined", "main.tf", 3),
    ));
    out.push(case(
        "values",
        "attribute_redefined_locals",
        "locals {\n  a = 1\n}\nlocals {\n  b = 1\n  b = 2\n}\n",
        Expect::ErrorAt("Attribute redefined", "main.tf", 6),
    ));
}

/// Valid configurations that the malformed class mutates.
const SEEDS: &[&str] = &[
    "variable \"n\" {\n  type    = number\n  default = 2\n}\n\nresource \"terraform_data\" \"a\" {\n  count = var.n\n  input = \"x-${count.index}\"\n}\n\noutput \"ids\" {\n  value = terraform_data.a[*].input\n}\n",
    "locals {\n  m = { a = 1, b = 2 }\n  l = [for k, v in local.m : \"${k}=${v}\" if v > 1]\n}\n\noutput \"l\" {\n  value = local.l\n}\n",
    "output \"h\" {\n  value = <<-EOT\n    a ${1 + 2}\n    %{ for x in [1, 2] ~}\n    - ${x}\n    %{ endfor ~}\n  EOT\n}\n",
    "resource \"terraform_data\" \"b\" {\n  input = { a = [1, 2, 3], b = null }\n\n  lifecycle {\n    create_before_destroy = true\n    ignore_changes        = [input]\n  }\n}\n",
    "variable \"v\" {\n  type = object({ a = string, b = optional(number, 1) })\n  default = { a = \"x\" }\n\n  validation {\n    condition     = length(var.v.a) > 0\n    error_message = \"Must not be empty.\"\n  }\n}\n",
    "check \"c\" {\n  assert {\n    condition     = terraform_data.new.input == null\n    error_message = \"no\"\n  }\n}\n\nmoved {\n  from = terraform_data.old\n  to   = terraform_data.new\n}\n\nresource \"terraform_data\" \"new\" {}\n",
    "output \"j\" {\n  value = jsonencode({ a = [true, null, 1.5], \"b c\" = \"\\u00e9\\n\" })\n}\n\noutput \"y\" {\n  value = yamldecode(\"a: [1, 2]\\nb: {c: d}\\n\")\n}\n",
    "resource \"terraform_data\" \"e\" {\n  for_each = toset([\"a\", \"b\"])\n  input    = each.key\n}\n\noutput \"e\" {\n  value     = { for k, r in terraform_data.e : k => r.input }\n  sensitive = true\n}\n",
    "output \"t\" {\n  value = \"%{if true}yes%{else}no%{endif} ${try(tonumber(\"x\"), \"d\")}\"\n}\n",
    "resource \"random_id\" \"r\" {\n  byte_length = 4\n  keepers = {\n    k = \"v\"\n  }\n}\n\noutput \"r\" {\n  value = random_id.r.byte_length\n}\n",
];

fn malformed(out: &mut Vec<Case>) {
    for (si, seed) in SEEDS.iter().enumerate() {
        let b = seed.as_bytes();
        let n = b.len();
        let mut muts: Vec<(String, Vec<u8>)> = Vec::new();
        for k in [1usize, 3, 5, 7, 9] {
            muts.push((format!("truncate_{k}0pct"), b[..n * k / 10].to_vec()));
        }
        for (what, ins) in [
            ("brace", "{"),
            ("close", "}"),
            ("quote", "\""),
            ("interp", "${"),
            ("nul", "\0"),
            ("heredoc", "<<EOT\n"),
            ("equals", " = = "),
            ("comment", "/*"),
        ] {
            let at = (n * 2 / 5..n).find(|&i| seed.is_char_boundary(i) && b[i] == b'\n').unwrap_or(n / 2);
            let mut v = b[..at].to_vec();
            v.extend_from_slice(ins.as_bytes());
            v.extend_from_slice(&b[at..]);
            muts.push((format!("insert_{what}"), v));
        }
        // Delete each line's first structural byte in turn: a few per seed.
        let structural: Vec<usize> = b
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, b'{' | b'}' | b'[' | b']' | b'"' | b'=' | b'(' | b')'))
            .map(|(i, _)| i)
            .collect();
        for (j, &i) in structural.iter().step_by((structural.len() / 4).max(1)).take(4).enumerate() {
            let mut v = b.to_vec();
            v.remove(i);
            muts.push((format!("delete_{j}"), v));
        }
        for (name, bytes) in muts {
            out.push(case("malformed", format!("seed{si}_{name}"), bytes, Expect::Located));
        }
        out.push(case("malformed", format!("seed{si}_valid"), seed.as_bytes().to_vec(), Expect::Plans));
    }
    // Files that are not HCL at all.
    for (name, bytes) in [
        ("json_as_tf", b"{\"resource\": {}}".to_vec()),
        ("binary", (0u8..=255).collect::<Vec<u8>>()),
        ("only_braces", rep("}", 1000).into_bytes()),
        ("only_quotes", rep("\"", 1001).into_bytes()),
        ("unterminated_heredoc", b"output \"o\" {\n  value = <<EOT\nabc\n".to_vec()),
        ("unterminated_block_comment", b"/* output \"o\" {\n".to_vec()),
        ("attribute_at_top", b"a = 1\n".to_vec()),
        ("unknown_block", b"resources \"a\" \"b\" {}\n".to_vec()),
        ("missing_labels", b"resource \"terraform_data\" {}\n".to_vec()),
        ("extra_labels", b"output \"a\" \"b\" {}\n".to_vec()),
        ("empty_file", Vec::new()),
    ] {
        out.push(case("malformed", name, bytes, Expect::Located));
    }
    let json_cases: &[(&str, &str)] = &[
        ("json_truncated", "{\"output\": {\"o\": {\"value\": 1"),
        ("json_array_root", "[1, 2]"),
        ("json_bad_block", "{\"resource\": 1}"),
        ("json_deep", "{\"locals\": {\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"),
        ("json_template_error", "{\"output\": {\"o\": {\"value\": \"${\"}}}"),
    ];
    for (name, src) in json_cases {
        let mut c = case("malformed", *name, Vec::new(), Expect::Located);
        c.files = vec![("main.tf.json".into(), src.as_bytes().to_vec())];
        out.push(c);
    }
}

/// Well-formed files that Terraform 1.15 refuses (each summary and line
/// recorded from `terraform validate`): duplicates, names, meta-arguments.
fn invalid(out: &mut Vec<Case>) {
    let td = "resource \"terraform_data\" \"a\" {}\n";
    let assert = "  assert {\n    condition     = terraform_data.a.id != \"\"\n    error_message = \"x\"\n  }\n";
    let cases: Vec<(&str, String, &'static str, usize)> = vec![
        ("duplicate_provider", "provider \"random\" {}\nprovider \"random\" {}\n".into(), "Duplicate provider configuration", 2),
        (
            "duplicate_alias",
            "provider \"random\" {\n  alias = \"x\"\n}\nprovider \"random\" {\n  alias = \"x\"\n}\n".into(),
            "Duplicate provider configuration",
            4,
        ),
        (
            "duplicate_backend",
            "terraform {\n  backend \"local\" {}\n  backend \"local\" {}\n}\n".into(),
            "Duplicate 'backend' configuration block",
            3,
        ),
        (
            "duplicate_required_providers",
            "terraform {\n  required_providers {}\n  required_providers {}\n}\n".into(),
            "Duplicate required providers configuration",
            3,
        ),
        (
            "duplicate_lifecycle",
            "resource \"terraform_data\" \"a\" {\n  lifecycle {}\n  lifecycle {}\n}\n".into(),
            "Duplicate lifecycle block",
            3,
        ),
        (
            "duplicate_import",
            format!("{td}import {{\n  to = terraform_data.a\n  id = \"x\"\n}}\nimport {{\n  to = terraform_data.a\n  id = \"y\"\n}}\n"),
            "Duplicate import configuration for \"terraform_data.a\"",
            7,
        ),
        (
            "duplicate_check",
            format!("{td}check \"c\" {{\n{assert}}}\ncheck \"c\" {{\n{assert}}}\n"),
            "Duplicate check \"c\" configuration",
            8,
        ),
        ("empty_label", "resource \"terraform_data\" \"\" {}\n".into(), "Invalid resource name", 1),
        ("space_in_label", "resource \"terraform_data\" \"a b\" {}\n".into(), "Invalid resource name", 1),
        ("variable_name", "variable \"a b\" {}\n".into(), "Invalid variable name", 1),
        ("output_name", "output \"1x\" {\n  value = 1\n}\n".into(), "Invalid output name", 1),
        ("self_outside_provisioner", "resource \"terraform_data\" \"a\" {\n  input = self.id\n}\n".into(), "Invalid \"self\" reference", 2),
    ];
    for (name, src, summary, line) in cases {
        out.push(case("invalid", name, src, Expect::ErrorAt(summary, "main.tf", line)));
    }
    let mut c = case(
        "invalid",
        "module_count_and_for_each",
        "module \"m\" {\n  source   = \"./m\"\n  count    = 1\n  for_each = {}\n}\n",
        Expect::ErrorAt("Invalid combination of \"count\" and \"for_each\"", "main.tf", 4),
    );
    c.files.push(("m/main.tf".into(), Vec::new()));
    out.push(c);
}

fn sizes(out: &mut Vec<Case>) {
    let s = |n: usize| "x".repeat(n);
    out.push(case("sizes", "string_10mb", output(&format!("length(\"{}\")", s(10 << 20))), Expect::Plans));
    out.push(case("sizes", "identifier_1mb", output(&format!("local.{}", s(1 << 20))), Expect::Located));
    out.push(case("sizes", "number_100k_digits", output(&format!("1{}", "0".repeat(100_000))), Expect::Plans));
    out.push(case("sizes", "comment_10mb", format!("# {}\n{}", s(10 << 20), output("1")), Expect::Plans));
    out.push(case("sizes", "tuple_200k", output(&format!("length([{}])", "1,".repeat(200_000))), Expect::Plans));
    out.push(case(
        "sizes",
        "object_100k",
        output(&format!("length({{{}}})", (0..100_000).map(|i| format!("k{i}=1,")).collect::<String>())),
        Expect::Plans,
    ));
    let locals: String = (0..50_000).map(|i| format!("  l{i} = {i}\n")).collect();
    out.push(case("sizes", "locals_50k", format!("locals {{\n{locals}}}\n{}", output("local.l49999")), Expect::Plans));
    let dups: String = (0..50_000).map(|i| format!("  a = {i}\n")).collect();
    out.push(case("sizes", "redefined_50k", format!("locals {{\n{dups}}}\n"), Expect::ErrorAt("Attribute redefined", "main.tf", 3)));
    let resources: String = (0..1000).map(|i| format!("resource \"terraform_data\" \"r{i}\" {{\n  input = {i}\n}}\n")).collect();
    out.push(case("sizes", "resources_1000", resources, Expect::Plans));
    let lines: String = (0..400_000).map(|_| "    line\n").collect();
    out.push(case("sizes", "heredoc_indented_400k", output(&format!("length(<<-EOT\n{lines}    EOT\n)")), Expect::Plans));
    let lines: String = (0..200_000).map(|_| "line\n").collect();
    out.push(case("sizes", "heredoc_200k", output(&format!("length(<<EOT\n{lines}EOT\n)")), Expect::Plans));
    out.push(case(
        "sizes",
        "if_directives_20000",
        output(&format!("\"{}x{}\"", rep("%{if true}", 20_000), rep("%{endif}", 20_000))),
        Expect::Located,
    ));
    out.push(case("sizes", "interpolations_100k", output(&format!("length(\"{}\")", rep("${\"a\"}", 100_000))), Expect::Plans));
    out.push(case("sizes", "long_line_of_sums", output(rep("1 + ", 100_000).trim_end_matches(" + ")), Expect::Located));
    out.push(case("sizes", "many_files", "", Expect::Plans));
    if let Some(c) = out.last_mut() {
        c.files = (0..500).map(|i| (format!("f{i}.tf"), format!("locals {{\n  x{i} = {i}\n}}\n").into_bytes())).collect();
    }
    out.push(case("sizes", "range_1000", output("length(range(1000))"), Expect::Plans));
    out.push(case(
        "sizes",
        "for_each_1000",
        "resource \"terraform_data\" \"e\" {\n  for_each = toset([for i in range(1000) : tostring(i)])\n}\n",
        Expect::Plans,
    ));
    // Module nesting past the limit.
    let mut c = case("sizes", "module_nesting_70", "module \"m\" {\n  source = \"./m\"\n}\n", Expect::Located);
    let mut path = String::from("m");
    for _ in 0..70 {
        c.files.push((format!("{path}/main.tf"), b"module \"m\" {\n  source = \"./m\"\n}\n".to_vec()));
        path.push_str("/m");
    }
    c.files.push((format!("{path}/main.tf"), b"".to_vec()));
    out.push(c);
}

fn encodings(out: &mut Vec<Case>) {
    let valid = output("\"a\"");
    out.push(case("encodings", "utf8_bom", [b"\xef\xbb\xbf".as_slice(), valid.as_bytes()].concat(), Expect::Plans));
    out.push(case("encodings", "crlf", valid.replace('\n', "\r\n"), Expect::Plans));
    out.push(case("encodings", "lone_cr", valid.replace('\n', "\r"), Expect::Located));
    out.push(case("encodings", "nfd_string", output("\"e\u{301}\""), Expect::Plans));
    out.push(case("encodings", "rtl_override_in_string", output("\"\u{202e}abc\""), Expect::Plans));
    out.push(case("encodings", "emoji_identifier", output("local.\u{1F600}"), Expect::Located));
    out.push(case("encodings", "bom_in_middle", format!("{valid}\u{feff}\n"), Expect::Located));
    out.push(case("encodings", "nbsp_whitespace", output("1\u{a0}+ 1"), Expect::Located));
    for (name, bad, line) in [
        ("invalid_utf8_line1", b"\xff output \"o\" {}\n".to_vec(), 1),
        ("invalid_utf8_in_string", b"output \"o\" {\n  value = \"a\xff\xfeb\"\n}\n".to_vec(), 2),
        ("invalid_utf8_last_line", b"output \"o\" {\n  value = 1\n}\n\xc3\n".to_vec(), 4),
        ("overlong_slash", b"output \"o\" {\n  value = \"\xc0\xaf\"\n}\n".to_vec(), 2),
        ("surrogate", b"output \"o\" {\n  value = \"\xed\xa0\x80\"\n}\n".to_vec(), 2),
        ("truncated_sequence", b"output \"o\" {\n\n\n  value = \"\xe2\x82\"\n}\n".to_vec(), 4),
    ] {
        out.push(case("encodings", name, bad, Expect::ErrorAt("Invalid character encoding", "main.tf", line)));
    }
    let utf16: Vec<u8> = [0xffu8, 0xfe].into_iter().chain(valid.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    out.push(case("encodings", "utf16le", utf16, Expect::Located));
    out.push(case("encodings", "nul_in_string", output("\"a\0b\""), Expect::Located));
    out.push(case("encodings", "control_chars", output("\"\u{7}\u{1b}[31m\""), Expect::Plans));
    let mut c = case("encodings", "tfvars_bom", "variable \"a\" {\n  default = 1\n}\n", Expect::Plans);
    c.files.push(("terraform.tfvars".into(), b"\xef\xbb\xbfa = 2\n".to_vec()));
    out.push(c);
    let mut c = case("encodings", "tfvars_invalid_utf8", "variable \"a\" {\n  default = 1\n}\n", Expect::Located);
    c.files.push(("terraform.tfvars".into(), b"a = \"\xff\"\n".to_vec()));
    out.push(c);
    let mut c = case("encodings", "tf_json_bom", "", Expect::Plans);
    c.files = vec![("main.tf.json".into(), b"\xef\xbb\xbf{\"output\": {\"o\": {\"value\": 1}}}".to_vec())];
    out.push(c);
}
