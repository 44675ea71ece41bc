//! Structural diffs of values, computed and rendered the way Terraform's plan
//! renderer does (`internal/command/jsonformat`: `differ` then `renderers`).
//!
//! Two steps: [`diff_block`] / [`diff_value`] turn a before/after pair plus
//! the schema into a tree of [`Diff`]s, each with its own action; then
//! [`Diff::render`] prints that tree: four spaces per level, an action symbol
//! in a three-column gutter, `=` aligned within an object, unchanged members
//! counted instead of shown, `-> null`, `(known after apply)`,
//! `(sensitive value)` and `# forces replacement`.
//!
//! Beyond Terraform: a string holding YAML (a Kubernetes manifest, a
//! cloud-init document) that changes is diffed structurally like Terraform
//! diffs a string holding JSON, and shown as `yamlencode(...)`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use plinth_provider::{AttributeSchema, BlockSchema, Nesting, Path, PathStep};
use plinth_value::{Kind, Marks, Type, Value};

use super::Paint;

/// What happens to one node of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    NoOp,
    Create,
    Update,
    Delete,
}

/// `CompareActions`: children that disagree make their parent an update.
fn compare(cur: Act, next: Act) -> Act {
    if next == Act::NoOp {
        cur
    } else if cur != next {
        Act::Update
    } else {
        cur
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Prim {
    Str(String),
    Num(String),
    Bool(bool),
}

pub struct Diff {
    pub act: Act,
    replace: bool,
    r: R,
}

enum R {
    Prim {
        before: Option<Prim>,
        after: Option<Prim>,
    },
    Unknown {
        before: Option<Box<Diff>>,
    },
    Sensitive {
        before: bool,
        after: bool,
        inner: Act,
    },
    SensitiveBlock,
    /// `nested` objects print `-> null` on their deleted members.
    Object {
        attrs: BTreeMap<String, Diff>,
        nested: bool,
    },
    Map {
        elems: BTreeMap<String, Diff>,
    },
    List {
        elems: Vec<Diff>,
        context: bool,
    },
    Set {
        elems: Vec<Diff>,
    },
    Block {
        attrs: BTreeMap<String, Diff>,
        blocks: Vec<(String, BlockGroup)>,
    },
    TypeChange {
        before: Box<Diff>,
        after: Box<Diff>,
    },
}

struct BlockGroup {
    replace: bool,
    unknown: bool,
    /// (map key label, diff): the label is empty except for map-nested blocks.
    items: Vec<(String, Diff)>,
}

/// What the differ carries down the tree.
struct Ctx<'a> {
    requires_replace: &'a [Path],
    /// Terraform treats `""` as null in schemas without newer features
    /// (SDKv2 providers cannot tell them apart).
    legacy: bool,
}

impl Ctx<'_> {
    fn replace(&self, at: &At) -> bool {
        self.requires_replace.iter().any(|p| at.is(p))
    }
}

/// Where the differ is in the value: a chain of steps borrowed from the
/// schema and the values, matched against `requires_replace` without
/// building a [`Path`] for every attribute.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Attr(&'a At<'a>, &'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, u64),
}

impl At<'_> {
    /// Whether this is the place `path` names.
    fn is(&self, path: &[PathStep]) -> bool {
        let Some((last, rest)) = path.split_last() else { return matches!(self, At::Root) };
        let up = match (self, last) {
            (At::Attr(up, k), PathStep::Attr(s)) if *k == s => up,
            (At::Key(up, k), PathStep::Key(s)) if *k == s => up,
            (At::Index(up, i), PathStep::Index(j)) if i == j => up,
            _ => return false,
        };
        up.is(rest)
    }
}

fn is_sensitive(v: Option<&Value>) -> bool {
    v.is_some_and(|v| v.marks.contains(Marks::SENSITIVE))
}

fn is_unknown(v: Option<&Value>) -> bool {
    v.is_some_and(|v| matches!(v.kind, Kind::Unknown(_)))
}

/// `None` for absent and null values alike, as in Terraform's JSON plan.
fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn unmarked(v: Option<&Value>) -> Option<Value> {
    v.map(|v| v.clone().unmark().0)
}

fn default_act(before: Option<&Value>, after: Option<&Value>) -> Act {
    match (present(before), after.filter(|v| !v.is_null())) {
        (None, None) => Act::NoOp,
        (None, Some(_)) => Act::Create,
        (Some(_), None) => Act::Delete,
        _ => Act::NoOp,
    }
}

fn child<'v>(v: Option<&'v Value>, key: &str) -> Option<&'v Value> {
    present(v).and_then(Value::as_entries).and_then(|m| m.get(key))
}

fn seq(v: Option<&Value>) -> &[Value] {
    present(v).and_then(Value::as_seq).unwrap_or(&[])
}

fn same(a: &Value, b: &Value) -> bool {
    a.raw_equal(b) && a.marks_deep() == b.marks_deep()
}

/// The diff of a whole resource object (or a nested block) against its schema.
pub fn diff_resource(before: Option<&Value>, after: Option<&Value>, schema: Option<&BlockSchema>, requires_replace: &[Path]) -> Diff {
    let synthesized;
    let schema = match schema {
        Some(s) => s,
        None => {
            // No schema: every member is an attribute of the value's own type.
            let ty = present(after).or(present(before)).map(Value::ty).unwrap_or(Type::Dynamic);
            let mut s = BlockSchema::default();
            if let Type::Object(o) = &ty {
                for (k, t) in o.attrs.iter() {
                    s.attributes.insert(k.clone(), AttributeSchema::optional(t.clone()));
                }
            }
            synthesized = s;
            &synthesized
        }
    };
    let ctx = Ctx { requires_replace, legacy: !non_legacy(schema) };
    diff_block(&ctx, before, after, schema, &At::Root)
}

/// `containsNonLegacyFeatures`: map-nested blocks, or attributes of object,
/// tuple, dynamic or nested-collection types.
fn non_legacy(b: &BlockSchema) -> bool {
    b.blocks.values().any(|nb| nb.nesting == Nesting::Map)
        || b.attributes.values().any(|a| {
            let t = &a.ty;
            t.has_dynamic()
                || matches!(t, Type::Object(_) | Type::Tuple(_))
                || t.element_type().is_some_and(|e| e.element_type().is_some_and(|ee| !ee.is_primitive()))
        })
}

fn diff_block(ctx: &Ctx, before: Option<&Value>, after: Option<&Value>, schema: &BlockSchema, path: &At) -> Diff {
    let replace = ctx.replace(path);
    if is_sensitive(before) || is_sensitive(after) {
        let inner = diff_block(ctx, unmarked(before).as_ref(), unmarked(after).as_ref(), schema, path);
        let act = if inner.act == Act::NoOp && is_sensitive(before) != is_sensitive(after) { Act::Update } else { inner.act };
        return Diff { act, replace, r: R::SensitiveBlock };
    }
    if is_unknown(after) {
        return unknown_diff(ctx, before, path, &mut |b| diff_block(ctx, b, None, schema, path));
    }
    let mut act = default_act(before, after);
    let mut attrs = BTreeMap::new();
    for (k, a) in &schema.attributes {
        let (mut cb, mut ca) = (child(before, k), child(after, k));
        // Attributes the schema calls sensitive never show, marked or not.
        let marked;
        if a.sensitive {
            let mark = |v: Option<&Value>| present(v).map(|v| v.clone().sensitive());
            marked = (mark(cb), mark(ca));
            (cb, ca) = (marked.0.as_ref(), marked.1.as_ref());
        }
        let d = diff_value(ctx, cb, ca, &a.ty, &At::Attr(path, k));
        if d.act == Act::NoOp && present(cb).is_none() && present(ca).is_none() {
            continue;
        }
        act = compare(act, d.act);
        attrs.insert(k.clone(), d);
    }
    let mut blocks = Vec::new();
    for (k, nb) in &schema.blocks {
        let p = At::Attr(path, k);
        let (cb, ca) = (child(before, k), child(after, k));
        let unknown = is_unknown(ca);
        let mut group_act = default_act(cb, ca);
        let mut items = Vec::new();
        match nb.nesting {
            Nesting::Single => {
                let d = diff_block(ctx, cb, ca, &nb.block, &p);
                group_act = d.act;
                if !(d.act == Act::NoOp && present(cb).is_none() && present(ca).is_none()) || unknown {
                    items.push((String::new(), d));
                }
            }
            Nesting::List if !unknown => {
                let (bs, as_) = (seq(cb), seq(ca));
                for i in 0..bs.len().max(as_.len()) {
                    let d = diff_block(ctx, bs.get(i), as_.get(i), &nb.block, &At::Index(&p, i as u64));
                    group_act = compare(group_act, d.act);
                    items.push((String::new(), d));
                }
            }
            Nesting::Set if !unknown => {
                for (b, a) in match_set(seq(cb), seq(ca)) {
                    let d = diff_block(ctx, b, a, &nb.block, &p);
                    group_act = compare(group_act, d.act);
                    items.push((String::new(), d));
                }
            }
            Nesting::Map if !unknown => {
                for key in keys(cb, ca) {
                    let d = diff_block(ctx, child(cb, &key), child(ca, &key), &nb.block, &At::Key(&p, &key));
                    group_act = compare(group_act, d.act);
                    items.push((format!(" {}", plinth_value::go_quote(&key)), d));
                }
            }
            _ => {}
        }
        if unknown && nb.nesting != Nesting::Single {
            let before_block = present(cb).map(|_| Box::new(diff_value(ctx, cb, None, &Type::Dynamic, &p)));
            items.insert(
                0,
                (
                    String::new(),
                    Diff {
                        act: if present(cb).is_some() { Act::Update } else { Act::Create },
                        replace: false,
                        r: R::Unknown { before: before_block },
                    },
                ),
            );
            group_act = compare(group_act, items[0].1.act);
        }
        if group_act == Act::NoOp && present(cb).is_none() && present(ca).is_none() && !unknown {
            continue;
        }
        act = compare(act, group_act);
        blocks.push((k.clone(), BlockGroup { replace: ctx.replace(&p), unknown, items }));
    }
    Diff { act, replace, r: R::Block { attrs, blocks } }
}

fn unknown_diff(ctx: &Ctx, before: Option<&Value>, path: &At, before_diff: &mut dyn FnMut(Option<&Value>) -> Diff) -> Diff {
    let replace = ctx.replace(path);
    match present(before) {
        None => Diff { act: Act::Create, replace, r: R::Unknown { before: None } },
        Some(b) => Diff { act: Act::Update, replace, r: R::Unknown { before: Some(Box::new(before_diff(Some(b)))) } },
    }
}

/// Pairs set elements: equal ones together, the rest as deletions then creations.
fn match_set<'v>(before: &'v [Value], after: &'v [Value]) -> Vec<(Option<&'v Value>, Option<&'v Value>)> {
    let mut used = vec![false; after.len()];
    let mut out = Vec::new();
    for b in before {
        let m = after.iter().enumerate().find(|(j, a)| !used[*j] && !is_unknown(Some(a)) && same(b, a)).map(|(j, _)| j);
        match m {
            Some(j) => {
                used[j] = true;
                out.push((Some(b), Some(&after[j])));
            }
            None => out.push((Some(b), None)),
        }
    }
    for (j, a) in after.iter().enumerate() {
        if !used[j] {
            out.push((None, Some(a)));
        }
    }
    out
}

fn keys(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut ks: Vec<String> = [before, after]
        .into_iter()
        .flat_map(|v| present(v).and_then(Value::as_entries).into_iter().flat_map(|m| m.keys().cloned()))
        .collect();
    ks.sort();
    ks.dedup();
    ks
}

/// Longest common subsequence of two sequences under `eq`, as index pairs.
pub fn lcs<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if eq(&a[i], &b[j]) { t[i + 1][j + 1] + 1 } else { t[i + 1][j].max(t[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if eq(&a[i], &b[j]) {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `ProcessSlice`: walks two sequences as (before index, after index) pairs,
/// `None` on the side an element is missing from. Equal-length sequences that
/// are not reorderings are compared index by index; others around their LCS,
/// pairing up unmatched objects so they diff member by member.
fn process_slice<T>(
    before: &[T],
    after: &[T],
    eq: impl Fn(&T, &T) -> bool,
    is_obj: impl Fn(&T) -> bool,
) -> Vec<(Option<usize>, Option<usize>)> {
    let reorder = before.len() == after.len() && before.iter().all(|b| after.iter().any(|a| eq(b, a)));
    if before.len() == after.len() && !reorder {
        return (0..before.len()).map(|i| (Some(i), Some(i))).collect();
    }
    let common = lcs(before, after, &eq);
    let (mut bi, mut ai, mut li) = (0, 0, 0);
    let mut out = Vec::new();
    while bi < before.len() || ai < after.len() || li < common.len() {
        while bi < before.len() && common.get(li).is_none_or(|&(cb, _)| cb != bi) {
            let after_free = ai < after.len() && common.get(li).is_none_or(|&(_, ca)| ca != ai);
            if after_free && is_obj(&before[bi]) && is_obj(&after[ai]) {
                out.push((Some(bi), Some(ai)));
                bi += 1;
                ai += 1;
                continue;
            }
            out.push((Some(bi), None));
            bi += 1;
        }
        while ai < after.len() && common.get(li).is_none_or(|&(_, ca)| ca != ai) {
            out.push((None, Some(ai)));
            ai += 1;
        }
        if li < common.len() {
            out.push((Some(bi), Some(ai)));
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
    out
}

fn prim(v: Option<&Value>) -> Option<Prim> {
    match &present(v)?.kind {
        Kind::String(s) => Some(Prim::Str(s.to_string())),
        Kind::Number(n) => Some(Prim::Num(n.to_string())),
        Kind::Bool(b) => Some(Prim::Bool(*b)),
        _ => None,
    }
}

/// `ComputeDiffForType`.
fn diff_value(ctx: &Ctx, before: Option<&Value>, after: Option<&Value>, ty: &Type, path: &At) -> Diff {
    let replace = ctx.replace(path);
    let legacy_empty = |v: &Value| ctx.legacy && v.as_str() == Some("") && !v.marks.contains(Marks::SENSITIVE);
    let (before, after) = (before.filter(|v| !legacy_empty(v)), after.filter(|v| !legacy_empty(v)));
    if is_sensitive(before) || is_sensitive(after) {
        let (b, a) = (unmarked(before), unmarked(after));
        let inner = diff_value(ctx, b.as_ref(), a.as_ref(), ty, path);
        let act = if inner.act == Act::NoOp && is_sensitive(before) != is_sensitive(after) { Act::Update } else { inner.act };
        return Diff { act, replace, r: R::Sensitive { before: is_sensitive(before), after: is_sensitive(after), inner: inner.act } };
    }
    if is_unknown(after) {
        return unknown_diff(ctx, before, path, &mut |b| diff_value(ctx, b, None, ty, path));
    }
    let dynamic = *ty == Type::Dynamic;
    let ty = match ty {
        Type::Dynamic => {
            let (bt, at) = (present(before).map(Value::ty), present(after).map(Value::ty));
            if let (Some(bt), Some(at)) = (&bt, &at) {
                if category(bt) != category(at) {
                    let b = diff_value(ctx, before, None, bt, path);
                    let a = diff_value(ctx, None, after, at, path);
                    return Diff { act: Act::Update, replace, r: R::TypeChange { before: Box::new(b), after: Box::new(a) } };
                }
            }
            match at.or(bt).unwrap_or(Type::String) {
                // Without a schema type Terraform renders from JSON, where a
                // map is an object: its keys are attribute names (`a = "x"`,
                // quoted only when they must be).
                Type::Map(_) => Type::Object(std::sync::Arc::new(plinth_value::ObjectType::default())),
                t => t,
            }
        }
        t => t.clone(),
    };
    match &ty {
        Type::Object(o) => {
            let mut act = default_act(before, after);
            let mut attrs = BTreeMap::new();
            let mut names: Vec<String> = o.attrs.keys().cloned().collect();
            names.extend(keys(before, after));
            names.sort();
            names.dedup();
            for k in names {
                let (cb, ca) = (child(before, &k), child(after, &k));
                let cty = if dynamic { Type::Dynamic } else { o.attrs.get(&k).cloned().unwrap_or(Type::Dynamic) };
                let d = diff_value(ctx, cb, ca, &cty, &At::Attr(path, &k));
                if d.act == Act::NoOp && present(cb).is_none() && present(ca).is_none() {
                    continue;
                }
                act = compare(act, d.act);
                attrs.insert(k, d);
            }
            Diff { act, replace, r: R::Object { attrs, nested: false } }
        }
        Type::Map(et) => {
            let et = if dynamic { &Type::Dynamic } else { &**et };
            let mut act = default_act(before, after);
            let mut elems = BTreeMap::new();
            for k in keys(before, after) {
                let d = diff_value(ctx, child(before, &k), child(after, &k), et, &At::Key(path, &k));
                act = compare(act, d.act);
                elems.insert(k, d);
            }
            Diff { act, replace, r: R::Map { elems } }
        }
        Type::List(_) | Type::Tuple(_) => {
            let (bs, as_) = (seq(before), seq(after));
            let elem_ty = |i: usize, tuple_side: Option<&Value>| match &ty {
                _ if dynamic => Type::Dynamic,
                Type::List(et) => (**et).clone(),
                _ => present(tuple_side).and_then(Value::as_seq).and_then(|s| s.get(i)).map(Value::ty).unwrap_or(Type::Dynamic),
            };
            let list_of_objects = matches!(&ty, Type::List(et) if matches!(**et, Type::Object(_)));
            let is_obj = |v: &Value| list_of_objects || (dynamic && matches!(v.kind, Kind::Object(_) | Kind::Map(..)));
            // Tuples of a declared type pair up by index; values of unknown
            // type (outputs, JSON documents) are sequences like lists.
            let pairs = if matches!(ty, Type::Tuple(_)) && !dynamic {
                (0..bs.len().max(as_.len())).map(|i| (Some(i).filter(|&i| i < bs.len()), Some(i).filter(|&i| i < as_.len()))).collect()
            } else {
                process_slice(bs, as_, same, is_obj)
            };
            let mut act = default_act(before, after);
            let mut elems = Vec::new();
            for (bi, ai) in pairs {
                let t = match ai {
                    Some(i) => elem_ty(i, after),
                    None => elem_ty(bi.unwrap_or(0), before),
                };
                let idx = ai.or(bi).unwrap_or(0) as u64;
                let d = diff_value(ctx, bi.map(|i| &bs[i]), ai.map(|i| &as_[i]), &t, &At::Index(path, idx));
                act = compare(act, d.act);
                elems.push(d);
            }
            Diff { act, replace, r: R::List { elems, context: true } }
        }
        Type::Set(et) => {
            let mut act = default_act(before, after);
            let mut elems = Vec::new();
            for (b, a) in match_set(seq(before), seq(after)) {
                let d = diff_value(ctx, b, a, et, path);
                act = compare(act, d.act);
                elems.push(d);
            }
            Diff { act, replace, r: R::Set { elems } }
        }
        _ => {
            let (b, a) = (prim(before), prim(after));
            let act = match (&b, &a) {
                (x, y) if x == y => Act::NoOp,
                (None, Some(_)) => Act::Create,
                (Some(_), None) => Act::Delete,
                _ => Act::Update,
            };
            Diff { act, replace, r: R::Prim { before: b, after: a } }
        }
    }
}

fn category(t: &Type) -> u8 {
    match t {
        Type::Object(_) | Type::Map(_) => 1,
        Type::List(_) | Type::Tuple(_) | Type::Set(_) => 2,
        _ => 0,
    }
}

/// The diff of two dynamic values (outputs, parsed JSON/YAML).
pub fn diff_dynamic(before: Option<&Value>, after: Option<&Value>) -> Diff {
    let ctx = Ctx { requires_replace: &[], legacy: false };
    diff_value(&ctx, before, after, &Type::Dynamic, &At::Root)
}

// ---------------------------------------------------------------- rendering
//
// Everything is appended to one `String`: a node renders its children into
// the same buffer, and the gutters, suffixes and indentation below borrow
// static text unless colouring needs something built.

/// `RenderHumanOpts`.
#[derive(Clone, Copy, Default)]
pub struct Opts {
    pub show_unchanged: bool,
    pub override_null_suffix: bool,
    pub force_replace: bool,
    pub forbid_replace: bool,
    /// `HideDiffActionSymbols`: no gutter at all (`show`, `state show`).
    pub hide_symbols: bool,
}

/// Four spaces a level, for the first 16 levels.
const SPACES: &str = "                                                                ";

fn indent(n: usize) -> Cow<'static, str> {
    match SPACES.get(..4 * n) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned("    ".repeat(n)),
    }
}

/// The three-column action gutter of Terraform's `DiffActionSymbol`.
pub fn gutter(a: Act, p: &Paint) -> Cow<'static, str> {
    match a {
        Act::Create => p.spaced(Paint::green, "  +"),
        Act::Delete => p.spaced(Paint::red, "  -"),
        Act::Update => p.spaced(Paint::yellow, "  ~"),
        Act::NoOp => Cow::Borrowed("   "),
    }
}

/// The gutter and the space after it.
fn sym(a: Act, o: Opts, p: &Paint) -> Cow<'static, str> {
    if o.hide_symbols {
        return Cow::Borrowed("");
    }
    match a {
        Act::Create => p.spaced(Paint::green, "  + "),
        Act::Delete => p.spaced(Paint::red, "  - "),
        Act::Update => p.spaced(Paint::yellow, "  ~ "),
        Act::NoOp => Cow::Borrowed("    "),
    }
}

fn null_suffix(a: Act, o: Opts, p: &Paint) -> Cow<'static, str> {
    if !o.override_null_suffix && a == Act::Delete {
        p.spaced(Paint::gray, " -> null")
    } else {
        Cow::Borrowed("")
    }
}

fn forces(replace: bool, o: Opts, p: &Paint) -> Cow<'static, str> {
    if (replace || o.force_replace) && !o.forbid_replace {
        p.spaced(Paint::red, " # forces replacement")
    } else {
        Cow::Borrowed("")
    }
}

/// The `# (2 unchanged attributes hidden)` line, `ind` levels deep.
fn unchanged(out: &mut String, ind: usize, kw: &str, n: usize, o: Opts, p: &Paint) {
    let s = if n == 1 { "" } else { "s" };
    let text = format!("# ({n} unchanged {kw}{s} hidden)");
    let _ = writeln!(out, "{}{}{}", indent(ind), sym(Act::NoOp, o, p), p.gray(&text));
}

/// One member of an object, map, sequence or block, `ind` levels deep: the
/// gutter, `head` (`name = `), the member's diff, then `end`.
fn member(out: &mut String, ind: usize, head: std::fmt::Arguments, d: &Diff, o: Opts, end: &str, p: &Paint) {
    let _ = write!(out, "{}{}{head}", indent(ind), sym(d.act, o, p));
    d.render_to(out, ind, o, p);
    out.push_str(end);
}

/// `EnsureValidAttributeName`: identifiers as they are, anything else quoted.
pub fn attr_name(k: &str) -> Cow<'_, str> {
    if plinth_syntax::valid_identifier(k) {
        Cow::Borrowed(k)
    } else {
        Cow::Owned(plinth_value::go_quote(k))
    }
}

const IMPORTANT: [&str; 3] = ["id", "name", "tags"];

impl Diff {
    fn is_object(&self) -> bool {
        matches!(self.r, R::Object { .. })
    }

    /// Lines printed above this diff's own line (sensitivity changes).
    fn warnings(&self, ind: usize, p: &Paint) -> Vec<String> {
        let R::Sensitive { before, after, inner } = &self.r else { return Vec::new() };
        if before == after || matches!(inner, Act::Create | Act::Delete) {
            return Vec::new();
        }
        let pad = indent(ind);
        let w = if *before {
            format!(
                "  # {}: this attribute value will no longer be marked as sensitive\n{pad}  # after applying this change.",
                p.yellow("Warning")
            )
        } else {
            format!("  # {}: this attribute value will be marked as sensitive and will not\n{pad}  # display in UI output after applying this change.", p.yellow("Warning"))
        };
        if *inner == Act::NoOp {
            vec![format!("{w} The value is unchanged.")]
        } else {
            vec![w]
        }
    }

    /// The diff as text, its nested lines `ind` levels deep.
    pub fn render(&self, ind: usize, o: Opts, p: &Paint) -> String {
        let mut out = String::new();
        self.render_to(&mut out, ind, o, p);
        out
    }

    /// [`Diff::render`], appended to `out`.
    pub fn render_to(&self, out: &mut String, ind: usize, o: Opts, p: &Paint) {
        let (act, replace) = (self.act, self.replace);
        match &self.r {
            R::Prim { before, after } => render_prim(out, self, before.as_ref(), after.as_ref(), ind, o, p),
            R::Unknown { before } => {
                if let Some(b) = before.as_ref().filter(|_| act != Act::Create) {
                    let bo = Opts { override_null_suffix: true, forbid_replace: replace, ..o };
                    b.render_to(out, ind, bo, p);
                    out.push_str(" -> ");
                }
                let _ = write!(out, "(known after apply){}", forces(replace, o, p));
            }
            R::Sensitive { .. } => {
                let _ = write!(out, "(sensitive value){}{}", null_suffix(act, o, p), forces(replace, o, p));
            }
            R::SensitiveBlock => {
                let (i, s) = (indent(ind), sym(Act::NoOp, o, p));
                let _ = write!(
                    out,
                    "{{{}\n{i}{s}  # At least one attribute in this block is (or was) sensitive,\n{i}{s}  # so its contents will not be displayed.\n{i}{s}}}",
                    forces(replace, o, p)
                );
            }
            R::TypeChange { before, after } => {
                let bo = Opts { override_null_suffix: true, ..o };
                before.render_to(out, ind, bo, p);
                let _ = write!(out, " {} ", p.yellow("->"));
                after.render_to(out, ind, o, p);
                out.push_str(&forces(replace, o, p));
            }
            R::Object { attrs, nested } => {
                if attrs.is_empty() {
                    let _ = write!(out, "{{}}{}{}", null_suffix(act, o, p), forces(replace, o, p));
                    return;
                }
                let ao = Opts { override_null_suffix: !nested, ..o };
                let w = attrs.keys().map(|k| attr_name(k).len()).max().unwrap_or(0);
                let _ = writeln!(out, "{{{}", forces(replace, o, p));
                let mut hidden = 0;
                for (k, d) in attrs {
                    let important = IMPORTANT.contains(&k.as_str());
                    let ko = Opts { show_unchanged: o.show_unchanged || important, ..ao };
                    if d.act == Act::NoOp && !ko.show_unchanged {
                        hidden += 1;
                        continue;
                    }
                    for wl in d.warnings(ind + 1, p) {
                        let _ = writeln!(out, "{}{wl}", indent(ind + 1));
                    }
                    member(out, ind + 1, format_args!("{:<w$} = ", attr_name(k)), d, ko, "\n", p);
                }
                if hidden > 0 {
                    unchanged(out, ind + 1, "attribute", hidden, o, p);
                }
                let _ = write!(out, "{}{}}}{}", indent(ind), sym(Act::NoOp, o, p), null_suffix(act, o, p));
            }
            R::Map { elems } => {
                if elems.is_empty() {
                    let _ = write!(out, "{{}}{}{}", null_suffix(act, o, p), forces(replace, o, p));
                    return;
                }
                let eo = Opts { override_null_suffix: act == Act::Delete, ..o };
                let w = elems.keys().map(|k| plinth_value::go_quote(k).len()).max().unwrap_or(0);
                let _ = writeln!(out, "{{{}", forces(replace, o, p));
                let mut hidden = 0;
                for (k, d) in elems {
                    if d.act == Act::NoOp && !o.show_unchanged {
                        hidden += 1;
                        continue;
                    }
                    for wl in d.warnings(ind + 1, p) {
                        let _ = writeln!(out, "{}{wl}", indent(ind + 1));
                    }
                    let end = if d.is_object() { ",\n" } else { "\n" };
                    member(out, ind + 1, format_args!("{:<w$} = ", plinth_value::go_quote(k)), d, eo, end, p);
                }
                if hidden > 0 {
                    unchanged(out, ind + 1, "element", hidden, o, p);
                }
                let _ = write!(out, "{}{}}}{}", indent(ind), sym(Act::NoOp, o, p), null_suffix(act, o, p));
            }
            R::List { elems, context } => render_list(out, elems, *context, act, replace, ind, o, p),
            R::Set { elems } => {
                if elems.is_empty() {
                    let _ = write!(out, "[]{}{}", null_suffix(act, o, p), forces(replace, o, p));
                    return;
                }
                let eo = Opts { override_null_suffix: true, ..o };
                let _ = writeln!(out, "[{}", forces(replace, o, p));
                let mut hidden = 0;
                for d in elems {
                    if d.act == Act::NoOp && !o.show_unchanged {
                        hidden += 1;
                        continue;
                    }
                    member(out, ind + 1, format_args!(""), d, eo, ",\n", p);
                }
                if hidden > 0 {
                    unchanged(out, ind + 1, "element", hidden, o, p);
                }
                let _ = write!(out, "{}{}]{}", indent(ind), sym(Act::NoOp, o, p), null_suffix(act, o, p));
            }
            R::Block { attrs, blocks } => render_block(out, attrs, blocks, replace, ind, o, p),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn render_list(out: &mut String, elems: &[Diff], context: bool, act: Act, replace: bool, ind: usize, o: Opts, p: &Paint) {
    if elems.is_empty() {
        let _ = write!(out, "[]{}{}", null_suffix(act, o, p), forces(replace, o, p));
        return;
    }
    let eo = Opts { override_null_suffix: true, ..o };
    let uo = Opts { show_unchanged: true, ..o };
    // Unchanged elements not shown yet: how many, and the last of them.
    let (mut pending, mut last_pending): (usize, Option<&Diff>) = (0, None);
    let mut render_next = false;
    let _ = writeln!(out, "[{}", forces(replace, o, p));
    for d in elems {
        if d.act == Act::NoOp && !render_next && !o.show_unchanged {
            pending += 1;
            last_pending = Some(d);
            continue;
        }
        render_next = false;
        let mut opts = eo;
        if context {
            if pending > 1 {
                unchanged(out, ind + 1, "element", pending - 1, o, p);
            }
            if let Some(last) = last_pending.take() {
                member(out, ind + 1, format_args!(""), last, uo, ",\n", p);
            }
            pending = 0;
            if d.act == Act::NoOp {
                opts = uo;
            } else {
                render_next = true;
            }
        }
        for wl in d.warnings(ind + 1, p) {
            let _ = writeln!(out, "{}{wl}", indent(ind + 1));
        }
        member(out, ind + 1, format_args!(""), d, opts, ",\n", p);
    }
    if pending > 0 {
        unchanged(out, ind + 1, "element", pending, o, p);
    }
    let _ = write!(out, "{}{}]{}", indent(ind), sym(Act::NoOp, o, p), null_suffix(act, o, p));
}

fn render_block(
    out: &mut String,
    attrs: &BTreeMap<String, Diff>,
    blocks: &[(String, BlockGroup)],
    replace: bool,
    ind: usize,
    o: Opts,
    p: &Paint,
) {
    let w = attrs.keys().map(|k| attr_name(k).len()).max().unwrap_or(0);
    let _ = writeln!(out, "{{{}", forces(replace, o, p));
    let mut hidden = 0;
    for (k, d) in attrs {
        let important = IMPORTANT.contains(&k.as_str());
        let ko = Opts { show_unchanged: o.show_unchanged || important, ..o };
        if d.act == Act::NoOp && !ko.show_unchanged {
            hidden += 1;
            continue;
        }
        for wl in d.warnings(ind + 1, p) {
            let _ = writeln!(out, "{}{wl}", indent(ind + 1));
        }
        member(out, ind + 1, format_args!("{:<w$} = ", attr_name(k)), d, ko, "\n", p);
    }
    if hidden > 0 {
        unchanged(out, ind + 1, "attribute", hidden, o, p);
    }
    let mut hidden_blocks = 0;
    for (k, g) in blocks {
        let mut first = true;
        let _ = g.unknown;
        for (label, d) in &g.items {
            if d.act == Act::NoOp && !o.show_unchanged {
                hidden_blocks += 1;
                continue;
            }
            if first && !attrs.is_empty() {
                out.push('\n');
            }
            first = false;
            let bo = Opts { force_replace: g.replace, ..o };
            member(out, ind + 1, format_args!("{}{label} ", attr_name(k)), d, bo, "\n", p);
        }
    }
    if hidden_blocks > 0 {
        out.push('\n');
        unchanged(out, ind + 1, "block", hidden_blocks, o, p);
    }
    let _ = write!(out, "{}{}}}", indent(ind), sym(Act::NoOp, o, p));
}

// ---------------------------------------------------------------- strings

/// A string as the renderer sees it: JSON, YAML, multi-line or plain.
enum Str<'a> {
    Null,
    Json(Value),
    Yaml(Value),
    Multiline(&'a str),
    Plain(&'a str),
}

fn eval_str(s: Option<&str>, allow_yaml: bool) -> Str<'_> {
    let Some(s) = s else { return Str::Null };
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(j) = serde_json::from_str::<serde_json::Value>(s) {
            if let Ok(v) = plinth_value::value_from_json(&j, &Type::Dynamic) {
                return Str::Json(v);
            }
        }
    }
    if s.contains('\n') {
        if allow_yaml {
            if let Some(v) = yaml_value(s) {
                return Str::Yaml(v);
            }
        }
        return Str::Multiline(s.trim());
    }
    Str::Plain(s)
}

/// A YAML document holding a mapping or a sequence, as a value.
fn yaml_value(s: &str) -> Option<Value> {
    use yaml_rust2::{Yaml, YamlLoader};
    let docs = YamlLoader::load_from_str(s).ok()?;
    if docs.len() != 1 || !matches!(docs[0], Yaml::Hash(_) | Yaml::Array(_)) {
        return None;
    }
    fn conv(y: &Yaml) -> Option<Value> {
        Some(match y {
            Yaml::Hash(h) => {
                let mut m = BTreeMap::new();
                for (k, v) in h {
                    let key = match k {
                        Yaml::String(s) | Yaml::Real(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        Yaml::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    m.insert(key, conv(v)?);
                }
                Value::object(m)
            }
            Yaml::Array(xs) => Value::tuple(xs.iter().map(conv).collect::<Option<_>>()?),
            Yaml::String(s) => Value::string(s.as_str()),
            Yaml::Integer(i) => Value::int(*i),
            Yaml::Real(r) => Value::number(plinth_value::Number::parse(r)?),
            Yaml::Boolean(b) => Value::bool(*b),
            Yaml::Null => Value::dynamic_null(),
            _ => return None,
        })
    }
    conv(&docs[0])
}

/// Appends `s` quoted as [`plinth_value::go_quote`] quotes it: as it is
/// between quotes when it is printable ASCII with nothing to escape.
fn push_quoted(out: &mut String, s: &str) {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&plinth_value::go_quote(s));
    }
}

/// A number or bool as it is written, `null` for none.
fn show_prim<'v>(v: Option<&'v Prim>, p: &Paint) -> Cow<'v, str> {
    match v {
        None => p.gray("null"),
        Some(Prim::Num(n)) => Cow::Borrowed(n.as_str()),
        Some(Prim::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Some(Prim::Str(s)) => Cow::Owned(plinth_value::go_quote(s)),
    }
}

/// A primitive's text, to look at as a string.
fn prim_text(v: Option<&Prim>) -> Option<&str> {
    match v? {
        Prim::Str(s) | Prim::Num(s) => Some(s.as_str()),
        Prim::Bool(b) => Some(if *b { "true" } else { "false" }),
    }
}

fn render_prim(out: &mut String, d: &Diff, before: Option<&Prim>, after: Option<&Prim>, ind: usize, o: Opts, p: &Paint) {
    let (act, replace) = (d.act, d.replace);
    let is_str = matches!(before, Some(Prim::Str(_))) || matches!(after, Some(Prim::Str(_)));
    if !is_str {
        let _ = match act {
            Act::Create => write!(out, "{}{}", show_prim(after, p), forces(replace, o, p)),
            Act::Delete => write!(out, "{}{}{}", show_prim(before, p), null_suffix(act, o, p), forces(replace, o, p)),
            Act::NoOp => write!(out, "{}{}", show_prim(before, p), forces(replace, o, p)),
            Act::Update => write!(out, "{} {} {}{}", show_prim(before, p), p.yellow("->"), show_prim(after, p), forces(replace, o, p)),
        };
        return;
    }
    let (bt, at) = (prim_text(before), prim_text(after));
    // A null, plain or multi-line string, quoted.
    let simple = |out: &mut String, s: &Str| match s {
        Str::Null => out.push_str(&p.gray("null")),
        Str::Plain(x) | Str::Multiline(x) => push_quoted(out, x),
        Str::Json(_) | Str::Yaml(_) => {}
    };
    let noop_line = |l: &str| format!("{}{}{l}", indent(ind + 1), sym(Act::NoOp, o, p));
    let lines: Vec<String>;
    match act {
        Act::Create | Act::NoOp => {
            let s = eval_str(at, false);
            match &s {
                Str::Json(v) => {
                    let (b, a) = if act == Act::NoOp { (Some(v), Some(v)) } else { (None, Some(v)) };
                    return render_structured(out, "jsonencode", d, b, a, ind, o, p);
                }
                Str::Multiline(x) => lines = x.split('\n').map(noop_line).collect(),
                _ => {
                    simple(out, &s);
                    out.push_str(&forces(replace, o, p));
                    return;
                }
            }
        }
        Act::Delete => {
            let s = eval_str(bt, false);
            match &s {
                Str::Null => {
                    simple(out, &s);
                    out.push_str(&forces(replace, o, p));
                    return;
                }
                Str::Json(v) => return render_structured(out, "jsonencode", d, Some(v), None, ind, o, p),
                Str::Multiline(x) => lines = x.split('\n').map(noop_line).collect(),
                _ => {
                    simple(out, &s);
                    let _ = write!(out, "{}{}", null_suffix(act, o, p), forces(replace, o, p));
                    return;
                }
            }
        }
        Act::Update => {
            // YAML is recognised only when both sides are YAML: a new or
            // deleted document is shown as it is written.
            let yaml = matches!((eval_str(bt, true), eval_str(at, true)), (Str::Yaml(_), Str::Yaml(_)));
            let (bs, as_) = (eval_str(bt, yaml), eval_str(at, yaml));
            match (&bs, &as_) {
                (Str::Json(b), Str::Json(a)) => return render_structured(out, "jsonencode", d, Some(b), Some(a), ind, o, p),
                (Str::Yaml(b), Str::Yaml(a)) => return render_structured(out, "yamlencode", d, Some(b), Some(a), ind, o, p),
                (Str::Json(_), _) | (_, Str::Json(_)) => {
                    let b = Diff { act: Act::Delete, replace: false, r: R::Prim { before: before.cloned(), after: None } };
                    let a = Diff { act: Act::Create, replace: false, r: R::Prim { before: None, after: after.cloned() } };
                    let bo = Opts { override_null_suffix: true, ..o };
                    b.render_to(out, ind, bo, p);
                    let _ = write!(out, " {} ", p.yellow("->"));
                    a.render_to(out, ind, o, p);
                    out.push_str(&forces(replace, o, p));
                    return;
                }
                (Str::Multiline(_), _) | (_, Str::Multiline(_)) => {
                    fn text_of<'a>(s: &Str<'a>) -> &'a str {
                        match *s {
                            Str::Multiline(x) | Str::Plain(x) => x,
                            _ => "",
                        }
                    }
                    let bl: Vec<&str> = text_of(&bs).split('\n').collect();
                    let al: Vec<&str> = text_of(&as_).split('\n').collect();
                    let pad = indent(ind + 1);
                    lines = process_slice(&bl, &al, |a, b| a == b, |_| false)
                        .into_iter()
                        .flat_map(|pair| match pair {
                            (Some(i), Some(j)) if bl[i] == al[j] => vec![format!("{pad}{}{}", sym(Act::NoOp, o, p), bl[i])],
                            (Some(i), Some(j)) => {
                                vec![
                                    format!("{pad}{}{}", sym(Act::Delete, o, p), bl[i]),
                                    format!("{pad}{}{}", sym(Act::Create, o, p), al[j]),
                                ]
                            }
                            (Some(i), None) => vec![format!("{pad}{}{}", sym(Act::Delete, o, p), bl[i])],
                            (None, Some(j)) => vec![format!("{pad}{}{}", sym(Act::Create, o, p), al[j])],
                            (None, None) => vec![],
                        })
                        .collect();
                }
                _ => {
                    simple(out, &bs);
                    let _ = write!(out, " {} ", p.yellow("->"));
                    simple(out, &as_);
                    out.push_str(&forces(replace, o, p));
                    return;
                }
            }
        }
    }
    let _ = write!(
        out,
        "<<-EOT{}\n{}\n{}{}EOT{}",
        forces(replace, o, p),
        lines.join("\n"),
        indent(ind),
        sym(Act::NoOp, o, p),
        null_suffix(act, o, p)
    );
}

/// `renderStringDiffAsJson`: a string holding a document, shown as the
/// function call that would produce it, diffed member by member.
#[allow(clippy::too_many_arguments)]
fn render_structured(
    out: &mut String,
    func: &str,
    d: &Diff,
    before: Option<&Value>,
    after: Option<&Value>,
    ind: usize,
    o: Opts,
    p: &Paint,
) {
    let inner = diff_dynamic(before, after);
    let mut jo = Opts { override_null_suffix: true, ..o };
    let mut act = d.act;
    let (mut note, mut replace) = ("", Cow::Borrowed(""));
    if inner.act == Act::NoOp && d.act == Act::Update {
        note = if d.replace { " # whitespace changes force replacement" } else { " # whitespace changes" };
        jo.show_unchanged = true;
        act = Act::NoOp;
    } else {
        replace = forces(d.replace, o, p);
    }
    let rendered = inner.render(ind + 1, jo, p);
    if matches!(d.act, Act::Create | Act::Delete) {
        act = Act::NoOp;
    }
    let _ = if rendered.contains('\n') {
        write!(
            out,
            "{func}({note}\n{}{}{rendered}{replace}\n{}{}){}",
            indent(ind + 1),
            sym(act, o, p),
            indent(ind),
            sym(Act::NoOp, o, p),
            null_suffix(d.act, o, p)
        )
    } else {
        write!(out, "{func}({rendered}){note}{replace}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indent_is_four_spaces_a_level_at_any_depth() {
        for n in 0..40 {
            assert_eq!(indent(n), "    ".repeat(n));
        }
    }

    #[test]
    fn quoting_matches_go_quote() {
        for s in ["", "plain", "with \"quotes\"", "back\\slash", "tab\there", "line\nbreak", "ünïcode", "\u{7f}", "~ ok {}"] {
            let mut out = String::new();
            push_quoted(&mut out, s);
            assert_eq!(out, plinth_value::go_quote(s));
        }
    }
}
