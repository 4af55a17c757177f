//! Tenants: which ones the user has, and choosing the default.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::record::{Tenant, check_tenant};
use crate::session::{Session, Source};

/// The tenants known for an environment and the one in effect.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TenantList {
    /// The environment.
    pub api_url: String,
    /// Tenants from the profile captured at login.
    pub tenants: Vec<Tenant>,
    /// The tenant in effect.
    pub current: Option<String>,
    /// Where it came from.
    pub source: Option<Source>,
}

/// List the tenants captured at login for `api_url`.
pub fn list(session: &Session, api_url: &ApiUrl, tenant_flag: Option<&str>) -> Result<TenantList> {
    let s = super::stored(session, api_url)?;
    let current = session.tenant(api_url, tenant_flag, s.record.tenant.as_deref())?;
    Ok(TenantList {
        api_url: api_url.to_string(),
        tenants: s.record.tenants,
        current: current.as_ref().map(|c| c.0.clone()),
        source: current.map(|c| c.1),
    })
}

/// Make `slug` the default tenant of `api_url` (config
/// `[hosts."<api_url>"].tenant`), or, with no API URL known, the fallback
/// for every API URL (top-level `tenant`). When the login captured a list
/// of tenants, `slug` must be one of them.
pub fn use_tenant(session: &mut Session, api_url: Option<&ApiUrl>, slug: &str) -> Result<()> {
    check_tenant(slug)?;
    if let Some(api_url) = api_url
        && let Ok(s) = super::stored(session, api_url)
    {
        let known = &s.record.tenants;
        if !known.is_empty() && !known.iter().any(|t| t.slug == slug) {
            let names: Vec<&str> = known.iter().map(|t| t.slug.as_str()).collect();
            return Err(Error::usage(
                format!("`{slug}` is not one of your tenants on {api_url}"),
                Some(format!("choose one of: {}", names.join(", "))),
            ));
        }
    }
    let mut edit = crate::config::ConfigEdit::open(&session.paths)?;
    edit.set("tenant", slug, api_url)?;
    session.config = edit.save()?;
    Ok(())
}
