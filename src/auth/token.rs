//! `auth token`: a live access token. The binary's `auth token` and the
//! library's [`TokenSource`](crate::TokenSource) are this one code path.
//!
//! An environment token for the API URL (`{ENV}_TOKEN_<host>`, or
//! `{ENV}_TOKEN` where it applies: see [`Session::env_token`]) wins without
//! touching any store, exactly as it is. Otherwise the token the
//! [`Cache`] remembers, else the stored one; one that is about to expire is
//! refreshed first (exactly once across processes, see [`super::refresh`]).
//! No HTTP client, no runtime, no network and no lock when the token is
//! valid.

use super::refresh::{self, Trigger};
use super::stored;
use crate::api_url::ApiUrl;
use crate::error::Result;
use crate::http::Client;
use crate::record::Record;
use crate::secret::Secret;
use crate::session::Session;
use crate::time::now;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What a token source remembers between calls: the token, when it expires,
/// and the login's tenant. A refresh by another process is still seen: the
/// store is read again when the token nears its expiry, and after a 401.
#[derive(Debug, Default)]
pub struct Cache {
    known: Mutex<Option<Known>>,
    /// One refresh at a time among this process's async callers.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Debug, Clone)]
struct Known {
    token: Secret,
    expires_at: Option<i64>,
    margin: i64,
    tenant: Option<String>,
}

impl Cache {
    fn known(&self) -> MutexGuard<'_, Option<Known>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The remembered token, when it does not expire within its margin.
    fn fresh(&self) -> Option<Secret> {
        let k = self.known();
        let k = k.as_ref()?;
        match k.expires_at {
            Some(e) if e - now() <= k.margin => None,
            _ => Some(k.token.clone()),
        }
    }

    fn remember(&self, record: &Record) {
        *self.known() = Some(Known {
            token: record.access_token.clone(),
            expires_at: record.expires_at,
            margin: record.refresh_margin(),
            tenant: record.tenant.clone(),
        });
    }

    fn forget(&self) {
        *self.known() = None;
    }

    /// The login's tenant, when a record was read: `Some(tenant)`.
    pub fn tenant(&self) -> Option<Option<String>> {
        self.known().as_ref().map(|k| k.tenant.clone())
    }

    /// Remember what `record` holds (after a read made elsewhere).
    pub fn learn(&self, record: &Record) {
        self.remember(record);
    }
}

/// A live access token for `api_url`. Blocks: when a refresh is needed it
/// runs on a runtime of its own (see [`crate::rt::block_on`]), so this may
/// be called inside a tokio runtime too.
pub fn access_token(session: &Session, api_url: &ApiUrl, cache: &Cache) -> Result<Secret> {
    if let Some(t) = session.env_token(api_url)? {
        return Ok(t.token);
    }
    if let Some(t) = cache.fresh() {
        return Ok(t);
    }
    let s = stored(session, api_url)?;
    cache.remember(&s.record);
    if let Some(t) = refresh::usable(&s.record, api_url)? {
        return Ok(t);
    }
    let seen = s.record.access_token;
    let s = crate::rt::block_on(refresh::refresh(
        session,
        api_url,
        Trigger::Expiring(seen),
        None,
    ))?;
    cache.remember(&s.record);
    Ok(s.record.access_token)
}

/// Like [`access_token`], without ever blocking the caller's executor: the
/// store, the keychain and the cross-process lock run on blocking threads,
/// and a refresh uses `http`, the caller's client. Concurrent callers in
/// one process share one refresh.
pub async fn access_token_async(
    session: &Session,
    api_url: &ApiUrl,
    cache: &Cache,
    http: &Client,
) -> Result<Secret> {
    if let Some(t) = session.env_token(api_url)? {
        return Ok(t.token);
    }
    if let Some(t) = cache.fresh() {
        return Ok(t);
    }
    let _one_at_a_time = cache.gate.lock().await;
    if let Some(t) = cache.fresh() {
        return Ok(t);
    }
    let s = refresh::read(session, api_url).await?;
    cache.remember(&s.record);
    if let Some(t) = refresh::usable(&s.record, api_url)? {
        return Ok(t);
    }
    let s = refresh::refresh(
        session,
        api_url,
        Trigger::Expiring(s.record.access_token),
        Some(http),
    )
    .await?;
    cache.remember(&s.record);
    Ok(s.record.access_token)
}

/// The server refused `rejected`, a token believed valid: refresh (unless
/// the store already holds a different token, stored by another process)
/// and return the new one.
pub async fn after_rejection(
    session: &Session,
    api_url: &ApiUrl,
    cache: &Cache,
    rejected: &Secret,
    http: Option<&Client>,
) -> Result<Secret> {
    let _one_at_a_time = cache.gate.lock().await;
    if let Some(t) = cache.fresh().filter(|t| t != rejected) {
        return Ok(t);
    }
    cache.forget();
    let s = refresh::refresh(session, api_url, Trigger::Rejected(rejected.clone()), http).await?;
    cache.remember(&s.record);
    Ok(s.record.access_token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordKind;

    fn record(token: &str, expires_in: Option<i64>) -> Record {
        let mut r = Record::new(
            &ApiUrl::parse("https://a.test").unwrap(),
            RecordKind::Oauth,
            Secret::new(token),
        );
        r.expires_at = expires_in.map(|e| now() + e);
        r.tenant = Some("acme".into());
        r
    }

    #[test]
    fn the_cache_serves_a_token_until_it_nears_expiry() {
        let c = Cache::default();
        assert!(c.fresh().is_none());
        assert_eq!(c.tenant(), None);
        c.remember(&record("a", Some(3600)));
        assert_eq!(c.fresh().unwrap().expose(), "a");
        assert_eq!(c.tenant(), Some(Some("acme".into())));
        c.remember(&record("b", Some(30)));
        assert!(c.fresh().is_none(), "within the 60 s margin");
        c.remember(&record("c", None));
        assert_eq!(c.fresh().unwrap().expose(), "c");
        c.forget();
        assert!(c.fresh().is_none());
    }
}
