//! Filesystem functions: abspath, basename, dirname, pathexpand, file,
//! fileexists, fileset, filebase64. Paths follow Go's `path/filepath`
//! semantics on Unix; relative paths resolve against [`CallCtx::base_dir`].

use std::fs;
use std::io::Read;
use std::path::Path;

use plinth_value::{Marks, Type, Value};

use super::encoding::{b64, redact};
use super::{CallCtx, FuncError, FuncResult, Function, Param, Registry};
use crate::fixed_type;

pub(super) fn register(r: &mut Registry) {
    let path = || Param::new("path", Type::String);
    let marked_path = || Param::new("path", Type::String).allow_marked();
    r.add("abspath", Function::new(vec![path()], fixed_type!(Type::String), abspath));
    r.add("basename", Function::new(vec![path()], fixed_type!(Type::String), basename));
    r.add("dirname", Function::new(vec![path()], fixed_type!(Type::String), dirname));
    r.add("pathexpand", Function::new(vec![path()], fixed_type!(Type::String), pathexpand));
    r.add("file", Function::new(vec![marked_path()], fixed_type!(Type::String), file));
    r.add("filebase64", Function::new(vec![marked_path()], fixed_type!(Type::String), filebase64));
    r.add("fileexists", Function::new(vec![marked_path()], fixed_type!(Type::Bool), fileexists));
    r.add(
        "fileset",
        Function::new(
            vec![marked_path(), Param::new("pattern", Type::String).allow_marked()],
            fixed_type!(Type::set(Type::String)),
            fileset,
        ),
    );
}

// ---- Go path/filepath, Unix flavour ---------------------------------------------

/// `filepath.Clean`.
pub(super) fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// `filepath.Join`.
pub(super) fn go_join(elems: &[&str]) -> String {
    let non_empty: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if non_empty.is_empty() {
        return String::new();
    }
    go_clean(&non_empty.join("/"))
}

/// `filepath.Base`.
pub(super) fn go_base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// `filepath.Dir`.
pub(super) fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => go_clean(&path[..=i]),
        None => ".".into(),
    }
}

fn home_dir() -> Result<String, String> {
    match std::env::var("HOME") {
        Ok(h) if !h.is_empty() => Ok(h),
        _ => Err("could not determine home directory".into()),
    }
}

/// `homedir.Expand` from github.com/mitchellh/go-homedir.
pub(super) fn expand_home(path: &str) -> Result<String, String> {
    if !path.starts_with('~') {
        return Ok(path.to_string());
    }
    if path.len() > 1 && !path[1..].starts_with('/') && !path[1..].starts_with('\\') {
        return Err("cannot expand user-specific home dir".into());
    }
    Ok(go_join(&[&home_dir()?, &path[1..]]))
}

/// The path `file()` & co. open: `~` expanded, joined to the base directory
/// when relative, cleaned.
pub(super) fn resolve_path(ctx: &CallCtx, path: &str) -> Result<String, String> {
    let path = expand_home(path).map_err(|e| format!("failed to expand ~: {e}"))?;
    let joined = if path.starts_with('/') { path } else { go_join(&[&ctx.base_dir.to_string_lossy(), &path]) };
    Ok(go_clean(&joined))
}

/// Go's `os.PathError` text for an I/O failure: `open <path>: <reason>`.
pub(super) fn io_error(op: &str, path: &str, e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let reason = match e.kind() {
        NotFound => "no such file or directory".to_string(),
        PermissionDenied => "permission denied".to_string(),
        IsADirectory => "is a directory".to_string(),
        NotADirectory => "not a directory".to_string(),
        _ => {
            let s = e.to_string();
            // Rust appends " (os error N)"; Go does not, and starts lower-case.
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut cs = s.chars();
            match cs.next() {
                Some(c) => c.to_lowercase().collect::<String>() + cs.as_str(),
                None => s,
            }
        }
    };
    format!("{op} {path}: {reason}")
}

/// Opens a file as Terraform's `openFile` does; the error is Go's `os.Open` one.
pub(super) fn open_file(ctx: &CallCtx, path: &str) -> Result<fs::File, String> {
    let full = resolve_path(ctx, path)?;
    check_readable_kind(&full, path, Marks::NONE)?;
    fs::File::open(&full).map_err(|e| io_error("open", &full, &e))
}

/// Refuses, before opening (a FIFO's open blocks), what is neither a regular
/// file nor a directory: Terraform would read a device such as `/dev/zero`
/// forever and wait on a FIFO for a writer.
fn check_readable_kind(full: &str, path: &str, marks: Marks) -> Result<(), String> {
    match fs::metadata(full) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            Err(format!("failed to read file: {} is not a regular file (a device, FIFO or socket)", redact(path, marks)))
        }
        Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(file_too_large(path, marks)),
        _ => Ok(()),
    }
}

/// Whole contents of a file, as Terraform's `readFileBytes`.
pub(super) fn read_file_bytes(ctx: &CallCtx, path: &str, marks: Marks) -> Result<Vec<u8>, String> {
    let full = resolve_path(ctx, path)?;
    check_readable_kind(&full, path, marks)?;
    let mut f = match fs::File::open(&full) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "no file exists at {}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource",
                redact(path, marks)
            ))
        }
        Err(e) => return Err(io_error("open", &full, &e)),
    };
    // At most MAX_FILE_BYTES, even if the file grows while it is read.
    let mut buf = Vec::new();
    (&mut f).take(MAX_FILE_BYTES + 1).read_to_end(&mut buf).map_err(|e| format!("failed to read file: {}", io_error("read", &full, &e)))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(file_too_large(path, marks));
    }
    Ok(buf)
}

/// The largest file the file functions read (1 GiB).
pub(super) const MAX_FILE_BYTES: u64 = 1 << 30;

fn file_too_large(path: &str, marks: Marks) -> String {
    format!("failed to read file: {} is larger than 1 GiB, the most plinth reads", redact(path, marks))
}

// ---- functions ----------------------------------------------------------------------

fn str_arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().expect("converted to string")
}

fn abspath(_: &CallCtx, args: &[Value]) -> FuncResult {
    let p = str_arg(args, 0);
    if p.starts_with('/') {
        return Ok(Value::string(go_clean(p)));
    }
    let cwd = std::env::current_dir().map_err(|e| FuncError::call(e.to_string()))?;
    Ok(Value::string(go_join(&[&cwd.to_string_lossy(), p])))
}

fn basename(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::string(go_base(str_arg(args, 0))))
}

fn dirname(_: &CallCtx, args: &[Value]) -> FuncResult {
    Ok(Value::string(go_dir(str_arg(args, 0))))
}

fn pathexpand(_: &CallCtx, args: &[Value]) -> FuncResult {
    expand_home(str_arg(args, 0)).map(Value::string).map_err(FuncError::call)
}

fn unmarked_str(v: &Value) -> (String, Marks) {
    let (v, marks) = v.clone().unmark_deep();
    (v.as_str().expect("string").to_string(), marks)
}

fn file(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let (path, marks) = unmarked_str(&args[0]);
    let bytes = read_file_bytes(ctx, &path, marks).map_err(|e| FuncError::arg(0, e))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Value::string(s).mark(marks)),
        Err(_) => Err(FuncError::call(format!(
            "contents of {} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead",
            redact(&path, marks)
        ))),
    }
}

fn filebase64(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let (path, marks) = unmarked_str(&args[0]);
    let bytes = read_file_bytes(ctx, &path, marks).map_err(|e| FuncError::arg(0, e))?;
    Ok(Value::string(b64(&bytes)).mark(marks))
}

fn fileexists(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let (path, marks) = unmarked_str(&args[0]);
    let full = resolve_path(ctx, &path).map_err(FuncError::call)?;
    let meta = match fs::metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.kind() == std::io::ErrorKind::NotADirectory => {
            return Ok(Value::bool(false).mark(marks))
        }
        Err(_) => return Err(FuncError::call(format!("failed to stat {}", redact(&full, marks)))),
    };
    if meta.is_file() {
        return Ok(Value::bool(true).mark(marks));
    }
    let name = redact(&full, marks);
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    // Terraform reports these against an argument index the function does
    // not have, which HCL degrades to a plain call error.
    let msg = if ft.is_dir() {
        format!("{name} is a directory, not a file")
    } else if ft.is_block_device() || ft.is_char_device() {
        format!("{name} is a device node, not a regular file")
    } else if ft.is_fifo() {
        format!("{name} is a named pipe, not a regular file")
    } else if ft.is_socket() {
        format!("{name} is a unix domain socket, not a regular file")
    } else {
        format!("{name} is not a regular file")
    };
    Err(FuncError::call(msg))
}

fn fileset(ctx: &CallCtx, args: &[Value]) -> FuncResult {
    let (path, pmarks) = unmarked_str(&args[0]);
    let (pattern, patmarks) = unmarked_str(&args[1]);
    let marks = pmarks.union(patmarks);
    let base = if path.starts_with('/') { path.clone() } else { go_join(&[&ctx.base_dir.to_string_lossy(), &path]) };
    let full_pattern = go_join(&[&base, &pattern]);
    let matches =
        glob::glob(&full_pattern).map_err(|e| FuncError::call(format!("failed to glob pattern {}: {e}", redact(&full_pattern, marks))))?;
    let mut vals = Vec::new();
    for m in matches {
        let meta =
            fs::metadata(&m).map_err(|e| FuncError::call(format!("failed to stat {}: {}", redact(&m, marks), io_error("stat", &m, &e))))?;
        if !meta.is_file() {
            continue;
        }
        vals.push(Value::string(go_rel(&base, &m)));
    }
    Ok(Value::set(Type::String, vals).mark(marks))
}

/// `filepath.Rel` for the case `fileset` needs: `target` lies under `base`.
fn go_rel(base: &str, target: &str) -> String {
    let base = go_clean(base);
    let target = go_clean(target);
    if base == "." {
        return target;
    }
    if let Some(rest) = target.strip_prefix(&base) {
        if let Some(rest) = rest.strip_prefix('/') {
            return rest.to_string();
        }
        if rest.is_empty() {
            return ".".into();
        }
    }
    if base == "/" {
        return target.trim_start_matches('/').to_string();
    }
    let b: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let t: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let common = b.iter().zip(t.iter()).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = std::iter::repeat_n("..", b.len() - common).collect();
    parts.extend(&t[common..]);
    parts.join("/")
}

/// Glob matching as github.com/bmatcuk/doublestar v1.1.5 (`**` matches any
/// number of directories; `{a,b}` alternatives; `[...]` classes; `\` escapes).
pub(super) mod glob {
    use super::{go_join, Path};

    pub struct BadPattern;

    impl std::fmt::Display for BadPattern {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("syntax error in pattern")
        }
    }

    fn index_with_escaping(s: &str, r: char) -> Option<usize> {
        let end = s.find(r)?;
        if end > 0 && s.as_bytes()[end - 1] == b'\\' {
            let start = end + r.len_utf8();
            return index_with_escaping(&s[start..], r).map(|e| e + start);
        }
        Some(end)
    }

    pub(super) fn split_on(path: &str, sep: char) -> Vec<String> {
        if !path.contains(sep) {
            return vec![path.to_string()];
        }
        let mut ret = Vec::new();
        let mut start = 0;
        let mut empty_end = false;
        while start < path.len() {
            let end = match index_with_escaping(&path[start..], sep) {
                Some(e) => {
                    empty_end = true;
                    e + start
                }
                None => {
                    empty_end = false;
                    path.len()
                }
            };
            ret.push(path[start..end].to_string());
            start = end + sep.len_utf8();
        }
        if empty_end {
            ret.push(String::new());
        }
        ret
    }

    pub fn glob(pattern: &str) -> Result<Vec<String>, BadPattern> {
        let comps = split_on(pattern, '/');
        let mut out = Vec::new();
        if comps.is_empty() {
            return Ok(out);
        }
        if comps[0].is_empty() {
            do_glob("/", &comps[1..], &mut out)?;
        } else {
            do_glob(".", &comps, &mut out)?;
        }
        Ok(out)
    }

    fn do_glob(basedir: &str, comps: &[String], m: &mut Vec<String>) -> Result<(), BadPattern> {
        let mut pat_idx = comps.iter().position(|c| c.contains(['*', '?', '[', '{', '\\'])).unwrap_or(comps.len());
        let mut basedir = basedir.to_string();
        if pat_idx > 0 {
            let refs: Vec<&str> = comps[..pat_idx].iter().map(String::as_str).collect();
            basedir = go_join(&[&basedir, &go_join(&refs)]);
        }
        let Ok(lmeta) = std::fs::symlink_metadata(&basedir) else { return Ok(()) };
        if pat_idx >= comps.len() {
            m.push(basedir);
            return Ok(());
        }
        let meta = if lmeta.file_type().is_symlink() {
            match std::fs::metadata(&basedir) {
                Ok(x) => x,
                Err(_) => return Ok(()),
            }
        } else {
            lmeta
        };
        if !meta.is_dir() {
            return Ok(());
        }
        let Ok(rd) = std::fs::read_dir(Path::new(&basedir)) else { return Ok(()) };
        let files: Vec<(String, bool)> = rd
            .filter_map(|e| e.ok())
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let is_dir = std::fs::metadata(e.path()).map(|m| m.is_dir()).unwrap_or(false);
                (name, is_dir)
            })
            .collect();
        let mut last = pat_idx + 1 >= comps.len();
        if comps[pat_idx] == "**" {
            for (name, is_dir) in &files {
                let p = go_join(&[&basedir, name]);
                if *is_dir {
                    if last {
                        m.push(p.clone());
                    }
                    do_glob(&p, &comps[pat_idx..], m)?;
                } else if last {
                    m.push(p);
                }
            }
            if last {
                return Ok(());
            }
            pat_idx += 1;
            last = pat_idx + 1 >= comps.len();
        }
        for (name, _) in &files {
            if match_component(&comps[pat_idx], name)? {
                let p = go_join(&[&basedir, name]);
                if last {
                    m.push(p);
                } else {
                    do_glob(&p, &comps[pat_idx + 1..], m)?;
                }
            }
        }
        Ok(())
    }

    pub fn match_component(pattern: &str, name: &str) -> Result<bool, BadPattern> {
        if pattern.is_empty() && name.is_empty() {
            return Ok(true);
        }
        if pattern.is_empty() {
            return Ok(false);
        }
        if name.is_empty() && pattern != "*" {
            return Ok(false);
        }
        let mut pi = 0;
        let mut ni = 0;
        while pi < pattern.len() && ni < name.len() {
            let pr = pattern[pi..].chars().next().unwrap();
            let nr = name[ni..].chars().next().unwrap();
            if pr == '\\' {
                pi += 1;
                let Some(pr) = pattern[pi..].chars().next() else { return Err(BadPattern) };
                if pr == nr {
                    pi += pr.len_utf8();
                    ni += nr.len_utf8();
                } else {
                    return Ok(false);
                }
            } else if pr == '*' {
                pi += 1;
                if pi >= pattern.len() {
                    return Ok(true);
                }
                while ni < name.len() {
                    if match_component(&pattern[pi..], &name[ni..]).unwrap_or(false) {
                        return Ok(true);
                    }
                    ni += name[ni..].chars().next().unwrap().len_utf8();
                }
                return Ok(false);
            } else if pr == '[' {
                pi += 1;
                let end = index_with_escaping(&pattern[pi..], ']').ok_or(BadPattern)? + pi;
                let class: Vec<char> = pattern[pi..end].chars().collect();
                if class.is_empty() {
                    return Err(BadPattern);
                }
                let mut ci = 0;
                let mut matched = false;
                if class[0] == '^' {
                    ci += 1;
                }
                while ci < class.len() {
                    let mut low = class[ci];
                    if low == '-' {
                        return Err(BadPattern);
                    }
                    ci += 1;
                    if low == '\\' {
                        low = *class.get(ci).ok_or(BadPattern)?;
                        ci += 1;
                    }
                    let mut high = low;
                    if ci < class.len() && class[ci] == '-' {
                        ci += 1;
                        high = *class.get(ci).ok_or(BadPattern)?;
                        if high == '-' {
                            return Err(BadPattern);
                        }
                        ci += 1;
                        if high == '\\' {
                            high = *class.get(ci).ok_or(BadPattern)?;
                            ci += 1;
                        }
                    }
                    if low <= nr && nr <= high {
                        matched = true;
                    }
                }
                if matched == (class[0] == '^') {
                    return Ok(false);
                }
                pi = end + 1;
                ni += nr.len_utf8();
            } else if pr == '{' {
                pi += 1;
                let end = index_with_escaping(&pattern[pi..], '}').ok_or(BadPattern)? + pi;
                let options = split_on(&pattern[pi..end], ',');
                pi = end + 1;
                for o in options {
                    if match_component(&format!("{o}{}", &pattern[pi..]), &name[ni..])? {
                        return Ok(true);
                    }
                }
                return Ok(false);
            } else if pr == '?' || pr == nr {
                pi += pr.len_utf8();
                ni += nr.len_utf8();
            } else {
                return Ok(false);
            }
        }
        if pi >= pattern.len() && ni >= name.len() {
            return Ok(true);
        }
        Ok((ni >= name.len() && &pattern[pi..] == "*") || &pattern[pi..] == "**")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{call, registry, CallCtx, CallError};
    use super::*;

    fn run_in(ctx: &CallCtx, name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call(registry().get(name).unwrap(), ctx, args)
    }
    fn run(name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        run_in(&CallCtx::default(), name, args)
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn ok_str(name: &str, arg: &str) -> String {
        run(name, vec![s(arg)]).unwrap().as_str().unwrap().to_string()
    }
    fn err_in(ctx: &CallCtx, name: &str, args: Vec<Value>) -> FuncError {
        match run_in(ctx, name, args) {
            Err(CallError::Func(e)) => e,
            other => panic!("expected error, got {other:?}"),
        }
    }

    #[test]
    fn path_functions() {
        assert_eq!(ok_str("abspath", "/a//b/"), "/a/b");
        assert_eq!(ok_str("abspath", "/a/./b"), "/a/b");
        assert!(ok_str("abspath", "x/y").ends_with("/x/y"));
        assert!(matches!(run("abspath", vec![]), Err(CallError::TooFew { missing: "path", .. })));
        assert_eq!(ok_str("dirname", "foo/bar/baz.txt"), "foo/bar");
        assert_eq!(ok_str("dirname", ""), ".");
        assert_eq!(ok_str("dirname", "a//b"), "a");
        assert_eq!(ok_str("dirname", "/a/../b"), "/");
        assert_eq!(ok_str("dirname", "/"), "/");
        assert_eq!(ok_str("basename", "foo/bar/baz.txt"), "baz.txt");
        assert_eq!(ok_str("basename", "baz"), "baz");
        assert_eq!(ok_str("basename", "/a/b//"), "b");
        assert_eq!(ok_str("basename", ""), ".");
        assert_eq!(ok_str("basename", "///"), "/");
        assert!(matches!(run("basename", vec![s("1"), s("2")]), Err(CallError::TooMany { expected: 1 })));
        assert_eq!(ok_str("pathexpand", "/etc/resolv.conf"), "/etc/resolv.conf");
        assert_eq!(ok_str("pathexpand", "x~"), "x~");
        assert_eq!(ok_str("pathexpand", "~"), go_clean(&std::env::var("HOME").unwrap()));
        assert_eq!(err_in(&CallCtx::default(), "pathexpand", vec![s("~user/x")]), FuncError::call("cannot expand user-specific home dir"));
        assert_eq!(go_clean("../a/../../b/./"), "../../b");
        assert_eq!(go_join(&["", "a", "", "b/"]), "a/b");
    }

    fn fixture() -> (tempdir::TempDir, CallCtx) {
        let dir = tempdir::TempDir::new();
        let p = dir.path();
        fs::create_dir_all(p.join("sub/deep")).unwrap();
        fs::write(p.join("hello.txt"), "Hello World").unwrap();
        fs::write(p.join("bin.dat"), [0xffu8, 0xfe]).unwrap();
        fs::write(p.join("sub/a.tf"), "a").unwrap();
        fs::write(p.join("sub/b.txt"), "b").unwrap();
        fs::write(p.join("sub/deep/c.tf"), "c").unwrap();
        let ctx = CallCtx { base_dir: p.to_path_buf(), ..CallCtx::default() };
        (dir, ctx)
    }

    /// A tiny self-cleaning temporary directory (no extra crate).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicUsize, Ordering};

        pub struct TempDir(PathBuf);
        impl TempDir {
            pub fn new() -> TempDir {
                static N: AtomicUsize = AtomicUsize::new(0);
                let p = std::env::temp_dir().join(format!("plinth-fs-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
                std::fs::create_dir_all(&p).unwrap();
                TempDir(p)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for TempDir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn file_reading() {
        let (_d, ctx) = fixture();
        let v = run_in(&ctx, "file", vec![s("hello.txt")]).unwrap();
        assert_eq!(v.as_str(), Some("Hello World"));
        let v = run_in(&ctx, "file", vec![s("hello.txt").sensitive()]).unwrap();
        assert!(v.is_sensitive());
        let v = run_in(&ctx, "filebase64", vec![s("bin.dat")]).unwrap();
        assert_eq!(v.as_str(), Some("//4="));
        let e = err_in(&ctx, "file", vec![s("missing.txt")]);
        assert_eq!(e.arg, Some(0));
        assert!(e.message.starts_with("no file exists at \"missing.txt\"; this function works only with files"));
        let e = err_in(&ctx, "file", vec![s("missing.txt").sensitive()]);
        assert!(e.message.starts_with("no file exists at (sensitive value);"));
        let e = err_in(&ctx, "file", vec![s("bin.dat")]);
        assert_eq!(e.arg, None);
        assert!(e.message.starts_with("contents of \"bin.dat\" are not valid UTF-8; use the filebase64 function"));
        let e = err_in(&ctx, "file", vec![s("sub")]);
        assert_eq!(e.message, format!("failed to read file: read {}/sub: is a directory", ctx.base_dir.display()));
    }

    #[test]
    fn fileexists() {
        let (_d, ctx) = fixture();
        assert_eq!(run_in(&ctx, "fileexists", vec![s("hello.txt")]).unwrap().as_bool(), Some(true));
        assert_eq!(run_in(&ctx, "fileexists", vec![s("nope")]).unwrap().as_bool(), Some(false));
        let e = err_in(&ctx, "fileexists", vec![s("sub")]);
        assert_eq!(e, FuncError::call(format!("\"{}/sub\" is a directory, not a file", ctx.base_dir.display())));
    }

    fn set_strings(v: &Value) -> Vec<String> {
        v.as_seq().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn fileset() {
        let (_d, ctx) = fixture();
        let f = |path: &str, pat: &str| set_strings(&run_in(&ctx, "fileset", vec![s(path), s(pat)]).unwrap());
        assert_eq!(f(".", "*.txt"), vec!["hello.txt"]);
        assert_eq!(f(".", "**/*.tf"), vec!["sub/a.tf", "sub/deep/c.tf"]);
        assert_eq!(f("sub", "*"), vec!["a.tf", "b.txt"]);
        assert_eq!(f("sub", "**"), vec!["a.tf", "b.txt", "deep/c.tf"]);
        assert_eq!(f(".", "sub/{a,b}.*"), vec!["sub/a.tf", "sub/b.txt"]);
        assert_eq!(f(".", "sub/[a-b].t?"), vec!["sub/a.tf"]);
        assert_eq!(f(".", "nothing*"), Vec::<String>::new());
        assert_eq!(f(&ctx.base_dir.display().to_string(), "*.dat"), vec!["bin.dat"]);
        let e = err_in(&ctx, "fileset", vec![s("."), s("[")]);
        assert!(e.message.starts_with("failed to glob pattern \""), "{e:?}");
        assert!(e.message.ends_with("/[\": syntax error in pattern"), "{e:?}");
        assert!(run_in(&ctx, "fileset", vec![s("."), s("*.txt").sensitive()]).unwrap().is_sensitive());
    }

    #[test]
    fn glob_components() {
        use super::glob::match_component as m;
        assert!(m("*", "").unwrap_or(false));
        assert!(m("a*c", "abbc").unwrap_or(false));
        assert!(!m("a*c", "abbd").unwrap_or(true));
        assert!(m("[^a]", "b").unwrap_or(false));
        assert!(m("\\*", "*").unwrap_or(false));
        assert!(m("[", "x").is_err());
    }
}
