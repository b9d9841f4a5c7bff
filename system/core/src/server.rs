//! Which central-server addresses the kiosk may talk to: https always, plain http only to a
//! simulator on this machine's own loopback (the demo, the tests), never across a network that
//! is not ours. One rule, read by the configuration's check and by the HTTP client's.

/// Whether `host` (a URL's host as written: a name, an IPv4 address or a bracketed IPv6 one)
/// is this machine's loopback.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// Whether the scheme `scheme` to `host` may carry the kiosk's traffic: `https` to anyone,
/// `http` only to this machine's loopback.
pub fn scheme_admitted(scheme: &str, host: &str) -> Result<(), SchemeRefused> {
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(host) => Ok(()),
        "http" => Err(SchemeRefused::PlainHttp),
        _ => Err(SchemeRefused::NotHttp),
    }
}

/// Why a server address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SchemeRefused {
    #[error(
        "must be https: plain http is only for a simulator on this machine (127.0.0.1, ::1 or localhost), since anyone on the lobby's network could read and change it"
    )]
    PlainHttp,
    #[error("must be an https address")]
    NotHttp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_admitted_to_any_host() {
        assert_eq!(scheme_admitted("https", "citas.example"), Ok(()));
        assert_eq!(scheme_admitted("https", "10.0.2.2"), Ok(()));
    }

    #[test]
    fn plain_http_is_admitted_only_to_this_machines_loopback() {
        for host in ["127.0.0.1", "127.8.9.1", "[::1]", "::1", "localhost", "LOCALHOST"] {
            assert_eq!(scheme_admitted("http", host), Ok(()), "{host}");
        }
        for host in [
            "10.0.2.2",
            "citas.example",
            "localhost.evil.example",
            "[::2]",
            "0.0.0.0",
            "",
        ] {
            assert_eq!(scheme_admitted("http", host), Err(SchemeRefused::PlainHttp), "{host}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        assert_eq!(scheme_admitted("ftp", "127.0.0.1"), Err(SchemeRefused::NotHttp));
        assert_eq!(scheme_admitted("file", ""), Err(SchemeRefused::NotHttp));
    }
}
