//! The browser flow: open the authorization URL, catch the redirect on
//! the loopback listener.

use super::{Flow, Mode, callback_error, environment_advice, expect, secrets};
use crate::error::Result;
use crate::oauth::callback;
use crate::oauth::token::TokenResponse;
use std::sync::atomic::AtomicBool;

impl Flow<'_> {
    pub(super) fn browser(&self) -> Result<TokenResponse> {
        let listener = callback::bind(&self.ports).map_err(callback_error)?;
        let redirect_uri = listener.redirect_uri();
        let (pkce, state) = secrets()?;
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, listener.port(), Mode::Browser);
        let opened = crate::oauth::browser::open(&url);
        self.ui.authorize_url(&url, Some(opened));
        let cancel = AtomicBool::new(false);
        let cb = {
            let _spin = self
                .ui
                .waiting("Waiting for the browser to finish the login…");
            listener.wait_blocking(&expect(&self.ep, &state), self.deadline, &cancel)
        }
        .map_err(callback_error)?;
        self.exchange(&cb.code, &redirect_uri, &pkce)
    }
}
