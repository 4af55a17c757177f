//! `whoami`: who the login for an environment belongs to. Offline for a
//! stored login; with an environment token for the API URL, the profile is
//! asked (the token is all there is to go on).

use super::stored;
use crate::error::{Error, Result};
use crate::record::{Expiry, User};
use crate::session::{EnvToken, Session, Source};

/// Who a login belongs to.
#[derive(Debug, Clone)]
pub struct WhoAmI {
    /// The environment.
    pub api_url: String,
    /// The user.
    pub user: User,
    /// The tenant in effect, and where it came from.
    pub tenant: Option<(String, Source)>,
    /// True when the stored token has expired.
    pub expired: bool,
    /// "expires in 42m", "expired 3m ago", "no expiry"; `None` for an
    /// environment token (its expiry is not known).
    pub expiry: Option<String>,
    /// True when the token expires within 30 seconds.
    pub expiring_soon: bool,
    /// The environment variable the token comes from, when it does.
    pub env_token: Option<String>,
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
    if let Some(e) = session.env_token(&api_url)? {
        return from_env_token(session, &api_url, tenant_flag, e);
    }
    let s = stored(session, &api_url)?;
    let warnings = session.stores()?.take_warnings();
    let r = &s.record;
    let expiry = r.expiry();
    Ok(WhoAmI {
        api_url: r.api_url.clone(),
        user: r.user.clone(),
        tenant: session.tenant(tenant_flag, r.tenant.as_deref())?,
        expired: matches!(expiry, Expiry::Ago(_)),
        expiry: Some(expiry.describe()),
        expiring_soon: r.expires_within(30),
        env_token: None,
        warnings,
    })
}

/// Ask the profile endpoint who `e`'s token belongs to.
fn from_env_token(
    session: &Session,
    api_url: &crate::ApiUrl,
    tenant_flag: Option<&str>,
    e: EnvToken,
) -> Result<WhoAmI> {
    let tenant = session.tenant(tenant_flag, None)?;
    let t = tenant.as_ref().map(|(t, _)| t.as_str());
    let profile = crate::rt::block_on(async {
        let http = session.http_client(api_url)?;
        let ep = crate::oauth::endpoints::resolve_online(session, &http, api_url).await?;
        crate::profile::fetch(&http, api_url, &ep.profile_url, &e.token, t).await
    })
    .map_err(|err| match err {
        Error::TokenRejected { status, .. } => Error::Auth {
            message: format!("{} was refused by {api_url} (HTTP {status})", e.variable),
            hint: Some(format!(
                "set {} to a current token for this API, or unset it to use a stored login",
                e.variable
            )),
        },
        Error::Network { url, cause, .. } => Error::other(
            format!(
                "the token comes from {}, and only {api_url} can say whose it is; it could not be asked",
                e.variable
            ),
            Some(format!("could not reach {url}: {cause}")),
            Some(format!(
                "check that {api_url} is reachable, or unset {} to see the stored login",
                e.variable
            )),
        ),
        other => other,
    })?;
    let tenant = tenant.or_else(|| {
        profile
            .tenant
            .clone()
            .or_else(|| match profile.tenants.as_slice() {
                [only] => Some(only.slug.clone()),
                _ => None,
            })
            .map(|t| (t, Source::Login))
    });
    Ok(WhoAmI {
        api_url: api_url.to_string(),
        user: profile.user,
        tenant,
        expired: false,
        expiry: None,
        expiring_soon: false,
        env_token: Some(e.variable),
        warnings: Vec::new(),
    })
}
