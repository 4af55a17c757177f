//! `auth logout`: remove the stored login (and with `--revoke`, revoke its
//! tokens at the server first).

use super::env::{Action, refuse_if_env_token};
use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::record::Record;
use crate::session::Session;
use crate::store::Removed;

/// What `logout` did.
#[derive(Debug, Default)]
pub struct LogoutOutcome {
    /// Where records were removed from.
    pub removed: Removed,
    /// With `revoke`: tokens revoked at the server (`refresh_token`, `access_token`).
    pub revoked: Vec<&'static str>,
    /// Notices.
    pub warnings: Vec<String>,
}

/// Remove the credential for `api_url` from every store. Config stays.
/// With `revoke`, first revoke its tokens at the server's RFC 7009
/// endpoint when one is known; a failed revocation is reported, and the
/// local logout still happens. Only a revoking logout goes to the network.
/// Refused where an environment token applies to `api_url` (see
/// [`super::env`]).
pub fn logout(session: &Session, api_url: &ApiUrl, revoke: bool) -> Result<LogoutOutcome> {
    refuse_if_env_token(session, api_url, Action::Logout)?;
    let stores = session.stores()?;
    let mut out = LogoutOutcome::default();
    if revoke && let Some(s) = stores.get(api_url.as_str())? {
        let (revoked, warnings) = crate::rt::block_on(revoke_tokens(session, api_url, &s.record))?;
        out.revoked = revoked;
        out.warnings = warnings;
    }
    out.removed = stores.delete(api_url.as_str())?;
    out.warnings.extend(stores.take_warnings());
    Ok(out)
}

/// Revoke the tokens of `record` at the server: which ones were revoked,
/// and what went wrong. Failures are notices, not errors.
async fn revoke_tokens(
    session: &Session,
    api_url: &ApiUrl,
    record: &Record,
) -> Result<(Vec<&'static str>, Vec<String>)> {
    let mut revoked = Vec::new();
    let mut warnings = Vec::new();
    let http = session.http_client(api_url)?;
    let ep = match crate::oauth::endpoints::resolve_online(session, &http, api_url).await {
        Ok(ep) => ep,
        Err(e) => {
            warnings.push(format!(
                "could not revoke the tokens: {e} ({}); the local logout still happens",
                e.cause
            ));
            return Ok((revoked, warnings));
        }
    };
    let Some(url) = ep.revocation_url.as_deref() else {
        warnings.push(format!(
            "{api_url} advertises no revocation endpoint: the tokens stay valid at the server until they expire"
        ));
        return Ok((revoked, warnings));
    };
    let client = record.client_id.as_deref();
    let mut tokens = Vec::new();
    if let Some(rt) = &record.refresh_token {
        tokens.push((rt, "refresh_token"));
    }
    tokens.push((&record.access_token, "access_token"));
    for (tok, hint) in tokens {
        match crate::oauth::token::revoke(&http, url, client, tok, hint).await {
            Ok(()) => revoked.push(hint),
            Err(e) => warnings.push(format!(
                "could not revoke the {} ({e})",
                hint.replace('_', " ")
            )),
        }
    }
    Ok((revoked, warnings))
}
