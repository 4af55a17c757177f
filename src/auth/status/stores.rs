//! `auth status --stores`: each credential store and the logins it holds,
//! copies that another store shadows included.

use crate::error::Result;
use crate::session::Session;
use crate::store::Location;
use serde::Serialize;

/// One store's logins.
#[derive(Debug, Clone, Serialize)]
pub struct StoreListing {
    /// Where the store keeps its records (`store`, and `path` for the file).
    #[serde(flatten)]
    pub store: Location,
    /// The API URLs it holds a login for (empty when it cannot be read).
    pub api_urls: Vec<String>,
    /// Each login it holds: "`<api_url>`", or "`<api_url> as <user>`" for a
    /// login whose account is known.
    pub logins: Vec<String>,
    /// The API URLs whose login here is not the one used (another store's
    /// copy is read first).
    pub shadowed: Vec<String>,
    /// The logins (as in `logins`) that another store's copy shadows.
    pub shadowed_logins: Vec<String>,
    /// Why the store cannot be read, when it cannot.
    pub error: Option<String>,
}

/// Every store of the session with the logins it holds.
pub fn stores(session: &Session) -> Result<Vec<StoreListing>> {
    let chain = session.stores()?;
    let listed = chain.by_store();
    let file_logins: Vec<String> = listed
        .iter()
        .filter(|(l, _)| matches!(l, Location::File { .. }))
        .filter_map(|(_, r)| r.as_ref().ok())
        .flatten()
        .map(|(_, label)| label.clone())
        .collect();
    Ok(listed
        .into_iter()
        .map(|(store, found)| {
            let file = matches!(store, Location::File { .. });
            match found {
                Ok(found) => {
                    let shadowed: Vec<&(String, String)> = found
                        .iter()
                        .filter(|(_, label)| !file && file_logins.contains(label))
                        .collect();
                    let mut shadowed_urls: Vec<String> =
                        shadowed.iter().map(|(u, _)| u.clone()).collect();
                    shadowed_urls.dedup();
                    let shadowed_logins = shadowed.iter().map(|(_, l)| l.clone()).collect();
                    let mut api_urls: Vec<String> = found.iter().map(|(u, _)| u.clone()).collect();
                    api_urls.sort();
                    api_urls.dedup();
                    StoreListing {
                        store,
                        api_urls,
                        logins: found.into_iter().map(|(_, l)| l).collect(),
                        shadowed: shadowed_urls,
                        shadowed_logins,
                        error: None,
                    }
                }
                Err(e) => StoreListing {
                    store,
                    api_urls: Vec::new(),
                    logins: Vec::new(),
                    shadowed: Vec::new(),
                    shadowed_logins: Vec::new(),
                    error: Some(match e.cause() {
                        Some(c) => format!("{e}: {c}"),
                        None => e.to_string(),
                    }),
                },
            }
        })
        .collect())
}
