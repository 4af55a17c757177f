//! Endpoint resolution: explicit config, else the platform's declared
//! endpoints, else discovery (RFC 8414, then
//! OpenID Connect), else defaults under the API URL. Discovery results are
//! cached per host in `<config dir>/discovery.json`.
//!
//! Paths (the defaults, and the platform's when it declares paths) become
//! URLs by [`ApiUrl::join`], so `https://x/api/v1` and `https://x` both
//! reach `https://x/api/v1/profile`. The profile path is joined to the API
//! URL; the OAuth paths to the application root, the API URL without the
//! base path the profile path repeats ([`ApiUrl::root_for`]):
//! `https://x/oauth/token` for both, and `https://x/app/oauth/token` for
//! `https://x/app`. Discovery documents are looked for at that root too.

use crate::api_url::{ApiUrl, check_endpoint};
use crate::http::{Cause, Client, HttpError};
use crate::session::Session;
use crate::time::now;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a discovery result (or its absence) is trusted.
pub const CACHE_TTL_SECS: i64 = 24 * 3600;

/// Authorization server metadata: the fields keyward uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// `issuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `authorization_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `userinfo_endpoint` (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// `registration_endpoint` (RFC 7591 dynamic client registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// `scopes_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// `prompt_values_supported` (OpenID Connect Discovery).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompt_values_supported: Vec<String>,
    /// `grant_types_supported` (RFC 8414).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// True when the document mentions the out-of-band redirect URN.
    #[serde(default)]
    pub oob_supported: bool,
}

/// Which document the metadata came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// `/.well-known/oauth-authorization-server`.
    #[serde(rename = "oauth-authorization-server")]
    OAuth,
    /// `/.well-known/openid-configuration`.
    #[serde(rename = "openid-configuration")]
    OpenId,
    /// Neither answered: defaults.
    #[serde(rename = "none")]
    None,
}

/// The endpoints of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// Where they came from.
    pub origin: Origin,
    /// The issuer, when metadata gave one.
    pub issuer: Option<String>,
    /// Authorization endpoint.
    pub authorize_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Profile (or userinfo) endpoint.
    pub profile_url: String,
    /// Revocation endpoint, if known.
    pub revocation_url: Option<String>,
    /// Device authorization endpoint, if known.
    pub device_authorization_url: Option<String>,
    /// Dynamic client registration endpoint (RFC 7591), if the server has one.
    pub registration_url: Option<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `prompt_values_supported`: the `prompt` values the server knows.
    pub prompt_values_supported: Vec<String>,
    /// `grant_types_supported`: empty when the metadata does not say.
    pub grant_types_supported: Vec<String>,
    /// RFC 9207: the callback must carry `iss` equal to the issuer.
    pub iss_required: bool,
    /// The server accepts `urn:ietf:wg:oauth:2.0:oob`.
    pub oob_supported: bool,
    /// True when no request was made to resolve them (cache, or offline).
    #[serde(skip)]
    pub from_cache: bool,
}

/// The profile endpoint's path when neither config, the platform nor
/// discovery names one.
pub const DEFAULT_PROFILE_PATH: &str = "/api/v1/profile";
/// The authorization endpoint's path (from the application root) when
/// nothing names one.
pub const DEFAULT_AUTHORIZE_PATH: &str = "/oauth/authorize";
/// The token endpoint's path (from the application root) when nothing
/// names one.
pub const DEFAULT_TOKEN_PATH: &str = "/oauth/token";

/// The out-of-band redirect URN.
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Parse a metadata document. Pure.
pub fn parse_metadata(body: &[u8]) -> Option<Metadata> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let mut m: Metadata = serde_json::from_value(v.clone()).ok()?;
    if m.authorization_endpoint.is_none() && m.token_endpoint.is_none() {
        return None;
    }
    m.oob_supported = obj.values().any(|x| match x {
        serde_json::Value::String(s) => s == OOB,
        serde_json::Value::Array(a) => a.iter().any(|s| s.as_str() == Some(OOB)),
        _ => false,
    });
    // Drop endpoints that are not https (or loopback http).
    for ep in [
        &mut m.authorization_endpoint,
        &mut m.token_endpoint,
        &mut m.userinfo_endpoint,
        &mut m.revocation_endpoint,
        &mut m.device_authorization_endpoint,
        &mut m.registration_endpoint,
    ] {
        if let Some(u) = ep.as_deref()
            && check_endpoint("endpoint", u).is_err()
        {
            *ep = None;
        }
    }
    Some(m)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    fetched_at: i64,
    origin: Origin,
    #[serde(default)]
    metadata: Option<Metadata>,
}

fn cache_path(session: &Session) -> std::path::PathBuf {
    session.paths.discovery_file()
}

fn read_cache(session: &Session) -> BTreeMap<String, CacheEntry> {
    // A cache too large to be one is ignored, as a damaged one is.
    crate::limits::read_to_string(&cache_path(session))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn write_cache(session: &Session, api_url: &ApiUrl, entry: CacheEntry) {
    let _lock = crate::lock::FileLock::acquire(
        &session.paths.lock_file("discovery"),
        std::time::Duration::from_secs(5),
    );
    let mut map = read_cache(session);
    map.insert(api_url.to_string(), entry);
    if let Ok(text) = serde_json::to_string_pretty(&map) {
        // A cache that cannot be written only costs a round trip next time.
        let _ = crate::fsutil::write_private_atomic(&cache_path(session), text.as_bytes());
    }
}

/// The cached metadata for `api_url`, when fresh.
pub fn cached(session: &Session, api_url: &ApiUrl) -> Option<(Origin, Option<Metadata>)> {
    read_cache(session)
        .get(api_url.as_str())
        .filter(|e| now() - e.fetched_at < CACHE_TTL_SECS)
        .map(|e| (e.origin, e.metadata.clone()))
}

/// Metadata for `api_url`: from the cache when fresh, else fetched and
/// cached. `None` when the server publishes none. A server that cannot be
/// reached at all (refused, timed out, name not resolved, TLS refused) is
/// an error: it is the first request of a login, so a dead server fails
/// fast.
pub async fn discover(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
) -> Result<(Origin, Option<Metadata>), HttpError> {
    if let Some(c) = cached(session, api_url) {
        return Ok(c);
    }
    let fetched = fetch(session, http, api_url).await?;
    let found = (fetched.origin, fetched.metadata);
    write_cache(
        session,
        api_url,
        CacheEntry {
            fetched_at: now(),
            origin: found.0,
            metadata: found.1.clone(),
        },
    );
    Ok(found)
}

/// What [`fetch`] found.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Which kind of document answered ([`Origin::None`]: none did).
    pub origin: Origin,
    /// Its metadata.
    pub metadata: Option<Metadata>,
    /// Where it was found.
    pub url: Option<String>,
    /// Every document asked for, in order.
    pub tried: Vec<String>,
}

/// Fetch the metadata of `api_url` now, neither reading nor writing the
/// cache (`auth doctor` reports what the server says today, and changes
/// nothing). Errors as [`discover`].
pub async fn fetch(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
) -> Result<Fetched, HttpError> {
    let mut fetched = Fetched {
        origin: Origin::None,
        metadata: None,
        url: None,
        tried: Vec::new(),
    };
    for (kind, url) in discovery_urls(&root(session, api_url)) {
        fetched.tried.push(url.clone());
        match http.get_discovery(&url).await {
            Ok(r) => {
                if r.status == 200
                    && let Some(m) = parse_metadata(&r.body)
                {
                    fetched.origin = kind;
                    fetched.metadata = Some(m);
                    fetched.url = Some(url);
                    break;
                }
            }
            // Reached, but not a usable document: try the next one.
            Err(e) if matches!(e.kind, Cause::Redirect | Cause::TooLarge | Cause::Other) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(fetched)
}

/// The endpoints of `api_url` with metadata already in hand (from
/// [`fetch`]): config > platform > metadata > defaults.
pub fn resolve_with(
    session: &Session,
    api_url: &ApiUrl,
    origin: Origin,
    meta: Option<Metadata>,
) -> Endpoints {
    resolve(session, api_url, origin, meta)
}

/// Where the metadata documents of an API whose application root is
/// `root` are looked for, in order. At the origin always:
/// `/.well-known/oauth-authorization-server` (RFC 8414), then
/// `/.well-known/openid-configuration`. When the root has a path (an issuer
/// such as `https://x/app`), first the forms for that issuer: RFC 8414 §3.1
/// puts the well-known segment between host and path
/// (`https://x/.well-known/oauth-authorization-server/app`), OpenID
/// Connect Discovery appends it (`https://x/app/.well-known/openid-configuration`).
pub fn discovery_urls(root: &ApiUrl) -> Vec<(Origin, String)> {
    let origin = root.origin();
    let path = root.path();
    let mut tries = Vec::new();
    if !path.is_empty() {
        tries.push((
            Origin::OAuth,
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
        ));
        tries.push((
            Origin::OpenId,
            format!("{root}/.well-known/openid-configuration"),
        ));
    }
    tries.push((
        Origin::OAuth,
        format!("{origin}/.well-known/oauth-authorization-server"),
    ));
    tries.push((
        Origin::OpenId,
        format!("{origin}/.well-known/openid-configuration"),
    ));
    tries
}

/// The profile path in effect before discovery: the platform's when it
/// declares a path, else [`DEFAULT_PROFILE_PATH`].
fn profile_path(session: &Session) -> &'static str {
    session
        .platform
        .endpoints
        .profile
        .filter(|p| !p.contains("://"))
        .unwrap_or(DEFAULT_PROFILE_PATH)
}

/// The application root of `api_url`: where OAuth endpoints and discovery
/// documents are looked for (see the module documentation).
fn root(session: &Session, api_url: &ApiUrl) -> ApiUrl {
    api_url.root_for(profile_path(session))
}

/// The endpoints of `api_url`, discovering them when not cached (see
/// [`discover`]).
pub async fn resolve_online(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
) -> Result<Endpoints, HttpError> {
    let from_cache = cached(session, api_url).is_some();
    let (origin, meta) = discover(session, http, api_url).await?;
    let mut ep = resolve(session, api_url, origin, meta);
    ep.from_cache = from_cache;
    Ok(ep)
}

/// The endpoints of `api_url` from config, the platform and the cache
/// only (no network).
pub fn resolve_offline(session: &Session, api_url: &ApiUrl) -> Endpoints {
    let (origin, meta) = cached(session, api_url).unwrap_or((Origin::None, None));
    let mut ep = resolve(session, api_url, origin, meta);
    ep.from_cache = true;
    ep
}

/// Resolve the endpoints of `api_url`: config > platform > metadata > defaults.
fn resolve(
    session: &Session,
    api_url: &ApiUrl,
    origin: Origin,
    meta: Option<Metadata>,
) -> Endpoints {
    let host = session.host(api_url);
    let declared = session.platform.endpoints;
    let root = root(session, api_url);
    // OAuth paths live at the application root, API paths under the API URL.
    let at_root = |v: Option<&'static str>| v.map(|v| root.join(v));
    let at_api = |v: Option<&'static str>| v.map(|v| api_url.join(v));
    let m = meta.unwrap_or_default();
    Endpoints {
        origin,
        issuer: m.issuer.clone(),
        authorize_url: host
            .authorize_url
            .or(at_root(declared.authorize))
            .or(m.authorization_endpoint)
            .unwrap_or_else(|| root.join(DEFAULT_AUTHORIZE_PATH)),
        token_url: host
            .token_url
            .or(at_root(declared.token))
            .or(m.token_endpoint)
            .unwrap_or_else(|| root.join(DEFAULT_TOKEN_PATH)),
        profile_url: host
            .profile_url
            .or(at_api(declared.profile))
            .or(m.userinfo_endpoint)
            .unwrap_or_else(|| api_url.join(DEFAULT_PROFILE_PATH)),
        revocation_url: host
            .revocation_url
            .or(at_root(declared.revocation))
            .or(m.revocation_endpoint),
        device_authorization_url: host
            .device_authorization_url
            .or(at_root(declared.device_authorization))
            .or(m.device_authorization_endpoint),
        registration_url: m.registration_endpoint,
        scopes_supported: m.scopes_supported,
        prompt_values_supported: m.prompt_values_supported,
        grant_types_supported: m.grant_types_supported,
        iss_required: m.authorization_response_iss_parameter_supported && m.issuer.is_some(),
        oob_supported: m.oob_supported,
        from_cache: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_oidc_document() {
        let m = parse_metadata(
            br#"{"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/auth","token_endpoint":"http://127.0.0.1:9/token",
            "userinfo_endpoint":"http://127.0.0.1:9/me","scopes_supported":["openid","offline_access"],
            "authorization_response_iss_parameter_supported":true}"#,
        )
        .unwrap();
        assert_eq!(
            m.userinfo_endpoint.as_deref(),
            Some("http://127.0.0.1:9/me")
        );
        assert!(m.authorization_response_iss_parameter_supported);
        assert!(!m.oob_supported);
    }

    #[test]
    fn precedence_config_then_platform_then_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let platform = crate::Platform {
            endpoints: crate::PlatformEndpoints {
                profile: Some("/api/v2/me"),
                token: Some("https://auth.acme.test/token"),
                ..crate::PlatformEndpoints::NONE
            },
            ..crate::Platform::keyward()
        };
        let config = crate::config::Config::parse(
            dir.path().join("config.toml"),
            "[hosts.\"https://api.acme.test\"]\ntoken_url = \"https://override.acme.test/t\"\n",
        )
        .unwrap();
        let session = Session::new(
            platform,
            crate::config::Paths {
                dir: dir.path().to_path_buf(),
            },
            config,
        );
        let api = ApiUrl::parse("https://api.acme.test").unwrap();
        let ep = resolve_offline(&session, &api);
        assert_eq!(ep.token_url, "https://override.acme.test/t");
        assert_eq!(ep.profile_url, "https://api.acme.test/api/v2/me");
        assert_eq!(ep.authorize_url, "https://api.acme.test/oauth/authorize");
        assert_eq!(ep.origin, Origin::None);
    }

    fn session_with(platform: crate::Platform, dir: &std::path::Path) -> Session {
        let config = crate::config::Config::parse(dir.join("config.toml"), "").unwrap();
        Session::new(
            platform,
            crate::config::Paths {
                dir: dir.to_path_buf(),
            },
            config,
        )
    }

    #[test]
    fn defaults_for_an_api_url_with_or_without_its_base_path() {
        let dir = tempfile::tempdir().unwrap();
        let session = session_with(crate::Platform::keyward(), dir.path());
        for api in [
            "https://api.acme.test",
            "https://api.acme.test/api/v1",
            "https://api.acme.test/api",
        ] {
            let ep = resolve_offline(&session, &ApiUrl::parse(api).unwrap());
            assert_eq!(
                ep.profile_url, "https://api.acme.test/api/v1/profile",
                "{api}"
            );
            assert_eq!(
                ep.authorize_url, "https://api.acme.test/oauth/authorize",
                "{api}"
            );
            assert_eq!(ep.token_url, "https://api.acme.test/oauth/token", "{api}");
        }
        // an application under a path keeps it, with or without the base path
        for api in ["https://acme.test/app", "https://acme.test/app/api/v1"] {
            let ep = resolve_offline(&session, &ApiUrl::parse(api).unwrap());
            assert_eq!(
                ep.profile_url, "https://acme.test/app/api/v1/profile",
                "{api}"
            );
            assert_eq!(ep.token_url, "https://acme.test/app/oauth/token", "{api}");
        }
    }

    #[test]
    fn platform_paths_follow_the_same_rule() {
        let dir = tempfile::tempdir().unwrap();
        let platform = crate::Platform {
            endpoints: crate::PlatformEndpoints {
                profile: Some("/api/v2/me"),
                token: Some("/oauth2/token"),
                revocation: Some("https://auth.acme.test/revoke"),
                ..crate::PlatformEndpoints::NONE
            },
            ..crate::Platform::keyward()
        };
        let session = session_with(platform, dir.path());
        for api in ["https://api.acme.test", "https://api.acme.test/api/v2"] {
            let api = ApiUrl::parse(api).unwrap();
            let ep = resolve_offline(&session, &api);
            assert_eq!(ep.profile_url, "https://api.acme.test/api/v2/me", "{api}");
            assert_eq!(ep.token_url, "https://api.acme.test/oauth2/token", "{api}");
            assert_eq!(
                ep.authorize_url, "https://api.acme.test/oauth/authorize",
                "{api}"
            );
            assert_eq!(
                ep.revocation_url.as_deref(),
                Some("https://auth.acme.test/revoke")
            );
            assert_eq!(root(&session, &api).as_str(), "https://api.acme.test");
        }
    }

    #[test]
    fn discovery_at_the_root_then_the_origin() {
        let urls = |api: &str| {
            discovery_urls(&ApiUrl::parse(api).unwrap().root_for(DEFAULT_PROFILE_PATH))
                .into_iter()
                .map(|(_, u)| u)
                .collect::<Vec<_>>()
        };
        let at_origin = [
            "https://x.test/.well-known/oauth-authorization-server",
            "https://x.test/.well-known/openid-configuration",
        ];
        assert_eq!(urls("https://x.test"), at_origin);
        assert_eq!(urls("https://x.test/api/v1"), at_origin);
        assert_eq!(
            urls("https://x.test/app/api/v1"),
            [
                "https://x.test/.well-known/oauth-authorization-server/app",
                "https://x.test/app/.well-known/openid-configuration",
                at_origin[0],
                at_origin[1],
            ]
        );
        let kinds: Vec<Origin> = discovery_urls(&ApiUrl::parse("https://x.test/app").unwrap())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            kinds,
            [Origin::OAuth, Origin::OpenId, Origin::OAuth, Origin::OpenId]
        );
    }

    #[test]
    fn rejects_non_metadata_and_insecure_endpoints() {
        assert!(parse_metadata(b"<html>").is_none());
        assert!(parse_metadata(b"{}").is_none());
        let m = parse_metadata(br#"{"authorization_endpoint":"http://evil.test/a","token_endpoint":"https://ok.test/t","x":["urn:ietf:wg:oauth:2.0:oob"]}"#).unwrap();
        assert_eq!(m.authorization_endpoint, None);
        assert!(m.oob_supported);
    }
}
