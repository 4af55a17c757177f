//! The command line: clap definitions, dispatch, and printing. Commands are
//! thin: parse, call the library, print.

/// `eprintln!` that never panics: with stderr closed, full or without a
/// reader (`2>&-`, `2>/dev/full`, a pipe whose reader exited) the text is
/// lost, never the command's exit code. Every message on stderr goes
/// through it (or `errout!`).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see `errln!`).
macro_rules! errout {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod api;
mod auth;
mod color;
mod config;
mod debug;
mod doctor;
mod fast;
mod git;
mod hints;
mod login;
mod logout;
mod refresh;
mod relogin;
mod signal;
mod status;
mod stdin_token;
mod switch;
mod target;
mod tenants;
mod token;
mod ui;
mod unattended;
mod whoami;

pub use api::ApiArgs;
pub use auth::{AuthCommand, DoctorArgs, LoginArgs, StatusArgs};
pub use debug::trace_sink;
pub use hints::{CommandFlags, Hints};
pub use target::{Account, Host, Target};
pub use ui::{json_errors, print_error, print_error_with, set_json_errors};

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
  `auth status` exits 1 when a login it shows is not usable (`auth token` and
  `whoami` keep 4); `auth status --json` always exits 0.

Environment:
  KEYWARD_API_URL           API URL when --api-url is not given
  KEYWARD_TENANT            tenant when --tenant is not given
  KEYWARD_TOKEN             token for one API URL (KEYWARD_API_URL, else the default)
                            instead of its stored login; see `keyward auth token --help`
  KEYWARD_TOKEN_<host>      token for that host only (KEYWARD_TOKEN_api_example_com)
  KEYWARD_CONFIG_DIR        config directory (default ~/.config/keyward)
  KEYWARD_CREDENTIAL_STORE  auto | keychain | file
  KEYWARD_CLIENT_ID         OAuth client id when --client-id is not given
  KEYWARD_DEBUG             1: print diagnostic causes; api: also each HTTP request and
                            response, secrets redacted (as --debug)
  BROWSER                   command that opens the login URL

Per-project pins:
  A .keyward.toml in the current directory or a parent may set api_url, tenant and user
  for commands run there: flags and variables win over it, config.toml loses to it. It is
  used only if owned by you (or root) and writable by nobody else, and never holds a token.

Examples:
  keyward auth login -h api.example.com
  echo \"$TOKEN\" | keyward auth login --with-token --tenant acme
  keyward api /api/v1/projects --paginate
  curl -H \"Authorization: Bearer $(keyward auth token)\" https://api.example.com/api/v1/profile

Help is --help (or `keyward help COMMAND`): -h is --hostname, as in gh.";

/// Sign in to OAuth2 APIs from the terminal, with tokens kept in the OS keychain.
#[derive(Debug, Parser)]
#[command(
    name = "keyward",
    version,
    about,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
    /// Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api.
    #[arg(long, global = true, hide = true)]
    pub debug: bool,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in, log out, and get tokens.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Make an authenticated request to the API and print the answer.
    Api(ApiArgs),
    /// Show who you are logged in as.
    #[command(
        after_help = "Examples:\n  keyward whoami\n  keyward whoami -h staging.example.com --json"
    )]
    Whoami {
        /// The environment.
        #[command(flatten)]
        target: Target,
        /// The account.
        #[command(flatten)]
        account: Account,
        /// Print JSON; errors as JSON on stderr.
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

/// The clap command tree (for completions, man pages and tests): help is
/// `--help` only, `-h` is `--hostname`.
pub fn command() -> clap::Command {
    target::long_help_only(Cli::command())
}

/// Parse `args`, run, and return the exit code. Errors are printed on stderr.
pub fn run<I, T>(platform: Platform, args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // `auth token` without building clap's command tree (see `fast`).
    if let Some(token) = fast::auth_token(&args) {
        return run_auth(platform, token);
    }
    let cmd = command()
        .name(platform.name)
        .bin_name(platform.name)
        .long_version(version_text(&platform, env!("CARGO_PKG_VERSION")));
    let matches = match cmd.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return usage_error(&platform, e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return exit::USAGE;
        }
    };
    if cli.debug {
        ui::set_debug(ui::DebugLevel::Api);
    }
    // Every command's `--json` prints its errors as JSON too.
    let mut leaf = &matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    if leaf.try_get_one::<bool>("json").ok().flatten() == Some(&true) {
        ui::set_json_errors(true);
    }
    let retry = match &cli.command {
        Command::Auth(a) => relogin::Retry::of(a),
        _ => None,
    };
    match dispatch(platform, cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            let given = |id: &str| leaf.try_get_one::<String>(id).ok().flatten().cloned();
            let mut hints = hints_for(&platform, given("api_url"), given("tenant"));
            hints.user = given("user");
            relogin::finish(platform, e, &hints, retry)
        }
    }
}

/// What `--version` prints after the program's name: the version, then the
/// API URL and OAuth client id built into `platform` ("none" when it has
/// none). `-V` prints the version only.
///
/// ```
/// let text = keyward::cli::version_text(&keyward::Platform {
///     default_api_url: Some("https://api.acme.test"),
///     default_client_id: None,
///     ..keyward::Platform::keyward()
/// }, "1.2.3");
/// assert_eq!(text, "1.2.3\ndefault API URL:   https://api.acme.test\ndefault client id: none");
/// ```
///
/// An embedding CLI shows its own: `Acme::command().long_version(...)`
/// (see `examples/acme.rs`).
pub fn version_text(platform: &Platform, version: &str) -> String {
    format!(
        "{version}\ndefault API URL:   {}\ndefault client id: {}",
        platform.default_api_url.unwrap_or("none"),
        platform.default_client_id.unwrap_or("none"),
    )
}

/// What hints should repeat of the environment a command acted on: the API
/// URL given with `-h` or by `{ENV}_API_URL`, unless it is the default one
/// (the per-project pin's, config `api_url`, else built in), and the tenant
/// given with `--tenant`; and the built-in API URL, when it is the
/// default, so that hints leave it unsaid.
fn hints_for(platform: &Platform, flag: Option<String>, tenant: Option<String>) -> Hints {
    use crate::api_url::ApiUrl;
    let given = flag
        .or_else(|| platform.env("API_URL"))
        .and_then(|u| ApiUrl::parse(&u).ok());
    let default = crate::session::Session::load(*platform).ok().and_then(|s| {
        let pinned = s.pin().ok().flatten().and_then(|p| p.api_url.clone());
        pinned.or_else(|| s.config.api_url())
    });
    let builtin = platform.default_api_url.and_then(|d| ApiUrl::parse(d).ok());
    let default = default.or_else(|| builtin.clone());
    Hints {
        builtin_api_url: builtin
            .filter(|b| Some(b) == default.as_ref())
            .map(|b| b.to_string()),
        api_url: given
            .filter(|u| Some(u) != default.as_ref())
            .map(|u| u.to_string()),
        tenant: tenant.filter(|t| crate::record::check_tenant(t).is_ok()),
        user: None,
        commands: Hints::commands_of(&command()),
    }
}

/// Print a clap error, with gh's habits answered: `-h` is not help here, and
/// `keyward login` is `keyward auth login`.
fn usage_error(platform: &Platform, e: clap::Error) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let value = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let bin = platform.name;
    match e.kind() {
        ErrorKind::UnknownArgument if value(ContextKind::InvalidArg).as_deref() == Some("-h") => {
            errln!(
                "error: -h is not help in {bin}: it is --hostname, for the commands that take an API URL\nSolution: for help, run `{bin} --help` (or `{bin} help COMMAND`)"
            );
            exit::USAGE
        }
        ErrorKind::InvalidSubcommand
            if value(ContextKind::InvalidSubcommand).is_some_and(|v| {
                ["login", "logout", "status", "token", "refresh"].contains(&v.as_str())
            }) =>
        {
            let sub = value(ContextKind::InvalidSubcommand).unwrap_or_default();
            errln!(
                "error: `{bin} {sub}` is not a command\nSolution: did you mean `{bin} auth {sub}`?"
            );
            exit::USAGE
        }
        ErrorKind::InvalidValue
            if value(ContextKind::InvalidArg).is_some_and(|a| a.starts_with("--api-url"))
                && value(ContextKind::InvalidValue).is_some_and(|v| v.is_empty()) =>
        {
            errln!(
                "error: -h takes the API URL in {bin} (as gh's --hostname does), and none was given\nSolution: pass one, `-h api.example.com`; for help, run `{bin} help COMMAND` or add --help"
            );
            exit::USAGE
        }
        _ if e.use_stderr() => {
            // clap's own text, its closing tip as keyward's Solution line.
            let text = e.to_string();
            let tip = "For more information, try '--help'.";
            match text.trim_end().strip_suffix(tip) {
                Some(before) => errln!(
                    "{}\nSolution: check the usage above; --help lists every flag, with examples",
                    before.trim_end()
                ),
                None => errln!("{}", text.trim_end()),
            }
            exit::USAGE
        }
        _ => {
            let _ = e.print();
            exit::OK
        }
    }
}

fn dispatch(platform: Platform, cli: Cli) -> Result<()> {
    match cli.command {
        Command::Completion { shell } => {
            use std::io::Write;
            let mut cmd = command().name(platform.name).bin_name(platform.name);
            // Generated in memory: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, platform.name, &mut script);
            std::io::stdout()
                .write_all(&script)
                .map_err(ui::stdout_error)
        }
        Command::Auth(a) => auth::run(platform, a),
        Command::Api(a) => api::run(platform, a),
        Command::Whoami {
            target,
            account,
            json,
        } => whoami::run(platform, &target, account.user, json),
        Command::Tenants(t) => tenants::run(platform, t),
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
///     Cmd::Auth(a) => keyward::cli::run_auth(platform, a),
/// };
/// std::process::exit(code);
/// ```
pub fn run_auth(platform: Platform, cmd: AuthCommand) -> i32 {
    let target = cmd.target();
    let user = cmd.user();
    let retry = relogin::Retry::of(&cmd);
    if cmd.json() {
        ui::set_json_errors(true);
    }
    match auth::run(platform, cmd) {
        Ok(()) => exit::OK,
        Err(e) => {
            let mut hints = hints_for(&platform, target.api_url, target.tenant);
            hints.user = user;
            relogin::finish(platform, e, &hints, retry)
        }
    }
}

/// Run keyward's `api` command inside an embedding CLI (mount
/// [`ApiArgs`] as a subcommand) and return the exit code.
pub fn run_api(platform: Platform, args: ApiArgs) -> i32 {
    let target = args.target.clone();
    let user = args.account.user.clone();
    match api::run(platform, args) {
        Ok(()) => exit::OK,
        Err(e) => {
            let mut hints = hints_for(&platform, target.api_url, target.tenant);
            hints.user = user;
            relogin::finish(platform, e, &hints, None)
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
