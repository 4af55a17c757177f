//! git's credential helper protocol, and git's config as far as keyward's
//! helper needs it: [`protocol`] reads git's requests and writes answers,
//! [`origin`] names where a credential goes, [`chain`] reads which helpers
//! git runs for an origin, [`setup`] writes keyward's helper into the
//! user's git config. The operations are in [`crate::auth::git`].

pub mod chain;
pub mod origin;
pub mod protocol;
pub mod setup;

pub use origin::Origin;
pub use protocol::{Answer, Request};

/// The user name git sends with the token when config sets none: what
/// GitHub, GitLab and Gitea accept beside a token, and what
/// `gh auth git-credential` answers.
pub const DEFAULT_USERNAME: &str = "x-access-token";
