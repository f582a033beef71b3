//! The one place gw writes to stdout and stderr directly: a command's result and the error it
//! ends on. Everything else logs through `tracing` (the print lints hold for the rest of the
//! crate). A closed pipe (`gw schema | head`) ends the output quietly instead of panicking, as
//! `println!` would.

use std::fmt::Display;
use std::io::Write;

/// A command's result, one line on stdout.
pub fn out(text: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// A command's result as is (it ends its own lines), on stdout.
pub fn out_raw(text: impl Display) {
    let _ = write!(std::io::stdout().lock(), "{text}");
}

/// Why a command failed, or a note beside its result, on stderr.
pub fn err(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
