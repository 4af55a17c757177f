//! [`Keyward`] and [`TokenSource`]: the embeddable API.

#[cfg(feature = "reqwest")]
mod send;

use crate::api_url::ApiUrl;
use crate::auth::token::{self, Cache, LiveToken};
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

    /// Hand debug traces (HTTP requests and responses, redacted; raw store
    /// causes) to `sink`; see [`crate::trace`]. `keyward::cli::trace_sink`
    /// is the CLI's, which honours `{ENV}_DEBUG`.
    pub fn with_trace(self, sink: Option<crate::trace::Sink>) -> Keyward {
        Keyward {
            session: self.session.with_trace(sink),
        }
    }

    /// Use the stored account `user` (its account id, email or name: see
    /// [`crate::auth::account`]) instead of the active one, as `-u` does.
    pub fn with_user(self, user: Option<String>) -> Keyward {
        Keyward {
            session: self.session.with_user(user),
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
///
/// It builds the store chain once and remembers the token, its expiry and
/// the login's tenant: with a valid token, a call reads nothing. A refresh by
/// another process is still seen (the store is read again when the token
/// nears its expiry, and after a 401). Clones share all of it.
///
/// - [`TokenSource::token`] for sync code (it may also be called inside a
///   tokio runtime: a refresh then runs on a thread of its own);
/// - [`TokenSource::token_async`] for async code: it never blocks the
///   executor and refreshes with the caller's `reqwest::Client`;
/// - with the `reqwest` feature, `TokenSource::send` authorizes a
///   `reqwest::Request` and retries once after a 401.
#[derive(Debug, Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    session: Session,
    api_url: ApiUrl,
    cache: Cache,
    /// A tenant chosen by the caller (`--tenant`), above every other source.
    tenant: Option<String>,
}

impl TokenSource {
    /// A source for `api_url` (or the session's resolved default).
    pub fn new(session: Session, api_url: Option<&str>) -> Result<TokenSource> {
        let (api_url, _) = session.api_url(api_url)?;
        Ok(TokenSource {
            inner: Arc::new(Inner {
                session,
                api_url,
                cache: Cache::default(),
                tenant: None,
            }),
        })
    }

    /// Send `tenant` as `X-Tenant` instead of the one the environment,
    /// a pin, config or the login would give (as `--tenant` does). It is
    /// checked when a request is authorized.
    pub fn with_tenant(self, tenant: Option<String>) -> TokenSource {
        let inner = Inner {
            session: self.inner.session.clone(),
            api_url: self.inner.api_url.clone(),
            cache: Cache::default(),
            tenant,
        };
        TokenSource {
            inner: Arc::new(inner),
        }
    }

    /// The environment.
    pub fn api_url(&self) -> &ApiUrl {
        &self.inner.api_url
    }

    /// The session it runs in.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    /// The tenant in effect (`{ENV}_TENANT`, config, or the one the stored
    /// login captured, unless an environment token is used instead of it),
    /// sent as `X-Tenant`. A store that cannot be read is an error.
    pub fn tenant(&self) -> Result<Option<String>> {
        // With an environment token the stored login is not in use, and the
        // tenant it captured is not the token's.
        let flag = self.inner.tenant.as_deref();
        if self.inner.session.env_token(self.api_url())?.is_some() {
            return Ok(self
                .inner
                .session
                .tenant(self.api_url(), flag, None)?
                .map(|t| t.0));
        }
        let captured = match self.inner.cache.tenant() {
            Some(t) => t,
            None => match crate::auth::stored(&self.inner.session, self.api_url()) {
                Ok(s) => {
                    self.inner.cache.learn(&s.record);
                    s.record.tenant
                }
                Err(crate::Error::NotLoggedIn { .. }) => None,
                Err(e) => return Err(e),
            },
        };
        Ok(self
            .inner
            .session
            .tenant(self.api_url(), flag, captured.as_deref())?
            .map(|t| t.0))
    }

    /// A live access token: the environment token for the API URL if one
    /// applies (see [`Session::env_token`]), else the stored one,
    /// refreshed first when it is about to expire. With a valid token it
    /// builds no runtime and no HTTP client.
    pub fn token(&self) -> Result<Secret> {
        token::access_token(&self.inner.session, &self.inner.api_url, &self.inner.cache)
    }

    /// Like [`TokenSource::token`], for a token that stays valid at least
    /// `min_valid` more (a script or job that runs for minutes): it is
    /// refreshed first when it expires sooner. The refresh margin (60 s)
    /// still applies below that. A stored token that expires within
    /// `min_valid` and cannot be refreshed is
    /// [`Error::ExpiresTooSoon`] (exit 4, "run `{bin} auth login`"), as is a
    /// refreshed one that still does (exit 1: the server's tokens live
    /// less). An environment token is returned unchanged: its expiry is not
    /// known.
    ///
    /// ```no_run
    /// # fn main() -> keyward::Result<()> {
    /// let kw = keyward::Keyward::new(keyward::Platform::keyward())?;
    /// let source = kw.token_source(None)?;
    /// let token = source.token_valid_for(std::time::Duration::from_secs(300))?;
    /// # let _ = token; Ok(()) }
    /// ```
    pub fn token_valid_for(&self, min_valid: std::time::Duration) -> Result<Secret> {
        self.live_token(min_valid).map(|t| t.token)
    }

    /// Like [`TokenSource::token_valid_for`], with what is known of the
    /// token: its expiry, the environment variable it came from, the
    /// account (what `auth token --json` prints).
    pub fn live_token(&self, min_valid: std::time::Duration) -> Result<LiveToken> {
        token::access_token_valid_for(
            &self.inner.session,
            &self.inner.api_url,
            &self.inner.cache,
            min_valid,
        )
    }

    /// [`TokenSource::token_valid_for`] for async code, as
    /// [`TokenSource::token_async`].
    pub async fn token_valid_for_async(
        &self,
        min_valid: std::time::Duration,
        client: &reqwest::Client,
    ) -> Result<Secret> {
        let http = self.http_of(client);
        token::access_token_valid_for_async(
            &self.inner.session,
            &self.inner.api_url,
            &self.inner.cache,
            &http,
            min_valid,
        )
        .await
        .map(|t| t.token)
    }

    /// Like [`TokenSource::token`], for async code: it never blocks the
    /// executor (store, keychain and the cross-process lock run on blocking
    /// threads) and a refresh goes through `client`, so the program keeps one
    /// HTTP stack, one trust store and one proxy configuration. Concurrent
    /// calls share one refresh.
    ///
    /// The client should not follow redirects for keyward's requests to
    /// matter: keyward sends refresh tokens in bodies it does not let be
    /// replayed, so a redirect never carries one elsewhere, and it refuses an
    /// answer that came through a redirect.
    pub async fn token_async(&self, client: &reqwest::Client) -> Result<Secret> {
        let http = self.http_of(client);
        token::access_token_async(
            &self.inner.session,
            &self.inner.api_url,
            &self.inner.cache,
            &http,
        )
        .await
    }

    /// keyward's HTTP client over the caller's `client`, traced as the
    /// session is.
    fn http_of(&self, client: &reqwest::Client) -> crate::http::Client {
        crate::http::Client::from_reqwest(client.clone())
            .with_trace(self.inner.session.trace().cloned())
    }

    /// A `reqwest::ClientBuilder` set up as keyward's own client for this
    /// API URL (its `ca_file` trusted besides the system's CAs, timeouts,
    /// `User-Agent`, no redirects; see [`crate::http::builder`]). Build the
    /// program's one client from it and pass that client to
    /// [`TokenSource::token_async`].
    pub fn client_builder(&self) -> Result<reqwest::ClientBuilder> {
        Ok(crate::http::builder(
            &self.inner.session.http_config(&self.inner.api_url),
        )?)
    }

    /// Notices from the session and the stores since the last call (a
    /// per-project pin ignored as unsafe, a credentials file whose
    /// permissions had to be fixed, a fallback), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        let mut w = self.inner.session.take_warnings();
        w.extend(
            self.inner
                .session
                .stores()
                .map(|s| s.take_warnings())
                .unwrap_or_default(),
        );
        w
    }

    /// The server refused `rejected`, a token we believed valid: refresh
    /// (unless another process already stored a different token) and
    /// return the new one.
    pub fn token_after_rejection(&self, rejected: &Secret) -> Result<Secret> {
        crate::rt::block_on(token::after_rejection(
            &self.inner.session,
            &self.inner.api_url,
            &self.inner.cache,
            rejected,
            None,
        ))
    }

    /// Like [`TokenSource::token_after_rejection`], refreshing through
    /// `client` without blocking the executor.
    pub async fn token_after_rejection_async(
        &self,
        rejected: &Secret,
        client: &reqwest::Client,
    ) -> Result<Secret> {
        let http = self.http_of(client);
        token::after_rejection(
            &self.inner.session,
            &self.inner.api_url,
            &self.inner.cache,
            rejected,
            Some(&http),
        )
        .await
    }

    /// True when an environment token (`{ENV}_TOKEN_<host>`, or `{ENV}_TOKEN`
    /// where it applies) supplies the token: it is never refreshed.
    pub fn uses_env_token(&self) -> bool {
        matches!(
            self.inner.session.env_token(&self.inner.api_url),
            Ok(Some(_))
        )
    }

    /// GET `path` (relative to the API URL, or absolute) with the token and
    /// `X-Tenant`, for sync programs. A 401 for a token we believed valid
    /// triggers one refresh and one retry; a second 401 is
    /// [`Error::TokenRejected`] (exit 4).
    ///
    /// `path` becomes a URL by [`ApiUrl::join`], the rule keyward uses for
    /// its own endpoints (and that a `keyward api PATH` command will use):
    /// an absolute URL as is; otherwise a base path the API URL ends with is
    /// not repeated, so `get("/api/v1/projects")` and `get("projects")` both
    /// reach `https://x/api/v1/projects` when the API URL is
    /// `https://x/api/v1`, and the first one does also for `https://x`.
    pub fn get(&self, path: &str) -> Result<Response> {
        let url = self.api_url().join(path);
        let token = self.token()?;
        let tenant = self.tenant()?;
        crate::rt::block_on(async {
            let http = self.inner.session.http_client(self.api_url())?;
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
            if resp.status != 401 || self.uses_env_token() {
                return Ok(resp);
            }
            let fresh = token::after_rejection(
                &self.inner.session,
                self.api_url(),
                &self.inner.cache,
                &token,
                Some(&http),
            )
            .await?;
            let resp = send(fresh).await?;
            if resp.status == 401 {
                return Err(Error::TokenRejected {
                    api_url: self.api_url().to_string(),
                    status: 401,
                });
            }
            Ok(resp)
        })
    }
}
