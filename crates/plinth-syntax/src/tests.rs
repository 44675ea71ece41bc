//! Parser tests. Expressions are compared through a compact S-expression
//! rendering (`sx`) so that precedence and structure are easy to read.

use crate::ast::*;
use crate::{parse_expr, parse_file, parse_json_file, parse_template, Diagnostic, FileId};

const F: FileId = FileId(0);

fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.clone(),
        ExprKind::Template(parts) => format!("(tmpl{})", parts_sx(parts)),
        ExprKind::Variable(i) => i.name.clone(),
        ExprKind::GetAttr(e, i) => format!("(. {} {})", sx(e), i.name),
        ExprKind::Index(e, k) => format!("([] {} {})", sx(e), sx(k)),
        ExprKind::Splat { source, each } => format!("(splat {} {})", sx(source), sx(each)),
        ExprKind::SplatItem => "@".into(),
        ExprKind::Tuple(items) => format!("[{}]", items.iter().map(sx).collect::<Vec<_>>().join(" ")),
        ExprKind::Object(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|i| {
                    let k = match &i.key {
                        ObjectKey::Ident(id) => id.name.clone(),
                        ObjectKey::Expr(e) => format!("<{}>", sx(e)),
                    };
                    format!("{k}={}", sx(&i.value))
                })
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ExprKind::Call { name, args, expand_final } => {
            format!(
                "({}{}{})",
                name.name,
                args.iter().map(|a| format!(" {}", sx(a))).collect::<String>(),
                if *expand_final { " ..." } else { "" }
            )
        }
        ExprKind::Conditional { cond, then, otherwise } => format!("(? {} {} {})", sx(cond), sx(then), sx(otherwise)),
        ExprKind::Unary { op, expr } => format!("({} {})", if *op == UnaryOp::Neg { "neg" } else { "!" }, sx(expr)),
        ExprKind::Binary { op, lhs, rhs } => {
            let o = match op {
                BinaryOp::Or => "||",
                BinaryOp::And => "&&",
                BinaryOp::Eq => "==",
                BinaryOp::Ne => "!=",
                BinaryOp::Lt => "<",
                BinaryOp::Le => "<=",
                BinaryOp::Gt => ">",
                BinaryOp::Ge => ">=",
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                BinaryOp::Mod => "%",
            };
            format!("({o} {} {})", sx(lhs), sx(rhs))
        }
        ExprKind::For(f) => {
            let mut s = String::from("(for ");
            if let Some(k) = &f.key_var {
                s += &format!("{},", k.name);
            }
            s += &format!("{} {}", f.value_var.name, sx(&f.collection));
            if let Some(k) = &f.key {
                s += &format!(" {} =>", sx(k));
            }
            s += &format!(" {}", sx(&f.value));
            if f.group {
                s += "...";
            }
            if let Some(c) = &f.condition {
                s += &format!(" if {}", sx(c));
            }
            s + ")"
        }
        ExprKind::Parens(e) => format!("({})", sx(e)),
    }
}

fn parts_sx(parts: &[TemplatePart]) -> String {
    parts
        .iter()
        .map(|p| match p {
            TemplatePart::Literal(s) => format!(" {s:?}"),
            TemplatePart::Interp(e) => format!(" ${{{}}}", sx(e)),
            TemplatePart::If { cond, then, otherwise, .. } => format!(" %if({}{} |{})", sx(cond), parts_sx(then), parts_sx(otherwise)),
            TemplatePart::For { key_var, value_var, collection, body, .. } => format!(
                " %for({}{} {}{})",
                key_var.as_ref().map(|k| format!("{},", k.name)).unwrap_or_default(),
                value_var.name,
                sx(collection),
                parts_sx(body)
            ),
        })
        .collect()
}

fn ok(src: &str) -> Expr {
    let (e, d) = parse_expr(F, src);
    assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:#?}");
    e
}

fn p(src: &str) -> String {
    sx(&ok(src))
}

fn errs(src: &str) -> Vec<Diagnostic> {
    let (_, d) = parse_expr(F, src);
    d
}

fn first_err(src: &str) -> String {
    let d = errs(src);
    assert!(!d.is_empty(), "expected an error for {src:?}");
    d[0].summary.clone()
}

fn file_ok(src: &str) -> Body {
    let (b, d) = parse_file(F, src);
    assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:#?}");
    b
}

fn file_err(src: &str) -> String {
    let (_, d) = parse_file(F, src);
    assert!(!d.is_empty(), "expected an error for {src:?}");
    d[0].summary.clone()
}

fn text<'a>(src: &'a str, e: &Expr) -> &'a str {
    &src[e.span.start as usize..e.span.end as usize]
}

fn tmpl(src: &str) -> String {
    let (e, d) = parse_template(F, src);
    assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:#?}");
    sx(&e)
}

mod bodies;
mod exprs;
mod json;
mod robustness;
mod templates;
