//! `auth refresh`.

use super::debug::load_session;
use super::target::Target;
use super::ui::{success, warn_all};
use crate::auth::env::{Action, refuse_if_env_token};
use crate::error::Result;
use crate::platform::Platform;
use crate::record::Expiry;

pub(super) fn run(platform: Platform, g: &Target, user: Option<String>) -> Result<()> {
    let session = load_session(platform)?.with_user(user);
    let (api_url, _) = session.api_url(g.api_url.as_deref())?;
    refuse_if_env_token(&session, &api_url, Action::Refresh)?;
    // Say what is being done only once there is something to do it to.
    let current = crate::rt::block_on(crate::auth::refresh::read(&session, &api_url))?;
    if current.record.reobtainable() {
        errln!("Obtaining a new access token…");
    } else if current.record.renewable() {
        errln!("Refreshing access token…");
    }
    let s = crate::rt::block_on(crate::auth::refresh::refresh_now(&session, &api_url))?;
    warn_all(&session.stores()?.take_warnings());
    let exp = match s.record.expiry() {
        Expiry::Never => "no expiry".to_string(),
        e => e.describe(),
    };
    let who = match s.record.account() {
        Some(_) => format!(" for {}", s.record.user.display()),
        None => String::new(),
    };
    let done = if s.record.reobtainable() {
        "New token obtained"
    } else {
        "Token refreshed"
    };
    success(&format!("{done}{who} ({exp})"));
    Ok(())
}
