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
    /// The API URLs whose login here is not the one used (another store's
    /// copy is read first).
    pub shadowed: Vec<String>,
    /// Why the store cannot be read, when it cannot.
    pub error: Option<String>,
}

/// Every store of the session with the logins it holds.
pub fn stores(session: &Session) -> Result<Vec<StoreListing>> {
    let chain = session.stores()?;
    let listed = chain.by_store();
    let file_urls: Vec<String> = listed
        .iter()
        .filter(|(l, _)| matches!(l, Location::File { .. }))
        .filter_map(|(_, r)| r.as_ref().ok())
        .flatten()
        .cloned()
        .collect();
    Ok(listed
        .into_iter()
        .map(|(store, found)| {
            let file = matches!(store, Location::File { .. });
            match found {
                Ok(api_urls) => StoreListing {
                    shadowed: if file {
                        Vec::new()
                    } else {
                        api_urls
                            .iter()
                            .filter(|u| file_urls.contains(u))
                            .cloned()
                            .collect()
                    },
                    store,
                    api_urls,
                    error: None,
                },
                Err(e) => StoreListing {
                    store,
                    api_urls: Vec::new(),
                    shadowed: Vec::new(),
                    error: Some(match e.cause() {
                        Some(c) => format!("{e}: {c}"),
                        None => e.to_string(),
                    }),
                },
            }
        })
        .collect())
}
