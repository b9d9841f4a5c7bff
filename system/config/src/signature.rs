//! Detached Ed25519 signatures of the files a technician brings to a kiosk: the provisioning
//! file on the boot partition (`citas-kiosk.toml.sig` beside it) and an image's block map.
//!
//! Keys are PKCS#8 PEM, the files `openssl genpkey -algorithm ed25519` and `openssl pkey
//! -pubout` write; a signature is the raw 64 bytes, as `openssl pkeyutl -sign -rawin` writes
//! it, so the fleet's keys can be made and used with openssl alone. Verification is strict
//! (RFC 8032 with no malleable or small-order forms).

use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

/// The name a detached signature has beside the file it signs.
pub const SIGNATURE_SUFFIX: &str = ".sig";

/// The length of a signature.
pub const SIGNATURE_LEN: usize = ed25519_dalek::SIGNATURE_LENGTH;

/// Why a key or a signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} is not an Ed25519 public key in PEM (openssl pkey -pubout writes one)")]
    PublicKey(String),
    #[error("{0} is not an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519 writes one)")]
    PrivateKey(String),
    #[error("the signature is {0} bytes, not {SIGNATURE_LEN}")]
    Length(usize),
    #[error("the signature does not match: the file was changed, or signed with another key")]
    Mismatch,
}

/// A key file's text.
fn read_pem(path: &Path) -> Result<String, SignatureError> {
    std::fs::read_to_string(path).map_err(|source| SignatureError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// A key that checks signatures: the fleet's public key.
#[derive(Debug, Clone)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads a public key from its PEM file.
    pub fn read(path: &Path) -> Result<PublicKey, SignatureError> {
        VerifyingKey::from_public_key_pem(&read_pem(path)?)
            .map(PublicKey)
            .map_err(|_| SignatureError::PublicKey(path.display().to_string()))
    }

    /// Checks `signature` (the raw 64 bytes) over all of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        let bytes: &[u8; SIGNATURE_LEN] = signature
            .try_into()
            .map_err(|_| SignatureError::Length(signature.len()))?;
        let signature = ed25519_dalek::Signature::from_bytes(bytes);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// A key that signs: the fleet's private key, on a technician's or the release machine.
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(…)")
    }
}

impl PrivateKey {
    /// Reads a private key from its PKCS#8 PEM file.
    pub fn read(path: &Path) -> Result<PrivateKey, SignatureError> {
        SigningKey::from_pkcs8_pem(&read_pem(path)?)
            .map(PrivateKey)
            .map_err(|_| SignatureError::PrivateKey(path.display().to_string()))
    }

    /// The raw signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }

    /// The public key that checks this key's signatures.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032's test 1 key, as openssl writes it.
    const PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
        -----END PRIVATE KEY-----\n";

    fn key(dir: &Path) -> PrivateKey {
        let path = dir.join("k.pem");
        std::fs::write(&path, PRIVATE).expect("write");
        PrivateKey::read(&path).expect("the key")
    }

    #[test]
    fn a_signature_checks_only_the_bytes_it_signed() {
        let dir = tempfile::tempdir().expect("tmp");
        let k = key(dir.path());
        let sig = k.sign(b"kiosk_id = \"LAX-1\"\n");
        k.public().verify(b"kiosk_id = \"LAX-1\"\n", &sig).expect("verifies");
        assert!(matches!(
            k.public().verify(b"kiosk_id = \"LAX-2\"\n", &sig),
            Err(SignatureError::Mismatch)
        ));
        assert!(matches!(
            k.public().verify(b"x", &sig[..63]),
            Err(SignatureError::Length(63))
        ));
    }

    #[test]
    fn refuses_a_file_that_is_no_key() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("pub.pem");
        std::fs::write(&path, PRIVATE).expect("write");
        assert!(matches!(PublicKey::read(&path), Err(SignatureError::PublicKey(_))));
        std::fs::write(&path, "not a key").expect("write");
        assert!(matches!(PrivateKey::read(&path), Err(SignatureError::PrivateKey(_))));
    }
}
