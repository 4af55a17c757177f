//! `whoami`: who the stored login (or the environment token) belongs to.

use super::debug::load_session;
use super::target::Target;
use super::ui::{print_json, warn, warn_all};
use crate::error::Result;
use crate::platform::Platform;
use std::io::Write;

pub(super) fn run(platform: Platform, g: &Target, json: bool) -> Result<()> {
    let session = load_session(platform)?;
    let w = crate::auth::whoami::whoami(&session, g.api_url.as_deref(), g.tenant.as_deref())?;
    warn_all(&w.warnings);
    if json {
        return print_json(&serde_json::json!({
            "api_url": w.api_url,
            "name": w.user.name,
            "email": w.user.email,
            "login": w.user.login,
            "tenant": w.tenant.as_ref().map(|t| &t.0),
            "tenant_source": w.tenant.as_ref().map(|t| &t.1),
            "env_token": w.env_token,
        }));
    }
    let mut out = String::new();
    let u = &w.user;
    if let Some(n) = u.name.as_deref().or(u.login.as_deref()) {
        out.push_str(&format!("Name:    {n}\n"));
    }
    if let Some(e) = &u.email {
        out.push_str(&format!("Email:   {e}\n"));
    }
    out.push_str(&format!("API URL: {}\n", w.api_url));
    match &w.tenant {
        Some((t, src)) => out.push_str(&format!("Tenant:  {t} ({src})\n")),
        None => out.push_str("Tenant:  none\n"),
    }
    if let Some(var) = &w.env_token {
        out.push_str(&format!(
            "Token:   from {var} (the stored login is not used)\n"
        ));
    } else if w.expired {
        out.push_str(&format!(
            "Token:   {}\n",
            w.expiry.as_deref().unwrap_or("expired")
        ));
    } else if w.expiring_soon {
        warn(&format!(
            "the access token {}",
            w.expiry.as_deref().unwrap_or("expires soon")
        ));
    }
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}
