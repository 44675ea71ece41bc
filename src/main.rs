//! The `plinth` command: parses the command line, wires the providers in,
//! runs one command, and turns its outcome into an exit code.

mod args;
mod backend_config;
mod commands;
mod encryption;
mod hclfmt;
mod interrupt;
mod plugins;
mod ui;
mod workdir;

// The engine allocates many small values (HCL values, state JSON); mimalloc
// measured ~25% faster than the system allocator on plan and apply of
// thousands of resources (bench/run.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its `mi_option_t` enum in mimalloc.h,
/// v2 and v3 alike; `libmimalloc-sys` names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // A run is short: memory freed midway is used again soon, so returning it
    // to the OS (mimalloc's default after a delay) only buys page faults back.
    // No huge pages through MAP_HUGETLB (large_os_pages). mimalloc v3 still
    // marks its arenas for transparent huge pages (madvise, its allow_thp
    // option), which measured faster here: a 5,000-resource plan takes ~700
    // page faults instead of ~10,000 (MIMALLOC_ALLOW_THP=0).
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 0);
    }
    // One process-wide TLS crypto provider: the kube client (ring) and the AWS
    // SDK (aws-lc-rs) both reach rustls, which then cannot pick one by itself
    // and panics at the first TLS client it builds. Both accept ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let code = commands::run(argv);
    exit_now(code)
}

/// Ends the process once a command is done. Everything a command writes is
/// written by then (state and journal files synced, the lock released,
/// stdout flushed below), so what `exit` would still do is teardown: the
/// allocator's collection of all its pages, measurable after a plan of
/// thousands of resources, and other exit handlers that only free memory.
fn exit_now(code: u8) -> ! {
    use std::io::Write;
    // Plugin provider processes end with plinth (they would also be killed
    // by the kernel, but a graceful stop lets them clean up).
    plinth_provider_plugin::stop_all();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` ends the process without running exit handlers; none
    // of this program's has work left that matters.
    unsafe { libc::_exit(i32::from(code)) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_main_sets() {
        // The purge delay's default, 10 ms in mimalloc v2 and 1000 ms in v3
        // (src/options.c): the index names the right option.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert!(matches!(default, 10 | 1000), "option {} is not the purge delay (value {default})", super::MI_OPTION_PURGE_DELAY);
    }
}
