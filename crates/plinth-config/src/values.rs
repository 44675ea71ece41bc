//! Values for root module variables given from outside the configuration:
//! `-var NAME=VALUE`, `TF_VAR_NAME` and `.tfvars` / `.tfvars.json` files.
//!
//! As in Terraform, they are literal values: HCL evaluated without a context,
//! so a function call is "Function calls not allowed" and a reference
//! "Variables not allowed" ([`plinth_lang::eval_literal`]); `.tfvars.json`
//! strings are plain text, and an argument set twice in one file is an error.

use plinth_syntax::{Diagnostic, Files, Span};
use plinth_value::Value;

use crate::Variable;

/// One value set in a variables file.
#[derive(Clone, Debug)]
pub struct VariableValue {
    pub name: String,
    pub name_span: Span,
    pub value: Value,
}

/// The value of `-var NAME=TEXT` or `TF_VAR_NAME=TEXT`. A variable whose type
/// is primitive or not given takes the text as a string; any other (`any`
/// included) is
/// parsed as an HCL expression (file `<value for var.NAME>`) and evaluated
/// as a literal.
pub fn parse_variable_value(files: &mut Files, name: &str, text: &str, var: Option<&Variable>) -> Result<Value, Vec<Diagnostic>> {
    // Terraform's VariableParseLiteral: no type given, or a primitive one.
    let as_string = var.is_none_or(|v| !v.has_type || v.ty.ty.is_primitive());
    if as_string {
        return Ok(Value::string(text));
    }
    let id = files.add(format!("<value for var.{name}>"), text);
    let (expr, diags) = plinth_syntax::parse_expr(id, files.text(id));
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    plinth_lang::eval_literal(&expr).map_err(|e| e.diags)
}

/// Reads a variables file's bytes (`display_name` ending in `.json` is JSON;
/// a byte order mark is dropped, and bytes that are not UTF-8 are an error).
/// Returns its values only when it has no errors, as Terraform drops a file
/// that does not parse.
pub fn parse_values_file(files: &mut Files, display_name: String, bytes: Vec<u8>) -> (Vec<VariableValue>, Vec<Diagnostic>) {
    let json = display_name.ends_with(".json");
    let (id, encoding) = plinth_syntax::add_source(files, display_name, bytes);
    if let Some(d) = encoding {
        return (Vec::new(), vec![d]);
    }
    let (body, mut diags) = if json { plinth_syntax::parse_json_tfvars(files, id) } else { plinth_syntax::parse_file_in(files, id) };
    for b in &body.blocks {
        diags.push(Diagnostic::error("Unexpected block", "Blocks are not allowed here.").with_subject(b.kind.span));
    }
    let mut out = Vec::with_capacity(body.attributes.len());
    for a in &body.attributes {
        match plinth_lang::eval_literal(&a.expr) {
            Ok(value) => out.push(VariableValue { name: a.name.name.clone(), name_span: a.name.span, value }),
            Err(e) => diags.extend(e.diags),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        out.clear();
    }
    (out, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (Vec<(String, String)>, Vec<String>) {
        let mut files = Files::new();
        let (vals, diags) = parse_values_file(&mut files, name.into(), text.as_bytes().to_vec());
        let vals = vals.into_iter().map(|v| (v.name, plinth_value::value_to_json_string(&v.value))).collect();
        let diags = diags
            .iter()
            .map(|d| {
                let at =
                    d.subject.map(|s| files.pos(s.file, s.start as usize)).map_or(String::new(), |p| format!("{}:{}", p.line, p.column));
                format!("{} @{at}: {}", d.summary, d.detail)
            })
            .collect();
        (vals, diags)
    }

    #[test]
    fn tfvars_function_calls_are_not_allowed() {
        let (v, d) = file("terraform.tfvars", "o = upper(\"a\")\np = { a = file(\"/etc/hostname\") }\n");
        assert!(v.is_empty());
        assert_eq!(
            d,
            [
                "Function calls not allowed @1:5: Functions may not be called here.",
                "Function calls not allowed @2:11: Functions may not be called here."
            ]
        );
    }

    #[test]
    fn tfvars_references_are_not_allowed() {
        let (_, d) = file("x.tfvars", "o = var.s\n");
        assert_eq!(d, ["Variables not allowed @1:5: Variables may not be used here."]);
    }

    #[test]
    fn tfvars_literals_templates_and_for_expressions_are_values() {
        let (v, d) = file("terraform.tfvars", "a = [for x in [1, 2] : x * 2]\nb = \"a${1 + 1}\"\nc = true ? { k = null } : {}\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v, [("a".into(), "[2,4]".into()), ("b".into(), "\"a2\"".into()), ("c".into(), "{\"k\":null}".into())]);
    }

    #[test]
    fn tfvars_duplicate_argument_is_an_error() {
        let (v, d) = file("terraform.tfvars", "o = 1\no = 2\n");
        assert!(v.is_empty());
        assert_eq!(
            d,
            ["Attribute redefined @2:1: The argument \"o\" was already set at terraform.tfvars:1,1-2. Each argument may be set only once."]
        );
    }

    #[test]
    fn tfvars_json_strings_are_text_and_duplicates_errors() {
        let (v, d) = file("terraform.tfvars.json", r#"{"o": "${upper(\"a\")}"}"#);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v, [("o".into(), r#""${upper(\"a\")}""#.into())]);
        let (_, d) = file("terraform.tfvars.json", r#"{"o": 1, "o": 2}"#);
        assert_eq!(d, ["Duplicate attribute definition @1:10: The argument \"o\" was already set at terraform.tfvars.json:1,2-8."]);
    }

    #[test]
    fn tfvars_blocks_are_errors() {
        let (_, d) = file("terraform.tfvars", "b {\n}\n");
        assert_eq!(d, ["Unexpected block @1:1: Blocks are not allowed here."]);
    }

    fn object_var() -> Variable {
        let dir = std::env::temp_dir().join(format!("plinth-config-values-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), "variable \"m\" {\n  type = map(string)\n}\n").unwrap();
        let (m, d) = crate::load_module(&dir, &mut Files::new());
        let _ = std::fs::remove_dir_all(&dir);
        assert!(d.is_empty(), "{d:?}");
        m.variables["m"].clone()
    }

    #[test]
    fn var_option_function_calls_are_not_allowed() {
        let var = object_var();
        let mut files = Files::new();
        let e = parse_variable_value(&mut files, "m", "{a = file(\"/etc/hostname\")}", Some(&var)).unwrap_err();
        assert_eq!((e[0].summary.as_str(), e[0].detail.as_str()), ("Function calls not allowed", "Functions may not be called here."));
        assert_eq!(files.name(e[0].subject.unwrap().file), "<value for var.m>");
        let e = parse_variable_value(&mut files, "m", "{a = var.s}", Some(&var)).unwrap_err();
        assert_eq!(e[0].summary, "Variables not allowed");
        let v = parse_variable_value(&mut files, "m", "{a = \"x${1}\"}", Some(&var)).unwrap();
        assert_eq!(plinth_value::value_to_json_string(&v), r#"{"a":"x1"}"#);
        // A string variable takes the text as it is.
        let v = parse_variable_value(&mut files, "s", "${upper(\"a\")}", None).unwrap();
        assert_eq!(v.as_str(), Some("${upper(\"a\")}"));
    }
}
