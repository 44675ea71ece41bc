//! Type constraints as written in `variable { type = ... }`: `string`,
//! `list(number)`, `map(any)`, `object({ a = optional(string, "x") })`, ...

use std::collections::BTreeMap;

use plinth_syntax::ast::{Expr, ExprKind, ObjectKey};
use plinth_syntax::Diagnostic;
use plinth_value::{ObjectType, Type};

/// A type constraint plus the `optional(T, default)` defaults nested in it.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeConstraint {
    pub ty: Type,
    /// Defaults for optional object attributes, by attribute name, at this level.
    pub defaults: BTreeMap<String, Expr>,
    /// Constraints of nested object types (for nested defaults), by attribute
    /// name, or `"*"` for the element type of a collection.
    pub nested: BTreeMap<String, TypeConstraint>,
}

impl TypeConstraint {
    pub fn any() -> TypeConstraint {
        TypeConstraint { ty: Type::Dynamic, defaults: BTreeMap::new(), nested: BTreeMap::new() }
    }
    pub fn has_defaults(&self) -> bool {
        !self.defaults.is_empty() || self.nested.values().any(TypeConstraint::has_defaults)
    }
}

fn invalid(e: &Expr, detail: &str) -> Diagnostic {
    Diagnostic::error("Invalid type specification", detail).with_subject(e.span)
}

pub fn parse_type_constraint(e: &Expr) -> Result<TypeConstraint, Diagnostic> {
    parse(e, false)
}

fn simple(ty: Type) -> TypeConstraint {
    TypeConstraint { ty, defaults: BTreeMap::new(), nested: BTreeMap::new() }
}

fn parse(e: &Expr, in_object: bool) -> Result<TypeConstraint, Diagnostic> {
    match &e.kind {
        ExprKind::Variable(id) => match id.name.as_str() {
            "string" => Ok(simple(Type::String)),
            "number" => Ok(simple(Type::Number)),
            "bool" => Ok(simple(Type::Bool)),
            "any" => Ok(simple(Type::Dynamic)),
            "list" | "set" | "map" | "tuple" | "object" => Err(invalid(
                e,
                &format!("The {} type constructor requires one argument specifying the element type.", id.name),
            )),
            other => Err(invalid(e, &format!("The keyword {other:?} is not a valid type specification."))),
        },
        ExprKind::Call { name, args, .. } => {
            let one = |what: &str| -> Result<&Expr, Diagnostic> {
                match args.as_slice() {
                    [a] => Ok(a),
                    _ => Err(invalid(e, &format!("The {what} type constructor requires one argument specifying the element type."))),
                }
            };
            match name.name.as_str() {
                "list" | "set" | "map" => {
                    let inner = parse(one(&name.name)?, false)?;
                    let ty = match name.name.as_str() {
                        "list" => Type::list(inner.ty.clone()),
                        "set" => Type::set(inner.ty.clone()),
                        _ => Type::map(inner.ty.clone()),
                    };
                    let mut tc = simple(ty);
                    if inner.has_defaults() {
                        tc.nested.insert("*".into(), inner);
                    }
                    Ok(tc)
                }
                "tuple" => {
                    let a = one("tuple")?;
                    let ExprKind::Tuple(items) = &a.kind else {
                        return Err(invalid(a, "The tuple type constructor requires a list of element types."));
                    };
                    let mut tys = Vec::new();
                    for i in items {
                        tys.push(parse(i, false)?.ty);
                    }
                    Ok(simple(Type::tuple(tys)))
                }
                "object" => {
                    let a = one("object")?;
                    let ExprKind::Object(items) = &a.kind else {
                        return Err(invalid(a, "The object type constructor requires an object describing the attribute types."));
                    };
                    let mut ot = ObjectType::default();
                    let mut tc = simple(Type::Dynamic);
                    for item in items {
                        let key = match &item.key {
                            ObjectKey::Ident(i) => i.name.clone(),
                            ObjectKey::Expr(k) => match &k.kind {
                                ExprKind::Template(parts) => match parts.as_slice() {
                                    [plinth_syntax::ast::TemplatePart::Literal(s)] => s.clone(),
                                    _ => return Err(invalid(k, "Object constructor map keys must be attribute names.")),
                                },
                                _ => return Err(invalid(k, "Object constructor map keys must be attribute names.")),
                            },
                        };
                        let (attr_tc, optional, default) = parse_attr(&item.value)?;
                        if optional {
                            ot.optional.insert(key.clone());
                        }
                        if let Some(d) = default {
                            tc.defaults.insert(key.clone(), d);
                        }
                        ot.attrs.insert(key.clone(), attr_tc.ty.clone());
                        if attr_tc.has_defaults() {
                            tc.nested.insert(key, attr_tc);
                        }
                    }
                    tc.ty = Type::Object(std::sync::Arc::new(ot));
                    Ok(tc)
                }
                "optional" if !in_object => Err(invalid(e, "Keyword \"optional\" is valid only as a modifier for object type attributes.")),
                other => Err(invalid(e, &format!("Keyword {other:?} is not a valid type constructor."))),
            }
        }
        ExprKind::Null => Err(invalid(e, "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).")),
        _ => Err(invalid(e, "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).")),
    }
}

fn parse_attr(e: &Expr) -> Result<(TypeConstraint, bool, Option<Expr>), Diagnostic> {
    if let ExprKind::Call { name, args, .. } = &e.kind {
        if name.name == "optional" {
            return match args.as_slice() {
                [t] => Ok((parse(t, true)?, true, None)),
                [t, d] => Ok((parse(t, true)?, true, Some(d.clone()))),
                _ => Err(invalid(e, "Optional attribute modifier expects one or two arguments.")),
            };
        }
    }
    Ok((parse(e, true)?, false, None))
}
