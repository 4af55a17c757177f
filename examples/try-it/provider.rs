//! The authorization server's state and rules, without HTTP: consent
//! tickets, authorization codes (PKCE S256, single use), access tokens,
//! rotating refresh tokens, revocation (RFC 7009), registration (RFC 7591)
//! and the profile. Everything lives in memory; `now` is passed in so the
//! rules about time can be tested.

use crate::clients::{self, BUILTIN_CLIENT, Client, DEVICE_GRANT, Params, Refusal};
use crate::device::Device;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::{StdRng, SysRng};
use rand::{Rng as _, RngExt as _, SeedableRng as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a consent page can be answered.
const TICKET_TTL: Duration = Duration::from_secs(600);
/// How long an authorization code can be exchanged.
const CODE_TTL: Duration = Duration::from_secs(60);

/// A validated authorization request waiting for the person's decision.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    state: String,
    challenge: String,
    expires: Instant,
}

/// What the authorization endpoint does with a request.
#[derive(Debug)]
pub enum Authorize {
    /// Ask the person: the consent page for this ticket id.
    Consent(String, Ticket),
    /// Send the browser back to the client with this address (an error).
    Redirect(String),
    /// The client or its redirect URI cannot be trusted: say why on a
    /// page, and never redirect (RFC 6749 §4.1.2.1).
    Refuse(String),
}

#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    scope: Vec<String>,
    challenge: String,
    expires: Instant,
}

/// An access token.
#[derive(Debug)]
pub(crate) struct Access {
    pub(crate) client_id: String,
    pub(crate) expires: Instant,
    /// The authorization grant it comes from (see [`Provider::issue`]).
    pub(crate) grant: u64,
}

/// A refresh token.
#[derive(Debug)]
pub(crate) struct Refresh {
    pub(crate) client_id: String,
    scope: Vec<String>,
    pub(crate) grant: u64,
}

/// The server's state.
pub struct Provider {
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    pub(crate) token_ttl: Duration,
    rng: StdRng,
    pub(crate) clients: HashMap<String, Client>,
    tickets: HashMap<String, Ticket>,
    codes: HashMap<String, Code>,
    pub(crate) access: HashMap<String, Access>,
    pub(crate) refresh: HashMap<String, Refresh>,
    pub(crate) devices: HashMap<String, Device>,
    /// The last authorization grant's number.
    grants: u64,
}

/// The S256 code challenge of `verifier` (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `v` is a well-formed PKCE verifier or challenge: 43 to 128
/// unreserved characters (RFC 7636 §4.1).
fn pkce_shaped(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// `uri` with `pairs` added to its query.
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return uri.to_string(),
    };
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

impl Provider {
    /// A server for `issuer` whose access tokens live `token_ttl`, with
    /// random values from the operating system's generator.
    pub fn new(issuer: String, token_ttl: Duration) -> Result<Provider, String> {
        let rng = StdRng::try_from_rng(&mut SysRng)
            .map_err(|e| format!("the operating system's random number generator failed: {e}"))?;
        Ok(Provider::with_rng(issuer, token_ttl, rng))
    }

    /// As [`Provider::new`], with the given generator.
    pub fn with_rng(issuer: String, token_ttl: Duration, rng: StdRng) -> Provider {
        let mut clients = HashMap::new();
        clients.insert(BUILTIN_CLIENT.to_string(), Client::builtin());
        Provider {
            issuer,
            token_ttl,
            rng,
            clients,
            tickets: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            devices: HashMap::new(),
            grants: 0,
        }
    }

    /// A fresh unguessable value: `prefix` and 32 random bytes.
    pub(crate) fn random(&mut self, prefix: &str) -> String {
        let mut bytes = [0u8; 32];
        self.rng.fill_bytes(&mut bytes);
        format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A random number below `n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    /// The authorization server metadata (RFC 8414).
    pub fn metadata(&self) -> Value {
        let at = |path: &str| format!("{}{path}", self.issuer);
        json!({
            "issuer": self.issuer,
            "authorization_endpoint": at("/oauth/authorize"),
            "token_endpoint": at("/oauth/token"),
            "revocation_endpoint": at("/oauth/revoke"),
            "device_authorization_endpoint": at("/oauth/device_authorization"),
            "registration_endpoint": at("/oauth/register"),
            "scopes_supported": clients::SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": clients::GRANT_TYPES,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "authorization_response_iss_parameter_supported": true,
        })
    }

    /// The authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3).
    pub fn authorize(&mut self, query: &[u8], now: Instant) -> Authorize {
        let params = match Params::parse(query) {
            Ok(p) => p,
            Err(e) => return Authorize::Refuse(format!("The request is malformed: {e}.")),
        };
        let Some(client_id) = params.get("client_id") else {
            return Authorize::Refuse("The request has no client_id.".into());
        };
        let Some(client) = self.clients.get(client_id) else {
            return Authorize::Refuse(format!(
                "The client `{}` is unknown here: use `{BUILTIN_CLIENT}`, or register one at /oauth/register.",
                clients::printable(client_id, 80)
            ));
        };
        let Some(redirect_uri) = params.get("redirect_uri") else {
            return Authorize::Refuse("The request has no redirect_uri.".into());
        };
        if !client.allows_redirect(redirect_uri) {
            return Authorize::Refuse(format!(
                "The redirect URI `{}` is not one of the client's: {}.",
                clients::printable(redirect_uri, 200),
                if client.redirect_uris.is_empty() {
                    "use http://127.0.0.1:<port>/callback".to_string()
                } else {
                    client.redirect_uris.join(", ")
                }
            ));
        }
        // From here on the client is told, at its own redirect URI.
        let state = params.get("state");
        let back = |error: &str, description: &str| {
            let mut pairs = vec![("error", error), ("error_description", description)];
            if let Some(s) = state {
                pairs.push(("state", s));
            }
            pairs.push(("iss", &self.issuer));
            Authorize::Redirect(with_query(redirect_uri, &pairs))
        };
        if params.get("response_type") != Some("code") {
            return back(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
        if !client.allows("authorization_code") {
            return back(
                "unauthorized_client",
                "the client did not register the authorization_code grant",
            );
        }
        let Some(state) = state else {
            return back("invalid_request", "state is required");
        };
        let Some(challenge) = params.get("code_challenge") else {
            return back(
                "invalid_request",
                "PKCE is required: send code_challenge with code_challenge_method=S256",
            );
        };
        if params.get("code_challenge_method") != Some("S256") {
            return back(
                "invalid_request",
                "only code_challenge_method=S256 is supported",
            );
        }
        if !pkce_shaped(challenge) {
            return back(
                "invalid_request",
                "code_challenge must be 43 to 128 unreserved characters",
            );
        }
        let scope = match clients::scopes(params.get("scope")) {
            Ok(s) => s,
            Err(e) => return back("invalid_scope", &e),
        };
        let ticket = Ticket {
            client_id: client_id.to_string(),
            client_name: client.name.clone(),
            redirect_uri: redirect_uri.to_string(),
            scope,
            state: state.to_string(),
            challenge: challenge.to_string(),
            expires: now + TICKET_TTL,
        };
        self.tickets.retain(|_, t| t.expires > now);
        let id = self.random("");
        self.tickets.insert(id.clone(), ticket.clone());
        Authorize::Consent(id, ticket)
    }

    /// The person's answer on the consent page: where to send the
    /// browser (the client's redirect URI with a code, or with
    /// `access_denied`), or why the answer cannot be taken. A ticket is
    /// answered once.
    pub fn decide(&mut self, ticket: &str, approve: bool, now: Instant) -> Result<String, String> {
        let t = self
            .tickets
            .remove(ticket)
            .filter(|t| t.expires > now)
            .ok_or("This request was already answered, or it expired. Start the login again from your terminal.")?;
        let iss = self.issuer.clone();
        if !approve {
            return Ok(with_query(
                &t.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the request was denied"),
                    ("state", &t.state),
                    ("iss", &iss),
                ],
            ));
        }
        self.codes.retain(|_, c| c.expires > now);
        let code = self.random("try_ac_");
        let location = with_query(
            &t.redirect_uri,
            &[("code", &code), ("state", &t.state), ("iss", &iss)],
        );
        self.codes.insert(
            code,
            Code {
                client_id: t.client_id,
                redirect_uri: t.redirect_uri,
                scope: t.scope,
                challenge: t.challenge,
                expires: now + CODE_TTL,
            },
        );
        Ok(location)
    }

    /// The token endpoint: a token response, or an OAuth error.
    pub fn token(&mut self, form: &[u8], now: Instant) -> Result<Value, Refusal> {
        let params = Params::parse(form).map_err(|e| Refusal::new("invalid_request", e))?;
        let grant = params
            .get("grant_type")
            .ok_or_else(|| Refusal::new("invalid_request", "grant_type is required"))?;
        let client_id = params.get("client_id").ok_or_else(|| {
            Refusal::new(
                "invalid_client",
                "client_id is required: this server's clients are public",
            )
        })?;
        let allowed = self
            .clients
            .get(client_id)
            .ok_or_else(|| Refusal::new("invalid_client", "unknown client_id"))?
            .allows(grant);
        type Grant = fn(&mut Provider, &str, &Params, Instant) -> Result<Value, Refusal>;
        let run: Grant = match grant {
            "authorization_code" => Provider::exchange,
            "refresh_token" => Provider::rotate,
            DEVICE_GRANT => Provider::poll_device,
            other => {
                return Err(Refusal::new(
                    "unsupported_grant_type",
                    format!(
                        "grant_type `{}` is not supported",
                        clients::printable(other, 80)
                    ),
                ));
            }
        };
        if !allowed {
            return Err(Refusal::new(
                "unauthorized_client",
                format!("the client did not register the {grant} grant"),
            ));
        }
        run(self, client_id, &params, now)
    }

    /// `grant_type=authorization_code`: the code is gone after this call,
    /// whatever its outcome.
    fn exchange(&mut self, client_id: &str, p: &Params, now: Instant) -> Result<Value, Refusal> {
        let grant = |d: &str| Refusal::new("invalid_grant", d);
        let code = p
            .get("code")
            .ok_or_else(|| Refusal::new("invalid_request", "code is required"))?;
        let c = self
            .codes
            .remove(code)
            .ok_or_else(|| grant("the authorization code is unknown or was already used"))?;
        if c.expires <= now {
            return Err(grant("the authorization code expired"));
        }
        if c.client_id != client_id {
            return Err(grant("the authorization code was issued to another client"));
        }
        if p.get("redirect_uri") != Some(c.redirect_uri.as_str()) {
            return Err(grant(
                "redirect_uri does not match the one of the authorization request",
            ));
        }
        let verifier = p
            .get("code_verifier")
            .ok_or_else(|| Refusal::new("invalid_request", "code_verifier is required (PKCE)"))?;
        if !pkce_shaped(verifier) || s256(verifier) != c.challenge {
            return Err(grant(
                "PKCE verification failed: code_verifier does not match the code_challenge",
            ));
        }
        let grant = self.new_grant();
        Ok(self.issue(client_id, c.scope, grant, now))
    }

    /// `grant_type=refresh_token`: a new access token and a new refresh
    /// token; the old refresh token is refused from now on.
    fn rotate(&mut self, client_id: &str, p: &Params, now: Instant) -> Result<Value, Refusal> {
        let token = p
            .get("refresh_token")
            .ok_or_else(|| Refusal::new("invalid_request", "refresh_token is required"))?;
        let known = self.refresh.get(token).ok_or_else(|| {
            Refusal::new(
                "invalid_grant",
                "the refresh token is unknown, revoked, or already used (refresh tokens rotate)",
            )
        })?;
        if known.client_id != client_id {
            return Err(Refusal::new(
                "invalid_grant",
                "the refresh token was issued to another client",
            ));
        }
        let mut scope = known.scope.clone();
        if let Some(asked) = p.get("scope") {
            let asked =
                clients::scopes(Some(asked)).map_err(|e| Refusal::new("invalid_scope", e))?;
            if let Some(extra) = asked.iter().find(|s| !scope.contains(s)) {
                return Err(Refusal::new(
                    "invalid_scope",
                    format!("`{extra}` was not granted to this refresh token"),
                ));
            }
            scope = asked;
        }
        let grant = known.grant;
        self.refresh.remove(token);
        Ok(self.issue(client_id, scope, grant, now))
    }

    /// A new authorization grant: what one approval gave. Every token
    /// issued under it, through refreshes too, carries its number, so that
    /// revoking a refresh token revokes them all (RFC 7009 §2.1).
    pub(crate) fn new_grant(&mut self) -> u64 {
        self.grants += 1;
        self.grants
    }

    /// A token response for `client_id` under `grant`: an opaque access
    /// token, and a refresh token when `offline_access` was granted to a
    /// client that may refresh.
    pub(crate) fn issue(
        &mut self,
        client_id: &str,
        scope: Vec<String>,
        grant: u64,
        now: Instant,
    ) -> Value {
        self.access.retain(|_, a| a.expires > now);
        let offline = scope.iter().any(|s| s == "offline_access")
            && self
                .clients
                .get(client_id)
                .is_some_and(|c| c.allows("refresh_token"));
        let refresh = offline.then(|| self.random("try_rt_"));
        let access = self.random("try_at_");
        let mut body = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_ttl.as_secs(),
            "scope": scope.join(" "),
        });
        if let Some(r) = &refresh {
            body["refresh_token"] = json!(r);
            self.refresh.insert(
                r.clone(),
                Refresh {
                    client_id: client_id.to_string(),
                    scope,
                    grant,
                },
            );
        }
        self.access.insert(
            access,
            Access {
                client_id: client_id.to_string(),
                expires: now + self.token_ttl,
                grant,
            },
        );
        body
    }
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
