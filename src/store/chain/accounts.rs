//! The accounts of one API URL: every record stored for it, and which one
//! is active (kept in the login index).

use super::{StoreChain, StoreMode, Stored};
use crate::store::StoreError;
use crate::store::index::Indexed;

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
}
