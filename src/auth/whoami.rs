//! `whoami`: who the login for an environment belongs to.
//!
//! Offline for a stored login. Where an environment token applies to the
//! API URL (see [`Session::env_token`]) nothing is stored to describe, so
//! the profile is read with that token: the only case `whoami` goes to the
//! network.

use super::status::{Status, status_of};
use super::stored;
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::record::User;
use crate::session::{EnvToken, Session, Source};

/// What `whoami` found.
#[derive(Debug, Clone)]
pub enum WhoAmI {
    /// The stored login (offline).
    Stored(Box<StoredLogin>),
    /// An environment token, described by the profile it reads.
    Env(EnvLogin),
}

/// `whoami` for a stored login.
#[derive(Debug, Clone)]
pub struct StoredLogin {
    /// Its status.
    pub status: Status,
    /// True when the token expires within 30 seconds.
    pub expiring_soon: bool,
    /// Store notices.
    pub warnings: Vec<String>,
}

/// `whoami` for an environment token.
#[derive(Debug, Clone)]
pub struct EnvLogin {
    /// The API URL.
    pub api_url: String,
    /// The variable the token comes from.
    pub variable: String,
    /// The user, from the profile.
    pub user: User,
    /// The tenant in effect (flag, environment or config).
    pub tenant: Option<String>,
    /// Where the tenant came from.
    pub tenant_source: Option<Source>,
}

/// The login `whoami` describes.
///
/// With an environment token for the API URL: the profile read with it. A
/// token the server refuses is [`Error::Auth`] (exit 4), a profile that
/// cannot be read [`Error::Other`] (exit 1) with its cause; both say the
/// token comes from the environment. Otherwise the stored login, offline.
pub fn whoami(
    session: &Session,
    api_url_flag: Option<&str>,
    tenant_flag: Option<&str>,
) -> Result<WhoAmI> {
    let (api_url, _) = session.api_url(api_url_flag)?;
    if let Some(t) = session.env_token(&api_url)? {
        return env_login(session, &api_url, tenant_flag, t).map(WhoAmI::Env);
    }
    let s = stored(session, &api_url)?;
    let warnings = session.stores()?.take_warnings();
    let status = status_of(session, &s, tenant_flag, false)?;
    Ok(WhoAmI::Stored(Box::new(StoredLogin {
        status,
        expiring_soon: s.record.expires_within(30),
        warnings,
    })))
}

/// Read the profile with the environment token `t`.
fn env_login(
    session: &Session,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    t: EnvToken,
) -> Result<EnvLogin> {
    let tenant = session.tenant(api_url, tenant_flag, None)?;
    let profile = crate::rt::block_on(async {
        let http = session.http_client(api_url)?;
        let ep = crate::oauth::endpoints::resolve_online(session, &http, api_url).await?;
        let slug = tenant.as_ref().map(|(s, _)| s.as_str());
        crate::profile::fetch(&http, api_url, &ep.profile_url, &t.token, slug).await
    })
    .map_err(|e| unread(session, api_url, &t.variable, e))?;
    Ok(EnvLogin {
        api_url: api_url.to_string(),
        variable: t.variable,
        user: profile.user,
        tenant: tenant.as_ref().map(|(s, _)| s.clone()),
        tenant_source: tenant.map(|(_, src)| src),
    })
}

/// Why the profile could not be read with the token in `variable`, saying
/// that it is an environment token (never "not logged in").
fn unread(session: &Session, api_url: &ApiUrl, variable: &str, e: Error) -> Error {
    match e {
        Error::TokenRejected { status, .. } => Error::Auth {
            message: format!(
                "token rejected by {api_url} (HTTP {status}): it is the environment token in {variable}"
            ),
            hint: Some(format!(
                "put a current token for {api_url} in {variable}, or unset {variable} to use a stored login"
            )),
        },
        e @ (Error::Usage { .. } | Error::Cancelled) => e,
        e => Error::other(
            format!("cannot tell who the environment token in {variable} belongs to: {e}"),
            e.cause(),
            e.hint_for(&session.platform).or_else(|| {
                Some(format!(
                    "check that {api_url} is the API the token is for, and try again"
                ))
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;

    fn session() -> Session {
        Session::bare()
    }

    #[test]
    fn failures_say_the_token_comes_from_the_environment() {
        let s = session();
        let api = ApiUrl::parse("https://api.example.com").unwrap();
        let rejected = Error::TokenRejected {
            api_url: api.to_string(),
            status: 401,
        };
        let e = unread(&s, &api, "KEYWARD_TOKEN", rejected);
        assert_eq!(e.exit_code(), exit::AUTH);
        assert!(e.to_string().contains("token rejected"), "{e}");
        assert!(e.to_string().contains("KEYWARD_TOKEN"), "{e}");
        let hint = e.hint_for(&s.platform).unwrap();
        assert!(!hint.contains("auth login"), "{hint}");

        let unreachable = Error::Network {
            url: "https://api.example.com/.well-known/oauth-authorization-server".into(),
            cause: "connection refused".into(),
            kind: crate::http::Cause::Refused,
            detail: None,
        };
        let e = unread(&s, &api, "KEYWARD_TOKEN", unreachable);
        assert_eq!(e.exit_code(), exit::ERROR);
        assert!(e.to_string().contains("KEYWARD_TOKEN"), "{e}");
        assert!(e.to_string().contains("could not reach"), "{e}");
        assert_eq!(e.cause().as_deref(), Some("connection refused"));
        assert!(e.hint_for(&s.platform).is_some());
        assert!(!format!("{e}").contains("not logged in"));
    }
}
