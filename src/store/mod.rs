//! Record storage: a small [`Store`] trait, the OS keychain and the
//! 0600 file behind it, and [`StoreChain`], the chain that picks between them.

mod chain;
pub mod file;
pub mod index;
pub mod keychain;

pub use chain::{Removed, StoreChain, StoreConfig, StoreMode, Stored};
pub use file::FileStore;
pub use keychain::KeychainStore;

use crate::record::Record;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Where a record lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "store", rename_all = "lowercase")]
pub enum Location {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Record Manager).
    Keychain,
    /// The fallback file.
    File {
        /// Its path.
        path: PathBuf,
    },
    /// A store supplied by an embedding program.
    Custom {
        /// Its name.
        name: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Keychain => f.write_str("keychain"),
            Location::File { path } => write!(f, "file {}", path.display()),
            Location::Custom { name } => f.write_str(name),
        }
    }
}

/// A storage failure. Never carries a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached now (no D-Bus session, locked collection,
    /// daemon not answering). The `auto` mode falls back to the file.
    #[error("the OS keychain is not reachable")]
    Unavailable {
        /// Why, in short ("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS)").
        cause: String,
        /// The platform's own words, when they say more than `cause`: shown
        /// when debugging (`{ENV}_DEBUG=1`).
        detail: Option<String>,
    },
    /// A record or file exists but cannot be read as a credential.
    #[error("the credential {what} cannot be read")]
    Corrupt {
        /// Which record or file.
        what: String,
        /// Why.
        cause: String,
    },
    /// The record is larger than the store takes (Windows Credential
    /// Manager: 2560 bytes). `auto` mode keeps it in the file instead.
    #[error("the login record is {size} bytes, more than the OS keychain takes ({limit} bytes)")]
    TooLarge {
        /// The record's size as the store counts it, bytes.
        size: usize,
        /// The store's limit, bytes.
        limit: usize,
    },
    /// Another process holds the store's lock for longer than we wait.
    #[error("{message}")]
    Busy {
        /// What is held and by whom.
        message: String,
        /// What to do (wait, or wait longer).
        hint: Option<String>,
    },
    /// Reading or writing failed.
    #[error("cannot {action}")]
    Io {
        /// What we were doing ("write /path/credentials.json").
        action: String,
        /// The OS error.
        cause: String,
    },
}

impl StoreError {
    /// The underlying cause.
    pub fn cause(&self) -> Option<String> {
        match self {
            StoreError::Unavailable { cause, .. }
            | StoreError::Corrupt { cause, .. }
            | StoreError::Io { cause, .. } => Some(cause.clone()),
            StoreError::TooLarge { .. } | StoreError::Busy { .. } => None,
        }
    }

    /// The raw diagnostic behind [`StoreError::cause`], for debugging.
    pub fn detail(&self) -> Option<String> {
        match self {
            StoreError::Unavailable { detail, .. } => detail.clone(),
            _ => None,
        }
    }

    /// An unreachable store, with a short cause and no more detail.
    pub fn unavailable(cause: impl Into<String>) -> StoreError {
        StoreError::Unavailable {
            cause: cause.into(),
            detail: None,
        }
    }

    /// The store's lock could not be taken: busy (another process holds
    /// it) or an I/O failure taking it.
    pub fn lock_failed(e: crate::lock::LockError) -> StoreError {
        match &e {
            crate::lock::LockError::Timeout { .. } => StoreError::Busy {
                message: e.to_string(),
                hint: e.hint(),
            },
            crate::lock::LockError::Io { path, source } => StoreError::Io {
                action: format!("lock {}", path.display()),
                cause: source.to_string(),
            },
        }
    }

    /// What to do.
    pub fn hint(&self) -> Option<String> {
        if let StoreError::Busy { hint, .. } = self {
            return hint.clone();
        }
        Some(match self {
            StoreError::Unavailable { .. } => "unlock or start your keychain, or store credentials in a 0600 file instead: `{bin} config set credential_store file` (or {ENV}_CREDENTIAL_STORE=file)".into(),
            StoreError::Corrupt { .. } => "move the damaged file or record aside, then run `{bin} auth login` again".into(),
            StoreError::Io { cause, .. } if cause.contains("is a symbolic link") => "move the file the link points to into its place, or remove the link and log in again".into(),
            StoreError::Io { .. } => "check the permissions of the config directory and the free disk space".into(),
            StoreError::Busy { .. } => String::new(),
            StoreError::TooLarge { .. } => "store credentials in a 0600 file instead: `{bin} config set credential_store file` (the `auto` mode does so for this login by itself)".into(),
        })
    }
}

/// A place credentials can be kept, keyed by store key: the normalised API
/// URL and the account ([`Record::key`], see [`crate::record::store_key`]).
///
/// Implement it to give keyward your own store (see [`StoreChain::custom`]).
/// Keep each record under [`Record::key`]: one per (API URL, account).
/// Return [`StoreError::Unavailable`] when the backend cannot be reached, so
/// that callers can tell "not here" from "not stored".
pub trait Store: Send + Sync {
    /// Where records of this store live (shown by `auth status`).
    fn location(&self) -> Location;
    /// The record stored under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<Record>, StoreError>;
    /// Store `cred` under [`Record::key`] (replacing the record there) in
    /// one operation.
    fn set(&self, cred: &Record) -> Result<(), StoreError>;
    /// Remove the record stored under `key`; true when there was one.
    fn delete(&self, key: &str) -> Result<bool, StoreError>;
    /// Every record.
    fn list(&self) -> Result<Vec<Record>, StoreError>;
}

impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    fn location(&self) -> Location {
        (**self).location()
    }
    fn get(&self, key: &str) -> Result<Option<Record>, StoreError> {
        (**self).get(key)
    }
    fn set(&self, cred: &Record) -> Result<(), StoreError> {
        (**self).set(cred)
    }
    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        (**self).delete(key)
    }
    fn list(&self) -> Result<Vec<Record>, StoreError> {
        (**self).list()
    }
}
