//! The device authorization grant (RFC 8628).

use super::token::{self, OAuthError, TokenResponse};
use crate::error::{Error, Result};
use crate::http::Client;
use std::time::Duration;
use tokio::time::Instant;

/// The device authorization response.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    /// Secret code for polling.
    pub device_code: crate::Secret,
    /// The code the user types.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
    /// The same with the code filled in, when offered.
    pub verification_uri_complete: Option<String>,
    /// Lifetime.
    pub expires_in: Duration,
    /// Polling interval (default 5 s).
    pub interval: Duration,
}

/// The longest device code lifetime keyward believes (1 day): a longer
/// `expires_in` counts as this long, a negative one as 0 (already expired).
pub const MAX_CODE_LIFETIME: Duration = Duration::from_secs(86400);

/// The longest polling interval (60 s), also after `slow_down`s; a shorter
/// one than 1 s counts as 1 s.
pub const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// Parse a device authorization response. Pure.
pub fn parse(body: &[u8]) -> Option<DeviceCode> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    // Seconds as the server sent them (any JSON number, or a numeric
    // string), bounded to `lo..=hi`; missing or not a number: `default`.
    let n = |k: &str, default: u64, lo: u64, hi: u64| {
        let secs = match v.get(k) {
            Some(serde_json::Value::Number(x)) => x.as_f64(),
            Some(serde_json::Value::String(t)) => t.trim().parse::<f64>().ok(),
            _ => None,
        };
        let secs = secs.filter(|s| !s.is_nan()).unwrap_or(default as f64);
        Duration::from_secs(secs.clamp(lo as f64, hi as f64) as u64)
    };
    Some(DeviceCode {
        device_code: crate::Secret::new(s("device_code")?),
        user_code: s("user_code")?,
        verification_uri: s("verification_uri").or_else(|| s("verification_url"))?,
        verification_uri_complete: s("verification_uri_complete"),
        expires_in: n("expires_in", 900, 0, MAX_CODE_LIFETIME.as_secs()),
        interval: n("interval", 5, 1, MAX_INTERVAL.as_secs()),
    })
}

/// Ask for a device code.
pub async fn start(http: &Client, url: &str, client_id: &str, scope: &str) -> Result<DeviceCode> {
    let mut form = vec![("client_id", client_id)];
    if !scope.is_empty() {
        form.push(("scope", scope));
    }
    let resp = http.post_form(url, &form, &[]).await?;
    if !(200..300).contains(&resp.status) {
        let e = token::parse(url, &resp, &[]).ok().and_then(|r| r.err());
        return Err(Error::Auth {
            message: format!(
                "the server refused the device login{}",
                e.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
            hint: Some(
                "check the client id, or log in with the browser: `{bin} auth login`".into(),
            ),
        });
    }
    parse(&resp.body).ok_or_else(|| {
        Error::other(
            format!("unexpected device authorization response from {url}"),
            None,
            None,
        )
    })
}

/// What one poll said, for the polling loop. Pure.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll {
    /// Keep waiting.
    Pending,
    /// Keep waiting, 5 s slower.
    SlowDown,
    /// The person said no in the browser.
    Denied,
    /// The code expired before anyone approved it.
    Expired,
    /// Finished with this error.
    Failed(String),
}

/// Classify a token endpoint error during device polling. Pure.
pub fn classify(e: &OAuthError) -> Poll {
    match e.error.as_str() {
        "authorization_pending" => Poll::Pending,
        "slow_down" => Poll::SlowDown,
        "access_denied" => Poll::Denied,
        "expired_token" => Poll::Expired,
        _ => Poll::Failed(e.to_string()),
    }
}

/// The login was denied in the browser: exit 1, as in the browser flow.
pub fn denied() -> Error {
    Error::other(
        "the device login was denied in the browser",
        None,
        Some("run `{bin} auth login --device` again and approve the request in the browser".into()),
    )
}

/// Nobody approved the login in time: exit 1. `expired` when the code's
/// own lifetime ran out (a longer --timeout would not help), else the
/// --timeout did.
pub fn not_approved(expired: bool) -> Error {
    if expired {
        Error::other(
            "the device login was not approved in time: the one-time code expired",
            None,
            Some("run `{bin} auth login --device` again and approve the request in the browser before the new code expires".into()),
        )
    } else {
        Error::other(
            "the device login was not approved in time",
            None,
            Some("run `{bin} auth login --device` again and approve the request in the browser; to wait longer, raise --timeout (seconds, default 300)".into()),
        )
    }
}

/// Poll the token endpoint until the user approves, denies, or the code expires.
pub async fn poll(
    http: &Client,
    token_url: &str,
    client_id: &str,
    code: &DeviceCode,
    deadline: Instant,
) -> Result<TokenResponse> {
    let mut interval = code.interval.clamp(Duration::from_secs(1), MAX_INTERVAL);
    let expires = Instant::now() + code.expires_in.min(MAX_CODE_LIFETIME);
    let code_first = expires <= deadline;
    let deadline = deadline.min(expires);
    loop {
        if Instant::now() + interval > deadline {
            return Err(not_approved(code_first));
        }
        tokio::time::sleep(interval).await;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", code.device_code.expose()),
            ("client_id", client_id),
        ];
        match token::request(http, token_url, &form).await? {
            Ok(t) => return Ok(t),
            Err(e) => match classify(&e) {
                Poll::Pending => {}
                Poll::SlowDown => interval = (interval + Duration::from_secs(5)).min(MAX_INTERVAL),
                Poll::Denied => return Err(denied()),
                Poll::Expired => return Err(not_approved(true)),
                Poll::Failed(why) => {
                    return Err(Error::Auth {
                        message: format!("device login failed: {why}"),
                        hint: Some("run `{bin} auth login --device` again".into()),
                    });
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_default_interval() {
        let d = parse(br#"{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"http://x/device","expires_in":600}"#).unwrap();
        assert_eq!(d.interval, Duration::from_secs(5));
        assert_eq!(d.user_code, "ABCD-EFGH");
        assert!(parse(b"{}").is_none());
    }

    #[test]
    fn lifetimes_and_intervals_are_bounded() {
        let d = |fields: &str| {
            parse(format!(r#"{{"device_code":"dc","user_code":"U","verification_uri":"http://x/d",{fields}}}"#).as_bytes()).unwrap()
        };
        for huge in ["18446744073709551615", "1e300", "\"1e300\""] {
            let c = d(&format!(r#""expires_in":{huge},"interval":{huge}"#));
            assert_eq!(c.expires_in, MAX_CODE_LIFETIME, "{huge}");
            assert_eq!(c.interval, MAX_INTERVAL, "{huge}");
        }
        let c = d(r#""expires_in":-5,"interval":-5"#);
        assert_eq!(c.expires_in, Duration::ZERO);
        assert_eq!(c.interval, Duration::from_secs(1));
        let c = d(r#""expires_in":"soon","interval":null"#);
        assert_eq!(c.expires_in, Duration::from_secs(900));
        assert_eq!(c.interval, Duration::from_secs(5));
        assert_eq!(d(r#""interval":2.5"#).interval, Duration::from_secs(2));
    }

    #[test]
    fn classifies() {
        let e = |s: &str| OAuthError {
            status: 400,
            error: s.into(),
            description: None,
        };
        assert_eq!(classify(&e("authorization_pending")), Poll::Pending);
        assert_eq!(classify(&e("slow_down")), Poll::SlowDown);
        assert_eq!(classify(&e("access_denied")), Poll::Denied);
        assert_eq!(classify(&e("expired_token")), Poll::Expired);
        assert!(matches!(classify(&e("invalid_client")), Poll::Failed(_)));
    }

    #[test]
    fn denied_and_not_approved_exit_1_with_a_way_forward() {
        for e in [denied(), not_approved(true), not_approved(false)] {
            assert_eq!(e.exit_code(), 1, "{e}");
            let hint = e.hint_for(&crate::Platform::keyward()).unwrap();
            assert!(hint.contains("`keyward auth login --device`"), "{hint}");
            assert!(hint.contains("approve"), "{hint}");
        }
        let hint = not_approved(false)
            .hint_for(&crate::Platform::keyward())
            .unwrap();
        assert!(hint.contains("--timeout"), "{hint}");
        assert!(denied().to_string().contains("denied"));
        assert!(not_approved(true).to_string().contains("expired"));
    }
}
