//! The operations behind the `auth`, `whoami` and `tenants` commands, for
//! the CLI and for embedders. They return data and never print.
//!
//! Each command has its module: [`login`], [`status`], [`token`],
//! [`refresh`], [`logout`], [`tenants`], [`whoami`]; [`mod@env`] has the rule
//! for login, logout and refresh where an environment token applies.

pub mod doctor;
pub mod env;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod status;
pub mod tenants;
pub mod token;
pub mod whoami;

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::Stored;

/// The stored record for `api_url`, or [`Error::NotLoggedIn`].
pub fn stored(session: &Session, api_url: &ApiUrl) -> Result<Stored> {
    let stores = session.stores()?;
    stores
        .get(api_url.as_str())?
        .ok_or_else(|| Error::NotLoggedIn {
            api_url: api_url.to_string(),
            unsearched: stores.unsearched(),
        })
}
