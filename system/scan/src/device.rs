//! Which scanner to use, as configuration and `kioskctl` name it:
//! `escl+http://HOST:PORT/eSCL` (a network scanner, or a USB one behind the `ipp-usb` daemon)
//! or `usb` (the first IPP-over-USB scanner on the bus, claimed directly).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::ScanError;
use crate::escl::Scanner;
use crate::transport::Tcp;
use crate::usb;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceUri {
    Escl { host: String, port: u16, path: String },
    Usb,
}

/// A device URI that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad scanner address {0:?}: expected escl+http://HOST:PORT/eSCL or usb")]
pub struct BadDeviceUri(pub String);

impl FromStr for DeviceUri {
    type Err = BadDeviceUri;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDeviceUri(s.to_owned());
        let s = s.trim();
        if s.eq_ignore_ascii_case("usb") {
            return Ok(DeviceUri::Usb);
        }
        let rest = s.strip_prefix("escl+").ok_or_else(bad)?;
        let url = url::Url::parse(rest).map_err(|_| bad())?;
        if url.scheme() != "http" || url.query().is_some() || !url.username().is_empty() {
            return Err(bad());
        }
        let host = match url.host().ok_or_else(bad)? {
            url::Host::Domain(d) => d.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let path = url.path().trim_end_matches('/');
        Ok(DeviceUri::Escl {
            host,
            port: url.port().unwrap_or(80),
            path: if path.is_empty() {
                "/eSCL".to_owned()
            } else {
                path.to_owned()
            },
        })
    }
}

impl fmt::Display for DeviceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceUri::Usb => f.write_str("usb"),
            DeviceUri::Escl { host, port, path } if host.contains(':') => {
                write!(f, "escl+http://[{host}]:{port}{path}")
            }
            DeviceUri::Escl { host, port, path } => write!(f, "escl+http://{host}:{port}{path}"),
        }
    }
}

impl DeviceUri {
    /// A client for the scanner (for `usb`, its interfaces are claimed now).
    pub async fn connect(&self) -> Result<Scanner, ScanError> {
        match self {
            DeviceUri::Escl { host, port, path } => Scanner::new(
                Arc::new(Tcp {
                    host: host.clone(),
                    port: *port,
                }),
                path,
            ),
            DeviceUri::Usb => {
                let found = usb::list().await.map_err(|_| ScanError::NoScanner)?;
                let first = found.first().ok_or(ScanError::NoScanner)?;
                tracing::info!(device = %first.describe(), "using a USB scanner");
                Scanner::new(Arc::new(usb::open(first).await?), "/eSCL")
            }
        }
    }

    /// Whether the scanner is there and free to scan now: `Ok`, or [`ScanError::NoScanner`]
    /// (not connected, not answering), [`ScanError::Busy`] (a job under way) or
    /// [`ScanError::Stopped`] with the state it reports.
    pub async fn readiness(&self) -> Result<(), ScanError> {
        let scanner = self.connect().await?;
        let status = scanner.status().await.map_err(|e| match e {
            ScanError::Unreachable(_) | ScanError::Lost(_) => ScanError::NoScanner,
            other => other,
        })?;
        match status.state.as_str() {
            "Idle" => Ok(()),
            "Processing" | "Testing" => Err(ScanError::Busy),
            other => Err(ScanError::Stopped(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_escl_and_usb_addresses_and_writes_them_back() {
        for (text, uri) in [
            (
                "escl+http://127.0.0.1:8090/eSCL",
                DeviceUri::Escl {
                    host: "127.0.0.1".into(),
                    port: 8090,
                    path: "/eSCL".into(),
                },
            ),
            (
                "escl+http://scanner.local/eSCL/",
                DeviceUri::Escl {
                    host: "scanner.local".into(),
                    port: 80,
                    path: "/eSCL".into(),
                },
            ),
            (
                "escl+http://[::1]:60000/eSCL",
                DeviceUri::Escl {
                    host: "::1".into(),
                    port: 60000,
                    path: "/eSCL".into(),
                },
            ),
            ("USB", DeviceUri::Usb),
        ] {
            let parsed: DeviceUri = text.parse().unwrap();
            assert_eq!(parsed, uri, "{text}");
            assert_eq!(parsed.to_string().parse::<DeviceUri>().unwrap(), uri);
        }
    }

    #[test]
    fn refuses_what_is_not_a_scanner_address() {
        for bad in [
            "http://x/eSCL",
            "escl+https://x/eSCL",
            "escl+http://",
            "usb0",
            "",
            "escl+http://x/eSCL?a=1",
        ] {
            assert!(bad.parse::<DeviceUri>().is_err(), "{bad}");
        }
    }
}
