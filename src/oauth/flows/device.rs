//! The device flow (RFC 8628): show a code, poll until it is approved.

use super::Flow;
use crate::error::{Error, Result};
use crate::oauth::device;
use crate::oauth::token::TokenResponse;

impl Flow<'_> {
    pub(super) async fn device(&self) -> Result<TokenResponse> {
        let url = self.ep.device_authorization_url.as_deref().ok_or_else(|| {
            Error::usage(
                "this server does not advertise a device authorization endpoint",
                Some("log in with the browser (`{bin} auth login`) or `--no-browser`, or set `device_authorization_url` for this host".into()),
            )
        })?;
        let code = device::start(&self.http, url, &self.client_id, &self.scopes.join(" ")).await?;
        self.ui.device_code(&code);
        let _spin = self
            .ui
            .waiting("Waiting for you to approve the login in the browser…");
        device::poll(
            &self.http,
            &self.ep.token_url,
            &self.client_id,
            &code,
            self.deadline,
        )
        .await
    }
}
