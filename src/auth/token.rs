//! `auth token`: a live access token. The binary's `auth token` and the
//! library's [`TokenSource::token`](crate::TokenSource::token) are this one
//! code path.
//!
//! `{ENV}_TOKEN` wins without touching any store. Otherwise the stored
//! token; one that is about to expire is refreshed first (exactly once
//! across processes, see [`super::refresh`]). No HTTP client, no runtime, no
//! network and no lock when the stored token is valid.

use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::secret::Secret;
use crate::session::Session;

/// A live access token for `api_url`.
pub fn access_token(session: &Session, api_url: &ApiUrl) -> Result<Secret> {
    if let Some(t) = session.env_token() {
        return Ok(t);
    }
    super::refresh::live_token(session, api_url)
}
