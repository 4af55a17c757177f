//! Token lifecycle: refresh on use, exactly once across processes.
//!
//! The fast path (token valid for longer than [`Record::refresh_margin`],
//! see [`super::token`]) takes no lock, builds no HTTP client and touches no
//! network. Otherwise:
//! take the exclusive lock for the login (API URL and account), re-read the
//! stored credential
//! (another process may have refreshed it), and only if it is still
//! expiring call the token endpoint, store the result, release.

use super::stored;
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::lock::FileLock;
use crate::oauth::{endpoints, token};
use crate::record::{Expiry, Record, RefreshFailure};
use crate::secret::Secret;
use crate::session::Session;
use crate::store::Stored;
use crate::time::{human_duration, now};
use std::time::Duration;

/// How long to wait for another process's refresh (`{ENV}_LOCK_TIMEOUT`
/// changes it).
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The lock file for refreshes of the login stored under `key` (one per
/// API URL and account). The name is a hash of the key: any API URL and
/// account give a short, safe file name.
pub fn lock_path(session: &Session, key: &str) -> std::path::PathBuf {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(key.as_bytes());
    let hex: String = hash.iter().take(12).map(|b| format!("{b:02x}")).collect();
    session.paths.lock_file(&format!("refresh-{hex}"))
}

/// The record's access token when it can be used as is; `None` when it is
/// expiring and can be refreshed; [`Error::Expired`] when it has expired
/// and cannot be.
pub fn usable(record: &Record, api_url: &ApiUrl) -> Result<Option<Secret>> {
    usable_for(record, api_url, 0)
}

/// Like [`usable`], for a caller that needs the token to live at least
/// `min_valid` seconds more: it counts as expiring within the larger of
/// [`Record::refresh_margin`] and `min_valid`, and one that cannot be
/// refreshed and expires within `min_valid` is [`Error::ExpiresTooSoon`]
/// (exit 4) rather than handed out to die.
pub fn usable_for(record: &Record, api_url: &ApiUrl, min_valid: i64) -> Result<Option<Secret>> {
    if !record.expires_within(record.refresh_margin().max(min_valid)) {
        return Ok(Some(record.access_token.clone()));
    }
    if record.renewable() {
        return Ok(None);
    }
    match record.expiry() {
        Expiry::Ago(ago) => Err(Error::Expired {
            api_url: api_url.to_string(),
            ago: human_duration(ago),
        }),
        Expiry::In(left) if left <= min_valid => Err(too_soon(api_url, left, min_valid, false)),
        _ => Ok(Some(record.access_token.clone())),
    }
}

/// [`Error::ExpiresTooSoon`]: the token lives `left` seconds more, and
/// `min_valid` were asked for.
pub fn too_soon(api_url: &ApiUrl, left: i64, min_valid: i64, refreshed: bool) -> Error {
    Error::ExpiresTooSoon {
        api_url: api_url.to_string(),
        left: human_duration(left),
        wanted: crate::time::exact_duration(min_valid),
        refreshed,
    }
}

/// Why a refresh is wanted; decides what counts as "someone else already
/// refreshed" once the lock is held.
#[derive(Debug)]
pub enum Trigger {
    /// The token we saw is expiring: within its refresh margin, or within
    /// `min_valid` seconds (`auth token --min-valid`; 0 for none).
    Expiring {
        /// The token read before the lock was taken.
        seen: Secret,
        /// How long the caller needs the token to live, in seconds.
        min_valid: i64,
    },
    /// The server refused this token.
    Rejected(Secret),
    /// `auth refresh`: refresh whatever the expiry.
    Force,
}

/// The server refused `rejected`, a token we believed valid: refresh under
/// the lock, unless the store already holds a different token by then.
pub async fn refresh_rejected(
    session: &Session,
    api_url: &ApiUrl,
    rejected: &Secret,
) -> Result<Stored> {
    refresh(session, api_url, Trigger::Rejected(rejected.clone()), None).await
}

/// `auth refresh`: refresh now, whatever the expiry. Refused where an
/// environment token applies to `api_url` (see [`super::env`]).
pub async fn refresh_now(session: &Session, api_url: &ApiUrl) -> Result<Stored> {
    super::env::refuse_if_env_token(session, api_url, super::env::Action::Refresh)?;
    refresh(session, api_url, Trigger::Force, None).await
}

/// Run `f` (store, keychain, lock: work that blocks) on a blocking thread,
/// so the caller's executor never waits on it.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        Error::other(
            "a background task of keyward failed",
            Some(e.to_string()),
            None,
        )
    })?
}

/// Mark `stored` as refused by the server (`auth status` reports it), its
/// tokens untouched, where it lives, on a blocking thread. Best effort: the
/// caller reports the refusal whether or not the mark could be written.
async fn mark_refused(session: &Session, stored: Stored, error: String) {
    let session = session.clone();
    let _ = blocking(move || {
        let mut record = stored.record;
        record.refresh_failed = Some(RefreshFailure { at: now(), error });
        session.stores()?.set_at(&record, &stored.location)?;
        Ok(())
    })
    .await;
}

/// The stored record for `api_url` (the account the session picks), read
/// on a blocking thread.
pub async fn read(session: &Session, api_url: &ApiUrl) -> Result<Stored> {
    let (session, api_url) = (session.clone(), api_url.clone());
    blocking(move || stored(&session, &api_url)).await
}

/// The record stored under `key`, read again on a blocking thread.
async fn reread(session: &Session, api_url: &ApiUrl, key: &str) -> Result<Stored> {
    let (session, api_url, key) = (session.clone(), api_url.clone(), key.to_string());
    blocking(move || {
        let chain = session.stores()?;
        chain.get(&key)?.ok_or_else(|| Error::NotLoggedIn {
            api_url: api_url.to_string(),
            unsearched: chain.unsearched(),
        })
    })
    .await
}

/// Refresh under the cross-process lock: take it, re-read the store
/// (another process may have refreshed already), and only if `trigger` still
/// calls for it, ask the token endpoint and store the result where the
/// record lives. The lock, the store and the keychain run on blocking
/// threads. `http` is the client to use (an embedder's), else one is built
/// for the API URL.
pub async fn refresh(
    session: &Session,
    api_url: &ApiUrl,
    trigger: Trigger,
    http: Option<&Client>,
) -> Result<Stored> {
    // The account is settled first; the lock and the re-reads are its own.
    let key = read(session, api_url).await?.key;
    let path = lock_path(session, &key);
    let _lock = blocking(move || {
        FileLock::acquire(&path, crate::lock::timeout(LOCK_TIMEOUT)).map_err(|e| {
            let hint = e.hint();
            Error::other("could not take the refresh lock", Some(e.to_string()), hint)
        })
    })
    .await?;
    // Re-read under the lock: another process may have refreshed already.
    let s = reread(session, api_url, &key).await?;
    let current = s.record.access_token.expose();
    let already_fresh = match &trigger {
        // A different token means another process refreshed while we waited
        // (even one whose lifetime is shorter than the margin).
        Trigger::Expiring { seen, min_valid } => {
            current != seen.expose()
                || !s
                    .record
                    .expires_within(s.record.refresh_margin().max(*min_valid))
        }
        Trigger::Rejected(bad) => current != bad.expose(),
        Trigger::Force => false,
    };
    if already_fresh {
        return Ok(s);
    }
    let rt = s.record.refresh_token.clone();
    if rt.is_none() && !s.record.reobtainable() {
        return Err(Error::Auth {
            message: format!(
                "this credential has no refresh token ({} login)",
                s.record.kind.as_str()
            ),
            hint: Some("run `{bin} auth login` to get a new token".into()),
        });
    }
    let own;
    let http = match http {
        Some(h) => h,
        None => {
            own = session.http_client(api_url)?;
            &own
        }
    };
    let ep = endpoints::resolve_online(session, http, api_url).await?;
    // Federated and client-credentials logins are obtained again instead.
    let Some(rt) = rt.filter(|_| !s.record.reobtainable()) else {
        return match crate::federation::reobtain(session, http, api_url, &ep, &s.record).await {
            Ok(t) => store_renewed(session, &s, t).await,
            // Refused, or the ID token's source is gone: `auth status`
            // shows it until a new token is obtained. A network error is
            // not marked: it may pass.
            Err(e @ Error::Auth { .. }) => {
                mark_refused(session, s, e.to_string()).await;
                Err(e)
            }
            Err(e) => Err(e),
        };
    };
    let client_id = s
        .record
        .client_id
        .clone()
        .or_else(|| session.client_id(api_url, None).ok());
    match token::refresh(http, &ep.token_url, client_id.as_deref(), &rt).await? {
        Ok(t) => store_renewed(session, &s, t).await,
        Err(e) => {
            // Another process or machine may have stored newer tokens meanwhile.
            if let Ok(now_stored) = reread(session, api_url, &key).await {
                let changed = now_stored.record.refresh_token.as_ref().map(Secret::expose)
                    != Some(rt.expose());
                if changed
                    && !now_stored
                        .record
                        .expires_within(now_stored.record.refresh_margin())
                {
                    return Ok(now_stored);
                }
                if !changed && e.error == "invalid_grant" {
                    mark_refused(session, now_stored, e.to_string()).await;
                }
            }
            if e.error == "invalid_grant" || e.status == 400 || e.status == 401 {
                Err(Error::RefreshRefused {
                    detail: e.to_string(),
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

/// Store the new tokens `t` into the record `s` where it lives (the lock
/// held), clearing a refused refresh, on a blocking thread.
async fn store_renewed(session: &Session, s: &Stored, t: token::TokenResponse) -> Result<Stored> {
    let mut record: Record = s.record.clone();
    token::apply(&mut record, t);
    record.refresh_failed = None;
    let location = s.location.clone();
    let session = session.clone();
    blocking(move || {
        let location = session.stores()?.set_at(&record, &location)?;
        Ok(Stored {
            key: record.key(),
            record,
            location,
        })
    })
    .await
}
