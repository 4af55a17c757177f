//! Environment tokens and the commands that manage stored logins.
//!
//! Where `{ENV}_TOKEN` or `{ENV}_TOKEN_<host>` applies to an API URL (see
//! [`Session::env_token`]), every command uses it instead of the stored
//! login. Logging in, logging out or refreshing there would change a login
//! that is not used, so [`refuse_if_env_token`] stops them (exit 1) and says
//! how to go on, as gh does with `GH_TOKEN`. Other API URLs are not
//! affected.

use crate::api_url::ApiUrl;
use crate::config::pin::PinCell;
use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::session::{EnvLookup, EnvToken, Session, env_token_with, host_key, process_env};

/// A command that manages the stored login of an API URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `auth login`.
    Login,
    /// `auth logout`.
    Logout,
    /// `auth refresh`.
    Refresh,
    /// `auth switch`.
    Switch,
}

/// `Ok(())` when no environment token applies to `api_url`; otherwise the
/// refusal of `action`, naming the variable. A malformed value is the
/// usage error [`Session::env_token`] reports.
pub fn refuse_if_env_token(session: &Session, api_url: &ApiUrl, action: Action) -> Result<()> {
    match session.env_token(api_url)? {
        None => Ok(()),
        Some(t) => {
            let scoped = t.variable != session.platform.env_var("TOKEN")
                || session.env_token_target()?.is_some();
            Err(refusal(session, api_url, &t.variable, scoped, action))
        }
    }
}

/// The refusal of `action` for `api_url`, whose token comes from `variable`.
/// `scoped`: the variable applies to this API URL only, so another one can
/// still be named with `-h`.
fn refusal(
    session: &Session,
    api_url: &ApiUrl,
    variable: &str,
    scoped: bool,
    action: Action,
) -> Error {
    let bin = session.platform.name;
    let elsewhere = if scoped {
        ", or pass `-h` for another API".to_string()
    } else {
        format!(
            ", or set {} to the API URL the token is for (it then applies there only)",
            session.platform.env_var("API_URL")
        )
    };
    let used = format!("the value of {variable} is used for authentication to {api_url}");
    let (message, hint) = match action {
        Action::Login => (
            format!("{used}: a login stored now would not be used"),
            format!("unset {variable} to log in with a stored credential{elsewhere}"),
        ),
        Action::Logout => (
            format!("{used}: logging out cannot remove it, {bin} does not store it"),
            format!(
                "unset {variable} in the shell or job that sets it to stop using the token, then `{bin} auth logout` removes a stored login{elsewhere}"
            ),
        ),
        Action::Switch => (
            format!("{used}: switching the stored account would not change the token used"),
            format!("unset {variable} to use a stored account{elsewhere}"),
        ),
        Action::Refresh => (
            format!("{used}: {bin} cannot refresh a token it did not issue"),
            format!(
                "put a current token in {variable}, or unset {variable} to refresh the stored login{elsewhere}"
            ),
        ),
    };
    Error::other(message, None, Some(hint))
}

/// The environment token for the API URL that `flag` (`--api-url`) or
/// `{ENV}_API_URL` names, when it is settled without reading any file: a
/// `{ENV}_TOKEN_<host>` for that API URL, or `{ENV}_TOKEN` when
/// `{ENV}_API_URL` is set. `Ok(None)` when no API URL is named, when the
/// answer needs the config (only `{ENV}_TOKEN`, with `--api-url` and no
/// `{ENV}_API_URL`: it belongs to the default API URL), or when no
/// environment token applies: the caller then loads the session as usual.
/// A malformed value is the usage error of [`Session::env_token`].
///
/// `auth token` asks this first, so that a job with its token in the
/// environment reads nothing, and a broken config.toml cannot stop it.
pub fn env_token_without_files(
    platform: &Platform,
    flag: Option<&str>,
) -> Result<Option<EnvToken>> {
    Ok(env_token_without_files_in(platform, flag, &process_env)?.map(|(_, t)| t))
}

/// Like [`env_token_without_files`]; where that cannot tell (only
/// `{ENV}_TOKEN` or `{ENV}_TOKEN_<host>` set, and no `{ENV}_API_URL`), it
/// reads only what resolving the default API URL needs: the per-project
/// pin and config.toml's `api_url` ([`Config::api_url_only`]), so that a
/// config.toml whose other settings are broken does not stop a command
/// that brings its own token. With it come the pin's warnings (a pin
/// ignored as unsafe).
pub fn env_token_reading_little(
    platform: &Platform,
    flag: Option<&str>,
) -> Result<(Option<EnvToken>, Vec<String>)> {
    let (found, warnings) = env_token_and_api_url_reading_little(platform, flag)?;
    Ok((found.map(|(_, t)| t), warnings))
}

/// An environment token with the API URL it applies to, and the warnings
/// found on the way (see [`env_token_and_api_url_reading_little`]).
pub type Found = (Option<(ApiUrl, EnvToken)>, Vec<String>);

/// [`env_token_reading_little`], with the API URL the token applies to.
pub fn env_token_and_api_url_reading_little(
    platform: &Platform,
    flag: Option<&str>,
) -> Result<Found> {
    if let Some(found) = env_token_without_files_in(platform, flag, &process_env)? {
        return Ok((Some(found), Vec::new()));
    }
    let any_token = std::env::vars_os()
        .any(|(k, v)| !v.is_empty() && k.to_str().is_some_and(|k| platform.is_secret_env_var(k)));
    let settled = platform.env("API_URL").is_some();
    if !any_token || settled {
        // nothing to find, or `env_token_without_files` already knew
        return Ok((None, Vec::new()));
    }
    let paths = Paths::resolve(platform)?;
    let pin = PinCell::current_dir();
    let pinned = pin.get(platform)?.and_then(|p| p.api_url.clone());
    let warnings = pin.take_warnings();
    let default = match pinned {
        Some(u) => Some(u),
        None => match Config::api_url_only(&paths)? {
            Some(u) => Some(u),
            None => match platform.default_api_url.filter(|d| !d.is_empty()) {
                Some(d) => Some(ApiUrl::parse(d)?),
                None => None,
            },
        },
    };
    let api_url = match (flag, &default) {
        (Some(f), _) => ApiUrl::parse(f)?,
        (None, Some(d)) => d.clone(),
        (None, None) => return Ok((None, warnings)),
    };
    let token = env_token_with(platform, &api_url, &process_env, || Ok(default))?;
    Ok((token.map(|t| (api_url, t)), warnings))
}

fn env_token_without_files_in(
    platform: &Platform,
    flag: Option<&str>,
    env: EnvLookup<'_>,
) -> Result<Option<(ApiUrl, EnvToken)>> {
    let from_env = env(&platform.env_var("API_URL"))
        .and_then(|v| v.into_string().ok())
        .filter(|v| !v.trim().is_empty())
        .map(|v| ApiUrl::parse(&v));
    // A malformed API URL is reported, with its context, by the usual path.
    let from_env = match from_env {
        Some(Ok(u)) => Some(u),
        Some(Err(_)) => return Ok(None),
        None => None,
    };
    let api_url = match (flag, &from_env) {
        (Some(f), _) => match ApiUrl::parse(f) {
            Ok(u) => u,
            Err(_) => return Ok(None),
        },
        (None, Some(u)) => u.clone(),
        (None, None) => return Ok(None),
    };
    let host_var = format!("{}_{}", platform.env_var("TOKEN"), host_key(&api_url));
    let scoped = [host_var.clone(), host_var.to_ascii_uppercase()]
        .iter()
        .any(|n| env(n).is_some_and(|v| !v.is_empty()));
    if !scoped && from_env.is_none() {
        return Ok(None);
    }
    let token = env_token_with(platform, &api_url, env, || Ok(from_env))?;
    Ok(token.map(|t| (api_url, t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn session() -> Session {
        Session::bare()
    }

    #[test]
    fn each_refusal_names_the_variable_the_api_url_and_a_way_on() {
        let s = session();
        let api = ApiUrl::parse("https://api.example.com").unwrap();
        for action in [
            Action::Login,
            Action::Logout,
            Action::Refresh,
            Action::Switch,
        ] {
            let e = refusal(&s, &api, "KEYWARD_TOKEN_api_example_com", true, action);
            assert_eq!(e.exit_code(), exit::ERROR);
            let msg = e.to_string();
            let hint = e.hint_for(&s.platform).unwrap();
            assert!(msg.contains("KEYWARD_TOKEN_api_example_com"), "{msg}");
            assert!(msg.contains("https://api.example.com"), "{msg}");
            assert!(
                hint.contains("unset KEYWARD_TOKEN_api_example_com"),
                "{hint}"
            );
            assert!(hint.contains("-h"), "{hint}");
            let unscoped = refusal(&s, &api, "KEYWARD_TOKEN", false, action);
            let hint = unscoped.hint_for(&s.platform).unwrap();
            assert!(hint.contains("KEYWARD_API_URL"), "{hint}");
            assert!(!hint.contains("-h"), "-h would not help: {hint}");
        }
    }
    #[test]
    fn an_env_token_is_found_without_files_only_where_it_is_settled() {
        let p = Platform::keyward();
        let run = |flag: Option<&str>, vars: &[(&str, &str)]| {
            let vars: HashMap<String, OsString> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), OsString::from(v)))
                .collect();
            env_token_without_files_in(&p, flag, &|name| vars.get(name).cloned())
                .map(|t| t.map(|(_, t)| (t.variable, t.token.expose().to_string())))
                .map_err(|e| e.to_string())
        };
        let found = |v: &str, t: &str| Ok::<_, String>(Some((v.to_string(), t.to_string())));
        let env_url = ("KEYWARD_API_URL", "https://a.test");
        // {ENV}_API_URL settles where KEYWARD_TOKEN belongs
        assert_eq!(
            run(None, &[("KEYWARD_TOKEN", "t"), env_url]),
            found("KEYWARD_TOKEN", "t")
        );
        assert_eq!(
            run(Some("a.test"), &[("KEYWARD_TOKEN", "t"), env_url]),
            found("KEYWARD_TOKEN", "t")
        );
        assert_eq!(
            run(Some("b.test"), &[("KEYWARD_TOKEN", "t"), env_url]),
            Ok(None)
        );
        // a host variable is settled by the flag alone
        let host = [("KEYWARD_TOKEN_b_test", "h"), ("KEYWARD_TOKEN", "t")];
        assert_eq!(
            run(Some("https://b.test"), &host),
            found("KEYWARD_TOKEN_b_test", "h")
        );
        // KEYWARD_TOKEN with only --api-url belongs to the default: not settled
        assert_eq!(
            run(Some("https://a.test"), &[("KEYWARD_TOKEN", "t")]),
            Ok(None)
        );
        assert_eq!(run(None, &[("KEYWARD_TOKEN", "t")]), Ok(None));
        // a malformed API URL is left to the usual path; a malformed token is refused
        assert_eq!(run(Some("ftp://x"), &[("KEYWARD_TOKEN_x", "t")]), Ok(None));
        let e = run(None, &[("KEYWARD_TOKEN", "a\nb"), env_url]).unwrap_err();
        assert!(e.contains("newline"), "{e}");
        assert!(!e.contains("a\nb"), "{e}");
    }
}
