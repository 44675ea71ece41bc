use super::*;

#[test]
fn attributes_and_blocks() {
    let src = r#"
# comment
// another
/* block
   comment */
a = 1
b-c = "x"
resource "aws_instance" "web" {
  ami = "abc"

  nested {
    x = true
  }
  other ident_label {
  }
}
terraform {}
locals { a = 1 }
"#;
    let b = file_ok(src);
    assert_eq!(b.attributes.len(), 2);
    assert_eq!(b.attributes[1].name.name, "b-c");
    assert_eq!(b.blocks.len(), 3);
    let r = &b.blocks[0];
    assert_eq!(r.kind.name, "resource");
    assert_eq!(r.labels.iter().map(|l| l.value.as_str()).collect::<Vec<_>>(), ["aws_instance", "web"]);
    assert_eq!(&src[r.labels[0].span.start as usize..r.labels[0].span.end as usize], "\"aws_instance\"");
    assert_eq!(&src[r.header_span.start as usize..r.header_span.end as usize], "resource \"aws_instance\" \"web\" {");
    assert!(src[r.span.start as usize..r.span.end as usize].starts_with("resource"));
    assert!(src[r.span.start as usize..r.span.end as usize].ends_with("}"));
    assert_eq!(r.body.attributes[0].name.name, "ami");
    assert_eq!(r.body.blocks[0].kind.name, "nested");
    assert_eq!(r.body.blocks[1].labels[0].value, "ident_label");
    assert_eq!(b.blocks[1].kind.name, "terraform");
    assert_eq!(b.blocks[2].body.attributes[0].name.name, "a");
    let a = &b.attributes[0];
    assert_eq!(&src[a.span.start as usize..a.span.end as usize], "a = 1");
}

#[test]
fn attribute_expression_newlines() {
    let b = file_ok("a = [\n  1,\n  2,\n]\nb = {\n  x = 1\n}\nc = f(\n1)\n");
    assert_eq!(sx(&b.attributes[0].expr), "[1 2]");
    assert_eq!(sx(&b.attributes[1].expr), "{x=1}");
    assert_eq!(sx(&b.attributes[2].expr), "(f 1)");
    // newline ends an argument even before an operator
    let (b, d) = parse_file(F, "a = 1\n+ 2\n");
    assert_eq!(sx(&b.attributes[0].expr), "1");
    assert!(!d.is_empty());
}

#[test]
fn crlf_and_no_trailing_newline() {
    let b = file_ok("a = 1\r\nb {\r\n  c = 2\r\n}\r\n");
    assert_eq!(b.blocks[0].body.attributes[0].name.name, "c");
    let b = file_ok("a = 1");
    assert_eq!(b.attributes.len(), 1);
    let b = file_ok("b {\n}");
    assert_eq!(b.blocks.len(), 1);
}

#[test]
fn body_errors() {
    assert_eq!(file_err("resource \"a\" \"b\" {\n  x = 1\n"), "Unclosed configuration block");
    assert_eq!(file_err("a = 1 b = 2\n"), "Missing newline after argument");
    assert_eq!(file_err("a = 1, b = 2\n"), "Unexpected comma after argument");
    assert_eq!(file_err("= 1\n"), "Argument or block definition required");
    assert_eq!(file_err("}\n"), "Argument or block definition required");
    assert_eq!(file_err("a\n"), "Argument or block definition required");
    assert_eq!(file_err("a b\n"), "Invalid block definition");
    assert_eq!(file_err("a 1\n"), "Argument or block definition required");
    assert_eq!(file_err("b { a = 1, c = 2 }\n"), "Invalid single-argument block definition");
    assert_eq!(file_err("b { c {} }\n"), "Argument definition required");
    assert_eq!(file_err("b {\n} x\n"), "Missing newline after block definition");
    assert_eq!(file_err("a = 1;\n"), "Invalid character");
    assert_eq!(file_err("\"a\" = 1\n"), "Invalid argument name");
    assert_eq!(file_err("a = \n"), "Invalid expression");
    assert_eq!(file_err("b \"${x}\" {\n}\n"), "Invalid string literal");
    assert_eq!(file_err("a = 1 +\n"), "Invalid expression");
    let (_, d) = parse_file(F, "resource \"a\" \"b\" {\n  x = 1\n");
    assert_eq!(d[0].subject, Some(crate::Span::new(F, 17, 18)));
}

#[test]
fn recovery_keeps_later_items() {
    let (b, d) = parse_file(F, "a = [1 2]\nb = 2\nc { d = }\ne = 3\n");
    assert!(!d.is_empty());
    let names: Vec<_> = b.attributes.iter().map(|a| a.name.name.as_str()).collect();
    assert!(names.contains(&"b") && names.contains(&"e"), "{names:?}");
}

#[test]
fn single_line_blocks() {
    let b = file_ok("b { a = 1 }\nc \"l\" { x = [1, 2] }\nd {}\n");
    assert_eq!(b.blocks.len(), 3);
    assert_eq!(sx(&b.blocks[0].body.attributes[0].expr), "1");
    assert_eq!(sx(&b.blocks[1].body.attributes[0].expr), "[1 2]");
}

#[test]
fn heredoc_attribute_then_more() {
    let b = file_ok("a = <<EOT\nhello\nEOT\nb = 2\n");
    assert_eq!(sx(&b.attributes[0].expr), "(tmpl \"hello\\n\")");
    assert_eq!(b.attributes[1].name.name, "b");
}

#[test]
fn realistic_config() {
    let src = r#"terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "names" {
  type    = list(string)
  default = ["a", "b"]
  validation {
    condition     = length(var.names) > 0 && alltrue([for n in var.names : can(regex("^[a-z]+$", n))])
    error_message = "Names must be lowercase."
  }
}

locals {
  by_name = { for i, n in var.names : n => i }
  tags    = merge(var.tags, { Name = "x-${terraform.workspace}" })
  script  = <<-EOT
    #!/bin/sh
    %{ for n in var.names ~}
    echo ${n}
    %{ endfor ~}
  EOT
}

resource "terraform_data" "x" {
  for_each = local.by_name
  input    = each.value
  lifecycle {
    ignore_changes = [input]
  }
}

output "ids" {
  value     = values(terraform_data.x)[*].id
  sensitive = false
}
"#;
    let b = file_ok(src);
    assert_eq!(b.blocks.len(), 5);
    let locals = &b.blocks[2];
    assert_eq!(sx(&locals.body.attribute("script").unwrap().expr), "(tmpl \"#!/bin/sh\\n\" %for(n (. var names) \"echo \" ${n} \"\\n\"))");
    let out = &b.blocks[4];
    let v = &out.body.attribute("value").unwrap().expr;
    assert_eq!(sx(v), "(splat (values (. terraform_data x)) (. @ id))");
    assert_eq!(&src[v.span.start as usize..v.span.end as usize], "values(terraform_data.x)[*].id");
}

#[test]
fn attribute_redefined_is_an_error_and_the_first_is_kept() {
    let mut files = crate::Files::new();
    let id = files.add("terraform.tfvars", "o = 1\no = 2\nx {\n  a = 1\n  b = 2\n  a = 3\n}\n");
    let (b, d) = crate::parse_file_in(&files, id);
    let msgs: Vec<_> =
        d.iter().map(|d| (d.summary.as_str(), d.detail.as_str(), files.pos(id, d.subject.unwrap().start as usize).line)).collect();
    assert_eq!(
        msgs,
        [
            ("Attribute redefined", "The argument \"a\" was already set at terraform.tfvars:4,3-4. Each argument may be set only once.", 6),
            ("Attribute redefined", "The argument \"o\" was already set at terraform.tfvars:1,1-2. Each argument may be set only once.", 2),
        ]
    );
    assert_eq!(b.attributes.len(), 1);
    assert_eq!(b.blocks[0].body.attributes.len(), 2);
}

#[test]
fn many_redefined_attributes_are_reported_in_linear_time() {
    let src: String = (0..50_000).map(|i| format!("a = {i}\n")).collect();
    let t = std::time::Instant::now();
    let (b, d) = parse_file(F, &src);
    assert_eq!((b.attributes.len(), d.len()), (1, 49_999));
    assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
}
