//! [`StoreChain`]: the store chain that `auto`, `keychain` and `file` modes
//! describe. Reads look in every store; writes go to the keychain, falling
//! back to the file (in `auto` mode) only when the keychain is unreachable,
//! and say so.

mod accounts;

use super::index::{Index, Indexed};
use super::{FileStore, KeychainStore, Location, Store, StoreError};
use crate::record::{RECORD_VERSION, Record};
use crate::trace::{Event, Sink};
use std::sync::Mutex;
use std::time::Duration;

/// How credentials are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// OS keychain, falling back to the file where none is reachable.
    Auto,
    /// OS keychain only; fail when it is unreachable.
    Keychain,
    /// The 0600 file only; never touch the keychain.
    File,
}

impl StoreMode {
    /// Parse `auto`, `keychain` or `file`.
    pub fn parse(s: &str) -> Option<StoreMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(StoreMode::Auto),
            "keychain" => Some(StoreMode::Keychain),
            "file" => Some(StoreMode::File),
            _ => None,
        }
    }

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreMode::Auto => "auto",
            StoreMode::Keychain => "keychain",
            StoreMode::File => "file",
        }
    }
}

/// Where the stores of a [`StoreChain`] keep their data.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Which stores.
    pub mode: StoreMode,
    /// The fallback file (`credentials.json`).
    pub file: std::path::PathBuf,
    /// The lock file guarding rewrites of `file`.
    pub file_lock: std::path::PathBuf,
    /// The keychain service name.
    pub service: String,
    /// How long a keychain call may take before it counts as unreachable.
    pub keychain_timeout: Duration,
    /// The login index (`logins.json`), written under `file_lock`.
    pub index: std::path::PathBuf,
    /// The largest record the keychain takes, bytes (see
    /// [`crate::store::keychain::platform_max_secret`]); a larger one goes
    /// to the file in `auto` mode.
    pub keychain_max_secret: Option<usize>,
    /// The program's name, for the commands notices name.
    pub program: String,
}

/// A record and where it was found.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The record.
    pub record: Record,
    /// Where it lives.
    pub location: Location,
    /// The key it is stored under (see [`crate::record::store_key`]).
    pub key: String,
}

impl Stored {
    fn new(record: Record, location: Location) -> Stored {
        let key = stored_key(&record);
        Stored {
            record,
            location,
            key,
        }
    }
}

/// The key `record` is stored under: its own, or the API URL for a record
/// of the one-account layout that has not moved yet.
fn stored_key(record: &Record) -> String {
    record.legacy_key().unwrap_or_else(|| record.key())
}

/// What `delete` did.
#[derive(Debug, Clone, Default)]
pub struct Removed {
    /// Stores a record was removed from.
    pub from: Vec<Location>,
    /// Stores that could not be checked, with why.
    pub unreachable: Vec<(Location, String)>,
}

/// The credential stores in use.
pub struct StoreChain {
    mode: Option<StoreMode>,
    file: Option<FileStore>,
    primary: Option<Box<dyn Store>>,
    warnings: Mutex<Vec<String>>,
    unsearched: Mutex<Option<String>>,
    trace: Option<Sink>,
    diagnosed: Mutex<Vec<String>>,
    index: Option<Index>,
    program: String,
}

impl std::fmt::Debug for StoreChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreChain")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl StoreChain {
    /// The stores `config` describes.
    pub fn new(config: &StoreConfig) -> StoreChain {
        let file = FileStore::new(config.file.clone(), config.file_lock.clone());
        let primary: Option<Box<dyn Store>> = match config.mode {
            StoreMode::File => None,
            StoreMode::Auto | StoreMode::Keychain => Some(Box::new(
                KeychainStore::new(&config.service, config.keychain_timeout)
                    .with_max_secret(config.keychain_max_secret),
            )),
        };
        StoreChain {
            mode: Some(config.mode),
            file: Some(file),
            primary,
            warnings: Mutex::new(Vec::new()),
            unsearched: Mutex::new(None),
            trace: None,
            diagnosed: Mutex::new(Vec::new()),
            index: Some(Index::new(config.index.clone(), config.file_lock.clone())),
            program: config.program.clone(),
        }
    }

    /// Only `store`: for programs that keep credentials their own way.
    pub fn custom(store: Box<dyn Store>) -> StoreChain {
        StoreChain {
            mode: None,
            file: None,
            primary: Some(store),
            warnings: Mutex::new(Vec::new()),
            unsearched: Mutex::new(None),
            trace: None,
            diagnosed: Mutex::new(Vec::new()),
            index: None,
            program: String::new(),
        }
    }

    /// Where the index places the login stored under `key` (`Unknown`
    /// without an index).
    pub fn indexed(&self, key: &str) -> Indexed {
        self.index
            .as_ref()
            .map_or(Indexed::Unknown, |i| i.find(key))
    }

    /// Keep the index in step with a record stored at `location` under
    /// `key`; a failure is a notice, never a failed login.
    fn index_put(&self, key: &str, record: &Record, location: &Location) {
        if let Some(i) = &self.index
            && let Err(e) = i.put(key, location, Some(record.user.display()))
        {
            self.warn(format!("could not update the login index: {e}"));
        }
    }

    /// The notice for a command that fell back to the file.
    fn fallback_notice(&self, cause: &str, what: &str) -> String {
        format!(
            "the OS keychain is not reachable ({cause}); {what}. To use the file always: `{} config set credential_store file`",
            if self.program.is_empty() {
                "keyward"
            } else {
                &self.program
            }
        )
    }

    /// Report the raw cause of a keychain failure that `auto` mode gets
    /// past (falling back to the file) to `sink`, as a diagnostic.
    pub fn with_trace(mut self, sink: Option<Sink>) -> StoreChain {
        self.trace = sink;
        self
    }

    /// Hand the raw text behind an unreachable store's short cause to the
    /// trace sink, once.
    fn diagnose(&self, detail: Option<&str>) {
        let (Some(sink), Some(detail)) = (&self.trace, detail) else {
            return;
        };
        let mut seen = self.diagnosed.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.iter().any(|d| d == detail) {
            seen.push(detail.to_string());
            sink.event(&Event::diagnostic("keychain", detail));
        }
    }

    /// Notices for the user (fallbacks, permissions fixed), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        let mut w = std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(f) = &self.file {
            w.extend(f.take_warnings());
        }
        w
    }

    /// Add a notice for the user to those [`StoreChain::take_warnings`]
    /// hands out (said once).
    pub fn notice(&self, msg: String) {
        self.warn(msg);
    }

    fn warn(&self, msg: String) {
        let mut w = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !w.contains(&msg) {
            w.push(msg);
        }
    }

    /// The record stored under `key` (see [`crate::record::store_key`]).
    /// The file is read first: it is cheap, and it holds a record only when
    /// the keychain was unreachable at the last write, so it is the newer
    /// one when both exist. A record of the one-account layout found under
    /// its API URL is moved to its own key first (see [`Record::legacy_key`]).
    pub fn get(&self, key: &str) -> Result<Option<Stored>, StoreError> {
        let found = self.get_as_stored(key)?;
        Ok(found.map(|s| self.migrated(s)))
    }

    fn get_as_stored(&self, key: &str) -> Result<Option<Stored>, StoreError> {
        if let Some(f) = &self.file
            && let Some(c) = f.get(key)?
        {
            let location = f.location();
            self.index_put(key, &c, &location);
            return Ok(Some(Stored {
                record: c,
                location,
                key: key.to_string(),
            }));
        }
        let Some(p) = &self.primary else {
            return Ok(None);
        };
        match p.get(key) {
            Ok(c) => {
                let found = c.map(|record| Stored {
                    record,
                    location: p.location(),
                    key: key.to_string(),
                });
                // Indexed on first read, for records older than the index.
                if let Some(s) = &found {
                    self.index_put(key, &s.record, &s.location);
                }
                Ok(found)
            }
            Err(StoreError::Unavailable { cause, detail })
                if self.mode == Some(StoreMode::Auto) =>
            {
                self.diagnose(detail.as_deref());
                let api_url = crate::record::key_api_url(key);
                match self.indexed(key) {
                    // The login is there: unknown, not "not logged in".
                    Indexed::Keychain => Err(StoreError::Unavailable {
                        cause: format!("{cause}; the login to {api_url} is stored there"),
                        detail,
                    }),
                    // The index knows the keychain holds no login for it.
                    Indexed::Absent | Indexed::File => Ok(None),
                    Indexed::Unknown => {
                        // Not an error in auto mode: said only if nothing
                        // is found (see `unsearched`).
                        *self.unsearched.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(format!("the OS keychain could not be searched: {cause}"));
                        Ok(None)
                    }
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The other copy of the login under `key` that `get` does not use: a
    /// keychain record behind the file's (the file is read first). `None`
    /// when there is none or the keychain cannot be read.
    pub fn shadowed(&self, key: &str) -> Option<Location> {
        let (Some(f), Some(p)) = (&self.file, &self.primary) else {
            return None;
        };
        if !matches!(f.get(key), Ok(Some(_))) {
            return None;
        }
        matches!(p.get(key), Ok(Some(_))).then(|| p.location())
    }

    /// Each store and the logins it holds, as (API URL, "`<api_url>`" or
    /// "`<api_url> as <user>`"), or why it cannot be listed; shadowed copies
    /// included.
    #[allow(clippy::type_complexity)]
    pub fn by_store(&self) -> Vec<(Location, Result<Vec<(String, String)>, StoreError>)> {
        let name = |r: Record| {
            let label = match r.account() {
                Some(_) => format!("{} as {}", r.api_url, r.user.display()),
                None => r.api_url.clone(),
            };
            (r.api_url, label)
        };
        let mut out = Vec::new();
        if let Some(p) = &self.primary {
            out.push((
                p.location(),
                p.list().map(|l| l.into_iter().map(name).collect()),
            ));
        }
        if let Some(f) = &self.file {
            out.push((
                f.location(),
                f.list().map(|l| l.into_iter().map(name).collect()),
            ));
        }
        out
    }

    /// Why the keychain could not be searched by an earlier `get`, if so.
    pub fn unsearched(&self) -> Option<String> {
        self.unsearched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Store `cred` under its key ([`Record::key`]). Returns where it went.
    /// In `auto` mode an unreachable keychain sends it to the file, with a
    /// warning naming the file.
    pub fn set(&self, cred: &Record) -> Result<Location, StoreError> {
        let cred = &current(cred);
        let location = self.set_unindexed(cred)?;
        self.index_put(&cred.key(), cred, &location);
        Ok(location)
    }

    fn set_unindexed(&self, cred: &Record) -> Result<Location, StoreError> {
        if let Some(p) = &self.primary {
            match p.set(cred) {
                Ok(()) => {
                    // Remove an older fallback copy so reads find the new record.
                    if let Some(f) = &self.file
                        && let Err(e) = f.delete(&cred.key())
                    {
                        self.warn(format!(
                            "could not remove the older copy from {}: {e}",
                            f.path().display()
                        ));
                    }
                    return Ok(p.location());
                }
                Err(StoreError::TooLarge { size, limit })
                    if self.mode == Some(StoreMode::Auto) && self.file.is_some() =>
                {
                    return self.too_large_for_keychain(p.as_ref(), cred, size, limit);
                }
                Err(StoreError::Unavailable { cause, detail })
                    if self.mode == Some(StoreMode::Auto) =>
                {
                    self.diagnose(detail.as_deref());
                    if let Some(f) = &self.file {
                        f.set(cred)?;
                        let older = if self.indexed(&cred.key()) == Indexed::Keychain {
                            " (an older login stays in the keychain, unused)"
                        } else {
                            ""
                        };
                        self.warn(self.fallback_notice(
                            &cause,
                            &format!(
                                "stored in {} (mode 0600) instead{older}",
                                f.path().display()
                            ),
                        ));
                        return Ok(f.location());
                    }
                    return Err(StoreError::Unavailable { cause, detail });
                }
                Err(e) => return Err(e),
            }
        }
        match &self.file {
            Some(f) => {
                f.set(cred)?;
                Ok(f.location())
            }
            None => Err(StoreError::Io {
                action: "store the credential".into(),
                cause: "no credential store is configured".into(),
            }),
        }
    }

    /// `cred` is larger than the keychain takes: keep it in the file, say
    /// so, and delete the keychain's older copy, so that no stale token is
    /// left behind it.
    fn too_large_for_keychain(
        &self,
        keychain: &dyn Store,
        cred: &Record,
        size: usize,
        limit: usize,
    ) -> Result<Location, StoreError> {
        let Some(f) = &self.file else {
            return Err(StoreError::TooLarge { size, limit });
        };
        f.set(cred)?;
        let removed = match keychain.delete(&cred.key()) {
            Ok(true) => " (its older copy there is removed)",
            Ok(false) => "",
            Err(_) => " (an older copy there could not be removed; the file's is used)",
        };
        self.warn(format!(
            "the login record is {size} bytes, more than the OS keychain takes ({limit} bytes); stored in {} (mode 0600) instead{removed}",
            f.path().display()
        ));
        Ok(f.location())
    }

    /// Store `cred` back where `location` says it lives (used when updating a
    /// record, so that a refresh never moves it between stores silently).
    pub fn set_at(&self, cred: &Record, location: &Location) -> Result<Location, StoreError> {
        match (location, &self.file) {
            (Location::File { .. }, Some(f)) => {
                let cred = &current(cred);
                f.set(cred)?;
                self.index_put(&cred.key(), cred, &f.location());
                Ok(f.location())
            }
            _ => self.set(cred),
        }
    }

    /// Remove the record stored under `key` from every store.
    /// A login the index places in a keychain that cannot be reached is
    /// not removed there: that is an error naming it (the file copy, if
    /// any, is removed), never "nothing to remove".
    pub fn delete(&self, key: &str) -> Result<Removed, StoreError> {
        let mut out = Removed::default();
        let indexed = self.indexed(key);
        let api_url = crate::record::key_api_url(key);
        if let Some(p) = &self.primary {
            match p.delete(key) {
                Ok(true) => out.from.push(p.location()),
                Ok(false) => {}
                Err(StoreError::Unavailable { cause, detail })
                    if self.mode == Some(StoreMode::Auto) =>
                {
                    self.diagnose(detail.as_deref());
                    out.unreachable.push((p.location(), cause));
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(f) = &self.file
            && f.delete(key)?
        {
            out.from.push(f.location());
        }
        if let Some((_, cause)) = out.unreachable.first()
            && indexed == Indexed::Keychain
        {
            return Err(StoreError::Unavailable {
                cause: format!(
                    "{cause}; the login to {api_url} is stored there and was not removed"
                ),
                detail: None,
            });
        }
        if let Some(i) = &self.index
            && let Err(e) = i.remove(key)
        {
            self.warn(format!("could not update the login index: {e}"));
        }
        Ok(out)
    }
}

/// `cred` as this version writes it.
fn current(cred: &Record) -> Record {
    let mut r = cred.clone();
    r.version = r.version.max(RECORD_VERSION);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordKind;
    use crate::secret::Secret;
    use std::collections::BTreeMap;

    /// An in-memory store that can be switched off, for unit tests of the chain.
    #[derive(Default)]
    struct Memory {
        map: Mutex<BTreeMap<String, Record>>,
        down: bool,
        max: Option<usize>,
    }

    impl Store for Memory {
        fn location(&self) -> Location {
            Location::Keychain
        }
        fn get(&self, u: &str) -> Result<Option<Record>, StoreError> {
            self.check()?;
            Ok(self.map.lock().unwrap().get(u).cloned())
        }
        fn set(&self, c: &Record) -> Result<(), StoreError> {
            self.check()?;
            let size = c.to_json().len();
            if let Some(limit) = self.max.filter(|m| size > *m) {
                return Err(StoreError::TooLarge { size, limit });
            }
            self.map.lock().unwrap().insert(c.key(), c.clone());
            Ok(())
        }
        fn delete(&self, u: &str) -> Result<bool, StoreError> {
            self.check()?;
            Ok(self.map.lock().unwrap().remove(u).is_some())
        }
        fn list(&self) -> Result<Vec<Record>, StoreError> {
            self.check()?;
            Ok(self.map.lock().unwrap().values().cloned().collect())
        }
    }

    impl Memory {
        fn check(&self) -> Result<(), StoreError> {
            if self.down {
                Err(StoreError::Unavailable {
                    cause: "switched off".into(),
                    detail: Some("the raw switch-off text".into()),
                })
            } else {
                Ok(())
            }
        }
    }

    fn chain(dir: &std::path::Path, mode: StoreMode, down: bool) -> StoreChain {
        let mut c = StoreChain::new(&StoreConfig {
            mode,
            file: dir.join("credentials.json"),
            file_lock: dir.join(".credentials.lock"),
            service: "test".into(),
            keychain_timeout: Duration::from_secs(1),
            index: dir.join("logins.json"),
            program: "keyward".into(),
            keychain_max_secret: None,
        });
        c.primary = Some(Box::new(Memory {
            down,
            ..Default::default()
        }));
        c
    }

    fn cred(tok: &str) -> Record {
        Record::new(
            &crate::ApiUrl::parse("https://a.test").unwrap(),
            RecordKind::Token,
            Secret::new(tok),
        )
    }

    #[test]
    fn auto_falls_back_to_file_with_a_warning() {
        let d = tempfile::tempdir().unwrap();
        let c = chain(d.path(), StoreMode::Auto, true);
        let loc = c.set(&cred("t")).unwrap();
        assert!(matches!(loc, Location::File { .. }));
        let w = c.take_warnings();
        assert!(w[0].contains("credentials.json"), "{w:?}");
        assert_eq!(
            c.get("https://a.test")
                .unwrap()
                .unwrap()
                .record
                .access_token
                .expose(),
            "t"
        );
    }

    #[test]
    fn the_raw_cause_of_a_fallback_goes_to_the_trace_sink_once() {
        struct Record(Mutex<Vec<crate::trace::Event>>);
        impl crate::trace::TraceSink for Record {
            fn event(&self, e: &crate::trace::Event) {
                self.0.lock().unwrap().push(e.clone());
            }
        }
        let d = tempfile::tempdir().unwrap();
        let sink = std::sync::Arc::new(Record(Mutex::new(Vec::new())));
        let c = chain(d.path(), StoreMode::Auto, true).with_trace(Some(sink.clone()));
        c.set(&cred("t")).unwrap();
        c.get("https://b.test").unwrap();
        c.list().unwrap();
        let w = c.take_warnings();
        assert!(w.iter().all(|w| !w.contains("raw switch-off")), "{w:?}");
        assert_eq!(
            *sink.0.lock().unwrap(),
            vec![crate::trace::Event::diagnostic(
                "keychain",
                "the raw switch-off text"
            )]
        );
    }

    #[test]
    fn keychain_mode_never_falls_back() {
        let d = tempfile::tempdir().unwrap();
        let c = chain(d.path(), StoreMode::Keychain, true);
        assert!(matches!(
            c.set(&cred("t")),
            Err(StoreError::Unavailable { .. })
        ));
        assert!(!d.path().join("credentials.json").exists());
    }

    #[test]
    fn keychain_write_removes_the_older_file_copy() {
        let d = tempfile::tempdir().unwrap();
        let c = chain(d.path(), StoreMode::Auto, false);
        c.file.as_ref().unwrap().set(&cred("old")).unwrap();
        assert_eq!(c.set(&cred("new")).unwrap(), Location::Keychain);
        let s = c.get("https://a.test").unwrap().unwrap();
        assert_eq!(s.record.access_token.expose(), "new");
        assert_eq!(s.location, Location::Keychain);
    }

    #[test]
    fn a_record_too_big_for_the_keychain_goes_to_the_file_and_the_old_copy_goes() {
        let d = tempfile::tempdir().unwrap();
        let mut c = chain(d.path(), StoreMode::Auto, false);
        c.primary = Some(Box::new(Memory {
            max: Some(400),
            ..Default::default()
        }));
        assert_eq!(c.set(&cred("small")).unwrap(), Location::Keychain);
        let big = cred(&"x".repeat(4096));
        let loc = c.set(&big).unwrap();
        assert!(matches!(loc, Location::File { .. }), "{loc:?}");
        let w = c.take_warnings();
        assert!(
            w[0].contains("more than the OS keychain takes (400 bytes)"),
            "{w:?}"
        );
        assert!(w[0].contains("older copy there is removed"), "{w:?}");
        assert!(!w[0].contains("xxxx"), "no token in notices");
        let p = c.primary.as_ref().unwrap();
        assert!(
            p.get("https://a.test").unwrap().is_none(),
            "stale copy gone"
        );
        let s = c.get("https://a.test").unwrap().unwrap();
        assert_eq!(s.record.access_token.expose().len(), 4096);
        // in keychain mode it is an error, and nothing is written
        let d2 = tempfile::tempdir().unwrap();
        let mut k = chain(d2.path(), StoreMode::Keychain, false);
        k.primary = Some(Box::new(Memory {
            max: Some(400),
            ..Default::default()
        }));
        let e = k.set(&big).unwrap_err();
        assert!(matches!(e, StoreError::TooLarge { .. }), "{e:?}");
        assert!(e.hint().unwrap().contains("credential_store file"));
        assert!(!d2.path().join("credentials.json").exists());
    }

    #[test]
    fn records_of_the_one_account_layout_move_to_their_own_key() {
        let d = tempfile::tempdir().unwrap();
        let mut c = chain(d.path(), StoreMode::Auto, false);
        let mut old = cred("t");
        old.version = 1;
        old.user.email = Some("kim@x.test".into());
        // written the old way: under the API URL
        let mem = Memory::default();
        mem.map.lock().unwrap().insert("https://a.test".into(), old);
        c.primary = Some(Box::new(mem));
        let all = c.accounts("https://a.test").unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].key, "https://a.test#kim@x.test");
        assert_eq!(all[0].record.version, crate::record::RECORD_VERSION);
        let p = c.primary.as_ref().unwrap();
        assert!(
            p.get("https://a.test").unwrap().is_none(),
            "old item removed"
        );
        assert!(p.get("https://a.test#kim@x.test").unwrap().is_some());
    }

    #[test]
    fn delete_removes_from_both() {
        let d = tempfile::tempdir().unwrap();
        let c = chain(d.path(), StoreMode::Auto, false);
        c.file.as_ref().unwrap().set(&cred("f")).unwrap();
        c.primary.as_ref().unwrap().set(&cred("k")).unwrap();
        assert_eq!(c.delete("https://a.test").unwrap().from.len(), 2);
        assert!(c.get("https://a.test").unwrap().is_none());
        assert!(c.delete("https://a.test").unwrap().from.is_empty());
    }
}
