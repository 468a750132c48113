//! Measures what SQLCipher's `cipher_memory_security` costs on a workload
//! like Amana's (inserts of text records, indexed lookups, a full scan), so the
//! choice in `db.rs` rests on a number. Run: `cargo run --release --example cipher_memory_security`.

use std::time::Instant;

use rusqlite::Connection;

fn run(memory_security: bool) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("m.db")).unwrap();
    conn.execute_batch("PRAGMA key = \"x'0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20'\";")
        .unwrap();
    conn.execute_batch(if memory_security {
        "PRAGMA cipher_memory_security = ON;"
    } else {
        "PRAGMA cipher_memory_security = OFF;"
    })
    .unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, body TEXT); CREATE INDEX tk ON t(k);").unwrap();
    let body = "شهادة عن اعتقال في المطار وترحيل لاحق. Témoignage recueilli hors ligne. ".repeat(8);
    let started = Instant::now();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..20_000 {
        tx.execute("INSERT INTO t(k, body) VALUES (?1, ?2)", rusqlite::params![format!("key-{i}"), body]).unwrap();
    }
    tx.commit().unwrap();
    let write = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for i in (0..20_000).step_by(7) {
        let _: i64 = conn.query_row("SELECT id FROM t WHERE k = ?1", [format!("key-{i}")], |r| r.get(0)).unwrap();
    }
    let n: i64 = conn.query_row("SELECT count(*) FROM t WHERE body LIKE '%ترحيل%'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 20_000);
    (write, started.elapsed().as_secs_f64())
}

fn main() {
    for round in 0..2 {
        for ms in [false, true] {
            let (w, r) = run(ms);
            println!(
                "round {round} cipher_memory_security={:<3} write 20k rows {:>7.1} ms, 2.9k lookups + scan {:>7.1} ms",
                if ms { "ON" } else { "OFF" },
                w * 1e3,
                r * 1e3
            );
        }
    }
}
