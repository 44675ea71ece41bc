//! Data parallelism for large configurations: an order-keeping map over a
//! slice, split across the machine's cores once the slice is long enough to
//! pay for the threads. (A scoped-thread helper rather than rayon: the engine
//! needs one map in a few places, not a work-stealing pool.)

/// Below this many items per thread, one thread does all the work.
const MIN_PER_THREAD: usize = 512;

/// `items.iter().enumerate().map(f).collect()`, on up to
/// `available_parallelism` threads; results keep the order of `items`.
/// A panic in `f` is resumed on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| s.spawn(move || part.iter().enumerate().map(|(j, t)| f(c * chunk + j, t)).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for w in workers {
            out.extend(w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
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
        }
    }
}
