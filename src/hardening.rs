//! What a process of Amana does to itself before it holds anything of a vault.
//!
//! A crash must not put the vault on the disk. When a program crashes, Linux
//! may write its memory to a core file (in the working folder, or through
//! `systemd-coredump` under `/var/lib/systemd/coredump`): that memory holds the
//! vault key and what the pages showed. The desktop e2e met it: where core
//! files were allowed (`ulimit -c unlimited`, as many distributions set it for
//! developers), a web process that crashed in a run before these settings
//! left a 5.9 GB core file in the folder the app was started from.
//!
//! So both the `amana` CLI and the desktop app, first thing:
//! - set the core file size limit to zero, the hard limit too, so that no
//!   process of the user's can raise it again; it is inherited by every process started
//!   afterwards (WebKit's web and network processes among them);
//! - mark themselves not dumpable (`PR_SET_DUMPABLE` 0): no core file at all,
//!   and the user's other programs can no longer attach a debugger or read
//!   `/proc/PID/mem` (root still can). A program started with `exec` is
//!   dumpable again, which is why the limit matters for WebKit's processes.

use std::io;

/// Makes this process leave no core file and refuse same-user debuggers.
/// Call it before anything of a vault is read. On systems other than Linux it
/// does nothing.
pub fn protect_process_memory() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{setrlimit, set_dumpable_behavior, DumpableBehavior, Resource, Rlimit};
        setrlimit(Resource::Core, Rlimit { current: Some(0), maximum: Some(0) })?;
        set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use rustix::process::{dumpable_behavior, getrlimit, setrlimit, DumpableBehavior, Resource, Rlimit};

    // nextest runs each test in a process of its own, so this one may change
    // its process for good.
    #[test]
    fn no_core_file_and_not_dumpable_and_the_limit_cannot_be_raised_again() {
        // Start from a process that would write a core file, where the test
        // runner allows it, so the assertions below show a change.
        let before = getrlimit(Resource::Core);
        if before.maximum != Some(0) {
            let _ = setrlimit(Resource::Core, Rlimit { current: before.maximum, maximum: before.maximum });
        }
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::Dumpable);

        protect_process_memory().unwrap();

        let after = getrlimit(Resource::Core);
        assert_eq!((after.current, after.maximum), (Some(0), Some(0)));
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let raised = setrlimit(Resource::Core, Rlimit { current: Some(1 << 20), maximum: Some(1 << 20) });
        // Raising a hard limit needs CAP_SYS_RESOURCE: as root it succeeds,
        // so the claim that "no process can raise it" is for the user's.
        if !rustix::process::geteuid().is_root() {
            assert!(raised.is_err(), "an unprivileged process raised the core limit again");
        }
    }
}
