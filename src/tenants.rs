//! Tenants: which ones the user has, and choosing the default.

use crate::api_url::ApiUrl;
use crate::config::check_tenant;
use crate::context::{Context, Source};
use crate::credential::Tenant;
use crate::error::{Error, Result};

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
pub fn list(ctx: &Context, api_url: &ApiUrl, tenant_flag: Option<&str>) -> Result<TenantList> {
    let creds = ctx.credentials()?;
    let s = crate::auth::stored(&creds, api_url)?;
    let current = ctx.tenant(tenant_flag, s.credential.tenant.as_deref())?;
    Ok(TenantList {
        api_url: api_url.to_string(),
        tenants: s.credential.tenants,
        current: current.as_ref().map(|c| c.0.clone()),
        source: current.map(|c| c.1),
    })
}

/// Make `slug` the default tenant (config `tenant`). When the login captured
/// a list of tenants, `slug` must be one of them.
pub fn use_tenant(ctx: &mut Context, api_url: Option<&ApiUrl>, slug: &str) -> Result<()> {
    check_tenant(slug)?;
    if let Some(api_url) = api_url {
        let creds = ctx.credentials()?;
        if let Ok(Some(s)) = creds.get(api_url.as_str()) {
            let known = &s.credential.tenants;
            if !known.is_empty() && !known.iter().any(|t| t.slug == slug) {
                let names: Vec<&str> = known.iter().map(|t| t.slug.as_str()).collect();
                return Err(Error::usage(
                    format!("`{slug}` is not one of your tenants on {api_url}"),
                    Some(format!("choose one of: {}", names.join(", "))),
                ));
            }
        }
    }
    ctx.config.set("tenant", slug, None)?;
    ctx.config.save()
}
