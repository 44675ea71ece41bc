//! Plans rendered in Terraform's form: `# addr will be created`, action
//! symbols, aligned attributes, `(known after apply)`, `(sensitive value)`,
//! `# forces replacement`, hidden unchanged attributes, and the summary line.

use std::fmt::Write as _;

use plinth_engine::{Action, Plan, ResourceChange};
use plinth_value::{Kind, Marks, Value};

fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::DeleteThenCreate => "-/+",
        Action::CreateThenDelete => "+/-",
        Action::Read => "<=",
        Action::NoOp | Action::Forget => " ",
    }
}

fn headline(c: &ResourceChange) -> String {
    let a = &c.addr;
    match c.action {
        Action::Create => format!("# {a} will be created"),
        Action::Update => format!("# {a} will be updated in-place"),
        Action::Delete => match &c.reason {
            Some(r) => format!("# {a} will be destroyed\n  # ({})", r),
            None => format!("# {a} will be destroyed"),
        },
        Action::DeleteThenCreate | Action::CreateThenDelete => match c.reason.as_deref() {
            Some("because of replace_triggered_by") => format!("# {a} will be replaced due to changes in replace_triggered_by"),
            Some("as requested") => format!("# {a} will be replaced, as requested"),
            _ => format!("# {a} must be replaced"),
        },
        Action::Read => format!("# {a} will be read during apply"),
        Action::Forget => format!("# {a} will no longer be managed by plinth"),
        Action::NoOp => match &c.moved_from {
            Some(from) => format!("# {from} has moved to {a}"),
            None => format!("# {a}"),
        },
    }
}

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let shown: Vec<&ResourceChange> = plan.changes.iter().filter(|c| !matches!(c.action, Action::NoOp) || c.moved_from.is_some()).collect();
    if !shown.is_empty() {
        let mut symbols: Vec<Action> = shown.iter().map(|c| c.action).filter(|a| *a != Action::NoOp).collect();
        symbols.sort();
        symbols.dedup();
        out.push_str("\nplinth used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n");
        for a in symbols {
            let word = match a {
                Action::Create => "create",
                Action::Update => "update in-place",
                Action::Delete => "destroy",
                Action::DeleteThenCreate => "destroy and then create replacement",
                Action::CreateThenDelete => "create replacement and then destroy",
                Action::Read => "read (data resources)",
                Action::Forget => "forget",
                Action::NoOp => continue,
            };
            let _ = writeln!(out, "  {} {word}", symbol(a).trim_end());
        }
        out.push_str("\nplinth will perform the following actions:\n");
        let mut sorted = shown.clone();
        sorted.sort_by(|a, b| a.addr.cmp(&b.addr));
        for c in sorted {
            out.push('\n');
            render_change(&mut out, c);
        }
    }
    out
}

fn render_change(out: &mut String, c: &ResourceChange) {
    let _ = writeln!(out, "  {}", headline(c));
    if let (Some(from), false) = (&c.moved_from, c.action == Action::NoOp) {
        let _ = writeln!(out, "  # (moved from {from})");
    }
    let r = &c.addr.resource.resource;
    let kw = if r.mode == plinth_state::ResourceMode::Data { "data" } else { "resource" };
    let _ = writeln!(out, "  {} {kw} {:?} {:?} {{", symbol(c.action), r.type_name, r.name);
    let before = c.before.as_ref().and_then(Value::as_entries);
    let after = c.after.as_ref().and_then(Value::as_entries);
    let mut names: Vec<&String> = before.into_iter().flat_map(|m| m.keys()).chain(after.into_iter().flat_map(|m| m.keys())).collect();
    names.sort();
    names.dedup();
    let width = names
        .iter()
        .filter(|n| {
            let b = before.and_then(|m| m.get(n.as_str()));
            let a = after.and_then(|m| m.get(n.as_str()));
            !(b.is_none_or(Value::is_null) && a.is_none_or(Value::is_null))
        })
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    let mut unchanged = 0;
    for n in names {
        let b = before.and_then(|m| m.get(n.as_str()));
        let a = after.and_then(|m| m.get(n.as_str()));
        let forces = c.requires_replace.iter().any(|p| matches!(p.first(), Some(plinth_provider::PathStep::Attr(x)) if x == n));
        let line = match (b, a, c.action) {
            (_, Some(a), Action::Create | Action::Read) | (None, Some(a), _) => {
                if a.is_null() {
                    continue;
                }
                format!("+ {n:<width$} = {}", show(a))
            }
            (Some(b), _, Action::Delete) | (Some(b), None, _) => {
                if b.is_null() {
                    continue;
                }
                format!("- {n:<width$} = {} -> null", show(b))
            }
            (Some(b), Some(a), _) => {
                if b.raw_equal(a) {
                    if n == "id" && !b.is_null() {
                        format!("  {n:<width$} = {}", show(b))
                    } else {
                        unchanged += 1;
                        continue;
                    }
                } else if b.is_null() {
                    format!("+ {n:<width$} = {}", show(a))
                } else if a.is_null() {
                    format!("- {n:<width$} = {} -> null", show(b))
                } else {
                    format!("~ {n:<width$} = {} -> {}", show(b), show(a))
                }
            }
            (None, None, _) => continue,
        };
        let suffix = if forces { " # forces replacement" } else { "" };
        let _ = writeln!(out, "      {line}{suffix}");
    }
    if unchanged > 0 {
        let s = if unchanged == 1 { "" } else { "s" };
        let _ = writeln!(out, "        # ({unchanged} unchanged attribute{s} hidden)");
    }
    out.push_str("    }\n");
}

/// A value as the plan shows it (one line for scalars, HCL-ish for the rest).
pub fn show(v: &Value) -> String {
    show_indented(v, 6)
}

fn show_indented(v: &Value, indent: usize) -> String {
    if v.marks.contains(Marks::SENSITIVE) {
        return "(sensitive value)".into();
    }
    if v.is_unknown() {
        return "(known after apply)".into();
    }
    match &v.kind {
        Kind::Null(_) => "null".into(),
        Kind::String(s) if s.contains('\n') => {
            let pad = " ".repeat(indent + 4);
            let mut o = String::from("<<-EOT\n");
            for l in s.trim_end_matches('\n').split('\n') {
                let _ = writeln!(o, "{pad}{l}");
            }
            let _ = write!(o, "{}EOT", " ".repeat(indent + 2));
            o
        }
        Kind::String(_) | Kind::Number(_) | Kind::Bool(_) => {
            let d = plinth_value::display_value(v);
            d
        }
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            if xs.is_empty() {
                return "[]".into();
            }
            let pad = " ".repeat(indent + 4);
            let mut o = String::from("[\n");
            for x in xs.iter() {
                let _ = writeln!(o, "{pad}{},", show_indented(x, indent + 4));
            }
            let _ = write!(o, "{}]", " ".repeat(indent + 2));
            o
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let pad = " ".repeat(indent + 4);
            let w = m.keys().map(|k| quoted_key(k).len()).max().unwrap_or(0);
            let mut o = String::from("{\n");
            for (k, x) in m.iter() {
                let _ = writeln!(o, "{pad}{:<w$} = {}", quoted_key(k), show_indented(x, indent + 4));
            }
            let _ = write!(o, "{}}}", " ".repeat(indent + 2));
            o
        }
        Kind::Unknown(_) => unreachable!(),
    }
}

fn quoted_key(k: &str) -> String {
    let ident = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !k.starts_with(|c: char| c.is_ascii_digit());
    if ident {
        k.to_string()
    } else {
        plinth_value::go_quote(k)
    }
}

pub fn summary(plan: &Plan) -> String {
    let (a, c, d) = plan.counts();
    if plan.imports.is_empty() {
        format!("Plan: {a} to add, {c} to change, {d} to destroy.")
    } else {
        format!("Plan: {} to import, {a} to add, {c} to change, {d} to destroy.", plan.imports.len())
    }
}

/// `Changes to Outputs:` section.
pub fn render_outputs(plan: &Plan) -> String {
    let mut lines = Vec::new();
    for (name, o) in &plan.outputs {
        let line = match (&o.before, &o.after) {
            (None, Some(a)) if a.is_null() => continue,
            (None, Some(a)) => format!("  + {name} = {}", if o.sensitive { "(sensitive value)".into() } else { show(a) }),
            (Some(b), Some(a)) if !(a.is_wholly_known() && a.raw_equal(b)) => {
                if o.sensitive {
                    format!("  ~ {name} = (sensitive value)")
                } else {
                    format!("  ~ {name} = {} -> {}", show(b), show(a))
                }
            }
            (Some(b), None) => format!("  - {name} = {} -> null", if o.sensitive { "(sensitive value)".into() } else { show(b) }),
            _ => continue,
        };
        lines.push(line);
    }
    if lines.is_empty() {
        String::new()
    } else {
        format!("\nChanges to Outputs:\n{}\n", lines.join("\n"))
    }
}
