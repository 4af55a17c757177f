//! `auth login`: validate a token (pasted, or obtained by an OAuth flow) at
//! the profile endpoint and only then store it. Also what a login needs
//! decided first: the endpoints ([`prepare`]), and the OAuth client id
//! ([`client_id`]: configured, or registered on the spot where the server
//! allows it, RFC 7591).

use super::env::{Action, refuse_if_env_token};
use crate::api_url::ApiUrl;
use crate::config::ConfigEdit;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::oauth::{self, Interaction, LoginOptions, Prepared};
use crate::profile;
use crate::record::{Record, RecordKind, User};
use crate::secret::Secret;
use crate::session::{Session, Source};
use crate::store::Location;

/// What a login learns before anything is asked: the endpoints, with the
/// server known to answer (an unreachable API fails here, even when its
/// endpoints come from the discovery cache).
pub async fn prepare(session: &Session, api_url: &ApiUrl) -> Result<Prepared> {
    oauth::prepare(session, api_url).await?.reachable().await
}

/// The result of a successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// What was stored.
    pub record: Record,
    /// Where.
    pub location: Location,
    /// True when this login also saved `api_url` as the default.
    pub saved_default: bool,
    /// The same account was logged in to this API URL already (its user).
    pub already: Option<User>,
    /// The other accounts still stored for this API URL, by the name that
    /// picks each (`auth switch -u NAME`).
    pub others: Vec<String>,
    /// Notices to show (fallback to the file, ...).
    pub warnings: Vec<String>,
}

/// Where the OAuth client id of a login comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientId {
    /// Given (flag, environment, config, built in).
    Known(String),
    /// None is known, but the server registers clients (RFC 7591) at this
    /// endpoint.
    Registrable(String),
    /// None is known and the server registers none.
    Unknown,
}

/// The client id for an OAuth login to `api_url`: the resolution rules
/// ([`Session::client_id`]), else the one the stored login for `api_url`
/// was made with (logging in again, e.g. after `--client-id`), else
/// registration where the server offers it.
pub fn client_id(
    session: &Session,
    api_url: &ApiUrl,
    flag: Option<&str>,
    prepared: &Prepared,
) -> ClientId {
    if let Ok(id) = session.client_id(api_url, flag) {
        return ClientId::Known(id);
    }
    let previous = super::stored(session, api_url)
        .ok()
        .and_then(|s| s.record.client_id)
        .filter(|id| !id.trim().is_empty());
    if let Some(id) = previous {
        return ClientId::Known(id);
    }
    match &prepared.endpoints.registration_url {
        Some(url) => ClientId::Registrable(url.clone()),
        None => ClientId::Unknown,
    }
}

/// Register keyward as a public native client at `endpoint` and keep the
/// client id for `api_url` in config.toml (`[hosts."<api_url>"].client_id`).
/// Returns the client id and whether it was saved.
pub async fn register_client(
    session: &mut Session,
    api_url: &ApiUrl,
    endpoint: &str,
    prepared: &Prepared,
) -> Result<(String, Result<()>)> {
    let ports = oauth::flows::ports(session, api_url);
    let id = oauth::register::register(
        &prepared.http,
        endpoint,
        &oauth::register::Registration {
            name: session.platform.name,
            ports: &ports,
            device: prepared.offers_device(),
        },
    )
    .await?;
    let saved = save_client_id(session, api_url, &id);
    Ok((id, saved))
}

/// Keep `client_id` for `api_url` in config.toml.
pub fn save_client_id(session: &mut Session, api_url: &ApiUrl, client_id: &str) -> Result<()> {
    let mut edit = ConfigEdit::open(&session.paths)?;
    edit.set("client_id", client_id, Some(api_url))?;
    session.config = edit.save()?;
    Ok(())
}

/// The tenant this login keeps in its record: the one chosen for this API
/// URL (`--tenant`, `{ENV}_TENANT`, its own config, the previous login's),
/// else what the profile says, else the only tenant listed, else the
/// person's choice among several. The global config `tenant` and a
/// per-project pin's are applied at request time, never copied into a
/// record; with one set, nobody is asked.
fn login_tenant(
    resolved: Option<(String, Source)>,
    profile: &profile::Profile,
    api_url: &ApiUrl,
    ui: &dyn Interaction,
) -> Result<Option<String>> {
    let fallback = matches!(resolved, Some((_, Source::Config | Source::Pin(_))));
    let own = resolved.filter(|_| !fallback).map(|(t, _)| t);
    if let Some(t) = own.or_else(|| profile.tenant.clone()) {
        return Ok(Some(t));
    }
    match profile.tenants.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only.slug.clone())),
        _ if fallback => Ok(None),
        several => ui.choose_tenant(api_url, several),
    }
}

/// `--tenant` must be one of the tenants the profile lists, when it lists
/// any (as `tenants use` checks).
fn check_tenant_flag(
    flag: Option<&str>,
    profile: &profile::Profile,
    api_url: &ApiUrl,
) -> Result<()> {
    let Some(f) = flag else { return Ok(()) };
    if profile.tenants.is_empty() || profile.tenants.iter().any(|t| t.slug == f) {
        return Ok(());
    }
    let names: Vec<&str> = profile.tenants.iter().map(|t| t.slug.as_str()).collect();
    Err(Error::usage(
        format!("`{f}` is not one of your tenants on {api_url}"),
        Some(format!(
            "pass one of: {} (or leave out --tenant to choose)",
            names.join(", ")
        )),
    ))
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
    ui: &dyn Interaction,
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
    // Same endpoint resolution as OAuth logins: a token for an OpenID
    // provider is validated at its userinfo endpoint.
    let prepared = oauth::prepare(session, api_url).await?;
    let (record, already) = validated_record(
        session,
        &prepared.http,
        api_url,
        &prepared.endpoints.profile_url,
        tenant_flag,
        RecordKind::Token,
        token,
        ui,
    )
    .await?;
    store_login(session, record, already)
}

/// Run an OAuth flow, validate the tokens it returns, and store them.
/// `prepared` comes from [`prepare`] (discovery runs before anything is
/// asked); `opts.client_id` should be settled by then (see [`client_id`]).
/// Refused where an environment token applies to `api_url` (see
/// [`super::env`]).
pub async fn with_oauth(
    session: &mut Session,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    opts: &LoginOptions,
    ui: &dyn Interaction,
    prepared: Prepared,
) -> Result<LoginOutcome> {
    refuse_if_env_token(session, api_url, Action::Login)?;
    // Another account is stored: ask the identity provider to let the
    // person choose, rather than reuse the browser's session silently.
    let mut opts = opts.clone();
    if let Ok(stores) = session.stores()
        && stores
            .accounts(api_url.as_str())
            .is_ok_and(|a| !a.is_empty())
    {
        opts.extras.select_account = true;
    }
    let granted = oauth::flows::run(session, api_url, &opts, ui, prepared).await?;
    let (mut record, already) = validated_record(
        session,
        &granted.http,
        api_url,
        &granted.endpoints.profile_url,
        tenant_flag,
        RecordKind::Oauth,
        granted.tokens.access_token.clone(),
        ui,
    )
    .await?;
    record.scopes = granted.scopes;
    oauth::token::apply(&mut record, granted.tokens);
    record.client_id = Some(granted.client_id);
    store_login(session, record, already)
}

/// How a login without a person gets its token.
#[derive(Debug, Clone)]
pub enum Unattended {
    /// Exchange the CI job's ID token (RFC 8693).
    Federated(crate::id_token::Federation),
    /// The client credentials grant, with this secret.
    ClientCredentials(Secret),
}

/// `auth login --federated` and `--client-credentials`: obtain a token
/// without a person, validate it at the profile endpoint, and store it
/// with what obtains it again (the ID token's source, or the client
/// secret; never the CI's token). Refused where an environment token
/// applies to `api_url`.
pub async fn unattended(
    session: &mut Session,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    how: Unattended,
    client_id: Option<String>,
    scopes: Vec<String>,
    ui: &dyn Interaction,
) -> Result<LoginOutcome> {
    refuse_if_env_token(session, api_url, Action::Login)?;
    let prepared = oauth::prepare(session, api_url).await?;
    let (http, ep) = (&prepared.http, &prepared.endpoints);
    let (kind, tokens) = match &how {
        Unattended::Federated(fed) => (
            RecordKind::Federated,
            crate::federation::exchange(
                session,
                http,
                api_url,
                ep,
                fed,
                client_id.as_deref(),
                crate::federation::Moment::Login,
            )
            .await?,
        ),
        Unattended::ClientCredentials(secret) => {
            let id = client_id.clone().ok_or_else(|| {
                Error::usage(
                    "--client-credentials needs the client id",
                    Some(format!(
                        "pass `--client-id ID` (or set {}, or config `client_id` for the host)",
                        session.platform.env_var("CLIENT_ID")
                    )),
                )
            })?;
            (
                RecordKind::ClientCredentials,
                crate::federation::client_credentials(
                    http,
                    api_url,
                    ep,
                    &id,
                    secret,
                    &scopes,
                    crate::federation::Moment::Login,
                )
                .await?,
            )
        }
    };
    let (mut record, already) = validated_record(
        session,
        http,
        api_url,
        &ep.profile_url,
        tenant_flag,
        kind,
        tokens.access_token.clone(),
        ui,
    )
    .await
    .map_err(|e| unattended_rejected(api_url, &ep.profile_url, e))?;
    oauth::token::apply(&mut record, tokens);
    if record.scopes.is_empty() {
        record.scopes = scopes;
    }
    record.client_id = client_id;
    match how {
        Unattended::Federated(fed) => record.federation = Some(fed),
        Unattended::ClientCredentials(secret) => record.client_secret = Some(secret),
    }
    store_login(session, record, already)
}

/// The profile endpoint refused the token an unattended login was just
/// issued: no person is behind it, and OpenID userinfo (the profile
/// endpoint discovery names) serves people only. Say so, and how to name the
/// API's own profile endpoint.
fn unattended_rejected(api_url: &ApiUrl, profile_url: &str, e: Error) -> Error {
    let Error::TokenRejected { status, .. } = e else {
        return e;
    };
    Error::Auth {
        message: format!(
            "{profile_url} refused the token {api_url} issued for this login (HTTP {status})"
        ),
        hint: Some(format!(
            "a token for a CI job or a service account names no person, and OpenID userinfo often refuses it: name an endpoint of the API that answers for it, `{{bin}} config set profile_url URL --host {api_url}`, then log in again"
        )),
    }
}

/// Read the profile with `token` and build the record a login stores:
/// the user, the tenant (resolution rules, else the profile's, else its only
/// tenant, else the person's choice; the previous login's tenant is the
/// fallback for `X-Tenant`), and the tenants listed. The server's verdict
/// comes first: nothing is stored here. Also says whether the same account
/// was logged in already.
#[allow(clippy::too_many_arguments)]
async fn validated_record(
    session: &Session,
    http: &Client,
    api_url: &ApiUrl,
    profile_url: &str,
    tenant_flag: Option<&str>,
    kind: RecordKind,
    token: Secret,
    ui: &dyn Interaction,
) -> Result<(Record, Option<User>)> {
    // A store we cannot read must not block a new login.
    let previous = super::stored(session, api_url).ok();
    let captured = previous.as_ref().and_then(|s| s.record.tenant.as_deref());
    let resolved = session.tenant(api_url, tenant_flag, captured)?;
    let header = resolved.as_ref().map(|(t, _)| t.as_str());
    let profile = profile::fetch(http, api_url, profile_url, &token, header).await?;
    check_tenant_flag(tenant_flag, &profile, api_url)?;
    let mut record = Record::new(api_url, kind, token);
    record.user = profile.user.clone();
    record.tenant = login_tenant(resolved, &profile, api_url, ui)?;
    record.tenants = profile.tenants;
    let key = record.key();
    let already = match previous {
        Some(p) if p.key == key => Some(p.record.user),
        _ => session
            .stores()?
            .get(&key)
            .ok()
            .flatten()
            .map(|p| p.record.user),
    }
    .filter(|u| u.account().is_some());
    Ok((record, already))
}

/// Store a freshly obtained record, save `api_url` as the default when
/// none is set, and gather notices.
fn store_login(
    session: &mut Session,
    record: Record,
    already: Option<User>,
) -> Result<LoginOutcome> {
    let stores = session.stores()?;
    let location = stores.set(&record)?;
    let key = record.key();
    stores.set_active(&record.api_url, Some(&key));
    let accounts = stores.accounts(&record.api_url).unwrap_or_default();
    let others = accounts
        .iter()
        .filter(|s| s.key != key)
        .map(|s| super::account::short_name(s, &accounts))
        .collect();
    let mut warnings = stores.take_warnings();
    let mut saved_default = false;
    // The first login saves its API URL as the default, unless a
    // per-project pin chose it (that is the directory's, not everyone's),
    // or it is the built-in default already (a later build may change it).
    let pinned = matches!(
        session.pin(),
        Ok(Some(p)) if p.api_url.as_ref().map(|u| u.as_str()) == Some(record.api_url.as_str())
    );
    let built_in = session
        .platform
        .default_api_url
        .and_then(|d| ApiUrl::parse(d).ok())
        .is_some_and(|d| d.as_str() == record.api_url);
    if session.config.api_url().is_none() && !pinned && !built_in {
        let saved = ConfigEdit::open(&session.paths).and_then(|mut edit| {
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
        already,
        others,
        warnings,
    })
}
