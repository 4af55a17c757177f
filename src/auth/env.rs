//! Environment tokens (`{ENV}_TOKEN`, `{ENV}_TOKEN_<host>`): which commands
//! step aside for them. As gh does with `GH_TOKEN`, a command that would
//! store, remove or refresh a login refuses for the API URL an environment
//! token applies to: the stored login is not what is used there.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::session::Session;

/// An error when an environment token applies to `api_url`: `action` (e.g.
/// "log in", "log out", "refresh") would not change what is used.
pub fn refuse_if_env_token(session: &Session, api_url: &ApiUrl, action: &str) -> Result<()> {
    let Some(e) = session.env_token(api_url)? else {
        return Ok(());
    };
    Err(Error::other(
        format!(
            "{} is set and is used for {api_url}: there is nothing to {action} while it is",
            e.variable
        ),
        None,
        Some(format!(
            "to {action} with a stored credential, first clear it: `unset {}`",
            e.variable
        )),
    ))
}
