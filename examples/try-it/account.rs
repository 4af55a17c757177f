//! What comes after a login: the profile a token opens, revocation
//! (RFC 7009) and dynamic client registration (RFC 7591).

use crate::clients::{self, Params, Refusal};
use crate::provider::Provider;
use serde_json::{Value, json};
use std::time::Instant;

/// The one user of this server.
pub const USER_NAME: &str = "Dev User";
/// Their email address.
pub const USER_EMAIL: &str = "dev@example.test";
/// Their tenants: slug and name.
pub const TENANTS: &[(&str, &str)] = &[("acme", "Acme Inc"), ("globex", "Globex Corp")];
/// Where the profile is served: where keyward looks by default.
pub const PROFILE_PATH: &str = "/api/v1/profile";

impl Provider {
    /// The revocation endpoint (RFC 7009): an unknown token is no error;
    /// revoking a refresh token revokes every token of its grant (RFC 7009
    /// §2.1); revoking an access token, that token only.
    pub fn revoke(&mut self, form: &[u8]) -> Result<(), Refusal> {
        let p = Params::parse(form).map_err(|e| Refusal::new("invalid_request", e))?;
        let token = p
            .get("token")
            .ok_or_else(|| Refusal::new("invalid_request", "token is required"))?;
        let client = p.get("client_id");
        let owner = self
            .refresh
            .get(token)
            .map(|r| r.client_id.clone())
            .or_else(|| self.access.get(token).map(|a| a.client_id.clone()));
        let Some(owner) = owner else {
            return Ok(());
        };
        if client.is_some_and(|c| c != owner) {
            return Err(Refusal::new(
                "unauthorized_client",
                "the token was issued to another client",
            ));
        }
        if let Some(r) = self.refresh.remove(token) {
            self.access.retain(|_, a| a.grant != r.grant);
            self.refresh.retain(|_, other| other.grant != r.grant);
        }
        self.access.remove(token);
        Ok(())
    }

    /// Dynamic client registration (RFC 7591): the answer for a new
    /// public client.
    pub fn register(&mut self, body: &[u8], issued_at: u64) -> Result<Value, Refusal> {
        let client = clients::registration(body)?;
        let id = format!("try-{}", &self.random("")[..16]);
        let answer = clients::registered(&id, &client, issued_at);
        self.clients.insert(id, client);
        Ok(answer)
    }

    /// The profile of the user a Bearer token belongs to, or why not
    /// (the `error` of `WWW-Authenticate`, when a token was sent).
    pub fn profile(
        &self,
        authorization: Option<&str>,
        now: Instant,
    ) -> Result<Value, Option<&'static str>> {
        let token = authorization
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or(None)?;
        match self.access.get(token) {
            Some(a) if a.expires > now => Ok(json!({"data": {
                "id": "usr_dev",
                "name": USER_NAME,
                "email": USER_EMAIL,
                "tenants": TENANTS
                    .iter()
                    .map(|(slug, name)| json!({"slug": slug, "name": name}))
                    .collect::<Vec<_>>(),
            }})),
            _ => Err(Some("invalid_token")),
        }
    }
}
