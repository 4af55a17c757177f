//! Paste-back: print the URL, read the code (or the redirect URL) the
//! person pastes, while the listener still races for the redirect.

use super::{Flow, Mode, environment_advice, secrets};
use crate::error::Result;
use crate::oauth::callback;
use crate::oauth::endpoints::OOB;
use crate::oauth::token::TokenResponse;

impl Flow<'_> {
    pub(super) async fn paste(&self) -> Result<TokenResponse> {
        let (pkce, state) = secrets()?;
        let first_port = self
            .ports
            .first()
            .copied()
            .unwrap_or(super::DEFAULT_PORTS[0]);
        let (redirect_uri, listener) = if self.ep.oob_supported {
            (OOB.to_string(), None)
        } else {
            let l = callback::bind(&[first_port]).ok();
            (format!("http://127.0.0.1:{first_port}/callback"), l)
        };
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, first_port, Mode::NoBrowser);
        self.ui.authorize_url(&url, None);
        self.ui.notice(super::PASTE_PROMPT);
        let code = self.wait_for_code(listener, &state, true).await?;
        self.exchange(&code, &redirect_uri, &pkce).await
    }
}
