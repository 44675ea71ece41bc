//! Faults (issue 9): `examples/network` applied through the fault-injection
//! proxy (`tests/faultproxy/proxy.py`) in front of moto must still apply
//! completely and exactly once, plan empty afterwards, and destroy cleanly.
//! Each test also runs the same cycle through the proxy with no faults and
//! prints wall time and API call counts of both, for issue 9's closing note.
//! Needs moto (`scripts/test.sh`); without `PLINTH_MOTO=1` it prints a notice
//! and passes. Each test uses its own region of the shared moto.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::reliability::{check_exactly_once, moto, network_copy, Moto};
use crate::support::{repo_root, Run};

fn python() -> PathBuf {
    let venv = std::env::var("PLINTH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/plinth-venv"));
    venv.join("bin/python")
}

/// The proxy process, stopped when dropped.
pub struct Proxy {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Proxy {
    /// Starts the proxy in front of `target` with the given fault flags.
    pub fn start(target: &str, seed: u64, faults: &[&str]) -> Proxy {
        let dir = tempfile::tempdir().expect("temp dir");
        let url_file = dir.path().join("url");
        let mut child = Command::new(python())
            .arg(repo_root().join("tests/faultproxy/proxy.py"))
            .args(["--target", target, "--seed", &seed.to_string(), "--url-file"])
            .arg(&url_file)
            .args(faults)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the fault proxy");
        let start = Instant::now();
        loop {
            if let Ok(url) = std::fs::read_to_string(&url_file) {
                return Proxy { child, url, _dir: dir };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the fault proxy exited at start-up: {status}");
            }
            assert!(start.elapsed() < Duration::from_secs(30), "the fault proxy did not write {} within 30 s", url_file.display());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn request(&self, method: &str, path: &str) -> serde_json::Value {
        let addr = self.url.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).expect("connect to the fault proxy");
        s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read the proxy's answer");
        let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("the proxy answered no JSON to {method} {path} ({e}): {out}"))
    }

    /// The counters so far, then zeroed.
    pub fn take_stats(&self) -> serde_json::Value {
        let v = self.request("GET", "/__faultproxy/stats");
        self.request("POST", "/__faultproxy/reset");
        v
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[track_caller]
fn ok(r: Run, what: &str) -> Run {
    assert_eq!(r.code, 0, "{what} failed\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

fn assert_region_empty(m: &Moto, what: &str) {
    let left: Vec<_> = m.inventory().into_iter().filter(|(_, ids)| !ids.is_empty()).collect();
    assert!(left.is_empty(), "{what}: objects left in moto region {}: {left:?}", m.region);
}

/// What one apply/plan/destroy cycle through the proxy cost.
struct Cycle {
    apply: Duration,
    apply_calls: u64,
    apply_faults: serde_json::Value,
    plan_calls: u64,
    destroy: Duration,
    destroy_calls: u64,
}

/// init, apply, plan -detailed-exitcode, destroy of `examples/network`
/// through a proxy started with `faults`; checks moto directly in between.
fn cycle(m: &Moto, seed: u64, faults: &[&str], what: &str) -> Cycle {
    let proxy = Proxy::start(&m.endpoint, seed, faults);
    let via = Moto { endpoint: proxy.url.clone(), region: m.region };
    let d = network_copy();
    let dir: &Path = d.path();
    ok(via.plinth(dir, &["init"]), &format!("{what}: init"));
    proxy.take_stats();
    let t = Instant::now();
    ok(via.plinth(dir, &["apply", "-auto-approve"]), &format!("{what}: apply"));
    let apply = t.elapsed();
    let applied = proxy.take_stats();
    check_exactly_once(m, dir, what);
    let plan = via.plinth(dir, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{what}: the plan after apply is not empty\nstdout:\n{}\nstderr:\n{}", plan.stdout, plan.stderr);
    let planned = proxy.take_stats();
    let t = Instant::now();
    ok(via.plinth(dir, &["destroy", "-auto-approve"]), &format!("{what}: destroy"));
    let destroy = t.elapsed();
    let destroyed = proxy.take_stats();
    assert_region_empty(m, &format!("{what}: after destroy"));
    let n = |v: &serde_json::Value| v["total"].as_u64().expect("total");
    Cycle {
        apply,
        apply_calls: n(&applied),
        apply_faults: applied["faults"].clone(),
        plan_calls: n(&planned),
        destroy,
        destroy_calls: n(&destroyed),
    }
}

fn report(what: &str, c: &Cycle) {
    eprintln!(
        "faults: {what}: apply {:.1}s, {} API calls (faults {}); plan {} calls; destroy {:.1}s, {} calls",
        c.apply.as_secs_f64(),
        c.apply_calls,
        c.apply_faults,
        c.plan_calls,
        c.destroy.as_secs_f64(),
        c.destroy_calls
    );
}

/// Runs the no-fault cycle and the faulty one in `region`, and reports both.
fn compare(region: &'static str, seed: u64, faults: &[&str], name: &str) {
    let Some(m) = moto(region) else { return };
    assert_region_empty(&m, "before the test");
    let clean = cycle(&m, seed, &[], &format!("{name}: no faults"));
    let faulty = cycle(&m, seed, faults, &format!("{name}: {}", faults.join(" ")));
    report("no faults", &clean);
    report(&faults.join(" "), &faulty);
    let injected = faulty.apply_faults.as_object().map(|f| f.values().filter_map(|v| v.as_u64()).sum::<u64>()).unwrap_or(0);
    assert!(injected > 0, "{name}: the proxy injected no fault: {}", faulty.apply_faults);
    assert!(faulty.apply_calls > clean.apply_calls, "{name}: faults cost no extra calls ({} vs {})", faulty.apply_calls, clean.apply_calls);
}

#[test]
fn faults_network_applies_under_30_percent_throttling() {
    compare("ap-south-1", 9, &["--throttle", "0.3"], "30% throttling");
}

#[test]
fn faults_network_applies_through_delays_500s_and_dropped_connections() {
    compare(
        "sa-east-1",
        11,
        &["--throttle", "0.1", "--error500", "0.1", "--drop", "0.1", "--delay", "0.3", "--delay-max-ms", "300"],
        "mixed faults",
    );
}
