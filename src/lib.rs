//! keyward: a `gh auth`-grade login for any OAuth2 API.
//!
//! The `keyward` binary is a thin user of this library. Other CLIs embed it
//! in one of three ways.
//!
//! # 1. Mount keyward's `auth` commands (feature `cli`)
//!
//! Your users get `mycli auth login|status|token|refresh|logout` with your
//! program's name in every hint and your platform's environment variables
//! (`ACME_TOKEN`, `ACME_API_URL`, ...):
//!
//! ```no_run
//! use clap::{Parser, Subcommand};
//!
//! const ACME: keyward::Platform = keyward::Platform {
//!     name: "acme",
//!     env_prefix: "ACME",
//!     keychain_service: "acme-cli",
//!     config_dir_name: "acme",
//!     default_api_url: Some("https://api.acme.test"),
//!     default_client_id: Some("acme-cli"),
//!     default_scopes: &["openid", "profile", "email"],
//!     endpoints: keyward::PlatformEndpoints::NONE,
//! };
//!
//! #[derive(Parser)]
//! struct Acme {
//!     #[command(subcommand)]
//!     cmd: Cmd,
//! }
//!
//! #[derive(Subcommand)]
//! enum Cmd {
//!     /// Log in and out of Acme.
//!     #[command(subcommand)]
//!     Auth(keyward::cli::AuthCommand),
//! }
//!
//! let app = Acme::parse();
//! let code = match app.cmd {
//!     Cmd::Auth(a) => keyward::cli::run_auth(ACME, a),
//! };
//! std::process::exit(code);
//! ```
//!
//! # 2. A live token in a sync program
//!
//! [`TokenSource::token`] is the code path of `keyward auth token`: the
//! stored token, refreshed first when it is about to expire (once across
//! processes). With a valid token it builds no runtime and no HTTP client.
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! # unsafe { std::env::set_var("ACME_CONFIG_DIR", dir.path()) };
//! # const ACME: keyward::Platform = keyward::Platform {
//! #     name: "acme", env_prefix: "ACME", keychain_service: "acme-cli",
//! #     config_dir_name: "acme", default_api_url: Some("https://api.acme.test"),
//! #     default_client_id: Some("acme-cli"), default_scopes: &[],
//! #     endpoints: keyward::PlatformEndpoints::NONE,
//! # };
//! let source = keyward::Keyward::new(ACME)?.token_source(None)?;
//! match source.token() {
//!     Ok(token) => println!("Authorization: Bearer {}", token.expose()),
//!     // Nobody logged in here yet: exit code 4, "run `acme auth login`".
//!     Err(e) => {
//!         assert_eq!(e.exit_code(), 4);
//!         assert!(e.hint_for(&ACME).unwrap().contains("acme auth login"));
//!     }
//! }
//! # Ok::<(), keyward::Error>(())
//! ```
//!
//! # 3. Authorized requests in an async program (feature `reqwest`)
//!
//! On reqwest + tokio, build the program's one client from
//! [`TokenSource::client_builder`] (keyward's trust settings for the API)
//! and let [`TokenSource::send`] add `Authorization: Bearer` and `X-Tenant`
//! (only for the API's own origin, never over a header you set), refresh
//! once and retry once after a 401. [`TokenSource::token_async`] never blocks
//! the executor.
//!
//! ```
//! # unsafe { std::env::set_var("ACME_TOKEN", "acme_demo_token") };
//! # const ACME: keyward::Platform = keyward::Platform {
//! #     name: "acme", env_prefix: "ACME", keychain_service: "acme-cli",
//! #     config_dir_name: "acme", default_api_url: Some("https://api.acme.test"),
//! #     default_client_id: Some("acme-cli"), default_scopes: &[],
//! #     endpoints: keyward::PlatformEndpoints::NONE,
//! # };
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! let source = keyward::Keyward::new(ACME)?.token_source(None)?;
//! let client = source.client_builder()?.build().expect("a client");
//! let mut req = client
//!     .get("https://api.acme.test/api/v1/projects")
//!     .build()
//!     .expect("a request");
//! source.authorize(&client, &mut req).await?;
//! assert_eq!(req.headers()["authorization"], "Bearer acme_demo_token");
//! // or in one step, with the 401 refresh and retry:
//! // let resp = source.send(&client, req).await?;
//! # Ok::<(), keyward::Error>(())
//! # })?;
//! # Ok::<(), keyward::Error>(())
//! ```
//!
//! # Layout
//!
//! Data flows one way: `cli` (parse, ask, print) → [`auth`] (the operations:
//! they return data, never print) → [`oauth`], [`store`], [`profile`],
//! [`session`] → [`record`], [`secret`], [`error`]. The lowest layers
//! ([`api_url`], [`config`], [`store`], [`http`]) have their own error types,
//! which [`Error`] wraps.

#![warn(missing_docs)]
// Outside input must never reach a panic: no unwrap, expect, panic! or
// unchecked index outside tests (clippy denies them; tests may use them).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// A closed or full stdout/stderr must never panic: the CLI writes through
// `writeln!` and ignores (stderr) or maps (stdout) the failure.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "reqwest")]
pub mod api;
pub mod api_url;
pub mod auth;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod error;
pub mod federation;
pub mod fsutil;
pub mod git;
pub mod http;
pub mod id_token;
pub mod input;
pub mod limits;
pub mod lock;
pub mod oauth;
pub mod platform;
pub mod profile;
#[cfg(test)]
mod props;
pub mod record;
pub mod rt;
pub mod secret;
pub mod session;
pub mod store;
pub mod text;
pub mod time;
pub mod token_source;
pub mod trace;
pub mod trust;

pub use api_url::ApiUrl;
pub use error::{Error, Result};
pub use platform::{Platform, PlatformEndpoints};
pub use record::Record;
/// The reqwest version keyward is built on, so embedders can match it.
pub use reqwest;
pub use secret::Secret;
pub use session::Session;
pub use token_source::{Keyward, TokenSource};
