//! `whoami`: who the stored login belongs to (offline).

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
    let st = w.status;
    if w.env_token_set {
        warn(&format!(
            "{} is set and is used instead of this stored credential",
            platform.env_var("TOKEN")
        ));
    }
    if json {
        return print_json(&serde_json::json!({
            "api_url": st.api_url,
            "name": st.user.name,
            "email": st.user.email,
            "login": st.user.login,
            "tenant": st.tenant,
            "tenant_source": st.tenant_source,
        }));
    }
    let mut out = String::new();
    let u = &st.user;
    if let Some(n) = u.name.as_deref().or(u.login.as_deref()) {
        out.push_str(&format!("Name:    {n}\n"));
    }
    if let Some(e) = &u.email {
        out.push_str(&format!("Email:   {e}\n"));
    }
    out.push_str(&format!("API URL: {}\n", st.api_url));
    match (&st.tenant, &st.tenant_source) {
        (Some(t), Some(src)) => out.push_str(&format!("Tenant:  {t} ({src})\n")),
        _ => out.push_str("Tenant:  none\n"),
    }
    if st.expired {
        out.push_str(&format!("Token:   {}\n", st.expiry));
    } else if w.expiring_soon {
        warn(&format!("the access token {}", st.expiry));
    }
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}
