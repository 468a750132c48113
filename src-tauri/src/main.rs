//! The Amana desktop app's entry point.
#![forbid(unsafe_code)]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Every allocation freed by the app's Rust code is zeroed first: records,
/// search results and requests that crossed the IPC leave no copies in freed
/// memory once the vault is locked (docs/SECURITY.md, "Memory after lock").
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> = zeroizing_alloc::ZeroAlloc(std::alloc::System);

/// glibc's allocator serves the C and C++ parts of the process (GTK, GLib,
/// WebKit's side of the IPC) and the WebKit processes it starts. With these
/// settings, freed memory is overwritten (`perturb`) and no freed block waits
/// unwiped in a per-thread cache (`tcache_count=0`). glibc reads them only
/// when a process starts, so the app starts itself again, once, with them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn ensure_wiping_glibc_allocator() {
    use std::os::unix::process::CommandExt;
    const TUNABLES: &str = "glibc.malloc.perturb=85:glibc.malloc.tcache_count=0";
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if current.contains("glibc.malloc.perturb") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let tunables = if current.is_empty() { TUNABLES.to_string() } else { format!("{current}:{TUNABLES}") };
    // `exec` replaces this process (same pid) and returns only if it failed.
    // `Malloc=1` makes WebKit's own allocator (bmalloc/libpas) hand its
    // allocations to glibc's, so they are wiped on free too.
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", tunables)
        .env("Malloc", "1")
        .exec();
    eprintln!("amana: starting without glibc's wiping allocator settings ({err})");
}

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    ensure_wiping_glibc_allocator();
    // Before anything of a vault is read: a crash of the app or of WebKit's
    // processes (which inherit both settings) leaves no core file, and no
    // memory in one a crash handler takes (src/hardening.rs).
    if let Err(e) = amana::hardening::protect_process_memory() {
        eprintln!("amana: warning: could not turn off core files for this process ({e})");
    }
    // Before any thread: it sets the environment WebKit reads when it starts
    // the page's process (src-tauri/src/sandbox.rs).
    let sandbox = amana_desktop::sandbox::prepare();
    amana_desktop::run(sandbox);
}
