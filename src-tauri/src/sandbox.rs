//! WebKit's own sandbox for the web process: the process that parses the
//! page, and the evidence shown in the viewer (images, audio, video through
//! GStreamer), runs under bubblewrap in namespaces of its own: no network,
//! a read-only view of the system, and a `/tmp` (with `/var/tmp` pointing
//! into it) that is a tmpfs private to that process. So a media player's
//! temporary files (GStreamer's download buffer, which WebKit names under
//! `/var/tmp/WebKit-Media-XXXXXX`) stay in memory and go with the process,
//! and a parser exploited by a crafted file cannot reach the disk or the
//! network from there (it can still call the app's commands: the viewer
//! window without vault commands is issue 24's work).
//!
//! WebKitGTK 4.1 turns the sandbox on per context
//! (`webkit_web_context_set_sandbox_enabled`), but by the time Tauri hands
//! the app its webview the web process is already running, and WebKit
//! refuses the change then. It reads `WEBKIT_FORCE_SANDBOX` each time it
//! starts a web process, so [`prepare`] sets it, first thing in `main`,
//! before any thread exists, once it has checked that bubblewrap can make
//! the namespaces here (it cannot in some containers, or where
//! unprivileged user namespaces are turned off): a web process that cannot
//! start would leave a blank window. Where it cannot, the app runs without
//! the sandbox and says so where it matters: the viewer does not play audio
//! or video (docs/SECURITY.md, "The desktop app").

use std::path::Path;
use std::process::{Command, Stdio};

/// Where WebKitGTK runs bubblewrap from (its build's `BWRAP_EXECUTABLE`, Debian's path).
const BWRAP: &str = "/usr/bin/bwrap";

/// Whether the web process runs in WebKit's sandbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebSandbox {
    On,
    /// Why not, for the log and the user.
    Unavailable(String),
}

impl WebSandbox {
    pub fn is_on(&self) -> bool {
        *self == WebSandbox::On
    }
}

/// Sets WebKit's sandbox on for every web process this app starts, if
/// bubblewrap works here; see the module documentation. Must run before any
/// other thread exists (it changes the environment).
pub fn prepare() -> WebSandbox {
    // Nothing from outside turns it off: not an inherited
    // WEBKIT_FORCE_SANDBOX=0, nor WebKit's escape hatch.
    std::env::remove_var("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS");
    let state = probe(Path::new(BWRAP));
    std::env::set_var("WEBKIT_FORCE_SANDBOX", if state.is_on() { "1" } else { "0" });
    if let WebSandbox::Unavailable(why) = &state {
        eprintln!(
            "amana: warning: the page runs without WebKit's sandbox ({why}); audio and video will not play in the app"
        );
    }
    state
}

/// Runs bubblewrap with the namespaces WebKit asks for, on `true`.
fn probe(bwrap: &Path) -> WebSandbox {
    if !bwrap.exists() {
        return WebSandbox::Unavailable(format!("{} is not installed", bwrap.display()));
    }
    let out = Command::new(bwrap)
        .args(["--die-with-parent", "--unshare-pid", "--unshare-uts", "--unshare-net", "--unshare-ipc"])
        .args(["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match out {
        Ok(o) if o.status.success() => WebSandbox::On,
        Ok(o) => WebSandbox::Unavailable(format!(
            "bubblewrap cannot make namespaces here: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => WebSandbox::Unavailable(format!("bubblewrap could not be run: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_bubblewrap_is_reported_not_assumed() {
        let state = probe(Path::new("/nonexistent/bwrap"));
        assert!(matches!(&state, WebSandbox::Unavailable(why) if why.contains("not installed")), "{state:?}");
    }

    #[test]
    fn a_bubblewrap_that_fails_is_reported() {
        // `false` stands in for a bubblewrap that cannot make namespaces.
        let state = probe(Path::new("/bin/false"));
        assert!(matches!(&state, WebSandbox::Unavailable(why) if why.contains("cannot make namespaces")), "{state:?}");
    }

    /// The machines this is built and tested on have bubblewrap (a
    /// dependency of WebKitGTK's package) and allow its namespaces; the e2e
    /// checks that the page's process really runs in them.
    #[test]
    fn bubblewrap_makes_the_namespaces_here() {
        assert_eq!(probe(Path::new(BWRAP)), WebSandbox::On);
    }
}
