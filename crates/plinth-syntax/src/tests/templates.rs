use super::*;

#[test]
fn quoted_strings() {
    assert_eq!(p(r#""""#), "(tmpl)");
    assert_eq!(p(r#""abc""#), "(tmpl \"abc\")");
    assert_eq!(p(r#""a\nb\r\t\"\\""#), "(tmpl \"a\\nb\\r\\t\\\"\\\\\")");
    assert_eq!(p(r#""\u00e9\U0001F600""#), "(tmpl \"é😀\")");
    assert_eq!(p(r#""$${x} %%{y} $ % $$ %%""#), "(tmpl \"${x} %{y} $ % $$ %%\")");
    assert_eq!(p(r#""${x}""#), "(tmpl ${x})");
    assert_eq!(p(r#""a${x}b${y}""#), "(tmpl \"a\" ${x} \"b\" ${y})");
    assert_eq!(p(r#""${"nested ${"inner"}"}""#), "(tmpl ${(tmpl \"nested \" ${(tmpl \"inner\")})})");
    assert_eq!(p("\"${\n  x\n}\""), "(tmpl ${x})");
    assert_eq!(p(r#""${ {a = 1}.a }""#), "(tmpl ${(. {a=1} a)})");
    let src = r#"x + "a${b}""#;
    let ExprKind::Binary { rhs, .. } = ok(src).kind else { panic!() };
    assert_eq!(text(src, &rhs), r#""a${b}""#);
}

#[test]
fn directives() {
    assert_eq!(p(r#""%{if c}yes%{else}no%{endif}""#), "(tmpl %if(c \"yes\" | \"no\"))");
    assert_eq!(p(r#""%{if c}yes%{endif}""#), "(tmpl %if(c \"yes\" |))");
    assert_eq!(p(r#""%{for x in xs}${x},%{endfor}""#), "(tmpl %for(x xs ${x} \",\"))");
    assert_eq!(p(r#""%{for i, x in xs}${i}=${x} %{endfor}""#), "(tmpl %for(i,x xs ${i} \"=\" ${x} \" \"))");
    assert_eq!(
        p(r#""%{for x in [1, 2]}%{if x > 1}big%{else}small%{endif} %{endfor}""#),
        "(tmpl %for(x [1 2] %if((> x 1) \"big\" | \"small\") \" \"))"
    );
}

#[test]
fn strip_markers() {
    assert_eq!(p(r#""a  %{~ if true ~}  b  %{~ endif ~}  c""#), "(tmpl \"a\" %if(true \"b\" |) \"c\")");
    assert_eq!(p(r#""x ${"y" ~} z""#), "(tmpl \"x \" ${(tmpl \"y\")} \"z\")");
    assert_eq!(p(r#""x ${~"y"} z""#), "(tmpl \"x\" ${(tmpl \"y\")} \" z\")");
    assert_eq!(p(r#""[%{ for x in [1, 2] ~} ${x} %{~ endfor }]""#), "(tmpl \"[\" %for(x [1 2] ${x}) \"]\")");
    // decoded escapes are whitespace too
    assert_eq!(p(r#""%{ for x in [1, 2] ~}\n${x}\n%{ endfor ~}""#), "(tmpl %for(x [1 2] ${x} \"\\n\"))");
    assert_eq!(p("\"a \\t\\n ${~ x ~} \\n\\t b\""), "(tmpl \"a\" ${x} \"b\")");
}

#[test]
fn heredocs() {
    assert_eq!(p("<<EOT\nhello\n  world\nEOT"), "(tmpl \"hello\\n  world\\n\")");
    assert_eq!(p("<<EOT\nEOT"), "(tmpl)");
    assert_eq!(p("<<EOT\n${a} \\n $${b}\nEOT"), "(tmpl ${a} \" \\\\n ${b}\\n\")");
    assert_eq!(p("<<-EOT\n    a\n      b\n    EOT"), "(tmpl \"a\\n  b\\n\")");
    // blank lines do not count and are left alone
    assert_eq!(p("<<-EOT\n    a\n\n    b\n  EOT"), "(tmpl \"a\\n\\nb\\n\")");
    assert_eq!(p("<<-EOT\r\n  a\r\n  EOT"), "(tmpl \"a\\r\\n\")");
    let src = "<<EOT\nhi\nEOT";
    assert_eq!(text(src, &ok(src)), src);
    // the marker text inside a line is not the end
    assert_eq!(p("<<EOT\n EOTx\nEOT"), "(tmpl \" EOTx\\n\")");
}

#[test]
fn flush_heredoc_with_directives() {
    // The directive lines count for the common indentation, even though the
    // strip markers remove the whitespace that follows them.
    let src = "  <<-EOT\n    %{ for x in xs ~}\n    ${x}\n    %{ endfor ~}\n  EOT";
    assert_eq!(p(src), "(tmpl %for(x xs ${x} \"\\n\"))");
    let src = "<<-EOT\n    %{ if a }\n      yes\n    %{ endif }\n    done\n    EOT";
    assert_eq!(p(src), "(tmpl %if(a \"\\n  yes\\n\" |) \"\\ndone\\n\")");
    let src = "<<-EOT\n  ${a}\n    b\n  EOT\n";
    assert_eq!(p(src), "(tmpl ${a} \"\\n  b\\n\")");
    // interpolation spanning lines: only literal line starts count
    let src = "<<-EOT\n    ${f(\n1)}\n    b\n    EOT";
    assert_eq!(p(src), "(tmpl ${(f 1)} \"\\nb\\n\")");
}

#[test]
fn bare_templates() {
    assert_eq!(tmpl(""), "(tmpl)");
    assert_eq!(tmpl("hello ${name}!\n"), "(tmpl \"hello \" ${name} \"!\\n\")");
    assert_eq!(tmpl("a \\n \" $${x} %%{y}"), "(tmpl \"a \\\\n \\\" ${x} %{y}\")");
    assert_eq!(tmpl("%{ for x in xs ~}\n${x}\n%{ endfor ~}\n"), "(tmpl %for(x xs ${x} \"\\n\"))");
    assert_eq!(tmpl("${x}"), "(tmpl ${x})");
    let (_, d) = parse_template(F, "${x");
    assert_eq!(d[0].summary, "Unclosed template interpolation sequence");
}

#[test]
fn template_errors() {
    assert_eq!(first_err(r#""%{endif}""#), "Unexpected endif directive");
    assert_eq!(first_err(r#""%{else}""#), "Unexpected else directive");
    assert_eq!(first_err(r#""%{if a}x""#), "Unexpected end of template");
    assert_eq!(first_err(r#""%{for x in y}x%{endif}""#), "Unexpected endif directive");
    assert_eq!(first_err(r#""%{if x}x%{endfor}""#), "Unexpected endfor directive");
    assert_eq!(first_err(r#""${"unterminated""#), "Unclosed template interpolation sequence");
    assert_eq!(first_err(r#""abc"#), "Unterminated template string");
    assert_eq!(first_err("\"ab\ncd\""), "Invalid multi-line string");
    assert_eq!(first_err(r#""\u00""#), "Invalid escape sequence");
    let d = errs(r#""\q""#);
    assert_eq!(d[0].summary, "Invalid escape sequence");
    assert_eq!(d[0].detail, "The symbol \"q\" is not a valid escape sequence selector.");
    assert_eq!(d[0].subject, Some(crate::Span::new(F, 1, 3)));
    assert_eq!(first_err(r#""${a b}""#), "Extra characters after interpolation expression");
    assert_eq!(first_err(r#""%{ bogus }""#), "Invalid template control keyword");
    assert_eq!(first_err(r#""%{ if a b }x%{endif}""#), "Extra characters in if marker");
    assert_eq!(first_err(r#""%{ 1 }""#), "Invalid template directive");
    assert_eq!(first_err("<<EOT\nabc\n"), "Unterminated template string");
}
