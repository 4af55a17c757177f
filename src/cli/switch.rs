//! `auth switch`.

use super::debug::load_session;
use super::target::Target;
use super::ui::{prompt, success, warn_all};
use crate::auth::switch::{self as ops};
use crate::error::Result;
use crate::platform::Platform;

pub(super) fn run(platform: Platform, g: &Target, user: Option<String>) -> Result<()> {
    let mut session = load_session(platform)?;
    let (api_url, _) = session.api_url(g.api_url.as_deref())?;
    let accounts = ops::accounts(&session, &api_url)?;
    let to = match user.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(u) => accounts.named(&api_url, u.trim())?,
        None => match accounts.toggled(&api_url)? {
            Some(s) => s,
            None if prompt::can_prompt(&platform) => {
                let labels: Vec<String> = accounts
                    .all
                    .iter()
                    .map(|s| {
                        let mark = if accounts.active.as_ref().is_some_and(|a| a.key == s.key) {
                            " (active)"
                        } else {
                            ""
                        };
                        format!("{}{mark}", s.record.user.display())
                    })
                    .collect();
                let default = accounts
                    .active
                    .as_ref()
                    .and_then(|a| accounts.all.iter().position(|s| s.key == a.key))
                    .unwrap_or(0);
                let i = prompt::select(
                    &format!("Which account of {api_url} do you want to use?"),
                    &labels,
                    default,
                )?;
                match accounts.all.get(i) {
                    Some(s) => s,
                    None => return Err(accounts.choose_error(&api_url)),
                }
            }
            None => return Err(accounts.choose_error(&api_url)),
        },
    };
    let to = to.clone();
    let out = ops::switch(&mut session, &api_url, &accounts, &to, g.api_url.is_some())?;
    warn_all(&out.warnings);
    match &out.from {
        Some(from) => success(&format!(
            "Switched the active account of {api_url} from {from} to {}",
            out.to
        )),
        None => success(&format!("{} is the active account of {api_url}", out.to)),
    }
    if out.saved_default {
        errln!("  {api_url} is now the default API URL (config.toml)");
    }
    Ok(())
}
