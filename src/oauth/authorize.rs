//! The authorization request: which scopes to ask for and the
//! authorization URL (code flow with PKCE S256).

use super::endpoints::{Endpoints, Origin};
use super::pkce::Pkce;
use crate::api_url::ApiUrl;
use crate::session::Session;

/// The scopes to request.
pub fn scopes(
    session: &Session,
    api_url: &ApiUrl,
    ep: &Endpoints,
    extra: &[String],
) -> Vec<String> {
    let mut s: Vec<String> = match session.host(api_url).scopes {
        Some(s) => s,
        None if !session.platform.default_scopes.is_empty() => session
            .platform
            .default_scopes
            .iter()
            .map(|s| s.to_string())
            .collect(),
        // An OpenID provider: ask for the identity the profile step needs.
        None if ep.origin == Origin::OpenId
            || ep.scopes_supported.iter().any(|x| x == "openid") =>
        {
            ["openid", "profile", "email"]
                .iter()
                .filter(|x| {
                    ep.origin == Origin::OpenId || ep.scopes_supported.iter().any(|y| y == *x)
                })
                .map(|x| x.to_string())
                .collect()
        }
        None => Vec::new(),
    };
    for e in extra {
        if !s.contains(e) {
            s.push(e.clone());
        }
    }
    if ep.scopes_supported.iter().any(|x| x == "offline_access")
        && !s.iter().any(|x| x == "offline_access")
    {
        s.push("offline_access".into());
    }
    s
}

/// The authorization URL.
pub fn authorize_url(
    ep: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
    pkce: &Pkce,
) -> String {
    let mut url = match url::Url::parse(&ep.authorize_url) {
        Ok(u) => u,
        Err(_) => return ep.authorize_url.clone(),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri);
        if !scopes.is_empty() {
            q.append_pair("scope", &scopes.join(" "));
        }
        q.append_pair("state", state)
            .append_pair("code_challenge", pkce.challenge())
            .append_pair("code_challenge_method", "S256");
        // OpenID providers issue a refresh token for offline_access only with consent.
        if scopes.iter().any(|s| s == "offline_access") && scopes.iter().any(|s| s == "openid") {
            q.append_pair("prompt", "consent");
        }
    }
    url.to_string()
}
