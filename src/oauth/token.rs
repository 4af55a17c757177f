//! The token endpoint: code exchange, refresh, device polling, and
//! revocation (RFC 7009). Responses are parsed by pure functions.

use crate::error::{Error, Result};
use crate::http::{Http, Response};
use crate::record::Record;
use crate::secret::Secret;
use crate::time::now;

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

/// An OAuth error response (`{"error": "...", "error_description": "..."}`).
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

/// Parse a token endpoint response. Pure.
pub fn parse(resp: &Response) -> std::result::Result<TokenResponse, OAuthError> {
    let v = resp.json();
    let obj = v.as_ref().and_then(|v| v.as_object());
    let text = |k: &str| {
        obj.and_then(|o| o.get(k))
            .and_then(|x| x.as_str())
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect::<String>()
            })
    };
    if (200..300).contains(&resp.status)
        && let Some(at) = text("access_token").filter(|t| !t.is_empty())
    {
        let expires_in = obj.and_then(|o| o.get("expires_in")).and_then(|x| {
            x.as_i64()
                .or_else(|| x.as_f64().map(|f| f as i64))
                .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
        });
        return Ok(TokenResponse {
            access_token: Secret::new(at),
            token_type: text("token_type").unwrap_or_else(|| "Bearer".into()),
            expires_in: expires_in.filter(|e| *e > 0),
            refresh_token: text("refresh_token")
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            scope: text("scope"),
        });
    }
    Err(OAuthError {
        status: resp.status,
        error: text("error").unwrap_or_else(|| {
            if (200..300).contains(&resp.status) {
                "invalid_response".into()
            } else {
                format!("http_{}", resp.status)
            }
        }),
        description: text("error_description").or_else(|| {
            if (200..300).contains(&resp.status) {
                Some("the token response has no access_token".into())
            } else {
                None
            }
        }),
    })
}

/// POST `form` to the token endpoint.
pub fn request(
    http: &Http,
    token_url: &str,
    form: &[(&str, &str)],
) -> Result<std::result::Result<TokenResponse, OAuthError>> {
    let resp = http.post_form(token_url, form, &[])?;
    Ok(parse(&resp))
}

/// Exchange an authorization code (public client + PKCE).
pub fn exchange_code(
    http: &Http,
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
    request(http, token_url, &form)?.map_err(|e| Error::Auth {
        message: format!("the token endpoint refused the authorization code ({e})"),
        hint: Some("run `{bin} auth login` again".into()),
    })
}

/// Refresh with `refresh_token`.
pub fn refresh(
    http: &Http,
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
    request(http, token_url, &form)
}

/// Revoke `token` (RFC 7009). `hint` is `refresh_token` or `access_token`.
pub fn revoke(
    http: &Http,
    url: &str,
    client_id: Option<&str>,
    token: &Secret,
    hint: &str,
) -> Result<()> {
    let mut form = vec![("token", token.expose()), ("token_type_hint", hint)];
    if let Some(c) = client_id {
        form.push(("client_id", c));
    }
    let resp = http.post_form(url, &form, &[])?;
    if (200..300).contains(&resp.status) {
        Ok(())
    } else {
        Err(Error::Http {
            url: url.to_string(),
            status: resp.status,
            detail: resp.error_detail(Some(token.expose())),
        })
    }
}

/// Put a token response into `cred`: new access token and expiry, the new
/// refresh token (keeping the old one when none came back), granted scopes.
pub fn apply(cred: &mut Record, t: TokenResponse) {
    cred.access_token = t.access_token;
    cred.token_type = t.token_type;
    let issued = now();
    cred.issued_at = Some(issued);
    cred.expires_at = t.expires_in.map(|e| issued + e);
    if let Some(r) = t.refresh_token {
        cred.refresh_token = Some(r);
    }
    if let Some(s) = t.scope {
        cred.scopes = s.split_whitespace().map(str::to_string).collect();
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

    #[test]
    fn success() {
        let t = parse(&resp(200, r#"{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r","scope":"openid email"}"#)).unwrap();
        assert_eq!(t.access_token.expose(), "a");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
    }

    #[test]
    fn errors() {
        let e = parse(&resp(
            400,
            r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.error, "invalid_grant");
        assert_eq!(e.to_string(), "invalid_grant: grant request is invalid");
        let e = parse(&resp(502, "<html>")).unwrap_err();
        assert_eq!(e.error, "http_502");
        let e = parse(&resp(200, "{}")).unwrap_err();
        assert_eq!(e.error, "invalid_response");
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
            parse(&resp(200, r#"{"access_token":"new","expires_in":60}"#)).unwrap(),
        );
        assert_eq!(c.access_token.expose(), "new");
        assert_eq!(c.refresh_token.as_ref().unwrap().expose(), "r1");
        assert!(c.expires_at.unwrap() > now());
    }
}
