//! What a process of Amana does to itself before it holds anything of a vault.
//!
//! A crash must not put the vault on the disk. When a program crashes, Linux
//! may write its memory to a core file: in the working folder, or through a
//! crash handler named in `/proc/sys/kernel/core_pattern` (`systemd-coredump`,
//! Ubuntu's apport). That memory holds the vault key and what the pages
//! showed. The desktop e2e met it: where core files were allowed (`ulimit -c
//! unlimited`, as many developers set it), a web process that crashed in a run
//! before these settings left a 5.9 GB core file in the folder the app was
//! started from.
//!
//! So both the `amana` CLI and the desktop app, first thing:
//! - set the core file size limit to zero, the hard limit too, so that no
//!   process of the user's can raise it again. The kernel obeys it when it
//!   writes the file itself; a crash handler behind a pipe receives the core
//!   whatever the limit, and may or may not obey it (`systemd-coredump` does);
//! - set `/proc/self/coredump_filter` to zero: no memory mapping of any kind
//!   goes into a core, whoever writes it, pipe or file. A core holds no more
//!   than the registers and the list of mappings.
//!
//! Both are inherited by the processes started afterwards and kept across
//! `exec`, so WebKit's web and network processes, which hold the pages'
//! text, are covered as well as the app's own process.
//!
//! Not done: marking the process not dumpable (`PR_SET_DUMPABLE` 0). It would
//! also keep the user's other programs from reading the app's memory, but the
//! desktop portal (`xdg-desktop-portal`) refuses every request of a process
//! that is not dumpable, and where GTK is told to use it, the file dialogs
//! (attach evidence, open a bundle, choose where to export) would do nothing.

use std::io;

/// Makes every core file of this process and of what it starts empty of
/// memory, and none at all where the kernel writes it. Both settings are
/// attempted; the first failure is returned. Call it before anything of a
/// vault is read. On systems other than Linux it does nothing.
pub fn protect_process_memory() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let limit = setrlimit(Resource::Core, Rlimit { current: Some(0), maximum: Some(0) }).map_err(io::Error::from);
        // Hexadecimal bit mask (proc(5)); 0: no mapping of any kind.
        let filter = std::fs::write("/proc/self/coredump_filter", "0");
        limit.and(filter)?;
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

    /// A `coredump_filter` as the kernel prints it (hexadecimal).
    fn hex(text: &str) -> u32 {
        u32::from_str_radix(text.trim(), 16).unwrap()
    }

    fn own_filter() -> u32 {
        hex(&std::fs::read_to_string("/proc/self/coredump_filter").unwrap())
    }

    // nextest runs each test in a process of its own, so this one may change
    // its process for good.
    #[test]
    fn no_core_limit_and_no_memory_in_a_core_and_both_reach_a_child_through_exec() {
        // Start from a process that would write a core file with memory in it,
        // where the test runner allows it, so the assertions below show a change.
        let before = getrlimit(Resource::Core);
        if before.maximum != Some(0) {
            let _ = setrlimit(Resource::Core, Rlimit { current: before.maximum, maximum: before.maximum });
        }
        assert_ne!(own_filter(), 0, "the default filter dumps anonymous memory");

        protect_process_memory().unwrap();

        let after = getrlimit(Resource::Core);
        assert_eq!((after.current, after.maximum), (Some(0), Some(0)));
        assert_eq!(own_filter(), 0);
        // A program started afterwards (fork + exec) has both.
        let child = std::process::Command::new("sh")
            .args(["-c", "ulimit -c; ulimit -H -c; cat /proc/self/coredump_filter"])
            .output()
            .unwrap();
        let out = String::from_utf8(child.stdout).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(&lines[..2], ["0", "0"], "the child's soft and hard core limits");
        assert_eq!(hex(lines[2]), 0, "the child's coredump_filter");
        // Raising a hard limit needs CAP_SYS_RESOURCE: the user's own
        // processes cannot; root can.
        let raised = setrlimit(Resource::Core, Rlimit { current: Some(1 << 20), maximum: Some(1 << 20) });
        if !rustix::process::geteuid().is_root() {
            assert!(raised.is_err(), "an unprivileged process raised the core limit again");
        }
    }
}
