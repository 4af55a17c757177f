//! The CI identity test peers themselves (tests/peers/ci-issuer.mjs and
//! provider.mjs with TOKEN_EXCHANGE=1 / CLIENT_CREDENTIALS=1), through the
//! Rust wrappers the federated and client-credentials tests use.

use crate::common::ci::{self, CI_ACCOUNT, CI_NAME, CI_SUB, CiIssuer, TOKEN_EXCHANGE_GRANT};
use crate::common::unix_now;

const AUD: &str = "https://api.keyward.test";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

#[test]
fn ci_issuer_mints_and_the_provider_exchanges() {
    let ci = CiIssuer::start();
    let p = ci.provider(
        AUD,
        &[
            ("EXCHANGE_TTL", "30"),
            ("CLIENT_CREDENTIALS", "1"),
            ("SERVICE_CLIENT_SECRET", "s3cret-service"),
        ],
    );

    let jwt = ci.request(AUD);
    let c = ci::claims(&jwt);
    assert_eq!(c["iss"], ci.issuer.as_str());
    assert_eq!(c["aud"], AUD);
    assert_eq!(c["sub"], CI_SUB);
    assert_eq!(c["repository"], "acme/app");
    assert!(
        (c["exp"].as_i64().unwrap() - unix_now() - 300).abs() <= 2,
        "{c}"
    );
    let (status, _) = ci::http_get(ci.port, "/_apis/idtoken?api-version=2.0", Some("bearer no"));
    assert_eq!(status, 401);
    assert_eq!(
        ci.id_token_requests(),
        [
            format!("GET /_apis/idtoken bearer=ok audience={AUD}"),
            "GET /_apis/idtoken bearer=bad audience=-".to_string(),
        ]
    );
    assert!(ci::claims(&ci.mint(AUD, -10))["exp"].as_i64().unwrap() < unix_now());

    let exchange = |subject: &str| {
        let (status, body) = ci::http_post_form(
            p.port,
            "/token",
            None,
            &[
                ("grant_type", TOKEN_EXCHANGE_GRANT),
                ("client_id", &p.client_id),
                ("subject_token", subject),
                ("subject_token_type", ID_TOKEN),
            ],
        );
        (
            status,
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        )
    };
    let (status, tok) = exchange(&jwt);
    assert_eq!(status, 200, "{tok}");
    assert_eq!(tok["expires_in"], 30);
    let at = tok["access_token"].as_str().unwrap();
    let (status, body) = ci::http_get(p.port, "/api/v1/profile", Some(&format!("Bearer {at}")));
    assert_eq!(status, 200, "{body}");
    let prof: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (prof["sub"].as_str(), prof["name"].as_str()),
        (Some(CI_ACCOUNT), Some(CI_NAME))
    );
    assert_eq!(
        p.profile_endpoint(),
        p.ready["profile_endpoint"].as_str().unwrap()
    );

    for (token, why) in [
        (ci.mint(AUD, -10), "subject_token expired"),
        (
            ci.mint("https://other.test", 60),
            "subject_token audience mismatch",
        ),
        (
            ci::tamper_signature(&ci.mint(AUD, 60)),
            "subject_token signature invalid",
        ),
    ] {
        let (status, err) = exchange(&token);
        assert_eq!(status, 400);
        assert_eq!(err["error"], "invalid_grant");
        assert_eq!(err["error_description"], why);
    }
    assert_eq!(p.grant_count(TOKEN_EXCHANGE_GRANT), 4);

    let (status, body) = ci::http_post_form(
        p.port,
        "/token",
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "keyward-service"),
            ("client_secret", "s3cret-service"),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let cc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let at = cc["access_token"].as_str().unwrap();
    let (status, body) = ci::http_get(p.port, "/api/v1/profile", Some(&format!("Bearer {at}")));
    assert_eq!(
        (status, body.as_str()),
        (
            200,
            r#"{"sub":"keyward-service","name":"service keyward-service"}"#
        )
    );
    assert_eq!(p.grant_count("client_credentials"), 1);
    for line in ci.requests().iter().chain(p.requests().iter()) {
        assert!(
            !line.contains(&jwt) && !line.contains(&ci.request_token) && !line.contains(at),
            "{line}"
        );
    }
}
