//! `auth logout`.

use super::debug::load_session;
use super::target::Target;
use super::ui::prompt;
use super::ui::{success, warn, warn_all, where_stored};
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::session::Session;
use crate::store::Location;

pub(super) fn run(
    platform: Platform,
    g: &Target,
    user: Option<String>,
    revoke: bool,
    all: bool,
) -> Result<()> {
    let session = load_session(platform)?.with_user(user);
    let api_url = which(&session, g)?;
    let out = crate::auth::logout::logout(&session, &api_url, revoke, all)?;
    warn_all(&out.warnings);
    for (loc, cause) in &out.removed.unreachable {
        warn(&format!(
            "{} could not be checked ({cause})",
            where_stored(loc)
        ));
    }
    if out.removed.from.is_empty() {
        errln!("Not logged in to {api_url}; nothing to remove.");
    } else {
        let places: Vec<String> = out
            .removed
            .from
            .iter()
            .map(|l| match l {
                Location::File { path } => path.display().to_string(),
                other => where_stored(other),
            })
            .collect();
        let who = match out.accounts.as_slice() {
            [one] if one != "unknown user" => format!(" as {one}"),
            [] | [_] => String::new(),
            many => format!(" as {}", many.join(", ")),
        };
        success(&format!(
            "Logged out of {api_url}{who} (removed from {})",
            places.join(" and ")
        ));
        if let Some(next) = &out.now_active {
            errln!("  {next} is now the active account of {api_url}");
        }
        if !out.revoked.is_empty() {
            success(&format!(
                "Revoked the {} at the server",
                out.revoked.join(" and ").replace('_', " ")
            ));
        } else if !revoke {
            errln!(
                "  This logout is local: the tokens stay valid at the server until they expire (use --revoke to revoke them)."
            );
        }
    }
    Ok(())
}

/// The environment to log out of: the one named (`-h`, `{ENV}_API_URL`);
/// else, when several logins are stored, the one the person picks at a
/// terminal (the config default alone does not name it: logging out of the
/// wrong API would be a surprise), or a usage error naming `-h`.
fn which(session: &Session, g: &Target) -> Result<ApiUrl> {
    let pinned = session.pin()?.and_then(|p| p.api_url.clone()).is_some();
    if g.api_url.is_some() || session.platform.env("API_URL").is_some() || pinned {
        return Ok(session.api_url(g.api_url.as_deref())?.0);
    }
    let stored: Vec<String> = session
        .stores()?
        .list()
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.record.api_url)
        .collect();
    let mut stored = stored;
    stored.sort();
    stored.dedup();
    match stored.as_slice() {
        [] => Ok(session.api_url(None)?.0),
        [only] => Ok(ApiUrl::parse(only)?),
        several if prompt::can_prompt(&session.platform) => {
            let default = session
                .config
                .api_url()
                .and_then(|d| several.iter().position(|s| *s == d.as_str()))
                .unwrap_or(0);
            let i = match prompt::select("Which API do you want to log out of?", several, default) {
                // Not the `Login cancelled` every other Ctrl-C gets.
                Err(Error::Cancelled) => {
                    errln!("Logout cancelled");
                    return Err(Error::Quiet {
                        code: crate::error::exit::CANCELLED,
                    });
                }
                r => r?,
            };
            let picked = several.get(i).map(String::as_str).unwrap_or_default();
            Ok(ApiUrl::parse(picked)?)
        }
        several => Err(Error::usage(
            format!(
                "several logins are stored ({}): say which one to log out of",
                several.join(", ")
            ),
            Some(format!(
                "pass `-h URL`, e.g. `{{bin}} auth logout -h {}`",
                several.first().map(String::as_str).unwrap_or("URL")
            )),
        )),
    }
}
