//! `auth token`: a live access token. The binary's `auth token` and the
//! library's [`TokenSource`](crate::TokenSource) are this one code path.
//!
//! An environment token for the API URL (`{ENV}_TOKEN_<host>`, or
//! `{ENV}_TOKEN` where it applies: see [`Session::env_token`]) wins without
//! touching any store, exactly as it is. Otherwise the token the
//! [`Cache`] remembers, else the stored one; one that is about to expire is
//! refreshed first (exactly once across processes, see [`super::refresh`]).
//! A caller that needs the token to live a while (`auth token --min-valid
//! 5m`, [`access_token_valid_for`]) moves that threshold: the token is
//! refreshed when it expires within the larger of the refresh margin (60 s)
//! and what it asked for, and one that cannot be refreshed, or whose fresh
//! replacement lives less than that too, is an error rather than a token
//! that dies in use.
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
use std::time::Duration;

/// A live access token and what is known of it (`auth token --json`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LiveToken {
    /// The token.
    pub token: Secret,
    /// When it expires, Unix seconds (computed from the server's
    /// `expires_in` when it was received); `None` when unknown: an
    /// environment token, or a token issued without an expiry.
    pub expires_at: Option<i64>,
    /// The environment variable it came from (`KEYWARD_TOKEN`,
    /// `KEYWARD_TOKEN_<host>`), when it is an environment token.
    pub env_variable: Option<String>,
    /// The stored login's account id (see [`Record::account`]), when known.
    pub account: Option<String>,
}

impl LiveToken {
    fn of(record: &Record) -> LiveToken {
        LiveToken {
            token: record.access_token.clone(),
            expires_at: record.expires_at,
            env_variable: None,
            account: record.account().map(str::to_string),
        }
    }

    /// An environment token: no expiry known, no account.
    pub fn from_env(t: crate::session::EnvToken) -> LiveToken {
        LiveToken {
            token: t.token,
            expires_at: None,
            env_variable: Some(t.variable),
            account: None,
        }
    }
}

/// `d` in whole seconds, saturated.
fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

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
    account: Option<String>,
}

impl Cache {
    fn known(&self) -> MutexGuard<'_, Option<Known>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The remembered token, when it does not expire within its margin.
    fn fresh(&self) -> Option<Secret> {
        self.fresh_for(0).map(|t| t.token)
    }

    /// The remembered token, when it expires neither within its margin nor
    /// within `min_valid` seconds.
    fn fresh_for(&self, min_valid: i64) -> Option<LiveToken> {
        let k = self.known();
        let k = k.as_ref()?;
        match k.expires_at {
            Some(e) if e - now() <= k.margin.max(min_valid) => None,
            _ => Some(LiveToken {
                token: k.token.clone(),
                expires_at: k.expires_at,
                env_variable: None,
                account: k.account.clone(),
            }),
        }
    }

    fn remember(&self, record: &Record) {
        *self.known() = Some(Known {
            token: record.access_token.clone(),
            expires_at: record.expires_at,
            margin: record.refresh_margin(),
            tenant: record.tenant.clone(),
            account: record.account().map(str::to_string),
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
    access_token_valid_for(session, api_url, cache, Duration::ZERO).map(|t| t.token)
}

/// Like [`access_token`], for a token that lives at least `min_valid`
/// more: it is refreshed first when it expires sooner (or within the
/// refresh margin, whichever is longer). [`Error::ExpiresTooSoon`] when the
/// token expires within `min_valid` and has no refresh token (exit 4), or
/// when the refreshed token does too (exit 1). An environment token is
/// returned unchanged: its expiry is not known.
///
/// [`Error::ExpiresTooSoon`]: crate::Error::ExpiresTooSoon
pub fn access_token_valid_for(
    session: &Session,
    api_url: &ApiUrl,
    cache: &Cache,
    min_valid: Duration,
) -> Result<LiveToken> {
    if let Some(t) = session.env_token(api_url)? {
        return Ok(LiveToken::from_env(t));
    }
    let min_valid = secs(min_valid);
    if let Some(t) = cache.fresh_for(min_valid) {
        return Ok(t);
    }
    let s = stored(session, api_url)?;
    cache.remember(&s.record);
    if refresh::usable_for(&s.record, api_url, min_valid)?.is_some() {
        return Ok(LiveToken::of(&s.record));
    }
    let seen = s.record.access_token;
    let s = crate::rt::block_on(refresh::refresh(
        session,
        api_url,
        Trigger::Expiring { seen, min_valid },
        None,
    ))?;
    cache.remember(&s.record);
    lives_long_enough(&s.record, api_url, min_valid)?;
    Ok(LiveToken::of(&s.record))
}

/// After a refresh: the new token must live `min_valid` seconds more.
fn lives_long_enough(record: &Record, api_url: &ApiUrl, min_valid: i64) -> Result<()> {
    match record.expires_at {
        Some(e) if min_valid > 0 && e - now() <= min_valid => {
            Err(refresh::too_soon(api_url, e - now(), min_valid, true))
        }
        _ => Ok(()),
    }
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
    access_token_valid_for_async(session, api_url, cache, http, Duration::ZERO)
        .await
        .map(|t| t.token)
}

/// [`access_token_valid_for`] for async code, as [`access_token_async`].
pub async fn access_token_valid_for_async(
    session: &Session,
    api_url: &ApiUrl,
    cache: &Cache,
    http: &Client,
    min_valid: Duration,
) -> Result<LiveToken> {
    if let Some(t) = session.env_token(api_url)? {
        return Ok(LiveToken::from_env(t));
    }
    let min_valid = secs(min_valid);
    if let Some(t) = cache.fresh_for(min_valid) {
        return Ok(t);
    }
    let _one_at_a_time = cache.gate.lock().await;
    if let Some(t) = cache.fresh_for(min_valid) {
        return Ok(t);
    }
    let s = refresh::read(session, api_url).await?;
    cache.remember(&s.record);
    if refresh::usable_for(&s.record, api_url, min_valid)?.is_some() {
        return Ok(LiveToken::of(&s.record));
    }
    let s = refresh::refresh(
        session,
        api_url,
        Trigger::Expiring {
            seen: s.record.access_token,
            min_valid,
        },
        Some(http),
    )
    .await?;
    cache.remember(&s.record);
    lives_long_enough(&s.record, api_url, min_valid)?;
    Ok(LiveToken::of(&s.record))
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
    fn min_valid_raises_the_margin_and_never_lowers_it() {
        let c = Cache::default();
        c.remember(&record("a", Some(600)));
        assert_eq!(c.fresh_for(0).unwrap().expires_at, Some(now() + 600));
        assert!(c.fresh_for(300).is_some());
        assert!(c.fresh_for(600).is_none(), "expires within 10m");
        c.remember(&record("b", Some(45)));
        assert!(c.fresh_for(30).is_none(), "the 60 s margin still holds");
    }

    #[test]
    fn a_token_that_cannot_be_refreshed_must_outlive_min_valid() {
        let api = ApiUrl::parse("https://a.test").unwrap();
        let r = record("a", Some(240));
        assert!(refresh::usable_for(&r, &api, 0).unwrap().is_some());
        assert!(refresh::usable_for(&r, &api, 120).unwrap().is_some());
        let e = refresh::usable_for(&r, &api, 300).unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert!(e.needs_login());
        assert_eq!(
            e.to_string(),
            "the token for https://a.test expires in 4m, sooner than the 5m asked for"
        );
        let hint = e.hint_for(&crate::Platform::keyward()).unwrap();
        assert_eq!(
            hint,
            "run `keyward auth login -h https://a.test` for a new token"
        );
        // a token without expiry lives long enough
        assert!(
            refresh::usable_for(&record("b", None), &api, i64::MAX)
                .unwrap()
                .is_some()
        );
        // refreshed and still too short: exit 1, no login helps
        let e = lives_long_enough(&r, &api, 300).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(!e.needs_login());
        assert!(lives_long_enough(&r, &api, 0).is_ok());
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
        assert_eq!(c.fresh_for(i64::MAX).unwrap().token.expose(), "c");
        c.forget();
        assert!(c.fresh().is_none());
    }
}
