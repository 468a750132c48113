//! SQLite's heap, wiped on free.
//!
//! Everything SQLite allocates (decrypted pages in the page cache, rows,
//! FTS5 position lists, bound and returned text) goes through the allocator
//! SQLite is configured with. [`install`] wraps SQLite's default allocator
//! so that every block is overwritten with zeros before it is freed (and
//! before it is left behind by a reallocation that moves it), for every
//! connection of the process.
//!
//! Why not SQLCipher's own `cipher_memory_security`: it does the same wiping,
//! but also calls `mlock` on every allocation and `munlock` on every free,
//! two system calls per allocation. Measured on a 100,000-testimony vault
//! (BENCHMARKS.md, "What-if"), they were 46 % of a bulk write's time and
//! 9-56 % of a search's, depending on the query. And they do not keep
//! decrypted pages out of swap: Linux does not count page locks, so freeing
//! one small block unlocks the whole page it shares with live ones, and
//! past `RLIMIT_MEMLOCK` (8 MiB by default) nothing is locked at all, while
//! the page cache alone is 32 MiB. The vault key itself stays in SQLCipher's
//! private heap, which SQLCipher locks and wipes whatever this setting is.
//!
//! The allocator can only be chosen before SQLite initializes, once per
//! process. [`install`] must therefore run before the first connection is
//! opened; when it is too late it changes nothing and says so
//! ([`Wiping::SqlcipherMemorySecurity`]), and the caller falls back to
//! `cipher_memory_security = ON`.
//!
//! This is the only `unsafe` code Amana's core depends on of its own; the
//! `amana` crate itself forbids it.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{compiler_fence, Ordering};
use std::sync::OnceLock;

use rusqlite::ffi;

/// Who wipes the memory SQLite frees in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiping {
    /// This crate's allocator hooks: every block zeroed before it is freed.
    Hooks,
    /// SQLite had already started when [`install`] ran, so the hooks could
    /// not be installed: connections must turn on SQLCipher's
    /// `cipher_memory_security` instead.
    SqlcipherMemorySecurity,
}

/// SQLite's allocator as it was before the hooks: the hooks call it.
struct Inner(ffi::sqlite3_mem_methods);

// SAFETY: the methods are plain function pointers and SQLite's `pAppData`
// (null for the default allocator); after `install` they are only read.
unsafe impl Send for Inner {}
unsafe impl Sync for Inner {}

static INNER: OnceLock<Inner> = OnceLock::new();
static WIPING: OnceLock<Wiping> = OnceLock::new();

/// Installs the wiping allocator, once per process, and says who wipes.
/// Call it before opening any SQLite connection; later calls return the
/// first answer.
pub fn install() -> Wiping {
    *WIPING.get_or_init(install_once)
}

/// The answer of [`install`], if it has run.
pub fn wiping() -> Option<Wiping> {
    WIPING.get().copied()
}

fn install_once() -> Wiping {
    let mut current = ffi::sqlite3_mem_methods {
        xMalloc: None,
        xFree: None,
        xRealloc: None,
        xSize: None,
        xRoundup: None,
        xInit: None,
        xShutdown: None,
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: SQLITE_CONFIG_GETMALLOC takes one `sqlite3_mem_methods*`,
    // which it fills. Once SQLite has initialized it returns SQLITE_MISUSE
    // and touches nothing.
    let rc =
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETMALLOC, &mut current as *mut ffi::sqlite3_mem_methods) };
    if rc != ffi::SQLITE_OK
        || current.xMalloc.is_none()
        || current.xFree.is_none()
        || current.xRealloc.is_none()
        || current.xSize.is_none()
    {
        return Wiping::SqlcipherMemorySecurity;
    }
    if INNER.set(Inner(current)).is_err() {
        return Wiping::SqlcipherMemorySecurity;
    }
    // SQLite's memory statistics take a process-wide mutex on every
    // allocation and free, which two connections on two threads would
    // contend for; Amana never reads them.
    // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int; SQLite has not started.
    unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
    let hooked = ffi::sqlite3_mem_methods { xFree: Some(wiping_free), xRealloc: Some(wiping_realloc), ..current };
    // SAFETY: SQLITE_CONFIG_MALLOC takes one `const sqlite3_mem_methods*`
    // and copies it. The hooks only call the methods saved in INNER, which
    // is set above and never changes.
    let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &hooked as *const ffi::sqlite3_mem_methods) };
    if rc != ffi::SQLITE_OK {
        return Wiping::SqlcipherMemorySecurity;
    }
    Wiping::Hooks
}

fn inner() -> &'static ffi::sqlite3_mem_methods {
    // Set before the hooks are installed, so always there when they run.
    &INNER.get().expect("the hooks run only after install").0
}

/// Zeroes the `n` bytes at `p`. The write cannot be dropped as dead: the
/// block is passed right after to SQLite's free through a function pointer
/// the compiler cannot see into, and the fence keeps the order.
///
/// # Safety
/// `p` must be valid for writes of `n` bytes.
unsafe fn wipe(p: *mut c_void, n: c_int) {
    if n > 0 {
        std::ptr::write_bytes(p.cast::<u8>(), 0, n as usize);
        compiler_fence(Ordering::SeqCst);
    }
}

/// SQLite's free, after zeroing the whole block.
unsafe extern "C" fn wiping_free(p: *mut c_void) {
    let m = inner();
    if !p.is_null() {
        // SAFETY: `p` is a live block of this allocator, `xSize(p)` bytes long.
        let n = (m.xSize.expect("checked at install"))(p);
        wipe(p, n);
    }
    (m.xFree.expect("checked at install"))(p)
}

/// SQLite's realloc, never leaving a copy behind: a block that must grow is
/// copied into a new one and the old one wiped and freed; one that shrinks
/// stays where it is (SQLite asks its real size with `xSize`).
unsafe extern "C" fn wiping_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    let m = inner();
    let malloc = m.xMalloc.expect("checked at install");
    if p.is_null() {
        return malloc(n);
    }
    // SAFETY: `p` is a live block of this allocator.
    let old = (m.xSize.expect("checked at install"))(p);
    if n <= old {
        return p;
    }
    let q = malloc(n);
    if q.is_null() {
        // SQLite keeps `p` when realloc fails.
        return q;
    }
    // SAFETY: `p` holds `old` bytes, `q` at least `n > old`; distinct blocks.
    std::ptr::copy_nonoverlapping(p.cast::<u8>(), q.cast::<u8>(), old.max(0) as usize);
    wiping_free(p);
    q
}
