//! Printing errors, warnings and success lines on stderr.

use crate::error::Error;
use crate::platform::Platform;

/// Print `error: ...`, `Caused by: ...` and `Solution: ...` on stderr.
pub fn print_error(platform: &Platform, e: &Error) {
    if matches!(e, Error::Quiet { .. }) {
        return;
    }
    let mut out = format!("error: {e}\n");
    if let Some(c) = e.cause() {
        out.push_str(&format!("Caused by: {c}\n"));
    }
    if let Some(h) = e.hint_for(platform) {
        out.push_str(&format!("Solution: {h}\n"));
    }
    eprint!("{out}");
}

/// Print a warning line on stderr.
pub fn warn(msg: &str) {
    eprintln!("! {msg}");
}

/// Print every warning.
pub fn warn_all(msgs: &[String]) {
    for m in msgs {
        warn(m);
    }
}

/// Print a success line on stderr.
pub fn success(msg: &str) {
    eprintln!("✓ {msg}");
}
