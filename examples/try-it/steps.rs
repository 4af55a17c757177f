//! The tour's steps: keyward's commands (run in this process), `auth
//! token` through a child whose output is masked, and a request showing
//! the API refuse a revoked token.

use crate::account::PROFILE_PATH;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `token` with all but its first few characters hidden.
pub fn mask(token: &str) -> String {
    let shown: String = token.chars().take(9).collect();
    format!(
        "{shown}{} ({} characters; try-it --show-token shows it)",
        "*".repeat(12),
        token.chars().count()
    )
}

/// One step of the tour.
pub enum Action {
    /// keyward's CLI in this process, expecting this exit code.
    Cli(i32),
    /// `auth token` in a child process, its output masked.
    Token,
    /// A request to the profile with the token `auth token` printed,
    /// expecting 401.
    Refused,
}

pub struct Step {
    pub title: String,
    pub args: Vec<String>,
    pub action: Action,
}

/// A step running `keyward LINE` (words split on spaces).
fn step(title: &str, line: &str, action: Action) -> Step {
    Step {
        title: title.into(),
        args: line.split_whitespace().map(str::to_string).collect(),
        action,
    }
}

/// The tour's steps against `host`. `reset_default`: with `--keep`, put
/// back the absence of a default API URL that the login sets.
pub fn steps(host: &str, interactive: bool, reset_default: bool) -> Vec<Step> {
    let login = if interactive {
        "Log in: your browser opens; press Approve (authorization code + PKCE)"
    } else {
        "Log in: this example's --approve presses Approve as BROWSER (authorization code + PKCE)"
    };
    let h = |line: &str| line.replace("{h}", host);
    let mut all = vec![
        step(
            login,
            &h("auth login -h {h} --web --tenant acme"),
            Action::Cli(0),
        ),
        step(
            "Where the login is stored and how long its token lives",
            &h("auth status -h {h}"),
            Action::Cli(0),
        ),
        step(
            "The access token, for scripts (masked here)",
            &h("auth token -h {h}"),
            Action::Token,
        ),
        step(
            "Who the token belongs to, from the profile endpoint",
            &h("whoami -h {h}"),
            Action::Cli(0),
        ),
        step(
            "The tenants the profile lists; `*` marks the one in use",
            &h("tenants list -h {h}"),
            Action::Cli(0),
        ),
        step(
            "Refresh now: a new access token, and the refresh token rotates",
            &h("auth refresh -h {h}"),
            Action::Cli(0),
        ),
        step(
            "Log out and revoke the tokens at the server (RFC 7009)",
            &h("auth logout -h {h} --revoke"),
            Action::Cli(0),
        ),
        step(
            "The API refuses the token of step {token} now",
            "",
            Action::Refused,
        ),
        step(
            "Logged out: auth status says so (exit 1)",
            &h("auth status -h {h}"),
            Action::Cli(1),
        ),
    ];
    if reset_default {
        all.push(step(
            "Put your config back: the login made this server your default API URL",
            "config unset api_url",
            Action::Cli(0),
        ));
    }
    all
}

/// The shell line for `args`.
pub fn shell(args: &[String]) -> String {
    std::iter::once("keyward".to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `auth token` through this program's `--keyward` mode: its standard
/// output read here, its standard error shown.
pub fn token(exe: &std::path::Path, args: &[String]) -> Result<String, String> {
    let out = Command::new(exe)
        .arg("--keyward")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("exit {}", out.status.code().unwrap_or(-1)));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| "the token is not text".to_string())?;
    let token = text.trim().to_string();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err("it printed no single token".into());
    }
    Ok(token)
}

/// GET the profile with `token`: `Ok` when the server refuses it with 401.
pub fn refused(host: &str, token: &str) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    runtime.block_on(async {
        let r = client
            .get(format!("http://{host}{PROFILE_PATH}"))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("the request failed: {e}"))?;
        let status = r.status();
        let challenge = r
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if status == 401 {
            Ok(format!("HTTP {status}; WWW-Authenticate: {challenge}"))
        } else {
            Err(format!("the server answered {status}, not 401"))
        }
    })
}
