//! Why a request failed, in words a person can act on: found by walking the
//! error's `source()` chain (reqwest's own message, "error sending request",
//! hides it).

use std::error::Error as StdError;
use std::io;

/// The kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cause {
    /// Nothing listens on the port.
    Refused,
    /// No answer in time.
    TimedOut,
    /// The host name does not resolve.
    NameNotResolved,
    /// The server's certificate is not trusted (self-signed, unknown CA).
    Untrusted,
    /// Another TLS failure.
    Tls,
    /// What answered does not speak TLS (an https URL to a plain-http port).
    NotTls,
    /// The server redirected a request that must not follow redirects.
    Redirect,
    /// The response was larger than keyward reads.
    TooLarge,
    /// Anything else.
    Other,
}

/// The cause of `e` and a description of it.
pub fn describe(e: &reqwest::Error) -> (Cause, String) {
    let mut innermost = e.to_string();
    if let Some(c) = find(e, 0, &mut innermost) {
        return c;
    }
    if e.is_timeout() {
        return (Cause::TimedOut, "timed out".into());
    }
    (Cause::Other, innermost)
}

/// Classify `err`, else what it wraps. An `io::Error` built around another
/// error does not list that error as its `source()` (it skips to the
/// wrapped error's own source), so it is unwrapped here with `get_ref`:
/// tokio-rustls puts the `rustls::Error` inside an `io::Error`, which
/// hyper-util wraps in another one.
fn find(
    err: &(dyn StdError + 'static),
    depth: usize,
    innermost: &mut String,
) -> Option<(Cause, String)> {
    if depth > 16 {
        return None;
    }
    *innermost = err.to_string();
    if let Some(c) = classify(err) {
        return Some(c);
    }
    if let Some(io) = err.downcast_ref::<io::Error>()
        && let Some(inner) = io.get_ref()
        && let Some(c) = find(inner, depth + 1, innermost)
    {
        return Some(c);
    }
    find(err.source()?, depth + 1, innermost)
}

fn classify(err: &(dyn StdError + 'static)) -> Option<(Cause, String)> {
    if let Some(t) = err.downcast_ref::<rustls::Error>() {
        return Some(tls(t));
    }
    if let Some(io) = err.downcast_ref::<io::Error>() {
        match io.kind() {
            io::ErrorKind::ConnectionRefused => {
                return Some((Cause::Refused, "connection refused".into()));
            }
            io::ErrorKind::TimedOut => return Some((Cause::TimedOut, "timed out".into())),
            io::ErrorKind::ConnectionReset => {
                return Some((Cause::Other, "the connection was reset".into()));
            }
            _ => {}
        }
    }
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
    {
        return Some((Cause::NameNotResolved, "name not resolved".into()));
    }
    if lower.contains("timed out") || lower.contains("deadline has elapsed") {
        return Some((Cause::TimedOut, "timed out".into()));
    }
    None
}

/// Every message in `e`'s chain of sources, joined with ": " (a message
/// that repeats the one before it is left out), for debugging. A secret
/// query value in the request's URL is redacted.
pub fn chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    collect(e, 0, &mut parts);
    let text = parts.join(": ");
    match e.url() {
        Some(u) => text.replace(u.as_str(), &crate::trace::redact_url(u.as_str())),
        None => text,
    }
}

fn collect(err: &(dyn StdError + 'static), depth: usize, parts: &mut Vec<String>) {
    if depth > 16 {
        return;
    }
    let text = err.to_string();
    if !parts.last().is_some_and(|p| p.contains(&text)) {
        parts.push(text);
    }
    if let Some(io) = err.downcast_ref::<io::Error>()
        && let Some(inner) = io.get_ref()
    {
        return collect(inner, depth + 1, parts);
    }
    if let Some(next) = err.source() {
        collect(next, depth + 1, parts);
    }
}

fn tls(e: &rustls::Error) -> (Cause, String) {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => (
            Cause::Untrusted,
            "certificate not trusted (self-signed or unknown CA: set ca_file)".into(),
        ),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => (
            Cause::Tls,
            "the certificate is not valid for this host name".into(),
        ),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => (
            Cause::Tls,
            "the certificate has expired (or this machine's clock is wrong)".into(),
        ),
        // webpki refuses a CA certificate presented as the server's own
        // (`openssl req -x509` makes those), whatever the trust store says.
        rustls::Error::InvalidCertificate(C::Other(o))
            if format!("{o:?}").contains("CaUsedAsEndEntity") =>
        {
            (
                Cause::Tls,
                "the server presents a CA certificate as its own, which no ca_file makes acceptable: the server needs a certificate issued by a CA".into(),
            )
        }
        rustls::Error::InvalidCertificate(C::Other(o))
            if o.to_string().contains("CA certificates") =>
        {
            (
                Cause::Untrusted,
                format!("certificate not trusted: {o} (set ca_file or SSL_CERT_FILE)"),
            )
        }
        rustls::Error::InvalidMessage(_) => (
            Cause::NotTls,
            "what answered does not speak TLS (a plain-http port?)".into(),
        ),
        other => (Cause::Tls, format!("TLS handshake failed: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_causes() {
        let e = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(tls(&e).0, Cause::Untrusted);
        assert!(tls(&e).1.contains("set ca_file"));
    }

    #[test]
    fn nested_io_errors_are_unwrapped() {
        // hyper-util's io::Error around tokio-rustls's io::Error around the
        // rustls::Error.
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = io::Error::new(io::ErrorKind::InvalidData, tls);
        let outer = io::Error::other(inner);
        let mut innermost = String::new();
        let (kind, text) = find(&outer, 0, &mut innermost).unwrap();
        assert_eq!(kind, Cause::Untrusted);
        assert!(text.starts_with("certificate not trusted"), "{text}");
    }

    #[test]
    fn io_causes() {
        let e = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(&e).unwrap().1, "connection refused");
        let e = io::Error::other("failed to lookup address information: Name or service not known");
        assert_eq!(classify(&e).unwrap().0, Cause::NameNotResolved);
    }
}
