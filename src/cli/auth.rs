//! `auth`: the subcommand enum an embedding CLI mounts, and its dispatch.

use super::target::{Account, Host};
use crate::error::Result;
use crate::platform::Platform;
use clap::Subcommand;

pub use super::doctor::DoctorArgs;
pub use super::login::LoginArgs;
pub use super::status::StatusArgs;

/// `auth` subcommands. An embedding CLI can mount this enum in its own app:
/// each command carries its own `-h/--hostname/--api-url` and `--tenant`.
#[derive(Debug, Subcommand)]
#[command(after_help = "\
Examples:
  keyward auth login -h api.example.com
  keyward auth status
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile
  keyward auth logout --revoke
  keyward auth doctor")]
// The variants' doc comments are help text, shown verbatim (`<host>` too).
#[allow(rustdoc::invalid_html_tags)]
pub enum AuthCommand {
    /// Log in to an API: in the browser (default), by pasting a code back (--no-browser),
    /// with the device flow (--device), with a personal access token (--token-stdin), or
    /// without a person: a CI job's ID token (--federated), a service account
    /// (--client-credentials).
    ///
    /// At a terminal it asks what it does not know: which API (no -h and no default), how to
    /// log in (a menu; --web, --no-browser, --device or --with-token answer it), and which
    /// tenant when the profile lists several. Where the server allows dynamic registration
    /// (RFC 7591) and no client id is known, keyward registers itself and keeps the client id
    /// in config.toml. Nothing is asked when stdin or stderr is not a terminal, CI is set or
    /// KEYWARD_PROMPT_DISABLED is set: the browser is used, and a missing answer is a usage
    /// error naming its flag.
    #[command(after_help = "\
Examples:
  keyward auth login                       # asks which API and how
  keyward auth login -h api.example.com -w # the browser, no questions
  keyward auth login --no-browser          # over SSH: paste the code back
  keyward auth login --device              # enter a one-time code in any browser
  echo \"$TOKEN\" | keyward auth login --with-token --tenant acme
  keyward auth login --federated -h api.example.com   # CI: the job's own ID token
  keyward auth login --federated --id-token-env CIRCLE_OIDC_TOKEN_V2
  echo \"$SECRET\" | keyward auth login --client-credentials --client-id bot --client-secret-stdin")]
    Login(Box<LoginArgs>),
    /// Show every stored login, or one API's (-h); exit 1 when one is not usable.
    ///
    /// The default API URL comes first, marked (default), or (default, from /path/.keyward.toml)
    /// when a per-project pin chose it; each login's tenant says where it came from.
    #[command(after_help = "\
Examples:
  keyward auth status
  keyward auth status -h api.example.com --verify
  keyward auth status --json")]
    Status(StatusArgs),
    /// Refresh the access token now (OAuth logins with a refresh token).
    #[command(
        after_help = "Examples:\n  keyward auth refresh\n  keyward auth refresh -h staging.example.com"
    )]
    Refresh {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// The account.
        #[command(flatten)]
        account: Account,
    },
    /// Print the access token on stdout, for scripts
    ///
    /// The stored login's token, refreshed first when it expires within 60 s, or within
    /// --min-valid when that is longer. An environment token wins without any store access
    /// and is printed unchanged (its expiry is unknown: --min-valid does not apply to it):
    ///
    ///   KEYWARD_TOKEN_<host>  for that host only: lowercase, `.` as `_`, `-` as `__`,
    ///                         a port as `_<port>` (KEYWARD_TOKEN_api_example_com,
    ///                         KEYWARD_TOKEN_localhost_8080); upper case works too
    ///   KEYWARD_TOKEN         for one API URL only: KEYWARD_API_URL if set, else the
    ///                         default API URL (a .keyward.toml pin's, else config's),
    ///                         else the one the command names; commands for other API
    ///                         URLs ignore it
    ///
    /// Where one applies, `auth login`, `auth logout` and `auth refresh` for that API URL
    /// refuse (exit 1) and `whoami` reads the profile with it. A value with a space, a
    /// newline or a control character is refused (exit 2) and never sent.
    ///
    /// When only a new login helps (the token expired with no refresh token, or the server
    /// refused the refresh) and you are at a terminal, it offers to log in again (default
    /// no) and then prints the new token; scripts without a terminal get exit 4.
    ///
    /// --json prints {"token", "expires_at" (RFC 3339 UTC, or null when unknown), "api_url",
    /// "env_token" (the variable, or null), "account"}; with --json an error is a JSON object
    /// on stderr (see README, "JSON output").
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile
  keyward auth token -h staging.example.com
  keyward auth token --min-valid 5m      # a job that runs for minutes: valid at least 5m more
  keyward auth token --json | jq -r .expires_at
  KEYWARD_TOKEN=... keyward auth token   # prints KEYWARD_TOKEN, no store access
  # one job, two APIs
  export KEYWARD_TOKEN_api_example_com=\"$PROD_TOKEN\"
  export KEYWARD_TOKEN_staging_example_com=\"$STAGING_TOKEN\"
  keyward auth token -h staging.example.com   # prints $STAGING_TOKEN"
    )]
    Token {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// The account.
        #[command(flatten)]
        account: Account,
        /// Refresh first unless the token stays valid this long (e.g. 90s, 5m, 1h); exit 4 when
        /// it cannot be refreshed and expires sooner. Below 60s the refresh still happens at 60s.
        #[arg(long, value_name = "DURATION", value_parser = super::token::parse_min_valid)]
        min_valid: Option<std::time::Duration>,
        /// Print JSON: the token, its expiry, the API URL; errors as JSON on stderr.
        #[arg(long)]
        json: bool,
    },
    /// Remove the stored login of the active account of an API (keychain and file), or of
    /// the account -u names, or of every account (--all). Settings stay.
    ///
    /// When the active account is removed, the newest remaining one becomes active. With
    /// logins to several APIs stored and none named (-h or KEYWARD_API_URL), it asks which at
    /// a terminal; without one it exits 2 and names -h.
    #[command(
        after_help = "Examples:\n  keyward auth logout\n  keyward auth logout -u alice@example.com\n  keyward auth logout --all --revoke\n  keyward auth logout -h staging.example.com"
    )]
    Logout {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// The account.
        #[command(flatten)]
        account: Account,
        /// Log out of every account of the API.
        #[arg(long, conflicts_with = "user")]
        all: bool,
        /// Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint.
        #[arg(long)]
        revoke: bool,
    },
    /// Make another stored account of an API the active one.
    ///
    /// With -h it also makes that API the default (config `api_url`). With two accounts and no
    /// -u it switches to the other one; with more it asks at a terminal, else exits 2 listing
    /// them. USER is an account id, an email (any case) or a name. To use an account for one
    /// command or one shell without switching: -u USER, or KEYWARD_USER.
    #[command(
        after_help = "Examples:\n  keyward auth switch\n  keyward auth switch -u alice@example.com\n  keyward auth switch -h staging.example.com -u bot"
    )]
    Switch {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// The account.
        #[command(flatten)]
        account: Account,
    },
    /// Check what a login needs and say what to fix; exit 1 when a check fails
    ///
    /// One line per check, ✓ (fine), ✗ (broken, with the fix under it), ! (worth knowing)
    /// or - (not checked, and why):
    ///
    ///   keychain            the OS keychain answers (else why: no D-Bus session bus, no
    ///                       Secret Service, a locked or missing default collection, no
    ///                       answer within keychain_timeout); not used with
    ///                       credential_store = file
    ///   credentials_file    credentials.json, if any, is 0600, in a directory only you
    ///                       can write
    ///   config              config.toml parses (else where not), with no unknown key
    ///   config_permissions  only you can change config.toml, its directory and the
    ///                       ca_files it names (else every other command refuses it)
    ///   api_url             the API URL answers (any HTTP status)
    ///   discovery           what the server's metadata says: issuer and endpoints
    ///   token               the API accepts the token (KEYWARD_TOKEN where it applies,
    ///                       else the stored login) at its profile endpoint
    ///   clock               the local clock is within 60 s of the server's Date header
    ///   callback_ports      each loopback port of a browser login is free
    ///
    /// --offline skips api_url, discovery, clock and the server's verdict on the token. The
    /// doctor never changes anything: it stores no keychain item, tightens no permission,
    /// refreshes no token and leaves the discovery cache alone.
    #[command(
        verbatim_doc_comment,
        after_help = "\
Examples:
  keyward auth doctor
  keyward auth doctor -h staging.example.com
  keyward auth doctor --offline
  keyward auth doctor --json | jq '.checks[] | select(.status == \"fail\")'"
    )]
    Doctor(DoctorArgs),
    /// Make git use your login for HTTPS remotes (git clone, git push)
    ///
    /// For each stored API URL (or the one -h names), and for the git hosts config maps to it
    /// (`git_hosts`), this writes to your global git config a blank
    /// `credential.<origin>.helper`, which stops every other credential helper (such as
    /// `store`) from ever receiving the token, then `!'<this program>' auth git-credential`.
    /// git then gets a live token as the password, refreshed when needed, with the user name
    /// `x-access-token` (config `git_username`). A 401 from the git server never logs you
    /// out, and a password typed at git's prompt is never stored. Run it again after moving
    /// the program.
    #[command(after_help = "\
Examples:
  keyward auth setup-git
  keyward auth setup-git -h api.example.com
  keyward config set git_hosts git.example.com --host https://api.example.com
  keyward auth setup-git -h api.example.com --force   # before logging in

Undo:
  git config --global --remove-section credential.https://api.example.com")]
    #[command(mut_arg("api_url", |a| a.help(
        "Set git up for this API URL only (or a bare host). Default: every stored API URL"
    )))]
    SetupGit {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// Set git up for the API URL -h names even when it is not logged in yet.
        #[arg(long)]
        force: bool,
    },
    /// The git credential helper `auth setup-git` installs (run by git)
    ///
    /// Reads git's request on stdin. For `get` it prints the user name and a live token for
    /// the origin of a stored API URL (or a git host mapped to one), and nothing for any other
    /// origin. `store` and `erase` are ignored: keyward's login is changed only by keyward.
    #[command(
        hide = true,
        after_help = "Examples:\n  printf 'protocol=https\\nhost=api.example.com\\n\\n' | keyward auth git-credential get"
    )]
    GitCredential {
        /// get, store or erase (git's operation; others are ignored).
        #[arg(value_name = "OPERATION")]
        operation: String,
    },
}

impl AuthCommand {
    /// The environment this command names (`-h`, `--tenant`).
    pub fn target(&self) -> super::target::Target {
        match self {
            AuthCommand::Login(a) => a.target.clone(),
            AuthCommand::Status(s) => s.target.clone(),
            AuthCommand::Doctor(d) => d.target.clone(),
            AuthCommand::Refresh { target, .. }
            | AuthCommand::Token { target, .. }
            | AuthCommand::Switch { target, .. }
            | AuthCommand::Logout { target, .. }
            | AuthCommand::SetupGit { target, .. } => target.clone().into(),
            AuthCommand::GitCredential { .. } => super::target::Target::default(),
        }
    }

    /// True when the command was given `--json` (its errors are then
    /// printed as JSON too: see [`super::set_json_errors`]).
    pub fn json(&self) -> bool {
        match self {
            AuthCommand::Status(s) => s.json,
            AuthCommand::Doctor(d) => d.json,
            AuthCommand::Token { json, .. } => *json,
            AuthCommand::Login(_)
            | AuthCommand::Refresh { .. }
            | AuthCommand::Logout { .. }
            | AuthCommand::Switch { .. }
            | AuthCommand::SetupGit { .. }
            | AuthCommand::GitCredential { .. } => false,
        }
    }

    /// The account this command names (`-u`).
    pub fn user(&self) -> Option<String> {
        match self {
            AuthCommand::Login(_)
            | AuthCommand::Doctor(_)
            | AuthCommand::SetupGit { .. }
            | AuthCommand::GitCredential { .. } => None,
            AuthCommand::Status(s) => s.account.user.clone(),
            AuthCommand::Refresh { account, .. }
            | AuthCommand::Token { account, .. }
            | AuthCommand::Switch { account, .. }
            | AuthCommand::Logout { account, .. } => account.user.clone(),
        }
    }
}

pub(super) fn run(platform: Platform, cmd: AuthCommand) -> Result<()> {
    match cmd {
        AuthCommand::Login(a) => super::login::run(platform, *a),
        AuthCommand::Status(s) if s.check => {
            super::status::check(platform, &s.target, s.account.user, s.within)
        }
        AuthCommand::Status(s) => super::status::run(platform, s),
        AuthCommand::Doctor(d) => super::doctor::run(platform, d),
        AuthCommand::Token {
            target,
            account,
            min_valid,
            json,
        } => super::token::run(
            platform,
            &target.into(),
            account.user,
            super::token::Options { min_valid, json },
        ),
        AuthCommand::Refresh { target, account } => {
            super::refresh::run(platform, &target.into(), account.user)
        }
        AuthCommand::Logout {
            target,
            account,
            all,
            revoke,
        } => super::logout::run(platform, &target.into(), account.user, revoke, all),
        AuthCommand::Switch { target, account } => {
            super::switch::run(platform, &target.into(), account.user)
        }
        AuthCommand::SetupGit { target, force } => super::git::setup(platform, &target, force),
        AuthCommand::GitCredential { operation } => super::git::credential(platform, &operation),
    }
}
