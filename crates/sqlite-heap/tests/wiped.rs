//! What SQLite frees is wiped: after a connection that held a canary closes,
//! the canary is in none of the process's writable memory. Each case runs in
//! a child process (this test binary again, running the ignored `child`
//! test), because the allocator can only be chosen once per process, before
//! SQLite starts.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::process::Command;

use amana_sqlite_heap::install;
use rusqlite::Connection;

// The canary is only ever put together inside SQLite (printf in SQL), so no
// Rust-side copy of it can be mistaken for one SQLite left behind.
const PART_A: &str = "AMANA-HEAP-";
const PART_B: &str = "CANARY-7F3A-WIPE";

/// Runs `mode` in a child process; returns its stdout lines.
fn run_child(mode: &str) -> Vec<String> {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("AMANA_HEAP_CHILD", mode)
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "child {mode} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // libtest's "test child ... " may share a line with the first answer.
    stdout.lines().filter_map(|l| l.find("HEAP ").map(|i| l[i..].to_string())).collect()
}

fn value(lines: &[String], key: &str) -> String {
    let prefix = format!("HEAP {key} ");
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .unwrap_or_else(|| panic!("no {key} in {lines:?}"))
}

#[test]
fn with_the_hooks_nothing_sqlite_freed_keeps_the_canary() {
    let lines = run_child("hooks");
    assert_eq!(value(&lines, "wiping"), "Hooks");
    assert_eq!(value(&lines, "memory_security"), "0", "the hooks, not SQLCipher, must be doing the wiping");
    assert_eq!(value(&lines, "hits_while_open"), "found", "the canary must be in memory while the connection is open");
    assert_eq!(value(&lines, "hits_after_close"), "0");
}

#[test]
fn without_wiping_the_canary_stays_behind() {
    // The control: the same work with nothing wiping shows that the scan
    // does find what SQLite leaves in freed memory.
    let lines = run_child("none");
    assert_eq!(value(&lines, "memory_security"), "0");
    let hits: usize = value(&lines, "hits_after_close").parse().expect("a number");
    assert!(hits > 0, "the control found no canary: the scan cannot see freed memory");
}

#[test]
fn too_late_to_install_says_so_and_changes_nothing() {
    let lines = run_child("late");
    assert_eq!(value(&lines, "wiping"), "SqlcipherMemorySecurity");
    assert_eq!(value(&lines, "wiping_again"), "SqlcipherMemorySecurity");
}

/// The child's side; does nothing unless started by one of the tests above.
#[test]
#[ignore = "run by the other tests in a child process"]
fn child() {
    let Ok(mode) = std::env::var("AMANA_HEAP_CHILD") else { return };
    match mode.as_str() {
        "hooks" => {
            println!("HEAP wiping {:?}", install());
            work_then_scan();
        }
        "none" => work_then_scan(),
        "late" => {
            drop(Connection::open_in_memory().expect("open"));
            println!("HEAP wiping {:?}", install());
            println!("HEAP wiping_again {:?}", install());
        }
        other => panic!("unknown mode {other}"),
    }
}

/// An encrypted database holding the canary in a table and an FTS5 index,
/// read back several ways, then closed; the process's memory scanned before
/// and after the close.
fn work_then_scan() {
    let dir = std::env::temp_dir().join(format!("amana-heap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let conn = Connection::open(dir.join("t.db")).expect("open");
    conn.execute_batch("PRAGMA key = \"x'2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c'\";")
        .expect("key");
    let security: String = conn.query_row("PRAGMA cipher_memory_security", [], |r| r.get(0)).expect("pragma");
    println!("HEAP memory_security {security}");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE t(x TEXT);
         CREATE VIRTUAL TABLE f USING fts5(x);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
         INSERT INTO t SELECT printf('%s%s %d', '{PART_A}', '{PART_B}', i) FROM n;
         INSERT INTO f SELECT x FROM t;"
    ))
    .expect("write");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t WHERE upper(x) LIKE '%WIPE%' AND length(lower(x)) > 10", [], |r| r.get(0))
        .expect("read");
    assert_eq!(n, 200);
    let n: i64 = conn.query_row("SELECT count(*) FROM f WHERE f MATCH 'wipe'", [], |r| r.get(0)).expect("match");
    assert_eq!(n, 200);
    let found = scan();
    println!("HEAP hits_while_open {}", if found > 0 { "found" } else { "none" });
    conn.close().expect("close");
    println!("HEAP hits_after_close {}", scan());
    let _ = std::fs::remove_dir_all(&dir);
}

/// How many copies of the canary the process's writable, non-file memory
/// holds (heap and anonymous mappings), not counting the scanner's own.
fn scan() -> usize {
    let needle = format!("{PART_A}{PART_B}").into_bytes();
    let mut buf = vec![0u8; 1 << 20];
    let own = [(buf.as_ptr() as usize, buf.len()), (needle.as_ptr() as usize, needle.len())];
    let maps = std::fs::read_to_string("/proc/self/maps").expect("maps");
    let mut mem = File::open("/proc/self/mem").expect("mem");
    let mut hits = 0;
    for line in maps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let perms = fields.get(1).copied().unwrap_or("");
        let path = fields.get(5).copied().unwrap_or("");
        if !perms.starts_with("rw") || !(path.is_empty() || path == "[heap]" || path.starts_with("[anon")) {
            continue;
        }
        let Some((start, end)) = fields[0].split_once('-') else { continue };
        let (start, end) = (usize::from_str_radix(start, 16).unwrap(), usize::from_str_radix(end, 16).unwrap());
        let mut at = start;
        while at < end {
            let want = (end - at).min(buf.len());
            let got = mem.seek(SeekFrom::Start(at as u64)).and_then(|_| mem.read(&mut buf[..want]));
            let Ok(got) = got else {
                at += want;
                continue;
            };
            if got == 0 {
                break;
            }
            for i in memchr_all(&buf[..got], &needle) {
                let addr = at + i;
                if !own.iter().any(|(p, n)| addr >= *p && addr < p + n) {
                    hits += 1;
                }
            }
            // Overlap the chunks so that a copy across a boundary is seen.
            at += if got > needle.len() { got - needle.len() + 1 } else { got };
        }
    }
    hits
}

fn memchr_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect()
}
