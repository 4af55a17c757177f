//! [`Session`]: the platform, its files and config, the credential stores
//! (built once), and the resolution rules for the API URL, the tenant, the
//! store mode and the OAuth client id.

use crate::api_url::ApiUrl;
use crate::config::{Config, HostSettings, Paths};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::record::check_tenant;
use crate::store::{Store, StoreChain, StoreConfig, StoreMode};
use serde::Serialize;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A token from the environment and the variable it came from.
#[derive(Debug, Clone)]
pub struct EnvToken {
    /// The variable's name (`KEYWARD_TOKEN`, `KEYWARD_TOKEN_api_example_com`).
    pub variable: String,
    /// The token.
    pub token: crate::Secret,
}

impl EnvToken {
    fn new(variable: String, value: std::ffi::OsString) -> Result<EnvToken> {
        let bad = |why: &str| {
            Error::usage(
                format!("{variable} cannot be used as a token: {why}"),
                Some(format!(
                    "set {variable} to exactly one token, with no spaces or newlines"
                )),
            )
        };
        let value = value.into_string().map_err(|_| bad("it is not text"))?;
        let token = value.trim();
        if token.is_empty() {
            return Err(bad("it is empty"));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains a space, a newline or a control character"));
        }
        Ok(EnvToken {
            token: crate::Secret::new(token),
            variable,
        })
    }
}

/// The `<HOST>` part of `{ENV}_TOKEN_<HOST>` for `api_url`.
pub fn host_key(api_url: &ApiUrl) -> String {
    let url = url::Url::parse(api_url.as_str()).ok();
    let host = url
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let mut key = host.replace('-', "__").replace(['.', ':'], "_");
    if let Some(port) = url.as_ref().and_then(|u| u.port()) {
        key.push_str(&format!("_{port}"));
    }
    key
}

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Source {
    /// A command-line flag.
    Flag(String),
    /// An environment variable.
    Env(String),
    /// config.toml.
    Config,
    /// Baked in at build time, or the embedding platform's default.
    BuiltIn,
    /// Captured from the profile at login.
    Login,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(n) => write!(f, "from {n}"),
            Source::Env(n) => write!(f, "from {n}"),
            Source::Config => f.write_str("from config.toml"),
            Source::BuiltIn => f.write_str("built-in default"),
            Source::Login => f.write_str("captured at login"),
        }
    }
}

/// The loaded environment every command and every [`TokenSource`](crate::TokenSource) runs in.
#[derive(Clone)]
pub struct Session {
    /// Which platform.
    pub platform: Platform,
    /// Its files.
    pub paths: Paths,
    /// config.toml.
    pub config: Config,
    custom: Option<Arc<dyn Store>>,
    stores: Arc<OnceLock<StoreChain>>,
    trace: Option<crate::trace::Sink>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("platform", &self.platform.name)
            .field("paths", &self.paths)
            .field("custom_store", &self.custom.is_some())
            .field("traced", &self.trace.is_some())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Find the config directory and load config.toml.
    pub fn load(platform: Platform) -> Result<Session> {
        let paths = Paths::resolve(&platform)?;
        let config = Config::load(&paths)?;
        Ok(Session::new(platform, paths, config))
    }

    /// A session over already loaded parts.
    pub fn new(platform: Platform, paths: Paths, config: Config) -> Session {
        Session {
            platform,
            paths,
            config,
            custom: None,
            stores: Arc::new(OnceLock::new()),
            trace: None,
        }
    }

    /// Hand debug traces to `sink`: each HTTP request and response (when
    /// the sink wants them), and the raw causes of store failures. Without
    /// a sink nothing is traced. Set it before the stores are first used.
    pub fn with_trace(mut self, sink: Option<crate::trace::Sink>) -> Session {
        self.trace = sink;
        self.stores = Arc::new(OnceLock::new());
        self
    }

    /// The trace sink, if any.
    pub fn trace(&self) -> Option<&crate::trace::Sink> {
        self.trace.as_ref()
    }

    /// Keep credentials in `store` instead of the keychain and the file.
    pub fn with_store(mut self, store: Arc<dyn Store>) -> Session {
        self.custom = Some(store);
        self.stores = Arc::new(OnceLock::new());
        self
    }

    /// API URL: flag > `{ENV}_API_URL` > config `api_url` > built-in default.
    pub fn api_url(&self, flag: Option<&str>) -> Result<(ApiUrl, Source)> {
        self.api_url_if_any(flag)?.ok_or_else(|| {
            Error::usage(
                "no API URL given",
                Some(format!(
                    "pass `-h api.example.com`, set {}, or save a default with `{{bin}} config set api_url https://api.example.com`",
                    self.platform.env_var("API_URL")
                )),
            )
        })
    }

    /// Like [`Session::api_url`], `None` when nothing names one.
    pub fn api_url_if_any(&self, flag: Option<&str>) -> Result<Option<(ApiUrl, Source)>> {
        if let Some(f) = flag {
            return Ok(Some((ApiUrl::parse(f)?, Source::Flag("--api-url".into()))));
        }
        let var = self.platform.env_var("API_URL");
        if let Some(v) = self.platform.env("API_URL") {
            let u = ApiUrl::parse(&v).map_err(|mut e| {
                e.message = format!("{} (from {var})", e.message);
                e
            })?;
            return Ok(Some((u, Source::Env(var))));
        }
        if let Some(u) = self.config.api_url() {
            return Ok(Some((u, Source::Config)));
        }
        if let Some(d) = self.platform.default_api_url.filter(|d| !d.is_empty()) {
            return Ok(Some((ApiUrl::parse(d)?, Source::BuiltIn)));
        }
        Ok(None)
    }

    /// Tenant: flag > `{ENV}_TENANT` > config `tenant` > captured at login.
    pub fn tenant(
        &self,
        flag: Option<&str>,
        captured: Option<&str>,
    ) -> Result<Option<(String, Source)>> {
        if let Some(f) = flag {
            return Ok(Some((
                check_tenant(f)?.to_string(),
                Source::Flag("--tenant".into()),
            )));
        }
        if let Some(v) = self.platform.env("TENANT") {
            return Ok(Some((
                check_tenant(v.trim())?.to_string(),
                Source::Env(self.platform.env_var("TENANT")),
            )));
        }
        if let Some(t) = self.config.tenant() {
            return Ok(Some((t, Source::Config)));
        }
        Ok(captured.map(|c| (c.to_string(), Source::Login)))
    }

    /// Store mode: `{ENV}_CREDENTIAL_STORE` > config `credential_store` > auto.
    pub fn store_mode(&self) -> Result<StoreMode> {
        if let Some(v) = self.platform.env("CREDENTIAL_STORE") {
            return StoreMode::parse(&v).ok_or_else(|| {
                Error::usage(
                    format!(
                        "invalid {} `{v}`",
                        self.platform.env_var("CREDENTIAL_STORE")
                    ),
                    Some("use auto, keychain or file".into()),
                )
            });
        }
        Ok(self.config.credential_store().unwrap_or(StoreMode::Auto))
    }

    /// The credential stores for the resolved mode, built on first use and
    /// shared by every clone of this session.
    pub fn stores(&self) -> Result<&StoreChain> {
        if let Some(s) = self.stores.get() {
            return Ok(s);
        }
        let chain = match &self.custom {
            Some(s) => StoreChain::custom(Box::new(s.clone())),
            None => StoreChain::new(&StoreConfig {
                mode: self.store_mode()?,
                file: self.paths.credentials_file(),
                file_lock: self.paths.lock_file("credentials"),
                service: self.platform.keychain_service.to_string(),
                keychain_timeout: self.config.keychain_timeout(),
            })
            .with_trace(self.trace.clone()),
        };
        Ok(self.stores.get_or_init(|| chain))
    }

    /// Per-host settings.
    pub fn host(&self, api_url: &ApiUrl) -> HostSettings {
        self.config.host(api_url)
    }

    /// The HTTP client for requests made for `api_url` (its authorization
    /// server included): the configured timeouts, and the host's `ca_file`
    /// trusted besides the system's CAs.
    pub fn http_client(&self, api_url: &ApiUrl) -> Result<crate::http::Client> {
        Ok(crate::http::Client::new(&self.http_config(api_url))?.with_trace(self.trace.clone()))
    }

    /// What the HTTP client for `api_url` is built with: the configured
    /// timeouts and the host's `ca_file`.
    pub fn http_config(&self, api_url: &ApiUrl) -> crate::http::HttpConfig {
        crate::http::HttpConfig {
            connect_timeout: self.config.http_connect_timeout(),
            timeout: self.config.http_timeout(),
            tls: crate::http::tls::Trust {
                ca_files: self
                    .host(api_url)
                    .ca_file
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            },
        }
    }

    /// The environment token for `api_url`, if one applies to it:
    ///
    /// - `{ENV}_TOKEN_<HOST>` (the API URL's host, lowercase, with `.` as `_`,
    ///   `-` as `__` and a port as `_<port>`: `KEYWARD_TOKEN_api_example_com`),
    ///   for jobs that talk to several APIs (as Terraform's `TF_TOKEN_<host>`);
    /// - `{ENV}_TOKEN`, which applies to one API URL only: `{ENV}_API_URL`
    ///   when set, else the default API URL (config, then built in), else
    ///   whichever API URL the command names.
    ///
    /// A value with a space, a newline or another control character is a
    /// usage error: it is never sent in a header.
    pub fn env_token(&self, api_url: &ApiUrl) -> Result<Option<EnvToken>> {
        let host_var = format!("{}_{}", self.platform.env_var("TOKEN"), host_key(api_url));
        for var in [host_var.clone(), host_var.to_ascii_uppercase()] {
            if let Some(v) = std::env::var_os(&var) {
                return EnvToken::new(var, v).map(Some);
            }
        }
        let var = self.platform.env_var("TOKEN");
        let Some(v) = std::env::var_os(&var) else {
            return Ok(None);
        };
        if v.is_empty() {
            return Ok(None);
        }
        match self.env_token_target()? {
            Some(target) if &target != api_url => Ok(None),
            _ => EnvToken::new(var, v).map(Some),
        }
    }

    /// The API URL `{ENV}_TOKEN` belongs to, when one is settled without
    /// the command: `{ENV}_API_URL`, else the default API URL.
    pub fn env_token_target(&self) -> Result<Option<ApiUrl>> {
        if let Some(v) = self.platform.env("API_URL") {
            return Ok(Some(ApiUrl::parse(&v)?));
        }
        if let Some(u) = self.config.api_url() {
            return Ok(Some(u));
        }
        match self.platform.default_api_url.filter(|d| !d.is_empty()) {
            Some(d) => Ok(Some(ApiUrl::parse(d)?)),
            None => Ok(None),
        }
    }

    /// The command that opens the login URL: `{ENV}_BROWSER`, then config
    /// `browser`, then `BROWSER`; `None` means the system's opener.
    pub fn browser(&self) -> Option<String> {
        self.platform
            .env("BROWSER")
            .or_else(|| self.config.browser())
            .or_else(|| std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()))
    }

    /// The OAuth client id: flag > `{ENV}_CLIENT_ID` > host config > built-in.
    pub fn client_id(&self, api_url: &ApiUrl, flag: Option<&str>) -> Result<String> {
        flag.map(str::to_string)
            .or_else(|| self.platform.env("CLIENT_ID"))
            .or_else(|| self.host(api_url).client_id)
            .or_else(|| {
                self.platform
                    .default_client_id
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
            })
            .map(|c| c.trim().to_string())
            .ok_or_else(|| {
                Error::usage(
                    format!("no OAuth client id is known for {api_url}"),
                    Some(format!(
                        "pass `--client-id ID`, set {}, run `{{bin}} config set client_id ID --host {api_url}`, or build with KEYWARD_DEFAULT_CLIENT_ID set",
                        self.platform.env_var("CLIENT_ID")
                    )),
                )
            })
    }
}
