//! `auth login`: validate a token (pasted, or obtained by an OAuth flow) at
//! the profile endpoint and only then store it.

use super::env::{Action, refuse_if_env_token};
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::oauth::{self, Interaction, LoginOptions};
use crate::profile;
use crate::record::{Record, RecordKind};
use crate::secret::Secret;
use crate::session::Session;
use crate::store::Location;

/// The result of a successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// What was stored.
    pub record: Record,
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
/// existing credential untouched. Refused where an environment token
/// applies to `api_url` (see [`super::env`]).
pub async fn with_token(
    session: &mut Session,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    token: Secret,
) -> Result<LoginOutcome> {
    refuse_if_env_token(session, api_url, Action::Login)?;
    if token.is_empty() {
        return Err(Error::usage("the token is empty", None));
    }
    if let Err(why) = oauth::token::check_token(token.expose()) {
        return Err(Error::usage(
            format!("the token cannot be used: {why}"),
            Some("pass exactly one token, as the server issued it".into()),
        ));
    }
    let http = session.http_client(api_url)?;
    // Same endpoint resolution as OAuth logins: a token for an OpenID
    // provider is validated at its userinfo endpoint.
    let endpoints = oauth::endpoints::resolve_online(session, &http, api_url).await?;
    let record = validated_record(
        session,
        &http,
        api_url,
        &endpoints.profile_url,
        tenant_flag,
        RecordKind::Token,
        token,
    )
    .await?;
    store_login(session, record)
}

/// Run an OAuth flow, validate the tokens it returns, and store them.
/// Refused where an environment token applies to `api_url` (see
/// [`super::env`]).
pub async fn with_oauth(
    session: &mut Session,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    opts: &LoginOptions,
    ui: &dyn Interaction,
) -> Result<LoginOutcome> {
    refuse_if_env_token(session, api_url, Action::Login)?;
    let granted = oauth::flows::run(session, api_url, opts, ui).await?;
    let mut record = validated_record(
        session,
        &granted.http,
        api_url,
        &granted.endpoints.profile_url,
        tenant_flag,
        RecordKind::Oauth,
        granted.tokens.access_token.clone(),
    )
    .await?;
    record.scopes = granted.scopes;
    oauth::token::apply(&mut record, granted.tokens);
    record.client_id = Some(granted.client_id);
    store_login(session, record)
}

/// Read the profile with `token` and build the record a login stores:
/// the user, the tenant (resolution rules, else the profile's, else its only
/// tenant; the previous login's tenant is the fallback for `X-Tenant`), and
/// the tenants listed. The server's verdict comes first: nothing is stored
/// here.
async fn validated_record(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
    profile_url: &str,
    tenant_flag: Option<&str>,
    kind: RecordKind,
    token: Secret,
) -> Result<Record> {
    // A store we cannot read must not block a new login.
    let previous = session.stores()?.get(api_url.as_str()).ok().flatten();
    let captured = previous.as_ref().and_then(|s| s.record.tenant.as_deref());
    let tenant = session.tenant(tenant_flag, captured)?.map(|(t, _)| t);
    let profile = profile::fetch(http, api_url, profile_url, &token, tenant.as_deref()).await?;
    let mut record = Record::new(api_url, kind, token);
    record.user = profile.user.clone();
    record.tenant = login_tenant(tenant, &profile);
    record.tenants = profile.tenants;
    Ok(record)
}

/// Store a freshly obtained record, save `api_url` as the default when
/// none is set, and gather notices.
fn store_login(session: &mut Session, record: Record) -> Result<LoginOutcome> {
    let stores = session.stores()?;
    let location = stores.set(&record)?;
    let mut warnings = stores.take_warnings();
    let mut saved_default = false;
    if session.config.api_url().is_none() {
        let saved = crate::config::ConfigEdit::open(&session.paths).and_then(|mut edit| {
            edit.set("api_url", &record.api_url, None)?;
            edit.save()
        });
        match saved {
            Ok(config) => {
                session.config = config;
                saved_default = true;
            }
            Err(e) => warnings.push(format!(
                "could not save {} as the default API URL: {e}",
                record.api_url
            )),
        }
    }
    Ok(LoginOutcome {
        record,
        location,
        saved_default,
        warnings,
    })
}
