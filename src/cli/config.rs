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
  tenant                  default tenant slug
  credential_store        auto | keychain | file
  keychain_timeout        seconds before an unanswering keychain counts as unreachable (default 3)
  http_connect_timeout    seconds to connect to a server (default 5)
  http_timeout            seconds one HTTP request may take in all (default 30)
Per-host keys (with -h/--host URL):
  profile_url             profile/userinfo endpoint (default /api/v1/profile under the API URL, its base path once)
  authorize_url, token_url, revocation_url, device_authorization_url
  client_id               OAuth client id
  scopes                  default scopes, comma-separated
  callback_ports          loopback callback ports (default 8765,8766,8767,8768,8769)
  ca_file                 PEM file of extra CA certificates to trust for this API";

/// `config` subcommands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  keyward config list\n  keyward config set credential_store file\n  keyward config get client_id -h api.example.com"
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
    #[command(after_help = format!("{KEYS_HELP}\n\nExamples:\n  keyward config set api_url https://api.example.com\n  keyward config set credential_store file\n  keyward config set profile_url https://api.example.com/me --host https://api.example.com"))]
    Set {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// The API URL (or bare host) whose per-host setting to change.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
    },
    /// Remove KEY from config.toml.
    #[command(after_help = "Examples:\n  keyward config unset tenant")]
    Unset {
        /// The key.
        key: String,
        /// The API URL (or bare host) whose per-host setting to remove.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
    },
    /// List every value set in config.toml (or one host's section).
    #[command(
        after_help = "Examples:\n  keyward config list\n  keyward config list -h api.example.com\n  keyward config list --json"
    )]
    List {
        /// Only the settings of this API URL's `[hosts]` section.
        #[arg(long, short = 'h', visible_aliases = ["api-url", "hostname"], value_name = "URL")]
        host: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn host(h: Option<String>) -> Result<Option<ApiUrl>> {
    Ok(h.map(|h| ApiUrl::parse(&h)).transpose()?)
}

fn out(text: &str) -> Result<()> {
    write!(std::io::stdout(), "{text}").map_err(super::ui::stdout_error)
}

pub(super) fn run(platform: Platform, cmd: ConfigCommand) -> Result<()> {
    let paths = Paths::resolve(&platform)?;
    match cmd {
        ConfigCommand::Get { key, host: h } => {
            let h = host(h)?;
            match Config::load(&paths)?.get(&key, h.as_ref())? {
                Some(v) => out(&format!("{v}\n")),
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
        } => {
            let h = host(h)?;
            let mut edit = ConfigEdit::open(&paths)?;
            let v = edit.set(&key, &value, h.as_ref())?;
            edit.save()?;
            success(&format!(
                "{key} = {v}{}",
                h.map(|h| format!(" for {h}")).unwrap_or_default()
            ));
            Ok(())
        }
        ConfigCommand::Unset { key, host: h } => {
            let h = host(h)?;
            let mut edit = ConfigEdit::open(&paths)?;
            if edit.unset(&key, h.as_ref())? {
                edit.save()?;
                success(&format!("removed {key}"));
            } else {
                eprintln!("{key} was not set");
            }
            Ok(())
        }
        ConfigCommand::List { host: h, json } => {
            let h = host(h)?;
            let config = Config::load(&paths)?;
            for k in config.unknown_keys() {
                warn(&crate::config::keys::describe_unknown(k));
            }
            let items = match &h {
                None => config.list(),
                Some(h) => config.host_list(h),
            };
            if json {
                let map: serde_json::Map<String, serde_json::Value> = items
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect();
                return out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&map).unwrap_or_default()
                ));
            }
            let mut text = String::new();
            for (k, v) in items {
                text.push_str(&format!("{k}={v}\n"));
            }
            if text.is_empty() {
                eprintln!("Nothing is set in {}", config.path().display());
            }
            out(&text)
        }
    }
}
