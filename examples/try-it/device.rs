//! The device authorization grant (RFC 8628): the device authorization
//! endpoint, the person's answer on the verification page, and the token
//! endpoint's polling rules (`authorization_pending`, `slow_down`,
//! `access_denied`, `expired_token`).

use crate::clients::{self, DEVICE_GRANT, Params, Refusal};
use crate::provider::Provider;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long a device code lives.
pub const DEVICE_TTL: Duration = Duration::from_secs(600);
/// The polling interval announced (RFC 8628 §3.2); shorter than the
/// RFC's default of 5 s so a login on this development server is quick.
pub const INTERVAL: Duration = Duration::from_secs(2);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// Polls this much early still count as on time (network jitter).
const JITTER: Duration = Duration::from_millis(250);
/// The letters of a user code: no vowels (no words), no look-alikes.
const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
/// The path of the verification page.
pub const VERIFICATION_PATH: &str = "/device";

/// Where a device login stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Nobody answered yet.
    Pending,
    /// The person approved it.
    Approved,
    /// The person denied it.
    Denied,
}

/// One device login, keyed by its device code.
#[derive(Debug)]
pub struct Device {
    client_id: String,
    /// `XXXX-XXXX`.
    pub user_code: String,
    scope: Vec<String>,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    answer: Answer,
}

/// What the verification page shows for a user code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The code, normalised (`XXXX-XXXX`).
    pub user_code: String,
    /// The client's name.
    pub client_name: String,
    /// The scopes it asks for.
    pub scope: Vec<String>,
}

/// A user code as typed (any case, with or without the dash or spaces),
/// normalised to `XXXX-XXXX`; `None` when it cannot be one.
pub fn normalise(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 8 && letters.bytes().all(|b| ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

impl Provider {
    /// The device authorization endpoint (RFC 8628 §3.1–3.2).
    pub fn device_authorization(&mut self, form: &[u8], now: Instant) -> Result<Value, Refusal> {
        let p = Params::parse(form).map_err(|e| Refusal::new("invalid_request", e))?;
        let client_id = p
            .get("client_id")
            .ok_or_else(|| Refusal::new("invalid_client", "client_id is required"))?;
        let client = self
            .clients
            .get(client_id)
            .ok_or_else(|| Refusal::new("invalid_client", "unknown client_id"))?;
        if !client.allows(DEVICE_GRANT) {
            return Err(Refusal::new(
                "unauthorized_client",
                "the client did not register the device_code grant",
            ));
        }
        let scope =
            clients::scopes(p.get("scope")).map_err(|e| Refusal::new("invalid_scope", e))?;
        self.devices.retain(|_, d| d.expires > now);
        let user_code = loop {
            let letters: String = (0..8)
                .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
                .collect();
            let code = format!("{}-{}", &letters[..4], &letters[4..]);
            if !self.devices.values().any(|d| d.user_code == code) {
                break code;
            }
        };
        let device_code = self.random("try_dc_");
        self.devices.insert(
            device_code.clone(),
            Device {
                client_id: client_id.to_string(),
                user_code: user_code.clone(),
                scope,
                expires: now + DEVICE_TTL,
                interval: INTERVAL,
                last_poll: None,
                answer: Answer::Pending,
            },
        );
        let verification_uri = format!("{}{VERIFICATION_PATH}", self.issuer);
        Ok(json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "verification_uri": verification_uri,
            "expires_in": DEVICE_TTL.as_secs(),
            "interval": INTERVAL.as_secs(),
        }))
    }

    /// The device login waiting for an answer under `typed`, for the
    /// verification page; or what to tell the person.
    pub fn device_pending(&self, typed: &str, now: Instant) -> Result<Pending, String> {
        let code = normalise(typed)
            .ok_or("That is not a code from this server: it has 8 letters, like BCDF-GHJK.")?;
        let d = self
            .devices
            .values()
            .find(|d| d.user_code == code && d.expires > now && d.answer == Answer::Pending)
            .ok_or("No login is waiting for this code: it expired or was already answered. Start the login again from your terminal.")?;
        let client_name = self
            .clients
            .get(&d.client_id)
            .map_or_else(|| d.client_id.clone(), |c| c.name.clone());
        Ok(Pending {
            user_code: code,
            client_name,
            scope: d.scope.clone(),
        })
    }

    /// The person's answer on the verification page.
    pub fn device_decide(
        &mut self,
        typed: &str,
        approve: bool,
        now: Instant,
    ) -> Result<(), String> {
        self.device_pending(typed, now)?;
        let code = normalise(typed).unwrap_or_default();
        if let Some(d) = self.devices.values_mut().find(|d| d.user_code == code) {
            d.answer = if approve {
                Answer::Approved
            } else {
                Answer::Denied
            };
        }
        Ok(())
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628
    /// §3.4–3.5). An answered or expired device code is gone afterwards.
    pub(crate) fn poll_device(
        &mut self,
        client_id: &str,
        p: &Params,
        now: Instant,
    ) -> Result<Value, Refusal> {
        let code = p
            .get("device_code")
            .ok_or_else(|| Refusal::new("invalid_request", "device_code is required"))?;
        let d = self.devices.get_mut(code).ok_or_else(|| {
            Refusal::new(
                "invalid_grant",
                "the device code is unknown or was already used",
            )
        })?;
        if d.client_id != client_id {
            return Err(Refusal::new(
                "invalid_grant",
                "the device code was issued to another client",
            ));
        }
        if d.expires <= now {
            self.devices.remove(code);
            return Err(Refusal::new(
                "expired_token",
                "the device code expired: start a new login",
            ));
        }
        let early = d
            .last_poll
            .is_some_and(|last| now.duration_since(last) + JITTER < d.interval);
        d.last_poll = Some(now);
        if early {
            d.interval += SLOW_DOWN;
            return Err(Refusal::new(
                "slow_down",
                format!("poll at most every {} s", d.interval.as_secs()),
            ));
        }
        match d.answer {
            Answer::Pending => Err(Refusal::new(
                "authorization_pending",
                "the code was not entered and approved yet",
            )),
            Answer::Denied => {
                self.devices.remove(code);
                Err(Refusal::new("access_denied", "the login was denied"))
            }
            Answer::Approved => {
                let scope = self
                    .devices
                    .remove(code)
                    .map(|d| d.scope)
                    .unwrap_or_default();
                let grant = self.new_grant();
                Ok(self.issue(client_id, scope, grant, now))
            }
        }
    }
}
