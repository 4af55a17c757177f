//! PKCE (Proof Key for Code Exchange, [RFC 7636]) and the OAuth `state` value.
//!
//! A login makes one [`Pkce`] with [`Pkce::try_new`], sends
//! [`Pkce::challenge`] and [`Pkce::method`] in the authorization URL
//! (`code_challenge`, `code_challenge_method`), and later sends
//! [`Pkce::verifier`] as `code_verifier` when it exchanges the authorization
//! code for tokens. [`try_random_state`] makes the unguessable `state`
//! parameter that ties the redirect back to this login.
//!
//! Randomness comes from `rand`'s [`StdRng`], seeded from the operating
//! system's generator through the fallible API: a failing OS generator is an
//! [`RngError`], never a panic.
//!
//! [RFC 7636]: https://www.rfc-editor.org/rfc/rfc7636

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::rngs::{StdRng, SysRng};
use rand::{Rng as _, SeedableRng as _, TryRng};
use sha2::{Digest as _, Sha256};

/// Length, in characters, of the verifiers made by [`Pkce::try_new`].
///
/// RFC 7636 allows 43 to 128; 64 characters from a 66-symbol alphabet carry
/// about 386 bits of entropy.
pub const VERIFIER_LEN: usize = 64;

/// The "unreserved" characters of RFC 3986 that RFC 7636 §4.1 allows in a
/// code verifier: `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
const UNRESERVED: &[u8; 66] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// Largest multiple of the alphabet size that fits in a byte (3 × 66 = 198).
/// Random bytes at or above it are thrown away so that every character is
/// equally likely (rejection sampling, no modulo bias).
const ACCEPT_BELOW: u8 = (256 / UNRESERVED.len() * UNRESERVED.len()) as u8;

/// The operating system's random number generator failed.
///
/// This practically never happens on a supported platform; when it does,
/// no login can be attempted safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RngError(String);

/// A generator seeded from `source` (the OS generator in production).
fn seeded<R: TryRng + ?Sized>(source: &mut R) -> Result<StdRng, RngError>
where
    R::Error: fmt::Display,
{
    StdRng::try_from_rng(source).map_err(|e| RngError(e.to_string()))
}

/// A PKCE verifier and its `S256` challenge.
///
/// `Debug` output never shows the verifier, so a `Pkce` may be logged
/// with `{:?}` safely.
#[derive(Clone)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    /// Makes a fresh verifier of [`VERIFIER_LEN`] random unreserved
    /// characters and its challenge; a failing OS generator is an error.
    pub fn try_new() -> Result<Self, RngError> {
        Self::from_source(&mut SysRng)
    }

    /// Like [`Pkce::try_new`], seeding from `source`.
    pub fn from_source<R: TryRng + ?Sized>(source: &mut R) -> Result<Self, RngError>
    where
        R::Error: fmt::Display,
    {
        let mut rng = seeded(source)?;
        let mut verifier = String::with_capacity(VERIFIER_LEN);
        let mut buf = [0u8; VERIFIER_LEN];
        while verifier.len() < VERIFIER_LEN {
            rng.fill_bytes(&mut buf);
            for &b in &buf {
                if b < ACCEPT_BELOW
                    && verifier.len() < VERIFIER_LEN
                    && let Some(&c) = UNRESERVED.get(usize::from(b) % UNRESERVED.len())
                {
                    verifier.push(char::from(c));
                }
            }
        }
        let challenge = challenge_for(&verifier);
        Ok(Self {
            verifier,
            challenge,
        })
    }

    /// The secret `code_verifier`, sent only in the token request.
    #[must_use]
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The `code_challenge` for the authorization URL:
    /// `BASE64URL-NOPAD(SHA256(verifier))`.
    #[must_use]
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The `code_challenge_method`: always `"S256"`.
    #[must_use]
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .field("method", &self.method())
            .finish()
    }
}

/// The `S256` challenge for a verifier: `BASE64URL-NOPAD(SHA256(verifier))`
/// (RFC 7636 §4.2).
///
/// For example, the verifier of RFC 7636 appendix B,
/// `dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`, gives
/// `E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM`.
#[must_use]
pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state` value: 32 random bytes, base64url without padding
/// (43 characters); a failing OS generator is an error.
pub fn try_random_state() -> Result<String, RngError> {
    state_from_source(&mut SysRng)
}

/// Like [`try_random_state`], seeding from `source`.
pub fn state_from_source<R: TryRng + ?Sized>(source: &mut R) -> Result<String, RngError>
where
    R::Error: fmt::Display,
{
    let mut bytes = [0u8; 32];
    seeded(source)?.fill_bytes(&mut bytes);
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn is_unreserved(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn rfc7636_appendix_b_octets() {
        // The appendix derives the verifier from these 32 octets and lists
        // the SHA-256 octets of the challenge.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let hash: [u8; 32] = [
            19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8, 118, 168, 120,
            173, 109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195,
        ];
        assert_eq!(Sha256::digest(verifier.as_bytes()).as_slice(), hash);
        assert_eq!(challenge_for(&verifier), URL_SAFE_NO_PAD.encode(hash));
    }

    #[test]
    fn alphabet_is_the_unreserved_set() {
        assert_eq!(UNRESERVED.len(), 66);
        let set: HashSet<u8> = UNRESERVED.iter().copied().collect();
        assert_eq!(set.len(), 66, "no duplicates");
        assert!(UNRESERVED.iter().all(|&b| is_unreserved(char::from(b))));
        assert_eq!(ACCEPT_BELOW, 198);
    }

    #[test]
    fn verifier_has_right_length_and_charset() {
        for _ in 0..50 {
            let p = Pkce::try_new().unwrap();
            assert_eq!(p.verifier().len(), VERIFIER_LEN);
            assert!(p.verifier().chars().all(is_unreserved), "{}", p.verifier());
        }
    }

    #[test]
    fn challenge_matches_verifier() {
        let p = Pkce::try_new().unwrap();
        assert_eq!(p.challenge(), challenge_for(p.verifier()));
        assert_eq!(p.challenge().len(), 43);
        assert!(
            p.challenge()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(p.method(), "S256");
    }

    #[test]
    fn verifiers_are_unique() {
        let set: HashSet<String> = (0..200)
            .map(|_| Pkce::try_new().unwrap().verifier().to_owned())
            .collect();
        assert_eq!(set.len(), 200);
    }

    #[test]
    fn verifier_uses_whole_alphabet() {
        // 200 × 64 = 12 800 draws from 66 symbols: every symbol appears
        // with overwhelming probability, and none is wildly over-represented.
        let mut counts = [0usize; 128];
        for _ in 0..200 {
            for b in Pkce::try_new().unwrap().verifier().bytes() {
                counts[usize::from(b)] += 1;
            }
        }
        for &b in UNRESERVED {
            let n = counts[usize::from(b)];
            assert!(
                (80..=330).contains(&n),
                "{} appeared {n} times",
                char::from(b)
            );
        }
    }

    #[test]
    fn debug_redacts_verifier() {
        let p = Pkce::try_new().unwrap();
        let dbg = format!("{p:?}");
        assert!(!dbg.contains(p.verifier()), "{dbg}");
        assert!(dbg.contains("<redacted>"));
        assert!(dbg.contains(p.challenge()));
        let dbg_alt = format!("{p:#?}");
        assert!(!dbg_alt.contains(p.verifier()));
    }

    #[test]
    fn fresh_values_differ() {
        assert_ne!(
            Pkce::try_new().unwrap().verifier(),
            Pkce::try_new().unwrap().verifier()
        );
    }

    /// A generator that always fails, as a broken `getrandom` would.
    struct Broken;

    impl TryRng for Broken {
        type Error = std::io::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(std::io::Error::other("entropy source unavailable"))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(std::io::Error::other("entropy source unavailable"))
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Err(std::io::Error::other("entropy source unavailable"))
        }
    }

    #[test]
    fn a_failing_generator_is_an_error_not_a_panic() {
        let e = Pkce::from_source(&mut Broken).unwrap_err();
        assert!(e.to_string().contains("entropy source unavailable"), "{e}");
        assert!(state_from_source(&mut Broken).is_err());
    }

    #[test]
    fn state_is_32_bytes_base64url() {
        let s = try_random_state().unwrap();
        assert_eq!(s.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(&s).unwrap().len(), 32);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(try_random_state().unwrap(), try_random_state().unwrap());
        assert_eq!(try_random_state().unwrap().len(), 43);
    }
}
