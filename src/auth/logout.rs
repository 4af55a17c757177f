//! `auth logout`: remove the stored login of one account (the active one,
//! or the one `-u` names), or of every account (`--all`), and with
//! `--revoke`, revoke its tokens at the server first. When the active
//! account goes, the newest remaining one becomes active.

use super::env::{Action, refuse_if_env_token};
use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::record::Record;
use crate::session::Session;
use crate::store::{Removed, Stored};

/// What `logout` did.
#[derive(Debug, Default)]
pub struct LogoutOutcome {
    /// Where records were removed from.
    pub removed: Removed,
    /// The accounts logged out of (display form).
    pub accounts: Vec<String>,
    /// The account that is active now, when one is left (display form).
    pub now_active: Option<String>,
    /// With `revoke`: tokens revoked at the server (`refresh_token`, `access_token`).
    pub revoked: Vec<&'static str>,
    /// Notices.
    pub warnings: Vec<String>,
}

/// Remove the login of the account the session picks for `api_url` (see
/// [`super::account`]), or with `all` every account's, from every store.
/// Config stays. With `revoke`, first revoke the tokens at the server's
/// RFC 7009 endpoint when one is known; a failed revocation is reported,
/// and the local logout still happens. Only a revoking logout goes to the
/// network. Refused where an environment token applies to `api_url` (see
/// [`super::env`]). Nothing stored is not an error: `removed` is empty.
pub fn logout(
    session: &Session,
    api_url: &ApiUrl,
    revoke: bool,
    all: bool,
) -> Result<LogoutOutcome> {
    refuse_if_env_token(session, api_url, Action::Logout)?;
    let stores = session.stores()?;
    let mut out = LogoutOutcome::default();
    let targets: Vec<Stored> = if all {
        stores.accounts(api_url.as_str())?
    } else {
        match super::stored(session, api_url) {
            Ok(s) => vec![s],
            Err(crate::Error::NotLoggedIn { .. }) => Vec::new(),
            // A keychain that cannot be reached holds the login: say that
            // it stays, never "nothing to remove".
            Err(crate::Error::Store(crate::store::StoreError::Unavailable { cause, detail })) => {
                return Err(crate::store::StoreError::Unavailable {
                    cause: format!("{cause} and was not removed"),
                    detail,
                }
                .into());
            }
            Err(e) => return Err(e),
        }
    };
    let active = stores.active(api_url.as_str());
    for s in &targets {
        if revoke {
            let (revoked, warnings) =
                crate::rt::block_on(revoke_tokens(session, api_url, &s.record))?;
            for r in revoked {
                if !out.revoked.contains(&r) {
                    out.revoked.push(r);
                }
            }
            out.warnings.extend(warnings);
        }
        let removed = stores.delete(&s.key)?;
        if !removed.from.is_empty() {
            out.accounts.push(s.record.user.display());
        }
        for l in removed.from {
            if !out.removed.from.contains(&l) {
                out.removed.from.push(l);
            }
        }
        out.removed.unreachable.extend(removed.unreachable);
    }
    let gone_active = active.is_none() || targets.iter().any(|s| Some(&s.key) == active.as_ref());
    if !targets.is_empty() && gone_active {
        let left = stores.accounts(api_url.as_str()).unwrap_or_default();
        let next = left.into_iter().max_by_key(|s| s.record.created_at);
        stores.set_active(api_url.as_str(), next.as_ref().map(|s| s.key.as_str()));
        out.now_active = next.map(|s| s.record.user.display());
    }
    // Temp files a writer killed mid-write left behind may hold a token.
    crate::fsutil::remove_stale_temps(&session.paths.dir);
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
