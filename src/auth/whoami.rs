//! `whoami`: who the login for an environment belongs to.

use super::status::{Status, status_of};
use super::stored;
use crate::error::Result;
use crate::session::Session;

/// `whoami`: the status of the resolved environment's login.
#[derive(Debug, Clone)]
pub struct WhoAmI {
    /// Its status.
    pub status: Status,
    /// True when the token expires within 30 seconds.
    pub expiring_soon: bool,
    /// True when `{ENV}_TOKEN` is set and used instead.
    pub env_token_set: bool,
    /// Store notices.
    pub warnings: Vec<String>,
}

/// The login `whoami` describes.
pub fn whoami(
    session: &Session,
    api_url_flag: Option<&str>,
    tenant_flag: Option<&str>,
) -> Result<WhoAmI> {
    let (api_url, _) = session.api_url(api_url_flag)?;
    let s = stored(session, &api_url)?;
    let warnings = session.stores()?.take_warnings();
    let status = status_of(session, &s, tenant_flag, false)?;
    Ok(WhoAmI {
        status,
        expiring_soon: s.record.expires_within(30),
        env_token_set: session.env_token(&api_url)?.is_some(),
        warnings,
    })
}

