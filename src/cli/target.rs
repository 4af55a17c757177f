//! The environment a command acts on: `-h/--hostname/--api-url` and
//! `--tenant`, as `gh` spells them. Only commands that take an API URL
//! accept `-h`; help is `--help` (and `help`) everywhere.

use clap::{ArgAction, Args};

/// `-h/--hostname/--api-url URL` and `--tenant SLUG`. A command that
/// flattens it gets `--help` (long only) instead of clap's `-h`, so it may be
/// mounted in an app that keeps `-h` for help elsewhere.
#[derive(Debug, Clone, Default, Args)]
#[command(disable_help_flag = true)]
pub struct Target {
    /// The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost).
    /// Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`.
    #[arg(
        short = 'h',
        long = "api-url",
        visible_alias = "hostname",
        value_name = "URL"
    )]
    pub api_url: Option<String>,
    /// Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login's).
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
}

/// `-h/--hostname/--api-url URL` alone, for commands where a tenant means
/// nothing (with `--help`, as [`Target`]).
#[derive(Debug, Clone, Default, Args)]
#[command(disable_help_flag = true)]
pub struct Host {
    /// The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost).
    /// Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`.
    #[arg(
        short = 'h',
        long = "api-url",
        visible_alias = "hostname",
        value_name = "URL"
    )]
    pub api_url: Option<String>,
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
}

/// `-u/--user USER`: which stored account of the API URL to use, without
/// switching (as `{ENV}_USER` does for a shell or a job).
#[derive(Debug, Clone, Default, Args)]
pub struct Account {
    /// Use this stored account (its account id, email or name) instead of the active one,
    /// without switching. Default: KEYWARD_USER.
    #[arg(short = 'u', long, value_name = "USER")]
    pub user: Option<String>,
}

impl From<Host> for Target {
    fn from(h: Host) -> Target {
        Target {
            api_url: h.api_url,
            ..Target::default()
        }
    }
}

/// Help as gh has it: `--help` everywhere, never `-h` (which is
/// `--hostname` where a command takes an API URL). Applied to keyward's whole
/// command tree; commands that flatten [`Target`] or [`Host`] have it already.
pub fn long_help_only(cmd: clap::Command) -> clap::Command {
    let has_own = cmd.get_arguments().any(|a| a.get_id() == "help");
    let cmd = if has_own {
        cmd
    } else {
        cmd.disable_help_flag(true).arg(
            clap::Arg::new("help")
                .long("help")
                .help("Print help")
                .action(ArgAction::Help),
        )
    };
    cmd.mut_subcommands(long_help_only)
}
