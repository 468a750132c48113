//! One owner per capability: the CLI and the desktop app are two doors into
//! one core. Each write (a record added, edited or deleted, a file attached
//! or copied out, an export or a backup) has its transaction, crash points,
//! validation and clean-up in one place (`api`, or the domain module it
//! calls), and neither door opens its own transaction or touches the
//! database. Checked here on the sources, so a shortcut taken in a hurry
//! fails the build's tests rather than drifting quietly (it did: the CLI's
//! copy of record writes had crash points the app's had not, and the two
//! backup rules disagreed).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Lines of the files under `dir` that contain any of `forbidden`, outside
/// comments.
fn uses(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut found = Vec::new();
    for f in rust_files(&root) {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_desktop_app_never_touches_the_database() {
    let found = uses("src-tauri/src", &["rusqlite", ".conn()", ".conn_mut()", "transaction", "execute("]);
    assert!(found.is_empty(), "the app must go through amana::api:\n{}", found.join("\n"));
}

#[test]
fn the_cli_never_writes_by_itself() {
    let found = uses(
        "src/cli",
        &[
            ".conn_mut()",
            "transaction",
            "execute(",
            "store::add(",
            "store::edit(",
            "store::delete(",
            "evidence::attach(",
            "evidence::extract(",
            "write::export(",
        ],
    );
    assert!(found.is_empty(), "the CLI must call the write's owner in amana::api:\n{}", found.join("\n"));
}

/// The check itself finds what it looks for (it would pass vacuously on a
/// wrong folder or a pattern that never matches).
#[test]
fn the_check_sees_the_core_doing_it() {
    assert!(uses("src", &["transaction"]).iter().any(|l| l.contains("src/api.rs")), "api opens the transactions");
    assert!(uses("src", &["store::add("]).iter().any(|l| l.contains("src/api.rs")));
    assert!(!uses("src-tauri/src", &["api::"]).is_empty(), "the app's sources were read");
}
