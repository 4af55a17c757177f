//! OAuth 2.0 logins: authorization code + PKCE through the browser and a
//! loopback callback, paste-back without a browser, and the device flow;
//! plus endpoint discovery and the token endpoint.

pub mod browser;
pub mod callback;
pub mod device;
pub mod discovery;
pub mod login;
pub mod paste;
pub mod pkce;
pub mod spinner;
pub mod token;

pub use discovery::Endpoints;
pub use login::{Interaction, LoginOptions, Mode, login};
