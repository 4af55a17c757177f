//! An "acme" CLI that embeds keyward: `acme auth ...` comes from keyward,
//! `acme projects` is the platform's own command and uses a TokenSource.
//!
//! ```text
//! cargo run --example acme -- auth login --with-token -h api.acme.test < token.txt
//! cargo run --example acme -- projects
//! cargo run --example acme -- --version
//! ```
//!
//! A platform team's own CLI starts from this file: README "Build your own".

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use keyward::{Keyward, Platform};

const ACME: Platform = Platform {
    name: "acme",
    env_prefix: "ACME",
    keychain_service: "acme-cli",
    config_dir_name: "acme",
    default_api_url: None,
    default_client_id: Some("acme-cli"),
    default_scopes: &["openid", "profile", "email"],
    endpoints: keyward::PlatformEndpoints::NONE,
};

/// The Acme platform CLI.
#[derive(Parser)]
#[command(name = "acme", version)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Log in and out of Acme (provided by keyward).
    #[command(subcommand)]
    Auth(keyward::cli::AuthCommand),
    /// List your projects (GET /api/v1/projects on the API).
    Projects {
        /// The environment (`-h/--api-url`, `--tenant`), as keyward's own commands take it.
        #[command(flatten)]
        target: keyward::cli::Target,
    },
}

fn projects(global: &keyward::cli::Target) -> keyward::Result<()> {
    // ACME_DEBUG=api traces this command's requests too, as it does `acme auth`'s.
    let source = Keyward::new(ACME)?
        .with_trace(keyward::cli::trace_sink(&ACME))
        .token_source(global.api_url.as_deref())?;
    let resp = source.get("/api/v1/projects")?;
    println!("{}", String::from_utf8_lossy(&resp.body));
    Ok(())
}

fn main() {
    // `acme --version` names the API URL and client id built in.
    let matches = Cli::command()
        .long_version(keyward::cli::version_text(&ACME, env!("CARGO_PKG_VERSION")))
        .get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match cli.cmd {
        Cmd::Auth(a) => keyward::cli::run_auth(ACME, a),
        Cmd::Projects { target } => match projects(&target) {
            Ok(()) => 0,
            Err(e) => {
                keyward::cli::print_error(&ACME, &e);
                e.exit_code()
            }
        },
    };
    std::process::exit(code);
}
