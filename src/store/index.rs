//! The login index (`logins.json`): which store holds the login of each API
//! URL, and for whom, with no secret in it, as gh keeps its account list in
//! hosts.yml beside the keyring. It lets keyward tell "not logged in" from
//! "logged in, in a keychain that cannot be reached right now".
//!
//! Written under the credential store's lock, atomically (temp file, fsync,
//! rename; 0600). A missing or unreadable index is an empty one that is not
//! `complete`: then nothing can be ruled out.

use super::Location;
use crate::lock::FileLock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Where the index says a login is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    /// In the OS keychain.
    Keychain,
    /// In the fallback file.
    File,
    /// Nowhere: the index is complete and does not know this API URL.
    Absent,
    /// The index cannot say (it does not know this API URL and has never
    /// seen the whole keychain).
    Unknown,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexFile {
    #[serde(default)]
    version: u32,
    /// True once every record of the keychain has been indexed.
    #[serde(default)]
    complete: bool,
    #[serde(default)]
    logins: BTreeMap<String, Entry>,
}

/// One login in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    /// `keychain` or `file`.
    store: String,
    /// Who it belongs to (display form), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

/// The index file and the lock it is written under.
#[derive(Debug, Clone)]
pub struct Index {
    path: PathBuf,
    lock: PathBuf,
}

const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

fn store_name(l: &Location) -> Option<&'static str> {
    match l {
        Location::Keychain => Some("keychain"),
        Location::File { .. } => Some("file"),
        Location::Custom { .. } => None,
    }
}

impl Index {
    /// The index at `path`, written under `lock`.
    pub fn new(path: PathBuf, lock: PathBuf) -> Index {
        Index { path, lock }
    }

    fn read(&self) -> IndexFile {
        match std::fs::read(&self.path) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_default(),
            // A fresh install (no config.toml either: a keyward from before
            // the index saves one at its first login) has no login at all.
            Err(_) => IndexFile {
                complete: !self.path.with_file_name("config.toml").exists(),
                ..IndexFile::default()
            },
        }
    }

    /// Where the login of `api_url` is.
    pub fn find(&self, api_url: &str) -> Indexed {
        let f = self.read();
        match f.logins.get(api_url).map(|e| e.store.as_str()) {
            Some("keychain") => Indexed::Keychain,
            Some(_) => Indexed::File,
            None if f.complete => Indexed::Absent,
            None => Indexed::Unknown,
        }
    }

    /// Change the index under the lock; write it only when it changed.
    fn update(&self, change: impl FnOnce(&mut IndexFile)) -> std::io::Result<()> {
        let _lock = FileLock::acquire(&self.lock, LOCK_TIMEOUT).map_err(std::io::Error::other)?;
        let mut f = self.read();
        let before = serde_json::to_vec(&f).unwrap_or_default();
        change(&mut f);
        f.version = 1;
        let after = serde_json::to_vec_pretty(&f).map_err(std::io::Error::other)?;
        if serde_json::to_vec(&f).unwrap_or_default() == before && self.path.exists() {
            return Ok(());
        }
        crate::fsutil::write_private_atomic(&self.path, &after)
    }

    /// Record that the login of `api_url` (for `account`) is at `location`.
    pub fn put(
        &self,
        api_url: &str,
        location: &Location,
        account: Option<String>,
    ) -> std::io::Result<()> {
        let Some(store) = store_name(location) else {
            return Ok(());
        };
        let entry = Entry {
            store: store.to_string(),
            account,
        };
        if self.read().logins.get(api_url) == Some(&entry) {
            return Ok(());
        }
        self.update(|f| {
            f.logins.insert(api_url.to_string(), entry);
        })
    }

    /// Forget the login of `api_url`.
    pub fn remove(&self, api_url: &str) -> std::io::Result<()> {
        if !self.read().logins.contains_key(api_url) {
            return Ok(());
        }
        self.update(|f| {
            f.logins.remove(api_url);
        })
    }

    /// Every record of the keychain was listed: index them all, drop the
    /// keychain entries it no longer holds, and mark the index complete.
    pub fn complete_with(&self, keychain: &[(String, Option<String>)]) -> std::io::Result<()> {
        self.update(|f| {
            f.logins
                .retain(|u, e| e.store != "keychain" || keychain.iter().any(|(k, _)| k == u));
            for (u, account) in keychain {
                f.logins.entry(u.clone()).or_insert(Entry {
                    store: "keychain".into(),
                    account: account.clone(),
                });
            }
            f.complete = true;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> (tempfile::TempDir, Index) {
        let d = tempfile::tempdir().unwrap();
        // not a fresh install: a config.toml exists
        std::fs::write(d.path().join("config.toml"), "").unwrap();
        let i = Index::new(d.path().join("logins.json"), d.path().join("lock"));
        (d, i)
    }

    #[test]
    fn unknown_until_complete_then_absent() {
        let (_d, i) = index();
        assert_eq!(i.find("https://a.test"), Indexed::Unknown);
        i.put("https://a.test", &Location::Keychain, Some("Jane".into()))
            .unwrap();
        assert_eq!(i.find("https://a.test"), Indexed::Keychain);
        assert_eq!(i.find("https://b.test"), Indexed::Unknown);
        i.complete_with(&[("https://a.test".into(), None)]).unwrap();
        assert_eq!(i.find("https://b.test"), Indexed::Absent);
        i.remove("https://a.test").unwrap();
        assert_eq!(i.find("https://a.test"), Indexed::Absent);
    }

    #[test]
    fn a_fresh_install_knows_there_is_no_login() {
        let d = tempfile::tempdir().unwrap();
        let i = Index::new(d.path().join("logins.json"), d.path().join("lock"));
        assert_eq!(i.find("https://a.test"), Indexed::Absent);
        std::fs::write(d.path().join("config.toml"), "").unwrap();
        assert_eq!(i.find("https://a.test"), Indexed::Unknown);
    }

    #[test]
    fn complete_drops_keychain_logins_gone_and_keeps_file_ones() {
        let (d, i) = index();
        let file = Location::File {
            path: d.path().join("credentials.json"),
        };
        i.put("https://f.test", &file, None).unwrap();
        i.put("https://gone.test", &Location::Keychain, None)
            .unwrap();
        i.complete_with(&[]).unwrap();
        assert_eq!(i.find("https://f.test"), Indexed::File);
        assert_eq!(i.find("https://gone.test"), Indexed::Absent);
        let text = std::fs::read_to_string(d.path().join("logins.json")).unwrap();
        assert!(!text.contains("token"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.path().join("logins.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
