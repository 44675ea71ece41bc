//! References: which named objects an expression mentions (`var.x`,
//! `local.y`, `module.m.out`, `aws_vpc.main`, `data.aws_ami.x`, ...), found
//! statically so the graph can order evaluation before anything is evaluated.

use plinth_syntax::ast::{Expr, ExprKind, TemplatePart};
use plinth_syntax::{Diagnostic, Span};

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefTarget {
    Var(String),
    Local(String),
    /// `module.NAME`, with the output name when one follows statically.
    Module(String, Option<String>),
    Resource {
        data: bool,
        type_name: String,
        name: String,
    },
    CountIndex,
    EachKey,
    EachValue,
    Path(String),
    Terraform(String),
    SelfRef,
}

#[derive(Clone, Debug)]
pub struct Reference {
    pub target: RefTarget,
    pub span: Span,
    /// What follows the object's own name: for a resource, whether an index
    /// (`aws_vpc.main[0]`) or an attribute (`aws_vpc.main.id`, spanned)
    /// comes right after `type.name` (neither when it is used whole).
    pub next: RefNext,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefNext {
    Nothing,
    Index,
    Attr(Span),
}

/// All references in `e`, skipping names bound by enclosing `for` expressions.
pub fn references(e: &Expr) -> Result<Vec<Reference>, Diagnostic> {
    references_with(e, &[])
}

/// All references in `e`, where `bound` names (dynamic-block iterators
/// around it) are no references either.
pub fn references_with(e: &Expr, bound: &[String]) -> Result<Vec<Reference>, Diagnostic> {
    let mut out = Vec::new();
    let mut bound: Vec<String> = bound.to_vec();
    walk(e, &mut bound, &mut out)?;
    Ok(out)
}

fn walk(e: &Expr, bound: &mut Vec<String>, out: &mut Vec<Reference>) -> Result<(), Diagnostic> {
    walk_indexed(e, false, bound, out)
}

/// [`walk`]; `indexed` when `e` is the collection of an index expression.
fn walk_indexed(e: &Expr, indexed: bool, bound: &mut Vec<String>, out: &mut Vec<Reference>) -> Result<(), Diagnostic> {
    match &e.kind {
        ExprKind::Variable(_) | ExprKind::GetAttr(..) => {
            // Find the root and the attribute names right after it.
            let mut attrs = Vec::new();
            let mut cur = e;
            while let ExprKind::GetAttr(inner, name) = &cur.kind {
                attrs.push(name);
                cur = inner;
            }
            attrs.reverse();
            match &cur.kind {
                ExprKind::Variable(root) => {
                    if !bound.contains(&root.name) {
                        let span = attrs.iter().take(2).fold(root.span, |s, a| s.to(a.span));
                        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
                        let target = classify(&root.name, &names, span)?;
                        // The resource name is the first attribute (the second after `data`).
                        let own = match &target {
                            RefTarget::Resource { data: true, .. } => 2,
                            _ => 1,
                        };
                        let next = match attrs.get(own) {
                            Some(a) => RefNext::Attr(attrs[..=own].iter().fold(root.span, |s, x| s.to(x.span)).to(a.span)),
                            None if indexed => RefNext::Index,
                            None => RefNext::Nothing,
                        };
                        out.push(Reference { target, span, next });
                    }
                }
                _ => walk(cur, bound, out)?,
            }
            Ok(())
        }
        ExprKind::Index(coll, key) => {
            // `data.x.y[0]` / `each.value["k"]`: the root chain may continue through an index.
            walk_indexed(coll, true, bound, out)?;
            walk(key, bound, out)
        }
        ExprKind::For(fe) => {
            walk(&fe.collection, bound, out)?;
            let depth = bound.len();
            if let Some(k) = &fe.key_var {
                bound.push(k.name.clone());
            }
            bound.push(fe.value_var.name.clone());
            let r = (|| {
                if let Some(k) = &fe.key {
                    walk(k, bound, out)?;
                }
                walk(&fe.value, bound, out)?;
                if let Some(c) = &fe.condition {
                    walk(c, bound, out)?;
                }
                Ok(())
            })();
            bound.truncate(depth);
            r
        }
        ExprKind::Template(parts) => walk_template(parts, bound, out),
        _ => {
            let mut result = Ok(());
            e.for_each_child(&mut |c| {
                if result.is_ok() {
                    result = walk(c, bound, out);
                }
            });
            result
        }
    }
}

fn walk_template(parts: &[TemplatePart], bound: &mut Vec<String>, out: &mut Vec<Reference>) -> Result<(), Diagnostic> {
    for p in parts {
        match p {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interp(e) => walk(e, bound, out)?,
            TemplatePart::If { cond, then, otherwise, .. } => {
                walk(cond, bound, out)?;
                walk_template(then, bound, out)?;
                walk_template(otherwise, bound, out)?;
            }
            TemplatePart::For { key_var, value_var, collection, body, .. } => {
                walk(collection, bound, out)?;
                let depth = bound.len();
                if let Some(k) = key_var {
                    bound.push(k.name.clone());
                }
                bound.push(value_var.name.clone());
                let r = walk_template(body, bound, out);
                bound.truncate(depth);
                r?;
            }
        }
    }
    Ok(())
}

fn invalid(span: Span, detail: &str) -> Diagnostic {
    Diagnostic::error("Invalid reference", detail).with_subject(span)
}

fn classify(root: &str, attrs: &[&str], span: Span) -> Result<RefTarget, Diagnostic> {
    let first = attrs.first().map(|s| s.to_string());
    Ok(match root {
        "var" => RefTarget::Var(first.ok_or_else(|| {
            invalid(span, "The \"var\" object cannot be accessed directly. Instead, access one of its attributes.")
        })?),
        "local" => RefTarget::Local(first.ok_or_else(|| {
            invalid(span, "The \"local\" object cannot be accessed directly. Instead, access one of its attributes.")
        })?),
        "module" => RefTarget::Module(
            first.ok_or_else(|| invalid(span, "The \"module\" object cannot be accessed directly. Instead, access one of its attributes."))?,
            attrs.get(1).map(|s| s.to_string()),
        ),
        "data" => {
            let (Some(t), Some(n)) = (attrs.first(), attrs.get(1)) else {
                return Err(invalid(span, "The \"data\" object must be followed by two attribute names: the data source type and the resource name."));
            };
            RefTarget::Resource { data: true, type_name: t.to_string(), name: n.to_string() }
        }
        "count" => match first.as_deref() {
            Some("index") => RefTarget::CountIndex,
            _ => return Err(invalid(span, "The \"count\" object does not have an attribute named that. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.")),
        },
        "each" => match first.as_deref() {
            Some("key") => RefTarget::EachKey,
            Some("value") => RefTarget::EachValue,
            _ => return Err(invalid(span, "The \"each\" object does not have an attribute named that. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.")),
        },
        "path" => RefTarget::Path(first.ok_or_else(|| invalid(span, "The \"path\" object cannot be accessed directly. Instead, access one of its attributes."))?),
        "terraform" => RefTarget::Terraform(first.ok_or_else(|| invalid(span, "The \"terraform\" object cannot be accessed directly. Instead, access one of its attributes."))?),
        "self" => RefTarget::SelfRef,
        _ => match first {
            Some(n) => RefTarget::Resource { data: false, type_name: root.to_string(), name: n },
            None => {
                return Err(invalid(
                    span,
                    "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
                ))
            }
        },
    })
}
