//! The browser flow: open the authorization URL, catch the redirect on
//! the loopback listener. When no browser can be opened, the person can
//! paste the code instead while the listener keeps waiting.

use super::{Flow, Mode, callback_error, environment_advice, secrets};
use crate::error::Result;
use crate::oauth::callback;
use crate::oauth::token::TokenResponse;

impl Flow<'_> {
    pub(super) async fn browser(&self) -> Result<TokenResponse> {
        let listener = callback::bind(&self.ports).map_err(callback_error)?;
        let redirect_uri = listener.redirect_uri();
        let (pkce, state) = secrets()?;
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, listener.port(), Mode::Browser);
        let platform = self.platform;
        let opened = crate::oauth::browser::open_hiding(
            &url,
            |name| {
                if name == "BROWSER" {
                    self.browser.clone()
                } else {
                    std::env::var(name).ok()
                }
            },
            &|name| platform.is_secret_env_var(name),
        );
        let paste = opened.is_err();
        self.ui.authorize_url(&url, Some(opened));
        let code = if paste {
            self.ui.notice(super::PASTE_PROMPT);
            self.wait_for_code(Some(listener), &state, true).await?
        } else {
            let _spin = self
                .ui
                .waiting("Waiting for the browser to finish the login…");
            self.wait_for_code(Some(listener), &state, false).await?
        };
        self.exchange(&code, &redirect_uri, &pkce).await
    }
}
