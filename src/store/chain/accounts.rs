//! Listing: every record of the stores (records of the one-account layout
//! moved to their own keys on the way), the accounts of one API URL, and
//! which one is active (kept in the login index).

use super::{StoreChain, StoreMode, Stored, stored_key};
use crate::record::RECORD_VERSION;
use crate::store::index::Indexed;
use crate::store::{Location, Store, StoreError};

impl StoreChain {
    /// Every account stored for `api_url`, file records first where both
    /// stores hold one, sorted by store key. In `auto` mode a keychain that
    /// cannot be listed is an error only when the index places a login of
    /// `api_url` there; otherwise the file's accounts are the answer (and
    /// [`StoreChain::unsearched`] says why the keychain was not).
    pub fn accounts(&self, api_url: &str) -> Result<Vec<Stored>, StoreError> {
        let (all, unlisted) = self.list_readable()?;
        if let Some(e) = unlisted {
            match e {
                StoreError::Unavailable { cause, detail } if self.mode == Some(StoreMode::Auto) => {
                    let indexed = self
                        .index
                        .as_ref()
                        .map_or(Indexed::Unknown, |i| i.find_api(api_url));
                    match indexed {
                        Indexed::Keychain => {
                            return Err(StoreError::Unavailable {
                                cause: format!("{cause}; the login to {api_url} is stored there"),
                                detail,
                            });
                        }
                        Indexed::Unknown => {
                            *self.unsearched.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(format!("the OS keychain could not be searched: {cause}"));
                        }
                        Indexed::Absent | Indexed::File => {}
                    }
                }
                e => return Err(e),
            }
        }
        Ok(all
            .into_iter()
            .filter(|s| s.record.api_url == api_url)
            .collect())
    }

    /// The store key of the active account of `api_url`, as the login
    /// index remembers it (the last login or `auth switch`).
    pub fn active(&self, api_url: &str) -> Option<String> {
        self.index.as_ref().and_then(|i| i.active(api_url))
    }

    /// Make `key` the active account of `api_url` (`None`: forget which
    /// is). A failure is a notice: the choice then falls to the newest login.
    pub fn set_active(&self, api_url: &str, key: Option<&str>) {
        if let Some(i) = &self.index
            && let Err(e) = i.set_active(api_url, key)
        {
            self.warn(format!("could not update the login index: {e}"));
        }
    }

    /// Move a record of the one-account layout (stored under its API URL)
    /// to its own key, in the store it is in: the new item is written
    /// first, then the old one removed. When the move fails the record is
    /// still used where it is, with a notice.
    pub(super) fn migrated(&self, s: Stored) -> Stored {
        if s.record.legacy_key().as_deref() != Some(s.key.as_str()) {
            return s;
        }
        let mut record = s.record.clone();
        record.version = RECORD_VERSION;
        let new_key = record.key();
        let store: Option<&dyn Store> = match &s.location {
            Location::File { .. } => self.file.as_ref().map(|f| f as &dyn Store),
            _ => self.primary.as_deref(),
        };
        let Some(store) = store else {
            return s;
        };
        let moved = store.set(&record).and_then(|()| store.delete(&s.key));
        match moved {
            Ok(_) => {
                if let Some(i) = &self.index {
                    let _ = i.remove(&s.key);
                }
                self.index_put(&new_key, &record, &s.location);
                Stored {
                    record,
                    location: s.location,
                    key: new_key,
                }
            }
            Err(e) => {
                self.warn(format!(
                    "could not move the login to {} to its per-account record: {e}",
                    s.record.api_url
                ));
                s
            }
        }
    }

    /// Every record, file records first; one per store key, sorted by key.
    pub fn list(&self) -> Result<Vec<Stored>, StoreError> {
        let (out, unlisted) = self.list_readable()?;
        match unlisted {
            None => Ok(out),
            Some(StoreError::Unavailable { cause, .. }) if self.mode == Some(StoreMode::Auto) => {
                self.warn(self.fallback_notice(&cause, "only the file store was listed"));
                Ok(out)
            }
            Some(e) => Err(e),
        }
    }

    /// Every record that could be read, file records first, one per store
    /// key (records of the one-account layout moved to their own keys); and why the keychain (or the embedder's store) could not be
    /// listed, when it could not. The file failing is an error.
    pub fn list_readable(&self) -> Result<(Vec<Stored>, Option<StoreError>), StoreError> {
        let mut out: Vec<Stored> = Vec::new();
        if let Some(f) = &self.file {
            for c in f.list()? {
                out.push(Stored::new(c, f.location()));
            }
        }
        let mut unlisted = None;
        if let Some(p) = &self.primary {
            match p.list() {
                Ok(list) => {
                    // The whole keychain is known now: the index is complete.
                    if let Some(i) = &self.index
                        && p.location() == Location::Keychain
                    {
                        let all: Vec<(String, Option<String>)> = list
                            .iter()
                            .map(|c| (stored_key(c), Some(c.user.display())))
                            .collect();
                        if let Err(e) = i.complete_with(&all) {
                            self.warn(format!("could not update the login index: {e}"));
                        }
                    }
                    for c in list {
                        let s = Stored::new(c, p.location());
                        if !out.iter().any(|o| o.key == s.key) {
                            out.push(s);
                        }
                    }
                }
                Err(e) => {
                    if let StoreError::Unavailable { detail, .. } = &e {
                        self.diagnose(detail.as_deref());
                    }
                    unlisted = Some(e);
                }
            }
        }
        let mut out: Vec<Stored> = out.into_iter().map(|s| self.migrated(s)).collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out.dedup_by(|a, b| a.key == b.key);
        Ok((out, unlisted))
    }
}
