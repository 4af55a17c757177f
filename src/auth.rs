//! The operations behind `auth` commands: token login, status, token,
//! logout. They return data; the CLI prints it.

use crate::api_url::ApiUrl;
use crate::context::{Context, Source};
use crate::credential::{Credential, CredentialKind, Expiry, Tenant, User};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::profile;
use crate::secret::Secret;
use crate::store::{Credentials, Location, Removed, Stored};
use serde::Serialize;
use std::time::Duration;

/// Timeout for requests made during login.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The result of a successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// What was stored.
    pub credential: Credential,
    /// Where.
    pub location: Location,
    /// True when this login also saved `api_url` as the default.
    pub saved_default: bool,
    /// Notices to show (fallback to the file, ...).
    pub warnings: Vec<String>,
}

/// The tenant to send with requests for this login: resolution rules, then
/// what the profile says, then the only tenant listed.
fn login_tenant(resolved: Option<String>, profile: &profile::Profile) -> Option<String> {
    resolved
        .or_else(|| profile.tenant.clone())
        .or_else(|| match profile.tenants.as_slice() {
            [only] => Some(only.slug.clone()),
            _ => None,
        })
}

/// Validate `token` at the profile endpoint and, only if the server accepts
/// it, store it as the credential for `api_url`. A rejected token leaves any
/// existing credential untouched.
pub fn login_with_token(
    ctx: &mut Context,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    token: Secret,
) -> Result<LoginOutcome> {
    if token.is_empty() {
        return Err(Error::usage("the token is empty", None));
    }
    if token
        .expose()
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::usage(
            "the token contains whitespace or control characters",
            Some("pass exactly one token".into()),
        ));
    }
    let creds = ctx.credentials()?;
    let http = Http::new(HTTP_TIMEOUT);
    // Same endpoint resolution as OAuth logins: a token for an OpenID
    // provider is validated at its userinfo endpoint.
    let endpoints = crate::oauth::discovery::resolve(ctx, Some(&http), api_url);
    let cred = validated_credential(
        ctx,
        &creds,
        &http,
        api_url,
        &endpoints.profile_url,
        tenant_flag,
        CredentialKind::Token,
        token,
    )?;
    store_login(ctx, &creds, cred)
}

/// Read the profile with `token` and build the credential a login stores:
/// the user, the tenant (resolution rules, else the profile's, else its only
/// tenant; the previous login's tenant is the fallback for `X-Tenant`), and
/// the tenants listed. The server's verdict comes first: nothing is stored
/// here.
#[allow(clippy::too_many_arguments)]
pub fn validated_credential(
    ctx: &Context,
    creds: &Credentials,
    http: &Http,
    api_url: &ApiUrl,
    profile_url: &str,
    tenant_flag: Option<&str>,
    kind: CredentialKind,
    token: Secret,
) -> Result<Credential> {
    // A store we cannot read must not block a new login.
    let previous = creds.get(api_url.as_str()).ok().flatten();
    let captured = previous
        .as_ref()
        .and_then(|s| s.credential.tenant.as_deref());
    let tenant = ctx.tenant(tenant_flag, captured)?.map(|(t, _)| t);
    let profile = profile::fetch(http, api_url, profile_url, &token, tenant.as_deref())?;
    let mut cred = Credential::new(api_url, kind, token);
    cred.user = profile.user.clone();
    cred.tenant = login_tenant(tenant, &profile);
    cred.tenants = profile.tenants;
    Ok(cred)
}

/// Store a freshly obtained credential, save `api_url` as the default when
/// none is set, and gather notices.
pub fn store_login(
    ctx: &mut Context,
    creds: &Credentials,
    cred: Credential,
) -> Result<LoginOutcome> {
    let location = creds.set(&cred)?;
    let mut warnings = creds.take_warnings();
    let mut saved_default = false;
    if ctx.config.api_url().is_none() && ctx.config.get("api_url", None).ok().flatten().is_none() {
        match ctx
            .config
            .set("api_url", &cred.api_url, None)
            .and_then(|_| ctx.config.save())
        {
            Ok(()) => saved_default = true,
            Err(e) => warnings.push(format!(
                "could not save {} as the default API URL: {e}",
                cred.api_url
            )),
        }
    }
    Ok(LoginOutcome {
        credential: cred,
        location,
        saved_default,
        warnings,
    })
}

/// What `auth status` shows for one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The environment.
    pub api_url: String,
    /// Where the API URL came from (absent in `--all` listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url_source: Option<Source>,
    /// The user.
    pub user: User,
    /// token / oauth.
    pub kind: &'static str,
    /// The token, masked unless asked for.
    pub token: String,
    /// Whether `token` is the full value.
    pub token_shown: bool,
    /// Unix seconds, when the token expires.
    pub expires_at: Option<i64>,
    /// "expires in 42m", "expired 3m ago", "no expiry".
    pub expiry: String,
    /// True when expired.
    pub expired: bool,
    /// True when a refresh token is stored.
    pub refreshable: bool,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The tenant in effect.
    pub tenant: Option<String>,
    /// Where the tenant came from.
    pub tenant_source: Option<Source>,
    /// Tenants known from the profile.
    pub tenants: Vec<Tenant>,
    /// Where the record is stored.
    pub stored_in: Location,
}

/// `{ENV}_TOKEN` is set and shadows stored credentials.
#[derive(Debug, Clone, Serialize)]
pub struct EnvTokenStatus {
    /// The variable's name.
    pub variable: String,
    /// The token, masked unless asked for.
    pub token: String,
    /// API URL, when one resolves.
    pub api_url: Option<String>,
    /// A stored credential this token shadows, if any.
    pub shadows: Option<Location>,
}

/// Build the status of a stored record.
pub fn status_of(
    ctx: &Context,
    stored: &Stored,
    tenant_flag: Option<&str>,
    show_token: bool,
) -> Result<Status> {
    let c = &stored.credential;
    let expiry = c.expiry();
    let tenant = ctx.tenant(tenant_flag, c.tenant.as_deref())?;
    let refreshable = c.refresh_token.is_some();
    let mut expiry_text = expiry.describe();
    if matches!(expiry, Expiry::Ago(_)) && refreshable {
        expiry_text.push_str(" (will refresh on next use)");
    }
    Ok(Status {
        api_url: c.api_url.clone(),
        api_url_source: None,
        user: c.user.clone(),
        kind: c.kind.as_str(),
        token: if show_token {
            c.access_token.expose().to_string()
        } else {
            c.access_token.masked()
        },
        token_shown: show_token,
        expires_at: c.expires_at,
        expiry: expiry_text,
        expired: matches!(expiry, Expiry::Ago(_)),
        refreshable,
        scopes: c.scopes.clone(),
        tenant: tenant.as_ref().map(|t| t.0.clone()),
        tenant_source: tenant.map(|t| t.1),
        tenants: c.tenants.clone(),
        stored_in: stored.location.clone(),
    })
}

/// The stored credential for `api_url`, or [`Error::NotLoggedIn`].
pub fn stored(creds: &Credentials, api_url: &ApiUrl) -> Result<Stored> {
    creds
        .get(api_url.as_str())?
        .ok_or_else(|| Error::NotLoggedIn {
            api_url: api_url.to_string(),
            unsearched: creds.unsearched(),
        })
}

/// The access token for `api_url`, for `auth token` and library callers.
///
/// `{ENV}_TOKEN` wins without touching any store. Otherwise the stored
/// token; one that expires within a minute is refreshed first (exactly once
/// across processes, see [`crate::refresh`]). No HTTP client, no runtime,
/// no network and no lock when the stored token is valid.
///
/// Store notices (a credentials file whose permissions had to be fixed)
/// are returned beside the token.
pub fn access_token(ctx: &Context, api_url_flag: Option<&str>) -> Result<(Secret, Vec<String>)> {
    if let Some(t) = ctx.env_token() {
        return Ok((t, Vec::new()));
    }
    let (api_url, _) = ctx.api_url(api_url_flag)?;
    let creds = ctx.credentials()?;
    let token = crate::refresh::live_token(ctx, &creds, &api_url);
    let warnings = creds.take_warnings();
    Ok((token?, warnings))
}

/// What `logout` did.
#[derive(Debug, Default)]
pub struct LogoutOutcome {
    /// Where records were removed from.
    pub removed: Removed,
    /// With `revoke`: tokens revoked at the server (`refresh_token`, `access_token`).
    pub revoked: Vec<&'static str>,
    /// Notices.
    pub warnings: Vec<String>,
}

/// Remove the credential for `api_url` from every store. Config stays.
/// With `revoke`, first revoke its tokens at the server's RFC 7009
/// endpoint when one is known; a failed revocation is reported, and the
/// local logout still happens.
pub fn logout(ctx: &Context, api_url: &ApiUrl, revoke: bool) -> Result<LogoutOutcome> {
    let creds = ctx.credentials()?;
    let mut out = LogoutOutcome::default();
    if revoke && let Some(s) = creds.get(api_url.as_str())? {
        let http = Http::new(HTTP_TIMEOUT);
        let ep = crate::oauth::discovery::resolve(ctx, Some(&http), api_url);
        match ep.revocation_url.as_deref() {
                None => out.warnings.push(format!(
                    "{api_url} advertises no revocation endpoint: the tokens stay valid at the server until they expire"
                )),
                Some(url) => {
                    let c = &s.credential;
                    let client = c.client_id.as_deref();
                    let mut tokens = Vec::new();
                    if let Some(rt) = &c.refresh_token {
                        tokens.push((rt, "refresh_token"));
                    }
                    tokens.push((&c.access_token, "access_token"));
                    for (tok, hint) in tokens {
                        match crate::oauth::token::revoke(&http, url, client, tok, hint) {
                            Ok(()) => out.revoked.push(hint),
                            Err(e) => out.warnings.push(format!("could not revoke the {} ({e})", hint.replace('_', " "))),
                        }
                    }
                }
            }
    }
    out.removed = creds.delete(api_url.as_str())?;
    out.warnings.extend(creds.take_warnings());
    Ok(out)
}
