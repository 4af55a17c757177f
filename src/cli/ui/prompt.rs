//! Questions to the person at the terminal (dialoguer), asked only when
//! someone can answer: stdin and stderr are terminals, `CI` is not set and
//! `{ENV}_PROMPT_DISABLED` is not set. Otherwise the caller uses a default
//! or a usage error names the flag that gives the answer.
//!
//! Ctrl-C at a question restores the terminal and ends the command with
//! `Login cancelled` (exit 130).

use crate::cli::signal::QuietSigint;
use crate::error::{Error, Result};
use crate::platform::Platform;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Select};
use std::io::IsTerminal;

/// Whether a question may be asked: a person at a terminal, not in CI, and
/// prompts not turned off with `{ENV}_PROMPT_DISABLED`.
pub fn can_prompt(platform: &Platform) -> bool {
    std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty())
        && platform.env("PROMPT_DISABLED").is_none()
}

/// Bumped by every question: a paste reader still waiting on stdin from a
/// login that has moved on (the browser's callback came first) stops
/// before it reads, so the keys typed at the question are the question's.
static QUESTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many questions have been asked so far (see [`QUESTIONS`]).
pub fn questions() -> u64 {
    QUESTIONS.load(std::sync::atomic::Ordering::SeqCst)
}

/// A question is about to read the terminal.
pub fn asking() {
    QUESTIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// Wait up to `ms` for stdin to have something to read: `Some(true)` when
/// it has (or is at its end), `Some(false)` when the time ran out, `None`
/// where that cannot be known (then the caller reads and blocks).
pub fn stdin_ready(ms: i32) -> Option<bool> {
    #[cfg(unix)]
    {
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, its count, and a timeout.
        let n = unsafe { libc::poll(&mut fd, 1, ms) };
        match n {
            0 => Some(false),
            n if n > 0 => Some(true),
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
                Some(false)
            }
            _ => None,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ms;
        None
    }
}

fn theme() -> ColorfulTheme {
    ColorfulTheme::default()
}

/// Where the cursor is left when a question is interrupted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Left {
    /// On a line of its own (a menu).
    OnNewLine,
    /// At the end of the question's line (a line of text, yes/no).
    AfterQuestion,
}

/// A dialoguer error as keyward's: Ctrl-C is [`Error::Cancelled`]. The
/// terminal is put right first: the cursor shown (dialoguer hides it for
/// yes/no and menus and does not show it again when interrupted) and the
/// question's line ended, so what is printed next starts a line.
fn answer<T>(r: std::result::Result<T, dialoguer::Error>, left: Left) -> Result<T> {
    r.map_err(|e| {
        let dialoguer::Error::IO(io) = e;
        if io.kind() == std::io::ErrorKind::Interrupted {
            let term = dialoguer::console::Term::stderr();
            let _ = term.show_cursor();
            if left == Left::AfterQuestion {
                let _ = term.write_line("");
            }
            Error::Cancelled
        } else {
            Error::other(
                "cannot read the answer from the terminal",
                Some(io.to_string()),
                None,
            )
        }
    })
}

/// Pick one of `items` (the first is the default, chosen with Enter).
pub fn select(question: &str, items: &[String], default: usize) -> Result<usize> {
    asking();
    let _quiet = QuietSigint::new();
    answer(
        Select::with_theme(&theme())
            .with_prompt(question)
            .items(items)
            .default(default)
            .interact(),
        Left::OnNewLine,
    )
}

/// A line of text, checked by `valid` (which says what is wrong).
pub fn input(
    question: &str,
    valid: impl Fn(&String) -> std::result::Result<(), String>,
) -> Result<String> {
    asking();
    let _quiet = QuietSigint::new();
    answer(
        Input::<String>::with_theme(&theme())
            .with_prompt(question)
            .validate_with(|s: &String| valid(s))
            .interact_text(),
        Left::AfterQuestion,
    )
    .map(|s| s.trim().to_string())
}

/// Yes or no; Enter gives `default`.
pub fn confirm(question: &str, default: bool) -> Result<bool> {
    asking();
    let _quiet = QuietSigint::new();
    answer(
        Confirm::with_theme(&theme())
            .with_prompt(question)
            .default(default)
            .interact(),
        Left::AfterQuestion,
    )
}
