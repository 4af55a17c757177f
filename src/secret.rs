//! [`Secret`]: a string that cannot be printed by accident.
//!
//! It has no `Display`, its `Debug` prints `Secret(***)`, and its memory is
//! zeroised when dropped. Call [`Secret::expose`] where the raw value is
//! really needed (an `Authorization` header, `auth token`'s output).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::Zeroize;

/// A secret string (access token, refresh token, PKCE verifier).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value. Every call site is a place where the secret leaves
    /// our hands: keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A form safe to show: the first four characters and asterisks
    /// (`kwd_********`), or only asterisks for short values.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n < 12 {
            return "*".repeat(8);
        }
        let head: String = self.0.chars().take(4).collect();
        format!("{head}{}", "*".repeat((n - 4).min(32)))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("kwd_supersecretvalue");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(&s)).contains("supersecret"));
    }

    #[test]
    fn masked_keeps_only_a_prefix() {
        assert_eq!(
            Secret::new("kwd_0123456789abcdef").masked(),
            "kwd_****************"
        );
        assert_eq!(Secret::new("short").masked(), "********");
    }

    #[test]
    fn serde_round_trip() {
        let s = Secret::new("abc");
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, "\"abc\"");
        let back: Secret = serde_json::from_str(&j).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
