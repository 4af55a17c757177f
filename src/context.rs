//! [`Context`]: the platform, its files, and the resolution rules for the
//! API URL, the tenant, the credential store and the endpoints.

use crate::api_url::ApiUrl;
use crate::config::{Config, HostSettings, Paths, StoreMode, check_tenant};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::store::Credentials;
use serde::Serialize;
use std::fmt;

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

/// The loaded environment every command runs in.
#[derive(Clone)]
pub struct Context {
    /// Which platform.
    pub platform: Platform,
    /// Its files.
    pub paths: Paths,
    /// config.toml.
    pub config: Config,
    /// A store supplied by an embedding program, used instead of keychain and file.
    pub store: Option<std::sync::Arc<dyn crate::store::Store>>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("platform", &self.platform.name)
            .field("paths", &self.paths)
            .field("custom_store", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// Find the config directory and load config.toml.
    pub fn load(platform: Platform) -> Result<Context> {
        let paths = Paths::resolve(&platform)?;
        let config = Config::load(&paths)?;
        Ok(Context {
            platform,
            paths,
            config,
            store: None,
        })
    }

    /// API URL: flag > `{ENV}_API_URL` > config `api_url` > built-in default.
    pub fn api_url(&self, flag: Option<&str>) -> Result<(ApiUrl, Source)> {
        if let Some(f) = flag {
            return Ok((ApiUrl::parse(f)?, Source::Flag("--api-url".into())));
        }
        let var = self.platform.env_var("API_URL");
        if let Some(v) = self.platform.env("API_URL") {
            let u = ApiUrl::parse(&v).map_err(|e| match e {
                Error::Usage { message, hint } => Error::Usage {
                    message: format!("{message} (from {var})"),
                    hint,
                },
                e => e,
            })?;
            return Ok((u, Source::Env(var)));
        }
        if let Some(u) = self.config.api_url() {
            return Ok((u, Source::Config));
        }
        if let Some(d) = self.platform.default_api_url.filter(|d| !d.is_empty()) {
            return Ok((ApiUrl::parse(d)?, Source::BuiltIn));
        }
        Err(Error::usage(
            "no API URL given",
            Some(format!(
                "pass `--api-url https://api.example.com`, set {var}, or save a default with `{{bin}} config set api_url https://api.example.com`"
            )),
        ))
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

    /// The credential stores for the resolved mode.
    pub fn credentials(&self) -> Result<Credentials> {
        if let Some(s) = &self.store {
            return Ok(Credentials::custom(Box::new(s.clone())));
        }
        Ok(Credentials::new(
            self.store_mode()?,
            &self.paths,
            self.platform.keychain_service,
            self.config.keychain_timeout(),
        ))
    }

    /// Per-host settings.
    pub fn host(&self, api_url: &ApiUrl) -> HostSettings {
        self.config.host(api_url)
    }

    /// `{ENV}_TOKEN`, when set.
    pub fn env_token(&self) -> Option<crate::Secret> {
        std::env::var(self.platform.env_var("TOKEN"))
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .map(crate::Secret::new)
    }
}
