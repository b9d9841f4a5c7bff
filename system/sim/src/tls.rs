//! The simulators' HTTPS: a throwaway certificate authority made when a test or the demo starts
//! (a fleet's CA stands in the image; this one lives as long as the process), and the server
//! certificates it signs for loopback names. The kiosk's client is handed the CA's PEM, as a
//! kiosk is handed the fleet's, and trusts nothing else.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not make a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("could not configure TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("could not read a PEM file: {0}")]
    Pem(#[from] rustls::pki_types::pem::Error),
    #[error("the certificate file holds no certificate")]
    NoCertificate,
}

/// A certificate authority of its own, for one run.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA, named `name` (which shows in a refused certificate's error).
    pub fn new(name: &str) -> Result<TestCa, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate()?;
        let pem = params.self_signed(&key)?.pem();
        Ok(TestCa {
            issuer: Issuer::new(params, key),
            pem,
        })
    }

    /// The CA's certificate, PEM: what a client is told to trust.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A server's TLS configuration with a certificate this CA signs for `names` (DNS names or
    /// IP addresses: `localhost`, `127.0.0.1`).
    pub fn server_config(&self, names: &[&str]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())?;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let chain = vec![CertificateDer::from(cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        serving(chain, key)
    }
}

/// A server's TLS configuration from PEM: its certificate chain (the server's first) and its
/// private key, as openssl writes them. The emulated appliance's simulator serves the
/// certificate its card's fleet CA signed when the card was made.
pub fn server_config_from_pem(chain: &[u8], key: &[u8]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    use rustls::pki_types::pem::PemObject as _;
    let chain = CertificateDer::pem_slice_iter(chain).collect::<Result<Vec<_>, _>>()?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    serving(chain, PrivateKeyDer::from_pem_slice(key)?)
}

fn serving(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_ca_signs_a_server_certificate_for_loopback() {
        let ca = TestCa::new("kiosk-sim test CA").unwrap();
        assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
        ca.server_config(&["localhost", "127.0.0.1"]).unwrap();
    }

    #[test]
    fn serves_a_certificate_and_key_read_from_pem() {
        let params = CertificateParams::new(vec!["10.0.2.2".to_owned()]).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        server_config_from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
        assert!(matches!(
            server_config_from_pem(b"", key.serialize_pem().as_bytes()),
            Err(TlsError::NoCertificate)
        ));
        assert!(server_config_from_pem(cert.pem().as_bytes(), b"not a key").is_err());
    }
}
