//! The operations behind the `auth`, `whoami` and `tenants` commands, for
//! the CLI and for embedders. They return data and never print.
//!
//! Each command has its module: [`login`], [`status`], [`token`],
//! [`refresh`], [`logout`], [`switch`], [`tenants`], [`whoami`]; [`account`] picks
//! the account of an API URL a command uses; [`mod@env`] has the rule
//! for login, logout and refresh where an environment token applies.

pub mod account;
pub mod doctor;
pub mod env;
pub mod git;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod status;
pub mod switch;
pub mod tenants;
pub mod token;
pub mod whoami;

pub use account::stored;
