//! Token lifecycle: refresh on use, exactly once across processes.
//!
//! The fast path (token valid for more than [`REFRESH_MARGIN`] seconds)
//! takes no lock, builds no HTTP client and touches no network. Otherwise:
//! take the exclusive lock for the API URL, re-read the stored credential
//! (another process may have refreshed it), and only if it is still
//! expiring call the token endpoint, store the result, release.

use crate::api_url::ApiUrl;
use crate::auth::{HTTP_TIMEOUT, stored};
use crate::context::Context;
use crate::credential::{Credential, Expiry, human_duration, now};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::lock::FileLock;
use crate::oauth::{discovery, token};
use crate::secret::Secret;
use crate::store::{Credentials, Stored};
use std::time::Duration;

/// Refresh when the token expires within this many seconds (or half its
/// lifetime, when shorter: see [`Credential::refresh_margin`]).
pub const REFRESH_MARGIN: i64 = 60;

/// How long to wait for another process's refresh.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The lock file for refreshes of `api_url`.
pub fn lock_path(ctx: &Context, api_url: &ApiUrl) -> std::path::PathBuf {
    let name: String = api_url
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    ctx.paths.lock_file(&format!("refresh-{name}"))
}

/// A live access token for `api_url`: the stored one when valid, else
/// refreshed under the cross-process lock.
pub fn live_token(ctx: &Context, creds: &Credentials, api_url: &ApiUrl) -> Result<Secret> {
    let s = stored(creds, api_url)?;
    if !s.credential.expires_within(s.credential.refresh_margin()) {
        return Ok(s.credential.access_token);
    }
    if s.credential.refresh_token.is_none() {
        return match s.credential.expiry() {
            Expiry::Ago(ago) => Err(Error::Expired {
                api_url: api_url.to_string(),
                ago: human_duration(ago),
            }),
            _ => Ok(s.credential.access_token),
        };
    }
    let seen = s.credential.access_token;
    refresh_inner(ctx, creds, api_url, Trigger::Expiring(&seen)).map(|s| s.credential.access_token)
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
pub fn refresh_rejected(
    ctx: &Context,
    creds: &Credentials,
    api_url: &ApiUrl,
    rejected: &Secret,
) -> Result<Stored> {
    refresh_inner(ctx, creds, api_url, Trigger::Rejected(rejected))
}

/// `auth refresh`: refresh now, whatever the expiry.
pub fn refresh_now(ctx: &Context, creds: &Credentials, api_url: &ApiUrl) -> Result<Stored> {
    refresh_inner(ctx, creds, api_url, Trigger::Force)
}

fn refresh_inner(
    ctx: &Context,
    creds: &Credentials,
    api_url: &ApiUrl,
    trigger: Trigger,
) -> Result<Stored> {
    let path = lock_path(ctx, api_url);
    let _lock = FileLock::acquire(&path, LOCK_TIMEOUT).map_err(|e| {
        Error::other(
            "could not take the refresh lock",
            Some(e.to_string()),
            Some(format!(
                "if no other {} process is running, delete {}",
                ctx.platform.name,
                path.display()
            )),
        )
    })?;
    // Re-read under the lock: another process may have refreshed already.
    let s = stored(creds, api_url)?;
    let current = s.credential.access_token.expose();
    let already_fresh = match trigger {
        // A different token means another process refreshed while we waited
        // (even one whose lifetime is shorter than the margin).
        Trigger::Expiring(seen) => {
            current != seen.expose() || !s.credential.expires_within(s.credential.refresh_margin())
        }
        Trigger::Rejected(bad) => current != bad.expose(),
        Trigger::Force => false,
    };
    if already_fresh {
        return Ok(s);
    }
    let Some(rt) = s.credential.refresh_token.clone() else {
        return Err(Error::Auth {
            message: format!(
                "this credential has no refresh token ({} login)",
                s.credential.kind.as_str()
            ),
            hint: Some("run `{bin} auth login` to get a new token".into()),
        });
    };
    let http = Http::new(HTTP_TIMEOUT);
    let ep = discovery::resolve(ctx, Some(&http), api_url);
    let client_id = s
        .credential
        .client_id
        .clone()
        .or_else(|| crate::oauth::login::client_id(ctx, api_url, None).ok());
    match token::refresh(&http, &ep.token_url, client_id.as_deref(), &rt)? {
        Ok(t) => {
            let mut cred: Credential = s.credential.clone();
            token::apply(&mut cred, t);
            let location = creds.set_at(&cred, &s.location)?;
            Ok(Stored {
                credential: cred,
                location,
            })
        }
        Err(e) => {
            // Another process or machine may have stored newer tokens meanwhile.
            if let Ok(Some(now_stored)) = creds.get(api_url.as_str()) {
                let changed = now_stored
                    .credential
                    .refresh_token
                    .as_ref()
                    .map(Secret::expose)
                    != Some(rt.expose());
                if changed
                    && !now_stored
                        .credential
                        .expires_within(now_stored.credential.refresh_margin())
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

/// `auth status --check`: 0 usable; 1 nothing stored, or expired without a
/// refresh token; 2 expiring within `within` without a refresh token.
pub fn check(cred: Option<&Credential>, within: Duration) -> (i32, String) {
    let Some(c) = cred else {
        return (1, "not logged in".into());
    };
    let refreshable = c.refresh_token.is_some();
    match c.expiry_at(now()) {
        Expiry::Never => (0, "valid, no expiry".into()),
        Expiry::Ago(_) if refreshable => (
            0,
            format!("{} (will refresh on next use)", c.expiry().describe()),
        ),
        Expiry::Ago(_) => (
            1,
            format!("{}, and there is no refresh token", c.expiry().describe()),
        ),
        Expiry::In(s) if !refreshable && s <= within.as_secs() as i64 => (
            2,
            format!("{}, and there is no refresh token", c.expiry().describe()),
        ),
        Expiry::In(_) => (0, format!("valid, {}", c.expiry().describe())),
    }
}

/// Parse "90s", "30m", "24h", "7d" (a bare number is seconds).
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}`: use e.g. 90s, 30m, 24h or 7d"))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => {
            return Err(format!(
                "invalid duration `{s}`: use e.g. 90s, 30m, 24h or 7d"
            ));
        }
    };
    Ok(Duration::from_secs(n.saturating_mul(mult)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::CredentialKind;

    fn cred(expires_in: Option<i64>, refresh: bool) -> Credential {
        let mut c = Credential::new(
            &ApiUrl::parse("https://a.test").unwrap(),
            CredentialKind::Oauth,
            Secret::new("t"),
        );
        c.expires_at = expires_in.map(|e| now() + e);
        if refresh {
            c.refresh_token = Some(Secret::new("r"));
        }
        c
    }

    #[test]
    fn check_codes() {
        let day = Duration::from_secs(86400);
        assert_eq!(check(None, day).0, 1);
        assert_eq!(check(Some(&cred(None, false)), day).0, 0);
        assert_eq!(check(Some(&cred(Some(-10), true)), day).0, 0);
        assert_eq!(check(Some(&cred(Some(-10), false)), day).0, 1);
        assert_eq!(check(Some(&cred(Some(3600), false)), day).0, 2);
        assert_eq!(
            check(Some(&cred(Some(3600), false)), Duration::from_secs(60)).0,
            0
        );
        assert_eq!(check(Some(&cred(Some(3600), true)), day).0, 0);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86400));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172800));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5y").is_err());
    }
}
