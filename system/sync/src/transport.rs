//! What the kiosk's HTTP client trusts, and how much it takes from a network that is not ours:
//! https only (plain http only where the caller says its peer is a simulator, and then only to
//! this machine's loopback),
//! a server certificate that chains to the fleet's own CA when one is given (and then to no
//! public one), no redirect followed (one would carry the visitor's session, or a password in a
//! 307's body, to wherever it points), a bounded wait in every phase and a bounded answer.

use std::time::Duration;

use crate::client::ApiError;

/// The largest answer the kiosk reads: a whole office's availability is far under it.
pub const MAX_ANSWER_BYTES: usize = 8 << 20;

/// Timeouts for every call.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To open the connection (TCP and TLS).
    pub connect: Duration,
    /// The whole call, from sending to the last byte of the answer.
    pub request: Duration,
    /// Between two reads of the answer: a server that stalls mid-answer is dropped.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
            read: Duration::from_secs(10),
        }
    }
}

/// Whom the client talks to and how.
#[derive(Debug, Clone)]
pub struct Transport {
    pub timeouts: Timeouts,
    /// The fleet's CA certificates (PEM): when given, the only ones a server's certificate may
    /// chain to.
    pub ca_pem: Option<Vec<u8>>,
    /// Plain http allowed: only for a simulator on this machine (the demo, tests).
    pub plain_http: bool,
    /// Answers longer than this are cut and refused.
    pub max_answer_bytes: usize,
}

impl Transport {
    /// The kiosk's own: https, trusting `ca_pem` (the fleet's CA) when given.
    pub fn https(ca_pem: Option<Vec<u8>>) -> Transport {
        Transport {
            timeouts: Timeouts::default(),
            ca_pem,
            plain_http: false,
            max_answer_bytes: MAX_ANSWER_BYTES,
        }
    }

    /// Also plain http: for a simulator on this machine's loopback (the demo, tests).
    pub fn simulator() -> Transport {
        Transport {
            plain_http: true,
            ..Transport::https(None)
        }
    }

    /// What kiosk.toml's `[server]` asks for: https trusting `ca_pem` (the fleet's CA, `None`:
    /// the public list), or plain http to a simulator on this machine's loopback, which
    /// [`Transport::admits`] refuses for any other host.
    pub fn for_configured(url: &url::Url, ca_pem: Option<Vec<u8>>) -> Transport {
        if url.scheme() == "http" {
            tracing::warn!(server = %url, "plain http to a central simulator on this machine");
            return Transport::simulator();
        }
        if ca_pem.is_none() {
            tracing::warn!(server = %url, "no fleet CA configured (server.ca): the server's certificate may chain to any public CA");
        }
        Transport::https(ca_pem)
    }

    #[must_use]
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Transport {
        self.timeouts = timeouts;
        self
    }

    /// The HTTP client this policy makes.
    pub(crate) fn client(&self) -> Result<reqwest::Client, ApiError> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.request)
            .read_timeout(self.timeouts.read)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!self.plain_http)
            .user_agent(concat!("citas-kiosk/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &self.ca_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| ApiError::Url(format!("the fleet's CA certificate cannot be read: {e}")))?;
            if roots.is_empty() {
                return Err(ApiError::Url("the fleet's CA file holds no certificate".into()));
            }
            b = b.tls_built_in_root_certs(false);
            for r in roots {
                b = b.add_root_certificate(r);
            }
        }
        b.build().map_err(|e| ApiError::Url(e.to_string()))
    }

    /// Whether `base` may be talked to at all: https, or plain http when this transport allows
    /// it and only to this machine's loopback ([`kiosk_core::server`]).
    pub(crate) fn admits(&self, base: &url::Url) -> Result<(), ApiError> {
        if base.scheme() == "http" && !self.plain_http {
            return Err(ApiError::Url(format!(
                "{base}: plain http is refused; the central server is reached over https only"
            )));
        }
        kiosk_core::server::admitted(base.scheme(), base.host_str().unwrap_or_default(), base.port())
            .map_err(|e| ApiError::Url(format!("{base}: {e}")))
    }
}
