//! The `amana` command-line tool: a thin layer over the core library.
//! Secrets come from a terminal prompt or the environment, never from argv.

#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::run());
}
