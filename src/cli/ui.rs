//! The terminal: the only place that prints notices or talks to the person
//! (errors, warnings, success lines, the OAuth flows' [`Interaction`]).

use crate::error::{Error, Result};
use crate::oauth::Interaction;
use crate::platform::Platform;
use crate::store::Location;
use std::io::{BufRead, Write};

/// Print `error: ...`, `Caused by: ...` and `Solution: ...` on stderr.
pub fn print_error(platform: &Platform, e: &Error) {
    if matches!(e, Error::Quiet { .. } | Error::Cancelled) {
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

/// Say that a login was cancelled (Ctrl-C): nothing was written.
pub fn cancelled() {
    eprintln!("Login cancelled");
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

/// Print `v` as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    writeln!(std::io::stdout(), "{text}").map_err(stdout_error)
}

/// Where a record lives, in words.
pub fn where_stored(l: &Location) -> String {
    match l {
        Location::Keychain => "the OS keychain".into(),
        Location::File { path } => format!("{} (file, 0600)", path.display()),
        Location::Custom { name } => name.clone(),
    }
}

/// The terminal side of an OAuth login.
pub struct Terminal;

impl Interaction for Terminal {
    fn notice(&self, msg: &str) {
        eprintln!("{msg}");
    }
    fn authorize_url(&self, url: &str, opened: Option<std::result::Result<(), String>>) {
        match opened {
            Some(Ok(())) => eprintln!(
                "Opening your browser to log in.\nVisit this URL if the browser doesn't open:\n  {url}"
            ),
            Some(Err(e)) => eprintln!(
                "! Could not open a browser ({e}).\nOpen this URL in a browser to log in:\n  {url}"
            ),
            None => eprintln!("Open this URL in a browser to log in:\n  {url}"),
        }
    }
    fn device_code(&self, code: &crate::oauth::device::DeviceCode) {
        eprintln!("! First copy your one-time code: {}", code.user_code);
        eprintln!(
            "Then open this URL in a browser and enter it:\n  {}",
            code.verification_uri
        );
        if let Some(c) = &code.verification_uri_complete {
            eprintln!("(or open {c}, which has the code filled in)");
        }
    }
    fn waiting(&self, msg: &str) -> Box<dyn std::any::Any + Send> {
        Box::new(super::spinner::Spinner::start(msg))
    }
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send> {
        Box::new(|| {
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            }
        })
    }
}

/// Map an I/O failure writing to stdout (closed pipe) to an error.
pub fn stdout_error(e: std::io::Error) -> Error {
    Error::other("cannot write to standard output", Some(e.to_string()), None)
}
