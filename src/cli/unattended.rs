//! `auth login --federated` and `auth login --client-credentials`: logins
//! without a person, for CI jobs and service accounts.

use super::signal::cancellable;
use super::stdin_token::{Piped, read_token_stdin};
use super::ui::Terminal;
use crate::api_url::ApiUrl;
use crate::auth::login::{self as ops, LoginOutcome, Unattended};
use crate::error::{Error, Result};
use crate::id_token::{Federation, ID_TOKEN_TYPE, JWT_TYPE, NoSource, Wanted, choose};
use crate::secret::Secret;
use crate::session::Session;

/// `auth login`'s flags for logins without a person.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct UnattendedArgs {
    /// CI: exchange the job's own OIDC ID token for an access token (RFC 8693); no secret is
    /// stored. The ID token comes from GitHub Actions (auto-detected), --id-token-env,
    /// --id-token-command or --id-token-file, and is fetched again whenever the access token
    /// expires.
    #[arg(long, conflicts_with_all = ["with_token", "token_stdin", "web", "no_browser", "device", "client_credentials"])]
    pub federated: bool,
    /// The audience to ask the CI for its ID token (default: config `id_token_audience`, else
    /// the API URL).
    #[arg(long, value_name = "AUD", requires = "federated")]
    pub audience: Option<String>,
    /// Read the ID token from this environment variable (GitLab `id_tokens:`, CircleCI
    /// `CIRCLE_OIDC_TOKEN_V2`; default KEYWARD_ID_TOKEN when it is set).
    #[arg(long, value_name = "NAME", requires = "federated", value_parser = variable_name)]
    pub id_token_env: Option<String>,
    /// Run this command (`sh -c`) for the ID token at each exchange, e.g.
    /// `buildkite-agent oidc request-token --audience …`.
    #[arg(long, value_name = "CMD", requires = "federated", value_parser = command_line)]
    pub id_token_command: Option<String>,
    /// Read the ID token from this file at each exchange (Kubernetes projected
    /// service-account tokens, SPIFFE).
    #[arg(long, value_name = "PATH", requires = "federated")]
    pub id_token_file: Option<std::path::PathBuf>,
    /// A service account: the client credentials grant with --client-id and a secret from
    /// --client-secret-stdin or KEYWARD_CLIENT_SECRET (never an argument). The secret is kept
    /// in the credential store to obtain new tokens.
    #[arg(long, conflicts_with_all = ["with_token", "token_stdin", "web", "no_browser", "device"])]
    pub client_credentials: bool,
    /// Read the client secret from standard input.
    #[arg(long, requires = "client_credentials")]
    pub client_secret_stdin: bool,
}

/// `--id-token-env`: an environment variable's name.
fn variable_name(v: &str) -> std::result::Result<String, String> {
    let ok = v
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(v.to_string())
    } else {
        Err("give the name of an environment variable (letters, digits and _), such as CI_ID_TOKEN; its value is read, never given here".into())
    }
}

/// `--id-token-command`: a command, not blank.
fn command_line(v: &str) -> std::result::Result<String, String> {
    if v.trim().is_empty() {
        Err("the command is empty: give the command that prints the ID token".into())
    } else {
        Ok(v.to_string())
    }
}

/// The `auth login` flags every login shares.
pub(super) struct Common<'a> {
    pub client_id: Option<&'a str>,
    pub scopes: &'a [String],
    pub tenant: Option<&'a str>,
}

pub(super) fn login(
    session: &mut Session,
    api_url: &ApiUrl,
    a: &UnattendedArgs,
    common: Common<'_>,
    ui: &Terminal,
) -> Result<LoginOutcome> {
    let how = if a.federated {
        Unattended::Federated(federation(session, api_url, a)?)
    } else {
        Unattended::ClientCredentials(client_secret(session, a)?)
    };
    let client_id = session.client_id(api_url, common.client_id).ok();
    let scopes = common
        .scopes
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let tenant = common.tenant;
    crate::rt::block_on(cancellable(ops::unattended(
        session, api_url, tenant, how, client_id, scopes, ui,
    )))
}

/// What `--federated` exchanges, from its flags, config and the
/// environment.
fn federation(session: &Session, api_url: &ApiUrl, a: &UnattendedArgs) -> Result<Federation> {
    let platform = &session.platform;
    let file = match &a.id_token_file {
        // Absolute: it is read again later, from wherever keyward runs.
        Some(p) => Some(
            std::path::absolute(p)
                .map_err(|e| Error::usage(format!("invalid --id-token-file: {e}"), None))?
                .to_string_lossy()
                .into_owned(),
        ),
        None => None,
    };
    let wanted = Wanted {
        env: a.id_token_env.clone().filter(|v| !v.trim().is_empty()),
        command: a.id_token_command.clone().filter(|c| !c.trim().is_empty()),
        file,
        default_env: platform.env_var("ID_TOKEN"),
    };
    // A variable that is set but not UTF-8 is still the source the user
    // meant: reading it then says what is wrong with it.
    let lookup = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
    let source = choose(&wanted, &lookup).map_err(|why| match why {
        NoSource::Several => Error::usage(
            "--id-token-env, --id-token-command and --id-token-file name the ID token's source: give only one of them",
            Some("keep the flag for where your CI puts the ID token".to_string()),
        ),
        NoSource::GithubWithoutPermission => Error::usage(
            "this GitHub Actions job cannot request an ID token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not both set",
            Some("give the workflow or job `permissions: id-token: write`".to_string()),
        ),
        NoSource::Nothing => Error::usage(
            "--federated found no CI ID token: not GitHub Actions, and no flag names one",
            Some(format!(
                "pass --id-token-env NAME (GitLab `id_tokens:`, CircleCI CIRCLE_OIDC_TOKEN_V2), --id-token-command CMD or --id-token-file PATH, or set {}",
                wanted.default_env
            )),
        ),
    })?;
    let host = session.host(api_url);
    let audience = a
        .audience
        .clone()
        .or(host.id_token_audience)
        .unwrap_or_else(|| api_url.to_string());
    let subject_token_type = match host.subject_token_type.as_deref() {
        None | Some("id_token") => ID_TOKEN_TYPE.to_string(),
        Some("jwt") => JWT_TYPE.to_string(),
        Some(t) if t == ID_TOKEN_TYPE || t == JWT_TYPE => t.to_string(),
        Some(t) => {
            return Err(Error::usage(
                format!("config `subject_token_type` for {api_url} is `{t}`"),
                Some("use `id_token` or `jwt`".to_string()),
            ));
        }
    };
    Ok(Federation {
        source,
        audience,
        subject_token_type,
    })
}

/// The client secret: standard input (`--client-secret-stdin`), else
/// `{ENV}_CLIENT_SECRET`.
fn client_secret(session: &Session, a: &UnattendedArgs) -> Result<Secret> {
    if a.client_secret_stdin {
        return read_token_stdin(Piped::ClientSecret);
    }
    let var = session.platform.env_var("CLIENT_SECRET");
    match session.platform.env("CLIENT_SECRET") {
        Some(s) => Ok(Secret::new(s.trim())),
        None => Err(Error::usage(
            "--client-credentials needs the client secret",
            Some(format!(
                "pipe it in with --client-secret-stdin, or set {var} (never pass it as an argument)"
            )),
        )),
    }
}
