//! The command line: clap definitions, dispatch, and printing. Commands are
//! thin: parse, call the library, print.

mod auth;
mod config;
mod global;
mod login;
mod logout;
mod refresh;
mod signal;
mod status;
mod tenants;
mod token;
mod ui;
mod whoami;

pub use auth::{AuthCommand, LoginArgs};
pub use global::GlobalArgs;
pub use ui::print_error;

use crate::error::{Result, exit};
use crate::platform::Platform;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit codes:
    0  ok
    1  error (network, storage, server, configuration)
    2  usage (bad flag, argument or input)
    4  authentication (not logged in, token rejected or expired)
  130  cancelled (Ctrl-C): nothing was written

Environment:
  KEYWARD_API_URL           API URL when --api-url is not given
  KEYWARD_TENANT            tenant when --tenant is not given
  KEYWARD_TOKEN             token used instead of any stored credential
  KEYWARD_CONFIG_DIR        config directory (default ~/.config/keyward)
  KEYWARD_CREDENTIAL_STORE  auto | keychain | file
  KEYWARD_CLIENT_ID         OAuth client id when --client-id is not given
  BROWSER                   command that opens the login URL

Examples:
  keyward auth login --api-url https://api.example.com
  echo \"$TOKEN\" | keyward auth login --token-stdin --tenant acme
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile";

/// Sign in to OAuth2 APIs from the terminal, with tokens kept in the OS keychain.
#[derive(Debug, Parser)]
#[command(name = "keyward", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in, log out, and get tokens.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Show who you are logged in as (offline).
    #[command(after_help = "Examples:\n  keyward whoami\n  keyward whoami --json")]
    Whoami {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List your tenants and choose the default one.
    #[command(subcommand)]
    Tenants(tenants::TenantsCommand),
    /// Read and change settings in config.toml.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  keyward completion bash > ~/.local/share/bash-completion/completions/keyward\n  keyward completion zsh > \"${fpath[1]}/_keyward\""
    )]
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The clap command tree (for completions, man pages and tests).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Parse `args`, run, and return the exit code. Errors are printed on stderr.
pub fn run<I, T>(platform: Platform, args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cmd = command().name(platform.name).bin_name(platform.name);
    let matches = match cmd.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return exit::USAGE;
        }
    };
    match dispatch(platform, cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            print_error(&platform, &e);
            e.exit_code()
        }
    }
}

fn dispatch(platform: Platform, cli: Cli) -> Result<()> {
    let g = cli.global;
    match cli.command {
        Command::Completion { shell } => {
            let mut cmd = command().name(platform.name).bin_name(platform.name);
            clap_complete::generate(shell, &mut cmd, platform.name, &mut std::io::stdout());
            Ok(())
        }
        Command::Auth(a) => auth::run(platform, &g, a),
        Command::Whoami { json } => whoami::run(platform, &g, json),
        Command::Tenants(t) => tenants::run(platform, &g, t),
        Command::Config(c) => config::run(platform, c),
    }
}

/// Run one of keyward's `auth` commands inside an embedding CLI and return
/// the exit code (errors are printed with the platform's name in hints).
///
/// ```no_run
/// use clap::{Parser, Subcommand};
///
/// #[derive(Parser)]
/// struct Acme {
///     #[command(flatten)]
///     global: keyward::cli::GlobalArgs,
///     #[command(subcommand)]
///     cmd: Cmd,
/// }
///
/// #[derive(Subcommand)]
/// enum Cmd {
///     /// Log in and out of Acme.
///     #[command(subcommand)]
///     Auth(keyward::cli::AuthCommand),
/// }
///
/// let platform = keyward::Platform { name: "acme", env_prefix: "ACME", ..keyward::Platform::keyward() };
/// let app = Acme::parse();
/// let code = match app.cmd {
///     Cmd::Auth(a) => keyward::cli::run_auth(platform, &app.global, a),
/// };
/// std::process::exit(code);
/// ```
pub fn run_auth(platform: Platform, global: &GlobalArgs, cmd: AuthCommand) -> i32 {
    match auth::run(platform, global, cmd) {
        Ok(()) => exit::OK,
        Err(e) => {
            print_error(&platform, &e);
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }
}
