//! Paste-back: print the URL, read the code (or the redirect URL) the
//! person pastes, while the listener still races for the redirect.

use super::{Flow, Mode, callback_error, environment_advice, expect, secrets};
use crate::error::{Error, Result};
use crate::oauth::callback::{self, CallbackError};
use crate::oauth::endpoints::OOB;
use crate::oauth::paste;
use crate::oauth::token::TokenResponse;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

impl Flow<'_> {
    pub(super) fn paste(&self) -> Result<TokenResponse> {
        let deadline = self.deadline;
        let (pkce, state) = secrets()?;
        let first_port = self.ports[0];
        let (redirect_uri, listener) = if self.ep.oob_supported {
            (OOB.to_string(), None)
        } else {
            let l = callback::bind(&[first_port]).ok();
            (format!("http://127.0.0.1:{first_port}/callback"), l)
        };
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, first_port, Mode::NoBrowser);
        self.ui.authorize_url(&url, None);
        self.ui.notice("Then paste the code, or the whole address your browser was sent to (http://127.0.0.1:…/callback?code=…):");

        enum Event {
            Line(Option<String>),
            Callback(Result<String>),
        }
        let (tx, rx) = mpsc::channel::<Event>();
        let cancel = Arc::new(AtomicBool::new(false));
        let mut listening = false;
        if let Some(l) = listener {
            listening = true;
            let (tx, cancel, exp) = (tx.clone(), cancel.clone(), expect(&self.ep, &state));
            std::thread::spawn(move || {
                let r = l.wait_blocking(&exp, deadline, &cancel);
                if !matches!(r, Err(CallbackError::Cancelled)) {
                    let _ = tx.send(Event::Callback(r.map(|c| c.code).map_err(callback_error)));
                }
            });
        }
        // The terminal is read on a detached thread, so the listener can win the
        // race while a read is blocked.
        let mut read = self.ui.line_reader();
        std::thread::spawn(move || {
            loop {
                let line = read();
                let eof = line.is_none();
                if tx.send(Event::Line(line)).is_err() || eof {
                    break;
                }
            }
        });
        let code = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let event = match rx.recv_timeout(remaining) {
                Ok(e) => e,
                Err(_) => {
                    cancel.store(true, Ordering::SeqCst);
                    return Err(callback_error(CallbackError::Timeout));
                }
            };
            match event {
            Event::Callback(r) => break r?,
            Event::Line(Some(line)) if line.trim().is_empty() => {}
            Event::Line(Some(line)) => match paste::parse_pasted_with_issuer(
                &line,
                &state,
                expect(&self.ep, &state).issuer.as_deref(),
            ) {
                Ok(code) => {
                    cancel.store(true, Ordering::SeqCst);
                    break code;
                }
                Err(e @ paste::PasteError::Denied { .. }) => {
                    cancel.store(true, Ordering::SeqCst);
                    return Err(Error::other(
                        format!("authorization failed: {e}"),
                        None,
                        Some("run `{bin} auth login` again and approve the request".into()),
                    ));
                }
                Err(e) => self.ui.notice(&format!(
                    "That did not work ({e}). Paste the code or the whole callback address again:"
                )),
            },
            Event::Line(None) if listening => {}
            Event::Line(None) => {
                return Err(Error::usage(
                    "no authorization code was pasted (end of input)",
                    Some("run `{bin} auth login --no-browser` in a terminal and paste the code when asked".into()),
                ));
            }
        }
        };
        self.exchange(&code, &redirect_uri, &pkce)
    }
}
