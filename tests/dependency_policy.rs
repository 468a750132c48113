//! The no-network promise, checked on the dependency graph: the core has no
//! Tauri and no HTTP client or TLS stack for any target platform, and the
//! whole workspace (with the desktop app) has none on any desktop platform.

mod common;

use std::process::Command;

const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "ureq",
    "curl",
    "curl-sys",
    "isahc",
    "surf",
    "attohttpc",
    "minreq",
    "http-req",
    "awc",
    "h2",
    "h3",
    "quinn",
    "rustls",
    "native-tls",
    "openssl",
    "openssl-sys",
    "tokio-rustls",
    "tokio-native-tls",
    "webpki",
    "webpki-roots",
    "hyper-tls",
    "hyper-rustls",
    "tungstenite",
    "tauri-plugin-http",
    "tauri-plugin-updater",
    "tauri-plugin-shell",
];

/// The desktop platforms Amana ships to. (Tauri's mobile targets pull in an
/// HTTP client; Amana has no mobile build.)
const DESKTOP_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

fn tree(args: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--prefix", "none", "--format", "{p}", "-e", "normal,build"])
        .args(args)
        .current_dir(common::checkout())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_core_has_no_tauri_and_no_network_crates() {
    let deps = tree(&["-p", "amana", "--target", "all"]);
    assert!(deps.len() > 20, "cargo tree listed the graph: {deps:?}");
    assert!(deps.iter().any(|d| d == "rusqlite"), "sanity: rusqlite is a dependency");
    for d in &deps {
        assert!(!d.starts_with("tauri") && d != "wry" && d != "webkit2gtk", "the core depends on {d}");
        assert!(!NETWORK_CRATES.contains(&d.as_str()), "the core depends on the network crate {d}");
    }
}

#[test]
fn nothing_in_the_workspace_pulls_in_a_network_crate() {
    for target in DESKTOP_TARGETS {
        let deps = tree(&["--workspace", "--target", target]);
        assert!(deps.iter().any(|d| d == "tauri"), "sanity: the desktop app is in the workspace");
        for d in &deps {
            assert!(
                !NETWORK_CRATES.contains(&d.as_str()),
                "the workspace depends on the network crate {d} on {target}"
            );
        }
    }
}
