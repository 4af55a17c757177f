//! The login index (`logins.json`): which store holds each login (one per
//! API URL and account, by store key), for whom, and which account of each
//! API URL is active, with no secret in it, as gh keeps its account list in
//! hosts.yml beside the keyring. It lets keyward tell "not logged in" from
//! "logged in, in a keychain that cannot be reached right now", and find
//! the active account's record without listing the keychain.
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

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct IndexFile {
    #[serde(default)]
    version: u32,
    /// True once every record of the keychain has been indexed.
    #[serde(default)]
    complete: bool,
    /// By store key (see [`crate::record::store_key`]).
    #[serde(default)]
    logins: BTreeMap<String, Entry>,
    /// The active account's store key, by API URL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    active: BTreeMap<String, String>,
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

fn api_of(key: &str) -> &str {
    crate::record::key_api_url(key)
}

/// The index file and the lock it is written under.
#[derive(Debug, Clone)]
pub struct Index {
    path: PathBuf,
    lock: PathBuf,
    /// The index as this process last read or wrote it: a command reads
    /// the file once (`auth token` asks it twice), and every change starts
    /// from the file itself, under the lock.
    seen: std::sync::Arc<std::sync::Mutex<Option<IndexFile>>>,
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
        Index {
            path,
            lock,
            seen: Default::default(),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Option<IndexFile>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> IndexFile {
        if let Some(f) = self.seen().clone() {
            return f;
        }
        let f = self.read_file();
        *self.seen() = Some(f.clone());
        f
    }

    fn read_file(&self) -> IndexFile {
        // Never through a symbolic link (one is unreadable here, and refused
        // by the write); one too large to be an index counts as a damaged
        // one: unknown.
        match crate::fsutil::read_no_follow(&self.path) {
            Ok((text, _)) => serde_json::from_str(&text).unwrap_or_default(),
            Err(crate::limits::ReadError::TooLarge) => IndexFile::default(),
            // A fresh install (no config.toml either: a keyward from before
            // the index saves one at its first login) has no login at all.
            Err(crate::limits::ReadError::Missing) => IndexFile {
                complete: !self.path.with_file_name("config.toml").exists(),
                ..IndexFile::default()
            },
            Err(_) => IndexFile::default(),
        }
    }

    /// Where the login stored under `key` is.
    pub fn find(&self, key: &str) -> Indexed {
        let f = self.read();
        match f.logins.get(key).map(|e| e.store.as_str()) {
            Some("keychain") => Indexed::Keychain,
            Some(_) => Indexed::File,
            None if f.complete => Indexed::Absent,
            None => Indexed::Unknown,
        }
    }

    /// Where the logins of `api_url` are: `Keychain` when one of them is
    /// there, else `File` when one is in the file.
    pub fn find_api(&self, api_url: &str) -> Indexed {
        let f = self.read();
        let stores: Vec<&str> = f
            .logins
            .iter()
            .filter(|(k, _)| api_of(k) == api_url)
            .map(|(_, e)| e.store.as_str())
            .collect();
        if stores.contains(&"keychain") {
            Indexed::Keychain
        } else if !stores.is_empty() {
            Indexed::File
        } else if f.complete {
            Indexed::Absent
        } else {
            Indexed::Unknown
        }
    }

    /// The store key of the active account of `api_url`, if one is set.
    pub fn active(&self, api_url: &str) -> Option<String> {
        self.read().active.get(api_url).cloned()
    }

    /// Make `key` the active account of its API URL (`None`: forget it).
    pub fn set_active(&self, api_url: &str, key: Option<&str>) -> std::io::Result<()> {
        if self.read().active.get(api_url).map(String::as_str) == key && self.path.exists() {
            return Ok(());
        }
        self.update(|f| match key {
            Some(k) => {
                f.active.insert(api_url.to_string(), k.to_string());
            }
            None => {
                f.active.remove(api_url);
            }
        })
    }

    /// Change the index under the lock; write it only when it changed.
    fn update(&self, change: impl FnOnce(&mut IndexFile)) -> std::io::Result<()> {
        let _lock = FileLock::acquire(&self.lock, crate::lock::timeout(LOCK_TIMEOUT))
            .map_err(std::io::Error::other)?;
        if let Some(dir) = self.path.parent() {
            crate::fsutil::remove_stale_temps(dir);
        }
        let mut f = self.read_file();
        let before = serde_json::to_vec(&f).unwrap_or_default();
        change(&mut f);
        f.version = 2;
        let after = serde_json::to_vec_pretty(&f).map_err(std::io::Error::other)?;
        if serde_json::to_vec(&f).unwrap_or_default() == before && self.path.exists() {
            *self.seen() = Some(f);
            return Ok(());
        }
        let written = crate::fsutil::write_private_atomic(&self.path, &after);
        *self.seen() = written.is_ok().then_some(f);
        written
    }

    /// Record that the login stored under `key` (for `account`) is at `location`.
    pub fn put(
        &self,
        key: &str,
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
        if self.read().logins.get(key) == Some(&entry) {
            return Ok(());
        }
        self.update(|f| {
            f.logins.insert(key.to_string(), entry);
        })
    }

    /// Forget the login stored under `key` (and that it is active).
    pub fn remove(&self, key: &str) -> std::io::Result<()> {
        let f = self.read();
        let api = api_of(key);
        if !f.logins.contains_key(key) && f.active.get(api).map(String::as_str) != Some(key) {
            return Ok(());
        }
        self.update(|f| {
            f.logins.remove(key);
            if f.active.get(api).map(String::as_str) == Some(key) {
                f.active.remove(api);
            }
        })
    }

    /// Every record of the keychain was listed (by store key): index them
    /// all, drop the keychain entries it no longer holds, and mark the
    /// index complete.
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
        // (a new process: one process reads the index once)
        let i = Index::new(d.path().join("logins.json"), d.path().join("lock"));
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
