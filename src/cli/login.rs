//! `auth login`: parse, read a token from stdin, call the login operation,
//! say what happened.

use super::debug::load_session;
use super::signal::cancellable;
use super::target::Target;
use super::ui::{self, Terminal, prompt};
use crate::auth::env::{Action, refuse_if_env_token};
use crate::auth::login::{self as ops, LoginOutcome};
use crate::error::Result;
use crate::platform::Platform;
use crate::secret::Secret;

/// `auth login` options.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The environment.
    #[command(flatten)]
    pub target: Target,
    /// Log in with a personal access token read from standard input (as gh's --with-token);
    /// `--with-token TOKEN` also works, but leaves it in shell history and the process list.
    #[arg(long, value_name = "TOKEN", num_args = 0..=1, conflicts_with_all = ["token_stdin", "no_browser", "device", "scopes"])]
    pub with_token: Option<Option<String>>,
    /// Read the token from standard input (a pipe), or ask for it, hidden, at a terminal.
    #[arg(long, conflicts_with_all = ["no_browser", "device", "scopes"])]
    pub token_stdin: bool,
    /// Log in in the browser, without asking how.
    #[arg(short = 'w', long, conflicts_with_all = ["no_browser", "device", "with_token", "token_stdin"])]
    pub web: bool,
    /// Do not open a browser: print the URL and paste back the code or the address you land on.
    #[arg(long, conflicts_with = "device")]
    pub no_browser: bool,
    /// Use the device flow: enter a short code on any device's browser.
    #[arg(long)]
    pub device: bool,
    /// OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host, then
    /// the stored login's; else keyward registers one where the server allows it).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Extra scopes to request, comma-separated, added to the host's default scopes.
    #[arg(short = 's', long, value_name = "A,B", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Seconds to wait for the login to be finished in the browser (1 to 86400).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT,
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub timeout: u64,
    /// The account to preselect at the identity provider (its `login_hint`), e.g. an email.
    #[arg(long, value_name = "USER")]
    pub login_hint: Option<String>,
    /// Another parameter for the authorization request, NAME=VALUE (repeatable), e.g.
    /// `--auth-param prompt=login` or `--auth-param acr_values=mfa`.
    #[arg(long, value_name = "NAME=VALUE", value_parser = crate::oauth::authorize::parse_param)]
    pub auth_param: Vec<(String, String)>,
    /// CI and service-account logins.
    #[command(flatten)]
    pub unattended: super::unattended::UnattendedArgs,
}

impl LoginArgs {
    /// A login to `target` with every choice left to the questions (or the
    /// defaults): what `auth token` runs when the person accepts to log in
    /// again.
    pub(super) fn for_target(target: Target) -> LoginArgs {
        LoginArgs {
            target,
            with_token: None,
            token_stdin: false,
            web: false,
            no_browser: false,
            device: false,
            client_id: None,
            scopes: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            login_hint: None,
            auth_param: Vec::new(),
            unattended: Default::default(),
        }
    }
}

/// Seconds `auth login` waits for the browser by default.
const DEFAULT_TIMEOUT: u64 = 300;

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Oauth(crate::oauth::Mode),
    Token,
}

pub(super) fn run(platform: Platform, a: LoginArgs) -> Result<()> {
    let mut session = load_session(platform)?;
    let interactive = prompt::can_prompt(&platform);
    let ui = Terminal { interactive };
    let g = &a.target;
    let api_url = match session.api_url_if_any(g.api_url.as_deref())? {
        Some((u, _)) => u,
        None if interactive => ask_api_url()?,
        None => return session.api_url(None).map(|_| ()),
    };
    // Before any other question, and before the browser: an environment
    // token for this API URL refuses the login.
    refuse_if_env_token(&session, &api_url, Action::Login)?;
    let tenant = g.tenant.as_deref();
    if a.unattended.federated || a.unattended.client_credentials {
        let out = super::unattended::login(
            &mut session,
            &api_url,
            &a.unattended,
            super::unattended::Common {
                client_id: a.client_id.as_deref(),
                scopes: &a.scopes,
                tenant: g.tenant.as_deref(),
            },
            &ui,
        )?;
        return report_login(&session, &api_url, out);
    }
    if let Some(Some(t)) = &a.with_token {
        ui::warn(&format!(
            "--with-token TOKEN leaves the token in your shell history and the process list; pipe it instead: `echo \"$TOKEN\" | {} auth login --with-token`",
            platform.name
        ));
        let token = Secret::new(t.trim());
        return token_login(&mut session, &api_url, tenant, token, &ui);
    }
    if a.token_stdin || a.with_token.is_some() {
        let token = super::stdin_token::read_token_stdin(super::stdin_token::Piped::Token)?;
        return token_login(&mut session, &api_url, tenant, token, &ui);
    }
    // Discovery first: an unreachable API fails before any question, and
    // the menu offers the device flow only where the server does.
    let prepared = crate::rt::block_on(cancellable(ops::prepare(&session, &api_url)))?;
    let flagged = if a.device {
        Some(crate::oauth::Mode::Device)
    } else if a.no_browser {
        Some(crate::oauth::Mode::NoBrowser)
    } else if a.web {
        Some(crate::oauth::Mode::Browser)
    } else {
        None
    };
    let mut save_client_id = false;
    let known = ops::client_id(&session, &api_url, a.client_id.as_deref(), &prepared);
    let typed = match known {
        ops::ClientId::Unknown if !interactive => {
            // The error that names every way to give one.
            return session.client_id(&api_url, None).map(|_| ());
        }
        ops::ClientId::Unknown => {
            let question =
                format!("No OAuth client id is known for {api_url}. What would you like to do?");
            let how = if flagged.is_some() {
                1
            } else {
                prompt::select(
                    &question,
                    &[
                        "Paste a token".to_string(),
                        "Enter an OAuth client id".to_string(),
                    ],
                    0,
                )?
            };
            if how == 0 {
                let token = ui::read_token("Paste your token:")?;
                return token_login(&mut session, &api_url, tenant, token, &ui);
            }
            save_client_id = true;
            Some(prompt::input("OAuth client id", |s| {
                if s.trim().is_empty() || s.trim().chars().any(char::is_whitespace) {
                    Err("a client id is one word".to_string())
                } else {
                    Ok(())
                }
            })?)
        }
        _ => None,
    };
    let method = match flagged {
        Some(m) => Method::Oauth(m),
        None if interactive => ask_method(prepared.offers_device())?,
        None => Method::Oauth(crate::oauth::Mode::Browser),
    };
    let mode = match method {
        Method::Token => {
            let token = ui::read_token("Paste your token:")?;
            return token_login(&mut session, &api_url, tenant, token, &ui);
        }
        Method::Oauth(m) => m,
    };
    // Registered only now, once an OAuth login is chosen: pasting a token
    // needs no client.
    let client_id = match (typed, known) {
        (Some(id), _) | (None, ops::ClientId::Known(id)) => id,
        (None, ops::ClientId::Registrable(endpoint)) => {
            let (id, saved) = crate::rt::block_on(cancellable(ops::register_client(
                &mut session,
                &api_url,
                &endpoint,
                &prepared,
            )))?;
            match saved {
                Ok(()) => ui::success(&format!(
                    "Registered {} as an OAuth client of {api_url} (client id {id}); saved in config.toml",
                    platform.name
                )),
                Err(e) => ui::warn(&format!(
                    "registered {} as an OAuth client of {api_url} (client id {id}), but could not save it: {e}",
                    platform.name
                )),
            }
            id
        }
        (None, ops::ClientId::Unknown) => return session.client_id(&api_url, None).map(|_| ()),
    };
    let opts = crate::oauth::LoginOptions {
        client_id: Some(client_id.clone()),
        extra_scopes: a
            .scopes
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        mode,
        timeout: std::time::Duration::from_secs(a.timeout.max(1)),
        extras: crate::oauth::authorize::Extras {
            select_account: false,
            login_hint: a.login_hint.clone().filter(|h| !h.trim().is_empty()),
            params: a.auth_param.clone(),
        },
    };
    let out = {
        let session = &mut session;
        crate::rt::block_on(cancellable(ops::with_oauth(
            session, &api_url, tenant, &opts, &ui, prepared,
        )))
    }?;
    if save_client_id {
        match ops::save_client_id(&mut session, &api_url, &client_id) {
            Ok(()) => errln!("  the client id is saved for {api_url} (config.toml)"),
            Err(e) => ui::warn(&format!("could not save the client id: {e}")),
        }
    }
    report_login(&session, &api_url, out)
}

/// "Which API do you want to log in to?", checked as `-h` would be.
fn ask_api_url() -> Result<crate::ApiUrl> {
    let answer = prompt::input(
        "Which API do you want to log in to? (e.g. api.example.com)",
        |s| crate::ApiUrl::parse(s).map(|_| ()).map_err(|e| e.message),
    )?;
    Ok(crate::ApiUrl::parse(&answer)?)
}

/// "How would you like to log in?"
fn ask_method(device: bool) -> Result<Method> {
    use crate::oauth::Mode;
    let mut items = vec![
        (Method::Oauth(Mode::Browser), "Browser"),
        (
            Method::Oauth(Mode::NoBrowser),
            "No browser: paste the code back",
        ),
    ];
    if device {
        items.push((Method::Oauth(Mode::Device), "Device code"));
    }
    items.push((Method::Token, "Paste a token"));
    let labels: Vec<String> = items.iter().map(|(_, l)| l.to_string()).collect();
    let i = prompt::select("How would you like to log in?", &labels, 0)?;
    Ok(items
        .get(i)
        .map(|(m, _)| *m)
        .unwrap_or(Method::Oauth(Mode::Browser)))
}

fn token_login(
    session: &mut crate::session::Session,
    api_url: &crate::ApiUrl,
    tenant: Option<&str>,
    token: Secret,
    ui: &Terminal,
) -> Result<()> {
    let out = crate::rt::block_on(cancellable(ops::with_token(
        session, api_url, tenant, token, ui,
    )))?;
    report_login(session, api_url, out)
}

pub(super) fn report_login(
    session: &crate::session::Session,
    api_url: &crate::ApiUrl,
    out: LoginOutcome,
) -> Result<()> {
    ui::warn_all(&out.warnings);
    if let Some(u) = &out.already {
        ui::warn(&format!(
            "You were already logged in to {api_url} as {}",
            u.display()
        ));
    }
    let who = out.record.user.display();
    match out.others.as_slice() {
        [] => ui::success(&format!("Logged in to {api_url} as {who}")),
        others => {
            let host = match session.api_url_if_any(None) {
                Ok(Some((d, _))) if &d == api_url => String::new(),
                _ => format!(" -h {api_url}"),
            };
            let (names, user) = match others {
                [one] => (format!("{one} is"), one.clone()),
                many => (format!("{} are", many.join(", ")), "USER".to_string()),
            };
            ui::success(&format!(
                "Logged in to {api_url} as {who}; {names} still stored: `{} auth switch{host} -u {user}`",
                session.platform.name
            ));
        }
    }
    if out.saved_default {
        errln!("  {api_url} is now the default API URL (config.toml)");
    }
    Ok(())
}
