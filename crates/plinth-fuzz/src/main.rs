//! `plinth-fuzz [--seed N] [--seconds S] [--iterations N] [--corpus FILE] [--cli]`
//! `plinth-fuzz --run-dir DIR [--var NAME=VALUE]...`
//!
//! `--run-dir` loads and plans one module directory as the binary does
//! ([`plinth_fuzz::cli::run_dir`]) and prints one line per diagnostic, then
//! `PLANNED` or `NOT PLANNED`: the hostile corpus runs each case so, in a
//! process of its own. `--cli` also sends every generated expression through
//! that path, as an output of a module written to a scratch directory.
//!
//! Fuzzes HCL parse + evaluate in-process. Reports the number of executions;
//! on a panic, prints the input and exits 1. A watchdog reports an input that
//! runs longer than `--timeout` seconds (a hang), and an allocation guard one
//! that makes the process hold more than `--max-mib` MiB (a memory DoS).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Guard;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static CURRENT: Mutex<String> = Mutex::new(String::new());

unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        if live > LIMIT.load(Ordering::Relaxed) {
            LIMIT.store(usize::MAX, Ordering::Relaxed);
            let input = CURRENT.try_lock().map(|s| s.clone()).unwrap_or_default();
            eprintln!("MEMORY: more than the limit is allocated while evaluating:\n{input}");
            std::process::exit(1);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Guard = Guard;

fn main() {
    let mut seed: u64 = 1;
    let mut seconds: u64 = 10;
    let mut iterations: u64 = u64::MAX;
    let mut timeout: u64 = 10;
    let mut max_mib: usize = 2048;
    let mut corpus: Option<std::path::PathBuf> = None;
    let mut run_dir: Option<std::path::PathBuf> = None;
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut cli = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--seed" => seed = val().parse().expect("--seed N"),
            "--seconds" => seconds = val().parse().expect("--seconds S"),
            "--iterations" => iterations = val().parse().expect("--iterations N"),
            "--timeout" => timeout = val().parse().expect("--timeout S"),
            "--max-mib" => max_mib = val().parse().expect("--max-mib N"),
            "--corpus" => corpus = Some(val().into()),
            "--run-dir" => run_dir = Some(val().into()),
            "--var" => {
                let v = val();
                let (k, x) = v.split_once('=').unwrap_or((v.as_str(), ""));
                vars.push((k.to_string(), x.to_string()));
            }
            "--cli" => cli = true,
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    if let Some(dir) = run_dir {
        let report = plinth_fuzz::cli::run_dir(&dir, &vars);
        for d in &report.diags {
            println!("{}", d.line());
        }
        println!("{}", if report.planned { "PLANNED" } else { "NOT PLANNED" });
        return;
    }
    // Panics are findings reported below, not noise on stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let seeds = plinth_fuzz::load_seeds(corpus.as_deref());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let count = Arc::new(AtomicU64::new(0));
    let last_change = Arc::new(Mutex::new(Instant::now()));
    {
        let count = count.clone();
        let last_change = last_change.clone();
        std::thread::spawn(move || {
            let mut seen = 0;
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let now = count.load(Ordering::Relaxed);
                if now != seen {
                    seen = now;
                    continue;
                }
                let since = last_change.lock().map(|t| t.elapsed()).unwrap_or_default();
                if since > Duration::from_secs(timeout) {
                    let input = CURRENT.lock().map(|s| s.clone()).unwrap_or_default();
                    eprintln!("HANG: no progress for {since:?} on input:\n{input}");
                    std::process::exit(1);
                }
            }
        });
    }
    LIMIT.store(LIVE.load(Ordering::Relaxed) + max_mib * 1024 * 1024, Ordering::Relaxed);
    let stats = plinth_fuzz::fuzz_with(seed, iterations, Some(deadline), &seeds, cli, |input| {
        if let Ok(mut c) = CURRENT.lock() {
            c.clear();
            c.push_str(input);
        }
        count.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut t) = last_change.lock() {
            *t = Instant::now();
        }
    });
    println!(
        "executions: {} in {:.1}s ({} values, {} errors, {} panics); seed {seed}",
        stats.executions,
        started.elapsed().as_secs_f64(),
        stats.values,
        stats.errors,
        stats.panics.len()
    );
    for (input, msg) in &stats.panics {
        println!("PANIC: {msg}\ninput: {input:?}");
    }
    if !stats.panics.is_empty() {
        std::process::exit(1);
    }
}
