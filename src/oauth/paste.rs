//! Reading an authorization code that the user pasted into the terminal.
//!
//! When the loopback redirect cannot reach the CLI (an SSH session, a
//! browser on another machine), the browser ends on an error page at
//! `http://127.0.0.1:8765/callback?code=…&state=…`. The user copies that
//! address, or just the code, and pastes it. [`parse_pasted`] accepts:
//!
//! * the whole redirect URL (any scheme, host, port and path; with or
//!   without `iss`), e.g. `http://127.0.0.1:8765/callback?code=abc&state=xyz`;
//! * the address without its scheme, e.g. `127.0.0.1:8765/callback?code=…`
//!   (anything with a `?` is read as `<something>?<query>`);
//! * just the query, with or without its `?`: `?code=abc&state=xyz`,
//!   `code=abc&state=xyz` (it must start with `code=`, `state=`, `error=` or
//!   `iss=`);
//! * a bare code: `abc`.
//!
//! Anything with a query must carry the expected `state`, since it could be
//! a stale or planted response. A bare code cannot be checked that way: it is
//! accepted when it is non-empty, has no whitespace and is made of visible
//! ASCII characters (RFC 6749 §A.11). PKCE still binds it to this login.

use super::params::Params;
use std::fmt;

/// Longest `error` / `error_description` kept, in chars.
const MAX_ERROR_CHARS: usize = 300;

/// Why a pasted text gave no code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    /// Nothing but whitespace was pasted.
    #[error("nothing was pasted")]
    Empty,
    /// A bare code contained whitespace or characters that cannot be in a
    /// code.
    #[error("that does not look like an authorization code or a redirect URL")]
    InvalidCode,
    /// The text looked like a URL (it has `://`) but could not be parsed.
    #[error("the pasted URL is not valid: {0}")]
    InvalidUrl(String),
    /// The query's `state` was missing or not the one of this login.
    #[error("state mismatch: the pasted response was not for this login")]
    StateMismatch,
    /// The query's `iss` was missing or not the expected issuer (see
    /// [`parse_pasted_with_issuer`]).
    #[error("issuer mismatch: the pasted response came from an unexpected server")]
    IssuerMismatch,
    /// The query carried an `error` (e.g. the user denied access).
    ///
    /// Control characters are removed from both strings and they are cut to
    /// 300 characters, so they are safe to print.
    #[error("authorization failed: {}", DeniedText(.error, .description.as_deref()))]
    Denied {
        /// The `error` code, e.g. `access_denied`.
        error: String,
        /// The `error_description`, when there was one.
        description: Option<String>,
    },
    /// The query had the right state but no (or an empty) `code`.
    #[error("the pasted URL has no authorization code")]
    NoCode,
    /// A parameter that must appear once appeared more than once.
    #[error("the pasted URL repeats the `{0}` parameter")]
    RepeatedParameter(String),
}

struct DeniedText<'a>(&'a str, Option<&'a str>);

impl fmt::Display for DeniedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(d) if !d.is_empty() => write!(f, "{}: {d}", self.0),
            _ => f.write_str(self.0),
        }
    }
}

/// Extracts the authorization code from pasted text, checking `state` when
/// the text is a URL or query string. See the [module docs](self) for the
/// accepted forms.
///
/// Any `iss` parameter is accepted but not checked; use
/// [`parse_pasted_with_issuer`] when the server identifies itself (RFC 9207).
///
/// # Errors
///
/// A [`PasteError`] saying what is wrong with the text; the CLI can print
/// it and ask again.
pub fn parse_pasted(input: &str, expected_state: &str) -> Result<String, PasteError> {
    parse_pasted_with_issuer(input, expected_state, None)
}

/// Like [`parse_pasted`], and when `expected_issuer` is `Some` a URL or
/// query must also carry `iss` equal to it ([`PasteError::IssuerMismatch`]
/// otherwise). A bare code carries no `iss` and is accepted as is.
pub fn parse_pasted_with_issuer(
    input: &str,
    expected_state: &str,
    expected_issuer: Option<&str>,
) -> Result<String, PasteError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(PasteError::Empty);
    }

    let query = if input.contains("://") {
        let url = url::Url::parse(input).map_err(|e| PasteError::InvalidUrl(e.to_string()))?;
        url.query().unwrap_or("").to_owned()
    } else if let Some((_, rest)) = input.split_once('?') {
        rest.split_once('#').map_or(rest, |(q, _)| q).to_owned()
    } else if ["code=", "state=", "error=", "iss="]
        .iter()
        .any(|p| input.starts_with(p))
    {
        input.to_owned()
    } else {
        return bare_code(input);
    };

    from_query(&query, expected_state, expected_issuer)
}

fn bare_code(input: &str) -> Result<String, PasteError> {
    // RFC 6749 §A.11: code = 1*VSCHAR, VSCHAR = %x20-7E; a space cannot be
    // told apart from a pasting accident, so it is refused too.
    if input.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(input.to_owned())
    } else {
        Err(PasteError::InvalidCode)
    }
}

fn from_query(
    query: &str,
    expected_state: &str,
    expected_issuer: Option<&str>,
) -> Result<String, PasteError> {
    let p = Params::parse(query.trim()).map_err(PasteError::RepeatedParameter)?;

    if p.state.as_deref() != Some(expected_state) {
        return Err(PasteError::StateMismatch);
    }
    if let Some(issuer) = expected_issuer
        && p.iss.as_deref() != Some(issuer)
    {
        return Err(PasteError::IssuerMismatch);
    }
    if let Some(error) = p.error {
        return Err(PasteError::Denied {
            error: crate::text::printable(&error, MAX_ERROR_CHARS),
            description: p
                .error_description
                .as_deref()
                .map(|d| crate::text::printable(d, MAX_ERROR_CHARS))
                .filter(|d| !d.is_empty()),
        });
    }
    match p.code {
        Some(code) if !code.is_empty() => Ok(code),
        _ => Err(PasteError::NoCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ST: &str = "Xyz-_state123";

    #[test]
    fn bare_code() {
        assert_eq!(parse_pasted("abc123", ST).unwrap(), "abc123");
        assert_eq!(
            parse_pasted("  abc.DEF-_~/+=  \n", ST).unwrap(),
            "abc.DEF-_~/+="
        );
        assert_eq!(
            parse_pasted("4/0AbCdEf-gh_IJ", ST).unwrap(),
            "4/0AbCdEf-gh_IJ"
        );
    }

    #[test]
    fn bare_code_rejects_whitespace_and_controls() {
        assert_eq!(parse_pasted("abc def", ST), Err(PasteError::InvalidCode));
        assert_eq!(parse_pasted("abc\tdef", ST), Err(PasteError::InvalidCode));
        assert_eq!(parse_pasted("abc\ndef", ST), Err(PasteError::InvalidCode));
        assert_eq!(parse_pasted("ab\u{1b}c", ST), Err(PasteError::InvalidCode));
        assert_eq!(parse_pasted("cödé", ST), Err(PasteError::InvalidCode));
    }

    #[test]
    fn empty() {
        assert_eq!(parse_pasted("", ST), Err(PasteError::Empty));
        assert_eq!(parse_pasted(" \t\r\n ", ST), Err(PasteError::Empty));
    }

    #[test]
    fn full_url() {
        let url = format!("http://127.0.0.1:8765/callback?code=the%2Fcode&state={ST}");
        assert_eq!(parse_pasted(&url, ST).unwrap(), "the/code");
        let url = format!("  http://127.0.0.1:8765/callback?state={ST}&code=c2  \n");
        assert_eq!(parse_pasted(&url, ST).unwrap(), "c2");
    }

    #[test]
    fn full_url_with_iss() {
        let url = format!(
            "http://127.0.0.1:8765/callback?code=c&state={ST}&iss=https%3A%2F%2Fauth.example.com"
        );
        assert_eq!(parse_pasted(&url, ST).unwrap(), "c");
        assert_eq!(
            parse_pasted_with_issuer(&url, ST, Some("https://auth.example.com")).unwrap(),
            "c"
        );
        assert_eq!(
            parse_pasted_with_issuer(&url, ST, Some("https://other.example")),
            Err(PasteError::IssuerMismatch)
        );
        let no_iss = format!("http://127.0.0.1:8765/callback?code=c&state={ST}");
        assert_eq!(
            parse_pasted_with_issuer(&no_iss, ST, Some("https://auth.example.com")),
            Err(PasteError::IssuerMismatch)
        );
        // A bare code has no iss to check.
        assert_eq!(
            parse_pasted_with_issuer("c", ST, Some("https://auth.example.com")).unwrap(),
            "c"
        );
    }

    #[test]
    fn url_with_fragment_and_other_params() {
        let url = format!("https://localhost/cb?scope=a+b&code=c&state={ST}&authuser=0#frag");
        assert_eq!(parse_pasted(&url, ST).unwrap(), "c");
    }

    #[test]
    fn url_without_scheme() {
        let url = format!("127.0.0.1:8765/callback?code=c&state={ST}");
        assert_eq!(parse_pasted(&url, ST).unwrap(), "c");
        let url = format!("localhost:8765/callback?code=c&state={ST}#x");
        assert_eq!(parse_pasted(&url, ST).unwrap(), "c");
    }

    #[test]
    fn state_mismatch() {
        let url = "http://127.0.0.1:8765/callback?code=c&state=other";
        assert_eq!(parse_pasted(url, ST), Err(PasteError::StateMismatch));
        let url = "http://127.0.0.1:8765/callback?code=c";
        assert_eq!(parse_pasted(url, ST), Err(PasteError::StateMismatch));
        assert_eq!(
            parse_pasted("?code=c&state=", ST),
            Err(PasteError::StateMismatch)
        );
        // State mismatch is reported before a possible error.
        let url = "http://127.0.0.1:8765/callback?error=access_denied&state=old";
        assert_eq!(parse_pasted(url, ST), Err(PasteError::StateMismatch));
    }

    #[test]
    fn denied() {
        let url = format!(
            "http://127.0.0.1:8765/callback?error=access_denied&error_description=The+user+denied+the+request&state={ST}"
        );
        let err = parse_pasted(&url, ST).unwrap_err();
        assert_eq!(
            err,
            PasteError::Denied {
                error: "access_denied".into(),
                description: Some("The user denied the request".into()),
            }
        );
        assert_eq!(
            err.to_string(),
            "authorization failed: access_denied: The user denied the request"
        );

        let url = format!("http://127.0.0.1:8765/callback?error=server_error&state={ST}");
        let err = parse_pasted(&url, ST).unwrap_err();
        assert_eq!(err.to_string(), "authorization failed: server_error");
    }

    #[test]
    fn denied_text_is_sanitized() {
        let q = format!("?error=x%1B%5B2J&error_description=a%0D%0Ab&state={ST}");
        assert_eq!(
            parse_pasted(&q, ST),
            Err(PasteError::Denied {
                error: "x [2J".into(),
                description: Some("a  b".into()),
            })
        );
    }

    #[test]
    fn no_code() {
        let url = format!("http://127.0.0.1:8765/callback?state={ST}");
        assert_eq!(parse_pasted(&url, ST), Err(PasteError::NoCode));
        let url = format!("http://127.0.0.1:8765/callback?code=&state={ST}");
        assert_eq!(parse_pasted(&url, ST), Err(PasteError::NoCode));
        let url = format!("http://127.0.0.1:8765/callback?state={ST}#code=c");
        assert_eq!(parse_pasted(&url, ST), Err(PasteError::NoCode));
    }

    #[test]
    fn query_strings() {
        assert_eq!(
            parse_pasted(&format!("?code=q1&state={ST}"), ST).unwrap(),
            "q1"
        );
        assert_eq!(
            parse_pasted(&format!("code=q2&state={ST}"), ST).unwrap(),
            "q2"
        );
        assert_eq!(
            parse_pasted(&format!("state={ST}&code=q3"), ST).unwrap(),
            "q3"
        );
        assert_eq!(
            parse_pasted(&format!("code=q4&state={ST}&iss=https%3A%2F%2Fi"), ST).unwrap(),
            "q4"
        );
        assert_eq!(parse_pasted("code=q5", ST), Err(PasteError::StateMismatch));
        assert_eq!(
            parse_pasted(&format!("error=access_denied&state={ST}"), ST),
            Err(PasteError::Denied {
                error: "access_denied".into(),
                description: None
            })
        );
    }

    #[test]
    fn repeated_parameters() {
        assert_eq!(
            parse_pasted(&format!("?code=a&code=b&state={ST}"), ST),
            Err(PasteError::RepeatedParameter("code".into()))
        );
        assert_eq!(
            parse_pasted(&format!("?code=a&state={ST}&state={ST}"), ST),
            Err(PasteError::RepeatedParameter("state".into()))
        );
    }

    #[test]
    fn invalid_url() {
        assert!(matches!(
            parse_pasted("http://[::1/callback?code=c", ST),
            Err(PasteError::InvalidUrl(_))
        ));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            PasteError::StateMismatch.to_string(),
            "state mismatch: the pasted response was not for this login"
        );
        assert_eq!(
            PasteError::NoCode.to_string(),
            "the pasted URL has no authorization code"
        );
    }
}
