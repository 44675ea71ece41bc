//! Ctrl-C while a state lock is held: release the lock, then exit 1.
//!
//! The handler runs on its own thread with a tiny runtime, so it works
//! whether or not the main thread is inside the engine's runtime. It opens
//! a second connection to the backend and releases the lock by ID (the
//! lock info must still show that ID, so another holder's lock is never
//! touched). Local locks are OS locks that die with the process anyway.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::backend_config::{self, BackendSpec};

/// The lock to release on interrupt: backend, workspace, lock ID.
static HELD: Mutex<Option<(BackendSpec, PathBuf, String, String)>> = Mutex::new(None);

/// Arms the handler for a lock just taken.
pub fn guard_lock(spec: &BackendSpec, dir: PathBuf, workspace: &str, id: &str) {
    if id.is_empty() {
        return;
    }
    *HELD.lock().unwrap_or_else(|e| e.into_inner()) = Some((spec.clone(), dir, workspace.to_string(), id.to_string()));
    install();
}

/// Disarms it once the lock is released normally.
pub fn lock_released() {
    *HELD.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new().name("plinth-interrupt".into()).spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                let signal = tokio::signal::ctrl_c();
                tokio::pin!(signal);
                // Poll once so the handler is registered before we say so.
                let fired = futures_poll_once(&mut signal).await;
                let _ = ready_tx.send(());
                if !fired {
                    let _ = signal.await;
                }
            });
            eprintln!("\nInterrupt received. Releasing the state lock...");
            let held = HELD.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some((spec, dir, ws, id)) = held {
                if spec.kind != "local" {
                    match backend_config::open(&spec, &dir, None).and_then(|mut b| b.force_unlock(&ws, &id).map_err(|e| e.to_string())) {
                        Ok(()) => eprintln!("Released the state lock {id}."),
                        Err(e) => eprintln!("Error releasing the state lock {id}: {e}\nRun \"plinth force-unlock {id}\" to release it."),
                    }
                }
            }
            std::process::exit(1);
        });
        if spawned.is_ok() {
            let _ = ready_rx.recv_timeout(std::time::Duration::from_secs(2));
        }
    });
}

/// Polls `fut` once (registering its waker), returning whether it was ready.
async fn futures_poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> bool {
    use std::pin::Pin;
    use std::task::Poll;
    std::future::poll_fn(|cx| Poll::Ready(matches!(Pin::new(&mut *fut).poll(cx), Poll::Ready(_)))).await
}
