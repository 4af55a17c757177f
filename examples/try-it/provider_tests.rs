//! The provider's rules, without HTTP (and a few routes with it).

use super::*;
use crate::server::{Request, route};

const ISSUER: &str = "http://127.0.0.1:9";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const VERIFIER: &str = "a-verifier-of-forty-three-or-more-characters-0123456789";
const TTL: Duration = Duration::from_secs(60);

impl Ticket {
    /// A ticket of the built-in client, named `client_name`.
    pub(crate) fn for_tests(client_name: &str) -> Ticket {
        Ticket {
            client_id: BUILTIN_CLIENT.into(),
            client_name: client_name.into(),
            redirect_uri: REDIRECT.into(),
            scope: vec!["read".into(), "offline_access".into()],
            state: "st".into(),
            challenge: s256(VERIFIER),
            expires: Instant::now() + TICKET_TTL,
        }
    }
}

fn provider() -> Provider {
    Provider::with_rng(ISSUER.into(), TTL, StdRng::seed_from_u64(7))
}

fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The authorization request keyward sends, with `extra` replacing or
/// adding parameters.
fn request(extra: &[(&str, &str)]) -> String {
    let challenge = s256(VERIFIER);
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", BUILTIN_CLIENT),
        ("redirect_uri", REDIRECT),
        ("scope", "offline_access"),
        ("state", "st-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| name != k);
        if !v.is_empty() {
            pairs.push((k, v));
        }
    }
    query(&pairs)
}

/// The value of `name` in the query of `location`.
fn param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An approved authorization: the code.
fn code(p: &mut Provider, now: Instant) -> String {
    let Authorize::Consent(ticket, t) = p.authorize(request(&[]).as_bytes(), now) else {
        panic!("no consent page");
    };
    assert_eq!(t.client_name, "keyward (try-it)");
    let location = p.decide(&ticket, true, now).unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(param(&location, "state").as_deref(), Some("st-1"));
    assert_eq!(param(&location, "iss").as_deref(), Some(ISSUER));
    param(&location, "code").unwrap()
}

fn exchange(p: &mut Provider, code: &str, verifier: &str, now: Instant) -> Result<Value, Refusal> {
    let form = query(&[
        ("grant_type", "authorization_code"),
        ("client_id", BUILTIN_CLIENT),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ]);
    p.token(form.as_bytes(), now)
}

fn refresh(p: &mut Provider, token: &str, now: Instant) -> Result<Value, Refusal> {
    let form = query(&[
        ("grant_type", "refresh_token"),
        ("client_id", BUILTIN_CLIENT),
        ("refresh_token", token),
    ]);
    p.token(form.as_bytes(), now)
}

fn tokens(v: &Value) -> (String, String) {
    (
        v["access_token"].as_str().unwrap().to_string(),
        v["refresh_token"].as_str().unwrap().to_string(),
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn a_login_gives_tokens_that_open_the_profile() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    let v = exchange(&mut p, &code, VERIFIER, now).unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 60);
    assert_eq!(v["scope"], "read offline_access");
    let (access, _) = tokens(&v);
    let profile = p.profile(Some(&bearer(&access)), now).unwrap();
    assert_eq!(profile["data"]["email"], crate::account::USER_EMAIL);
    let slugs: Vec<_> = profile["data"]["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["acme", "globex"]);
    // keyward reads it as it reads any profile.
    let parsed = keyward::profile::parse(profile.to_string().as_bytes()).unwrap();
    assert_eq!(parsed.tenants.len(), 2);
    assert_eq!(parsed.user.name.as_deref(), Some(crate::account::USER_NAME));
}

#[test]
fn a_wrong_pkce_verifier_is_refused_and_burns_the_code() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    let wrong = "another-verifier-of-forty-three-or-more-characters-xyz";
    let e = exchange(&mut p, &code, wrong, now).unwrap_err();
    assert_eq!(e.error, "invalid_grant");
    assert!(e.description.contains("PKCE"), "{}", e.description);
    // The right verifier comes too late: the code was used.
    assert_eq!(
        exchange(&mut p, &code, VERIFIER, now).unwrap_err().error,
        "invalid_grant"
    );
    // No verifier at all is refused as well.
    let code = self::code(&mut p, now);
    let form = query(&[
        ("grant_type", "authorization_code"),
        ("client_id", BUILTIN_CLIENT),
        ("code", &code),
        ("redirect_uri", REDIRECT),
    ]);
    assert_eq!(
        p.token(form.as_bytes(), now).unwrap_err().error,
        "invalid_request"
    );
}

#[test]
fn a_code_is_used_once_and_only_where_it_was_sent() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    exchange(&mut p, &code, VERIFIER, now).unwrap();
    let e = exchange(&mut p, &code, VERIFIER, now).unwrap_err();
    assert_eq!((e.error, e.status), ("invalid_grant", 400));
    assert!(e.description.contains("already used"), "{}", e.description);
    // Another redirect URI, or too late.
    let code = self::code(&mut p, now);
    let form = query(&[
        ("grant_type", "authorization_code"),
        ("client_id", BUILTIN_CLIENT),
        ("code", &code),
        ("redirect_uri", "http://127.0.0.1:1/callback"),
        ("code_verifier", VERIFIER),
    ]);
    assert_eq!(
        p.token(form.as_bytes(), now).unwrap_err().error,
        "invalid_grant"
    );
    let code = self::code(&mut p, now);
    let late = now + CODE_TTL;
    let e = exchange(&mut p, &code, VERIFIER, late).unwrap_err();
    assert!(e.description.contains("expired"), "{}", e.description);
}

#[test]
fn authorization_requests_without_pkce_s256_go_back_with_an_error() {
    let mut p = provider();
    let now = Instant::now();
    for (extra, says) in [
        (vec![("code_challenge", "")], "PKCE is required"),
        (vec![("code_challenge_method", "plain")], "S256"),
        (vec![("code_challenge", "short")], "43 to 128"),
        (vec![("state", "")], "state"),
        (vec![("scope", "admin")], "admin"),
        (vec![("response_type", "token")], "response_type"),
    ] {
        let Authorize::Redirect(to) = p.authorize(request(&extra).as_bytes(), now) else {
            panic!("{extra:?}: not sent back");
        };
        assert!(to.starts_with(REDIRECT), "{to}");
        let description = param(&to, "error_description").unwrap();
        assert!(description.contains(says), "{extra:?}: {description}");
    }
}

#[test]
fn untrusted_clients_and_redirect_uris_get_a_page_not_a_redirect() {
    let mut p = provider();
    let now = Instant::now();
    for extra in [
        [("client_id", "nobody")],
        [("redirect_uri", "https://evil.test/callback")],
        [("redirect_uri", "http://127.0.0.1:8765/elsewhere")],
        [("client_id", "")],
    ] {
        assert!(
            matches!(
                p.authorize(request(&extra).as_bytes(), now),
                Authorize::Refuse(_)
            ),
            "{extra:?}"
        );
    }
}

#[test]
fn deny_sends_access_denied_and_a_ticket_is_answered_once() {
    let mut p = provider();
    let now = Instant::now();
    let Authorize::Consent(ticket, _) = p.authorize(request(&[]).as_bytes(), now) else {
        panic!("no consent page");
    };
    let to = p.decide(&ticket, false, now).unwrap();
    assert_eq!(param(&to, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&to, "state").as_deref(), Some("st-1"));
    assert_eq!(param(&to, "code"), None);
    assert!(
        p.decide(&ticket, true, now)
            .unwrap_err()
            .contains("already answered")
    );
}

#[test]
fn refresh_tokens_rotate_and_the_old_one_is_refused() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    let (access1, refresh1) = tokens(&exchange(&mut p, &code, VERIFIER, now).unwrap());
    let (access2, refresh2) = tokens(&refresh(&mut p, &refresh1, now).unwrap());
    assert_ne!(refresh1, refresh2);
    assert_ne!(access1, access2);
    let e = refresh(&mut p, &refresh1, now).unwrap_err();
    assert_eq!(e.error, "invalid_grant");
    assert!(e.description.contains("rotate"), "{}", e.description);
    // The new one works, once.
    let (_, refresh3) = tokens(&refresh(&mut p, &refresh2, now).unwrap());
    assert_eq!(
        refresh(&mut p, &refresh2, now).unwrap_err().error,
        "invalid_grant"
    );
    assert!(refresh(&mut p, &refresh3, now).is_ok());
}

#[test]
fn revoked_and_expired_tokens_are_refused_by_the_profile() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    let (access1, refresh1) = tokens(&exchange(&mut p, &code, VERIFIER, now).unwrap());
    let (access2, refresh2) = tokens(&refresh(&mut p, &refresh1, now).unwrap());
    assert!(p.profile(Some(&bearer(&access1)), now).is_ok());
    assert_eq!(
        p.profile(Some(&bearer(&access1)), now + TTL),
        Err(Some("invalid_token"))
    );
    assert_eq!(p.profile(None, now), Err(None));
    assert_eq!(p.profile(Some("Basic abc"), now), Err(None));
    // Revoking the refresh token revokes every token of the grant, from
    // before the refresh too (RFC 7009 §2.1).
    let form = query(&[
        ("token", &refresh2),
        ("token_type_hint", "refresh_token"),
        ("client_id", BUILTIN_CLIENT),
    ]);
    p.revoke(form.as_bytes()).unwrap();
    for access in [&access1, &access2] {
        assert_eq!(
            p.profile(Some(&bearer(access)), now),
            Err(Some("invalid_token"))
        );
    }
    assert_eq!(
        refresh(&mut p, &refresh2, now).unwrap_err().error,
        "invalid_grant"
    );
    // An unknown token is no error (RFC 7009 §2.2); a missing one is.
    p.revoke(b"token=nothing-like-it").unwrap();
    assert_eq!(p.revoke(b"").unwrap_err().error, "invalid_request");
}

#[test]
fn the_profile_route_answers_401_with_a_bearer_challenge() {
    let mut p = provider();
    let now = Instant::now();
    let code = code(&mut p, now);
    let (access, _) = tokens(&exchange(&mut p, &code, VERIFIER, now).unwrap());
    let auth = bearer(&access);
    let get = |authorization| Request {
        method: "GET",
        path: crate::account::PROFILE_PATH,
        authorization,
        ..Request::default()
    };
    assert_eq!(route(&mut p, &get(Some(&auth)), now).status, 200);
    p.revoke(query(&[("token", &access)]).as_bytes()).unwrap();
    let r = route(&mut p, &get(Some(&auth)), now);
    assert_eq!(r.status, 401);
    let challenge = &r
        .headers
        .iter()
        .find(|(k, _)| *k == "www-authenticate")
        .unwrap()
        .1;
    assert!(challenge.contains("invalid_token"), "{challenge}");
    assert_eq!(route(&mut p, &get(None), now).status, 401);
}

#[test]
fn registration_takes_loopback_clients_and_refuses_others() {
    let mut p = provider();
    let now = Instant::now();
    let e = p
        .register(
            br#"{"redirect_uris":["https://app.example.com/callback"]}"#,
            1,
        )
        .unwrap_err();
    assert_eq!(e.error, "invalid_redirect_uri");
    let e = p
        .register(
            br#"{"redirect_uris":["http://localhost:8765/callback"]}"#,
            1,
        )
        .unwrap_err();
    assert_eq!(e.error, "invalid_redirect_uri");
    let v = p
        .register(
            br#"{"client_name":"My CLI","redirect_uris":["http://127.0.0.1:7000/cb"],"grant_types":["authorization_code","refresh_token"]}"#,
            1,
        )
        .unwrap();
    let id = v["client_id"].as_str().unwrap();
    assert_eq!(v["token_endpoint_auth_method"], "none");
    // The new client logs in at its registered URI (any port), nowhere else.
    let mine = request(&[
        ("client_id", id),
        ("redirect_uri", "http://127.0.0.1:7001/cb"),
    ]);
    let Authorize::Consent(_, t) = p.authorize(mine.as_bytes(), now) else {
        panic!("the registered client cannot log in");
    };
    assert_eq!(t.client_name, "My CLI");
    let elsewhere = request(&[("client_id", id)]);
    assert!(matches!(
        p.authorize(elsewhere.as_bytes(), now),
        Authorize::Refuse(_)
    ));
    // It did not register the device grant.
    let e = p
        .device_authorization(query(&[("client_id", id)]).as_bytes(), now)
        .unwrap_err();
    assert_eq!(e.error, "unauthorized_client");
}

fn poll(p: &mut Provider, device_code: &str, now: Instant) -> Result<Value, Refusal> {
    let form = query(&[
        ("grant_type", DEVICE_GRANT),
        ("client_id", BUILTIN_CLIENT),
        ("device_code", device_code),
    ]);
    p.token(form.as_bytes(), now)
}

#[test]
fn the_device_grant_pends_slows_down_and_issues_once_approved() {
    use crate::device::{DEVICE_TTL, INTERVAL};
    let mut p = provider();
    let t0 = Instant::now();
    let v = p
        .device_authorization(
            query(&[("client_id", BUILTIN_CLIENT), ("scope", "offline_access")]).as_bytes(),
            t0,
        )
        .unwrap();
    let (device, user) = (
        v["device_code"].as_str().unwrap(),
        v["user_code"].as_str().unwrap(),
    );
    assert_eq!(v["verification_uri"], format!("{ISSUER}/device"));
    assert_eq!(
        poll(&mut p, device, t0).unwrap_err().error,
        "authorization_pending"
    );
    // Too soon after the last poll.
    let e = poll(&mut p, device, t0 + Duration::from_millis(100)).unwrap_err();
    assert_eq!(e.error, "slow_down");
    let t1 = t0 + INTERVAL + Duration::from_secs(6);
    // The code as a person types it: lower case, no dash.
    let typed = user.replace('-', "").to_lowercase();
    assert_eq!(p.device_pending(&typed, t1).unwrap().user_code, user);
    p.device_decide(&typed, true, t1).unwrap();
    let (access, _) = tokens(&poll(&mut p, device, t1).unwrap());
    assert!(p.profile(Some(&bearer(&access)), t1).is_ok());
    assert_eq!(
        poll(&mut p, device, t1 + INTERVAL * 5).unwrap_err().error,
        "invalid_grant"
    );
    assert!(p.device_pending(user, t1).is_err());
    // Denied, and expired.
    for (approve, at, error) in [
        (Some(false), t0 + Duration::from_secs(1), "access_denied"),
        (None, t0 + DEVICE_TTL, "expired_token"),
    ] {
        let v = p
            .device_authorization(query(&[("client_id", BUILTIN_CLIENT)]).as_bytes(), t0)
            .unwrap();
        let device = v["device_code"].as_str().unwrap().to_string();
        if let Some(a) = approve {
            p.device_decide(v["user_code"].as_str().unwrap(), a, t0)
                .unwrap();
        }
        assert_eq!(poll(&mut p, &device, at).unwrap_err().error, error);
    }
}

#[test]
fn routes_check_methods_and_content_types() {
    let mut p = provider();
    let now = Instant::now();
    let r = route(
        &mut p,
        &Request {
            method: "GET",
            path: crate::server::METADATA_PATH,
            ..Request::default()
        },
        now,
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["issuer"], ISSUER);
    assert_eq!(v["code_challenge_methods_supported"], json!(["S256"]));
    let m = keyward::oauth::endpoints::parse_metadata(&r.body).unwrap();
    assert_eq!(
        m.token_endpoint.as_deref(),
        Some("http://127.0.0.1:9/oauth/token")
    );
    assert!(m.revocation_endpoint.is_some() && m.device_authorization_endpoint.is_some());
    let r = route(
        &mut p,
        &Request {
            method: "GET",
            path: "/oauth/token",
            ..Request::default()
        },
        now,
    );
    assert_eq!(r.status, 405);
    let json_body = Request {
        method: "POST",
        path: "/oauth/token",
        content_type: Some("application/json"),
        body: b"grant_type=refresh_token",
        ..Request::default()
    };
    assert_eq!(route(&mut p, &json_body, now).status, 400);
    assert_eq!(
        route(
            &mut p,
            &Request {
                method: "GET",
                path: "/nope",
                ..Request::default()
            },
            now
        )
        .status,
        404
    );
}
