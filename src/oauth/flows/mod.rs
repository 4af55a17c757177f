//! The OAuth login flows: get tokens through the browser and a loopback
//! callback, a pasted code, or the device flow. They return tokens; storing
//! them and talking to the person are someone else's job (the auth layer,
//! and the [`Interaction`] the CLI implements).

mod browser;
mod device;
mod paste;
mod wait;

use super::callback::{CallbackError, Expect};
use super::device::DeviceCode;
use super::endpoints::{self, Endpoints};
use super::pkce::{self, Pkce};
use super::token::{self, TokenResponse};
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Client;
use crate::session::Session;
use std::time::Duration;
use tokio::time::Instant;

pub use super::callback::DEFAULT_PORTS;

/// The longest a login waits for the user: 1 day (`--timeout 86400`).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86400);
/// How to get the authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Open the browser; the loopback listener catches the redirect.
    Browser,
    /// Print the URL; the user pastes the code or the redirect URL back.
    NoBrowser,
    /// RFC 8628 device flow.
    Device,
}

/// Options of an OAuth login.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--scopes`, added to the host's default scopes.
    pub extra_scopes: Vec<String>,
    /// Which flow.
    pub mode: Mode,
    /// How long to wait for the user, at most [`MAX_TIMEOUT`] (a longer
    /// wait counts as that long).
    pub timeout: Duration,
    /// `prompt`, `login_hint` and `--auth-param`s for the authorization
    /// request.
    pub extras: super::authorize::Extras,
}

/// How a flow talks to the person at the terminal. The CLI implements it;
/// nothing in the library prints.
pub trait Interaction: Sync {
    /// A notice or advice line.
    fn notice(&self, msg: &str);
    /// The authorization URL; `opened` says whether a browser was launched.
    fn authorize_url(&self, url: &str, opened: Option<std::result::Result<(), String>>);
    /// The device flow's code and where to enter it.
    fn device_code(&self, code: &DeviceCode);
    /// Start showing "waiting"; the returned guard stops it when dropped.
    fn waiting(&self, msg: &str) -> Box<dyn std::any::Any + Send>;
    /// A reader of pasted lines (`None` at end of input). It runs on its own
    /// thread, so it must own what it reads from.
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send>;
    /// The profile lists several tenants and nothing chose one: which
    /// should this login use? `None` leaves it unset (the default: nobody
    /// to ask).
    fn choose_tenant(
        &self,
        _api_url: &ApiUrl,
        _tenants: &[crate::record::Tenant],
    ) -> Result<Option<String>> {
        Ok(None)
    }
}

/// What a login learned from the server before anyone is asked anything:
/// the endpoints (discovery ran: a server that cannot be reached has
/// already failed), and the HTTP client for the rest of the login.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The HTTP client for the API URL.
    pub http: Client,
    /// Its endpoints.
    pub endpoints: Endpoints,
}

impl Prepared {
    /// Whether the server offers the device flow.
    pub fn offers_device(&self) -> bool {
        self.endpoints.device_authorization_url.is_some()
    }

    /// Make sure the server answers: endpoints from the discovery cache
    /// were resolved without a request, so the token endpoint's server is
    /// asked (once, within the connect timeout) before anyone is asked
    /// anything.
    pub async fn reachable(mut self) -> Result<Prepared> {
        if self.endpoints.from_cache {
            self.http.probe(&self.endpoints.token_url).await?;
            self.endpoints.from_cache = false;
        }
        Ok(self)
    }
}

/// Discover the endpoints of `api_url` (fail fast: unreachable servers
/// fail here, before any question or browser).
pub async fn prepare(session: &Session, api_url: &ApiUrl) -> Result<Prepared> {
    let http = session.http_client(api_url)?;
    let endpoints = endpoints::resolve_online(session, &http, api_url).await?;
    Ok(Prepared { http, endpoints })
}

/// Asked of a person who can paste the code back.
const PASTE_PROMPT: &str = "Then paste the code, or the whole address your browser was sent to (http://127.0.0.1:…/callback?code=…):";

/// What a flow produced.
#[derive(Debug)]
pub struct Granted {
    /// The token response.
    pub tokens: TokenResponse,
    /// The scopes requested.
    pub scopes: Vec<String>,
    /// The client id used.
    pub client_id: String,
    /// The endpoints used (the profile URL validates the new token).
    pub endpoints: Endpoints,
    /// The HTTP client, for the rest of the login.
    pub http: Client,
}

fn callback_error(e: CallbackError) -> Error {
    match e {
        CallbackError::NoPort { .. } => Error::other(
            e.to_string(),
            None,
            Some("free one of those ports, set `callback_ports` for this host, or use `{bin} auth login --no-browser`".into()),
        ),
        CallbackError::Denied { .. } => Error::other(
            e.to_string(),
            None,
            Some("run `{bin} auth login` again and approve the request in the browser".into()),
        ),
        CallbackError::Timeout => Error::other(
            "the login was not approved in time: timed out waiting for the browser to finish it",
            None,
            Some("run `{bin} auth login` again and approve the request in the browser; to wait longer, raise --timeout (seconds, default 300), or use --no-browser or --device".into()),
        ),
        CallbackError::Cancelled => Error::other("login cancelled", None, None),
        other => Error::other(format!("the login callback failed: {other}"), None, None),
    }
}

/// What every flow needs, resolved once.
struct Flow<'a> {
    /// The browser command (`{ENV}_BROWSER`, config, `BROWSER`), if any.
    browser: Option<String>,
    /// Whose secret variables the browser must not inherit.
    platform: crate::platform::Platform,
    http: Client,
    ep: Endpoints,
    client_id: String,
    scopes: Vec<String>,
    extras: super::authorize::Extras,
    deadline: Instant,
    ports: Vec<u16>,
    ui: &'a dyn Interaction,
}

/// Run the OAuth flow `opts` asks for and return the tokens.
///
/// It fails fast: discovery (or, when that is cached, a request to the
/// token endpoint's server) happens before the person is sent anywhere, so
/// an unreachable server is reported within the connect timeout.
pub async fn run(
    session: &Session,
    api_url: &ApiUrl,
    opts: &LoginOptions,
    ui: &dyn Interaction,
    prepared: Prepared,
) -> Result<Granted> {
    let client_id = session.client_id(api_url, opts.client_id.as_deref())?;
    let Prepared {
        http,
        endpoints: ep,
    } = prepared;
    if ep.from_cache && opts.mode != Mode::Device {
        http.probe(&ep.token_url).await?;
    }
    let flow = Flow {
        browser: session.browser(),
        platform: session.platform,
        scopes: super::authorize::scopes(session, api_url, &ep, &opts.extra_scopes),
        ports: ports(session, api_url),
        extras: opts.extras.clone(),
        deadline: Instant::now() + opts.timeout.min(MAX_TIMEOUT),
        http,
        ep,
        client_id,
        ui,
    };
    let tokens = match opts.mode {
        Mode::Browser => flow.browser().await?,
        Mode::NoBrowser => flow.paste().await?,
        Mode::Device => flow.device().await?,
    };
    Ok(Granted {
        tokens,
        scopes: flow.scopes,
        client_id: flow.client_id,
        endpoints: flow.ep,
        http: flow.http,
    })
}

/// A fresh PKCE verifier and `state`; the OS random generator failing is an
/// error, not a panic.
fn secrets() -> Result<(Pkce, String)> {
    let fail = |e: pkce::RngError| {
        Error::other(
            "the system's random number generator failed",
            Some(e.to_string()),
            None,
        )
    };
    Ok((
        Pkce::try_new().map_err(fail)?,
        pkce::try_random_state().map_err(fail)?,
    ))
}

/// The loopback callback ports for `api_url` (`callback_ports`, else 8765–8769).
pub fn ports(session: &Session, api_url: &ApiUrl) -> Vec<u16> {
    session
        .host(api_url)
        .callback_ports
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PORTS.to_vec())
}

fn expect(ep: &Endpoints, state: &str) -> Expect {
    Expect {
        state: state.to_string(),
        issuer: if ep.iss_required {
            ep.issuer.clone()
        } else {
            None
        },
    }
}

/// Advice for SSH sessions and machines without a display.
fn environment_advice(ui: &dyn Interaction, port: u16, mode: Mode) {
    use super::browser::Hint;
    // Without a display the browser cannot be opened: the flow says so and
    // takes a pasted code instead, so only SSH needs advice here.
    if super::browser::environment_hint() == Some(Hint::Ssh) {
        if mode == Mode::Browser {
            ui.notice("This looks like an SSH session: `--no-browser` or `--device` is the better path here.");
        }
        ui.notice(&format!(
            "Or forward the callback port: `ssh -L {port}:127.0.0.1:{port} <host>`, then open the URL on your own machine."
        ));
    }
}

impl Flow<'_> {
    /// Exchange an authorization code with the PKCE verifier.
    async fn exchange(&self, code: &str, redirect_uri: &str, pkce: &Pkce) -> Result<TokenResponse> {
        token::exchange_code(
            &self.http,
            &self.ep.token_url,
            &self.client_id,
            code,
            redirect_uri,
            pkce.verifier(),
        )
        .await
    }

    /// The authorization URL for this flow's client, scopes and endpoints.
    fn authorize_url(&self, redirect_uri: &str, state: &str, pkce: &Pkce) -> String {
        super::authorize::authorize_url(
            &self.ep,
            &self.client_id,
            redirect_uri,
            &self.scopes,
            state,
            pkce,
            &self.extras,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denied_and_timed_out_logins_exit_1_with_a_way_forward() {
        let platform = crate::Platform::keyward();
        let denied = callback_error(CallbackError::Denied {
            error: "access_denied".into(),
            description: None,
        });
        let timeout = callback_error(CallbackError::Timeout);
        for e in [&denied, &timeout] {
            assert_eq!(e.exit_code(), 1, "{e}");
            let hint = e.hint_for(&platform).unwrap();
            assert!(
                hint.contains("`keyward auth login`") && hint.contains("approve"),
                "{hint}"
            );
        }
        assert!(denied.to_string().contains("access_denied"));
        assert!(timeout.to_string().contains("not approved in time"));
        assert!(timeout.hint_for(&platform).unwrap().contains("--timeout"));
    }
}
