//! Sign in with Llave MX: the OAuth 2.0 device authorization grant (RFC 8628). The kiosk shows
//! a QR code of the verification address; the visitor signs in and approves on their phone
//! while the kiosk polls the token endpoint at the interval the server asks for (the screen,
//! its QR code and its countdown are the app's).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::{DeviceAuthorization, LlaveToken};
use crate::client::{ApiError, CentralClient};

/// How a Llave MX sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Approved(LlaveToken),
    Denied,
    Expired,
    /// The visitor left the screen or the visit ended.
    Cancelled,
    /// The server could not be reached, or answered something the grant does not allow.
    Failed,
}

/// RFC 8628 §3.5: `slow_down` adds five seconds to the interval.
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// Polls until the visitor answers on their phone, the code expires or `cancel` fires.
pub async fn wait(client: CentralClient, auth: DeviceAuthorization, cancel: CancellationToken) -> Outcome {
    let mut interval = auth.poll_interval();
    let deadline = tokio::time::Instant::now() + auth.lifetime();
    loop {
        // The interval is the protocol's: polling faster is refused with slow_down.
        tokio::select! {
            () = cancel.cancelled() => return Outcome::Cancelled,
            () = tokio::time::sleep(interval) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Outcome::Expired;
        }
        match client.llave_poll(&auth.device_code).await {
            Ok(token) => return Outcome::Approved(token),
            Err(ApiError::Refused { problem, .. }) => match problem.error.as_deref() {
                Some("authorization_pending") => {}
                Some("slow_down") => interval = (interval + SLOW_DOWN).min(crate::api::MAX_POLL_INTERVAL),
                Some("access_denied") => return Outcome::Denied,
                Some("expired_token") => return Outcome::Expired,
                other => {
                    tracing::warn!(error = ?other, "Llave MX token endpoint refused");
                    return Outcome::Failed;
                }
            },
            // A lost answer is asked again at the next interval, until the code expires.
            Err(e) if e.is_retryable() => tracing::info!(error = %e, "Llave MX poll failed; polling on"),
            Err(e) => {
                tracing::warn!(error = %e, "Llave MX poll");
                return Outcome::Failed;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{DeviceAuthorization, MAX_CODE_LIFETIME, MAX_POLL_INTERVAL};

    fn auth(expires_in: u64, interval: u64) -> DeviceAuthorization {
        DeviceAuthorization {
            device_code: "D".into(),
            user_code: "U".into(),
            verification_uri: "https://llave.example/".into(),
            verification_uri_complete: None,
            expires_in,
            interval,
        }
    }

    #[test]
    fn a_servers_huge_lifetime_or_interval_is_bounded_and_a_zero_interval_is_one_second() {
        let huge = auth(u64::MAX, u64::MAX);
        assert_eq!(huge.lifetime(), MAX_CODE_LIFETIME);
        assert_eq!(huge.poll_interval(), MAX_POLL_INTERVAL);
        // The deadlines made from them do not overflow.
        let _ = std::time::Instant::now() + huge.lifetime() + huge.poll_interval();
        let usual = auth(290, 0);
        assert_eq!(usual.lifetime(), std::time::Duration::from_secs(290));
        assert_eq!(usual.poll_interval(), std::time::Duration::from_secs(1));
    }
}
