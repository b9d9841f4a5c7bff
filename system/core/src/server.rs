//! Which central-server addresses the kiosk may talk to: https on its own port (443, the one
//! the image's firewall lets out), plain http and other ports only to a simulator on this
//! machine's own loopback (the demo, the tests), never across a network that is not ours. One
//! rule, read by the configuration's check and by the HTTP client's.

/// The one port the kiosk's firewall lets its https out on.
pub const HTTPS_PORT: u16 = 443;

/// Whether `host` (a URL's host as written: a name, an IPv4 address or a bracketed IPv6 one)
/// is this machine's loopback.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// Whether `scheme` to `host` on `port` (`None`: the scheme's own) may carry the kiosk's
/// traffic: `https` on 443 to anyone; `http`, or another port, only to this machine's loopback.
pub fn admitted(scheme: &str, host: &str, port: Option<u16>) -> Result<(), Refused> {
    let here = is_loopback_host(host);
    match scheme {
        "https" if here || port.is_none_or(|p| p == HTTPS_PORT) => Ok(()),
        "https" => Err(Refused::Port),
        "http" if here => Ok(()),
        "http" => Err(Refused::PlainHttp),
        _ => Err(Refused::NotHttp),
    }
}

/// Why a server address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(
        "must be https: plain http is only for a simulator on this machine (127.0.0.1, ::1 or localhost), since anyone on the lobby's network could read and change it"
    )]
    PlainHttp,
    #[error("must be on port 443, the only one the kiosk's firewall lets https out on")]
    Port,
    #[error("must be an https address")]
    NotHttp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_on_443_is_admitted_to_any_host() {
        assert_eq!(admitted("https", "citas.example", None), Ok(()));
        assert_eq!(admitted("https", "10.0.2.2", Some(443)), Ok(()));
    }

    #[test]
    fn another_port_is_admitted_only_on_this_machine() {
        assert_eq!(admitted("https", "citas.example", Some(8443)), Err(Refused::Port));
        assert_eq!(admitted("https", "127.0.0.1", Some(8443)), Ok(()));
    }

    #[test]
    fn plain_http_is_admitted_only_to_this_machines_loopback() {
        for host in ["127.0.0.1", "127.8.9.1", "[::1]", "::1", "localhost", "LOCALHOST"] {
            assert_eq!(admitted("http", host, Some(8080)), Ok(()), "{host}");
        }
        for host in [
            "10.0.2.2",
            "citas.example",
            "localhost.evil.example",
            "[::2]",
            "0.0.0.0",
            "",
        ] {
            assert_eq!(admitted("http", host, None), Err(Refused::PlainHttp), "{host}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        assert_eq!(admitted("ftp", "127.0.0.1", None), Err(Refused::NotHttp));
        assert_eq!(admitted("file", "", None), Err(Refused::NotHttp));
    }
}
