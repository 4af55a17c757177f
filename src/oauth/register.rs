//! Dynamic client registration (RFC 7591): where a server allows it,
//! keyward registers itself as a public native client, so nobody has to
//! create a client id by hand.

use crate::error::{Error, Result};
use crate::http::Client;
use serde::Deserialize;
use serde_json::json;

/// What keyward asks to be registered as.
#[derive(Debug, Clone)]
pub struct Registration<'a> {
    /// The program's name (`client_name`).
    pub name: &'a str,
    /// The loopback callback ports (each gets `http://127.0.0.1:<port>/callback`).
    pub ports: &'a [u16],
    /// Also ask for the device grant.
    pub device: bool,
}

#[derive(Deserialize)]
struct Registered {
    client_id: String,
}

/// Register a public native client at `endpoint` and return its client id.
pub async fn register(http: &Client, endpoint: &str, r: &Registration<'_>) -> Result<String> {
    let mut grants = vec!["authorization_code", "refresh_token"];
    if r.device {
        grants.push("urn:ietf:params:oauth:grant-type:device_code");
    }
    let redirect_uris: Vec<String> = r
        .ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}/callback"))
        .collect();
    let body = json!({
        "client_name": r.name,
        "application_type": "native",
        "token_endpoint_auth_method": "none",
        "grant_types": grants,
        "response_types": ["code"],
        "redirect_uris": redirect_uris,
    });
    let resp = http.post_json(endpoint, &body).await?;
    let refused = |why: String| {
        Error::other(
            format!("the server did not register keyward as a client: {why}"),
            None,
            Some("ask the API's operators for a client id and pass it: `{bin} auth login --client-id ID`".into()),
        )
    };
    if !(200..300).contains(&resp.status) {
        let why = resp
            .error_detail(&[])
            .unwrap_or_else(|| format!("HTTP {}", resp.status));
        return Err(refused(why));
    }
    let r: Registered = serde_json::from_slice(&resp.body)
        .map_err(|_| refused("its answer has no client_id".into()))?;
    let id = r.client_id.trim().to_string();
    if id.is_empty() || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refused("the client id it gave cannot be used".into()));
    }
    Ok(id)
}
