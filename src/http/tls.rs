//! Which servers to trust: the operating system's store plus an API URL's
//! `ca_file`, merged (never replacing). `SSL_CERT_FILE` / `SSL_CERT_DIR`
//! follow OpenSSL's meaning on every OS: when set, they replace the system
//! store.
//!
//! The rustls configuration is built with an explicit crypto provider: the
//! process's installed default if there is one, else `ring`. The library
//! never installs a process-wide provider.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Extra certificate authorities to trust.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// PEM files, each with one or more CA certificates (`ca_file`).
    pub ca_files: Vec<PathBuf>,
}

/// The TLS configuration cannot be built.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A `ca_file` cannot be read or holds no certificate.
    #[error("cannot use the CA file {}: {why}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up HTTPS: {0}")]
    Build(String),
}

/// The crypto provider: the process default when one is installed, else ring.
pub fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// Read the CA certificates of a PEM file.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bad = |why: String| TlsError::CaFile {
        path: path.to_path_buf(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not a PEM certificate file ({e})")))?;
    if certs.is_empty() {
        return Err(bad("it holds no PEM certificate".into()));
    }
    Ok(certs)
}

/// The rustls client configuration for `trust`.
pub fn client_config(trust: &Trust) -> Result<rustls::ClientConfig, TlsError> {
    let provider = provider();
    let mut extra = Vec::new();
    for f in &trust.ca_files {
        extra.extend(read_ca_file(f)?);
    }
    let verifier: Arc<dyn ServerCertVerifier> = if openssl_env_set() {
        // OpenSSL's meaning: these replace the system store.
        let loaded = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(loaded.certs);
        webpki(roots, extra, &provider)?
    } else {
        match rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra.clone(),
            provider.clone(),
        ) {
            Ok(v) => Arc::new(v),
            // No system store (a bare container): the CA files alone, or a
            // verifier that says what is missing.
            Err(_) => webpki(RootCertStore::empty(), extra, &provider)?,
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Build(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

fn openssl_env_set() -> bool {
    ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

fn webpki(
    mut roots: RootCertStore,
    extra: Vec<CertificateDer<'static>>,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, TlsError> {
    for c in extra {
        roots
            .add(c)
            .map_err(|e| TlsError::Build(format!("a CA certificate is not usable: {e}")))?;
    }
    if roots.is_empty() {
        return Ok(Arc::new(NoRoots(provider.clone())));
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| TlsError::Build(e.to_string()))
}

/// A verifier for a machine without any CA certificate: every server is
/// refused, with the reason.
#[derive(Debug)]
struct NoRoots(Arc<CryptoProvider>);

impl ServerCertVerifier for NoRoots {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::Other(rustls::OtherError(Arc::new(NoCa))),
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[derive(Debug)]
struct NoCa;

impl std::fmt::Display for NoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no trusted CA certificates were found on this system")
    }
}

impl std::error::Error for NoCa {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ca_file_names_the_file() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("nope.pem");
        let e = read_ca_file(&missing).unwrap_err().to_string();
        assert!(e.contains("nope.pem"), "{e}");
        let junk = d.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let e = read_ca_file(&junk).unwrap_err().to_string();
        assert!(
            e.contains("junk.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
    }

    #[test]
    fn builds_without_an_installed_provider() {
        // No process-wide provider is installed in unit tests: this must
        // not panic.
        client_config(&Trust::default()).unwrap();
    }
}
