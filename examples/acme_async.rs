//! An async "acme" CLI on tokio + reqwest that embeds keyward:
//! `acme-async auth ...` are keyward's commands, mounted; `acme-async
//! projects` calls the API with the program's own `reqwest::Client` through
//! `TokenSource::send` (Bearer and `X-Tenant` added, one refresh and one
//! retry after a 401); `acme-async race N` asks for a token N times at once.
//!
//! ```text
//! cargo run --example acme_async -- auth login --with-token -h api.acme.test < token.txt
//! cargo run --example acme_async -- projects
//! ```

use clap::{Parser, Subcommand};
use keyward::{Keyward, Platform, TokenSource};

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

/// The Acme platform CLI (async).
#[derive(Parser)]
#[command(name = "acme")]
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
    /// Ask for a token COUNT times concurrently and print each.
    Race {
        /// The environment.
        #[command(flatten)]
        target: keyward::cli::Target,
        /// How many concurrent requests.
        count: usize,
    },
}

/// The program's one HTTP client, built from keyward's settings for the API
/// URL (its CA file, timeouts), and the token source.
fn setup(
    global: &keyward::cli::Target,
) -> keyward::Result<(TokenSource, keyward::reqwest::Client)> {
    let source = Keyward::new(ACME)?.token_source(global.api_url.as_deref())?;
    let client = source.client_builder()?.build().map_err(|e| {
        keyward::Error::other("cannot build the HTTP client", Some(e.to_string()), None)
    })?;
    Ok((source, client))
}

async fn projects(global: &keyward::cli::Target) -> keyward::Result<()> {
    let (source, client) = setup(global)?;
    // the join rule of `TokenSource::get`: with or without /api/v1 in the API URL
    let url = source.api_url().join("/api/v1/projects");
    let resp = source.send_builder(client.get(url)).await?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status == keyward::reqwest::StatusCode::UNAUTHORIZED {
        return Err(keyward::Error::TokenRejected {
            api_url: source.api_url().to_string(),
            status: status.as_u16(),
        });
    }
    println!("{body}");
    Ok(())
}

async fn race(global: &keyward::cli::Target, count: usize) -> keyward::Result<()> {
    let (source, client) = setup(global)?;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (source, client) = (source.clone(), client.clone());
        tasks.spawn(async move { source.token_async(&client).await });
    }
    while let Some(t) = tasks.join_next().await {
        let token =
            t.map_err(|e| keyward::Error::other("a task failed", Some(e.to_string()), None))??;
        println!("{}", token.expose());
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let cli = Cli::parse();
    let result = match cli.cmd {
        // keyward's commands block while they run (a login waits for the
        // browser): give them a thread of their own.
        Cmd::Auth(a) => {
            let code = tokio::task::spawn_blocking(move || keyward::cli::run_auth(ACME, a))
                .await
                .unwrap_or(1);
            std::process::exit(code);
        }
        Cmd::Projects { target } => projects(&target).await,
        Cmd::Race { target, count } => race(&target, count).await,
    };
    if let Err(e) = result {
        keyward::cli::print_error(&ACME, &e);
        std::process::exit(e.exit_code());
    }
}
