//! Token lifecycle: refresh on use, exactly once across processes.
//!
//! The fast path (token valid for longer than [`Record::refresh_margin`])
//! takes no lock, builds no HTTP client and touches no network. Otherwise:
//! take the exclusive lock for the API URL, re-read the stored credential
//! (another process may have refreshed it), and only if it is still
//! expiring call the token endpoint, store the result, release.

use super::stored;
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::lock::FileLock;
use crate::oauth::{endpoints, token};
use crate::record::{Expiry, Record};
use crate::secret::Secret;
use crate::session::Session;
use crate::store::Stored;
use crate::time::human_duration;
use std::time::Duration;

/// How long to wait for another process's refresh.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The lock file for refreshes of `api_url`.
pub fn lock_path(session: &Session, api_url: &ApiUrl) -> std::path::PathBuf {
    let name: String = api_url
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    session.paths.lock_file(&format!("refresh-{name}"))
}

/// A live access token for `api_url`: the stored one when valid, else
/// refreshed under the cross-process lock.
pub fn live_token(session: &Session, api_url: &ApiUrl) -> Result<Secret> {
    let s = stored(session, api_url)?;
    if !s.record.expires_within(s.record.refresh_margin()) {
        return Ok(s.record.access_token);
    }
    if s.record.refresh_token.is_none() {
        return match s.record.expiry() {
            Expiry::Ago(ago) => Err(Error::Expired {
                api_url: api_url.to_string(),
                ago: human_duration(ago),
            }),
            _ => Ok(s.record.access_token),
        };
    }
    let seen = s.record.access_token;
    crate::rt::block_on(refresh_inner(session, api_url, Trigger::Expiring(&seen)))
        .map(|s| s.record.access_token)
}

/// Why a refresh is wanted; decides what counts as "someone else already
/// refreshed" once the lock is held.
enum Trigger<'a> {
    /// The token we saw is expiring.
    Expiring(&'a Secret),
    /// The server refused this token.
    Rejected(&'a Secret),
    /// `auth refresh`.
    Force,
}

/// The server refused `rejected`, a token we believed valid: refresh under
/// the lock, unless the store already holds a different token by then.
pub async fn refresh_rejected(
    session: &Session,
    api_url: &ApiUrl,
    rejected: &Secret,
) -> Result<Stored> {
    refresh_inner(session, api_url, Trigger::Rejected(rejected)).await
}

/// `auth refresh`: refresh now, whatever the expiry.
pub async fn refresh_now(session: &Session, api_url: &ApiUrl) -> Result<Stored> {
    refresh_inner(session, api_url, Trigger::Force).await
}

async fn refresh_inner(
    session: &Session,
    api_url: &ApiUrl,
    trigger: Trigger<'_>,
) -> Result<Stored> {
    let path = lock_path(session, api_url);
    let _lock = FileLock::acquire(&path, LOCK_TIMEOUT).map_err(|e| {
        Error::other(
            "could not take the refresh lock",
            Some(e.to_string()),
            Some(format!(
                "if no other {} process is running, delete {}",
                session.platform.name,
                path.display()
            )),
        )
    })?;
    // Re-read under the lock: another process may have refreshed already.
    let s = stored(session, api_url)?;
    let current = s.record.access_token.expose();
    let already_fresh = match trigger {
        // A different token means another process refreshed while we waited
        // (even one whose lifetime is shorter than the margin).
        Trigger::Expiring(seen) => {
            current != seen.expose() || !s.record.expires_within(s.record.refresh_margin())
        }
        Trigger::Rejected(bad) => current != bad.expose(),
        Trigger::Force => false,
    };
    if already_fresh {
        return Ok(s);
    }
    let Some(rt) = s.record.refresh_token.clone() else {
        return Err(Error::Auth {
            message: format!(
                "this credential has no refresh token ({} login)",
                s.record.kind.as_str()
            ),
            hint: Some("run `{bin} auth login` to get a new token".into()),
        });
    };
    let http = session.http_client(api_url)?;
    let ep = endpoints::resolve_online(session, &http, api_url).await?;
    let client_id = s
        .record
        .client_id
        .clone()
        .or_else(|| session.client_id(api_url, None).ok());
    match token::refresh(&http, &ep.token_url, client_id.as_deref(), &rt).await? {
        Ok(t) => {
            let mut record: Record = s.record.clone();
            token::apply(&mut record, t);
            let location = session.stores()?.set_at(&record, &s.location)?;
            Ok(Stored { record, location })
        }
        Err(e) => {
            // Another process or machine may have stored newer tokens meanwhile.
            if let Ok(Some(now_stored)) = session.stores()?.get(api_url.as_str()) {
                let changed = now_stored.record.refresh_token.as_ref().map(Secret::expose)
                    != Some(rt.expose());
                if changed
                    && !now_stored
                        .record
                        .expires_within(now_stored.record.refresh_margin())
                {
                    return Ok(now_stored);
                }
            }
            if e.error == "invalid_grant" || e.status == 400 || e.status == 401 {
                Err(Error::Auth {
                    message: format!("the server refused to refresh the token ({e})"),
                    hint: Some("your refresh token has expired or been revoked. Run `{bin} auth login` again.".into()),
                })
            } else {
                Err(Error::Http {
                    url: ep.token_url.clone(),
                    status: e.status,
                    detail: Some(e.to_string()),
                })
            }
        }
    }
}
