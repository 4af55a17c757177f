//! The terminal: the only place that prints notices or talks to the person
//! (errors, warnings, success lines, the activity [`Spinner`], the hidden
//! token prompt [`read_token`], the OAuth flows' [`Interaction`]).
//!
//! Everything here writes to stderr; stdout is kept for what a command
//! outputs (`auth token`, `--json`). Terminal queries go through `console`
//! (re-exported by `dialoguer`), the spinner is `indicatif`'s.

mod hidden;
pub mod prompt;

use super::hints::Hints;
pub use hidden::read_token;

use crate::error::{Error, Result};
use crate::oauth::Interaction;
use crate::platform::Platform;
use crate::store::Location;
use dialoguer::console::Term;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How much debugging output was asked for: `{ENV}_DEBUG` (`1` for
/// diagnostic causes, `api` for HTTP traffic too) or `--debug` (`api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DebugLevel {
    /// None (unset, empty, `0`, `false`, `no`, `off`).
    Off,
    /// Diagnostic causes with errors (the keychain's raw error, ...).
    Causes,
    /// Causes, and each HTTP request and response (redacted).
    Api,
}

impl DebugLevel {
    /// Parse a `{ENV}_DEBUG` value: `api` (alone or in a comma list) for
    /// HTTP traffic, anything else but the "off" words for causes.
    pub fn parse(value: &str) -> DebugLevel {
        let v = value.trim().to_ascii_lowercase();
        if v.split(',').any(|w| w.trim() == "api") {
            DebugLevel::Api
        } else if ["", "0", "false", "no", "off"].contains(&v.as_str()) {
            DebugLevel::Off
        } else {
            DebugLevel::Causes
        }
    }

    /// The level `{ENV}_DEBUG` asks for, or the one the command line set
    /// ([`set_debug`]), whichever is higher.
    pub fn current(platform: &Platform) -> DebugLevel {
        let env = platform
            .env("DEBUG")
            .map(|v| DebugLevel::parse(&v))
            .unwrap_or(DebugLevel::Off);
        env.max(match DEBUG.load(Ordering::Relaxed) {
            2 => DebugLevel::Api,
            1 => DebugLevel::Causes,
            _ => DebugLevel::Off,
        })
    }
}

/// The level set from the command line (`--debug`): 0 off, 1 causes, 2 api.
static DEBUG: AtomicU8 = AtomicU8::new(0);

/// Raise the debug level for this process (`--debug`).
pub fn set_debug(level: DebugLevel) {
    DEBUG.fetch_max(level as u8, Ordering::Relaxed);
}

/// Set once a command was given `--json`: errors are printed as JSON.
static JSON_ERRORS: AtomicBool = AtomicBool::new(false);

/// Print this process's errors as one JSON object on stderr instead of text
/// (`on`), or as text again. A command's `--json` turns it on (`keyward
/// api` and an embedding program's own commands call it themselves); see
/// [`print_error_with`] for the object. Usage errors that clap reports
/// before a command runs stay text.
pub fn set_json_errors(on: bool) {
    JSON_ERRORS.store(on, Ordering::Relaxed);
}

/// Whether errors are printed as JSON (see [`set_json_errors`]).
pub fn json_errors() -> bool {
    JSON_ERRORS.load(Ordering::Relaxed)
}

/// Print `error: ...`, `Caused by: ...` and `Solution: ...` on stderr, or,
/// after [`set_json_errors`], one line with the same as a JSON object:
///
/// ```json
/// {"error": {"message": "not logged in to https://api.example.com",
///   "cause": null, "solution": "run `keyward auth login -h https://api.example.com`",
///   "debug": null, "exit_code": 4}}
/// ```
///
/// Its field names are stable (README, "JSON output"); the texts are the
/// text output's, with terminal control characters made spaces, and never
/// hold a secret.
///
/// [`Error::Cancelled`] is not an error to the person: it prints only
/// `Login cancelled` (through `ui::cancelled`, so never twice).
pub fn print_error(platform: &Platform, e: &Error) {
    print_error_with(platform, e, &Hints::default());
}

/// [`print_error`], with every `Solution:` command that names one of the
/// program's commands carrying the API URL and tenant in `hints`. With
/// `{ENV}_DEBUG` set, a `Debug:` line gives the raw cause when there is one.
pub fn print_error_with(platform: &Platform, e: &Error, hints: &Hints) {
    match e {
        Error::Quiet { .. } => return,
        Error::Cancelled => return cancelled(),
        _ => {}
    }
    let debug = (DebugLevel::current(platform) >= DebugLevel::Causes)
        .then(|| e.detail())
        .flatten()
        .map(|d| crate::trace::printable(&d));
    let solution = e
        .hint_for(platform)
        .map(|h| hints.rewrite(&h, platform.name));
    if json_errors() {
        let doc = JsonError {
            error: JsonErrorBody {
                message: shown(&e.to_string()),
                cause: e.cause().map(|c| shown(&c)),
                solution: solution.map(|s| shown(&s)),
                debug: debug.map(|d| shown(&d)),
                exit_code: e.exit_code(),
            },
        };
        let line = serde_json::to_string(&doc).unwrap_or_default();
        return above_spinner(&format!("{line}\n"));
    }
    let mut out = format!("error: {e}\n");
    if let Some(c) = e.cause() {
        out.push_str(&format!("Caused by: {c}\n"));
    }
    if let Some(d) = debug {
        out.push_str(&format!("Debug: {d}\n"));
    }
    if let Some(h) = solution {
        out.push_str(&format!("Solution: {h}\n"));
    }
    above_spinner(&shown(&out));
}

/// The error object (see [`print_error_with`]), fields in this order.
#[derive(serde::Serialize)]
struct JsonError {
    error: JsonErrorBody,
}

#[derive(serde::Serialize)]
struct JsonErrorBody {
    message: String,
    cause: Option<String>,
    solution: Option<String>,
    debug: Option<String>,
    exit_code: i32,
}

/// `text` with every character that could drive the terminal (escape
/// sequences, carriage returns, invisible format characters: see
/// [`crate::text::is_unsafe`]) made a space; line breaks stay. Messages
/// quote what users, files and servers gave: none of it may reach the
/// terminal as a command.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c != '\n' && crate::text::is_unsafe(c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Write `text` on stderr, with any spinner lifted off its line first and
/// drawn again after.
pub fn above_spinner(text: &str) {
    let bar = active().as_ref().map(|(_, b)| b.clone());
    match bar {
        Some(b) => b.suspend(|| errout!("{text}")),
        None => errout!("{text}"),
    }
}

/// Print a warning line on stderr.
pub fn warn(msg: &str) {
    errln!("! {}", shown(msg));
}

/// Print every warning.
pub fn warn_all(msgs: &[String]) {
    for m in msgs {
        warn(m);
    }
}

/// Print a success line on stderr.
pub fn success(msg: &str) {
    errln!("✓ {}", shown(msg));
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
pub struct Terminal {
    /// Whether questions may be asked (see [`prompt::can_prompt`]).
    pub interactive: bool,
}

impl Interaction for Terminal {
    fn choose_tenant(
        &self,
        api_url: &crate::ApiUrl,
        tenants: &[crate::record::Tenant],
    ) -> Result<Option<String>> {
        if !self.interactive {
            return Ok(None);
        }
        let items: Vec<String> = tenants
            .iter()
            .map(|t| match &t.name {
                Some(n) => format!("{} ({n})", t.slug),
                None => t.slug.clone(),
            })
            .collect();
        let i = prompt::select(
            &format!("Which tenant should {api_url} use by default?"),
            &items,
            0,
        )?;
        Ok(tenants.get(i).map(|t| t.slug.clone()))
    }
    fn notice(&self, msg: &str) {
        errln!("{msg}");
    }
    fn authorize_url(&self, url: &str, opened: Option<std::result::Result<(), String>>) {
        match opened {
            Some(Ok(())) => errln!(
                "Opening your browser to log in.\nVisit this URL if the browser doesn't open:\n  {url}"
            ),
            Some(Err(e)) => errln!(
                "! Could not open a browser ({e}).\nOpen this URL in a browser to log in:\n  {url}"
            ),
            None => errln!("Open this URL in a browser to log in:\n  {url}"),
        }
    }
    fn device_code(&self, code: &crate::oauth::device::DeviceCode) {
        // Every field comes from the server: nothing it sends may drive the
        // terminal (escape sequences, carriage returns, invisible text).
        let shown = |s: &str| crate::text::printable(s, 500);
        errln!(
            "! First copy your one-time code: {}",
            shown(&code.user_code)
        );
        errln!(
            "Then open this URL in a browser and enter it:\n  {}",
            shown(&code.verification_uri)
        );
        if let Some(c) = &code.verification_uri_complete {
            errln!("(or open {}, which has the code filled in)", shown(c));
        }
    }
    fn waiting(&self, msg: &str) -> Box<dyn std::any::Any + Send> {
        Box::new(Spinner::start(msg))
    }
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send> {
        // Reads only while no question came after it (see `prompt::asking`).
        let asked = prompt::questions();
        Box::new(move || {
            loop {
                if prompt::questions() != asked {
                    return None;
                }
                match prompt::stdin_ready(100) {
                    Some(false) => continue,
                    Some(true) | None => break,
                }
            }
            if prompt::questions() != asked {
                return None;
            }
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line),
            }
        })
    }
}

/// Map an I/O failure writing to stdout to an error. A reader that went
/// away (`| head -c1`: a broken pipe) is no error: the command ends quietly
/// with exit 0, as it would have had the reader read everything.
pub fn stdout_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Error::Quiet {
            code: crate::error::exit::OK,
        };
    }
    Error::other("cannot write to standard output", Some(e.to_string()), None)
}

// ---- the spinner ----

/// Time between two spinner frames.
const FRAME_INTERVAL: Duration = Duration::from_millis(100);

/// Spinner frames, then the (empty) finished state: braille where Unicode is
/// a safe bet, plain ASCII on Windows, whose console fonts often lack braille.
const FRAMES: &[&str] = if cfg!(windows) {
    &["|", "/", "-", "\\", ""]
} else {
    &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", ""]
};

/// The spinner on screen now (with its id), so that [`cancelled`] can
/// finish it from wherever Ctrl-C is handled.
static ACTIVE: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// An activity spinner on stderr ("⠹ Waiting for the browser…"), drawn by
/// `indicatif` from its own ticker thread. It draws only when stderr is a
/// terminal and `TERM` is not `dumb`; otherwise (redirected output, CI
/// logs) it prints nothing at all. Dropping it finishes and erases the
/// spinner line and shows the cursor.
///
/// Drop it before printing anything else, and keep the message shorter
/// than the terminal is wide.
#[must_use = "the spinner stops as soon as it is dropped"]
pub struct Spinner {
    bar: Option<(u64, ProgressBar)>,
}

impl Spinner {
    /// Start a spinner showing `message` on stderr (or an inactive one, see
    /// [`Spinner`]).
    pub fn start(message: &str) -> Spinner {
        Spinner::start_on(Term::stderr(), message)
    }

    /// Start a spinner drawing on `term`, if `term` is a terminal and
    /// `TERM` is not `dumb`.
    fn start_on(term: Term, message: &str) -> Spinner {
        let term_var = std::env::var_os("TERM");
        if !spinner_draws(term.is_term(), term_var.as_deref()) {
            return Spinner { bar: None };
        }
        let style = ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_strings(FRAMES);
        let bar = ProgressBar::with_draw_target(
            None,
            ProgressDrawTarget::term_like_with_hz(Box::new(Narrow(term)), 20),
        )
        .with_style(style)
        .with_message(message.to_owned());
        bar.enable_steady_tick(FRAME_INTERVAL);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let previous = active().replace((id, bar.clone()));
        if let Some((_, old)) = previous {
            old.finish_and_clear();
        }
        Spinner {
            bar: Some((id, bar)),
        }
    }

    /// Whether the spinner is drawing.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.bar.is_some()
    }
}

/// The terminal as the spinner sees it: a few columns narrower than it is.
/// indicatif pads its line to the full width, leaving the cursor in the
/// last column; the `^C` a terminal echoes for Ctrl-C would then wrap onto
/// a new line, and erasing the spinner would erase that line instead.
#[derive(Debug)]
struct Narrow(Term);

impl indicatif::TermLike for Narrow {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(4).max(10)
    }
    fn height(&self) -> u16 {
        self.0.size().0
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        let Some((id, bar)) = self.bar.take() else {
            return;
        };
        bar.finish_and_clear();
        let mut a = active();
        if a.as_ref().is_some_and(|(i, _)| *i == id) {
            *a = None;
        }
        drop(a);
        show_cursor();
    }
}

impl std::fmt::Debug for Spinner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spinner")
            .field("active", &self.is_active())
            .finish()
    }
}

fn active() -> std::sync::MutexGuard<'static, Option<(u64, ProgressBar)>> {
    ACTIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a spinner is drawn: on a terminal whose `TERM` is not `dumb`.
fn spinner_draws(is_terminal: bool, term_var: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && term_var.is_none_or(|t| t != "dumb")
}

/// Make the cursor visible on stderr (when it is a terminal).
fn show_cursor() {
    let term = Term::stderr();
    if term.is_term() {
        let _ = term.show_cursor();
    }
}

/// Set once `Login cancelled` has been printed.
static CANCEL_SHOWN: AtomicBool = AtomicBool::new(false);

/// Say that the login was cancelled (Ctrl-C): finish and erase any spinner,
/// show the cursor, and print `Login cancelled` on stderr.
///
/// Call it from the code that notices Ctrl-C during a login (e.g. a
/// `tokio::signal::ctrl_c()` branch), before returning
/// [`Error::Cancelled`](crate::Error::Cancelled) (exit code 130). It prints
/// the line at most once per process, and [`print_error`] calls it for
/// `Error::Cancelled`, so a command that only returns `Error::Cancelled`
/// needs nothing else.
pub fn cancelled() {
    let bar = active().take();
    if let Some((_, bar)) = bar {
        bar.finish_and_clear();
    }
    show_cursor();
    if !CANCEL_SHOWN.swap(true, Ordering::SeqCst) {
        errln!("Login cancelled");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn spinner_draws_only_on_a_terminal_that_is_not_dumb() {
        assert!(spinner_draws(true, Some(OsStr::new("xterm-256color"))));
        assert!(spinner_draws(true, None));
        assert!(!spinner_draws(true, Some(OsStr::new("dumb"))));
        assert!(!spinner_draws(false, Some(OsStr::new("xterm-256color"))));
        assert!(!spinner_draws(false, None));
    }

    #[cfg(unix)]
    #[test]
    fn no_spinner_when_stderr_is_not_a_terminal() {
        use std::io::Read;
        let (input, _input_w) = std::io::pipe().unwrap();
        let (mut output, output_w) = std::io::pipe().unwrap();
        let term = Term::read_write_pair(input, output_w);
        assert!(!term.is_term());
        let s = Spinner::start_on(term, "Waiting for the browser…");
        assert!(!s.is_active());
        assert_eq!(format!("{s:?}"), "Spinner { active: false }");
        std::thread::sleep(FRAME_INTERVAL * 3);
        drop(s);
        // the pipe's write end is closed now: read all that was written
        let mut written = Vec::new();
        output.read_to_end(&mut written).unwrap();
        assert!(
            written.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&written)
        );
    }

    #[test]
    fn cancelled_is_exit_130_without_advice() {
        let e = Error::Cancelled;
        assert_eq!(e.exit_code(), 130);
        assert_eq!(e.to_string(), "Login cancelled");
        assert_eq!(e.cause(), None);
        assert_eq!(e.hint_for(&Platform::keyward()), None);
    }

    #[test]
    fn debug_levels() {
        assert_eq!(DebugLevel::parse("api"), DebugLevel::Api);
        assert_eq!(DebugLevel::parse(" API "), DebugLevel::Api);
        assert_eq!(DebugLevel::parse("1,api"), DebugLevel::Api);
        assert_eq!(DebugLevel::parse("1"), DebugLevel::Causes);
        assert_eq!(DebugLevel::parse("true"), DebugLevel::Causes);
        for off in ["", "0", "false", "No", "off"] {
            assert_eq!(DebugLevel::parse(off), DebugLevel::Off, "{off}");
        }
        assert!(DebugLevel::Api > DebugLevel::Causes && DebugLevel::Causes > DebugLevel::Off);
    }

    #[test]
    fn frames_end_with_the_empty_finished_state() {
        assert_eq!(FRAMES.last(), Some(&""));
        assert!(
            FRAMES[..FRAMES.len() - 1]
                .iter()
                .all(|f| f.chars().count() == 1)
        );
    }
}
