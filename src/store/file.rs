//! `credentials.json`: the fallback store. A JSON map of store key (API URL
//! and account, see [`crate::record::store_key`]) to record,
//! mode 0600 in a directory only the user can write, rewritten atomically
//! under a file lock.
//! It and its lock must not be symbolic links (see [`fsutil`]); temp files
//! left by a writer that died are removed whenever the lock is taken.

use super::{Location, Store, StoreError};
use crate::fsutil;
use crate::limits::ReadError;
use crate::lock::FileLock;
use crate::record::Record;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The credentials file.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    lock_path: PathBuf,
    warnings: Mutex<Vec<String>>,
}

type Map = BTreeMap<String, serde_json::Value>;

/// How long a rewrite waits for another process's (`{ENV}_LOCK_TIMEOUT`
/// changes it).
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

impl FileStore {
    /// The store at `path`, locked through `lock_path` while it is rewritten.
    pub fn new(path: PathBuf, lock_path: PathBuf) -> FileStore {
        FileStore {
            path,
            lock_path,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Warnings gathered so far (permissions tightened), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn read_map(&self) -> Result<Map, StoreError> {
        let (text, file) = match fsutil::read_no_follow(&self.path) {
            Ok(t) => t,
            Err(ReadError::Missing) => return Ok(Map::new()),
            Err(ReadError::TooLarge) => {
                return Err(StoreError::Corrupt {
                    what: format!("file {}", self.path.display()),
                    cause: format!("{}: not a keyward store", ReadError::TooLarge.describe()),
                });
            }
            Err(ReadError::Io(e)) => {
                return Err(StoreError::Io {
                    action: format!("read {}", self.path.display()),
                    cause: e.to_string(),
                });
            }
        };
        match fsutil::tighten_file(&file) {
            Ok(true) => self.warnings.lock().unwrap_or_else(|e| e.into_inner()).push(format!(
                "{} was readable by other users; its permissions are now 0600. Tokens in it may have been exposed: consider logging in again.",
                self.path.display()
            )),
            Ok(false) => {}
            Err(e) => self.warnings.lock().unwrap_or_else(|e| e.into_inner()).push(format!(
                "cannot restrict the permissions of {}: {e}",
                self.path.display()
            )),
        }
        if text.trim().is_empty() {
            return Ok(Map::new());
        }
        serde_json::from_str::<Map>(&text).map_err(|e| StoreError::Corrupt {
            what: format!("file {}", self.path.display()),
            cause: format!(
                "not a JSON map of API URL to credential: {}",
                strip_content(&e)
            ),
        })
    }

    fn write_map(&self, map: &Map) -> Result<(), StoreError> {
        let text = serde_json::to_string_pretty(map).unwrap_or_default();
        fsutil::write_private_atomic(&self.path, text.as_bytes()).map_err(|e| StoreError::Io {
            action: format!("write {}", self.path.display()),
            cause: e.to_string(),
        })
    }

    fn locked<T>(
        &self,
        f: impl FnOnce(&mut Map) -> Result<(T, bool), StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = FileLock::acquire(&self.lock_path, crate::lock::timeout(LOCK_TIMEOUT))
            .map_err(StoreError::lock_failed)?;
        if let Some(dir) = self.path.parent() {
            fsutil::remove_stale_temps(dir);
        }
        let mut map = self.read_map()?;
        let (out, changed) = f(&mut map)?;
        if changed {
            self.write_map(&map)?;
        }
        Ok(out)
    }

    fn parse(&self, url: &str, v: &serde_json::Value) -> Result<Record, StoreError> {
        serde_json::from_value(v.clone()).map_err(|e| StoreError::Corrupt {
            what: format!("record for {url} in {}", self.path.display()),
            cause: strip_content(&e),
        })
    }
}

/// serde_json errors can quote input; keep only the position.
fn strip_content(e: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {}, column {}",
        e.classify(),
        e.line(),
        e.column()
    )
    .to_lowercase()
}

impl Store for FileStore {
    fn location(&self) -> Location {
        Location::File {
            path: self.path.clone(),
        }
    }

    fn get(&self, key: &str) -> Result<Option<Record>, StoreError> {
        let map = self.read_map()?;
        map.get(key).map(|v| self.parse(key, v)).transpose()
    }

    fn set(&self, cred: &Record) -> Result<(), StoreError> {
        let value = serde_json::to_value(cred).map_err(|e| StoreError::Io {
            action: "encode the credential".into(),
            cause: e.to_string(),
        })?;
        self.locked(|map| {
            map.insert(cred.key(), value);
            Ok(((), true))
        })
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        // A link is not "nothing stored": reading it under the lock refuses it.
        if std::fs::symlink_metadata(&self.path).is_err() {
            return Ok(false);
        }
        self.locked(|map| {
            let removed = map.remove(key).is_some();
            Ok((removed, removed))
        })
    }

    fn list(&self) -> Result<Vec<Record>, StoreError> {
        let map = self.read_map()?;
        map.iter().map(|(k, v)| self.parse(k, v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordKind;
    use crate::secret::Secret;

    fn store(d: &Path) -> FileStore {
        FileStore::new(d.join("c/credentials.json"), d.join("c/.credentials.lock"))
    }

    fn cred(url: &str, tok: &str) -> Record {
        Record::new(
            &crate::ApiUrl::parse(url).unwrap(),
            RecordKind::Token,
            Secret::new(tok),
        )
    }

    #[test]
    fn set_get_delete_list() {
        let d = tempfile::tempdir().unwrap();
        let s = store(d.path());
        assert!(s.get("https://a.test").unwrap().is_none());
        s.set(&cred("https://a.test", "t1")).unwrap();
        s.set(&cred("https://b.test", "t2")).unwrap();
        assert_eq!(
            s.get("https://a.test")
                .unwrap()
                .unwrap()
                .access_token
                .expose(),
            "t1"
        );
        assert_eq!(s.list().unwrap().len(), 2);
        assert!(s.delete("https://a.test").unwrap());
        assert!(!s.delete("https://a.test").unwrap());
        assert_eq!(
            s.get("https://b.test")
                .unwrap()
                .unwrap()
                .access_token
                .expose(),
            "t2"
        );
    }

    #[test]
    fn corrupt_file_is_an_error_and_not_overwritten() {
        let d = tempfile::tempdir().unwrap();
        let s = store(d.path());
        std::fs::create_dir_all(d.path().join("c")).unwrap();
        std::fs::write(s.path(), "{ not json secret_tok").unwrap();
        let e = s.get("https://a.test").unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }));
        assert!(!e.cause().unwrap().contains("secret_tok"));
        assert!(s.set(&cred("https://a.test", "t")).is_err());
        assert_eq!(
            std::fs::read_to_string(s.path()).unwrap(),
            "{ not json secret_tok"
        );
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let s = store(d.path());
        s.set(&cred("https://a.test", "t")).unwrap();
        std::fs::set_permissions(s.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        s.get("https://a.test").unwrap();
        let w = s.take_warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            std::fs::metadata(s.path()).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_store_is_refused_and_its_target_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let s = store(d.path());
        std::fs::create_dir_all(d.path().join("c")).unwrap();
        let target = d.path().join("notes.txt");
        std::fs::write(&target, "{}").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&target, s.path()).unwrap();
        for e in [
            s.get("https://a.test").unwrap_err(),
            s.set(&cred("https://a.test", "t")).unwrap_err(),
            s.delete("https://a.test").unwrap_err(),
        ] {
            assert!(
                e.cause().unwrap_or_default().contains("is a symbolic link"),
                "{e:?}"
            );
        }
        assert_eq!(
            std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert!(
            std::fs::symlink_metadata(s.path())
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
    }
}
