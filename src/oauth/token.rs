//! The token endpoint: code exchange, refresh, device polling, and
//! revocation (RFC 7009). Responses parse into derived structs; tokens are
//! kept byte for byte, and a token no HTTP header could carry is refused,
//! never cleaned or cut.

use crate::error::{Error, Result};
use crate::http::{Client, Response, redact};
use crate::record::Record;
use crate::secret::Secret;
use crate::time::now;
use serde::Deserialize;

/// A successful token response.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: Secret,
    /// Usually `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: Option<i64>,
    /// A (new) refresh token.
    pub refresh_token: Option<Secret>,
    /// Granted scopes, space-separated.
    pub scope: Option<String>,
}

/// An OAuth error response (`{"error": "...", "error_description": "..."}`),
/// made printable, with the secrets of the request removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// `error` code (`invalid_grant`, `authorization_pending`, ...).
    pub error: String,
    /// `error_description`.
    pub description: Option<String>,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.description {
            Some(d) => write!(f, "{}: {d}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

/// RFC 6749 §5.1, the fields keyward reads.
#[derive(Deserialize)]
struct Success {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<Lifetime>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// RFC 6749 §5.2.
#[derive(Deserialize)]
struct Failure {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// `expires_in` as a number or a numeric string (some servers send "3600").
#[derive(Deserialize)]
#[serde(untagged)]
enum Lifetime {
    Int(i64),
    Float(f64),
    Text(String),
}

/// The longest token lifetime keyward believes: 10 years. A longer
/// `expires_in` counts as this long.
pub const MAX_LIFETIME: i64 = 10 * 365 * 86400;

impl Lifetime {
    /// Whole seconds in `0..=MAX_LIFETIME`: a longer lifetime counts as
    /// [`MAX_LIFETIME`], zero or a negative one as "expired when issued", a
    /// fraction is cut to whole seconds; text that is no number is no
    /// lifetime at all (`None`, as when the field is missing).
    fn seconds(&self) -> Option<i64> {
        let secs = match self {
            Lifetime::Int(i) => *i as f64,
            Lifetime::Float(f) => *f,
            Lifetime::Text(t) => t.trim().parse::<f64>().ok()?,
        };
        if secs.is_nan() {
            return None;
        }
        Some(secs.clamp(0.0, MAX_LIFETIME as f64) as i64)
    }
}

/// Why a token cannot be used as is: empty, or a character no
/// `Authorization` header may carry. Tokens are never cleaned or cut.
pub fn check_token(token: &str) -> std::result::Result<(), &'static str> {
    if token.is_empty() {
        return Err("it is empty");
    }
    if token.chars().any(|c| c.is_control()) {
        return Err("it contains a control character");
    }
    if token.chars().any(char::is_whitespace) {
        return Err("it contains a space");
    }
    if !token.is_ascii() {
        return Err("it contains a non-ASCII character");
    }
    Ok(())
}

fn unusable(url: &str, which: &str, why: &str) -> Error {
    Error::other(
        format!("the token endpoint {url} returned an {which} keyward cannot use: {why}"),
        None,
        Some("keyward never alters tokens; ask the API's operators to issue tokens of visible ASCII characters".into()),
    )
}

/// Parse a token endpoint response. `secrets` are the request's secret
/// values, removed from any error text the server echoes. A success whose
/// tokens are unusable is an error (exit 1).
pub fn parse(
    url: &str,
    resp: &Response,
    secrets: &[&str],
) -> Result<std::result::Result<TokenResponse, OAuthError>> {
    // Redact first: cutting first would leave the start of a long secret.
    // A JWT-shaped word (an ID token or access token echoed back) too.
    let clean =
        |s: &str| crate::text::printable(&crate::http::redact_jwts(&redact(s, secrets)), 300);
    if (200..300).contains(&resp.status)
        && let Ok(ok) = serde_json::from_slice::<Success>(&resp.body)
    {
        check_token(&ok.access_token).map_err(|why| unusable(url, "access token", why))?;
        if let Some(r) = &ok.refresh_token {
            check_token(r).map_err(|why| unusable(url, "refresh token", why))?;
        }
        return Ok(Ok(TokenResponse {
            access_token: Secret::new(ok.access_token),
            token_type: ok
                .token_type
                .map(|t| crate::text::printable(&t, 40))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "Bearer".into()),
            expires_in: ok.expires_in.as_ref().and_then(Lifetime::seconds),
            refresh_token: ok.refresh_token.map(Secret::new),
            scope: ok.scope.map(|s| crate::text::printable(&s, 2000)),
        }));
    }
    let failure = serde_json::from_slice::<Failure>(&resp.body).ok();
    let ok_status = (200..300).contains(&resp.status);
    Ok(Err(OAuthError {
        status: resp.status,
        error: failure
            .as_ref()
            .map(|f| clean(&f.error))
            .unwrap_or_else(|| {
                if ok_status {
                    "invalid_response".into()
                } else {
                    format!("http_{}", resp.status)
                }
            }),
        description: failure
            .and_then(|f| f.error_description)
            .map(|d| clean(&d))
            .or_else(|| {
                ok_status.then(|| {
                    if serde_json::from_slice::<serde_json::Value>(&resp.body).is_ok() {
                        "the token response has no access_token".into()
                    } else {
                        "the token response is not JSON".into()
                    }
                })
            }),
    }))
}

/// POST `form` to the token endpoint. The values of `form` that are secret
/// (codes, verifiers, tokens, client secrets) never appear in an error.
pub async fn request(
    http: &Client,
    token_url: &str,
    form: &[(&str, &str)],
) -> Result<std::result::Result<TokenResponse, OAuthError>> {
    let resp = http.post_form(token_url, form, &[]).await?;
    let secrets: Vec<&str> = form
        .iter()
        .filter(|(k, _)| SECRET_FIELDS.contains(k))
        .map(|(_, v)| *v)
        .collect();
    parse(token_url, &resp, &secrets)
}

/// Form fields whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "code",
    "code_verifier",
    "refresh_token",
    "device_code",
    "client_secret",
    "token",
    "subject_token",
    "actor_token",
    "assertion",
    "password",
];

/// Exchange an authorization code (public client + PKCE).
pub async fn exchange_code(
    http: &Client,
    token_url: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<TokenResponse> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ];
    request(http, token_url, &form)
        .await?
        .map_err(|e| Error::Auth {
            message: format!("the token endpoint refused the authorization code ({e})"),
            hint: Some("run `{bin} auth login` again".into()),
        })
}

/// Refresh with `refresh_token`.
pub async fn refresh(
    http: &Client,
    token_url: &str,
    client_id: Option<&str>,
    refresh_token: &Secret,
) -> Result<std::result::Result<TokenResponse, OAuthError>> {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
    ];
    if let Some(c) = client_id {
        form.push(("client_id", c));
    }
    request(http, token_url, &form).await
}

/// Revoke `token` (RFC 7009). `hint` is `refresh_token` or `access_token`.
pub async fn revoke(
    http: &Client,
    url: &str,
    client_id: Option<&str>,
    token: &Secret,
    hint: &str,
) -> Result<()> {
    let mut form = vec![("token", token.expose()), ("token_type_hint", hint)];
    if let Some(c) = client_id {
        form.push(("client_id", c));
    }
    let resp = http.post_form(url, &form, &[]).await?;
    if (200..300).contains(&resp.status) {
        Ok(())
    } else {
        Err(Error::Http {
            url: url.to_string(),
            status: resp.status,
            detail: resp.error_detail(&[token.expose()]),
        })
    }
}

/// Put a token response into `record`: new access token and expiry, the new
/// refresh token (keeping the old one when none came back), granted scopes.
pub fn apply(record: &mut Record, t: TokenResponse) {
    record.access_token = t.access_token;
    record.token_type = t.token_type;
    let issued = now();
    record.issued_at = Some(issued);
    record.expires_at = t
        .expires_in
        .map(|e| issued.saturating_add(e.clamp(0, MAX_LIFETIME)));
    if let Some(r) = t.refresh_token {
        record.refresh_token = Some(r);
    }
    if let Some(s) = t.scope {
        record.scopes = s.split_whitespace().map(str::to_string).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    fn p(status: u16, body: &str) -> std::result::Result<TokenResponse, OAuthError> {
        parse("https://a.test/token", &resp(status, body), &[]).unwrap()
    }

    #[test]
    fn success() {
        let t = p(200, r#"{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r","scope":"openid email"}"#).unwrap();
        assert_eq!(t.access_token.expose(), "a");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        let t = p(200, r#"{"access_token":"a","expires_in":"60"}"#).unwrap();
        assert_eq!(t.expires_in, Some(60));
        assert_eq!(t.token_type, "Bearer");
    }

    #[test]
    fn lifetimes_are_bounded() {
        let life = |v: &str| {
            p(200, &format!(r#"{{"access_token":"a","expires_in":{v}}}"#))
                .unwrap()
                .expires_in
        };
        // too long: 10 years; zero or negative: expired when issued
        for huge in [
            "18446744073709551615",
            "1e300",
            "9223372036854775807",
            "\"1e300\"",
        ] {
            assert_eq!(life(huge), Some(MAX_LIFETIME), "{huge}");
        }
        for gone in ["-5", "0", "-1e300", "\"-5\"", "-9223372036854775808"] {
            assert_eq!(life(gone), Some(0), "{gone}");
        }
        assert_eq!(life("59.9"), Some(59));
        assert_eq!(life("\"soon\""), None);
        assert_eq!(life("null"), None);
        // applied: the record expires at issue + lifetime, never wraps
        let mut r = Record::new(
            &crate::ApiUrl::parse("https://a.test").unwrap(),
            crate::record::RecordKind::Oauth,
            Secret::new("x"),
        );
        let mut t = p(200, r#"{"access_token":"a","expires_in":-5}"#).unwrap();
        apply(&mut r, t.clone());
        assert!(r.expires_within(0), "a negative lifetime is expired");
        t.expires_in = Some(i64::MAX);
        apply(&mut r, t);
        let left = r.expires_at.unwrap() - r.issued_at.unwrap();
        assert_eq!(left, MAX_LIFETIME);
        assert!(!r.expires_within(r.refresh_margin()));
    }

    #[test]
    fn errors() {
        let e = p(
            400,
            r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
        )
        .unwrap_err();
        assert_eq!(e.error, "invalid_grant");
        assert_eq!(e.to_string(), "invalid_grant: grant request is invalid");
        let e = p(502, "<html>").unwrap_err();
        assert_eq!(e.error, "http_502");
        let e = p(200, "{}").unwrap_err();
        assert_eq!(e.error, "invalid_response");
    }

    #[test]
    fn long_tokens_are_kept_whole() {
        let at = format!(
            "eyJ{}.{}.{}",
            "a".repeat(1400),
            "b".repeat(1400),
            "c".repeat(1300)
        );
        let rt = "r".repeat(2048);
        let body = serde_json::json!({"access_token": at, "refresh_token": rt}).to_string();
        let t = p(200, &body).unwrap();
        assert_eq!(t.access_token.expose(), at);
        assert_eq!(t.refresh_token.unwrap().expose(), rt);
    }

    #[test]
    fn unusable_tokens_are_refused_not_cleaned() {
        for bad in ["a b", "a\u{1b}b", "tök", ""] {
            let body = serde_json::json!({ "access_token": bad }).to_string();
            let e = parse("https://a.test/token", &resp(200, &body), &[]).unwrap_err();
            assert_eq!(e.exit_code(), 1, "{bad:?}");
            assert!(
                e.to_string().contains("access token keyward cannot use"),
                "{e}"
            );
        }
        let body = r#"{"access_token":"ok","refresh_token":"r\nx"}"#;
        assert!(parse("https://a.test/token", &resp(200, body), &[]).is_err());
    }

    #[test]
    fn echoed_secrets_are_removed() {
        let body = r#"{"error":"invalid_grant","error_description":"refresh token rt-SECRET-123 is revoked; verifier vvvv-1234"}"#;
        let e = parse(
            "https://a.test/token",
            &resp(400, body),
            &["rt-SECRET-123", "vvvv-1234"],
        )
        .unwrap()
        .unwrap_err();
        let text = e.to_string();
        assert!(
            !text.contains("rt-SECRET-123") && !text.contains("vvvv-1234"),
            "{text}"
        );
        assert!(text.contains("***"), "{text}");
        // A JWT the server echoes (not one keyward sent) is hidden too.
        let body = r#"{"error":"invalid_grant","error_description":"subject token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln rejected"}"#;
        let text = parse("https://a.test/token", &resp(400, body), &[])
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(!text.contains("eyJ"), "{text}");
        assert!(text.contains("subject token *** rejected"), "{text}");
    }

    #[test]
    fn apply_keeps_old_refresh_token() {
        let mut c = Record::new(
            &crate::ApiUrl::parse("https://a.test").unwrap(),
            crate::record::RecordKind::Oauth,
            Secret::new("old"),
        );
        c.refresh_token = Some(Secret::new("r1"));
        apply(
            &mut c,
            p(200, r#"{"access_token":"new","expires_in":60}"#).unwrap(),
        );
        assert_eq!(c.access_token.expose(), "new");
        assert_eq!(c.refresh_token.as_ref().unwrap().expose(), "r1");
        assert!(c.expires_at.unwrap() > now());
    }
}
