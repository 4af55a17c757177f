//! [`Platform`]: what an embedding CLI says about the API it logs into.

/// A description of the platform whose API keyward signs users into.
///
/// The `keyward` binary uses [`Platform::keyward`]; a CLI that embeds the
/// library describes its own platform so that messages, environment
/// variables, the keychain service and the config directory carry its name.
///
/// ```
/// let acme = keyward::Platform {
///     name: "acme",
///     env_prefix: "ACME",
///     keychain_service: "acme-cli",
///     config_dir_name: "acme",
///     default_api_url: Some("https://api.acme.test"),
///     default_client_id: Some("acme-cli"),
///     default_scopes: &["openid", "profile", "email"],
///     endpoints: keyward::PlatformEndpoints {
///         profile: Some("/api/v2/me"),
///         ..keyward::PlatformEndpoints::NONE
///     },
/// };
/// assert_eq!(acme.env_var("TOKEN"), "ACME_TOKEN");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Platform {
    /// Program name shown in hints ("run `acme auth login`").
    pub name: &'static str,
    /// Prefix of environment variables (`ACME` gives `ACME_TOKEN`, `ACME_API_URL`, ...).
    pub env_prefix: &'static str,
    /// Service name of keychain records.
    pub keychain_service: &'static str,
    /// Directory name under the platform's config dir.
    pub config_dir_name: &'static str,
    /// API URL used when neither a flag, the environment nor config names one.
    pub default_api_url: Option<&'static str>,
    /// OAuth client id used when none is configured.
    pub default_client_id: Option<&'static str>,
    /// Scopes requested by default in OAuth logins.
    pub default_scopes: &'static [&'static str],
    /// The platform's endpoints, where it knows them. They win over
    /// discovery; a user's `[hosts."<api_url>"]` settings win over them.
    pub endpoints: PlatformEndpoints,
}

/// Endpoints a platform declares: absolute URLs, or paths. A path becomes a
/// URL by [`ApiUrl::join`](crate::ApiUrl::join): the profile path under the
/// API URL (`/api/v2/me` gives `https://x/api/v2/me` for both `https://x`
/// and `https://x/api/v2`), the OAuth paths under the application root, the
/// API URL without the base path the profile path repeats (`/oauth/token`
/// gives `https://x/oauth/token` for both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlatformEndpoints {
    /// Profile (userinfo) endpoint.
    pub profile: Option<&'static str>,
    /// OAuth authorization endpoint.
    pub authorize: Option<&'static str>,
    /// OAuth token endpoint.
    pub token: Option<&'static str>,
    /// RFC 7009 revocation endpoint.
    pub revocation: Option<&'static str>,
    /// RFC 8628 device authorization endpoint.
    pub device_authorization: Option<&'static str>,
}

impl PlatformEndpoints {
    /// None declared: discovery and the defaults decide.
    pub const NONE: PlatformEndpoints = PlatformEndpoints {
        profile: None,
        authorize: None,
        token: None,
        revocation: None,
        device_authorization: None,
    };

    /// `value` as a URL under `api_url`, by [`ApiUrl::join`](crate::ApiUrl::join)
    /// (an absolute URL as is). Endpoint resolution joins the OAuth paths to
    /// the application root instead (see [`crate::oauth::endpoints`]).
    pub fn resolve(value: Option<&str>, api_url: &crate::ApiUrl) -> Option<String> {
        value.map(|v| api_url.join(v))
    }
}

impl Platform {
    /// keyward itself; defaults baked in at build time through
    /// `KEYWARD_DEFAULT_API_URL` and `KEYWARD_DEFAULT_CLIENT_ID`.
    pub const fn keyward() -> Platform {
        Platform {
            name: "keyward",
            env_prefix: "KEYWARD",
            keychain_service: "keyward",
            config_dir_name: "keyward",
            default_api_url: option_env!("KEYWARD_DEFAULT_API_URL"),
            default_client_id: option_env!("KEYWARD_DEFAULT_CLIENT_ID"),
            default_scopes: &[],
            endpoints: PlatformEndpoints::NONE,
        }
    }

    /// The name of one of this platform's environment variables.
    pub fn env_var(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.env_prefix)
    }

    /// The name of a per-project pin, `.<name>.toml` (`.keyward.toml`,
    /// `.acme.toml`): the program's name, as people type it, and the file
    /// commands look for in the current directory and its parents (see
    /// [`crate::config::pin`]).
    pub fn pin_file_name(&self) -> String {
        format!(".{}.toml", self.name)
    }

    /// True for the variables that hold this platform's secrets:
    /// `{ENV}_TOKEN` and every `{ENV}_TOKEN_<host>`. Programs keyward starts
    /// (the browser) never inherit them.
    pub fn is_secret_env_var(&self, name: &str) -> bool {
        let token = self.env_var("TOKEN");
        name.strip_prefix(token.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
    }

    /// The value of one of this platform's environment variables; empty counts as unset.
    pub fn env(&self, suffix: &str) -> Option<String> {
        std::env::var(self.env_var(suffix))
            .ok()
            .filter(|v| !v.trim().is_empty())
    }
}

impl Default for Platform {
    fn default() -> Self {
        Platform::keyward()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_variables_are_the_token_ones() {
        let p = Platform::keyward();
        for yes in [
            "KEYWARD_TOKEN",
            "KEYWARD_TOKEN_api_example_com",
            "KEYWARD_TOKEN_X",
        ] {
            assert!(p.is_secret_env_var(yes), "{yes}");
        }
        for no in [
            "KEYWARD_TOKENS",
            "KEYWARD_API_URL",
            "GH_TOKEN",
            "keyward_token",
            "TOKEN",
        ] {
            assert!(!p.is_secret_env_var(no), "{no}");
        }
    }
}
