//! OAuth 2.0: endpoint discovery, the authorization request (PKCE), the
//! token endpoint, the loopback callback listener, pasted codes, the device
//! grant, and the flows that combine them into tokens.
//!
//! Nothing here stores a credential or prints: the flows return tokens to
//! the auth layer and talk to the person through an [`Interaction`].

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod device;
pub mod endpoints;
pub mod flows;
pub mod params;
pub mod paste;
pub mod pkce;
pub mod register;
pub mod token;

pub use endpoints::Endpoints;
pub use flows::{Granted, Interaction, LoginOptions, Mode, Prepared, prepare};
