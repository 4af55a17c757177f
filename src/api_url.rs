//! [`ApiUrl`]: a normalised API base URL, the key of one environment.

use crate::input::InputError;
use std::fmt;
use std::net::IpAddr;

/// A normalised API URL: lowercase scheme and host, default port dropped, no
/// trailing slash, no query, fragment or user info. One environment is one
/// `ApiUrl`, and one credential record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiUrl(String);

impl ApiUrl {
    /// Parse and normalise. Plain `http://` is accepted only for loopback
    /// hosts. A bare host (`api.example.com`, `api.example.com/api/v1`)
    /// means `https://`; a bare loopback host (`127.0.0.1:8080`,
    /// `localhost:8080`) means `http://`, as `gh` reads `--hostname`.
    pub fn parse(input: &str) -> Result<ApiUrl, InputError> {
        let given = input.trim();
        let with_scheme;
        let trimmed = if given.contains("://") || given.is_empty() {
            given
        } else {
            let host = given.split(['/', '?', '#']).next().unwrap_or(given);
            let host = match host.rsplit_once(':') {
                Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
                _ => host,
            };
            let scheme = if is_loopback(host) { "http" } else { "https" };
            with_scheme = format!("{scheme}://{given}");
            &with_scheme
        };
        let bad = |reason: &str| {
            InputError::new(
                format!("invalid API URL `{trimmed}`: {reason}"),
                Some("pass a full URL such as `--api-url https://api.example.com`".into()),
            )
        };
        if trimmed.is_empty() {
            return Err(bad("it is empty"));
        }
        let url = url::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not have a query (?...) or fragment (#...)"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("it has no host"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => {
                return Err(InputError::new(
                    format!(
                        "refusing plain-http API URL `{trimmed}`: tokens would cross the network unencrypted"
                    ),
                    Some(format!(
                        "use `https://{}` instead; http:// is accepted only for 127.0.0.1, ::1 and localhost",
                        &trimmed[7..]
                    )),
                ));
            }
            other => return Err(bad(&format!("scheme `{other}` is not http or https"))),
        }
        let mut s = format!("{}://{}", url.scheme(), host);
        if let Some(port) = url.port() {
            s.push_str(&format!(":{port}"));
        }
        s.push_str(url.path().trim_end_matches('/'));
        Ok(ApiUrl(s))
    }

    /// The normalised form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The origin (`scheme://host[:port]`), where discovery documents live.
    pub fn origin(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(u) => u.origin().ascii_serialization(),
            Err(_) => self.0.clone(),
        }
    }

    /// `self` joined with a path that starts with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl fmt::Display for ApiUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Check an endpoint URL from config or discovery: absolute, https or loopback http.
pub fn check_endpoint(name: &str, value: &str) -> Result<String, InputError> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| InputError::new(format!("invalid {name} `{value}`: {e}"), None))?;
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if is_loopback(host) => Ok(url.to_string()),
        _ => Err(InputError::new(
            format!(
                "refusing {name} `{value}`: only https:// (or http:// on a loopback host) is allowed"
            ),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        ApiUrl::parse(s).unwrap().as_str().to_string()
    }

    #[test]
    fn normalises() {
        assert_eq!(n("HTTPS://API.Example.COM/"), "https://api.example.com");
        assert_eq!(
            n("https://api.example.com:443/v2/"),
            "https://api.example.com/v2"
        );
        assert_eq!(
            n("https://api.example.com:8443"),
            "https://api.example.com:8443"
        );
        assert_eq!(n("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(n("http://localhost:80"), "http://localhost");
        assert_eq!(n("http://[::1]:3000"), "http://[::1]:3000");
        assert_eq!(n("  https://a.test  "), "https://a.test");
    }

    #[test]
    fn refuses_bad_urls() {
        for bad in [
            "",
            "ftp://x.test",
            "https://user:pw@x.test",
            "https://x.test/?a=b",
            "https://x.test/#f",
            "http://api.example.com",
            "http://10.0.0.1",
        ] {
            let e = ApiUrl::parse(bad).unwrap_err();
            assert_eq!(crate::Error::from(e).exit_code(), 2, "{bad}");
        }
        let e = ApiUrl::parse("http://api.example.com").unwrap_err();
        assert!(e.to_string().contains("plain-http"));
    }

    #[test]
    fn bare_hosts() {
        assert_eq!(n("api.example.com"), "https://api.example.com");
        assert_eq!(
            n("API.example.com/api/v1/"),
            "https://api.example.com/api/v1"
        );
        assert_eq!(n("api.example.com:8443"), "https://api.example.com:8443");
        assert_eq!(n("127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(n("localhost:8080"), "http://localhost:8080");
        assert_eq!(n("[::1]:3000"), "http://[::1]:3000");
        assert!(ApiUrl::parse("api example").is_err());
    }

    #[test]
    fn origin_and_join() {
        let u = ApiUrl::parse("https://x.test/api").unwrap();
        assert_eq!(u.origin(), "https://x.test");
        assert_eq!(
            u.join("/api/v1/profile"),
            "https://x.test/api/api/v1/profile"
        );
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("127.0.0.2"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("LOCALHOST"));
        assert!(!is_loopback("example.com"));
    }
}
