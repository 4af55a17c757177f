//! `auth logout`: remove the stored login (and with `--revoke`, revoke its
//! tokens at the server first).

use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::http::Http;
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
/// local logout still happens.
pub fn logout(session: &Session, api_url: &ApiUrl, revoke: bool) -> Result<LogoutOutcome> {
    let stores = session.stores()?;
    let mut out = LogoutOutcome::default();
    if revoke && let Some(s) = stores.get(api_url.as_str())? {
        let http = Http::new(crate::http::TIMEOUT);
        let ep = crate::oauth::endpoints::resolve(session, Some(&http), api_url);
        match ep.revocation_url.as_deref() {
                None => out.warnings.push(format!(
                    "{api_url} advertises no revocation endpoint: the tokens stay valid at the server until they expire"
                )),
                Some(url) => {
                    let c = &s.record;
                    let client = c.client_id.as_deref();
                    let mut tokens = Vec::new();
                    if let Some(rt) = &c.refresh_token {
                        tokens.push((rt, "refresh_token"));
                    }
                    tokens.push((&c.access_token, "access_token"));
                    for (tok, hint) in tokens {
                        match crate::oauth::token::revoke(&http, url, client, tok, hint) {
                            Ok(()) => out.revoked.push(hint),
                            Err(e) => out.warnings.push(format!("could not revoke the {} ({e})", hint.replace('_', " "))),
                        }
                    }
                }
            }
    }
    out.removed = stores.delete(api_url.as_str())?;
    out.warnings.extend(stores.take_warnings());
    Ok(out)
}
