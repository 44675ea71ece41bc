//! `plinth fmt [options] [target...]`: Terraform's `fmt` command — the same
//! flags, file selection, output and exit codes (0 formatted, 2 errors,
//! 3 when `-check` finds files to format).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use plinth_syntax::{Diagnostic, Files};

use crate::args::Args;
use crate::{hclfmt, ui};

const EXTS: [&str; 3] = [".tf", ".tfvars", ".tftest.hcl"];

struct Opts {
    list: bool,
    write: bool,
    diff: bool,
    check: bool,
    recursive: bool,
}

/// `configs.IsIgnoredFile`: hidden files, editor backups and lock files.
fn ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

pub fn run(args: &Args) -> u8 {
    let color = ui::use_color(args.bool("no-color"));
    for (n, _) in &args.flags {
        if !["list", "write", "diff", "check", "recursive", "no-color"].contains(&n.as_str()) {
            eprintln!("Error parsing command-line flags: flag provided but not defined: -{n}\n");
            return 1;
        }
    }
    let mut o = Opts {
        list: args.bool_or("list", true),
        write: args.bool_or("write", true),
        diff: args.bool_or("diff", false),
        check: args.bool_or("check", false),
        recursive: args.bool_or("recursive", false),
    };
    let stdin = args.positional.first().is_some_and(|a| a == "-");
    if stdin {
        o.list = false;
        o.write = false;
    }
    let list = o.list;
    if o.check {
        o.list = true;
        o.write = false;
    }
    let mut files = Files::new();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    if stdin {
        let mut src = String::new();
        if std::io::stdin().read_to_string(&mut src).is_err() {
            diags.push(Diagnostic::error("Failed to read <stdin>", ""));
        } else {
            process(&o, "<stdin>", None, &src, &mut files, &mut out, &mut diags);
        }
    } else {
        let paths: Vec<String> = if args.positional.is_empty() { vec![".".into()] } else { args.positional.clone() };
        for p in paths {
            let path = normalize(&p);
            match std::fs::metadata(&path) {
                Err(_) => {
                    diags.push(Diagnostic::error(format!("No file or directory at {}", path.display()), ""));
                    break;
                }
                Ok(m) if m.is_dir() => process_dir(&o, &path, &mut files, &mut out, &mut diags),
                Ok(_) => {
                    let name = path.to_string_lossy().to_string();
                    if !EXTS.iter().any(|e| name.ends_with(e)) {
                        diags.push(Diagnostic::error("Only .tf, .tfvars, and .tftest.hcl files can be processed with plinth fmt", ""));
                        continue;
                    }
                    process_path(&o, &path, &mut files, &mut out, &mut diags);
                }
            }
        }
    }
    ui::print_diags(&files, &diags, color);
    if diags.iter().any(Diagnostic::is_error) {
        return 2;
    }
    let mut stdout = std::io::stdout().lock();
    if o.check {
        if list {
            let _ = stdout.write_all(&out);
        }
        return if out.is_empty() { 0 } else { 3 };
    }
    let _ = stdout.write_all(&out);
    0
}

fn normalize(p: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(p).components() {
        match c {
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

fn process_dir(o: &Opts, dir: &Path, files: &mut Files, out: &mut Vec<u8>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<_> = rd.filter_map(Result::ok).collect();
            v.sort_by_key(|e| e.file_name());
            v
        }
        Err(_) => {
            diags.push(Diagnostic::error(format!("Cannot read directory {}", dir.display()), ""));
            return;
        }
    };
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if ignored(&name) {
            continue;
        }
        let sub = if dir == Path::new(".") { PathBuf::from(&name) } else { dir.join(&name) };
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if o.recursive {
                process_dir(o, &sub, files, out, diags);
            }
            continue;
        }
        if EXTS.iter().any(|x| name.ends_with(x)) {
            process_path(o, &sub, files, out, diags);
        }
    }
}

fn process_path(o: &Opts, path: &Path, files: &mut Files, out: &mut Vec<u8>, diags: &mut Vec<Diagnostic>) {
    match std::fs::read_to_string(path) {
        Ok(src) => process(o, &path.to_string_lossy(), Some(path), &src, files, out, diags),
        Err(_) => diags.push(Diagnostic::error(format!("Failed to read file {}", path.display()), "")),
    }
}

fn process(o: &Opts, name: &str, path: Option<&Path>, src: &str, files: &mut Files, out: &mut Vec<u8>, diags: &mut Vec<Diagnostic>) {
    let id = files.add(name.to_string(), src.to_string());
    let (_, pd) = plinth_syntax::parse_file(id, files.text(id));
    if pd.iter().any(Diagnostic::is_error) {
        diags.extend(pd.into_iter().filter(Diagnostic::is_error));
        return;
    }
    let result = hclfmt::format(src);
    if result != src {
        if o.list {
            out.extend_from_slice(format!("{name}\n").as_bytes());
        }
        if o.write {
            if let Some(p) = path {
                if std::fs::write(p, &result).is_err() {
                    diags.push(Diagnostic::error(format!("Failed to write {name}"), ""));
                    return;
                }
            }
        }
        if o.diff {
            out.extend_from_slice(unified_diff(src, &result, name).as_bytes());
        }
    }
    if !o.list && !o.write && !o.diff {
        out.extend_from_slice(result.as_bytes());
    }
}

/// `diff -u` with Terraform's `old/` and `new/` labels, three lines of context.
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let common = ui::diff::lcs(&a, &b, |x, y| x == y);
    // Edit script: (tag, line) with ' ', '-', '+'.
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    for &(ci, cj) in common.iter().chain(std::iter::once(&(a.len(), b.len()))) {
        while i < ci {
            ops.push(('-', i, j));
            i += 1;
        }
        while j < cj {
            ops.push(('+', i, j));
            j += 1;
        }
        if ci < a.len() {
            ops.push((' ', i, j));
            i += 1;
            j += 1;
        }
    }
    let mut out = format!("--- old/{name}\n+++ new/{name}\n");
    let changed: Vec<usize> = ops.iter().enumerate().filter(|(_, o)| o.0 != ' ').map(|(k, _)| k).collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 6 {
            end = changed[k];
            k += 1;
        }
        let end = (end + 4).min(ops.len());
        let hunk = &ops[start..end];
        let (oa, ob) = (hunk[0].1, hunk[0].2);
        let la = hunk.iter().filter(|o| o.0 != '+').count();
        let lb = hunk.iter().filter(|o| o.0 != '-').count();
        let range = |s: usize, l: usize| if l == 1 { format!("{}", s + 1) } else { format!("{},{l}", if l == 0 { s } else { s + 1 }) };
        out += &format!("@@ -{} +{} @@\n", range(oa, la), range(ob, lb));
        for &(tag, x, y) in hunk {
            let line = if tag == '+' { b[y] } else { a[x] };
            out.push(tag);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}
