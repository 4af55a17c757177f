//! `auth`: the subcommand enum an embedding CLI mounts, and its dispatch.

use super::global::GlobalArgs;
use crate::error::Result;
use crate::platform::Platform;
use clap::Subcommand;

pub use super::login::LoginArgs;

/// `auth` subcommands. An embedding CLI can mount this enum in its own app.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in to an API: in the browser (default), by pasting a code back (--no-browser),
    /// with the device flow (--device), or with a personal access token (--token-stdin).
    #[command(after_help = "\
Examples:
  keyward auth login --api-url https://api.example.com
  keyward auth login --no-browser          # over SSH: paste the code back
  keyward auth login --device              # enter a one-time code in any browser
  echo \"$TOKEN\" | keyward auth login --token-stdin --tenant acme")]
    Login(LoginArgs),
    /// Show the stored login for an API (offline).
    #[command(after_help = "\
Examples:
  keyward auth status
  keyward auth status --all --json")]
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired
        /// without a refresh token, 2 if it expires within --within without a refresh token.
        #[arg(long, conflicts_with_all = ["all", "json", "show_token"])]
        check: bool,
        /// With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d).
        #[arg(long, value_name = "DURATION", default_value = "24h", requires = "check", value_parser = parse_within)]
        within: std::time::Duration,
        /// Show the whole token.
        #[arg(long)]
        show_token: bool,
        /// List every stored environment.
        #[arg(long)]
        all: bool,
    },
    /// Refresh the access token now (OAuth logins with a refresh token).
    #[command(
        after_help = "Examples:\n  keyward auth refresh\n  keyward auth refresh --api-url https://staging.example.com"
    )]
    Refresh,
    /// Print the access token on stdout, for scripts.
    #[command(after_help = "\
Examples:
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile
  KEYWARD_TOKEN=... keyward auth token   # prints KEYWARD_TOKEN, no store access")]
    Token,
    /// Remove the stored login for an API (keychain and file). Settings stay.
    #[command(
        after_help = "Examples:\n  keyward auth logout\n  keyward auth logout --revoke\n  keyward auth logout --api-url https://staging.example.com"
    )]
    Logout {
        /// Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint.
        #[arg(long)]
        revoke: bool,
    },
}

pub(super) fn run(platform: Platform, g: &GlobalArgs, cmd: AuthCommand) -> Result<()> {
    match cmd {
        AuthCommand::Login(a) => super::login::run(platform, g, a),
        AuthCommand::Status {
            check: true,
            within,
            ..
        } => super::status::check(platform, g, within),
        AuthCommand::Status {
            json,
            show_token,
            all,
            ..
        } => super::status::run(platform, g, json, show_token, all),
        AuthCommand::Token => super::token::run(platform, g),
        AuthCommand::Refresh => super::refresh::run(platform, g),
        AuthCommand::Logout { revoke } => super::logout::run(platform, g, revoke),
    }
}

fn parse_within(s: &str) -> std::result::Result<std::time::Duration, String> {
    crate::time::parse_duration(s)
}
