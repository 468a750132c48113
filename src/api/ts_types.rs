//! The TypeScript types of the app contract, generated from the Rust types
//! (ts-rs, a dev-dependency: nothing of it is in the shipped binary) and
//! committed in `ui/src/generated/`. The test fails when they are stale.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::TS;

const REGENERATE: &str = "AMANA_WRITE_TS=1 cargo test --lib api::ts_types";

/// Every type the UI receives or sends; ts-rs follows their fields.
fn export_all(dir: &Path) {
    macro_rules! export {
        ($($t:ty),* $(,)?) => {$( <$t>::export_all_to(dir).expect(concat!("export ", stringify!($t))); )*};
    }
    use crate::api::*;
    use crate::dossier::*;
    export!(
        ApiError,
        AppStatus,
        ProgressEvent,
        CreateVaultRequest,
        CreatedVault,
        UnlockRequest,
        ChangePassphraseRequest,
        RememberRequest,
        RecoverRequest,
        CaseListItem,
        AddRecordRequest,
        EditRecordRequest,
        SearchRequest,
        AuditView,
        AttachRequest,
        crate::search::Results,
        views::TimelineEntry,
        views::UrgentItem,
        store::Version,
        store::Deleted,
        crate::evidence::Extracted,
        Case,
        Situation,
        Incident,
        Instrument,
        Proceeding,
        Testimony,
        Source,
        Evidence,
        MyIdentity,
        CardPreview,
        AddContactRequest,
        crate::identity::Contact,
        ExportRequest,
        crate::bundle::write::ExportSummary,
        OpenBundleRequest,
        BundleContents,
        crate::bundle::import::ImportReport,
        DecideRequest,
        crate::bundle::inbox::Decided,
        BackupRequest,
        BackupStatus,
        RestoreRequest,
        Restored,
        StatsRequest,
        crate::report::stats::Stats,
        DraftRequest,
        crate::report::DraftWritten,
    );
}

/// The generated files by name. JSON numbers are plain numbers: our 64-bit
/// integers (sizes, counts, days) stay far below 2^53, so ts-rs's `bigint`
/// would only be wrong.
fn generate() -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    export_all(dir.path());
    let mut out: BTreeMap<String, String> =
        read_tree(dir.path()).into_iter().map(|(name, text)| (name, text.replace("bigint", "number"))).collect();
    let mut index = String::from("// Generated from the Rust types by `src/api/ts_types.rs`; do not edit.\n");
    for name in out.keys() {
        let stem = name.trim_end_matches(".ts");
        let export = stem.rsplit('/').next().unwrap_or(stem);
        index.push_str(&format!("export type {{ {export} }} from \"./{stem}\";\n"));
    }
    out.insert("index.ts".into(), index);
    out
}

/// Every file under `root`, by its path relative to `root` (with `/`).
fn read_tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).expect("read a folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("inside").to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).expect("a text file"));
            }
        }
    }
    out
}

fn committed_dir() -> PathBuf {
    crate::checkout().join("ui/src/generated")
}

#[test]
fn the_committed_typescript_types_are_those_of_the_rust_types() {
    let fresh = generate();
    let dir = committed_dir();
    if std::env::var_os("AMANA_WRITE_TS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create ui/src/generated");
        for (name, text) in &fresh {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("create a folder");
            std::fs::write(path, text).expect("write a generated file");
        }
        return;
    }
    assert!(dir.is_dir(), "no {}: generate it with:\n    {REGENERATE}", dir.display());
    let committed = read_tree(&dir);
    let stale: Vec<&String> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|n| fresh.get(*n) != committed.get(*n))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(stale.is_empty(), "ui/src/generated/ is stale ({stale:?}); regenerate it with:\n    {REGENERATE}");
}
