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
                        after_scheme(&url)
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

    /// The path after the origin: `/api/v1` for `https://x.test/api/v1`,
    /// empty for an API URL that is only an origin.
    pub fn path(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        match self.0[after_scheme..].find('/') {
            Some(i) => &self.0[after_scheme + i..],
            None => "",
        }
    }

    /// `target` as a URL of this API: the one join rule of keyward, used
    /// for every default and platform endpoint, for
    /// [`TokenSource::get`](crate::TokenSource::get), and for anything else
    /// that turns a path into a URL of an API.
    ///
    /// - An absolute URL (`https://…`, `http://…`) wins: it is returned as is.
    /// - A path (with or without its leading `/`) is appended to the API
    ///   URL, except that when the API URL's path ends with the segments
    ///   the path begins with, those segments appear once (the longest such
    ///   overlap counts). So an API URL given with or without its base path
    ///   reaches the same endpoint:
    ///
    /// ```
    /// # use keyward::ApiUrl;
    /// let with_base = ApiUrl::parse("https://x.test/api/v1").unwrap();
    /// let origin = ApiUrl::parse("https://x.test").unwrap();
    /// assert_eq!(with_base.join("/api/v1/profile"), "https://x.test/api/v1/profile");
    /// assert_eq!(origin.join("/api/v1/profile"), "https://x.test/api/v1/profile");
    /// assert_eq!(with_base.join("/projects?page=2"), "https://x.test/api/v1/projects?page=2");
    /// assert_eq!(with_base.join("https://cdn.test/a"), "https://cdn.test/a");
    /// ```
    ///
    /// Segments compare exactly (case-sensitive, as paths are); a query or
    /// fragment on `target` is kept and takes no part in the comparison;
    /// a trailing `/` on `target` is kept. To reach a URL the rule would
    /// shorten (`https://x.test/api/api/…`), pass it absolute.
    pub fn join(&self, target: &str) -> String {
        let target = target.trim();
        if is_absolute(target) {
            return target.to_string();
        }
        let cut = target.find(['?', '#']).unwrap_or(target.len());
        let (path, rest) = target.split_at(cut);
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let k = self.overlap(&segments);
        let mut out = self.0.clone();
        if k < segments.len() {
            out.push('/');
            out.push_str(&segments.get(k..).unwrap_or_default().join("/"));
        }
        out.push_str(rest);
        out
    }

    /// The application root for an API whose paths start with `api_path`
    /// (the profile path, `/api/v1/profile` by default): this API URL
    /// without the trailing segments that `api_path` begins with, as
    /// [`ApiUrl::join`] counts them. `https://x.test/api/v1` gives
    /// `https://x.test`; `https://x.test/app/api/v1` gives
    /// `https://x.test/app`; `https://x.test` and `https://x.test/app` stay
    /// as they are. OAuth endpoints and discovery documents are looked for
    /// there.
    pub fn root_for(&self, api_path: &str) -> ApiUrl {
        let cut = api_path.find(['?', '#']).unwrap_or(api_path.len());
        let segments: Vec<&str> = api_path[..cut].trim_start_matches('/').split('/').collect();
        let k = self.overlap(&segments);
        let mut s = self.0.clone();
        for _ in 0..k {
            if let Some(i) = s.rfind('/') {
                s.truncate(i);
            }
        }
        ApiUrl(s)
    }

    /// The largest `k` such that this API URL's path ends with the first
    /// `k` of `segments`. Empty segments never match, so the overlap is of
    /// named segments only.
    fn overlap(&self, segments: &[&str]) -> usize {
        let own: Vec<&str> = self.path().split('/').skip(1).collect();
        let max = own.len().min(segments.len());
        (1..=max)
            .rev()
            .find(|&k| {
                let (Some(head), Some(tail)) = (segments.get(..k), own.get(own.len() - k..)) else {
                    return false;
                };
                head.iter().all(|s| !s.is_empty()) && tail == head
            })
            .unwrap_or(0)
    }
}

/// The URL without its scheme: `host[:port][/path]` (the parsed, ASCII
/// form: the text given may not even have `//` after its scheme).
fn after_scheme(url: &url::Url) -> String {
    let mut s = url.host_str().unwrap_or_default().to_string();
    if let Some(port) = url.port() {
        s.push_str(&format!(":{port}"));
    }
    s.push_str(url.path().trim_end_matches('/'));
    s
}

/// True when `s` starts with `http://` or `https://` (any case).
fn is_absolute(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
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
        // non-ASCII after `http:`: refused with a hint in ASCII, no panic
        for odd in ["http:aé://x", "HTTP:ẞ://", "http:éé://é/p"] {
            let e = ApiUrl::parse(odd).unwrap_err();
            assert!(e.to_string().contains("plain-http"), "{odd}: {e}");
            let hint = e.hint.unwrap_or_default();
            assert!(
                hint.starts_with("use `https://") && hint.is_ascii(),
                "{hint}"
            );
        }
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

    fn u(s: &str) -> ApiUrl {
        ApiUrl::parse(s).unwrap()
    }

    #[test]
    fn origin_and_path() {
        let a = u("https://x.test/api/v1");
        assert_eq!(a.origin(), "https://x.test");
        assert_eq!(a.path(), "/api/v1");
        assert_eq!(u("https://x.test").path(), "");
        assert_eq!(u("http://[::1]:3000/a").path(), "/a");
        assert_eq!(u("http://[::1]:3000").path(), "");
    }

    #[test]
    fn join_does_not_repeat_the_base_path() {
        let p = "/api/v1/profile";
        let want = "https://x.test/api/v1/profile";
        // the API URL with its base path, with part of it, or without it
        assert_eq!(u("https://x.test/api/v1").join(p), want);
        assert_eq!(u("https://x.test/api/v1/").join(p), want);
        assert_eq!(u("https://x.test/api").join(p), want);
        assert_eq!(u("https://x.test").join(p), want);
        assert_eq!(u("https://x.test/api/v1/profile").join(p), want);
        // no overlap: appended
        assert_eq!(
            u("https://x.test/app").join(p),
            "https://x.test/app/api/v1/profile"
        );
        assert_eq!(
            u("https://x.test/api/v2").join(p),
            "https://x.test/api/v2/api/v1/profile"
        );
        // only a suffix of the API URL counts, not a segment in the middle
        assert_eq!(
            u("https://x.test/api/v1/extra").join(p),
            "https://x.test/api/v1/extra/api/v1/profile"
        );
        // the longest overlap wins
        assert_eq!(
            u("https://x.test/a/a").join("/a/a/b"),
            "https://x.test/a/a/b"
        );
        // segments compare exactly
        assert_eq!(
            u("https://x.test/API/v1").join(p),
            "https://x.test/API/v1/api/v1/profile"
        );
        assert_eq!(
            u("https://x.test/ap").join(p),
            "https://x.test/ap/api/v1/profile"
        );
    }

    #[test]
    fn join_paths_queries_and_absolute_urls() {
        let a = u("https://x.test/api/v1");
        assert_eq!(a.join("projects"), "https://x.test/api/v1/projects");
        assert_eq!(a.join("/projects/"), "https://x.test/api/v1/projects/");
        assert_eq!(
            a.join("/api/v1/projects?q=/api/v1#f"),
            "https://x.test/api/v1/projects?q=/api/v1#f"
        );
        assert_eq!(a.join("/api/v1"), "https://x.test/api/v1");
        assert_eq!(a.join("/api/v1/"), "https://x.test/api/v1/");
        assert_eq!(a.join("/"), "https://x.test/api/v1/");
        assert_eq!(a.join("?page=2"), "https://x.test/api/v1/?page=2");
        assert_eq!(u("https://x.test").join("/"), "https://x.test/");
        assert_eq!(
            a.join("https://other.test/api/v1/me"),
            "https://other.test/api/v1/me"
        );
        assert_eq!(a.join("HTTP://127.0.0.1:9/me"), "HTTP://127.0.0.1:9/me");
    }

    #[test]
    fn root_drops_the_base_path_the_api_path_repeats() {
        let p = "/api/v1/profile";
        assert_eq!(
            u("https://x.test/api/v1").root_for(p).as_str(),
            "https://x.test"
        );
        assert_eq!(
            u("https://x.test/api").root_for(p).as_str(),
            "https://x.test"
        );
        assert_eq!(u("https://x.test").root_for(p).as_str(), "https://x.test");
        assert_eq!(
            u("https://x.test/app/api/v1").root_for(p).as_str(),
            "https://x.test/app"
        );
        assert_eq!(
            u("https://x.test/app").root_for(p).as_str(),
            "https://x.test/app"
        );
        assert_eq!(
            u("https://x.test/api/v2").root_for("/api/v2/me").as_str(),
            "https://x.test"
        );
        // the root followed by the path is the join
        for api in [
            "https://x.test/api/v1",
            "https://x.test/app",
            "https://x.test",
        ] {
            let a = u(api);
            assert_eq!(format!("{}{p}", a.root_for(p)), a.join(p), "{api}");
        }
    }

    mod rule {
        use super::*;
        use proptest::prelude::*;

        fn segments() -> impl Strategy<Value = Vec<&'static str>> {
            prop::collection::vec(
                prop::sample::select(vec!["api", "v1", "v2", "a", "me"]),
                0..5,
            )
        }

        fn api(segs: &[&str]) -> ApiUrl {
            ApiUrl::parse(&format!("https://x.test/{}", segs.join("/"))).unwrap()
        }

        proptest! {
            // Failures are printed with their minimal input; no
            // regression files are written into the source tree.
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

            /// Joining never doubles the overlap: the result is the API URL
            /// followed by the part of the path the API URL does not end with.
            #[test]
            fn never_repeats_the_overlap(base in segments(), path in segments()) {
                prop_assume!(!path.is_empty());
                let a = api(&base);
                let p = format!("/{}", path.join("/"));
                let joined = a.join(&p);
                let keeps_api_url = joined.starts_with(a.as_str());
                let ends_with_path = joined.ends_with(&p);
                prop_assert!(keeps_api_url);
                prop_assert!(ends_with_path);
                // the largest k with base ending in path[..k] is what was dropped
                let k = (0..=base.len().min(path.len()))
                    .rev()
                    .find(|&k| base[base.len() - k..] == path[..k])
                    .unwrap();
                let rest = &path[k..];
                let want = if rest.is_empty() {
                    a.as_str().to_string()
                } else {
                    format!("{}/{}", a.as_str(), rest.join("/"))
                };
                prop_assert_eq!(&joined, &want);
                // no segment of the overlap appears twice at the seam
                let seam = base.len() - k;
                let out: Vec<&str> = joined.trim_start_matches("https://x.test/").split('/').filter(|s| !s.is_empty()).collect();
                prop_assert_eq!(&out[seam..], &path[..]);
                // the root followed by the path is the join
                prop_assert_eq!(format!("{}{p}", a.root_for(&p)), joined);
            }

            /// An origin-only API URL joins as plain concatenation.
            #[test]
            fn origin_only_is_unchanged(path in segments(), slash in any::<bool>()) {
                prop_assume!(!path.is_empty() || !slash);
                let p = format!("/{}{}", path.join("/"), if slash { "/" } else { "" });
                prop_assert_eq!(u("https://x.test").join(&p), format!("https://x.test{p}"));
            }

            /// An absolute URL wins over any API URL.
            #[test]
            fn absolute_wins(base in segments(), path in segments(), https in any::<bool>()) {
                let scheme = if https { "https" } else { "http" };
                let abs = format!("{scheme}://127.0.0.1:9/{}", path.join("/"));
                prop_assert_eq!(api(&base).join(&abs), abs);
            }
        }
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("127.0.0.2"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("LOCALHOST"));
        assert!(!is_loopback("example.com"));
    }
}
