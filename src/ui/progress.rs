//! Apply progress in Terraform's words: `addr: Creating...`, `addr: Still
//! creating... [10s elapsed]` every ten seconds from a timer thread, `addr:
//! Creation complete after 12s [id=…]`; on a terminal also a live summary line
//! (in progress / done / failed / remaining) drawn by indicatif below them.

use std::collections::BTreeMap;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use plinth_engine::apply::ApplyObserver;
use plinth_engine::Action;
use plinth_state::AbsResourceInstance;

use super::Paint;

/// Go's `time.Duration.String()` truncated to seconds: `0s`, `10s`, `1m0s`, `1h2m3s`.
pub fn fmt_elapsed(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, sec) => format!("{h}h{m}m{sec}s"),
    }
}

fn words(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => ("Creating...", "Still creating...", "Creation complete"),
        Action::Update => ("Modifying...", "Still modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Still destroying...", "Destruction complete"),
        Action::Read => ("Reading...", "Still reading...", "Read complete"),
        _ => ("", "", ""),
    }
}

struct Shared {
    /// Running operations: action, start, id, and how many "Still" lines were printed.
    running: BTreeMap<String, (Action, Instant, Option<String>, u64)>,
    done: usize,
    failed: usize,
}

pub struct Progress {
    paint: Paint,
    total: usize,
    shared: Arc<Mutex<Shared>>,
    bar: Option<ProgressBar>,
    /// Dropped to stop the timer thread at once (it waits on the channel, so
    /// `finish` does not wait out a tick).
    stop: Option<mpsc::Sender<()>>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

/// How often "Still …" lines appear.
const INTERVAL: Duration = Duration::from_secs(10);

impl Progress {
    /// `total` operations are expected; `live` draws the summary line.
    pub fn new(paint: Paint, total: usize, live: bool) -> Progress {
        let shared = Arc::new(Mutex::new(Shared { running: BTreeMap::new(), done: 0, failed: 0 }));
        let bar = live.then(|| {
            let b = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stdout());
            b.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let ticker = {
            let (shared, bar) = (shared.clone(), bar.clone());
            let interval = std::env::var("PLINTH_PROGRESS_INTERVAL_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map(Duration::from_millis)
                .unwrap_or(INTERVAL);
            std::thread::spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Duration::from_millis(100).min(interval)) {
                    let mut lines = Vec::new();
                    if let Ok(mut s) = shared.lock() {
                        for (addr, (action, start, id, printed)) in s.running.iter_mut() {
                            let due = start.elapsed().as_millis() / interval.as_millis().max(1);
                            if due as u64 > *printed {
                                *printed = due as u64;
                                let id = id.as_ref().map(|i| format!("id={i}, ")).unwrap_or_default();
                                let (_, still, _) = words(*action);
                                lines.push(format!("{}: {still} [{id}{} elapsed]", paint.bold(addr), fmt_elapsed(start.elapsed())));
                            }
                        }
                    }
                    for l in lines {
                        emit(&bar, &l);
                    }
                }
            })
        };
        let p = Progress { paint, total, shared, bar, stop: Some(stop), ticker: Some(ticker) };
        p.update_bar();
        p
    }

    fn update_bar(&self) {
        let Some(bar) = &self.bar else { return };
        let Ok(s) = self.shared.lock() else { return };
        let running = s.running.len();
        let remaining = self.total.saturating_sub(s.done + s.failed + running);
        bar.set_message(format!("{running} in progress, {} done, {} failed, {remaining} remaining", s.done, s.failed));
        bar.set_position((s.done + s.failed) as u64);
    }

    /// Stops the timer and clears the live line.
    pub fn finish(&mut self) {
        self.stop.take();
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn emit(bar: &Option<ProgressBar>, line: &str) {
    match bar {
        Some(b) => b.println(line),
        None => println!("{line}"),
    }
}

impl ApplyObserver for Progress {
    fn started(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>) {
        let (w, _, _) = words(action);
        let shown_id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        emit(&self.bar, &format!("{}: {w}{shown_id}", self.paint.bold(&addr.to_string())));
        if let Ok(mut s) = self.shared.lock() {
            s.running.insert(addr.to_string(), (action, Instant::now(), id.map(str::to_string), 0));
        }
        self.update_bar();
    }

    fn finished(&mut self, addr: &AbsResourceInstance, action: Action, id: Option<&str>, elapsed: Duration) {
        let (_, _, w) = words(action);
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        emit(&self.bar, &format!("{}: {w} after {}{id}", self.paint.bold(&addr.to_string()), fmt_elapsed(elapsed)));
        if let Ok(mut s) = self.shared.lock() {
            s.running.remove(&addr.to_string());
            s.done += 1;
        }
        self.update_bar();
    }

    fn failed(&mut self, addr: &AbsResourceInstance, _action: Action) {
        if let Ok(mut s) = self.shared.lock() {
            s.running.remove(&addr.to_string());
            s.failed += 1;
        }
        self.update_bar();
    }
}
