//! The parsed, unevaluated HCL tree. Every node carries its [`Span`].
//!
//! The tree is the same for native and JSON syntax. Template strip markers (`~`)
//! and `<<-` heredoc indentation are already applied by the parser, so the
//! evaluator sees final literal text.

use crate::Span;

/// A body: the attributes and blocks between `{` and `}` (or a whole file).
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name.name == name)
    }
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind.name == kind)
    }
}

/// `name = expr`
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub expr: Expr,
    pub span: Span,
}

/// `kind "label" label2 { body }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: Ident,
    pub labels: Vec<Label>,
    pub body: Body,
    /// From the block type keyword to the closing brace.
    pub span: Span,
    /// The block header: type and labels, up to and including `{`.
    pub header_span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    /// A number literal exactly as written (`1`, `1.5e3`); the value layer parses it
    /// at full precision.
    Number(String),
    /// A quoted string or heredoc. A template made of exactly one interpolation and
    /// nothing else (`"${x}"`) evaluates to that value unconverted.
    Template(Vec<TemplatePart>),
    /// A root name: `var`, `local`, `each`, `count`, `path`, `module`, a resource
    /// type, a `for` variable, ...
    Variable(Ident),
    /// `expr.name`
    GetAttr(Box<Expr>, Ident),
    /// `expr[key]`, and legacy `expr.0`.
    Index(Box<Expr>, Box<Expr>),
    /// `source[*].each` or `source.*.each`. `each` is evaluated once per element
    /// with [`ExprKind::SplatItem`] standing for the element.
    Splat {
        source: Box<Expr>,
        each: Box<Expr>,
    },
    /// The current element inside a splat's `each` expression.
    SplatItem,
    Tuple(Vec<Expr>),
    Object(Vec<ObjectItem>),
    /// `name(args...)`; `name` includes any namespace, e.g. `core::length`.
    /// `expand_final` is true when the last argument is followed by `...`.
    Call {
        name: Ident,
        args: Vec<Expr>,
        expand_final: bool,
    },
    Conditional {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`.
    For(Box<ForExpr>),
    /// `( expr )` — kept because a parenthesized object key is an expression, not a name.
    Parens(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<Ident>,
    pub value_var: Ident,
    pub collection: Expr,
    /// Present for the object form `{ for ... : key => value }`.
    pub key: Option<Expr>,
    pub value: Expr,
    pub condition: Option<Expr>,
    /// `...` after the value: group values with the same key into a tuple.
    pub group: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectItem {
    pub key: ObjectKey,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier key (`name = ...`): the literal string, never a variable.
    Ident(Ident),
    /// Any other key expression (quoted string, `(expr)`, template, ...).
    Expr(Expr),
}

impl ObjectKey {
    pub fn span(&self) -> Span {
        match self {
            ObjectKey::Ident(i) => i.span,
            ObjectKey::Expr(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes already decoded, strip markers already applied.
    Literal(String),
    /// `${expr}`
    Interp(Expr),
    /// `%{if cond}then%{else}else%{endif}`
    If { cond: Expr, then: Vec<TemplatePart>, otherwise: Vec<TemplatePart>, span: Span },
    /// `%{for k, v in coll}body%{endfor}`
    For { key_var: Option<Ident>, value_var: Ident, collection: Expr, body: Vec<TemplatePart>, span: Span },
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Calls `f` on each direct child expression (template parts included).
    pub fn for_each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) | ExprKind::SplatItem => {}
            ExprKind::Template(parts) => template_children(parts, f),
            ExprKind::GetAttr(e, _) | ExprKind::Parens(e) | ExprKind::Unary { expr: e, .. } => f(e),
            ExprKind::Index(a, b) => {
                f(a);
                f(b)
            }
            ExprKind::Splat { source, each } => {
                f(source);
                f(each)
            }
            ExprKind::Tuple(items) => items.iter().for_each(f),
            ExprKind::Object(items) => {
                for item in items {
                    if let ObjectKey::Expr(k) = &item.key {
                        f(k)
                    }
                    f(&item.value)
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(f),
            ExprKind::Conditional { cond, then, otherwise } => {
                f(cond);
                f(then);
                f(otherwise)
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                f(lhs);
                f(rhs)
            }
            ExprKind::For(fe) => {
                f(&fe.collection);
                if let Some(k) = &fe.key {
                    f(k)
                }
                f(&fe.value);
                if let Some(c) = &fe.condition {
                    f(c)
                }
            }
        }
    }

    /// If this expression is a static traversal (`a.b["c"][0]`), returns its root
    /// name and steps. Used for references (`var.x`, `aws_vpc.main.id`) and for
    /// keyword-like arguments (`depends_on`, `ignore_changes`).
    pub fn as_traversal(&self) -> Option<(Ident, Vec<TraversalStep>)> {
        let mut steps = Vec::new();
        let mut cur = self;
        loop {
            match &cur.kind {
                ExprKind::Variable(root) => {
                    steps.reverse();
                    return Some((root.clone(), steps));
                }
                ExprKind::GetAttr(inner, name) => {
                    steps.push(TraversalStep::Attr(name.clone()));
                    cur = inner;
                }
                ExprKind::Index(inner, key) => {
                    let step = match &key.kind {
                        ExprKind::Number(n) => TraversalStep::Index(IndexKey::Number(n.clone()), key.span),
                        ExprKind::Template(parts) => match parts.as_slice() {
                            [] => TraversalStep::Index(IndexKey::String(String::new()), key.span),
                            [TemplatePart::Literal(s)] => TraversalStep::Index(IndexKey::String(s.clone()), key.span),
                            _ => return None,
                        },
                        _ => return None,
                    };
                    steps.push(step);
                    cur = inner;
                }
                _ => return None,
            }
        }
    }
}

fn template_children<'a>(parts: &'a [TemplatePart], f: &mut dyn FnMut(&'a Expr)) {
    for p in parts {
        match p {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interp(e) => f(e),
            TemplatePart::If { cond, then, otherwise, .. } => {
                f(cond);
                template_children(then, f);
                template_children(otherwise, f);
            }
            TemplatePart::For { collection, body, .. } => {
                f(collection);
                template_children(body, f);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TraversalStep {
    Attr(Ident),
    Index(IndexKey, Span),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexKey {
    Number(String),
    String(String),
}
