//! A tiny activity spinner on stderr, e.g. "⠹ Waiting for the browser…".
//!
//! It draws from a background thread and is erased when the [`Spinner`] is
//! dropped. It only draws when stderr is a terminal (and `TERM` is not
//! `dumb`); otherwise — redirected output, CI logs — it prints nothing at
//! all. Drawing uses only carriage returns and spaces, no escape sequences,
//! so it also behaves on consoles without ANSI support.
//!
//! Stop (drop) the spinner before printing anything else to the terminal,
//! and keep the message shorter than the terminal is wide: a wrapped line
//! cannot be erased with a carriage return.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Time between two frames.
const FRAME_INTERVAL: Duration = Duration::from_millis(100);

/// Braille frames where Unicode is a safe bet; plain ASCII on Windows, whose
/// console fonts often lack braille.
const FRAMES: &[&str] = if cfg!(windows) {
    &["|", "/", "-", "\\"]
} else {
    &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
};

/// A running spinner; stops and erases its line when dropped.
#[must_use = "the spinner stops as soon as it is dropped"]
pub struct Spinner {
    running: Option<Running>,
}

struct Running {
    stop: Arc<AtomicBool>,
    #[cfg_attr(not(test), allow(dead_code))]
    message: Arc<Mutex<String>>,
    thread: JoinHandle<()>,
}

impl Spinner {
    /// Starts a spinner showing `message` on stderr, if stderr is a
    /// terminal; otherwise returns an inactive spinner that prints nothing.
    pub fn start(message: impl Into<String>) -> Spinner {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if io::stderr().is_terminal() && !dumb {
            Self::start_on(message.into(), io::stderr())
        } else {
            Spinner { running: None }
        }
    }

    /// Starts a spinner drawing to `out` unconditionally.
    fn start_on<W: Write + Send + 'static>(message: String, out: W) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let message = Arc::new(Mutex::new(message));
        let spawned = thread::Builder::new().name("spinner".to_owned()).spawn({
            let stop = Arc::clone(&stop);
            let message = Arc::clone(&message);
            move || draw(out, &stop, &message)
        });
        // Without a thread there is simply no spinner.
        let running = spawned.ok().map(|thread| Running {
            stop,
            message,
            thread,
        });
        Spinner { running }
    }

    /// Replaces the message shown next to the spinner.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn set_message(&self, message: impl Into<String>) {
        if let Some(r) = &self.running {
            *r.message.lock().unwrap_or_else(PoisonError::into_inner) = message.into();
        }
    }

    /// Whether the spinner is drawing (stderr is a terminal).
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.running.is_some()
    }

    /// Stops the spinner and erases its line; same as dropping it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn stop(self) {}
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop.store(true, Ordering::SeqCst);
            r.thread.thread().unpark();
            let _ = r.thread.join();
        }
    }
}

impl std::fmt::Debug for Spinner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spinner")
            .field("active", &self.is_active())
            .finish()
    }
}

/// The spinner thread: redraws every [`FRAME_INTERVAL`] until `stop`, then
/// blanks the line. Write errors are ignored.
fn draw<W: Write>(mut out: W, stop: &AtomicBool, message: &Mutex<String>) {
    let mut width: usize = 0; // chars drawn on the line so far
    for frame in FRAMES.iter().cycle() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let text = {
            let msg = message.lock().unwrap_or_else(PoisonError::into_inner);
            format!("{frame} {msg}")
        };
        let len = text.chars().count();
        // Pad with spaces to cover a longer previous message.
        let line = format!("\r{text}{}", " ".repeat(width.saturating_sub(len)));
        width = width.max(len);
        let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
        thread::park_timeout(FRAME_INTERVAL);
    }
    if width > 0 {
        let blank = format!("\r{}\r", " ".repeat(width));
        let _ = out.write_all(blank.as_bytes()).and_then(|()| out.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn draws_frames_and_clears_line() {
        let out = Shared::default();
        let s = Spinner::start_on("Waiting for the browser".into(), out.clone());
        assert!(s.is_active());
        thread::sleep(Duration::from_millis(350));
        drop(s);
        let text = out.text();
        assert!(text.starts_with(&format!("\r{} Waiting for the browser", FRAMES[0])));
        assert!(text.contains(FRAMES[1]), "{text:?}");
        let width = format!("{} Waiting for the browser", FRAMES[0])
            .chars()
            .count();
        assert!(
            text.ends_with(&format!("\r{}\r", " ".repeat(width))),
            "{text:?}"
        );
        assert!(!text.contains('\u{1b}'), "no escape sequences");
    }

    #[test]
    fn nothing_more_after_drop() {
        let out = Shared::default();
        drop(Spinner::start_on("x".into(), out.clone()));
        let after_drop = out.text();
        thread::sleep(Duration::from_millis(250));
        assert_eq!(out.text(), after_drop);
    }

    #[test]
    fn stops_promptly() {
        let s = Spinner::start_on("x".into(), Shared::default());
        thread::sleep(Duration::from_millis(30));
        let t = Instant::now();
        s.stop();
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn set_message_and_padding() {
        let out = Shared::default();
        let s = Spinner::start_on("a long first message".into(), out.clone());
        thread::sleep(Duration::from_millis(50));
        s.set_message("short");
        thread::sleep(Duration::from_millis(250));
        drop(s);
        let text = out.text();
        let long = format!("{} a long first message", FRAMES[0])
            .chars()
            .count();
        let short_frame = text
            .split('\r')
            .find(|l| l.contains("short"))
            .expect("new message drawn");
        assert_eq!(short_frame.chars().count(), long, "{short_frame:?}");
    }

    #[test]
    fn inactive_spinner_is_harmless() {
        let s = Spinner { running: None };
        assert!(!s.is_active());
        s.set_message("ignored");
        assert_eq!(format!("{s:?}"), "Spinner { active: false }");
        s.stop();
    }

    #[test]
    fn start_follows_stderr_kind() {
        // Under `cargo test` stderr may or may not be a terminal; either
        // way start/stop must work and agree with is_terminal.
        let s = Spinner::start("checking");
        if !io::stderr().is_terminal() {
            assert!(!s.is_active());
        }
        drop(s);
    }
}
