//! keyward: a `gh auth`-grade login for any OAuth2 API.
//!
//! The `keyward` binary is a thin user of this library; other CLIs embed it
//! to get the same `auth` commands for their own platform (see [`Platform`]
//! and [`cli::AuthCommand`]).
//!
//! Module map: [`config`] (config.toml and paths), [`context`] (resolution
//! rules), [`store`] (keychain and file stores), [`credential`] (the stored
//! record), [`profile`] (token validation), [`auth`] (login, status, token,
//! logout), [`tenants`], [`cli`] (the commands).

#![warn(missing_docs)]

pub mod api_url;
pub mod auth;
pub mod cli;
pub mod config;
pub mod context;
pub mod credential;
pub mod error;
pub mod fsutil;
pub mod http;
pub mod lock;
pub mod oauth;
pub mod platform;
pub mod profile;
pub mod refresh;
pub mod secret;
pub mod store;
pub mod tenants;
pub mod text;
pub mod token_source;

pub use api_url::ApiUrl;
pub use context::Context;
pub use credential::Credential;
pub use error::{Error, Result};
pub use platform::{Platform, PlatformEndpoints};
pub use secret::Secret;
pub use token_source::{Keyward, TokenSource};
