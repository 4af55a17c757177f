//! `whoami`: who the stored login belongs to (offline), or, where an
//! environment token applies, whose token it is (its profile).

use super::target::Target;
use super::ui::{print_json, warn, warn_all};
use crate::auth::whoami::{EnvLogin, StoredLogin, WhoAmI};
use crate::error::Result;
use crate::platform::Platform;
use crate::record::User;
use crate::session::{Session, Source};
use std::io::Write;

pub(super) fn run(platform: Platform, g: &Target, user: Option<String>, json: bool) -> Result<()> {
    let session = Session::load(platform)?.with_user(user);
    match crate::auth::whoami::whoami(&session, g.api_url.as_deref(), g.tenant.as_deref())? {
        WhoAmI::Stored(w) => stored(&w, json),
        WhoAmI::Env(e) => env(&e, json),
    }
}

fn stored(w: &StoredLogin, json: bool) -> Result<()> {
    warn_all(&w.warnings);
    let st = &w.status;
    if json {
        return print_json(&serde_json::json!({
            "api_url": st.api_url,
            "name": st.user.name,
            "email": st.user.email,
            "login": st.user.login,
            "tenant": st.tenant,
            "tenant_source": st.tenant_source,
            "env_token": null,
        }));
    }
    let mut out = describe(&st.user, &st.api_url, &st.tenant, &st.tenant_source);
    if st.expired {
        out.push_str(&format!("Token:   {}\n", st.expiry));
    } else if w.expiring_soon {
        warn(&format!("the access token {}", st.expiry));
    }
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}

fn env(e: &EnvLogin, json: bool) -> Result<()> {
    if json {
        return print_json(&serde_json::json!({
            "api_url": e.api_url,
            "name": e.user.name,
            "email": e.user.email,
            "login": e.user.login,
            "tenant": e.tenant,
            "tenant_source": e.tenant_source,
            "env_token": e.variable,
        }));
    }
    let mut out = describe(&e.user, &e.api_url, &e.tenant, &e.tenant_source);
    out.push_str(&format!(
        "Token:   from {} (an environment token, not stored)\n",
        e.variable
    ));
    write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
}

/// Name, email, API URL and tenant, one per line.
fn describe(u: &User, api_url: &str, tenant: &Option<String>, source: &Option<Source>) -> String {
    let mut out = String::new();
    if let Some(n) = u.name.as_deref().or(u.login.as_deref()) {
        out.push_str(&format!("Name:    {n}\n"));
    }
    if let Some(e) = &u.email {
        out.push_str(&format!("Email:   {e}\n"));
    }
    out.push_str(&format!("API URL: {api_url}\n"));
    match (tenant, source) {
        (Some(t), Some(src)) => out.push_str(&format!("Tenant:  {t} ({src})\n")),
        _ => out.push_str("Tenant:  none\n"),
    }
    out
}
