//! A thread owning a current-thread tokio runtime, on which the backend's
//! requests run. Callers block on a channel, never on a runtime, so they
//! may be inside another runtime (the CLI's apply) without panicking.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

pub(crate) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    pub(crate) fn start() -> std::io::Result<Worker> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("plinth-backend-s3".into()).spawn(move || {
            // Ends when the backend (the only sender) is dropped; the
            // runtime is dropped here, outside any async context.
            while let Ok(job) = rx.recv() {
                rt.block_on(job);
            }
        })?;
        Ok(Worker { jobs })
    }

    /// Runs `fut` to completion on the worker thread.
    pub(crate) fn run<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Result<T, String> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::pin(async move {
                let _ = tx.send(fut.await);
            }))
            .map_err(|_| "the S3 client thread has stopped".to_string())?;
        rx.recv().map_err(|_| "the S3 client thread has stopped".to_string())
    }
}
