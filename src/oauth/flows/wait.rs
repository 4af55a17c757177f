//! Waiting for the authorization code: one `select!` over the loopback
//! callback, the lines a person pastes (read on a plain thread of their own,
//! so a blocked read never holds anything up), and the deadline. Ctrl-C is
//! the caller's: it drops this future, which closes the listener.

use super::{Flow, callback_error, expect};
use crate::error::{Error, Result};
use crate::oauth::callback::{CallbackError, Listener};
use crate::oauth::paste;
use tokio::sync::mpsc;

impl Flow<'_> {
    /// The code from the listener (when there is one) or from a pasted line
    /// (when `paste`), whichever comes first, before the deadline.
    pub(super) async fn wait_for_code(
        &self,
        listener: Option<Listener>,
        state: &str,
        paste: bool,
    ) -> Result<String> {
        let exp = expect(&self.ep, state);
        let issuer = exp.issuer.clone();
        let listening = listener.is_some();
        let callback = async move {
            match listener {
                Some(l) => l.wait(exp).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(callback);
        let mut lines = paste.then(|| read_lines(self.ui.line_reader()));
        let timeout = tokio::time::sleep_until(self.deadline);
        tokio::pin!(timeout);
        loop {
            tokio::select! {
                r = &mut callback => return r.map(|c| c.code).map_err(callback_error),
                line = next_line(&mut lines) => match line {
                    Some(l) if l.trim().is_empty() => {}
                    Some(l) => match paste::parse_pasted_with_issuer(&l, state, issuer.as_deref()) {
                        Ok(code) => return Ok(code),
                        Err(e @ paste::PasteError::Denied { .. }) => {
                            return Err(Error::other(
                                format!("authorization failed: {e}"),
                                None,
                                Some("run `{bin} auth login` again and approve the request in the browser".into()),
                            ));
                        }
                        Err(e) => self.ui.notice(&format!(
                            "That did not work ({e}). Paste the code or the whole callback address again:"
                        )),
                    },
                    // End of input: the browser may still reach the listener.
                    None if listening => lines = None,
                    None => {
                        return Err(Error::usage(
                            "no authorization code was pasted (end of input)",
                            Some("run `{bin} auth login --no-browser` in a terminal and paste the code when asked".into()),
                        ));
                    }
                },
                _ = &mut timeout => return Err(callback_error(CallbackError::Timeout)),
            }
        }
    }
}

/// Lines from `read`, on a thread of its own; `None` marks the end of input.
fn read_lines(
    mut read: Box<dyn FnMut() -> Option<String> + Send>,
) -> mpsc::UnboundedReceiver<Option<String>> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        loop {
            let line = read();
            let eof = line.is_none();
            if tx.send(line).is_err() || eof {
                break;
            }
        }
    });
    rx
}

/// The next pasted line; pending forever when nothing is read.
async fn next_line(lines: &mut Option<mpsc::UnboundedReceiver<Option<String>>>) -> Option<String> {
    match lines {
        Some(rx) => rx.recv().await.flatten(),
        None => std::future::pending().await,
    }
}
