//! The one place gw writes to stdout and stderr directly: a command's result and the error it
//! ends on. Everything else logs through `tracing`, so the print lints stay on for the rest of
//! the crate.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI's output module: the only code meant to print"
)]

use std::fmt::Display;

/// A command's result, one line on stdout.
pub fn out(text: impl Display) {
    println!("{text}");
}

/// A command's result as is (it ends its own lines), on stdout.
pub fn out_raw(text: impl Display) {
    print!("{text}");
}

/// Why a command failed, or a note beside its result, on stderr.
pub fn err(text: impl Display) {
    eprintln!("{text}");
}
