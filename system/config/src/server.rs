//! `[server]`'s checks: the central server's address (https; plain http only to a simulator on
//! this machine, [`kiosk_core::server`]) and the fleet's CA, the certificates a server must
//! chain to, read from the image's file when the kiosk connects.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::{Config, ConfigError, Problem};

/// Where the image keeps the fleet's CA (citas-system-conf installs it; the image's kiosk.toml
/// names it as `server.ca`).
pub const FLEET_CA: &str = "/etc/citas/fleet-ca.pem";
/// The most of a CA file anything reads (a bundle of a few certificates is a few KiB).
pub const MAX_CA_FILE: u64 = 64 * 1024;

/// `server.url`: an address the kiosk may send a visitor's data to.
pub(crate) fn check_url(u: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(u).map_err(|e| format!("{u:?} is not an address: {e}"))?;
    kiosk_core::server::admitted(url.scheme(), url.host_str().unwrap_or_default(), url.port())
        .map_err(|e| e.to_string())?;
    Ok(url)
}

/// `server.ca`: the path of a PEM file on the kiosk (the image's, read-only).
pub(crate) fn check_ca(p: &str) -> Result<Option<PathBuf>, String> {
    let path = PathBuf::from(p);
    if path.is_absolute() {
        Ok(Some(path))
    } else {
        Err("must be an absolute path (the image's is /etc/citas/fleet-ca.pem)".into())
    }
}

impl Config {
    /// The fleet's CA certificates (PEM) that `server.ca` names, or `None` when it names none
    /// (the server's certificate then chains to the public list). A file that cannot be read,
    /// or is larger than a CA bundle is, is a problem of `server.ca`: the kiosk then does not
    /// connect at all rather than trust more than it was told to.
    pub fn read_server_ca(&self) -> Result<Option<Vec<u8>>, ConfigError> {
        let Some(path) = &self.server_ca else {
            return Ok(None);
        };
        let problem = |problem: String| ConfigError {
            problems: vec![Problem {
                path: path.clone(),
                line: None,
                key: "server.ca".into(),
                problem,
            }],
        };
        let bytes = read_at_most(path, MAX_CA_FILE + 1).map_err(|e| problem(format!("cannot be read: {e}")))?;
        if bytes.len() as u64 > MAX_CA_FILE {
            return Err(problem(format!("larger than {MAX_CA_FILE} bytes: not a CA bundle")));
        }
        if !bytes.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(problem("holds no PEM certificate".into()));
        }
        Ok(Some(bytes))
    }
}

fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}
