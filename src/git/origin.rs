//! [`Origin`]: where git sends a credential (`https://host[:port]`), the
//! unit keyward answers for and writes `credential.<origin>.helper` for.

use crate::api_url::ApiUrl;
use crate::input::InputError;
use std::fmt;

/// A normalised https origin (http only on a loopback host): lowercase
/// scheme and host, default port dropped, no path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

impl Origin {
    /// The origin of an API URL (its git repositories may live under any
    /// path there).
    pub fn of_api_url(api_url: &ApiUrl) -> Origin {
        Origin(api_url.origin())
    }

    /// The origin git asks about (`protocol=`, `host=`), or `None` for
    /// anything keyward never answers: another protocol, plain http to a
    /// host that is not loopback, a host with a user name, path or spaces.
    pub fn of_request(protocol: &str, host: &str) -> Option<Origin> {
        if !matches!(protocol, "https" | "http")
            || host.is_empty()
            || host.contains(['/', '\\', '@', '?', '#', '%'])
            || host.contains(char::is_whitespace)
        {
            return None;
        }
        let api = ApiUrl::parse(&format!("{protocol}://{host}")).ok()?;
        api.path().is_empty().then(|| Origin::of_api_url(&api))
    }

    /// An origin as config's `git_hosts` names it: `git.example.com`,
    /// `https://git.example.com:8443`, `localhost:3000` (http on loopback).
    pub fn parse(text: &str) -> Result<Origin, InputError> {
        let t = text.trim().trim_end_matches('/');
        let example = "name an origin such as `git.example.com` or `https://git.example.com:8443`";
        // keyward answers one origin exactly: a `*` would cut other
        // helpers off every matching host and answer none of them.
        if t.contains('*') {
            return Err(InputError::new(
                format!("invalid git host `{t}`: wildcards are not supported"),
                Some(format!("{example}, one per host")),
            ));
        }
        let api = ApiUrl::parse(t).map_err(|e| {
            let why = e
                .message
                .replace("API URL", "git host")
                .replace("api URL", "git host");
            let message = if why.starts_with("invalid git host") || why.starts_with("refusing") {
                why
            } else {
                format!("invalid git host `{t}`: {why}")
            };
            InputError::new(message, Some(example.into()))
        })?;
        // `%2a` decodes to `*`.
        if api.origin().contains('*') {
            return Err(InputError::new(
                format!("invalid git host `{t}`: wildcards are not supported"),
                Some(format!("{example}, one per host")),
            ));
        }
        if !api.path().is_empty() {
            return Err(InputError::new(
                format!("invalid git host `{t}`: it has a path"),
                Some(format!("name the origin only: `{}`", api.origin())),
            ));
        }
        Ok(Origin::of_api_url(&api))
    }

    /// The normalised form (`https://git.example.com`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_normalised_origins() {
        let o = |p, h| Origin::of_request(p, h).map(|o| o.0);
        assert_eq!(
            o("https", "Git.Example.com"),
            Some("https://git.example.com".into())
        );
        assert_eq!(
            o("https", "git.example.com:443"),
            Some("https://git.example.com".into())
        );
        assert_eq!(
            o("https", "git.example.com:8443"),
            Some("https://git.example.com:8443".into())
        );
        assert_eq!(
            o("http", "127.0.0.1:9000"),
            Some("http://127.0.0.1:9000".into())
        );
        assert_eq!(o("http", "[::1]:9000"), Some("http://[::1]:9000".into()));
        for (p, h) in [
            ("http", "git.example.com"),
            ("ssh", "git.example.com"),
            ("https", ""),
            ("https", "evil.test/@git.example.com"),
            ("https", "user@git.example.com"),
            ("https", "git.example.com?x"),
            ("https", "git example.com"),
            ("https", "git.example.com%2f"),
        ] {
            assert_eq!(o(p, h), None, "{p} {h}");
        }
    }

    #[test]
    fn config_names_origins_in_short_or_full_form() {
        let p = |s| Origin::parse(s).map(|o| o.0);
        assert_eq!(p("git.example.com").unwrap(), "https://git.example.com");
        assert_eq!(
            p("https://git.example.com/").unwrap(),
            "https://git.example.com"
        );
        assert_eq!(p("localhost:3000").unwrap(), "http://localhost:3000");
        assert!(p("http://git.example.com").is_err());
        assert!(p("https://git.example.com/org").is_err());
        assert!(p("").is_err());
    }

    #[test]
    fn an_api_url_path_is_not_part_of_its_origin() {
        let api = ApiUrl::parse("https://example.com/api/v1").unwrap();
        assert_eq!(Origin::of_api_url(&api).as_str(), "https://example.com");
    }
}
