//! [`Session`]: the platform, its files and config, the credential stores
//! (built once), and the resolution rules for the API URL, the tenant, the
//! store mode and the OAuth client id. The per-project pin
//! (`.keyward.toml`, see [`crate::config::pin`]) is read once, on first use.

use crate::api_url::ApiUrl;
use crate::config::pin::{Pin, PinCell};
use crate::config::{Config, HostSettings, Paths};
use crate::error::{Error, Result};
use crate::platform::Platform;
use crate::record::check_tenant;
use crate::store::{Store, StoreChain, StoreConfig, StoreMode};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A token from the environment and the variable it came from.
#[derive(Debug, Clone)]
pub struct EnvToken {
    /// The variable's name (`KEYWARD_TOKEN`, `KEYWARD_TOKEN_api_example_com`).
    pub variable: String,
    /// The token, exactly as the variable holds it.
    pub token: crate::Secret,
}

impl EnvToken {
    /// Check `value` and wrap it. The value is used exactly as given or
    /// refused: it goes into an `Authorization` header and `auth token`
    /// prints it, so nothing is trimmed, and the error never shows it.
    fn new(variable: String, value: std::ffi::OsString) -> Result<EnvToken> {
        let bad = |why: &str| {
            Error::usage(
                format!("{variable} cannot be used as a token: {why}"),
                Some(format!(
                    "set {variable} to exactly the token, with nothing around it (`export {variable}=\"$(cat token.txt)\"` drops a trailing newline), or unset it"
                )),
            )
        };
        let token = value.into_string().map_err(|_| bad("it is not text"))?;
        if token.contains(['\n', '\r']) {
            return Err(bad("it contains a newline"));
        }
        if token.chars().any(char::is_control) {
            return Err(bad("it contains a control character"));
        }
        if token.chars().any(char::is_whitespace) {
            return Err(bad("it contains a space"));
        }
        if !token.is_ascii() {
            return Err(bad("it contains a non-ASCII character"));
        }
        Ok(EnvToken {
            token: crate::Secret::new(token),
            variable,
        })
    }
}

/// The environment token for `api_url`, if one applies. `target` gives the
/// API URL `{ENV}_TOKEN` belongs to (`None`: whichever the command names);
/// it is asked only when `{ENV}_TOKEN` is set and no `{ENV}_TOKEN_<host>`.
pub(crate) fn env_token_with(
    platform: &Platform,
    api_url: &ApiUrl,
    env: EnvLookup<'_>,
    target: impl FnOnce() -> Result<Option<ApiUrl>>,
) -> Result<Option<EnvToken>> {
    let var = platform.env_var("TOKEN");
    let host_var = format!("{var}_{}", host_key(api_url));
    for name in [host_var.clone(), host_var.to_ascii_uppercase()] {
        if let Some(v) = env(&name).filter(|v| !v.is_empty()) {
            return EnvToken::new(name, v).map(Some);
        }
    }
    let Some(v) = env(&var).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match target()? {
        Some(t) if &t != api_url => Ok(None),
        _ => EnvToken::new(var, v).map(Some),
    }
}

/// How environment variables are read: the process's, or a test's.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<std::ffi::OsString>;

pub(crate) fn process_env(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name)
}

/// The `<HOST>` part of `{ENV}_TOKEN_<HOST>` for `api_url`: the host in
/// lowercase (an international name in its `xn--` form), `-` as `__`, `.`
/// (and an IPv6 address's `:`) as `_`, and a port other than the scheme's
/// default as `_<port>`. `https://api-eu.example.com:8443` gives
/// `api__eu_example_com_8443`.
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
    /// config.toml, the top level (for every API URL).
    Config,
    /// config.toml, the API URL's own `[hosts."<api_url>"]` section.
    HostConfig,
    /// A per-project pin: the file.
    Pin(#[serde(serialize_with = "lossy_path")] PathBuf),
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
            Source::HostConfig => f.write_str("from config.toml, for this API URL"),
            Source::Pin(p) => write!(f, "from {}", p.display()),
            Source::BuiltIn => f.write_str("built-in default"),
            Source::Login => f.write_str("captured at login"),
        }
    }
}

fn lossy_path<S: serde::Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
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
    pin: Arc<PinCell>,
    trace: Option<crate::trace::Sink>,
    user: Option<String>,
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
        crate::lock::set_timeout_variable(platform.env_var("LOCK_TIMEOUT"));
        Session {
            platform,
            paths,
            config,
            custom: None,
            stores: Arc::new(OnceLock::new()),
            pin: Arc::new(PinCell::current_dir()),
            trace: None,
            user: None,
        }
    }

    /// Pick the account `user` (`-u/--user`) instead of the active one;
    /// `None` leaves the choice to `{ENV}_USER` and the rest (see
    /// [`Session::user`]).
    pub fn with_user(mut self, user: Option<String>) -> Session {
        self.user = user.filter(|u| !u.trim().is_empty());
        self
    }

    /// The account asked for: `-u/--user` > `{ENV}_USER`. `None`: the
    /// active account (the last login or `auth switch`).
    pub fn user(&self) -> Option<(String, Source)> {
        if let Some(u) = &self.user {
            return Some((u.trim().to_string(), Source::Flag("--user".into())));
        }
        self.platform
            .env("USER")
            .filter(|u| !u.trim().is_empty())
            .map(|u| {
                (
                    u.trim().to_string(),
                    Source::Env(self.platform.env_var("USER")),
                )
            })
    }

    /// The account the per-project pin names for `api_url` (its `user`,
    /// when the pin applies to `api_url`), and the pin it comes from. It is
    /// honoured only where that account is stored (see
    /// [`crate::auth::account::stored`]).
    pub fn pinned_user(&self, api_url: &ApiUrl) -> Result<Option<(String, Source)>> {
        Ok(self
            .pin()?
            .filter(|p| p.applies_to(api_url))
            .and_then(|p| p.user.clone().map(|u| (u, Source::Pin(p.path.clone())))))
    }

    /// Look for the per-project pin from `dir` up instead of the current
    /// directory; `None`: no pin applies (a server, a test).
    pub fn with_pin_dir(mut self, dir: Option<PathBuf>) -> Session {
        self.pin = Arc::new(PinCell::from_dir(dir));
        self
    }

    /// The per-project pin in effect (`.keyward.toml` in the current
    /// directory or a parent), read on the first call. A pin that is not
    /// safe (owned by someone else, writable by others) is none, with a
    /// warning ([`Session::take_warnings`]); a safe one that cannot be used
    /// (an unknown key, a bad value, a `token`) is an error (exit 1).
    pub fn pin(&self) -> Result<Option<&Pin>> {
        Ok(self.pin.get(&self.platform)?)
    }

    /// Notices about the session itself since the last call (a pin ignored
    /// as unsafe), emptied. The stores keep their own
    /// ([`StoreChain::take_warnings`]).
    pub fn take_warnings(&self) -> Vec<String> {
        self.pin.take_warnings()
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

    /// API URL: flag > `{ENV}_API_URL` > the pin's `api_url` > config
    /// `api_url` > built-in default.
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
        self.default_api_url(&process_env)
    }

    /// Tenant: flag > `{ENV}_TENANT` > the pin's `tenant` (when the pin names
    /// this API URL, or none) > config `[hosts."<api_url>"].tenant` > config
    /// `tenant` (the fallback for every API URL) > captured at login.
    pub fn tenant(
        &self,
        api_url: &ApiUrl,
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
        if let Some(p) = self.pin()?.filter(|p| p.applies_to(api_url))
            && let Some(t) = &p.tenant
        {
            return Ok(Some((t.clone(), Source::Pin(p.path.clone()))));
        }
        if let Some(t) = self.config.host(api_url).tenant {
            return Ok(Some((t, Source::HostConfig)));
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
                index: self.paths.dir.join("logins.json"),
                program: self.platform.name.to_string(),
                keychain_max_secret: self.keychain_max_secret(),
            })
            .with_trace(self.trace.clone()),
        };
        Ok(self.stores.get_or_init(|| chain))
    }

    /// The largest record the keychain is given: `{ENV}_KEYCHAIN_MAX_BYTES`
    /// (for a Secret Service backend that refuses large secrets), else the
    /// platform's limit (Windows: 2560 bytes), else none.
    fn keychain_max_secret(&self) -> Option<usize> {
        match self.platform.env("KEYCHAIN_MAX_BYTES") {
            Some(v) => v.trim().parse().ok().filter(|n| *n > 0),
            None => crate::store::keychain::platform_max_secret(),
        }
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

    /// The API URL a command uses when it names none: `{ENV}_API_URL`, else
    /// the pin's `api_url` (the directory's default), else config `api_url`,
    /// else the built-in default.
    fn default_api_url(&self, env: EnvLookup<'_>) -> Result<Option<(ApiUrl, Source)>> {
        let var = self.platform.env_var("API_URL");
        let value = env(&var)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.trim().is_empty());
        if let Some(v) = value {
            let u = ApiUrl::parse(&v).map_err(|mut e| {
                e.message = format!("{} (from {var})", e.message);
                e
            })?;
            return Ok(Some((u, Source::Env(var))));
        }
        if let Some(p) = self.pin()?
            && let Some(u) = &p.api_url
        {
            return Ok(Some((u.clone(), Source::Pin(p.path.clone()))));
        }
        if let Some(u) = self.config.api_url() {
            return Ok(Some((u, Source::Config)));
        }
        match self.platform.default_api_url.filter(|d| !d.is_empty()) {
            Some(d) => Ok(Some((ApiUrl::parse(d)?, Source::BuiltIn))),
            None => Ok(None),
        }
    }

    /// The environment token for `api_url`, if one applies to it:
    ///
    /// - `{ENV}_TOKEN_<HOST>` (see [`host_key`]: `KEYWARD_TOKEN_api_example_com`,
    ///   or the same name in upper case), for jobs that talk to several APIs
    ///   (as Terraform's `TF_TOKEN_<host>`); it wins over `{ENV}_TOKEN`;
    /// - `{ENV}_TOKEN`, which applies to one API URL only (see
    ///   [`Session::env_token_target`]): `{ENV}_API_URL` when set, else the
    ///   default API URL (the pin's, config's, then the built-in one), else
    ///   whichever API URL the command names. Commands for other API URLs
    ///   ignore it.
    ///
    /// An empty variable counts as unset. A value with a space, a newline,
    /// another control character or a non-ASCII character is a usage error
    /// (exit 2) that never shows the value: it is never sent in a header.
    pub fn env_token(&self, api_url: &ApiUrl) -> Result<Option<EnvToken>> {
        self.env_token_in(api_url, &process_env)
    }

    fn env_token_in(&self, api_url: &ApiUrl, env: EnvLookup<'_>) -> Result<Option<EnvToken>> {
        env_token_with(&self.platform, api_url, env, || {
            Ok(self.default_api_url(env)?.map(|(u, _)| u))
        })
    }

    /// The API URL `{ENV}_TOKEN` belongs to when one is settled without the
    /// command: `{ENV}_API_URL`, else the default API URL (the pin's,
    /// config's, then the built-in one). `None`: it belongs to whichever API
    /// URL a command names.
    pub fn env_token_target(&self) -> Result<Option<ApiUrl>> {
        Ok(self.default_api_url(&process_env)?.map(|(u, _)| u))
    }

    /// The command that opens the login URL: `{ENV}_BROWSER`, then config
    /// `browser`, then `BROWSER`; `None` means the system's opener.
    pub fn browser(&self) -> Option<String> {
        self.platform
            .env("BROWSER")
            .or_else(|| self.config.browser())
            .or_else(|| {
                std::env::var("BROWSER")
                    .ok()
                    .filter(|b| !b.trim().is_empty())
            })
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

#[cfg(test)]
impl Session {
    /// keyward's platform with an empty config and no files: for unit tests
    /// of rules that read no store.
    pub(crate) fn bare() -> Session {
        let config = crate::config::Config::parse("/nonexistent/config.toml".into(), "")
            .expect("an empty config parses");
        Session::new(
            crate::Platform::keyward(),
            crate::config::Paths {
                dir: "/nonexistent".into(),
            },
            config,
        )
        .with_pin_dir(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn session(config: &str, default_api_url: Option<&'static str>) -> Session {
        let platform = Platform {
            default_api_url,
            ..Platform::keyward()
        };
        let config = Config::parse("/nonexistent/config.toml".into(), config).unwrap();
        Session::new(
            platform,
            Paths {
                dir: "/nonexistent".into(),
            },
            config,
        )
        .with_pin_dir(None)
    }

    fn url(u: &str) -> ApiUrl {
        ApiUrl::parse(u).unwrap()
    }

    /// `env_token` over a made-up environment.
    fn lookup(s: &Session, api_url: &str, vars: &[(&str, &str)]) -> Result<Option<EnvToken>> {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        s.env_token_in(&url(api_url), &|name| vars.get(name).cloned())
    }

    fn found(r: Result<Option<EnvToken>>) -> Option<(String, String)> {
        r.unwrap()
            .map(|t| (t.variable, t.token.expose().to_string()))
    }

    #[test]
    fn host_keys_follow_terraforms_rules() {
        assert_eq!(host_key(&url("https://api.example.com")), "api_example_com");
        assert_eq!(
            host_key(&url("https://API-eu.Example.com:8443/v1")),
            "api__eu_example_com_8443"
        );
        assert_eq!(
            host_key(&url("https://api.example.com:443")),
            "api_example_com"
        );
        assert_eq!(host_key(&url("http://127.0.0.1:8080")), "127_0_0_1_8080");
        assert_eq!(host_key(&url("http://[::1]:9000")), "__1_9000");
        assert_eq!(
            host_key(&url("https://bücher.example")),
            "xn____bcher__kva_example"
        );
    }

    #[test]
    fn the_plain_variable_applies_to_the_default_api_url_only() {
        let s = session("api_url = \"https://a.test\"\n", None);
        let vars = [("KEYWARD_TOKEN", "tok")];
        assert_eq!(
            found(lookup(&s, "https://a.test", &vars)),
            Some(("KEYWARD_TOKEN".into(), "tok".into()))
        );
        assert_eq!(found(lookup(&s, "https://b.test", &vars)), None);
        // {ENV}_API_URL wins over config
        let vars = [("KEYWARD_TOKEN", "tok"), ("KEYWARD_API_URL", "b.test")];
        assert_eq!(found(lookup(&s, "https://a.test", &vars)), None);
        assert!(found(lookup(&s, "https://b.test", &vars)).is_some());
        // the built-in default, when config names none
        let s = session("", Some("https://builtin.test"));
        let vars = [("KEYWARD_TOKEN", "tok")];
        assert!(found(lookup(&s, "https://builtin.test", &vars)).is_some());
        assert_eq!(found(lookup(&s, "https://a.test", &vars)), None);
    }

    #[test]
    fn without_a_default_the_plain_variable_applies_to_the_named_api_url() {
        let s = session("", None);
        let vars = [("KEYWARD_TOKEN", "tok")];
        assert!(found(lookup(&s, "https://a.test", &vars)).is_some());
        assert!(found(lookup(&s, "https://b.test", &vars)).is_some());
        // an empty or blank {ENV}_API_URL is unset
        let vars = [("KEYWARD_TOKEN", "tok"), ("KEYWARD_API_URL", " ")];
        assert!(found(lookup(&s, "https://b.test", &vars)).is_some());
    }

    #[test]
    fn the_per_host_variable_wins_for_its_host_only() {
        let s = session("api_url = \"https://a.test\"\n", None);
        let vars = [
            ("KEYWARD_TOKEN", "plain"),
            ("KEYWARD_TOKEN_a_test", "for-a"),
            ("KEYWARD_TOKEN_B_TEST", "for-b"),
        ];
        assert_eq!(
            found(lookup(&s, "https://a.test", &vars)),
            Some(("KEYWARD_TOKEN_a_test".into(), "for-a".into()))
        );
        assert_eq!(
            found(lookup(&s, "https://b.test", &vars)),
            Some(("KEYWARD_TOKEN_B_TEST".into(), "for-b".into()))
        );
        assert_eq!(found(lookup(&s, "https://c.test", &vars)), None);
        // empty counts as unset: the plain variable applies again
        let vars = [("KEYWARD_TOKEN", "plain"), ("KEYWARD_TOKEN_a_test", "")];
        assert_eq!(
            found(lookup(&s, "https://a.test", &vars)),
            Some(("KEYWARD_TOKEN".into(), "plain".into()))
        );
    }

    #[test]
    fn a_value_is_used_exactly_or_refused_without_being_shown() {
        let s = session("", None);
        for (value, why) in [
            ("zq7v\n", "newline"),
            ("zq\r\n7v", "newline"),
            (" zq7v", "space"),
            ("zq 7v", "space"),
            ("zq7v\t", "control character"),
            ("zq7v\u{1b}[0m", "control character"),
            ("zq7v\u{a0}", "space"),
            ("zq7vø", "non-ASCII"),
            (" ", "space"),
        ] {
            let e = lookup(&s, "https://a.test", &[("KEYWARD_TOKEN_a_test", value)]).unwrap_err();
            assert_eq!(e.exit_code(), crate::error::exit::USAGE, "{value:?}");
            let text = format!("{e} {}", e.hint_for(&s.platform).unwrap());
            assert!(text.contains(why), "{value:?}: {text}");
            assert!(text.contains("KEYWARD_TOKEN_a_test"), "{text}");
            assert!(
                value.trim().is_empty() || !text.contains(value.trim()),
                "{value:?} shown: {text}"
            );
            assert!(!text.contains("zq"), "{value:?} shown: {text}");
        }
        // a bad plain variable for another API URL is ignored, not refused
        let s = session("api_url = \"https://a.test\"\n", None);
        assert!(lookup(&s, "https://b.test", &[("KEYWARD_TOKEN", "a b")]).is_ok());
        assert!(lookup(&s, "https://a.test", &[("KEYWARD_TOKEN", "a b")]).is_err());
        assert_eq!(
            found(lookup(&s, "https://a.test", &[("KEYWARD_TOKEN", "")])),
            None
        );
    }

    /// `session(config)` in a directory whose pin is `pin`.
    fn pinned(config: &str, pin: &str) -> (Session, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".keyward.toml");
        std::fs::write(&file, pin).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let s = session(config, Some("https://builtin.test"))
            .with_pin_dir(Some(dir.path().to_path_buf()));
        (s, dir)
    }

    #[test]
    fn the_pin_is_the_directorys_default_below_the_variable() {
        let (s, dir) = pinned(
            "api_url = \"https://config.test\"\n",
            "api_url = \"https://pin.test\"\n",
        );
        let pin = dir.path().join(".keyward.toml");
        let none = |_: &str| None;
        assert_eq!(
            s.default_api_url(&none).unwrap(),
            Some((url("https://pin.test"), Source::Pin(pin.clone())))
        );
        assert_eq!(
            Source::Pin(pin.clone()).to_string(),
            format!("from {}", pin.display())
        );
        let env = |n: &str| (n == "KEYWARD_API_URL").then(|| OsString::from("env.test"));
        assert_eq!(
            s.default_api_url(&env).unwrap().unwrap().1,
            Source::Env("KEYWARD_API_URL".into())
        );
        assert_eq!(
            s.api_url(Some("flag.test")).unwrap().1,
            Source::Flag("--api-url".into())
        );
        // KEYWARD_TOKEN belongs to the pinned API URL here
        let vars = [("KEYWARD_TOKEN", "tok")];
        assert!(found(lookup(&s, "https://pin.test", &vars)).is_some());
        assert_eq!(found(lookup(&s, "https://config.test", &vars)), None);
        // without the pin: config
        let s = s.with_pin_dir(None);
        assert_eq!(s.default_api_url(&none).unwrap().unwrap().1, Source::Config);
    }

    #[test]
    fn the_pins_tenant_is_for_its_api_url_above_config() {
        let config = "tenant = \"global\"\n[hosts.\"https://pin.test\"]\ntenant = \"host\"\n";
        let (s, dir) = pinned(config, "api_url = \"pin.test\"\ntenant = \"pinned\"\n");
        let pin = Source::Pin(dir.path().join(".keyward.toml"));
        let t = |s: &Session, u: &str, flag: Option<&str>| {
            s.tenant(&url(u), flag, Some("login")).unwrap()
        };
        assert_eq!(
            t(&s, "https://pin.test", None),
            Some(("pinned".into(), pin.clone()))
        );
        assert_eq!(
            t(&s, "https://pin.test", Some("f")),
            Some(("f".into(), Source::Flag("--tenant".into())))
        );
        // another API URL named with -h does not get it
        assert_eq!(
            t(&s, "https://other.test", None),
            Some(("global".into(), Source::Config))
        );
        // a pin that names no API URL sets the tenant of every one
        let (s, dir) = pinned(config, "tenant = \"pinned\"\nuser = \"bob\"\n");
        let pin = Source::Pin(dir.path().join(".keyward.toml"));
        assert_eq!(
            t(&s, "https://other.test", None),
            Some(("pinned".into(), pin))
        );
        assert_eq!(s.pin().unwrap().unwrap().user.as_deref(), Some("bob"));
    }

    #[test]
    fn a_pin_that_cannot_be_used_fails_where_it_is_used() {
        let (s, _dir) = pinned("", "token = \"kwd_zq7v\"\n");
        let e = s.api_url(None).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::ERROR);
        assert!(
            e.to_string()
                .starts_with("pins never hold secrets: remove `token`"),
            "{e}"
        );
        assert!(s.tenant(&url("https://a.test"), None, None).is_err());
        // a flag needs no pin
        assert!(s.api_url(Some("a.test")).is_ok());
    }

    #[test]
    fn a_bad_api_url_variable_is_named() {
        let s = session("", None);
        let vars = [("KEYWARD_TOKEN", "tok"), ("KEYWARD_API_URL", "ftp://x")];
        let e = lookup(&s, "https://a.test", &vars).unwrap_err();
        assert!(e.to_string().contains("KEYWARD_API_URL"), "{e}");
    }
}
