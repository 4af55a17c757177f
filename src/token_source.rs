//! [`Keyward`] and [`TokenSource`]: the embeddable API.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::http::Response;
use crate::platform::Platform;
use crate::secret::Secret;
use crate::session::Session;
use crate::store::Store;
use std::sync::Arc;

/// keyward for one platform: its config, its stores, its tokens.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # unsafe { std::env::set_var("ACME_CONFIG_DIR", dir.path()) };
/// use keyward::{Keyward, Platform};
///
/// const ACME: Platform = Platform {
///     name: "acme",
///     env_prefix: "ACME",
///     keychain_service: "acme-cli",
///     config_dir_name: "acme",
///     default_api_url: Some("https://api.acme.test"),
///     default_client_id: Some("acme-cli"),
///     default_scopes: &["read"],
///     endpoints: keyward::PlatformEndpoints::NONE,
/// };
///
/// let kw = Keyward::new(ACME).unwrap();
/// let source = kw.token_source(None).unwrap();
/// assert_eq!(source.api_url().as_str(), "https://api.acme.test");
/// // Nobody has logged in yet: exit code 4, "run `acme auth login`".
/// let err = source.token().unwrap_err();
/// assert_eq!(err.exit_code(), 4);
/// assert!(err.hint_for(&ACME).unwrap().contains("acme auth login"));
/// ```
#[derive(Debug, Clone)]
pub struct Keyward {
    session: Session,
}

impl Keyward {
    /// Load the platform's config (its `{ENV}_CONFIG_DIR` or the OS config dir).
    pub fn new(platform: Platform) -> Result<Keyward> {
        Ok(Keyward {
            session: Session::load(platform)?,
        })
    }

    /// Keep credentials in `store` instead of the keychain and the file.
    pub fn with_store(self, store: Arc<dyn Store>) -> Keyward {
        Keyward {
            session: self.session.with_store(store),
        }
    }

    /// The loaded session (config, paths, stores).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// A source of live access tokens for `api_url` (or the resolved default).
    pub fn token_source(&self, api_url: Option<&str>) -> Result<TokenSource> {
        TokenSource::new(self.session.clone(), api_url)
    }
}

/// Hands out a live access token for one environment, refreshing it (once
/// across all processes) when it is about to expire.
#[derive(Debug, Clone)]
pub struct TokenSource {
    session: Session,
    api_url: ApiUrl,
}

impl TokenSource {
    /// A source for `api_url` (or the session's resolved default).
    pub fn new(session: Session, api_url: Option<&str>) -> Result<TokenSource> {
        let (api_url, _) = session.api_url(api_url)?;
        Ok(TokenSource { session, api_url })
    }

    /// The environment.
    pub fn api_url(&self) -> &ApiUrl {
        &self.api_url
    }

    /// The tenant in effect (env, config, or the login's).
    pub fn tenant(&self) -> Option<String> {
        let captured = self
            .session
            .stores()
            .ok()?
            .get(self.api_url.as_str())
            .ok()
            .flatten()
            .and_then(|s| s.record.tenant);
        self.session
            .tenant(None, captured.as_deref())
            .ok()
            .flatten()
            .map(|t| t.0)
    }

    /// A live access token: `{ENV}_TOKEN` if set, else the stored one,
    /// refreshed first when it expires within a minute.
    pub fn token(&self) -> Result<Secret> {
        crate::auth::token::access_token(&self.session, &self.api_url)
    }

    /// Notices from the stores since the last call (a credentials file whose
    /// permissions had to be fixed, a fallback), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        self.session
            .stores()
            .map(|s| s.take_warnings())
            .unwrap_or_default()
    }

    /// The server refused `rejected`, a token we believed valid: refresh
    /// (unless another process already stored a different token) and
    /// return the new one.
    pub fn token_after_rejection(&self, rejected: &Secret) -> Result<Secret> {
        crate::rt::block_on(crate::auth::refresh::refresh_rejected(
            &self.session,
            &self.api_url,
            rejected,
        ))
        .map(|s| s.record.access_token)
    }

    /// GET `path` (relative to the API URL, or absolute) with the token and
    /// `X-Tenant`. A 401 for a token we believed valid triggers one refresh
    /// and one retry; a second 401 is [`Error::TokenRejected`] (exit 4).
    pub fn get(&self, path: &str) -> Result<Response> {
        let url = if path.starts_with("https://") || path.starts_with("http://") {
            path.to_string()
        } else {
            self.api_url
                .join(&format!("/{}", path.trim_start_matches('/')))
        };
        let token = self.token()?;
        let tenant = self.tenant();
        crate::rt::block_on(async {
            let http = self.session.http_client(&self.api_url)?;
            let send = |tok: Secret| {
                let (http, url, tenant) = (&http, &url, &tenant);
                async move {
                    let auth = format!("Bearer {}", tok.expose());
                    let mut headers = vec![("Authorization", auth.as_str())];
                    if let Some(t) = tenant.as_deref() {
                        headers.push(("X-Tenant", t));
                    }
                    http.get(url, &headers).await.map_err(Error::from)
                }
            };
            let resp = send(token.clone()).await?;
            if resp.status != 401 || self.session.env_token().is_some() {
                return Ok(resp);
            }
            let fresh =
                crate::auth::refresh::refresh_rejected(&self.session, &self.api_url, &token)
                    .await?
                    .record
                    .access_token;
            let resp = send(fresh).await?;
            if resp.status == 401 {
                return Err(Error::TokenRejected {
                    api_url: self.api_url.to_string(),
                    status: 401,
                });
            }
            Ok(resp)
        })
    }
}
