//! A short seeded fuzzing run, so that the regular test suite exercises the
//! fuzz target (the long runs use the `plinth-fuzz` binary).

use std::time::{Duration, Instant};

#[test]
fn seeded_fuzz_run_finds_no_panic() {
    let seeds = plinth_fuzz::load_seeds(None);
    let deadline = Instant::now() + Duration::from_secs(4);
    let stats = plinth_fuzz::fuzz(20240601, 20_000, Some(deadline), &seeds, |_| {});
    assert!(stats.executions > 50, "too few executions: {stats:?}");
    assert!(stats.panics.is_empty(), "panics: {:#?}", stats.panics);
}

#[test]
fn dos_seeds_finish() {
    // Every built-in seed (huge numbers, widths, ranges, nesting) evaluates
    // promptly without a panic.
    let scope = plinth_fuzz::FuzzScope::default();
    for s in plinth_fuzz::load_seeds(Some(std::path::Path::new("/nonexistent"))) {
        let t = Instant::now();
        let o = plinth_fuzz::run_one(&scope, &s);
        assert!(!matches!(o, plinth_fuzz::Outcome::Panic(_)), "{s}: {o:?}");
        assert!(t.elapsed() < Duration::from_secs(5), "{s} took {:?}", t.elapsed());
    }
}
