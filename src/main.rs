//! The `amana` command-line tool: a thin layer over the core library.
//! Secrets come from a terminal prompt or the environment, never from argv.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    // Before anything of a vault is read: a crash leaves no core file, and no
    // memory in one a crash handler takes (src/hardening.rs).
    if let Err(e) = amana::hardening::protect_process_memory() {
        eprintln!("amana: warning: could not turn off core files for this process ({e})");
    }
    std::process::exit(cli::run());
}
