use super::*;
use crate::parse_json_tfvars;

fn json_ok(src: &str) -> Body {
    let (b, d) = parse_json_file(F, src);
    assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:#?}");
    b
}

fn json_err(src: &str) -> String {
    let (_, d) = parse_json_file(F, src);
    assert!(!d.is_empty(), "expected an error for {src:?}");
    d[0].summary.clone()
}

fn span_text(src: &str, s: crate::Span) -> &str {
    &src[s.start as usize..s.end as usize]
}

#[test]
fn blocks_and_attributes() {
    let src = r#"{
  "//": "a comment",
  "variable": { "region": { "default": "us-east-1", "type": "string" } },
  "resource": {
    "terraform_data": {
      "a": { "input": [1, -2.5, true, null, {"k": "v"}], "count": 2, "lifecycle": { "create_before_destroy": true } },
      "b": [{ "input": "x" }]
    }
  },
  "locals": { "greeting": "Hello, ${var.region}!" },
  "output": { "o": { "value": "${local.greeting}" } },
  "terraform": { "required_version": ">= 1.0" },
  "provider": { "aws": [{ "region": "a" }, { "region": "b", "alias": "b" }] },
  "extra": 1
}"#;
    let b = json_ok(src);
    let kinds: Vec<_> =
        b.blocks.iter().map(|b| (b.kind.name.as_str(), b.labels.iter().map(|l| l.value.as_str()).collect::<Vec<_>>())).collect();
    assert_eq!(
        kinds,
        [
            ("variable", vec!["region"]),
            ("resource", vec!["terraform_data", "a"]),
            ("resource", vec!["terraform_data", "b"]),
            ("locals", vec![]),
            ("output", vec!["o"]),
            ("terraform", vec![]),
            ("provider", vec!["aws"]),
            ("provider", vec!["aws"]),
        ]
    );
    assert_eq!(b.attributes.len(), 1);
    assert_eq!(b.attributes[0].name.name, "extra");
    let var = &b.blocks[0];
    assert_eq!(sx(&var.body.attribute("default").unwrap().expr), "(tmpl \"us-east-1\")");
    let res = &b.blocks[1];
    assert_eq!(sx(&res.body.attribute("input").unwrap().expr), "[1 (neg 2.5) true null {<(tmpl \"k\")>=(tmpl \"v\")}]");
    assert_eq!(sx(&res.body.attribute("lifecycle").unwrap().expr), "{<(tmpl \"create_before_destroy\")>=true}");
    assert_eq!(span_text(src, res.labels[1].span), "\"a\"");
    let locals = &b.blocks[3];
    let g = &locals.body.attribute("greeting").unwrap().expr;
    assert_eq!(sx(g), "(tmpl \"Hello, \" ${(. var region)} \"!\")");
    assert_eq!(span_text(src, g.span), "\"Hello, ${var.region}!\"");
    let ExprKind::Template(parts) = &g.kind else { panic!() };
    let TemplatePart::Interp(e) = &parts[1] else { panic!() };
    assert_eq!(span_text(src, e.span), "var.region");
    assert_eq!(sx(&b.blocks[4].body.attribute("value").unwrap().expr), "(tmpl ${(. local greeting)})");
}

#[test]
fn escapes_and_spans() {
    let src = r#"{"a": "x\n\"${y}\u00e9\ud83d\ude00 ${ z }"}"#;
    let b = json_ok(src);
    let e = &b.attributes[0].expr;
    assert_eq!(sx(e), "(tmpl \"x\\n\\\"\" ${y} \"é😀 \" ${z})");
    let ExprKind::Template(parts) = &e.kind else { panic!() };
    let TemplatePart::Interp(y) = &parts[1] else { panic!() };
    assert_eq!(span_text(src, y.span), "y");
    let TemplatePart::Interp(z) = &parts[3] else { panic!() };
    assert_eq!(span_text(src, z.span), "z");
}

fn tfvars_json(src: &str) -> (crate::ast::Body, Vec<crate::Diagnostic>) {
    let mut files = crate::Files::new();
    let id = files.add("terraform.tfvars.json", src);
    parse_json_tfvars(&files, id)
}

#[test]
fn tfvars_json_keeps_names() {
    let (b, d) = tfvars_json(r#"{"data": {"a": 1}, "module": "x"}"#);
    assert!(d.is_empty());
    assert_eq!(b.attributes.len(), 2);
    assert!(b.blocks.is_empty());
}

#[test]
fn tfvars_json_strings_are_literal_text() {
    // Terraform reads `.tfvars.json` without an evaluation context: "${...}"
    // stays text, in values and in object keys.
    let (b, d) = tfvars_json(r#"{"o": "${upper(\"a\")}", "m": {"${k}": "%{if x}y%{endif}"}}"#);
    assert!(d.is_empty(), "{d:?}");
    let lit = |e: &crate::ast::Expr| match &e.kind {
        ExprKind::Template(p) => matches!(p.as_slice(), [TemplatePart::Literal(_)]),
        _ => false,
    };
    assert!(lit(&b.attributes[0].expr));
    let ExprKind::Object(items) = &b.attributes[1].expr.kind else { panic!("{:?}", b.attributes[1].expr) };
    let crate::ast::ObjectKey::Expr(k) = &items[0].key else { panic!() };
    assert!(lit(k) && lit(&items[0].value));
}

#[test]
fn tfvars_json_duplicate_property_is_an_error() {
    let (b, d) = tfvars_json(r#"{"o": "${upper(\"a\")}", "o": 2}"#);
    assert_eq!(b.attributes.len(), 1);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].summary, "Duplicate attribute definition");
    assert_eq!(d[0].detail, "The argument \"o\" was already set at terraform.tfvars.json:1,2-24.");
    assert_eq!(d[0].subject.map(|s| (s.start, s.end)), Some((25, 28)));
}

#[test]
fn json_errors() {
    assert_eq!(json_err("[1]"), "Root value must be object");
    assert_eq!(json_err("{\"a\": }"), "Syntax error");
    assert_eq!(json_err("{\"a\": 1,}"), "Trailing comma in object");
    assert_eq!(json_err("{\"a\": tru}"), "Invalid JSON keyword");
    assert_eq!(json_err("{\"a\": \"x"), "Unterminated string");
    assert_eq!(json_err("{\"a\": 01}"), "Invalid JSON number");
    assert_eq!(json_err("{} x"), "Extraneous data after value");
    assert_eq!(json_err("{\"resource\": {\"a\": 1}}"), "Incorrect JSON value type for resource block");
    assert_eq!(json_err("{\"a\": \"${x\"}"), "Unclosed template interpolation sequence");
    assert_eq!(json_err(""), "Syntax error");
    let deep = "[".repeat(10000);
    assert_eq!(json_err(&format!("{{\"a\": {deep}")), "Nesting too deep");
}
