//! Data parallelism for large configurations: an order-keeping map over a
//! slice, split across the machine's cores once the slice is long enough to
//! pay for the threads. (A scoped-thread helper rather than rayon: the engine
//! needs one map in a few places, not a work-stealing pool.)

/// The machine's cores, asked once: `available_parallelism` reads cgroup
/// files on every call, which adds up when a walk maps many small batches.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// Below this many items per thread, one thread does all the work.
const MIN_PER_THREAD: usize = 512;

/// `items.iter().enumerate().map(f).collect()`, on up to
/// `available_parallelism` threads; results keep the order of `items`.
/// A panic in `f` is resumed on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    map_min(items, MIN_PER_THREAD, f)
}

/// [`map`], for items costly enough that `min_per_thread` of them pay for a
/// thread.
pub fn map_min<T: Sync, R: Send>(items: &[T], min_per_thread: usize, f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let parts = map_chunks(items, min_per_thread, |at, part| part.iter().enumerate().map(|(j, t)| f(at + j, t)).collect::<Vec<R>>());
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part);
    }
    out
}

/// `f` over consecutive chunks of `items`, one chunk per thread (at least
/// `min_per_thread` items each; one chunk, on this thread, when `items` is
/// short), with each chunk's offset in `items`. The first chunk runs on the
/// calling thread; results come in chunk order, and a panic in `f` is resumed
/// on the calling thread.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], min_per_thread: usize, f: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let most = items.len() / min_per_thread.max(1);
    let threads = if most < 2 { 1 } else { cores().min(most) };
    if threads == 1 {
        return vec![f(0, items)];
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let rest: Vec<_> = items.chunks(chunk).enumerate().skip(1).map(|(c, part)| s.spawn(move || f(c * chunk, part))).collect();
        let mut out = Vec::with_capacity(threads);
        out.push(f(0, &items[..chunk]));
        for w in rest {
            out.push(w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_above_and_below_the_threshold() {
        for n in [0, 1, 10, super::MIN_PER_THREAD * 2 + 7, 5_000] {
            let items: Vec<usize> = (0..n).collect();
            let out = super::map(&items, |i, &x| (i, x * 2));
            assert_eq!(out, (0..n).map(|x| (x, x * 2)).collect::<Vec<_>>(), "n = {n}");
            let sums = super::map_chunks(&items, 100, |at, part| (at, part.len()));
            assert_eq!(sums.iter().map(|(_, len)| len).sum::<usize>(), n, "n = {n}");
            assert!(sums.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0), "chunks in order, n = {n}");
        }
    }
}
