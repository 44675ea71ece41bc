//! String functions: chomp, endswith, format, formatlist, indent, join, lower,
//! regex, regexall, replace, split, startswith, strcontains, strrev, substr,
//! title, trim, trimprefix, trimspace, trimsuffix, upper.
//!
//! Terraform implements these with Go's `strings` and `regexp` packages; the
//! helpers here reproduce Go's behaviour where Rust's differs (simple case
//! mapping, RE2's ASCII-only `\d \w \s \b`, RE2 error messages).

use std::collections::BTreeMap;

use plinth_value::{convert, Kind, Number, Type, Value};
use unicode_segmentation::UnicodeSegmentation;

use super::numeric::{go_quote, to_int};
use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let s = |name: &'static str| Param::new(name, Type::String);
    let str1 = |f| Function::new(vec![s("str")], fixed_type!(Type::String), f);
    r.add("chomp", str1(chomp));
    r.add("lower", str1(lower));
    r.add("upper", str1(upper));
    r.add("strrev", str1(strrev));
    r.add("title", str1(title));
    r.add("trimspace", str1(trimspace));
    r.add("trim", Function::new(vec![s("str"), s("cutset")], fixed_type!(Type::String), trim));
    r.add("trimprefix", Function::new(vec![s("str"), s("prefix")], fixed_type!(Type::String), trimprefix));
    r.add("trimsuffix", Function::new(vec![s("str"), s("suffix")], fixed_type!(Type::String), trimsuffix));
    r.add("startswith", Function::new(vec![s("str"), s("prefix")], fixed_type!(Type::Bool), startswith));
    r.add("endswith", Function::new(vec![s("str"), s("suffix")], fixed_type!(Type::Bool), endswith));
    r.add("strcontains", Function::new(vec![s("str"), s("substr")], fixed_type!(Type::Bool), strcontains));
    r.add("indent", Function::new(vec![Param::new("spaces", Type::Number), s("str")], fixed_type!(Type::String), indent));
    r.add(
        "substr",
        Function::new(
            vec![s("str"), Param::new("offset", Type::Number), Param::new("length", Type::Number)],
            fixed_type!(Type::String),
            substr,
        ),
    );
    r.add(
        "join",
        Function::new(vec![s("separator")], fixed_type!(Type::String), join).variadic(Param::new("lists", Type::list(Type::String))),
    );
    r.add("split", Function::new(vec![s("separator"), s("str")], fixed_type!(Type::list(Type::String)), split));
    r.add("replace", Function::new(vec![s("str"), s("substr"), s("replace")], fixed_type!(Type::String), replace));
    r.add("regex", Function::new(vec![s("pattern"), s("string")], regex_type, regex_fn));
    r.add("regexall", Function::new(vec![s("pattern"), s("string")], regexall_type, regexall));
    let fmt_args = || Param::new("args", Type::Dynamic).allow_null().allow_unknown();
    r.add("format", Function::new(vec![s("format")], fixed_type!(Type::String), format).variadic(fmt_args()));
    r.add("formatlist", Function::new(vec![s("format")], fixed_type!(Type::list(Type::String)), formatlist).variadic(fmt_args()));
}

fn st(v: &Value) -> &str {
    v.as_str().expect("converted to string")
}

fn ok_str(s: impl Into<std::sync::Arc<str>>) -> FuncResult {
    Ok(Value::string(s))
}

// ---- simple transformations --------------------------------------------------

fn chomp(_: &CallCtx, a: &[Value]) -> FuncResult {
    ok_str(st(&a[0]).trim_end_matches(['\r', '\n']))
}

fn lower(_: &CallCtx, a: &[Value]) -> FuncResult {
    ok_str(st(&a[0]).chars().map(go_to_lower).collect::<String>())
}

fn upper(_: &CallCtx, a: &[Value]) -> FuncResult {
    ok_str(st(&a[0]).chars().map(go_to_upper).collect::<String>())
}

/// Go's `unicode.ToLower`: the simple (one-to-one) case mapping.
fn go_to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        // U+0130 is the only character whose full lowercase differs from its
        // simple one; the simple mapping is plain "i".
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Go's `unicode.ToUpper`: the simple case mapping (`ß` stays `ß`).
fn go_to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => {
            let u = c as u32;
            let mapped = match u {
                0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => u + 8,
                0x1FB3 => 0x1FBC,
                0x1FC3 => 0x1FCC,
                0x1FF3 => 0x1FFC,
                _ => u,
            };
            char::from_u32(mapped).unwrap_or(c)
        }
    }
}

/// Go's `unicode.ToTitle`.
fn go_to_title(c: char) -> char {
    match c as u32 {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => go_to_upper(c),
    }
}

fn title(_: &CallCtx, a: &[Value]) -> FuncResult {
    // strings.Title: upper-case the first letter of each word, where words
    // are separated by anything but letters, digits and underscores.
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut prev = ' ';
    let out: String = st(&a[0])
        .chars()
        .map(|c| {
            let r = if is_separator(prev) { go_to_title(c) } else { c };
            prev = c;
            r
        })
        .collect();
    ok_str(out)
}

fn strrev(_: &CallCtx, a: &[Value]) -> FuncResult {
    ok_str(st(&a[0]).graphemes(true).rev().collect::<String>())
}

fn trimspace(_: &CallCtx, a: &[Value]) -> FuncResult {
    ok_str(st(&a[0]).trim())
}

fn trim(_: &CallCtx, a: &[Value]) -> FuncResult {
    let cutset = st(&a[1]);
    ok_str(st(&a[0]).trim_matches(|c| cutset.contains(c)))
}

fn trimprefix(_: &CallCtx, a: &[Value]) -> FuncResult {
    let s = st(&a[0]);
    ok_str(s.strip_prefix(st(&a[1])).unwrap_or(s))
}

fn trimsuffix(_: &CallCtx, a: &[Value]) -> FuncResult {
    let s = st(&a[0]);
    ok_str(s.strip_suffix(st(&a[1])).unwrap_or(s))
}

fn startswith(_: &CallCtx, a: &[Value]) -> FuncResult {
    Ok(Value::bool(st(&a[0]).starts_with(st(&a[1]))))
}

fn endswith(_: &CallCtx, a: &[Value]) -> FuncResult {
    Ok(Value::bool(st(&a[0]).ends_with(st(&a[1]))))
}

fn strcontains(_: &CallCtx, a: &[Value]) -> FuncResult {
    Ok(Value::bool(st(&a[0]).contains(st(&a[1]))))
}

fn indent(_: &CallCtx, a: &[Value]) -> FuncResult {
    let spaces = to_int(&a[0]).map_err(FuncError::call)?;
    if spaces < 0 {
        return Err(FuncError::call("panic in function implementation: strings: negative Repeat count"));
    }
    let text = st(&a[1]);
    let lines = text.matches('\n').count();
    if lines == 0 {
        return ok_str(text);
    }
    if (spaces as u64).saturating_mul(lines as u64).saturating_add(text.len() as u64) > super::MAX_RESULT_LEN as u64 {
        return Err(FuncError::call(format!("the result would be longer than {} bytes", super::MAX_RESULT_LEN)));
    }
    let pad = format!("\n{}", " ".repeat(spaces as usize));
    ok_str(text.replace('\n', &pad))
}

/// Number of grapheme clusters, as Terraform's `length` of a string.
pub(super) fn grapheme_count(s: &str) -> usize {
    s.graphemes(true).count()
}

fn substr(_: &CallCtx, a: &[Value]) -> FuncResult {
    let s = st(&a[0]);
    let mut offset = to_int(&a[1]).map_err(FuncError::call)?;
    let length = to_int(&a[2]).map_err(FuncError::call)?;
    let clusters: Vec<&str> = s.graphemes(true).collect();
    if offset < 0 {
        offset += clusters.len() as i64;
    } else if length == 0 {
        return ok_str("");
    }
    let start = offset.clamp(0, clusters.len() as i64) as usize;
    let rest = &clusters[start..];
    // cty's loop never stops early for a zero length reached through a
    // negative offset, so that case yields the whole remainder too.
    let take = if length <= 0 { rest.len() } else { (length as usize).min(rest.len()) };
    ok_str(rest[..take].concat())
}

fn join(_: &CallCtx, a: &[Value]) -> FuncResult {
    let sep = st(&a[0]);
    let lists = &a[1..];
    if lists.is_empty() {
        return Err(FuncError::call("at least one list is required"));
    }
    let mut items = Vec::new();
    for (ai, list) in lists.iter().enumerate() {
        for (ei, v) in list.as_seq().unwrap_or(&[]).iter().enumerate() {
            match v.as_str() {
                Some(s) => items.push(s),
                None if lists.len() > 1 => {
                    return Err(FuncError::arg(ai + 1, format!("element {ei} of list {} is null; cannot concatenate null values", ai + 1)))
                }
                None => return Err(FuncError::arg(ai + 1, format!("element {ei} is null; cannot concatenate null values"))),
            }
        }
    }
    ok_str(items.join(sep))
}

fn split(_: &CallCtx, a: &[Value]) -> FuncResult {
    let sep = st(&a[0]);
    let s = st(&a[1]);
    let parts: Vec<Value> =
        if sep.is_empty() { s.chars().map(|c| Value::string(c.to_string())).collect() } else { s.split(sep).map(Value::string).collect() };
    Ok(Value::list(Type::String, parts))
}

// ---- regular expressions ----------------------------------------------------

/// A compiled pattern, or Go's error (code, offending text).
pub(super) struct GoRegexError {
    code: String,
    expr: String,
}

/// Compiles an RE2 pattern with Go's semantics: `\d \w \s \b` are ASCII-only
/// and a `{` that does not start a repetition is a literal.
pub(super) fn compile_go_regex(pattern: &str) -> Result<regex::Regex, GoRegexError> {
    if let Some(expr) = nested_repetition(pattern) {
        return Err(GoRegexError { code: "invalid nested repetition operator".into(), expr });
    }
    let translated = translate_re2(pattern);
    match regex::RegexBuilder::new(&translated).build() {
        Ok(re) => Ok(re),
        Err(e) => Err(go_regex_error(pattern).unwrap_or_else(|| GoRegexError { code: e.to_string(), expr: String::new() })),
    }
}

/// Go rejects a repetition operator applied to a repetition (`a**`, `a++`,
/// `a{2}{3}`); the lazy marker `?` belongs to the operator before it. Returns
/// the offending operators' text.
fn nested_repetition(p: &str) -> Option<String> {
    let b = p.as_bytes();
    let chars: Vec<char> = p.chars().collect();
    let _ = chars;
    let mut i = 0;
    let mut last_rep: Option<usize> = None;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if in_class {
            match c {
                b'\\' => i += 2,
                b']' => {
                    in_class = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        let op_len = match c {
            b'*' | b'+' | b'?' => 1,
            b'{' => {
                let chars: Vec<char> = p[i..].chars().collect();
                if is_repeat_at(&chars, 0) {
                    p[i..].find('}').map_or(1, |e| e + 1)
                } else {
                    0
                }
            }
            _ => 0,
        };
        if op_len > 0 {
            let mut end = i + op_len;
            if b.get(end) == Some(&b'?') {
                end += 1;
            }
            if let Some(start) = last_rep {
                return Some(p[start..end].to_string());
            }
            last_rep = Some(i);
            i = end;
            continue;
        }
        last_rep = None;
        match c {
            b'\\' => {
                if b.get(i + 1) == Some(&b'Q') {
                    // literal text up to \E
                    i = p[i + 2..].find("\\E").map_or(b.len(), |e| i + 2 + e + 2);
                    continue;
                }
                i += 2;
                // \p{..}, \x{..}
                if b.get(i) == Some(&b'{') {
                    i = p[i..].find('}').map_or(b.len(), |e| i + e + 1);
                }
            }
            b'[' => {
                in_class = true;
                i += 1;
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    None
}

fn translate_re2(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut in_class = false;
    let mut class_start = 0usize; // index just after '[' or '[^'
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if !in_class && chars.get(i + 1) == Some(&'Q') => {
                // \Q...\E: literal text
                let rest: String = chars[i + 2..].iter().collect();
                let (lit, skip) = match rest.find("\\E") {
                    Some(e) => (&rest[..e], rest[..e].chars().count() + 2),
                    None => (rest.as_str(), rest.chars().count()),
                };
                out.push_str(&regex::escape(lit));
                i += 2 + skip;
                continue;
            }
            '\\' if i + 1 < chars.len() => {
                let n = chars[i + 1];
                let rep = match n {
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    's' => Some("[\\t\\n\\f\\r ]"),
                    'S' => Some("[^\\t\\n\\f\\r ]"),
                    'b' if !in_class => Some("(?-u:\\b)"),
                    'B' if !in_class => Some("(?-u:\\B)"),
                    _ => None,
                };
                match rep {
                    Some(r) => out.push_str(r),
                    None => {
                        out.push(c);
                        out.push(n);
                    }
                }
                i += 2;
                // `\p{Greek}`, `\x{263a}`: copy the braced part through.
                if matches!(n, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                    while i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                        if chars[i - 1] == '}' {
                            break;
                        }
                    }
                }
                continue;
            }
            '[' if in_class => {
                // POSIX class like [:alpha:] inside a bracket expression.
                if chars.get(i + 1) == Some(&':') {
                    if let Some(end) = (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == ':' && chars[j + 1] == ']') {
                        out.extend(&chars[i..=end + 1]);
                        i = end + 2;
                        continue;
                    }
                }
                out.push_str("\\[");
            }
            '[' => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class_start = i;
                continue;
            }
            ']' if in_class && i == class_start => out.push_str("\\]"),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '{' if !in_class && !is_repeat_at(&chars, i) => out.push_str("\\{"),
            '&' | '~' | '-' if in_class && chars.get(i + 1) == Some(&c) => {
                // Rust reserves `&&`, `~~` and `--` inside classes; RE2 reads them literally.
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn is_repeat_at(chars: &[char], i: usize) -> bool {
    let mut j = i + 1;
    let digits = |j: &mut usize| {
        let s = *j;
        while *j < chars.len() && chars[*j].is_ascii_digit() {
            *j += 1;
        }
        *j > s
    };
    if !digits(&mut j) {
        return false;
    }
    if chars.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    chars.get(j) == Some(&'}')
}

/// Go's `regexp/syntax` error for a pattern that failed to compile.
fn go_regex_error(p: &str) -> Option<GoRegexError> {
    use regex_syntax::ast::ErrorKind as K;
    let err = regex_syntax::ast::parse::Parser::new().parse(p).err()?;
    let (s, e) = (err.span().start.offset, err.span().end.offset);
    let text = |a: usize, b: usize| p.get(a..b.max(a)).unwrap_or("").to_string();
    // Start of the "(?" group that contains offset `at`.
    let group_start = |at: usize| p[..at.min(p.len())].rfind("(?").unwrap_or(0);
    let (code, expr) = match err.kind() {
        K::GroupUnclosed => ("missing closing )", p.to_string()),
        K::GroupUnopened => ("unexpected )", p.to_string()),
        K::ClassUnclosed => ("missing closing ]", text(s, p.len())),
        K::ClassRangeInvalid | K::ClassRangeLiteral => ("invalid character class range", text(s, e)),
        K::ClassEscapeInvalid
        | K::EscapeHexEmpty
        | K::EscapeHexInvalid
        | K::EscapeHexInvalidDigit
        | K::EscapeUnrecognized
        | K::UnsupportedBackreference
        | K::DecimalEmpty
        | K::DecimalInvalid => ("invalid escape sequence", text(s, e)),
        K::EscapeUnexpectedEof => ("trailing backslash at end of expression", String::new()),
        K::RepetitionMissing => ("missing argument to repetition operator", text(s, p[s..].chars().next().map_or(s, |c| s + c.len_utf8()))),
        K::RepetitionCountInvalid | K::RepetitionCountDecimalEmpty | K::RepetitionCountUnclosed => ("invalid repeat count", text(s, e)),
        K::GroupNameDuplicate { .. } => ("duplicate capture group name", text(s, e)),
        K::GroupNameEmpty | K::GroupNameInvalid | K::GroupNameUnexpectedEof => {
            let g = group_start(s);
            let end = p[s..].find('>').map_or(p.len(), |k| s + k + 1);
            ("invalid named capture", text(g, end))
        }
        K::FlagUnrecognized | K::FlagDanglingNegation | K::FlagRepeatedNegation { .. } | K::FlagDuplicate { .. } => {
            ("invalid or unsupported Perl syntax", text(group_start(s), e))
        }
        K::FlagUnexpectedEof => ("missing closing )", p.to_string()),
        K::UnsupportedLookAround => ("invalid or unsupported Perl syntax", text(s, e)),
        K::NestLimitExceeded(_) => ("expression nests too deeply", p.to_string()),
        _ => return None,
    };
    Some(GoRegexError { code: code.to_string(), expr })
}

/// The result type of `regex` for a pattern: string without capture groups,
/// a tuple for unnamed groups, an object for named ones.
fn regex_result_type(pattern: &str) -> Result<Type, FuncError> {
    let re = compile_go_regex(pattern).map_err(|e| FuncError::arg(0, format!("invalid regexp pattern: {} in {}", e.code, e.expr)))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let unnamed = names.iter().filter(|n| n.is_none()).count();
    let named: Vec<&str> = names.iter().flatten().copied().collect();
    match (unnamed, named.len()) {
        (0, 0) => Ok(Type::String),
        (u, n) if u > 0 && n > 0 => Err(FuncError::arg(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups")),
        (u, 0) => Ok(Type::tuple(vec![Type::String; u])),
        _ => Ok(Type::object(named.into_iter().map(|n| (n.to_string(), Type::String)).collect())),
    }
}

fn regex_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].as_str() {
        Some(p) => regex_result_type(p),
        None => Ok(Type::Dynamic),
    }
}

fn regexall_type(a: &[Value]) -> Result<Type, FuncError> {
    match a[0].as_str() {
        Some(p) => Ok(Type::list(regex_result_type(p)?)),
        None => Ok(Type::list(Type::Dynamic)),
    }
}

fn regex_match_value(re: &regex::Regex, caps: &regex::Captures<'_>, ty: &Type) -> Value {
    let group = |i: usize| caps.get(i).map_or(Value::null(Type::String), |m| Value::string(m.as_str()));
    match ty {
        Type::String => group(0),
        Type::Tuple(ts) => Value::tuple((1..=ts.len()).map(group).collect()),
        _ => {
            let mut attrs = BTreeMap::new();
            for (i, name) in re.capture_names().enumerate().skip(1) {
                if let Some(name) = name {
                    attrs.insert(name.to_string(), group(i));
                }
            }
            Value::object(attrs)
        }
    }
}

fn regex_fn(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ty = regex_result_type(st(&a[0]))?;
    let re = compile_go_regex(st(&a[0])).map_err(|e| FuncError::arg(0, format!("error parsing pattern: {}", e.code)))?;
    let caps = re.captures(st(&a[1])).ok_or_else(|| FuncError::call("pattern did not match any part of the given string"))?;
    Ok(regex_match_value(&re, &caps, &ty))
}

fn regexall(_: &CallCtx, a: &[Value]) -> FuncResult {
    let ty = regex_result_type(st(&a[0]))?;
    let re = compile_go_regex(st(&a[0])).map_err(|e| FuncError::arg(0, format!("error parsing pattern: {}", e.code)))?;
    let items: Vec<Value> = re.captures_iter(st(&a[1])).map(|c| regex_match_value(&re, &c, &ty)).collect();
    Ok(Value::list(ty, items))
}

fn replace(_: &CallCtx, a: &[Value]) -> FuncResult {
    let (s, search, with) = (st(&a[0]), st(&a[1]), st(&a[2]));
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let re = compile_go_regex(&search[1..search.len() - 1])
            .map_err(|e| FuncError::call(format!("error parsing regexp: {}: `{}`", e.code, e.expr)))?;
        return ok_str(re.replace_all(s, with).into_owned());
    }
    ok_str(s.replace(search, with))
}

// ---- format / formatlist ----------------------------------------------------

fn format(_: &CallCtx, a: &[Value]) -> FuncResult {
    if a[1..].iter().any(|v| !v.is_wholly_known()) {
        return Ok(Value::unknown(Type::String));
    }
    ok_str(format_fsm(st(&a[0]), &a[1..])?)
}

fn formatlist(_: &CallCtx, a: &[Value]) -> FuncResult {
    let fmt = st(&a[0]);
    let args = &a[1..];
    let ret_ty = Type::list(Type::String);
    if args.is_empty() {
        return Ok(Value::list(Type::String, vec![Value::string(format_fsm(fmt, args)?)]));
    }
    let mut iter_len: Option<(usize, usize)> = None; // (length, chooser)
    let mut any_unknown = false;
    for (i, arg) in args.iter().enumerate() {
        let t = arg.ty();
        if t.is_list_like() && !arg.is_null() {
            if arg.is_unknown() {
                if matches!(t, Type::Tuple(_)) {
                    // A tuple's length is part of its type.
                    let n = if let Type::Tuple(ts) = &t { ts.len() } else { 0 };
                    check_len(&mut iter_len, i, n)?;
                }
                any_unknown = true;
                continue;
            }
            let n = arg.as_seq().map_or(0, <[Value]>::len);
            check_len(&mut iter_len, i, n)?;
        } else if arg.is_unknown() && t == Type::Dynamic {
            any_unknown = true;
        }
    }
    if any_unknown {
        return Ok(Value::unknown(ret_ty));
    }
    let n = match iter_len {
        Some((0, _)) => return Ok(Value::list(Type::String, vec![])),
        Some((n, _)) => n,
        None => 1,
    };
    let mut out = Vec::with_capacity(n);
    for it in 0..n {
        let fmt_args: Vec<Value> = args
            .iter()
            .map(|arg| if arg.ty().is_list_like() && !arg.is_null() { arg.as_seq().unwrap()[it].clone() } else { arg.clone() })
            .collect();
        if fmt_args.iter().any(|v| !v.is_wholly_known()) {
            out.push(Value::unknown(Type::String));
            continue;
        }
        let s = format_fsm(fmt, &fmt_args).map_err(|e| FuncError::call(format!("error on format iteration {it}: {}", e.message)))?;
        out.push(Value::string(s));
    }
    Ok(Value::list(Type::String, out))
}

fn check_len(iter_len: &mut Option<(usize, usize)>, i: usize, n: usize) -> Result<(), FuncError> {
    match *iter_len {
        None => *iter_len = Some((n, i)),
        Some((len, chooser)) if len != n => {
            return Err(FuncError::arg(
                i + 1,
                format!("argument {} has length {}, which is inconsistent with argument {} of length {}", i + 1, n, chooser + 1, len),
            ))
        }
        _ => {}
    }
    Ok(())
}

#[derive(Default, Debug)]
struct Verb {
    raw: String,
    offset: usize,
    arg_num: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's `%q` of a rune.
fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '\\' => "'\\\\'".to_string(),
        _ => {
            let q = go_quote(&c.to_string());
            format!("'{}'", q[1..q.len() - 1].replace("\\\"", "\""))
        }
    }
}

/// Go's `fmt` refuses widths and precisions over a million; so does plinth.
const MAX_FORMAT_WIDTH: usize = 1_000_000;

/// cty's format-string machine: literal text, `%%`, and verbs of the form
/// `%[flags][width][.precision][[argnum]]letter`.
fn format_fsm(f: &str, args: &[Value]) -> Result<String, FuncError> {
    let b = f.as_bytes();
    let mut out = String::new();
    let mut next_arg = 1usize;
    let mut highest = 0usize;
    let mut p = 0usize;
    let unrecognized = |p: usize| {
        let c = f[p..].chars().next().unwrap_or('\u{fffd}');
        FuncError::call(format!("unrecognized format character {} at offset {p}", go_quote_rune(c)))
    };
    let eof = || FuncError::call(format!("invalid format string starting at offset {}", f.len()));
    while p < b.len() {
        if b[p] != b'%' {
            let c = f[p..].chars().next().unwrap();
            out.push(c);
            p += c.len_utf8();
            continue;
        }
        if b.get(p + 1) == Some(&b'%') {
            out.push('%');
            p += 2;
            continue;
        }
        let start = p;
        let mut v = Verb { arg_num: next_arg, offset: start, ..Verb::default() };
        p += 1;
        // flags
        while let Some(&c) = b.get(p) {
            match c {
                b'0' => v.zero = true,
                b'#' => v.sharp = true,
                b'-' => v.minus = true,
                b'+' => v.plus = true,
                b' ' => v.space = true,
                _ => break,
            }
            p += 1;
        }
        // width
        if matches!(b.get(p), Some(b'1'..=b'9')) {
            let mut w = 0usize;
            while let Some(&c @ b'0'..=b'9') = b.get(p) {
                w = w.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            v.width = Some(w);
        }
        // precision
        if b.get(p) == Some(&b'.') {
            p += 1;
            let mut pr = 0usize;
            while let Some(&c @ b'0'..=b'9') = b.get(p) {
                pr = pr.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            v.prec = Some(pr);
        }
        // argument index
        if b.get(p) == Some(&b'[') {
            p += 1;
            match b.get(p) {
                Some(b'1'..=b'9') => {}
                None => return Err(eof()),
                _ => return Err(unrecognized(p)),
            }
            let mut n = 0usize;
            while let Some(&c @ b'0'..=b'9') = b.get(p) {
                n = n.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            match b.get(p) {
                Some(b']') => p += 1,
                None => return Err(eof()),
                _ => return Err(unrecognized(p)),
            }
            v.arg_num = n;
        }
        match b.get(p) {
            Some(c) if c.is_ascii_alphabetic() => {
                v.mode = *c as char;
                p += 1;
            }
            None => return Err(eof()),
            _ => return Err(unrecognized(p)),
        }
        v.raw = f[start..p].to_string();
        // Go would pad to any width; plinth refuses widths and precisions no
        // configuration needs (each would build a string of that many bytes).
        if v.width.unwrap_or(0) > MAX_FORMAT_WIDTH || v.prec.unwrap_or(0) > MAX_FORMAT_WIDTH {
            return Err(FuncError::call(format!(
                "the width or precision of {} at offset {start} is too large (the limit is {})",
                go_quote(&v.raw),
                MAX_FORMAT_WIDTH
            )));
        }
        highest = highest.max(v.arg_num);
        format_append(&v, &mut out, args)?;
        next_arg = v.arg_num + 1;
    }
    if highest < args.len() {
        let first_bad = highest + 1;
        if highest == 0 {
            return Err(FuncError::arg(first_bad, "too many arguments; no verbs in format string"));
        }
        return Err(FuncError::arg(first_bad, format!("too many arguments; only {highest} used by format string")));
    }
    Ok(out)
}

fn format_append(v: &Verb, out: &mut String, args: &[Value]) -> Result<(), FuncError> {
    let raw = go_quote(&v.raw);
    let unsupported = |msg: &str| FuncError::call(format!("unsupported value for {raw} at {}: {msg}", v.offset));
    if v.arg_num > args.len() {
        return Err(FuncError::call(format!(
            "not enough arguments for {raw} at {}: need index {} but have {} total",
            v.offset,
            v.arg_num,
            args.len()
        )));
    }
    let arg = &args[v.arg_num - 1];
    if v.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted"));
    }
    match v.mode {
        'v' => {
            if !v.sharp {
                match &arg.kind {
                    Kind::String(s) => {
                        out.push_str(&pad_width(v, s));
                        return Ok(());
                    }
                    Kind::Number(n) => {
                        out.push_str(&pad_width(v, &format_float(n, 'g', None)));
                        return Ok(());
                    }
                    _ => {}
                }
            }
            out.push_str(&pad_width(v, &json_encode(arg)));
        }
        't' => {
            let b = convert(arg, &Type::Bool).map_err(|e| unsupported(&e.to_string()))?;
            out.push_str(if b.as_bool() == Some(true) { "true" } else { "false" });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = convert(arg, &Type::Number).map_err(|e| unsupported(&e.to_string()))?;
            let n = n.as_number().expect("converted").clone();
            if matches!(v.mode, 'e' | 'E' | 'f' | 'g' | 'G') {
                out.push_str(&format_big_float(v, &n));
            } else {
                out.push_str(&format_big_int(v, &n).ok_or_else(|| unsupported("an integer is required"))?);
            }
        }
        's' | 'q' => {
            let sv = convert(arg, &Type::String).map_err(|e| unsupported(&e.to_string()))?;
            let mut s = sv.as_str().expect("converted").to_string();
            if let Some(prec) = v.prec.filter(|p| *p > 0) {
                s = s.graphemes(true).take(prec).collect();
            }
            if v.mode == 'q' {
                s = json_quote(&s);
            }
            out.push_str(&pad_width(v, &s));
        }
        m => return Err(FuncError::call(format!("unsupported format verb {} in {raw} at offset {}", go_quote_rune(m), v.offset))),
    }
    Ok(())
}

fn pad_width(v: &Verb, s: &str) -> String {
    let Some(want) = v.width else { return s.to_string() };
    let have = grapheme_count(s);
    if have >= want {
        return s.to_string();
    }
    let pads = (if v.zero { "0" } else { " " }).repeat(want - have);
    if v.minus {
        format!("{s}{pads}")
    } else {
        format!("{pads}{s}")
    }
}

/// Go's `fmt` formatting of a `*big.Int` (`%b %d %o %x %X`), or None when the
/// number is not a whole number.
fn format_big_int(v: &Verb, n: &Number) -> Option<String> {
    if n.is_infinite() || !n.is_integer() {
        return None;
    }
    let bi = n.to_bigint()?;
    let neg = bi.sign() == num_bigint::Sign::Minus;
    let mag = bi.magnitude();
    let (radix, prefix) = match v.mode {
        'b' => (2, "0b"),
        'o' => (8, "0"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = mag.to_str_radix(radix);
    if v.mode == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = if neg {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let prefix = if v.sharp { prefix } else { "" };
    let mut zeros = 0;
    if let Some(p) = v.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            return Some(String::new());
        }
    }
    let len = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = v.width.filter(|w| *w > len) {
        let d = w - len;
        if v.minus {
            right = d;
        } else if v.zero && v.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    Some(format!("{}{sign}{prefix}{}{digits}{}", " ".repeat(left), "0".repeat(zeros), " ".repeat(right)))
}

/// A number's decimal digits: value = 0.`mant` × 10^`exp`, no trailing zeros
/// in `mant` (empty for zero).
#[derive(Clone, Debug)]
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

/// The exact decimal digits of a finite number (what Go rounds from when a
/// precision is given).
fn exact_decimal_of(n: &Number) -> (bool, Decimal) {
    match n.exact_decimal() {
        Some((neg, mant, exp)) => (neg, Decimal { mant, exp }),
        None => decimal_of(n),
    }
}

fn decimal_of(n: &Number) -> (bool, Decimal) {
    let text = n.to_string();
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, text),
    };
    let (num, e) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (&body[..], 0),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let mut mant: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut exp = int.len() as i64 + e;
    while mant.first() == Some(&b'0') {
        mant.remove(0);
        exp -= 1;
    }
    while mant.last() == Some(&b'0') {
        mant.pop();
    }
    if mant.is_empty() {
        exp = 0;
    }
    (neg, Decimal { mant, exp })
}

impl Decimal {
    /// Rounds to `n` significant digits as Go's `decimal.round` does.
    fn round(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        let n = n as usize;
        let up = if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            // An exact tie. Go rounds the exact binary value half-to-even; a
            // decimal that binary cannot hold exactly is not really a tie, and
            // we take it as lying above.
            !self.is_exact_binary() || (n > 0 && (self.mant[n - 1] - b'0') % 2 == 1)
        } else {
            self.mant[n] >= b'5'
        };
        if up {
            let mut k = n;
            while k > 0 && self.mant[k - 1] == b'9' {
                k -= 1;
            }
            if k == 0 {
                self.mant = vec![b'1'];
                self.exp += 1;
            } else {
                self.mant.truncate(k);
                self.mant[k - 1] += 1;
            }
        } else {
            self.mant.truncate(n);
            while self.mant.last() == Some(&b'0') {
                self.mant.pop();
            }
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }
}

impl Decimal {
    /// True when the decimal value has a finite binary expansion.
    fn is_exact_binary(&self) -> bool {
        let k = self.mant.len() as i64 - self.exp;
        if k <= 0 {
            return true;
        }
        let m: num_bigint::BigUint = std::str::from_utf8(&self.mant).ok().and_then(|t| t.parse().ok()).unwrap_or_default();
        let five_k = num_bigint::BigUint::from(5u32).pow(k as u32);
        (m % five_k) == num_bigint::BigUint::from(0u32)
    }
}

fn fmt_e(d: &Decimal, upper: bool, prec: usize) -> String {
    let mut s = String::new();
    s.push(d.mant.first().map_or('0', |c| *c as char));
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(d.mant.get(i).map_or('0', |c| *c as char));
        }
    }
    s.push(if upper { 'E' } else { 'e' });
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    let a = exp.abs();
    if a < 10 {
        s.push('0');
    }
    s.push_str(&a.to_string());
    s
}

fn fmt_f(d: &Decimal, prec: usize) -> String {
    let mut s = String::new();
    if d.exp > 0 {
        for i in 0..d.exp as usize {
            s.push(d.mant.get(i).map_or('0', |c| *c as char));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 0..prec as i64 {
            let j = d.exp + i;
            s.push(if j >= 0 { d.mant.get(j as usize).map_or('0', |c| *c as char) } else { '0' });
        }
    }
    s
}

/// `big.Float.Text(mode, prec)` without the sign; `prec` None is "shortest".
fn format_float_digits(d: &mut Decimal, mode: char, prec: Option<usize>) -> String {
    let upper = mode.is_ascii_uppercase();
    match (mode.to_ascii_lowercase(), prec) {
        ('e', Some(p)) => {
            d.round(1 + p as i64);
            fmt_e(d, upper, p)
        }
        ('e', None) => fmt_e(d, upper, d.mant.len().saturating_sub(1)),
        ('f', Some(p)) => {
            d.round(d.exp + p as i64);
            fmt_f(d, p)
        }
        ('f', None) => fmt_f(d, (d.mant.len() as i64 - d.exp).max(0) as usize),
        (_, prec) => {
            let shortest = prec.is_none();
            let mut p = match prec {
                Some(0) => 1,
                Some(p) => p,
                None => d.mant.len(),
            };
            if !shortest {
                d.round(p as i64);
            }
            let mut eprec = p;
            if eprec > d.mant.len() && d.mant.len() as i64 >= d.exp {
                eprec = d.mant.len();
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.exp - 1;
            if exp < -4 || exp >= eprec as i64 {
                if p > d.mant.len() {
                    p = d.mant.len();
                }
                return fmt_e(d, upper, p.saturating_sub(1));
            }
            if p as i64 > d.exp {
                p = d.mant.len();
            }
            fmt_f(d, (p as i64 - d.exp).max(0) as usize)
        }
    }
}

/// `big.Float.Text(mode, -1)`-style rendering (used by `%v`).
fn format_float(n: &Number, mode: char, prec: Option<usize>) -> String {
    if n.is_infinite() {
        return if n.sign() < 0 { "-Inf".into() } else { "+Inf".into() };
    }
    let (neg, mut d) = if prec.is_some() { exact_decimal_of(n) } else { decimal_of(n) };
    let body = format_float_digits(&mut d, mode, prec);
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Go's `fmt` formatting of a `*big.Float` (`%e %E %f %g %G` with flags).
fn format_big_float(v: &Verb, n: &Number) -> String {
    let prec = match v.mode {
        'g' | 'G' => v.prec,
        _ => Some(v.prec.unwrap_or(6)),
    };
    let text = if n.is_infinite() {
        if n.sign() < 0 {
            "-Inf".to_string()
        } else {
            "+Inf".to_string()
        }
    } else {
        let (neg, mut d) = if prec.is_some() { exact_decimal_of(n) } else { decimal_of(n) };
        let body = format_float_digits(&mut d, v.mode, prec);
        if neg {
            format!("-{body}")
        } else {
            body
        }
    };
    let (sign, body) = if let Some(rest) = text.strip_prefix('-') {
        ("-", rest)
    } else if let Some(rest) = text.strip_prefix('+') {
        (if v.space { " " } else { "+" }, rest)
    } else if v.plus {
        ("+", text.as_str())
    } else if v.space {
        (" ", text.as_str())
    } else {
        ("", text.as_str())
    };
    let len = sign.len() + body.len();
    let pad = v.width.filter(|w| *w > len).map_or(0, |w| w - len);
    if v.minus {
        format!("{sign}{body}{}", " ".repeat(pad))
    } else if v.zero && !n.is_infinite() {
        format!("{sign}{}{body}", "0".repeat(pad))
    } else {
        format!("{}{sign}{body}", " ".repeat(pad))
    }
}

/// Go's `encoding/json` quoting of a string (HTML-safe, as cty uses it).
pub(super) fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// cty's JSON encoding of a known value, as `%#v` prints it.
fn json_encode(v: &Value) -> String {
    match &v.kind {
        Kind::Null(_) | Kind::Unknown(_) => "null".into(),
        Kind::Bool(b) => b.to_string(),
        Kind::Number(n) => format_float(n, 'f', None),
        Kind::String(s) => json_quote(s),
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            format!("[{}]", xs.iter().map(json_encode).collect::<Vec<_>>().join(","))
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            format!("{{{}}}", m.iter().map(|(k, x)| format!("{}:{}", json_quote(k), json_encode(x))).collect::<Vec<_>>().join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use plinth_value::{Number, Type, Value};
    use std::collections::BTreeMap;

    fn n(s: &str) -> Value {
        Value::number(Number::parse(s).unwrap())
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn strs(xs: &[&str]) -> Value {
        Value::tuple(xs.iter().map(|x| s(x)).collect())
    }
    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), &CallCtx::default(), args)
    }
    fn ok_s(name: &str, args: Vec<Value>) -> String {
        let v = run(name, args).unwrap();
        v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}")).to_string()
    }
    fn ok_b(name: &str, args: Vec<Value>) -> bool {
        run(name, args).unwrap().as_bool().unwrap()
    }
    fn list_of(v: Value) -> Vec<String> {
        assert_eq!(v.ty(), Type::list(Type::String));
        v.as_seq().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    }
    fn err(name: &str, args: Vec<Value>) -> (Option<usize>, String) {
        match run(name, args) {
            Err(CallError::Func(e)) => (e.arg, e.message),
            other => panic!("expected function error, got {other:?}"),
        }
    }
    fn err_msg(name: &str, args: Vec<Value>) -> String {
        err(name, args).1
    }

    #[test]
    fn chomp_case_trim() {
        for (i, o) in
            [("hello\n", "hello"), ("hello\r\n", "hello"), ("hello\n\n", "hello"), ("hello\n\r", "hello"), ("", ""), ("a\nb", "a\nb")]
        {
            assert_eq!(ok_s("chomp", vec![s(i)]), o);
        }
        assert_eq!(ok_s("lower", vec![s("ÀÉÎ")]), "àéî");
        assert_eq!(ok_s("lower", vec![s("ΣΑΣ")]), "σασ");
        assert_eq!(ok_s("lower", vec![s("İ")]), "i");
        assert_eq!(ok_s("upper", vec![s("héllo")]), "HÉLLO");
        assert_eq!(ok_s("upper", vec![s("ß")]), "ß");
        assert_eq!(ok_s("upper", vec![Value::bool(true)]), "TRUE");
        assert_eq!(err_msg("lower", vec![Value::null(Type::String)]), "argument must not be null");
        assert!(matches!(run("upper", vec![s("a"), s("b")]), Err(CallError::TooMany { expected: 1 })));
        assert_eq!(ok_s("title", vec![s("hello-world foo_bar")]), "Hello-World Foo_bar");
        assert_eq!(ok_s("title", vec![s("o'neil")]), "O'Neil");
        assert_eq!(ok_s("title", vec![s("a  b\tc")]), "A  B\tC");
        assert_eq!(ok_s("title", vec![s("HELLO")]), "HELLO");
        assert_eq!(ok_s("trim", vec![s("  x  "), s(" ")]), "x");
        assert_eq!(ok_s("trim", vec![s("abc"), s("")]), "abc");
        assert_eq!(ok_s("trim", vec![s("ééxéé"), s("é")]), "x");
        assert_eq!(err_msg("trim", vec![strs(&["a"]), s("a")]), "string required, but have tuple");
        assert_eq!(ok_s("trimprefix", vec![s("helloworld"), s("hello")]), "world");
        assert_eq!(ok_s("trimprefix", vec![s("aaa"), s("a")]), "aa");
        assert_eq!(err("trimprefix", vec![s("a"), Value::null(Type::String)]), (Some(1), "argument must not be null".into()));
        assert_eq!(ok_s("trimsuffix", vec![s("helloworld"), s("hello")]), "helloworld");
        assert_eq!(ok_s("trimsuffix", vec![n("100"), n("0")]), "10");
        assert_eq!(ok_s("trimspace", vec![s("  hello\n\t")]), "hello");
        assert_eq!(ok_s("trimspace", vec![s("\u{3000}x\r\n")]), "x");
        assert_eq!(ok_s("trimspace", vec![n("1")]), "1");
    }

    #[test]
    fn predicates() {
        assert!(ok_b("endswith", vec![s("hello world"), s("world")]));
        assert!(!ok_b("endswith", vec![s("hello world"), s("hello")]));
        assert!(ok_b("endswith", vec![s(""), s("")]));
        assert_eq!(err("endswith", vec![strs(&["a"]), s("a")]), (Some(0), "string required, but have tuple".into()));
        assert!(!ok_b("startswith", vec![s("hello world"), s("world")]));
        assert!(ok_b("startswith", vec![s("éa"), s("é")]));
        assert!(ok_b("startswith", vec![n("12"), n("1")]));
        assert!(matches!(run("startswith", vec![s("a")]), Err(CallError::TooFew { missing: "prefix", .. })));
        assert!(!ok_b("strcontains", vec![s("hello world"), s("Wor")]));
        assert!(ok_b("strcontains", vec![s("héllo"), s("é")]));
        assert!(ok_b("strcontains", vec![s("123"), n("2")]));
    }

    #[test]
    fn graphemes() {
        assert_eq!(ok_s("strrev", vec![s("")]), "");
        assert_eq!(ok_s("strrev", vec![s("e\u{301}x")]), "xe\u{301}");
        assert_eq!(ok_s("strrev", vec![s("👍🏽x")]), "x👍🏽");
        assert_eq!(ok_s("substr", vec![s("hello world"), n("1"), n("4")]), "ello");
        assert_eq!(ok_s("substr", vec![s("🤔🤷"), n("0"), n("1")]), "🤔");
        assert_eq!(ok_s("substr", vec![s("hello"), n("-3"), n("-1")]), "llo");
        assert_eq!(ok_s("substr", vec![s("hello"), n("-3"), n("2")]), "ll");
        assert_eq!(ok_s("substr", vec![s("hello"), n("0"), n("100")]), "hello");
        assert_eq!(ok_s("substr", vec![s("héllo"), n("1"), n("1")]), "é");
        assert_eq!(ok_s("substr", vec![s("hello"), n("1"), n("0")]), "");
        assert_eq!(ok_s("substr", vec![s("hello"), n("10"), n("2")]), "");
    }

    #[test]
    fn indent_join_split() {
        assert_eq!(ok_s("indent", vec![n("2"), s("a\nb")]), "a\n  b");
        assert_eq!(ok_s("indent", vec![n("4"), s("a\n\nb")]), "a\n    \n    b");
        assert_eq!(ok_s("indent", vec![s("2"), s("a\n")]), "a\n  ");
        assert!(matches!(run("indent", vec![n("2")]), Err(CallError::TooFew { missing: "str", .. })));
        assert_eq!(ok_s("join", vec![s(", "), strs(&["foo", "bar", "baz"])]), "foo, bar, baz");
        assert_eq!(ok_s("join", vec![s(""), Value::empty_tuple()]), "");
        assert_eq!(ok_s("join", vec![s(","), strs(&["a"]), strs(&["b", "c"])]), "a,b,c");
        assert_eq!(ok_s("join", vec![s(","), Value::tuple(vec![n("1"), Value::bool(true)])]), "1,true");
        assert_eq!(err("join", vec![s(","), s("a")]), (Some(1), "list of string required, but have string".into()));
        assert_eq!(err("join", vec![s(",")]), (None, "at least one list is required".into()));
        assert_eq!(
            err_msg("join", vec![s(","), Value::tuple(vec![s("a"), Value::null(Type::String)])]),
            "element 1 is null; cannot concatenate null values"
        );
        assert_eq!(list_of(run("split", vec![s(","), s("foo,bar,baz")]).unwrap()), ["foo", "bar", "baz"]);
        assert_eq!(list_of(run("split", vec![s(","), s("")]).unwrap()), [""]);
        assert_eq!(list_of(run("split", vec![s(""), s("abc")]).unwrap()), ["a", "b", "c"]);
        assert_eq!(list_of(run("split", vec![s(","), s("a,,b,")]).unwrap()), ["a", "", "b", ""]);
        assert_eq!(list_of(run("split", vec![s("é"), s("aéb")]).unwrap()), ["a", "b"]);
        assert_eq!(list_of(run("split", vec![n("1"), s("2131")]).unwrap()), ["2", "3", ""]);
    }

    #[test]
    fn regexes() {
        let v = run("regex", vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")]).unwrap();
        assert!(v.raw_equal(&strs(&["2019", "02", "01"])));
        assert_eq!(ok_s("regex", vec![s("(?i)ABC"), s("xabcx")]), "abc");
        assert_eq!(ok_s("regex", vec![s(r"\p{L}+"), s("héllo1")]), "héllo");
        assert_eq!(ok_s("regex", vec![s(r"\w+"), s("héllo")]), "h");
        assert_eq!(err("regex", vec![s("[a-z]+"), s("123")]), (None, "pattern did not match any part of the given string".into()));
        assert_eq!(err("regex", vec![s("("), s("x")]), (Some(0), "invalid regexp pattern: missing closing ) in (".into()));
        assert_eq!(
            err_msg("regex", vec![s("(?P<a>x)(y)"), s("xy")]),
            "invalid regexp pattern: cannot mix both named and unnamed capture groups"
        );
        assert_eq!(list_of(run("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]).unwrap()), ["abcd", "efgh"]);
        assert_eq!(list_of(run("regexall", vec![s("x"), s("abc")]).unwrap()), Vec::<String>::new());
        assert_eq!(list_of(run("regexall", vec![s("a*"), s("baaab")]).unwrap()), ["", "aaa", ""]);
        let v = run("regexall", vec![s(r"(?P<k>\w)=(?P<v>\d)"), s("a=1 b=2")]).unwrap();
        let obj = |k: &str, v: &str| Value::object(BTreeMap::from([("k".to_string(), s(k)), ("v".to_string(), s(v))]));
        let want_ty = Type::list(obj("a", "1").ty());
        assert!(v.raw_equal(&Value::list(want_ty.element_type().unwrap().clone(), vec![obj("a", "1"), obj("b", "2")])));
        assert_eq!(ok_s("replace", vec![s("hello"), s("/(l+)/"), s("[$1]")]), "he[ll]o");
        assert_eq!(ok_s("replace", vec![s("abc"), s(""), s("-")]), "-a-b-c-");
        assert_eq!(ok_s("replace", vec![s("a.b.c"), s("."), s("/")]), "a/b/c");
        assert_eq!(ok_s("replace", vec![s("abc"), s("/"), s("x")]), "abc");
        assert_eq!(ok_s("replace", vec![n("1"), n("1"), n("2")]), "2");
        assert_eq!(ok_s("replace", vec![s("a{2"), s("/a{2/"), s("x")]), "x");
        assert_eq!(err("replace", vec![s("abc"), s("/[/"), s("x")]), (None, "error parsing regexp: missing closing ]: `[`".into()));
    }

    #[test]
    fn format_basics() {
        let f = |args: Vec<Value>| ok_s("format", args);
        assert_eq!(f(vec![s("Hello, %s!"), s("Ander")]), "Hello, Ander!");
        assert_eq!(f(vec![s("%5.2f"), n("3.14159")]), " 3.14");
        assert_eq!(f(vec![s("%05d"), n("-42")]), "-0042");
        let obj = Value::object(BTreeMap::from([("a".to_string(), n("1"))]));
        assert_eq!(f(vec![s("%#v"), obj]), "{\"a\":1}");
        assert_eq!(f(vec![s("%[2]s %[1]s"), s("a"), s("b")]), "b a");
        assert_eq!(err("format", vec![s("%d"), n("1.5")]), (None, "unsupported value for \"%d\" at 0: an integer is required".into()));
        assert_eq!(f(vec![s("%%|%-5s|%5s|%.2s|%q"), s("ab"), s("cd"), s("xyz"), s("a\"<")]), "%|ab   |   cd|xy|\"a\\\"\\u003c\"");
        assert_eq!(
            f(vec![s("%x %X %o %b %#x %+d % d"), n("255"), n("255"), n("8"), n("5"), n("255"), n("3"), n("3")]),
            "ff FF 10 101 0xff +3  3"
        );
        assert_eq!(
            f(vec![s("%e %E %g %.3g %G"), n("123456"), n("0.5"), n("1234567"), n("3.14159"), n("1e-7")]),
            "1.234560e+05 5.000000E-01 1.234567e+06 3.14 1E-07"
        );
        assert_eq!(f(vec![s("%v %v %v %t"), n("100"), s("x"), Value::bool(true), s("true")]), "100 x true true");
        assert_eq!(f(vec![s("%f %.1f %8.3f|%-8.2f|"), n("1.5"), n("0.05"), n("-3.14159"), n("2")]), "1.500000 0.1   -3.142|2.00    |");
        assert_eq!(f(vec![s("%.2f %.0f %.0f %.1f"), n("0.125"), n("2.5"), n("3.5"), n("0.25")]), "0.12 2 4 0.2");
        assert_eq!(f(vec![s("%v"), Value::null(Type::String)]), "null");
        assert_eq!(
            err("format", vec![s("%s"), Value::null(Type::String)]).1,
            "unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(err("format", vec![s("%s %s"), s("a")]).1, "not enough arguments for \"%s\" at 3: need index 2 but have 1 total");
        assert_eq!(err("format", vec![s("x"), s("a")]), (Some(1), "too many arguments; no verbs in format string".into()));
        assert_eq!(err("format", vec![s("%s"), s("a"), s("b")]), (Some(2), "too many arguments; only 1 used by format string".into()));
        assert_eq!(err("format", vec![s("%!")]).1, "unrecognized format character '!' at offset 1");
        assert_eq!(err("format", vec![s("abc%")]).1, "invalid format string starting at offset 4");
        assert_eq!(err("format", vec![s("%z"), s("a")]).1, "unsupported format verb 'z' in \"%z\" at offset 0");
        assert!(run("format", vec![s("%s"), Value::unknown(Type::String)]).unwrap().is_unknown());
    }

    #[test]
    fn formatlist_cases() {
        assert_eq!(list_of(run("formatlist", vec![s("%s=%s"), strs(&["a", "b"]), strs(&["1", "2"])]).unwrap()), ["a=1", "b=2"]);
        assert_eq!(list_of(run("formatlist", vec![s("%s"), Value::empty_tuple()]).unwrap()), Vec::<String>::new());
        assert_eq!(list_of(run("formatlist", vec![s("%d"), Value::tuple(vec![n("1"), n("2"), n("3")])]).unwrap()), ["1", "2", "3"]);
        assert_eq!(list_of(run("formatlist", vec![s("%s-%s"), s("x"), strs(&["a", "b"])]).unwrap()), ["x-a", "x-b"]);
        assert_eq!(
            err("formatlist", vec![s("%s %s"), strs(&["a"]), strs(&["b", "c"])]),
            (Some(2), "argument 2 has length 2, which is inconsistent with argument 1 of length 1".into())
        );
        assert_eq!(
            err("formatlist", vec![s("%s"), Value::tuple(vec![s("a"), Value::null(Type::Dynamic)])]),
            (None, "error on format iteration 1: unsupported value for \"%s\" at 0: null value cannot be formatted".into())
        );
    }
}
