//! `config get|set|unset|list`.

use super::ui::{success, warn};
use crate::api_url::ApiUrl;
use crate::config::{Config, ConfigEdit, Paths};
use crate::error::{Error, Result};
use crate::platform::Platform;
use clap::Subcommand;
use std::io::Write;

const KEYS_HELP: &str = "\
Keys:
  api_url                 default API URL
  tenant                  default tenant slug: for the default API URL (or -h URL), or with
                          --global the fallback for every API URL without its own
  credential_store        auto | keychain | file
  keychain_timeout        seconds before an unanswering keychain counts as unreachable (default 3)
  http_connect_timeout    seconds to connect to a server (default 5)
  http_timeout            seconds one HTTP request may take in all (default 30)
Per-host keys (with -h/--host URL):
  tenant                  default tenant slug for this API URL
  profile_url             profile/userinfo endpoint (default /api/v1/profile under the API URL, its base path once)
  authorize_url, token_url, revocation_url, device_authorization_url
  client_id               OAuth client id
  scopes                  default scopes, comma-separated
  callback_ports          loopback callback ports (default 8765,8766,8767,8768,8769)
  ca_file                 PEM file of extra CA certificates to trust for this API
  git_hosts               other git origins that use this API's login (`auth setup-git`)
  git_username            user name git sends with the token (default x-access-token)
  id_token_audience       audience of the CI ID token of `auth login --federated` (default: the API URL)
  exchange_audience, exchange_resource   RFC 8693 parameters sent with the exchange (default: none)
  subject_token_type      id_token (default) or jwt: the CI token's type in the exchange";

/// `config` subcommands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "A .keyward.toml pin in the current directory or a parent wins over api_url and tenant\nfor commands run there; `config get` and `config list` print config.toml and say so.\n\nExamples:\n  keyward config list\n  keyward config set credential_store file\n  keyward config get client_id -h api.example.com"
)]
pub enum ConfigCommand {
    /// Print the value of KEY.
    #[command(after_help = format!("{KEYS_HELP}\n\nExamples:\n  keyward config get api_url\n  keyward config get profile_url --host https://api.example.com"))]
    Get {
        /// The key.
        key: String,
        /// The API URL (or bare host) whose per-host setting to read.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
    },
    /// Set KEY to VALUE (validated; comments in config.toml are kept).
    #[command(after_help = format!("{KEYS_HELP}\n\nExamples:\n  keyward config set api_url https://api.example.com\n  keyward config set credential_store file\n  keyward config set tenant acme              # the default API URL's tenant\n  keyward config set tenant acme --global     # the fallback for every API URL\n  keyward config set profile_url https://api.example.com/me --host https://api.example.com"))]
    Set {
        /// The key.
        key: String,
        /// The value.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// The API URL (or bare host) whose per-host setting to change.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
        /// `tenant`: the top-level fallback for every API URL, not the default API URL's.
        #[arg(long, conflicts_with = "host")]
        global: bool,
    },
    /// Remove KEY from config.toml.
    #[command(
        after_help = "Examples:\n  keyward config unset tenant\n  keyward config unset tenant --global\n  keyward config unset client_id -h api.example.com"
    )]
    Unset {
        /// The key.
        key: String,
        /// The API URL (or bare host) whose per-host setting to remove.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
        /// `tenant`: the top-level fallback for every API URL, not the default API URL's.
        #[arg(long, conflicts_with = "host")]
        global: bool,
    },
    /// List every value set in config.toml (or one host's section).
    #[command(
        after_help = "Examples:\n  keyward config list\n  keyward config list -h api.example.com\n  keyward config list --json"
    )]
    List {
        /// Only the settings of this API URL's `[hosts]` section.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
        /// Print JSON; errors as JSON on stderr.
        #[arg(long)]
        json: bool,
    },
}

fn host(h: Option<String>) -> Result<Option<ApiUrl>> {
    Ok(h.map(|h| ApiUrl::parse(&h)).transpose()?)
}

/// Where `config set|unset tenant` writes without `-h`: the default API
/// URL's section (a tenant belongs to an API URL), unless `--global` or no
/// API URL is known.
fn tenant_host(
    platform: Platform,
    key: &str,
    h: Option<ApiUrl>,
    global: bool,
) -> Result<Option<ApiUrl>> {
    if key != "tenant" || h.is_some() || global {
        return Ok(h);
    }
    let session = crate::session::Session::load(platform)?;
    Ok(session.api_url(None).ok().map(|(u, _)| u))
}

/// Say on stderr what the per-project pin sets of `key` (every key when
/// `None`) for commands run in this directory, where it wins over
/// config.toml: `config get` and `list` print config.toml, which is then
/// not what commands use. A pin ignored as unsafe is said too; one that
/// cannot be used is left to the commands that use it.
fn pin_note(platform: Platform, key: Option<&str>, host: Option<&ApiUrl>) {
    let Ok(session) = super::debug::load_session(platform) else {
        return;
    };
    let Ok(Some(pin)) = session.pin() else {
        return;
    };
    let wants = |k: &str| key.is_none_or(|key| key == k);
    let mut set = Vec::new();
    if let Some(u) = pin
        .api_url
        .as_ref()
        .filter(|_| wants("api_url") && host.is_none())
    {
        set.push(format!("api_url = {u}"));
    }
    let applies = host.is_none_or(|h| pin.applies_to(h));
    for (k, v) in [("tenant", &pin.tenant), ("user", &pin.user)] {
        if let Some(v) = v.as_ref().filter(|_| wants(k) && applies) {
            set.push(format!("{k} = {v}"));
        }
    }
    if !set.is_empty() {
        warn(&format!(
            "in this directory {} sets {}: commands run here use that, not config.toml (flags and environment variables still win)",
            pin.path.display(),
            set.join(", "),
        ));
    }
}

fn out(text: &str) -> Result<()> {
    write!(std::io::stdout(), "{text}").map_err(super::ui::stdout_error)
}

pub(super) fn run(platform: Platform, cmd: ConfigCommand) -> Result<()> {
    let paths = Paths::resolve(&platform)?;
    match cmd {
        ConfigCommand::Get { key, host: h } => {
            let h = host(h)?;
            let config = Config::load(&paths)?;
            // `tenant` without -h: the default API URL's, else the fallback.
            let own = match tenant_host(platform, &key, h.clone(), false)? {
                Some(u) if h.is_none() => config.get(&key, Some(&u))?,
                _ => None,
            };
            let set = own.map_or_else(|| config.get(&key, h.as_ref()), |v| Ok(Some(v)))?;
            if key == "api_url" || key == "tenant" {
                pin_note(platform, Some(&key), h.as_ref());
            }
            let default = || h.is_none().then(|| Config::default_value(&key)).flatten();
            match set.or_else(default) {
                Some(v) => out(&super::ui::shown(&format!("{v}\n"))),
                None => Err(Error::Other {
                    message: format!("`{key}` is not set"),
                    cause: None,
                    hint: Some(format!(
                        "set it with `{{bin}} config set {key} <value>{}`",
                        h.map(|h| format!(" --host {h}")).unwrap_or_default()
                    )),
                }),
            }
        }
        ConfigCommand::Set {
            key,
            value,
            host: h,
            global,
        } => {
            let h = tenant_host(platform, &key, host(h)?, global)?;
            let mut edit = ConfigEdit::open(&paths)?;
            let v = edit.set(&key, &value, h.as_ref())?;
            edit.save()?;
            success(&format!(
                "{key} = {v}{}",
                h.map(|h| format!(" for {h}")).unwrap_or_default()
            ));
            Ok(())
        }
        ConfigCommand::Unset {
            key,
            host: h,
            global,
        } => {
            let h = tenant_host(platform, &key, host(h)?, global)?;
            let mut edit = ConfigEdit::open(&paths)?;
            if edit.unset(&key, h.as_ref())? {
                edit.save()?;
                success(&format!("removed {key}"));
            } else {
                errln!("{key} was not set");
            }
            Ok(())
        }
        ConfigCommand::List { host: h, json } => {
            let h = host(h)?;
            let config = Config::load(&paths)?;
            for k in config.unknown_keys() {
                warn(&crate::config::keys::describe_unknown(k));
            }
            pin_note(platform, None, h.as_ref());
            let items = match &h {
                None => config.list(),
                Some(h) => config.host_list(h),
            };
            // What keyward uses for the keys with a default that the file
            // does not set (top level only).
            let defaults: Vec<(String, String)> = match &h {
                Some(_) => Vec::new(),
                None => crate::config::keys::KEYS
                    .iter()
                    .filter(|k| k.scope == crate::config::keys::Scope::Global)
                    .filter(|k| !items.iter().any(|(n, _)| n == k.name))
                    .filter_map(|k| Some((k.name.to_string(), Config::default_value(k.name)?)))
                    .collect(),
            };
            if json {
                let map = |v: Vec<(String, String)>| -> serde_json::Map<String, serde_json::Value> {
                    v.into_iter()
                        .map(|(k, v)| (k, serde_json::Value::String(v)))
                        .collect()
                };
                let doc = serde_json::json!({ "set": map(items), "defaults": map(defaults) });
                return out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&doc).unwrap_or_default()
                ));
            }
            let mut text = String::new();
            if items.is_empty() {
                errln!("Nothing is set in {}", config.path().display());
            }
            for (k, v) in items {
                text.push_str(&super::ui::shown(&format!("{k}={v}\n")));
            }
            for (k, v) in defaults {
                text.push_str(&super::ui::shown(&format!("{k}={v} (default)\n")));
            }
            out(&text)
        }
    }
}
