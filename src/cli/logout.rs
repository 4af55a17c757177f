//! `auth logout`.

use super::debug::load_session;
use super::target::Target;
use super::ui::{success, warn, warn_all, where_stored};
use crate::error::Result;
use crate::platform::Platform;
use crate::store::Location;

pub(super) fn run(platform: Platform, g: &Target, revoke: bool) -> Result<()> {
    let session = load_session(platform)?;
    let (api_url, _) = session.api_url(g.api_url.as_deref())?;
    let out = crate::auth::logout::logout(&session, &api_url, revoke)?;
    warn_all(&out.warnings);
    for (loc, cause) in &out.removed.unreachable {
        warn(&format!(
            "{} could not be checked ({cause})",
            where_stored(loc)
        ));
    }
    if out.removed.from.is_empty() {
        eprintln!("Not logged in to {api_url}; nothing to remove.");
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
        success(&format!(
            "Logged out of {api_url} (removed from {})",
            places.join(" and ")
        ));
        if !out.revoked.is_empty() {
            success(&format!(
                "Revoked the {} at the server",
                out.revoked.join(" and ").replace('_', " ")
            ));
        } else if !revoke {
            eprintln!(
                "  This logout is local: the tokens stay valid at the server until they expire (use --revoke to revoke them)."
            );
        }
    }
    Ok(())
}
