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

/// What a login adds to the authorization request besides the protocol's
/// own parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// Ask the identity provider to let the person pick (or sign in as)
    /// another account: `prompt=select_account`, or `login` where the
    /// server does not list `select_account`. Set when the API URL already
    /// has an account stored, so the browser's session is not silently
    /// reused.
    pub select_account: bool,
    /// `login_hint`: the account to preselect (`--login-hint`).
    pub login_hint: Option<String>,
    /// Other parameters (`--auth-param k=v`), added as given.
    pub params: Vec<(String, String)>,
}

/// Parameters the authorization request sets itself: `--auth-param` may
/// not replace them.
pub const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// Parse `--auth-param k=v`: a name that is not one of [`RESERVED`].
pub fn parse_param(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!("`{k}` is not a parameter name"));
    }
    if RESERVED.contains(&k) {
        return Err(format!(
            "`{k}` is set by the login itself; use --scopes for scopes"
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// The `prompt` value: `select_account` (or `login` where the server does
/// not list `select_account`) for another account, `consent` where a
/// refresh token needs it, both when both apply; a `prompt` from
/// `--auth-param` replaces it.
fn prompt(ep: &Endpoints, scopes: &[String], extras: &Extras) -> Option<String> {
    let mut p = Vec::new();
    if extras.select_account {
        let listed = |v: &str| ep.prompt_values_supported.iter().any(|x| x == v);
        p.push(if listed("select_account") {
            "select_account"
        } else {
            "login"
        });
    }
    // OpenID providers issue a refresh token for offline_access only with consent.
    if scopes.iter().any(|s| s == "offline_access") && scopes.iter().any(|s| s == "openid") {
        p.push("consent");
    }
    (!p.is_empty()).then(|| p.join(" "))
}

/// The authorization URL.
pub fn authorize_url(
    ep: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
    pkce: &Pkce,
    extras: &Extras,
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
        let own_prompt = extras.params.iter().any(|(k, _)| k == "prompt");
        if let Some(p) = prompt(ep, scopes, extras).filter(|_| !own_prompt) {
            q.append_pair("prompt", &p);
        }
        if let Some(h) = &extras.login_hint {
            q.append_pair("login_hint", h);
        }
        for (k, v) in &extras.params {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::endpoints::Origin;

    fn endpoints(prompts: &[&str]) -> Endpoints {
        Endpoints {
            origin: Origin::OpenId,
            issuer: None,
            authorize_url: "https://id.test/authorize".into(),
            token_url: "https://id.test/token".into(),
            profile_url: "https://id.test/me".into(),
            revocation_url: None,
            device_authorization_url: None,
            registration_url: None,
            scopes_supported: Vec::new(),
            prompt_values_supported: prompts.iter().map(|p| p.to_string()).collect(),
            grant_types_supported: Vec::new(),
            iss_required: false,
            oob_supported: false,
            from_cache: false,
        }
    }

    fn query(ep: &Endpoints, scopes: &[&str], extras: &Extras) -> Vec<(String, String)> {
        let pkce = Pkce::try_new().unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let url = authorize_url(
            ep,
            "cli",
            "http://127.0.0.1:8765/callback",
            &scopes,
            "st",
            &pkce,
            extras,
        );
        url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
        q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn another_account_asks_the_provider_to_let_the_person_choose() {
        let another = Extras {
            select_account: true,
            ..Extras::default()
        };
        let listed = endpoints(&["none", "login", "consent", "select_account"]);
        let q = query(&listed, &["openid", "offline_access"], &another);
        assert_eq!(get(&q, "prompt"), Some("select_account consent"));
        // not listed: `login`
        let q = query(
            &endpoints(&["none", "login", "consent"]),
            &["read"],
            &another,
        );
        assert_eq!(get(&q, "prompt"), Some("login"));
        // the first login sends none of it
        let q = query(&listed, &["read"], &Extras::default());
        assert_eq!(get(&q, "prompt"), None);
    }

    #[test]
    fn login_hint_and_auth_params_are_added_and_a_users_prompt_wins() {
        let extras = Extras {
            select_account: true,
            login_hint: Some("bob@x.test".into()),
            params: vec![
                ("prompt".into(), "none".into()),
                ("acr_values".into(), "mfa".into()),
            ],
        };
        let q = query(&endpoints(&["select_account"]), &["read"], &extras);
        assert_eq!(get(&q, "login_hint"), Some("bob@x.test"));
        assert_eq!(get(&q, "acr_values"), Some("mfa"));
        let prompts: Vec<&str> = q
            .iter()
            .filter(|(k, _)| k == "prompt")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(prompts, ["none"], "one prompt, the user's");
        for reserved in RESERVED {
            assert!(parse_param(&format!("{reserved}=x")).is_err(), "{reserved}");
        }
        assert!(parse_param("novalue").is_err());
        assert_eq!(
            parse_param("ui_locales=en de").unwrap(),
            ("ui_locales".into(), "en de".into())
        );
    }
}
