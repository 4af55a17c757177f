//! Property tests for every parser of outside input (issue 15): API URLs
//! and hosts, callback query parameters, pasted codes and redirect URLs,
//! token and device responses, discovery documents, the profile,
//! credentials.json records, config.toml and durations; and (issue 16)
//! `keyward api`'s fields, `Link` headers, body links and merged pages;
//! (issue 17) git's credential requests and answers, and git origins;
//! (issue 19) CI ID tokens peeked at for their expiry and audience, and
//! the choice of an ID token source.
//!
//! The properties: no input makes a parser panic; what a renderer writes
//! parses back to the same value; a secret in the input never appears in
//! an error's text. Each property runs [`CASES`] cases (a few seconds in
//! all); failures print their minimal input and write no regression file
//! into the source tree. Parsers added later join this module. (Callback
//! requests are routed by a private function: their property is beside
//! it, in `oauth::callback::respond`.)

use crate::api_url::{ApiUrl, check_endpoint, is_loopback};
use crate::http::Response;
use crate::oauth::token::MAX_LIFETIME;
use crate::oauth::{device, endpoints, paste, token};
use crate::record::Record;
use crate::time::{MAX_DURATION, parse_duration};
use proptest::prelude::*;

/// Cases per property.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like an API URL, or a host, more often than random text
/// would: schemes with and without `//`, loopback and non-ASCII hosts,
/// ports, paths, queries.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "https://", "http://", "HTTP://", "http:", "https:", "ftp://", "", "http:/", "//",
    ]);
    let host = prop::sample::select(vec![
        "127.0.0.1",
        "localhost",
        "[::1]",
        "a.test",
        "é.test",
        "aé",
        "xn--a",
        "",
        "user:pw@a.test",
        "10.0.0.1",
        "a.test:",
    ]);
    let port = prop::option::of(any::<u32>());
    let sep = prop::sample::select(vec!["/", "://", ":", ""]);
    let path = prop::collection::vec("[a-zé/:?#%. ]{0,6}", 0..4);
    (scheme, host, port, sep, path).prop_map(|(s, h, p, sep, path)| {
        let port = p.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{s}{h}{port}{sep}{}", path.join("/"))
    })
}

/// Any text, or text shaped like `inner`, or a short `http:` text with
/// non-ASCII letters (the shape that once panicked: `http:aé://x`).
fn text_or(inner: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        inner,
        "(?i)https?:[aéß0-9]{0,3}(//|://)?[aéß0-9.:/]{0,6}",
    ]
}

/// A secret-looking value: long enough that finding it in a message is no
/// accident.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{12,24}".prop_map(|s| format!("sk_{s}"))
}

/// A JSON number or string as servers send lifetimes and intervals.
fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        any::<i64>().prop_map(|n| format!("\"{n}\"")),
        Just("\"soon\"".to_string()),
        Just("null".to_string()),
        Just("1e400".to_string()),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// API URLs: never a panic, and the normal form parses to itself.
    #[test]
    fn api_urls(input in text_or(url_like())) {
        if let Ok(u) = ApiUrl::parse(&input) {
            let again = ApiUrl::parse(u.as_str());
            prop_assert_eq!(again.as_ref().ok(), Some(&u), "{}", u);
            // everything an API URL offers works on any of them
            let _ = (u.origin(), u.path(), u.join("/api/v1/profile"), u.root_for("/api/v1/me"));
            let _ = crate::session::host_key(&u);
        }
        let _ = check_endpoint("endpoint", &input);
        let _ = is_loopback(&input);
    }

    /// Callback query parameters: never a panic; what a query encoder
    /// writes decodes to the same values.
    #[test]
    fn callback_params(raw in any::<String>(), code in any::<String>(), state in any::<String>()) {
        let _ = crate::oauth::params::Params::parse(&raw);
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", &state)
            .append_pair("other", &raw)
            .finish();
        let p = crate::oauth::params::Params::parse(&query).unwrap();
        prop_assert_eq!(p.code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(p.state.as_deref(), Some(state.as_str()));
    }

    /// Pasted codes and redirect URLs: never a panic; a pasted redirect
    /// gives its code back; a code never appears in the error about it.
    #[test]
    fn pasted(raw in text_or(url_like()), code in secret(), state in secret(), wrong in secret()) {
        let _ = paste::parse_pasted(&raw, &state);
        let _ = paste::parse_pasted_with_issuer(&raw, &state, Some("https://a.test"));
        let url = format!("http://127.0.0.1:8400/callback?code={code}&state={state}");
        prop_assert_eq!(paste::parse_pasted(&url, &state).ok(), Some(code.clone()));
        prop_assert_eq!(paste::parse_pasted(&format!("?code={code}&state={state}"), &state).ok(), Some(code.clone()));
        let e = paste::parse_pasted(&url, &wrong).unwrap_err().to_string();
        prop_assert!(!e.contains(&code) && !e.contains(&state), "{}", e);
        let bad = format!("{code} {code}");
        let e = paste::parse_pasted(&bad, &state).unwrap_err().to_string();
        prop_assert!(!e.contains(&code), "{}", e);
    }

    /// Token responses: never a panic; a lifetime is always within
    /// `0..=MAX_LIFETIME`; the request's secrets and an unusable token never
    /// appear in the error.
    #[test]
    fn token_responses(
        status in prop::sample::select(vec![200u16, 201, 400, 401, 500]),
        body in any::<String>(),
        life in json_number(),
        access in text_or(secret()),
        sent in secret(),
    ) {
        let r = |body: String| Response { status, body: body.into_bytes() };
        let _ = token::parse("https://a.test/token", &r(body), &[&sent]);
        let json = serde_json::json!({"access_token": access, "refresh_token": "r"}).to_string();
        let json = format!("{},\"expires_in\":{life}}}", json.trim_end_matches('}'));
        match token::parse("https://a.test/token", &r(json), &[&sent]) {
            Ok(Ok(t)) => {
                prop_assert!(t.expires_in.is_none_or(|e| (0..=MAX_LIFETIME).contains(&e)));
            }
            Ok(Err(e)) => prop_assert!(!e.to_string().contains(&sent)),
            Err(e) => {
                let shown = format!("{e} {:?} {:?}", e.cause(), e.detail());
                prop_assert!(access.len() < 8 || !shown.contains(&access), "{}", shown);
            }
        }
        // the server echoes the secrets it was sent: they are removed
        let echo = serde_json::json!({"error": format!("bad {sent}"), "error_description": format!("the code {sent} is wrong")});
        let e = token::parse("https://a.test/token", &r(echo.to_string()), &[&sent]).unwrap();
        if let Err(e) = e {
            prop_assert!(!e.to_string().contains(&sent), "{}", e);
        }
    }

    /// Device authorization responses: never a panic; lifetime and
    /// interval always within their bounds.
    #[test]
    fn device_responses(body in any::<String>(), life in json_number(), interval in json_number()) {
        let _ = device::parse(body.as_bytes());
        let json = format!(r#"{{"device_code":"d","user_code":"U","verification_uri":"https://a.test/d","expires_in":{life},"interval":{interval}}}"#);
        if let Some(c) = device::parse(json.as_bytes()) {
            prop_assert!(c.expires_in <= device::MAX_CODE_LIFETIME);
            prop_assert!(c.interval >= std::time::Duration::from_secs(1));
            prop_assert!(c.interval <= device::MAX_INTERVAL);
        }
    }

    /// Discovery documents: never a panic; an endpoint kept is https or
    /// loopback http.
    #[test]
    fn discovery_documents(body in any::<String>(), ep in text_or(url_like())) {
        let _ = endpoints::parse_metadata(body.as_bytes());
        let doc = serde_json::json!({"issuer": ep, "authorization_endpoint": ep, "token_endpoint": ep,
            "device_authorization_endpoint": ep, "revocation_endpoint": [ep]});
        if let Some(m) = endpoints::parse_metadata(doc.to_string().as_bytes()) {
            for kept in [&m.authorization_endpoint, &m.token_endpoint, &m.device_authorization_endpoint].into_iter().flatten() {
                prop_assert!(check_endpoint("endpoint", kept).is_ok(), "{}", kept);
            }
        }
    }

    /// The profile: never a panic, on any body or any shape of JSON.
    #[test]
    fn profiles(body in any::<String>(), name in any::<String>(), id in json_number()) {
        let _ = crate::profile::parse(body.as_bytes());
        let doc = format!(r#"{{"data":{{"name":{},"id":{id},"tenants":[{{"slug":{}}}],"email":{id}}}}}"#,
            serde_json::Value::String(name.clone()), serde_json::Value::String(name));
        let _ = crate::profile::parse(doc.as_bytes());
    }

    /// credentials.json records: never a panic; a record written reads
    /// back the same; its Debug form never shows a token; its expiry
    /// arithmetic never overflows.
    #[test]
    fn records(
        text in any::<String>(),
        access in secret(),
        refresh in secret(),
        expires in any::<i64>(),
        issued in any::<i64>(),
        url in url_like(),
    ) {
        let _ = Record::from_json(&text);
        let json = serde_json::json!({"version": 2, "api_url": url, "kind": "oauth",
            "access_token": access, "refresh_token": refresh, "expires_at": expires,
            "issued_at": issued, "user": {"email": "a@x.test"}, "created_at": issued});
        let r = Record::from_json(&json.to_string()).unwrap();
        let written = r.to_json();
        prop_assert_eq!(Record::from_json(&written).unwrap().to_json(), written);
        let debug = format!("{r:?}");
        prop_assert!(!debug.contains(&access) && !debug.contains(&refresh), "{}", debug);
        for now in [i64::MIN, -1, 0, crate::time::now(), i64::MAX] {
            let _ = r.expiry_at(now).describe();
        }
        let _ = (r.expires_within(r.refresh_margin()), r.key(), r.legacy_key());
    }

    /// config.toml: never a panic, on any text or any value of a known
    /// key; the durations a config gives are always usable.
    #[test]
    fn config_files(
        text in any::<String>(),
        key in prop::sample::select(crate::config::keys::KEYS.iter().map(|k| k.name).collect::<Vec<_>>()),
        value in prop_oneof![
            any::<String>().prop_map(|s| toml::Value::String(s).to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|f| format!("{f:?}")),
            Just("inf".to_string()), Just("-inf".to_string()), Just("nan".to_string()),
            Just("1e-300".to_string()), Just("[1, 65536]".to_string()), Just("[\"a\", 1]".to_string()),
            url_like().prop_map(|s| toml::Value::String(s).to_string()),
        ],
        host in url_like(),
    ) {
        let path = std::path::PathBuf::from("/nonexistent/config.toml");
        let _ = crate::config::Config::parse(path.clone(), &text);
        let host_key = toml::Value::String(host).to_string();
        for doc in [format!("{key} = {value}\n"), format!("[hosts.{host_key}]\n{key} = {value}\n")] {
            if let Ok(c) = crate::config::Config::parse(path.clone(), &doc) {
                let _ = (c.keychain_timeout(), c.http_timeout(), c.http_connect_timeout(), c.api_url());
                if let Ok(u) = ApiUrl::parse("https://a.test") {
                    let _ = c.host(&u);
                }
            }
        }
    }

    /// Durations: never a panic, never more than `MAX_DURATION`, and the
    /// seconds of one parse back to it.
    #[test]
    fn durations(
        text in any::<String>(),
        n in any::<u64>(),
        unit in prop::sample::select(vec!["", "s", "m", "h", "d", "y", "S"]),
    ) {
        let _ = parse_duration(&text);
        if let Ok(d) = parse_duration(&format!("{n}{unit}")) {
            prop_assert!(d <= MAX_DURATION);
            prop_assert_eq!(parse_duration(&format!("{}s", d.as_secs())), Ok(d));
        }
    }

    #[cfg(feature = "reqwest")]
    /// `keyward api` fields: never a panic; `-f` keeps any value as a
    /// string, `-F` turns an integer into that number and leaves other text
    /// (that is not `@…` or a literal) a string; a simple key is its own path.
    #[test]
    fn api_fields(arg in any::<String>(), key in "[a-z_]{1,8}", value in any::<String>(), n in any::<i64>()) {
        use crate::api::fields::{Field, FieldValue};
        let _ = Field::parse(&arg, false);
        let _ = Field::parse(&arg, true);
        let raw = Field::parse(&format!("{key}={value}"), false).unwrap();
        prop_assert_eq!(raw.value, FieldValue::Json(serde_json::Value::String(value.clone())));
        prop_assert_eq!(raw.path, vec![key.clone()]);
        let typed = Field::parse(&format!("{key}={n}"), true).unwrap();
        prop_assert_eq!(typed.value, FieldValue::Json(serde_json::json!(n)));
        if !value.starts_with('@') && !["true", "false", "null"].contains(&value.as_str())
            && value.parse::<i64>().is_err() && value.parse::<u64>().is_err()
        {
            let typed = Field::parse(&format!("{key}={value}"), true).unwrap();
            prop_assert_eq!(typed.value, FieldValue::Json(serde_json::Value::String(value)));
        }
    }

    #[cfg(feature = "reqwest")]
    /// `Link` headers: never a panic; a rendered `rel="next"` link is found
    /// again among others, whatever the order.
    #[test]
    fn link_headers(raw in any::<String>(), next in "[a-zA-Z0-9/:?=&._-]{1,30}", other in "[a-z/?=]{1,10}", first in any::<bool>()) {
        use crate::api::paginate::next_from_link_header;
        let _ = next_from_link_header(&raw);
        let n = format!("<{next}>; rel=\"next\"");
        let o = format!("<{other}>; rel=\"prev\"; title=\"a, b; c\"");
        let header = if first { format!("{n}, {o}") } else { format!("{o}, {n}") };
        prop_assert_eq!(next_from_link_header(&header), Some(next));
    }

    #[cfg(feature = "reqwest")]
    /// Body links and merged pages: never a panic; array pages merge into
    /// their concatenation.
    #[test]
    fn pages(body in any::<String>(), pages in prop::collection::vec(prop::collection::vec(any::<i64>(), 0..4), 1..5)) {
        use crate::api::paginate::{Merge, next_from_body};
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
            let _ = next_from_body(&v);
        }
        let mut m = Merge::default();
        m.push(body.as_bytes());
        let _ = m.finish();
        let mut m = Merge::default();
        for p in &pages {
            m.push(serde_json::to_string(p).unwrap().as_bytes());
        }
        let merged: Vec<i64> = serde_json::from_slice(&m.finish()).unwrap();
        prop_assert_eq!(merged, pages.concat());
    }

    /// git credential requests: never a panic; a request written from its
    /// parts reads back to them; a password in the request is never kept,
    /// nor named by an error.
    #[test]
    fn git_requests(raw in prop::collection::vec(any::<u8>(), 0..300), lines in prop::collection::vec(("[a-z_\\[\\]]{1,12}", "[^\n\r\x00]{0,40}"), 0..6), host in "[^\n\r\x00]{0,30}", password in secret()) {
        use crate::git::{Origin, Request};
        let _ = Request::parse(&raw);
        let mut text = String::new();
        for (k, v) in &lines {
            if !matches!(k.as_str(), "host" | "url" | "protocol" | "path" | "username") {
                text.push_str(&format!("{k}={v}\n"));
            }
        }
        text.push_str(&format!("protocol=https\nhost={host}\npassword={}\n\nhost=ignored\n", password.as_str()));
        let r = Request::parse(text.as_bytes()).unwrap();
        prop_assert_eq!(r.protocol.as_deref(), Some("https"));
        prop_assert_eq!(r.host.as_deref(), Some(host.as_str()));
        let shown = format!("{r:?}");
        prop_assert!(!shown.contains(password.as_str()));
        let _ = Origin::of_request("https", &host);
        let _ = Origin::parse(&host);
        let broken = format!("host=a\n{}\n", password.as_str().replace('=', ""));
        if let Err(e) = Request::parse(broken.as_bytes()) {
            prop_assert!(!e.to_string().contains(password.as_str()));
        }
    }

    /// git answers: what keyward writes reads back as the same user name
    /// and token, or is refused whole when a value could add a line.
    #[test]
    fn git_answers(username in any::<String>(), token in any::<String>(), expiry in any::<Option<i64>>()) {
        use crate::git::{Answer, Request};
        let a = Answer { username: username.clone(), password: crate::secret::Secret::new(token.clone()), expires_at: expiry };
        let mut out = Vec::new();
        match a.write_to(&mut out) {
            Ok(()) => {
                let text = String::from_utf8(out).unwrap();
                prop_assert_eq!(text.lines().count(), 2 + usize::from(expiry.is_some()));
                let back = Request::parse(text.as_bytes()).unwrap();
                prop_assert_eq!(back.username.as_deref(), Some(username.as_str()));
                let line = format!("\npassword={token}\n");
                prop_assert!(text.contains(&line));
            }
            Err(_) => {
                prop_assert!(out.is_empty());
                let both = format!("{username}{token}");
                prop_assert!(both.is_empty() || username.is_empty() || token.is_empty() || both.contains(['\n', '\r', '\0']));
            }
        }
    }

    /// CI ID tokens: never a panic on any text; a JWT's `exp` and `aud`
    /// read back.
    #[test]
    fn ci_id_tokens(raw in any::<String>(), exp in any::<i64>(), aud in "[a-z:/.]{1,20}", sig in "[A-Za-z0-9_-]{0,40}") {
        use base64::Engine as _;
        use crate::id_token::peek;
        let _ = peek(&raw);
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let payload = serde_json::json!({"exp": exp, "aud": aud}).to_string();
        let jwt = format!("{}.{}.{sig}", b("{\"alg\":\"RS256\"}"), b(&payload));
        let p = peek(&jwt).unwrap();
        prop_assert_eq!(p.exp, Some(exp));
        prop_assert_eq!(p.aud, vec![aud]);
    }

    /// The source of a CI ID token: never a panic; a flag always wins.
    #[test]
    fn ci_sources(env_flag in prop::option::of("[A-Z_]{1,12}"), vars in prop::collection::vec(("[A-Z_]{1,30}", "[ -~]{0,8}"), 0..5)) {
        use crate::id_token::{IdTokenSource, Wanted, choose};
        let w = Wanted { env: env_flag.clone(), default_env: "KEYWARD_ID_TOKEN".into(), ..Wanted::default() };
        let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let got = choose(&w, &lookup);
        if let Some(v) = env_flag {
            prop_assert_eq!(got, Ok(IdTokenSource::Env { variable: v }));
        }
    }
}
