//! The profile endpoint: validates a token and says whose it is.
//!
//! Accepts `{name, email, tenants}` at the top level or wrapped in `data`
//! (Laravel API resources), and OIDC userinfo (`name`, `email`,
//! `preferred_username`, `sub`). `tenants` is a list of strings or of
//! `{slug, name}`.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::record::{Tenant, User, check_tenant};
use crate::secret::Secret;
use serde_json::{Map, Value};

/// What the profile told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The user.
    pub user: User,
    /// The tenant the profile marks as current, if any.
    pub tenant: Option<String>,
    /// Tenants the user belongs to.
    pub tenants: Vec<Tenant>,
}

/// Parse a profile response body. Pure: no I/O.
pub fn parse(body: &[u8]) -> std::result::Result<Profile, String> {
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the profile response is not JSON ({e})"))?;
    let top = root
        .as_object()
        .ok_or("the profile response is not a JSON object")?;
    let obj = match top.get("data") {
        Some(Value::Object(d)) => d,
        _ => top,
    };
    let text = |o: &Map<String, Value>, keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|k| match o.get(*k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(clean(s)),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
    };
    let user = User {
        name: text(obj, &["name", "display_name", "full_name"]),
        email: text(obj, &["email"]),
        login: text(obj, &["preferred_username", "login", "username"]),
        id: text(obj, &["sub", "id", "uuid"]),
    };
    let tenants_value = obj.get("tenants").or_else(|| top.get("tenants"));
    let mut tenants = Vec::new();
    if let Some(Value::Array(items)) = tenants_value {
        for item in items {
            let t = match item {
                Value::String(s) => Some(Tenant {
                    slug: clean(s),
                    name: None,
                }),
                Value::Object(o) => text(o, &["slug", "key", "id"]).map(|slug| Tenant {
                    slug,
                    name: text(o, &["name", "display_name"]),
                }),
                _ => None,
            };
            if let Some(t) = t.filter(|t| check_tenant(&t.slug).is_ok())
                && !tenants.iter().any(|x: &Tenant| x.slug == t.slug)
            {
                tenants.push(t);
            }
        }
    }
    let tenant = match obj.get("tenant").or_else(|| obj.get("current_tenant")) {
        Some(Value::String(s)) => Some(clean(s)),
        Some(Value::Object(o)) => text(o, &["slug", "key", "id"]),
        _ => None,
    }
    .filter(|t| check_tenant(t).is_ok());
    Ok(Profile {
        user,
        tenant,
        tenants,
    })
}

fn clean(s: &str) -> String {
    crate::text::printable(s, 200)
}

/// GET the profile with `token` (and `X-Tenant` when a tenant is known).
///
/// 401/403 → [`Error::TokenRejected`]; an unreachable server → a network
/// error; any other answer that is not a profile → an error naming the URL
/// tried and how to set `profile_url` (see [`not_a_profile`]).
pub async fn fetch(
    http: &Client,
    api_url: &ApiUrl,
    profile_url: &str,
    token: &Secret,
    tenant: Option<&str>,
) -> Result<Profile> {
    let auth = format!("Bearer {}", token.expose());
    let mut headers = vec![("Authorization", auth.as_str())];
    if let Some(t) = tenant {
        headers.push(("X-Tenant", t));
    }
    let resp = http.get(profile_url, &headers).await?;
    match resp.status {
        200..=299 => parse(&resp.body).map_err(|why| {
            Error::other(
                format!("unexpected profile response from {profile_url}"),
                Some(why),
                Some(set_profile_url(api_url, profile_url, true)),
            )
        }),
        401 | 403 => Err(Error::TokenRejected {
            api_url: api_url.to_string(),
            status: resp.status,
        }),
        status => Err(not_a_profile(
            api_url,
            profile_url,
            status,
            resp.error_detail(&[token.expose()]),
        )),
    }
}

/// The profile endpoint `profile_url` answered `status` (not 2xx, 401 or
/// 403): the error says which URL was tried and, unless the server is only
/// busy or failing, how to point keyward at the right one.
pub fn not_a_profile(
    api_url: &ApiUrl,
    profile_url: &str,
    status: u16,
    detail: Option<String>,
) -> Error {
    let detail = detail.map(|d| format!(": {d}")).unwrap_or_default();
    let message = format!("the profile URL {profile_url} answered HTTP {status}{detail}");
    let hint = match status {
        404 | 405 | 410 => set_profile_url(api_url, profile_url, false),
        408 | 429 | 500..=599 => format!(
            "the server could not answer; try again in a moment. If it keeps failing, {}",
            set_profile_url(api_url, profile_url, true)
        ),
        _ => set_profile_url(api_url, profile_url, true),
    };
    Error::other(message, None, Some(hint))
}

/// How to set `profile_url` for `api_url`; `maybe` when `tried` may be the
/// right endpoint after all.
fn set_profile_url(api_url: &ApiUrl, tried: &str, maybe: bool) -> String {
    let set = format!(
        "`{{bin}} config set profile_url {}/… -h {api_url}`",
        api_url.origin()
    );
    if maybe {
        format!("check that {tried} is this API's profile endpoint, or set the right one: {set}")
    } else {
        format!(
            "set this API's profile endpoint, the URL that answers with the signed-in user: {set}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level() {
        let p = parse(br#"{"name":"Jane","email":"j@x.test","tenants":["acme","beta"]}"#).unwrap();
        assert_eq!(p.user.name.as_deref(), Some("Jane"));
        assert_eq!(
            p.tenants
                .iter()
                .map(|t| t.slug.as_str())
                .collect::<Vec<_>>(),
            ["acme", "beta"]
        );
    }

    #[test]
    fn laravel_data_wrapper() {
        let p = parse(br#"{"data":{"id":7,"name":"Jane","email":"j@x.test","tenants":[{"slug":"acme","name":"Acme Inc"}],"tenant":{"slug":"acme"}}}"#).unwrap();
        assert_eq!(p.user.id.as_deref(), Some("7"));
        assert_eq!(p.tenants[0].name.as_deref(), Some("Acme Inc"));
        assert_eq!(p.tenant.as_deref(), Some("acme"));
    }

    #[test]
    fn oidc_userinfo() {
        let p = parse(br#"{"sub":"u1","preferred_username":"jd","email":"j@x.test"}"#).unwrap();
        assert_eq!(p.user.login.as_deref(), Some("jd"));
        assert_eq!(p.user.display(), "jd (j@x.test)");
        assert!(p.tenants.is_empty());
    }

    #[test]
    fn a_missing_profile_endpoint_says_how_to_set_it() {
        let api = ApiUrl::parse("https://api.x.test/api/v1").unwrap();
        let tried = "https://api.x.test/api/v1/profile";
        let hint = |e: &Error| e.hint_for(&crate::Platform::keyward()).unwrap();
        let e = not_a_profile(&api, tried, 404, Some("Not Found".into()));
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.to_string(),
            "the profile URL https://api.x.test/api/v1/profile answered HTTP 404: Not Found"
        );
        assert!(hint(&e).contains(
            "`keyward config set profile_url https://api.x.test/… -h https://api.x.test/api/v1`"
        ));
        assert!(hint(&e).starts_with("set this API's profile endpoint"));
        let busy = not_a_profile(&api, tried, 503, None);
        assert_eq!(
            busy.to_string(),
            format!("the profile URL {tried} answered HTTP 503")
        );
        assert!(hint(&busy).starts_with("the server could not answer; try again"));
        assert!(hint(&busy).contains("config set profile_url"));
        let other = not_a_profile(&api, tried, 400, None);
        assert!(hint(&other).starts_with(&format!("check that {tried} is")));
    }

    #[test]
    fn garbage() {
        assert!(parse(b"<html>").is_err());
        assert!(parse(b"[1,2]").is_err());
        let p = parse(br#"{"tenants":[1, {"x":1}, "bad slug!", "ok"]}"#).unwrap();
        assert_eq!(p.tenants.len(), 1);
    }
}
