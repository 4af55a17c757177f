//! The hidden token prompt: `Paste your token:` on stderr, then the token
//! read from the terminal on stdin with echo off.
//!
//! The terminal is put in a non-canonical mode, because canonical mode cuts
//! a line at 4095 bytes on Linux (1024 on macOS) and JWTs are longer. A
//! small line editor ([`LineEditor`]) then does what the terminal would:
//! Enter ends the input, Backspace/DEL erases a character, Ctrl-U the
//! whole line, Ctrl-D on an empty line is end of input, and Ctrl-C cancels
//! (signals are off while reading, so Ctrl-C arrives as a byte and the
//! terminal can be restored). Escape sequences (arrow keys, bracketed-paste
//! markers) are skipped. Nothing is ever echoed; the token is kept in
//! zeroised memory and capped at [`MAX_TOKEN_BYTES`].
//!
//! The terminal's original settings are restored by a guard, whatever
//! happens; input left unread (the rest of a paste) is discarded then, so it
//! never reaches the shell.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::io::{self, Write};
use zeroize::Zeroizing;

/// The longest token the prompt accepts, in bytes (64 KiB).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// What the line editor made of the input so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Keep reading.
    More,
    /// Enter: the line is complete.
    Enter,
    /// Ctrl-D on an empty line, or the terminal hung up.
    EndOfInput,
    /// Ctrl-C.
    Interrupt,
    /// More than the cap.
    TooLong,
}

/// Where the editor is in an escape sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// Not in one.
    None,
    /// After ESC.
    Start,
    /// In a control sequence (`ESC [`), until its final byte.
    Csi,
    /// After `ESC O`: one more byte (application-mode keys).
    Ss3,
}

/// A line editor for hidden input, fed one byte at a time.
struct LineEditor {
    /// The bytes typed so far; its allocation is made once (no copies left
    /// behind by growing) and zeroised when dropped.
    buf: Zeroizing<Vec<u8>>,
    escape: Escape,
    max: usize,
}

impl LineEditor {
    fn new(max: usize) -> LineEditor {
        LineEditor {
            buf: Zeroizing::new(Vec::with_capacity(max)),
            escape: Escape::None,
            max,
        }
    }

    /// Take one byte of input.
    fn feed(&mut self, b: u8) -> Step {
        match self.escape {
            Escape::None => {}
            Escape::Start => {
                self.escape = match b {
                    b'[' => Escape::Csi,
                    b'O' => Escape::Ss3,
                    _ => Escape::None,
                };
                return Step::More;
            }
            Escape::Csi => {
                // parameters and intermediates are 0x20..=0x3F; the final
                // byte ends the sequence
                if !(0x20..=0x3f).contains(&b) {
                    self.escape = Escape::None;
                }
                return Step::More;
            }
            Escape::Ss3 => {
                self.escape = Escape::None;
                return Step::More;
            }
        }
        match b {
            b'\r' | b'\n' => Step::Enter,
            0x03 => Step::Interrupt,
            0x04 if self.buf.is_empty() => Step::EndOfInput,
            0x7f | 0x08 => {
                self.erase_char();
                Step::More
            }
            0x15 => {
                zeroize::Zeroize::zeroize(&mut *self.buf);
                Step::More
            }
            0x1b => {
                self.escape = Escape::Start;
                Step::More
            }
            // other control characters (Tab, Ctrl-D after text, ...) mean nothing here
            0..=0x1f => Step::More,
            _ if self.buf.len() >= self.max => Step::TooLong,
            _ => {
                self.buf.push(b);
                Step::More
            }
        }
    }

    /// Erase the last character (all the bytes of a UTF-8 sequence).
    fn erase_char(&mut self) {
        while let Some(b) = self.buf.pop() {
            if b & 0xc0 != 0x80 {
                break;
            }
        }
    }

    /// The line, without surrounding whitespace. The editor (and with it
    /// every byte typed) is zeroised when dropped.
    fn secret(&self) -> Result<Secret> {
        let text = std::str::from_utf8(&self.buf).map_err(|_| {
            Error::usage(
                "the token is not valid UTF-8 text",
                Some("paste the token itself, or pipe it from a file: `{bin} auth login --token-stdin < token.txt`".into()),
            )
        })?;
        Ok(Secret::new(text.trim()))
    }
}

/// Feed what `read` returns into `editor` until the line ends. `Ok(0)` from
/// `read` (end of file, a hung-up terminal) is end of input.
#[cfg_attr(not(unix), allow(dead_code))]
fn read_line(
    editor: &mut LineEditor,
    mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> io::Result<Step> {
    let mut chunk = Zeroizing::new([0u8; 1024]);
    loop {
        let n = match read(&mut chunk[..]) {
            Ok(0) => return Ok(Step::EndOfInput),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for &b in chunk.iter().take(n) {
            let step = editor.feed(b);
            if step != Step::More {
                return Ok(step);
            }
        }
    }
}

/// What a finished prompt means for the command.
fn outcome(step: Step, editor: &LineEditor) -> Result<Secret> {
    match step {
        Step::Enter => editor.secret(),
        Step::EndOfInput | Step::More => Ok(Secret::new(String::new())),
        Step::Interrupt => Err(Error::Cancelled),
        Step::TooLong => Err(too_long()),
    }
}

fn too_long() -> Error {
    Error::usage(
        format!(
            "the token is longer than {} KiB, too long to paste",
            MAX_TOKEN_BYTES / 1024
        ),
        Some(
            "save it in a file and pipe it in: `{bin} auth login --token-stdin < token.txt`".into(),
        ),
    )
}

fn terminal_error(e: io::Error) -> Error {
    Error::usage(
        format!("cannot read the token from the terminal: {e}"),
        Some("pipe the token in instead: `{bin} auth login --token-stdin < token.txt`".into()),
    )
}

/// Show `prompt` on stderr and read a token from the terminal on stdin
/// without echoing it (see the module docs for the keys). Call it only when
/// stdin is a terminal.
///
/// Returns an empty [`Secret`] at end of input (Ctrl-D on an empty line, or
/// Enter on an empty line); [`Error::Cancelled`] on Ctrl-C; a usage error
/// for a token over [`MAX_TOKEN_BYTES`] or one that is not UTF-8. The
/// terminal's settings are restored in every case.
#[cfg(unix)]
pub fn read_token(prompt: &str) -> Result<Secret> {
    super::prompt::asking();
    let stdin = io::stdin();
    let mut editor = LineEditor::new(MAX_TOKEN_BYTES);
    let step = {
        let raw = raw::RawMode::enter(&stdin).map_err(terminal_error)?;
        // The prompt shows only once echo is off: what the person types
        // after seeing it is never shown.
        let mut err = io::stderr().lock();
        let _ = write!(err, "{prompt} ").and_then(|()| err.flush());
        drop(err);
        let step = read_line(&mut editor, |buf| raw.read(buf)).map_err(terminal_error)?;
        if step == Step::TooLong {
            // the rest of a long paste must not reach the shell
            raw.drain();
        }
        step
        // `raw` restores the terminal here (and on every early return),
        // discarding any input left unread.
    };
    outcome(step, &editor)
}

/// Show `prompt` on stderr and read a token from the console without
/// echoing it (console's own hidden line input; the cap still applies).
#[cfg(not(unix))]
pub fn read_token(prompt: &str) -> Result<Secret> {
    super::prompt::asking();
    let term = dialoguer::console::Term::stderr();
    let mut err = io::stderr();
    let _ = write!(err, "{prompt} ").and_then(|()| err.flush());
    let line = Zeroizing::new(term.read_secure_line().map_err(terminal_error)?);
    let mut editor = LineEditor::new(MAX_TOKEN_BYTES);
    let mut step = Step::More;
    for &b in line.as_bytes() {
        step = editor.feed(b);
        if step != Step::More {
            break;
        }
    }
    if step == Step::More {
        step = Step::Enter;
    }
    outcome(step, &editor)
}

#[cfg(unix)]
mod raw {
    //! Non-canonical, no-echo, no-signal terminal mode with a guard.

    use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex, Termios};
    use std::io::{self, Write};
    use std::os::fd::{AsFd, BorrowedFd};
    use std::time::{Duration, Instant};
    use zeroize::Zeroize;

    /// The terminal in raw-ish mode; restores the original settings (and
    /// ends the prompt's line on stderr) when dropped.
    pub(super) struct RawMode<'a> {
        fd: BorrowedFd<'a>,
        original: Termios,
    }

    impl<'a> RawMode<'a> {
        /// Switch `fd`'s terminal to: no echo, not canonical (bytes as they
        /// come, no line-length limit), no signals (Ctrl-C is a byte),
        /// reads return after one byte.
        pub(super) fn enter(fd: &'a impl AsFd) -> io::Result<RawMode<'a>> {
            let fd = fd.as_fd();
            let original = termios::tcgetattr(fd)?;
            let mut raw = original.clone();
            raw.local_modes.remove(
                LocalModes::ECHO
                    | LocalModes::ECHONL
                    | LocalModes::ICANON
                    | LocalModes::ISIG
                    | LocalModes::IEXTEN,
            );
            raw.special_codes[SpecialCodeIndex::VMIN] = 1;
            raw.special_codes[SpecialCodeIndex::VTIME] = 0;
            // Flush: anything typed before the prompt (it was echoed) is dropped.
            termios::tcsetattr(fd, OptionalActions::Flush, &raw)?;
            Ok(RawMode { fd, original })
        }

        /// Read what the terminal has (at least one byte, or 0 on hang-up).
        pub(super) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
            Ok(rustix::io::read(self.fd, buf)?)
        }

        /// Read and throw away input until none comes for 0.2 s (at most
        /// 3 s): the tail of a paste that was refused.
        pub(super) fn drain(&self) {
            let mut quiet = self.original.clone();
            quiet.local_modes.remove(
                LocalModes::ECHO
                    | LocalModes::ECHONL
                    | LocalModes::ICANON
                    | LocalModes::ISIG
                    | LocalModes::IEXTEN,
            );
            quiet.special_codes[SpecialCodeIndex::VMIN] = 0;
            quiet.special_codes[SpecialCodeIndex::VTIME] = 2; // tenths of a second
            if termios::tcsetattr(self.fd, OptionalActions::Now, &quiet).is_err() {
                return;
            }
            let deadline = Instant::now() + Duration::from_secs(3);
            let mut chunk = [0u8; 4096];
            while Instant::now() < deadline {
                match rustix::io::read(self.fd, &mut chunk[..]) {
                    Ok(0) => break,
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    Err(_) => break,
                }
            }
            chunk.zeroize();
        }
    }

    impl Drop for RawMode<'_> {
        fn drop(&mut self) {
            // Flush: input not read yet (the rest of a paste) is discarded.
            let _ = termios::tcsetattr(self.fd, OptionalActions::Flush, &self.original);
            // Enter was not echoed: end the prompt's line.
            let _ = writeln!(io::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `input` to a fresh editor with cap `max`, in chunks of `chunk`
    /// bytes, as a terminal would deliver it.
    fn run(input: &[u8], max: usize, chunk: usize) -> (Step, LineEditor) {
        let mut editor = LineEditor::new(max);
        let mut rest = input;
        let step = read_line(&mut editor, |buf| {
            let n = rest.len().min(chunk).min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            Ok(n)
        })
        .unwrap();
        (step, editor)
    }

    fn token(input: &[u8]) -> String {
        let (step, editor) = run(input, MAX_TOKEN_BYTES, 7);
        assert_eq!(step, Step::Enter);
        editor.secret().unwrap().expose().to_string()
    }

    #[test]
    fn enter_ends_the_line_and_whitespace_is_trimmed() {
        assert_eq!(token(b"abc\r"), "abc");
        assert_eq!(token(b"  abc def \n"), "abc def");
        // what follows Enter is not part of the token
        assert_eq!(token(b"abc\rxyz\r"), "abc");
    }

    #[test]
    fn backspace_and_del_erase_one_character() {
        assert_eq!(token(b"abX\x7fc\r"), "abc");
        assert_eq!(token(b"abX\x08c\r"), "abc");
        // a whole UTF-8 character at a time
        assert_eq!(token("abé\x7fc\r".as_bytes()), "abc");
        assert_eq!(token("a€\x7f\x7f\x7fbc\r".as_bytes()), "bc");
        // on an empty line it does nothing
        assert_eq!(token(b"\x7f\x7fabc\r"), "abc");
    }

    #[test]
    fn ctrl_u_erases_the_line() {
        assert_eq!(token(b"wrong\x15right\r"), "right");
    }

    #[test]
    fn ctrl_d_is_end_of_input_only_on_an_empty_line() {
        let (step, editor) = run(b"\x04abc\r", 64, 1);
        assert_eq!(step, Step::EndOfInput);
        assert!(outcome(step, &editor).unwrap().is_empty());
        // after text, Ctrl-D is ignored
        assert_eq!(token(b"ab\x04c\r"), "abc");
        // erased back to empty, it is end of input again
        let (step, _) = run(b"a\x7f\x04", 64, 1);
        assert_eq!(step, Step::EndOfInput);
        // so is the end of the stream (a hung-up terminal)
        let (step, editor) = run(b"abc", 64, 2);
        assert_eq!(step, Step::EndOfInput);
        assert!(outcome(step, &editor).unwrap().is_empty());
    }

    #[test]
    fn ctrl_c_cancels() {
        let (step, editor) = run(b"secret-so-far\x03more\r", 64, 4);
        assert_eq!(step, Step::Interrupt);
        let e = outcome(step, &editor).unwrap_err();
        assert!(matches!(e, Error::Cancelled), "{e:?}");
        assert_eq!(e.exit_code(), 130);
        assert_eq!(e.to_string(), "Login cancelled");
    }

    #[test]
    fn enter_on_an_empty_line_gives_an_empty_token() {
        let (step, editor) = run(b"   \r", 64, 1);
        assert_eq!(step, Step::Enter);
        assert!(outcome(step, &editor).unwrap().is_empty());
    }

    #[test]
    fn control_characters_and_escape_sequences_are_skipped() {
        // Tab, arrows (CSI and SS3), bracketed-paste markers, Home/End
        assert_eq!(
            token(b"\x1b[200~a\tb\x1b[Dc\x1bOAd\x1b[1;5Ce\x1b[201~\r"),
            "abcde"
        );
        // Alt+key: ESC and the key are dropped
        assert_eq!(token(b"a\x1bxb\r"), "ab");
    }

    #[test]
    fn cap_at_64_kib() {
        let exact = vec![b'x'; MAX_TOKEN_BYTES];
        let mut input = exact.clone();
        input.push(b'\r');
        let (step, editor) = run(&input, MAX_TOKEN_BYTES, 1000);
        assert_eq!(step, Step::Enter);
        assert_eq!(editor.secret().unwrap().expose().len(), MAX_TOKEN_BYTES);

        let mut over = exact;
        over.extend_from_slice(b"y\r");
        let (step, editor) = run(&over, MAX_TOKEN_BYTES, 1000);
        assert_eq!(step, Step::TooLong);
        let e = outcome(step, &editor).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("longer than 64 KiB"), "{e}");
        let hint = e.hint_for(&crate::Platform::keyward()).unwrap();
        assert!(
            hint.contains("keyward auth login --token-stdin < "),
            "{hint}"
        );
        // the buffer never grew past the cap (no reallocation copies)
        assert_eq!(editor.buf.capacity(), MAX_TOKEN_BYTES);
    }

    #[test]
    fn long_jwt_in_small_chunks() {
        let jwt = format!("{}.{}.{}", "h".repeat(40), "p".repeat(8000), "s".repeat(86));
        assert_eq!(token(format!("{jwt}\r").as_bytes()), jwt);
    }

    #[test]
    fn invalid_utf8_is_a_usage_error() {
        let (step, editor) = run(b"ab\xffc\r", 64, 64);
        assert_eq!(step, Step::Enter);
        let e = editor.secret().unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn read_errors_pass_through_and_eintr_is_retried() {
        let mut editor = LineEditor::new(64);
        let mut calls = 0;
        let step = read_line(&mut editor, |buf| {
            calls += 1;
            match calls {
                1 => Err(io::Error::from(io::ErrorKind::Interrupted)),
                _ => {
                    buf[..3].copy_from_slice(b"ok\n");
                    Ok(3)
                }
            }
        })
        .unwrap();
        assert_eq!(step, Step::Enter);
        assert_eq!(editor.secret().unwrap().expose(), "ok");
        let mut editor = LineEditor::new(64);
        let e = read_line(&mut editor, |_| Err(io::Error::other("boom"))).unwrap_err();
        assert_eq!(e.to_string(), "boom");
    }
}
