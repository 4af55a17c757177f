//! `cargo run --release --example try-it`: keyward's whole job on this
//! machine alone. It starts a loopback OAuth 2.0 server (authorization code
//! with PKCE, refresh-token rotation, revocation, the device grant,
//! dynamic registration, a profile with two tenants) and drives keyward's
//! own CLI against it: log in in the browser, status, token, whoami,
//! refresh, logout with revocation. `--serve` runs only the server, for
//! pointing the real `keyward` at it.

mod account;
mod approve;
mod clients;
mod demo;
mod device;
mod pages;
mod provider;
mod serve;
mod server;
mod steps;

use clap::Parser;
use std::io::IsTerminal as _;
use std::time::Duration;

/// Try keyward end to end against an OAuth 2.0 server on this machine
/// (127.0.0.1 only; nothing leaves it).
///
/// Logs in with the browser flow (PKCE), then runs `auth status`, `auth token`
/// (masked), `whoami`, `auth refresh`, `auth logout --revoke` and `auth status`
/// again, each shown with the command you would type. keyward's settings and
/// credentials go to a temporary directory (file store), removed at the end.
///
/// At a terminal with a display, keyward opens your browser: press Approve.
/// Otherwise (or with --non-interactive) keyward's BROWSER is this program's
/// --approve mode, which presses Approve for you: the real flow still runs
/// over HTTP, through keyward's loopback callback.
#[derive(Debug, Parser)]
#[command(
    name = "try-it",
    after_help = "\
Examples:
  cargo run --release --example try-it
  cargo run --release --example try-it -- --non-interactive
  cargo run --release --example try-it -- --token-ttl 30
  cargo run --release --example try-it -- --serve --port 8900
  keyward auth login -h 127.0.0.1:8900 --client-id keyward-try-it   # against --serve

Exit codes: 0 every step worked; 1 a step failed (named), or the server could not start; 2 usage."
)]
pub struct Args {
    /// Press Approve in the browser's place (the default when not at a terminal with a display).
    #[arg(long, conflicts_with = "serve")]
    pub non_interactive: bool,
    /// Use your normal keyward config directory and credential store (keychain) instead of a temporary one.
    #[arg(long, conflicts_with = "serve")]
    pub keep: bool,
    /// Print the access token in full in the `auth token` step.
    #[arg(long, conflicts_with = "serve")]
    pub show_token: bool,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub token_ttl: u64,
    /// Only run the server, on 127.0.0.1:PORT, until Ctrl-C; print the commands to point keyward at it.
    #[arg(long)]
    pub serve: bool,
    /// The port of --serve.
    #[arg(long, value_name = "N", default_value_t = 8900, requires = "serve")]
    pub port: u16,
    /// Act as a browser that approves: load URL (an authorization or device verification page of
    /// this server), press Approve, follow the redirects. keyward runs it as BROWSER.
    #[arg(long, value_name = "URL", conflicts_with_all = ["serve", "deny", "keep", "non_interactive"])]
    pub approve: Option<String>,
    /// As --approve, pressing Deny.
    #[arg(long, value_name = "URL", conflicts_with_all = ["serve", "keep", "non_interactive"])]
    pub deny: Option<String>,
}

/// Whether keyward can show the person a browser here: standard input
/// and output are a terminal, and there is a display.
fn interactive() -> bool {
    let display = cfg!(any(target_os = "macos", windows))
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && display
}

fn main() {
    // keyward picks no TLS crypto provider itself; its binary uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut argv = std::env::args_os();
    let exe = argv.next();
    let rest: Vec<_> = argv.collect();
    // `try-it --keyward ARGS`: keyward's CLI, for the step whose output is
    // masked (it runs as a child so its standard output can be read).
    if rest.first().is_some_and(|a| a == "--keyward") {
        let args = std::iter::once("keyward".into()).chain(rest.into_iter().skip(1));
        let code = keyward::cli::run(keyward::Platform::keyward(), args);
        std::process::exit(code);
    }
    let args = match Args::try_parse_from(exe.into_iter().chain(rest)) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = if let Some(url) = &args.approve {
        approve::run(url, true)
    } else if let Some(url) = &args.deny {
        approve::run(url, false)
    } else if args.serve {
        serve::run(args.port, Duration::from_secs(args.token_ttl))
    } else {
        let interactive = !args.non_interactive && interactive();
        // Sets the environment: nothing may have started a thread before.
        match demo::prepare(&args, interactive) {
            Ok(prepared) => demo::run(prepared),
            Err(e) => {
                eprintln!("error: {}\nSolution: {}", e.what, e.solution);
                1
            }
        }
    };
    std::process::exit(code);
}
