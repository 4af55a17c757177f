//! Environment tokens and the commands that manage stored logins.
//!
//! Where `{ENV}_TOKEN` or `{ENV}_TOKEN_<host>` applies to an API URL (see
//! [`Session::env_token`]), every command uses it instead of the stored
//! login. Logging in, logging out or refreshing there would change a login
//! that is not used, so [`refuse_if_env_token`] stops them (exit 1) and says
//! how to go on, as gh does with `GH_TOKEN`. Other API URLs are not
//! affected.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::session::Session;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;

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
}
