//! The OS keychain through the `keyring` crate: Secret Service on Linux and
//! the BSDs, Keychain on macOS, Record Manager on Windows.
//!
//! One item per (API URL, account): service = the platform's keychain
//! service (`keyward`), account = the record's store key (the normalised
//! API URL, then `#` and the account: see [`crate::record::store_key`]),
//! secret = the JSON record. The one-account layout used the API URL alone.
//! Every call runs on a helper thread with a timeout: a daemon that hangs or
//! a collection that waits on a prompt counts as unreachable, never as a
//! frozen CLI.

use super::{Location, Store, StoreError};
use crate::record::Record;
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The OS keychain.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
    timeout: Duration,
    /// Set once the keychain proved unreachable: later calls fail at once.
    dead: Arc<Mutex<Option<StoreError>>>,
    /// The largest secret it takes, as the platform counts bytes.
    max_secret: Option<usize>,
}

/// Windows Credential Manager's limit for a credential's secret
/// (`CRED_MAX_CREDENTIAL_BLOB_SIZE`), in bytes of UTF-16.
pub const WINDOWS_MAX_SECRET: usize = 2560;

/// The largest secret the platform's keychain takes, in bytes as it counts
/// them: Windows Credential Manager's 2560 (UTF-16); no limit known for the
/// Secret Service and the macOS Keychain.
pub fn platform_max_secret() -> Option<usize> {
    cfg!(windows).then_some(WINDOWS_MAX_SECRET)
}

/// The size of `secret` as the platform's keychain counts it: UTF-16 on
/// Windows (keyring stores the password as UTF-16 there), UTF-8 elsewhere.
pub fn secret_size(secret: &str) -> usize {
    if cfg!(windows) {
        secret.encode_utf16().count() * 2
    } else {
        secret.len()
    }
}

impl KeychainStore {
    /// The keychain, with items under `service`, each call bounded by `timeout`.
    pub fn new(service: &str, timeout: Duration) -> KeychainStore {
        KeychainStore {
            service: service.to_string(),
            timeout,
            dead: Arc::new(Mutex::new(None)),
            max_secret: platform_max_secret(),
        }
    }

    /// Refuse secrets larger than `max` bytes (as [`secret_size`] counts)
    /// before asking the keychain: the platform's limit by default.
    pub fn with_max_secret(mut self, max: Option<usize>) -> KeychainStore {
        self.max_secret = max;
        self
    }

    fn call<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&str) -> Result<T, keyring::Error> + Send + 'static,
    ) -> Result<T, StoreError> {
        if let Some(e) = self.dead.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Err(e);
        }
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        let spawned = std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let r = match keyring::Entry::store_status() {
                    Err(e) => Err(clone_err(e)),
                    Ok(()) => f(&service),
                };
                let _ = tx.send(r);
            });
        if let Err(e) = spawned {
            return Err(StoreError::unavailable(format!(
                "cannot start a thread: {e}"
            )));
        }
        let result = match rx.recv_timeout(self.timeout) {
            Ok(r) => r.map_err(|e| map_err(what, e)),
            Err(_) => Err(StoreError::unavailable(format!(
                "the keychain did not answer within {:.1}s (raise keychain_timeout in config.toml if it is just slow)",
                self.timeout.as_secs_f64()
            ))),
        };
        if let Err(e @ StoreError::Unavailable { .. }) = &result {
            *self.dead.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.clone());
        }
        result
    }
}

/// `store_status` hands out a reference; rebuild an owned error from it.
fn clone_err(e: &keyring::Error) -> keyring::Error {
    let text = e.to_string();
    keyring::Error::PlatformFailure(strip_prefixes(&text).to_string().into())
}

/// keyring's messages nest "Platform failure: " once per layer.
fn strip_prefixes(s: &str) -> &str {
    let mut s = s.trim();
    while let Some(rest) = s.strip_prefix("Platform failure: ") {
        s = rest.trim();
    }
    s
}

fn map_err(what: &str, e: keyring::Error) -> StoreError {
    use keyring::Error as K;
    match e {
        K::BadEncoding(_) | K::BadDataFormat(..) | K::Ambiguous(_) => StoreError::Corrupt {
            what: format!("keychain item ({what})"),
            cause: match e {
                K::Ambiguous(v) => format!("{} matching items", v.len()),
                _ => "not valid UTF-8".into(),
            },
        },
        K::TooLong(_, limit) if what == "write" => StoreError::TooLarge {
            size: limit as usize + 1,
            limit: limit as usize,
        },
        K::TooLong(..) | K::Invalid(..) => StoreError::Io {
            action: format!("{what} in the keychain"),
            cause: e.to_string(),
        },
        other => {
            let (cause, detail) = describe(&other);
            StoreError::Unavailable { cause, detail }
        }
    }
}

/// A cause a person can act on, for the usual Secret Service failures, and
/// the platform's own words when the cause is not them.
fn describe(e: &keyring::Error) -> (String, Option<String>) {
    let raw = strip_prefixes(&e.to_string()).to_string();
    let lower = raw.to_lowercase();
    let why = if lower.contains("notfound")
        || lower.contains("no such file")
        || lower.contains("address")
    {
        "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS)"
    } else if lower.contains("serviceunknown") || lower.contains("not provided by any .service") {
        "no Secret Service (gnome-keyring, KeePassXC, ...) is running on the session bus"
    } else if lower.contains("prompt") {
        "the keychain is locked and wants an interactive prompt"
    } else if lower.contains("noresult") || lower.contains("no default") {
        "the keychain has no default (login) collection"
    } else {
        ""
    };
    if why.is_empty() {
        (raw, None)
    } else {
        (why.to_string(), Some(raw))
    }
}

impl Store for KeychainStore {
    fn location(&self) -> Location {
        Location::Keychain
    }

    fn get(&self, key: &str) -> Result<Option<Record>, StoreError> {
        let url = key.to_string();
        let text = self.call("read", move |service| {
            match keyring::Entry::new(service, &url)?.get_password() {
                Ok(t) => Ok(Some(t)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        text.map(|t| {
            Record::from_json(&t).map_err(|e| StoreError::Corrupt {
                what: format!("keychain item for {key}"),
                cause: format!(
                    "not a keyward record (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })
        })
        .transpose()
    }

    fn set(&self, cred: &Record) -> Result<(), StoreError> {
        let url = cred.key();
        let json = cred.to_json();
        let size = secret_size(&json);
        if let Some(limit) = self.max_secret.filter(|l| size > *l) {
            return Err(StoreError::TooLarge { size, limit });
        }
        self.call("write", move |service| {
            keyring::Entry::new(service, &url)?.set_password(&json)
        })
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let url = key.to_string();
        self.call("delete", move |service| {
            match keyring::Entry::new(service, &url)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }

    fn list(&self) -> Result<Vec<Record>, StoreError> {
        let texts = self.call("search", move |service| {
            let spec: HashMap<&str, &str> = HashMap::from([("service", service)]);
            let entries = match keyring_core::Entry::search(&spec) {
                Ok(e) => e,
                Err(keyring::Error::NotSupportedByStore(_)) => Vec::new(),
                Err(e) => return Err(e),
            };
            Ok(entries
                .iter()
                .filter_map(|e| e.get_password().ok())
                .collect::<Vec<_>>())
        })?;
        Ok(texts
            .iter()
            .filter_map(|t| Record::from_json(t).ok())
            .collect())
    }
}

// ---- `auth doctor`: a probe that writes nothing ----

/// The account a probe looks up: no item is ever stored under it.
const PROBE_ACCOUNT: &str = "keyward auth doctor probe (never stored)";

impl KeychainStore {
    /// Check that the keychain answers, writing nothing: the store is set
    /// up, a lookup of an item that is never stored answers, and (Secret
    /// Service) the default collection, where new items go, exists and is
    /// unlocked. A keychain that cannot be used is
    /// [`StoreError::Unavailable`] with the causes other calls give (no
    /// D-Bus session bus, no Secret Service, locked, no default collection,
    /// no answer within the timeout).
    pub fn probe(&self) -> Result<(), StoreError> {
        self.call("probe", |service| {
            match keyring::Entry::new(service, PROBE_ACCOUNT)?.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(e),
            }
            default_collection()
        })
    }
}

/// The Secret Service's default collection exists and is unlocked (read
/// through the `Locked` property: no prompt, no unlock attempt).
#[cfg(target_os = "linux")]
fn default_collection() -> Result<(), keyring::Error> {
    use secret_service::{EncryptionType, Error as SsError, blocking::SecretService};
    let failed = |e: SsError| keyring::Error::PlatformFailure(Box::new(e));
    let ss = SecretService::connect(EncryptionType::Plain).map_err(failed)?;
    let collection = match ss.get_default_collection() {
        Ok(c) => c,
        Err(SsError::NoResult) => {
            return Err(keyring::Error::NoStorageAccess(
                "no default collection".into(),
            ));
        }
        Err(e) => return Err(failed(e)),
    };
    if collection.is_locked().map_err(failed)? {
        return Err(keyring::Error::NoStorageAccess(
            "the default collection is locked: unlocking it needs a prompt".into(),
        ));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn default_collection() -> Result<(), keyring::Error> {
    Ok(())
}
