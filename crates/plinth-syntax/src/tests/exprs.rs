use super::*;

#[test]
fn literals() {
    assert_eq!(p("true"), "true");
    assert_eq!(p("false"), "false");
    assert_eq!(p("null"), "null");
    assert_eq!(p("1"), "1");
    assert_eq!(p("1.5"), "1.5");
    assert_eq!(p("1e3"), "1e3");
    assert_eq!(p("1.5E-3"), "1.5E-3");
    assert_eq!(p("10000000000000000000000000000000000000001"), "10000000000000000000000000000000000000001");
}

#[test]
fn precedence_levels() {
    assert_eq!(p("a || b && c"), "(|| a (&& b c))");
    assert_eq!(p("a && b == c"), "(&& a (== b c))");
    assert_eq!(p("a == b < c"), "(== a (< b c))");
    assert_eq!(p("a != b >= c"), "(!= a (>= b c))");
    assert_eq!(p("a < b + c"), "(< a (+ b c))");
    assert_eq!(p("a <= b - c"), "(<= a (- b c))");
    assert_eq!(p("a > b"), "(> a b)");
    assert_eq!(p("a + b * c"), "(+ a (* b c))");
    assert_eq!(p("a - b / c % d"), "(- a (% (/ b c) d))");
    assert_eq!(p("-a * b"), "(* (neg a) b)");
    assert_eq!(p("!a && b"), "(&& (! a) b)");
    assert_eq!(p("!a.b"), "(! (. a b))");
    assert_eq!(p("- -1"), "(neg (neg 1))");
    assert_eq!(p("a ? b : c || d"), "(? a b (|| c d))");
    assert_eq!(p("a || b ? c : d"), "(? (|| a b) c d)");
    assert_eq!(p("a ? b ? c : d : e ? f : g"), "(? a (? b c d) (? e f g))");
}

#[test]
fn left_associative() {
    assert_eq!(p("a - b - c"), "(- (- a b) c)");
    assert_eq!(p("a / b * c"), "(* (/ a b) c)");
    assert_eq!(p("a || b || c"), "(|| (|| a b) c)");
    assert_eq!(p("a == b == c"), "(== (== a b) c)");
}

#[test]
fn parens() {
    assert_eq!(p("(a + b) * c"), "(* ((+ a b)) c)");
    assert_eq!(p("(\n a\n +\n b\n)"), "((+ a b))");
}

#[test]
fn traversals() {
    assert_eq!(p("a.b"), "(. a b)");
    assert_eq!(p("a.b[0].c"), "(. ([] (. a b) 0) c)");
    assert_eq!(p("a[\"k\"]"), "([] a (tmpl \"k\"))");
    assert_eq!(p("a.0"), "([] a 0)");
    assert_eq!(p("a.0.b"), "(. ([] a 0) b)");
    assert_eq!(p("aws_instance.web-1.id"), "(. (. aws_instance web-1) id)");
    assert_eq!(p("a[b[c]]"), "([] a ([] b c))");
    assert_eq!(p("[1,2][0]"), "([] [1 2] 0)");
    assert_eq!(p("{a=1}.a"), "(. {a=1} a)");
    assert_eq!(first_err("a.0.1"), "Invalid legacy index syntax");
    assert_eq!(first_err("a."), "Invalid attribute name");
    assert_eq!(first_err("a[1"), "Missing close bracket on index");
}

#[test]
fn traversal_spans() {
    let src = "foo.bar[0]";
    let e = ok(src);
    assert_eq!(text(src, &e), "foo.bar[0]");
    let ExprKind::Index(inner, key) = &e.kind else { panic!() };
    assert_eq!(text(src, inner), "foo.bar");
    assert_eq!(text(src, key), "0");
    let ExprKind::GetAttr(root, name) = &inner.kind else { panic!() };
    assert_eq!(text(src, root), "foo");
    assert_eq!(&src[name.span.start as usize..name.span.end as usize], "bar");
    let (root, steps) = e.as_traversal().unwrap();
    assert_eq!(root.name, "foo");
    assert_eq!(steps.len(), 2);
}

#[test]
fn splats() {
    assert_eq!(p("a[*].b[0].c"), "(splat a (. ([] (. @ b) 0) c))");
    assert_eq!(p("a.*.b.c"), "(splat a (. (. @ b) c))");
    assert_eq!(p("a.*.b[0]"), "([] (splat a (. @ b)) 0)");
    assert_eq!(p("a.*.b.0.c"), "(splat a (. ([] (. @ b) 0) c))");
    assert_eq!(p("a[*]"), "(splat a @)");
    assert_eq!(p("a.*"), "(splat a @)");
    assert_eq!(p("a[*].b[*].c"), "(splat a (splat (. @ b) (. @ c)))");
    assert_eq!(p("x.y[*].z"), "(splat (. x y) (. @ z))");
    let src = "list[*].id";
    let e = ok(src);
    assert_eq!(text(src, &e), src);
    let ExprKind::Splat { each, .. } = &e.kind else { panic!() };
    assert_eq!(text(src, each), "[*].id");
    assert_eq!(first_err("a[*"), "Missing close bracket on splat index");
    assert_eq!(first_err("a.*.*"), "Nested splat expression not allowed");
}

#[test]
fn calls() {
    assert_eq!(p("f()"), "(f)");
    assert_eq!(p("f(a, b)"), "(f a b)");
    assert_eq!(p("f(a, b,)"), "(f a b)");
    assert_eq!(p("f(\n a,\n b\n)"), "(f a b)");
    assert_eq!(p("f(a, b...)"), "(f a b ...)");
    assert_eq!(p("core::length(x)"), "(core::length x)");
    assert_eq!(p("provider::terraform::encode_tfvars(x)"), "(provider::terraform::encode_tfvars x)");
    assert_eq!(p("f(g(1))[0]"), "([] (f (g 1)) 0)");
    let src = "max(1, 2)";
    let e = ok(src);
    assert_eq!(text(src, &e), src);
    let ExprKind::Call { name, .. } = &e.kind else { panic!() };
    assert_eq!(name.span.end, 3);
    let src = "provider::terraform::x(1)";
    let ExprKind::Call { name, .. } = ok(src).kind else { panic!() };
    assert_eq!(&src[name.span.start as usize..name.span.end as usize], "provider::terraform::x");
    assert_eq!(first_err("f(a b)"), "Missing argument separator");
    assert_eq!(first_err("f(a..., b)"), "Missing closing parenthesis");
    assert_eq!(first_err("f(a"), "Unterminated function call");
    assert_eq!(first_err("core::"), "Missing function name");
    assert_eq!(first_err("core::x"), "Missing open parenthesis");
}

#[test]
fn tuples() {
    assert_eq!(p("[]"), "[]");
    assert_eq!(p("[a, b,]"), "[a b]");
    assert_eq!(p("[\n  a,\n  b\n]"), "[a b]");
    assert_eq!(p("[[1], [2, 3]]"), "[[1] [2 3]]");
    assert_eq!(first_err("[1 2]"), "Missing item separator");
    assert_eq!(first_err("[1, 2"), "Unterminated tuple constructor expression");
}

#[test]
fn objects() {
    assert_eq!(p("{}"), "{}");
    assert_eq!(p("{ a = 1, \"b\" = 2, (k) = 3, c: 4 }"), "{a=1 <(tmpl \"b\")>=2 <(k)>=3 c=4}");
    assert_eq!(p("{\n  a = 1\n  b = 2\n}"), "{a=1 b=2}");
    assert_eq!(p("{\n  a = 1,\n  b = 2,\n}"), "{a=1 b=2}");
    assert_eq!(p("{ a.b = 1 }"), "{<(. a b)>=1}");
    assert_eq!(p("{ \"${x}\" = 1 }"), "{<(tmpl ${x})>=1}");
    assert_eq!(p("{ true = 1 }"), "{<true>=1}");
    assert_eq!(p("{ a = { b = [1,\n2] } }"), "{a={b=[1 2]}}");
    let src = "{ name = 1 }";
    let ExprKind::Object(items) = ok(src).kind else { panic!() };
    assert_eq!(items[0].key.span(), crate::Span::new(F, 2, 6));
    assert_eq!(first_err("{ a 1 }"), "Missing key/value separator");
    assert_eq!(first_err("{ a = 1 b = 2 }"), "Missing attribute separator");
    assert_eq!(first_err("{ a }"), "Missing attribute value");
    assert_eq!(first_err("{ a = 1"), "Unterminated object constructor expression");
}

#[test]
fn for_exprs() {
    assert_eq!(p("[for v in xs : v]"), "(for v xs v)");
    assert_eq!(p("[for v in xs : v if c]"), "(for v xs v if c)");
    assert_eq!(p("[for i, v in xs : i + v]"), "(for i,v xs (+ i v))");
    assert_eq!(p("{for k, v in m : k => v}"), "(for k,v m k => v)");
    assert_eq!(p("{for k, v in m : k => v... if c}"), "(for k,v m k => v... if c)");
    assert_eq!(p("{\n  for k, v in m :\n  k => v\n  if v != null\n}"), "(for k,v m k => v if (!= v null))");
    assert_eq!(p("[\n for x in [1, 2]:\n x * 2\n]"), "(for x [1 2] (* x 2))");
    assert_eq!(p("[for x in xs : x ? 1 : 2]"), "(for x xs (? x 1 2))");
    assert_eq!(p("[for x in xs : [for y in x : y]]"), "(for x xs (for y x y))");
    let src = "[for v in xs : v]";
    assert_eq!(text(src, &ok(src)), src);
    assert_eq!(first_err("[for in xs : v]"), "Invalid 'for' expression");
    assert_eq!(first_err("[for v xs : v]"), "Invalid 'for' expression");
    assert_eq!(first_err("[for v in xs v]"), "Invalid 'for' expression");
    assert_eq!(first_err("[for v in xs : k => v]"), "Invalid 'for' expression");
    assert_eq!(first_err("{for v in xs : v}"), "Invalid 'for' expression");
    assert_eq!(first_err("[for v in xs : v...]"), "Invalid 'for' expression");
    assert_eq!(first_err("[for v in xs : v if c d]"), "Invalid 'for' expression");
}

#[test]
fn expression_errors() {
    assert_eq!(first_err("1 +"), "Missing expression");
    assert_eq!(first_err("1 + )"), "Invalid expression");
    let d = errs("1 + )");
    assert_eq!(d[0].detail, "Expected the start of an expression, but found an invalid expression token.");
    assert_eq!(d[0].subject, Some(crate::Span::new(F, 4, 5)));
    assert_eq!(first_err("1 2"), "Extra characters after expression");
    assert_eq!(first_err("a ? b"), "Missing false expression in conditional");
    assert_eq!(first_err("(a"), "Unbalanced parentheses");
    assert_eq!(first_err("'a'"), "Invalid character");
    assert_eq!(first_err("a & b"), "Unsupported operator");
    assert_eq!(first_err("a ** b"), "Unsupported operator");
    assert_eq!(first_err("a;"), "Invalid character");
    assert_eq!(first_err(""), "Missing expression");
    // trailing newline / comment after a console expression is fine
    assert_eq!(p("1 + 2\n"), "(+ 1 2)");
    assert_eq!(p("1 # comment\n"), "1");
}

#[test]
fn comments_in_exprs() {
    assert_eq!(p("[1, /* two */ 2, # three\n 3 // four\n]"), "[1 2 3]");
}
