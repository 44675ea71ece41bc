//! The hostile-input corpus ([`plinth_fuzz::hostile::corpus`]): every case
//! is written to a scratch directory and loaded and planned by
//! `plinth-fuzz --run-dir` in a process of its own, so that a stack overflow
//! or an abort is reported as that case's failure. Each case must exit
//! normally, within the time bound, and do what its `Expect` says: plan, or
//! report Terraform's error at its file and line, or at least locate every
//! error it reports.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plinth_fuzz::hostile::{corpus, Case, Expect};

/// Per case, in a debug build on a shared machine.
const LIMIT: Duration = Duration::from_secs(30);

fn write_case(dir: &Path, c: &Case) {
    for (name, bytes) in &c.files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    for s in &c.special {
        match *s {
            "fifo" => {
                let ok = Command::new("mkfifo").arg(dir.join("fifo")).status().map(|s| s.success()).unwrap_or(false);
                assert!(ok, "mkfifo");
            }
            "loop" => {
                std::fs::create_dir_all(dir.join("loop")).unwrap();
                std::os::unix::fs::symlink(".", dir.join("loop/l")).unwrap();
                std::os::unix::fs::symlink("..", dir.join("loop/up")).unwrap();
                std::os::unix::fs::symlink("self", dir.join("loop/self")).unwrap();
            }
            other => panic!("unknown special {other}"),
        }
    }
}

/// Runs one case; `Err` says what went wrong.
fn run(c: &Case, root: &Path, i: usize) -> Result<Duration, String> {
    let dir = root.join(format!("{i}"));
    std::fs::create_dir_all(&dir).unwrap();
    write_case(&dir, c);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth-fuzz"));
    // From inside the directory, so diagnostics name files as the binary
    // does when run there ("main.tf").
    cmd.current_dir(&dir).arg("--run-dir").arg(".").stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in &c.vars {
        cmd.arg("--var").arg(format!("{k}={v}"));
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    // Read output on threads so a large report cannot block the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut so, &mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut se, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!("took more than {LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = started.elapsed();
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        return Err(format!("crashed ({status}): {}", stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ")));
    }
    let planned = stdout.lines().last() == Some("PLANNED");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("E ")).collect();
    let unlocated: Vec<&&str> = errors.iter().filter(|l| l.starts_with("E - ")).collect();
    let show = || errors.iter().take(3).cloned().collect::<Vec<_>>().join(" | ");
    match &c.expect {
        Expect::Plans if !planned || !errors.is_empty() => Err(format!("expected a plan, got: {}", show())),
        Expect::Located if !unlocated.is_empty() => Err(format!("errors without a location: {unlocated:?}")),
        Expect::ErrorAt(summary, file, line) => {
            let want = format!("E {file}:{line} {summary}");
            if errors.iter().any(|l| *l == want) {
                Ok(took)
            } else {
                Err(format!("expected {want:?}, got: {}", show()))
            }
        }
        Expect::Error(summary) if !errors.iter().any(|l| l.ends_with(&format!(" {summary}"))) => {
            Err(format!("expected an error {summary:?}, got: {}", show()))
        }
        _ => Ok(took),
    }
}

#[test]
fn hostile_corpus_no_crash_bounded_time_located_errors() {
    let cases = corpus();
    let root = std::env::temp_dir().join(format!("plinth-hostile-{}", std::process::id()));
    let only = std::env::var("PLINTH_HOSTILE_ONLY").ok();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                if only.as_deref().is_some_and(|o| !c.name.contains(o)) {
                    continue;
                }
                let r = run(c, &root, i);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let _ = std::fs::remove_dir_all(&root);
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let mut per_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for (i, r) in &results {
        let c = &cases[*i];
        let e = per_class.entry(c.class).or_default();
        e.0 += 1;
        match r {
            Ok(t) => {
                e.1 += 1;
                if *t > slowest.0 {
                    slowest = (*t, c.name.clone());
                }
            }
            Err(why) => failures.push(format!("{}/{}: {why}", c.class, c.name)),
        }
    }
    eprintln!("hostile corpus: {} cases; passed per class: {per_class:?}; slowest {:?} ({})", results.len(), slowest.0, slowest.1);
    if only.is_none() {
        assert!(cases.len() >= 300, "the corpus has {} cases", cases.len());
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), results.len(), failures.join("\n"));
}
