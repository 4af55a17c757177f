//! The OAuth login flows, end to end: resolve client id, endpoints and
//! scopes; get a code (browser, paste-back or device); exchange it; read the
//! profile; store the credential.

use super::callback::{self, CallbackError, Expect};
use super::device::{self, DeviceCode};
use super::discovery::{self, Endpoints, OOB, Origin};
use super::paste;
use super::pkce::{self, Pkce};
use super::token::{self, TokenResponse};
use crate::api_url::ApiUrl;
use crate::auth::{HTTP_TIMEOUT, LoginOutcome, store_login, validated_credential};
use crate::context::Context;
use crate::credential::CredentialKind;
use crate::error::{Error, Result};
use crate::http::Http;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use super::callback::DEFAULT_PORTS;

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
    /// How long to wait for the user.
    pub timeout: Duration,
}

/// How a flow talks to the person at the terminal. The CLI implements it;
/// nothing in the library prints.
pub trait Interaction {
    /// A notice or advice line.
    fn notice(&self, msg: &str);
    /// The authorization URL; `opened` says whether a browser was launched.
    fn authorize_url(&self, url: &str, opened: Option<std::result::Result<(), String>>);
    /// The device flow's code and where to enter it.
    fn device_code(&self, code: &DeviceCode);
    /// Start showing "waiting"; the returned guard stops it when dropped.
    fn waiting(&self, msg: &str) -> Box<dyn std::any::Any>;
    /// A reader of pasted lines (`None` at end of input). It runs on its own
    /// thread, so it must own what it reads from.
    fn line_reader(&self) -> Box<dyn FnMut() -> Option<String> + Send>;
}

/// Resolve the client id: flag > `{ENV}_CLIENT_ID` > host config > built-in.
pub fn client_id(ctx: &Context, api_url: &ApiUrl, flag: Option<&str>) -> Result<String> {
    flag.map(str::to_string)
        .or_else(|| ctx.platform.env("CLIENT_ID"))
        .or_else(|| ctx.host(api_url).client_id)
        .or_else(|| ctx.platform.default_client_id.filter(|c| !c.is_empty()).map(str::to_string))
        .map(|c| c.trim().to_string())
        .ok_or_else(|| {
            Error::usage(
                format!("no OAuth client id is known for {api_url}"),
                Some(format!(
                    "pass `--client-id ID`, set {}, run `{{bin}} config set client_id ID --host {api_url}`, or build with KEYWARD_DEFAULT_CLIENT_ID set",
                    ctx.platform.env_var("CLIENT_ID")
                )),
            )
        })
}

/// The scopes to request.
pub fn scopes(ctx: &Context, api_url: &ApiUrl, ep: &Endpoints, extra: &[String]) -> Vec<String> {
    let mut s: Vec<String> = match ctx.host(api_url).scopes {
        Some(s) => s,
        None if !ctx.platform.default_scopes.is_empty() => ctx
            .platform
            .default_scopes
            .iter()
            .map(|s| s.to_string())
            .collect(),
        // An OpenID provider: ask for the identity the profile step needs.
        None if ep.origin == Origin::OpenId
            || ep.scopes_supported.iter().any(|x| x == "openid") =>
        {
            ["openid", "profile", "email"]
                .iter()
                .filter(|x| {
                    ep.origin == Origin::OpenId || ep.scopes_supported.iter().any(|y| y == *x)
                })
                .map(|x| x.to_string())
                .collect()
        }
        None => Vec::new(),
    };
    for e in extra {
        if !s.contains(e) {
            s.push(e.clone());
        }
    }
    if ep.scopes_supported.iter().any(|x| x == "offline_access")
        && !s.iter().any(|x| x == "offline_access")
    {
        s.push("offline_access".into());
    }
    s
}

/// The authorization URL.
pub fn authorize_url(
    ep: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
    pkce: &Pkce,
) -> String {
    let mut url = match url::Url::parse(&ep.authorize_url) {
        Ok(u) => u,
        Err(_) => return ep.authorize_url.clone(),
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri);
        if !scopes.is_empty() {
            q.append_pair("scope", &scopes.join(" "));
        }
        q.append_pair("state", state)
            .append_pair("code_challenge", pkce.challenge())
            .append_pair("code_challenge_method", "S256");
        // OpenID providers issue a refresh token for offline_access only with consent.
        if scopes.iter().any(|s| s == "offline_access") && scopes.iter().any(|s| s == "openid") {
            q.append_pair("prompt", "consent");
        }
    }
    url.to_string()
}

fn callback_error(e: CallbackError) -> Error {
    match e {
        CallbackError::NoPort { .. } => Error::other(
            e.to_string(),
            None,
            Some("free one of those ports, set `callback_ports` for this host, or use `{bin} auth login --no-browser`".into()),
        ),
        CallbackError::Denied { .. } => Error::other(e.to_string(), None, Some("run `{bin} auth login` again and approve the request".into())),
        CallbackError::Timeout => Error::other(
            "timed out waiting for the browser to finish the login",
            None,
            Some("run `{bin} auth login` again (raise --timeout), or use --no-browser or --device".into()),
        ),
        CallbackError::Cancelled => Error::other("login cancelled", None, None),
        other => Error::other(format!("the login callback failed: {other}"), None, None),
    }
}

/// What every flow needs, resolved once.
struct Flow<'a> {
    http: Http,
    ep: Endpoints,
    client_id: String,
    scopes: Vec<String>,
    deadline: Instant,
    ports: Vec<u16>,
    ui: &'a dyn Interaction,
}

/// Run an OAuth login and store the credential.
pub fn login(
    ctx: &mut Context,
    api_url: &ApiUrl,
    tenant_flag: Option<&str>,
    opts: &LoginOptions,
    ui: &dyn Interaction,
) -> Result<LoginOutcome> {
    let client_id = client_id(ctx, api_url, opts.client_id.as_deref())?;
    let http = Http::new(HTTP_TIMEOUT);
    let ep = discovery::resolve(ctx, Some(&http), api_url);
    let flow = Flow {
        scopes: scopes(ctx, api_url, &ep, &opts.extra_scopes),
        ports: ports(ctx, api_url),
        deadline: Instant::now() + opts.timeout,
        http,
        ep,
        client_id,
        ui,
    };
    let tokens = match opts.mode {
        Mode::Browser => flow.browser()?,
        Mode::NoBrowser => flow.paste()?,
        Mode::Device => flow.device()?,
    };
    let creds = ctx.credentials()?;
    let mut cred = validated_credential(
        ctx,
        &creds,
        &flow.http,
        api_url,
        &flow.ep.profile_url,
        tenant_flag,
        CredentialKind::Oauth,
        tokens.access_token.clone(),
    )?;
    cred.scopes = flow.scopes.clone();
    token::apply(&mut cred, tokens);
    cred.client_id = Some(flow.client_id.clone());
    store_login(ctx, &creds, cred)
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

fn ports(ctx: &Context, api_url: &ApiUrl) -> Vec<u16> {
    ctx.host(api_url)
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
    match super::browser::environment_hint() {
        Some(Hint::Ssh) => {
            if mode == Mode::Browser {
                ui.notice("This looks like an SSH session: `--no-browser` or `--device` is the better path here.");
            }
            ui.notice(&format!(
                "Or forward the callback port: `ssh -L {port}:127.0.0.1:{port} <host>`, then open the URL on your own machine."
            ));
        }
        Some(Hint::NoDisplay) if mode == Mode::Browser => {
            ui.notice("No display found: if no browser opens, use `--no-browser` or `--device`.");
        }
        _ => {}
    }
}

impl Flow<'_> {
    /// Exchange an authorization code with the PKCE verifier.
    fn exchange(&self, code: &str, redirect_uri: &str, pkce: &Pkce) -> Result<TokenResponse> {
        token::exchange_code(
            &self.http,
            &self.ep.token_url,
            &self.client_id,
            code,
            redirect_uri,
            pkce.verifier(),
        )
    }

    /// The authorization URL for this flow's client, scopes and endpoints.
    fn authorize_url(&self, redirect_uri: &str, state: &str, pkce: &Pkce) -> String {
        authorize_url(
            &self.ep,
            &self.client_id,
            redirect_uri,
            &self.scopes,
            state,
            pkce,
        )
    }

    fn browser(&self) -> Result<TokenResponse> {
        let listener = callback::bind(&self.ports).map_err(callback_error)?;
        let redirect_uri = listener.redirect_uri();
        let (pkce, state) = secrets()?;
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, listener.port(), Mode::Browser);
        let opened = super::browser::open(&url);
        self.ui.authorize_url(&url, Some(opened));
        let cancel = AtomicBool::new(false);
        let cb = {
            let _spin = self
                .ui
                .waiting("Waiting for the browser to finish the login…");
            listener.wait(&expect(&self.ep, &state), self.deadline, &cancel)
        }
        .map_err(callback_error)?;
        self.exchange(&cb.code, &redirect_uri, &pkce)
    }

    fn paste(&self) -> Result<TokenResponse> {
        let deadline = self.deadline;
        let (pkce, state) = secrets()?;
        let first_port = self.ports[0];
        let (redirect_uri, listener) = if self.ep.oob_supported {
            (OOB.to_string(), None)
        } else {
            let l = callback::bind(&[first_port]).ok();
            (format!("http://127.0.0.1:{first_port}/callback"), l)
        };
        let url = self.authorize_url(&redirect_uri, &state, &pkce);
        environment_advice(self.ui, first_port, Mode::NoBrowser);
        self.ui.authorize_url(&url, None);
        self.ui.notice("Then paste the code, or the whole address your browser was sent to (http://127.0.0.1:…/callback?code=…):");

        enum Event {
            Line(Option<String>),
            Callback(Result<String>),
        }
        let (tx, rx) = mpsc::channel::<Event>();
        let cancel = Arc::new(AtomicBool::new(false));
        let mut listening = false;
        if let Some(l) = listener {
            listening = true;
            let (tx, cancel, exp) = (tx.clone(), cancel.clone(), expect(&self.ep, &state));
            std::thread::spawn(move || {
                let r = l.wait(&exp, deadline, &cancel);
                if !matches!(r, Err(CallbackError::Cancelled)) {
                    let _ = tx.send(Event::Callback(r.map(|c| c.code).map_err(callback_error)));
                }
            });
        }
        // The terminal is read on a detached thread, so the listener can win the
        // race while a read is blocked.
        let mut read = self.ui.line_reader();
        std::thread::spawn(move || {
            loop {
                let line = read();
                let eof = line.is_none();
                if tx.send(Event::Line(line)).is_err() || eof {
                    break;
                }
            }
        });
        let code = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let event = match rx.recv_timeout(remaining) {
                Ok(e) => e,
                Err(_) => {
                    cancel.store(true, Ordering::SeqCst);
                    return Err(callback_error(CallbackError::Timeout));
                }
            };
            match event {
            Event::Callback(r) => break r?,
            Event::Line(Some(line)) if line.trim().is_empty() => {}
            Event::Line(Some(line)) => match paste::parse_pasted_with_issuer(
                &line,
                &state,
                expect(&self.ep, &state).issuer.as_deref(),
            ) {
                Ok(code) => {
                    cancel.store(true, Ordering::SeqCst);
                    break code;
                }
                Err(e @ paste::PasteError::Denied { .. }) => {
                    cancel.store(true, Ordering::SeqCst);
                    return Err(Error::other(
                        format!("authorization failed: {e}"),
                        None,
                        Some("run `{bin} auth login` again and approve the request".into()),
                    ));
                }
                Err(e) => self.ui.notice(&format!(
                    "That did not work ({e}). Paste the code or the whole callback address again:"
                )),
            },
            Event::Line(None) if listening => {}
            Event::Line(None) => {
                return Err(Error::usage(
                    "no authorization code was pasted (end of input)",
                    Some("run `{bin} auth login --no-browser` in a terminal and paste the code when asked".into()),
                ));
            }
        }
        };
        self.exchange(&code, &redirect_uri, &pkce)
    }

    fn device(&self) -> Result<TokenResponse> {
        let url = self.ep.device_authorization_url.as_deref().ok_or_else(|| {
        Error::usage(
            "this server does not advertise a device authorization endpoint",
            Some("log in with the browser (`{bin} auth login`) or `--no-browser`, or set `device_authorization_url` for this host".into()),
        )
    })?;
        let code = device::start(&self.http, url, &self.client_id, &self.scopes.join(" "))?;
        self.ui.device_code(&code);
        let _spin = self
            .ui
            .waiting("Waiting for you to approve the login in the browser…");
        device::poll(
            &self.http,
            &self.ep.token_url,
            &self.client_id,
            &code,
            self.deadline,
        )
    }
}
