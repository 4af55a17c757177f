//! The server's clients and the rules every endpoint shares: request
//! parameters, scopes, redirect URIs, and dynamic client registration
//! (RFC 7591) for public native clients.

use serde_json::{Value, json};

/// The client every keyward can use without registering first.
pub const BUILTIN_CLIENT: &str = "keyward-try-it";
/// The grant type of the device flow (RFC 8628).
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Every grant type this server knows.
pub const GRANT_TYPES: &[&str] = &["authorization_code", "refresh_token", DEVICE_GRANT];
/// Every scope this server knows; `offline_access` asks for a refresh token.
pub const SCOPES: &[&str] = &["read", "write", "offline_access"];
/// Granted when a request asks for nothing else.
const DEFAULT_SCOPE: &str = "read";
/// The path keyward's loopback listener answers on.
pub const CALLBACK_PATH: &str = "/callback";

/// An OAuth error answer: `{"error", "error_description"}` with its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// The error code (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8628 §3.5).
    pub error: &'static str,
    /// What was wrong, for the person reading keyward's error.
    pub description: String,
}

impl Refusal {
    /// A 400 answer.
    pub fn new(error: &'static str, description: impl Into<String>) -> Refusal {
        Refusal {
            status: if error == "invalid_client" { 401 } else { 400 },
            error,
            description: description.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

/// Query or form parameters. A repeated name is refused (RFC 6749 §3.1)
/// and an empty value counts as absent.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parse `application/x-www-form-urlencoded` text.
    pub fn parse(input: &[u8]) -> Result<Params, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(input) {
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(format!("the parameter `{k}` is repeated"));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, unless absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// The scopes a request asks for: known ones only, `read` when it asks
/// for nothing else but `offline_access`.
pub fn scopes(requested: Option<&str>) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in requested.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if !SCOPES.contains(&s) {
            return Err(format!(
                "unknown scope `{}`: this server knows {}",
                printable(s, 40),
                SCOPES.join(", ")
            ));
        }
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    if out.iter().all(|s| s == "offline_access") {
        out.insert(0, DEFAULT_SCOPE.to_string());
    }
    Ok(out)
}

/// `text` cut to `max` characters with control characters replaced, for
/// error descriptions that quote what a client sent.
pub fn printable(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// One client of the server: public, so it has no secret.
#[derive(Debug, Clone)]
pub struct Client {
    /// The name the consent page shows.
    pub name: String,
    /// Registered redirect URIs; empty for the built-in client, which
    /// takes `http://127.0.0.1:<any port>/callback`.
    pub redirect_uris: Vec<String>,
    /// The grant types it may use.
    pub grant_types: Vec<String>,
}

impl Client {
    /// The built-in client: keyward's browser, paste-back and device flows.
    pub fn builtin() -> Client {
        Client {
            name: "keyward (try-it)".into(),
            redirect_uris: Vec::new(),
            grant_types: GRANT_TYPES.iter().map(|g| g.to_string()).collect(),
        }
    }

    /// Whether it may use `grant`.
    pub fn allows(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }

    /// Whether `uri` is one of its redirect URIs. A registered loopback
    /// URI matches on any port (RFC 8252 §7.3): a native app gets the
    /// port it can when it starts listening.
    pub fn allows_redirect(&self, uri: &str) -> bool {
        let Ok(given) = loopback_uri(uri) else {
            return false;
        };
        if self.redirect_uris.is_empty() {
            return given.path() == CALLBACK_PATH && given.query().is_none();
        }
        self.redirect_uris.iter().any(|r| {
            url::Url::parse(r).is_ok_and(|mut r| {
                let mut given = given.clone();
                let _ = r.set_port(None);
                let _ = given.set_port(None);
                r == given
            })
        })
    }
}

/// `uri` when it is an `http://127.0.0.1[:port]/…` address without
/// credentials or fragment: where a native app on this machine listens.
pub fn loopback_uri(uri: &str) -> Result<url::Url, String> {
    let quoted = printable(uri, 200);
    let url = url::Url::parse(uri).map_err(|e| format!("`{quoted}` is not a URL ({e})"))?;
    if url.scheme() != "http" || url.host_str() != Some("127.0.0.1") {
        return Err(format!(
            "`{quoted}` is not a loopback redirect URI: use http://127.0.0.1:<port>/<path> (RFC 8252 §7.3)"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{quoted}` has credentials or a fragment, which a redirect URI may not have"
        ));
    }
    Ok(url)
}

/// A registration request's metadata, checked (RFC 7591 §2): the client
/// it registers, or why not.
pub fn registration(body: &[u8]) -> Result<Client, Refusal> {
    let meta = |d: String| Refusal::new("invalid_client_metadata", d);
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| meta(format!("the registration request is not JSON ({e})")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| meta("the registration request is not a JSON object".into()))?;
    let strings = |key: &str| -> Result<Option<Vec<String>>, Refusal> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| meta(format!("`{key}` must be an array of strings"))),
            Some(_) => Err(meta(format!("`{key}` must be an array of strings"))),
        }
    };
    let text = |key: &str| -> Result<Option<&str>, Refusal> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(meta(format!("`{key}` must be a string"))),
        }
    };
    // Public clients only; an omitted method is taken as `none` and the
    // answer says so (RFC 7591 §3.2.1 lets the server replace a value).
    if let Some(m) = text("token_endpoint_auth_method")?
        && m != "none"
    {
        return Err(meta(format!(
            "token_endpoint_auth_method `{}` is not supported: this server registers public clients (`none`) that use PKCE",
            printable(m, 40)
        )));
    }
    if let Some(t) = text("application_type")?
        && t != "native"
    {
        return Err(meta(format!(
            "application_type `{}` is not supported: this server registers native apps",
            printable(t, 40)
        )));
    }
    let redirect_uris = strings("redirect_uris")?.unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(Refusal::new(
            "invalid_redirect_uri",
            "redirect_uris is required: give at least one http://127.0.0.1:<port>/<path> address",
        ));
    }
    for uri in &redirect_uris {
        loopback_uri(uri).map_err(|e| Refusal::new("invalid_redirect_uri", e))?;
    }
    let grant_types = strings("grant_types")?.unwrap_or_else(|| vec!["authorization_code".into()]);
    if grant_types.is_empty() {
        return Err(meta("grant_types is empty".into()));
    }
    if let Some(g) = grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(meta(format!(
            "grant type `{}` is not supported: use {}",
            printable(g, 80),
            GRANT_TYPES.join(", ")
        )));
    }
    let response_types = strings("response_types")?.unwrap_or_else(|| vec!["code".into()]);
    if response_types.iter().any(|r| r != "code") {
        return Err(meta("only the `code` response type is supported".into()));
    }
    if let Some(s) = text("scope")? {
        scopes(Some(s)).map_err(meta)?;
    }
    let name = text("client_name")?
        .map(|n| printable(n.trim(), 100))
        .filter(|n| !n.is_empty());
    Ok(Client {
        name: name.unwrap_or_else(|| "an unnamed app".into()),
        redirect_uris,
        grant_types,
    })
}

/// The registration answer for `client` (RFC 7591 §3.2.1).
pub fn registered(client_id: &str, client: &Client, issued_at: u64) -> Value {
    json!({
        "client_id": client_id,
        "client_id_issued_at": issued_at,
        "client_name": client.name,
        "redirect_uris": client.redirect_uris,
        "grant_types": client.grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_refuse_repeats_and_treat_empty_as_absent() {
        let p = Params::parse(b"a=1&b=&c=x%20y").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some("x y"));
        assert!(Params::parse(b"a=1&a=2").unwrap_err().contains("`a`"));
    }

    #[test]
    fn scopes_are_known_ones_and_default_to_read() {
        assert_eq!(scopes(None).unwrap(), ["read"]);
        assert_eq!(
            scopes(Some("offline_access")).unwrap(),
            ["read", "offline_access"]
        );
        assert_eq!(scopes(Some("write write")).unwrap(), ["write"]);
        assert!(scopes(Some("read admin")).unwrap_err().contains("`admin`"));
    }

    #[test]
    fn builtin_client_takes_any_loopback_port_on_callback_only() {
        let c = Client::builtin();
        assert!(c.allows_redirect("http://127.0.0.1:8765/callback"));
        assert!(c.allows_redirect("http://127.0.0.1:41234/callback"));
        for bad in [
            "http://127.0.0.1:8765/other",
            "http://localhost:8765/callback",
            "https://127.0.0.1:8765/callback",
            "http://evil.test/callback",
            "http://127.0.0.1:8765/callback#x",
            "http://u:p@127.0.0.1:8765/callback",
            "http://127.0.0.1:8765/callback?x=1",
        ] {
            assert!(!c.allows_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn registered_loopback_uris_match_on_any_port_and_nothing_else() {
        let c = Client {
            redirect_uris: vec!["http://127.0.0.1:8765/callback".into()],
            ..Client::builtin()
        };
        assert!(c.allows_redirect("http://127.0.0.1:8765/callback"));
        assert!(c.allows_redirect("http://127.0.0.1:9999/callback"));
        assert!(!c.allows_redirect("http://127.0.0.1:8765/elsewhere"));
        assert!(!c.allows_redirect("http://127.0.0.1:8765/callback?next=x"));
    }

    #[test]
    fn registration_takes_public_native_loopback_clients() {
        let c = registration(
            br#"{"client_name":"My CLI","redirect_uris":["http://127.0.0.1:8765/callback"],
                "grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none",
                "application_type":"native","scope":"read offline_access"}"#,
        )
        .unwrap();
        assert_eq!(c.name, "My CLI");
        assert!(c.allows("refresh_token") && !c.allows(DEVICE_GRANT));
        // Omitted fields take RFC 7591's defaults (auth method: public).
        let c = registration(br#"{"redirect_uris":["http://127.0.0.1:1/cb"]}"#).unwrap();
        assert_eq!(c.grant_types, ["authorization_code"]);
        let answer = registered("id-1", &c, 7);
        assert_eq!(answer["token_endpoint_auth_method"], "none");
        assert_eq!(answer["client_id"], "id-1");
    }

    #[test]
    fn registration_refuses_what_it_cannot_serve() {
        let refused = |body: &str| registration(body.as_bytes()).unwrap_err();
        let r = refused(r#"{"redirect_uris":["https://app.example.com/cb"]}"#);
        assert_eq!(r.error, "invalid_redirect_uri");
        assert!(r.description.contains("127.0.0.1"), "{}", r.description);
        assert_eq!(refused(r#"{}"#).error, "invalid_redirect_uri");
        assert_eq!(
            refused(r#"{"redirect_uris":[]}"#).error,
            "invalid_redirect_uri"
        );
        let loopback = r#""redirect_uris":["http://127.0.0.1:8765/callback"]"#;
        for (extra, says) in [
            (
                r#""token_endpoint_auth_method":"client_secret_basic""#,
                "public",
            ),
            (
                r#""grant_types":["client_credentials"]"#,
                "client_credentials",
            ),
            (r#""grant_types":[]"#, "empty"),
            (r#""response_types":["token"]"#, "code"),
            (r#""application_type":"web""#, "native"),
            (r#""scope":"read admin""#, "admin"),
            (r#""client_name":7"#, "string"),
        ] {
            let r = refused(&format!("{{{loopback},{extra}}}"));
            assert_eq!(r.error, "invalid_client_metadata", "{extra}");
            assert!(r.description.contains(says), "{extra}: {}", r.description);
            assert_eq!(r.status, 400);
        }
        assert_eq!(refused("[1]").error, "invalid_client_metadata");
        assert_eq!(refused("not json").error, "invalid_client_metadata");
    }
}
