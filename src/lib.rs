//! keyward: a `gh auth`-grade login for any OAuth2 API.
//!
//! The `keyward` binary is a thin user of this library; other CLIs embed it
//! to get the same `auth` commands for their own platform (see [`Platform`]
//! and, with the default `cli` feature, `cli::AuthCommand`), or just live
//! tokens ([`TokenSource`]).
//!
//! Data flows one way: `cli` (parse, ask, print) → [`auth`] (the operations:
//! they return data, never print) → [`oauth`], [`store`], [`profile`],
//! [`session`] → [`record`], [`secret`], [`error`]. The lowest layers
//! ([`api_url`], [`config`], [`store`], [`http`]) have their own error types,
//! which [`Error`] wraps.

#![warn(missing_docs)]

pub mod api_url;
pub mod auth;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod http;
pub mod input;
pub mod lock;
pub mod oauth;
pub mod platform;
pub mod profile;
pub mod record;
pub mod rt;
pub mod secret;
pub mod session;
pub mod store;
pub mod text;
pub mod time;
pub mod token_source;

pub use api_url::ApiUrl;
pub use error::{Error, Result};
pub use platform::{Platform, PlatformEndpoints};
pub use record::Record;
/// The reqwest version keyward is built on, so embedders can match it.
pub use reqwest;
pub use secret::Secret;
pub use session::Session;
pub use token_source::{Keyward, TokenSource};
