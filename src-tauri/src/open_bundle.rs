//! A bundle handed to the app by the file manager: a double click on a
//! `.amana` file runs `amana-desktop /path/to/file.amana` (see
//! `packaging/amana-desktop.desktop`). The path is kept as "pending" until the
//! UI takes it with `take_pending_open`, and the UI is told by the
//! `open-bundle` event. When the app is already running, the second launch
//! hands its arguments to the running one over the D-Bus session bus
//! (tauri-plugin-single-instance) and exits; without a session bus every
//! launch simply runs on its own.
//!
//! This module only passes a path along: it never reads the file (the bundle
//! reader does, when the user opens it) and never logs the path.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event the UI listens to. Its payload is [`OpenBundle`]; the path is
/// also left pending, so the UI answers the event with `take_pending_open`
/// and opens what that returns (nothing if it was already taken).
pub const OPEN_BUNDLE_EVENT: &str = "open-bundle";

/// The file extension of a bundle (docs/bundle-format.md).
const BUNDLE_EXTENSION: &str = "amana";

/// Payload of the `open-bundle` event.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OpenBundle {
    /// The bundle's absolute path.
    pub path: String,
}

/// The bundle waiting for the UI: set at startup and by later launches,
/// cleared when the UI takes it.
#[derive(Default)]
pub struct PendingOpen(Mutex<Option<String>>);

impl PendingOpen {
    /// Pending with the bundle named on this process's own command line, if any.
    pub fn from_this_launch() -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        Self(Mutex::new(bundle_path_from_args(std::env::args_os(), &cwd)))
    }

    /// Replaces what is pending (the latest launch wins).
    pub fn set(&self, path: String) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(path);
        }
    }

    /// Returns what is pending once, and clears it.
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }

    /// What is pending, left in place.
    pub fn peek(&self) -> Option<String> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }
}

/// The bundle path in a command line (`argv[0]` first, as `std::env::args_os`
/// gives it), made absolute against `cwd`, the launching process's folder.
///
/// Options (`-x`, `--x`) are skipped, and everything after `--` is a path.
/// The first argument that ends in `.amana` (whether or not it exists: the UI
/// then says it was not found) or names an existing file wins. A path that is
/// not UTF-8 is skipped rather than passed on altered.
pub fn bundle_path_from_args<I, S>(args: I, cwd: &Path) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut only_paths = false;
    for arg in args.into_iter().skip(1).map(Into::into) {
        if !only_paths && arg == "--" {
            only_paths = true;
            continue;
        }
        if !only_paths && arg.as_encoded_bytes().starts_with(b"-") {
            continue;
        }
        if arg.is_empty() {
            continue;
        }
        let path = cwd.join(PathBuf::from(arg));
        let is_bundle =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(BUNDLE_EXTENSION));
        if is_bundle || path.is_file() {
            if let Ok(path) = path.into_os_string().into_string() {
                return Some(path);
            }
        }
    }
    None
}

/// Returns the bundle the app was asked to open, once; `null` when there is
/// none or it was already taken.
#[tauri::command]
pub fn take_pending_open(pending: State<'_, PendingOpen>) -> Option<String> {
    pending.take()
}

/// Tells the UI that a bundle is pending (after startup, or from a later launch).
pub fn announce<R: Runtime>(app: &AppHandle<R>) {
    if let Some(path) = app.state::<PendingOpen>().peek() {
        let _ = app.emit(OPEN_BUNDLE_EVENT, OpenBundle { path });
    }
}

/// A later launch of the app, with its arguments and folder: bring the window
/// forward and pass its bundle on.
fn on_later_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>, cwd: String) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Some(path) = bundle_path_from_args(argv, Path::new(&cwd)) {
        app.state::<PendingOpen>().set(path);
        announce(app);
    }
}

/// The single-instance plugin, one instance per vault folder: two launches
/// on the same vault meet, while a second vault (`AMANA_VAULT`) gets its own
/// window. Register it before every other plugin.
pub fn single_instance<R: Runtime>(vault_dir: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new().dbus_id(dbus_id(vault_dir)).callback(on_later_launch).build()
}

/// `org.amana.vault.v<FNV-1a of the vault folder>`: a valid D-Bus name,
/// the same for every build (unlike std's hasher).
fn dbus_id(vault_dir: &Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in vault_dir.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("org.amana.vault.v{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("amana-desktop").chain(list.iter().copied()).map(String::from).collect()
    }

    fn under(dir: &Path, name: &str) -> String {
        dir.join(name).into_os_string().into_string().unwrap()
    }

    #[test]
    fn no_argument_means_nothing_to_open() {
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(bundle_path_from_args(args(&[]), cwd.path()), None);
        assert_eq!(bundle_path_from_args(Vec::<String>::new(), cwd.path()), None);
    }

    #[test]
    fn program_name_is_never_taken_for_a_bundle() {
        let cwd = tempfile::tempdir().unwrap();
        fs::write(cwd.path().join("amana-desktop"), b"").unwrap();
        assert_eq!(bundle_path_from_args(args(&[]), cwd.path()), None);
    }

    #[test]
    fn a_bundle_path_is_taken_even_before_it_exists() {
        let cwd = tempfile::tempdir().unwrap();
        let abs = under(cwd.path(), "from-researcher.amana");
        assert_eq!(bundle_path_from_args(args(&[&abs]), Path::new("/elsewhere")), Some(abs));
    }

    #[test]
    fn a_relative_path_is_made_absolute_against_the_launching_folder() {
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(
            bundle_path_from_args(args(&["usb/Case 12 — شهادة.AMANA"]), cwd.path()),
            Some(under(cwd.path(), "usb/Case 12 — شهادة.AMANA"))
        );
    }

    #[test]
    fn any_existing_file_is_taken_and_a_missing_non_bundle_is_not() {
        let cwd = tempfile::tempdir().unwrap();
        fs::write(cwd.path().join("renamed.bin"), b"age-encryption.org/v1\n").unwrap();
        fs::create_dir(cwd.path().join("folder.d")).unwrap();
        assert_eq!(bundle_path_from_args(args(&["missing.txt", "folder.d"]), cwd.path()), None);
        assert_eq!(
            bundle_path_from_args(args(&["missing.txt", "folder.d", "renamed.bin"]), cwd.path()),
            Some(under(cwd.path(), "renamed.bin"))
        );
    }

    #[test]
    fn options_are_skipped_and_everything_after_a_double_dash_is_a_path() {
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(bundle_path_from_args(args(&["--verbose", "-x.amana"]), cwd.path()), None);
        assert_eq!(
            bundle_path_from_args(args(&["--verbose", "--", "-x.amana"]), cwd.path()),
            Some(under(cwd.path(), "-x.amana"))
        );
    }

    #[test]
    fn the_first_bundle_wins() {
        let cwd = tempfile::tempdir().unwrap();
        assert_eq!(
            bundle_path_from_args(args(&["a.amana", "b.amana"]), cwd.path()),
            Some(under(cwd.path(), "a.amana"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_is_skipped_not_altered() {
        use std::os::unix::ffi::OsStringExt;
        let cwd = tempfile::tempdir().unwrap();
        let bad = OsString::from_vec(b"caf\xe9.amana".to_vec());
        let list = vec![OsString::from("amana-desktop"), bad, OsString::from("good.amana")];
        assert_eq!(bundle_path_from_args(list, cwd.path()), Some(under(cwd.path(), "good.amana")));
    }

    #[test]
    fn pending_is_taken_once_and_the_latest_launch_wins() {
        let pending = PendingOpen::default();
        assert_eq!(pending.take(), None);
        pending.set("/media/usb/first.amana".into());
        pending.set("/media/usb/second.amana".into());
        assert_eq!(pending.peek().as_deref(), Some("/media/usb/second.amana"));
        assert_eq!(pending.take().as_deref(), Some("/media/usb/second.amana"));
        assert_eq!(pending.take(), None);
        assert_eq!(pending.peek(), None);
    }

    #[test]
    fn each_vault_folder_has_its_own_valid_dbus_name() {
        let a = dbus_id(Path::new("/home/a/.local/share/amana"));
        let b = dbus_id(Path::new("/tmp/other-vault"));
        assert_ne!(a, b);
        assert_eq!(a, dbus_id(Path::new("/home/a/.local/share/amana")));
        // D-Bus: elements of [A-Za-z0-9_-], none starting with a digit, at most 255 bytes
        // with the plugin's ".SingleInstance" suffix.
        for element in a.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{a}");
            assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{a}");
        }
        assert!(a.len() + ".SingleInstance".len() <= 255);
    }
}
