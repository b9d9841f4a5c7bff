//! The client against a network that is not ours: the central simulator over HTTPS with a CA
//! of its own, and bare loopback servers that answer what an attacker's relay would (a redirect
//! to another host, an endless answer).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kiosk_sim::central::{self, CentralConfig};
use kiosk_sim::tls::TestCa;
use kiosk_sync::{ApiError, CentralClient, Transport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn https_central(ca: &TestCa, dir: &tempfile::TempDir) -> central::RunningCentral {
    let mut config = CentralConfig::new(
        "127.0.0.1:0".parse().expect("an address"),
        dir.path().join("central.db"),
    );
    config.enrolment_tokens = vec!["ENROL-1".into()];
    config.tls = Some(ca.server_config(&["127.0.0.1", "localhost"]).expect("a certificate"));
    central::start(config).await.expect("the simulator starts")
}

fn trusting(ca: &TestCa) -> Transport {
    Transport::https(Some(ca.pem().as_bytes().to_vec()))
}

#[tokio::test]
async fn talks_https_to_a_server_whose_certificate_the_fleet_ca_signed() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = TestCa::new("fleet CA").unwrap();
    let sim = https_central(&fleet, &dir).await;
    assert!(sim.url.starts_with("https://"), "{}", sim.url);
    let client = CentralClient::new(&sim.url, &trusting(&fleet)).unwrap();
    client.enrol("ENROL-1", "LAX-LOBBY-1").await.unwrap();
}

#[tokio::test]
async fn refuses_a_server_whose_certificate_another_ca_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, other) = (
        TestCa::new("fleet CA").unwrap(),
        TestCa::new("someone else's CA").unwrap(),
    );
    let sim = https_central(&other, &dir).await;
    let client = CentralClient::new(&sim.url, &trusting(&fleet)).unwrap();
    let e = client.enrol("ENROL-1", "LAX-LOBBY-1").await.unwrap_err();
    assert!(matches!(e, ApiError::Transport(_)), "{e}");
    // Nothing reached the server: the token is still unspent for a client that trusts its CA.
    let right = CentralClient::new(&sim.url, &trusting(&other)).unwrap();
    right.enrol("ENROL-1", "LAX-LOBBY-1").await.unwrap();
}

#[test]
fn refuses_plain_http_unless_the_peer_is_a_simulator() {
    let e = CentralClient::new("http://citas.example/api/", &Transport::https(None)).unwrap_err();
    assert!(matches!(e, ApiError::Url(ref m) if m.contains("plain http")), "{e}");
    CentralClient::new("http://127.0.0.1:9/", &Transport::simulator()).unwrap();
    // Even a simulator's transport speaks plain http to this machine's loopback only.
    let e = CentralClient::new("http://10.0.2.2:8080/", &Transport::simulator()).unwrap_err();
    assert!(matches!(e, ApiError::Url(ref m) if m.contains("must be https")), "{e}");
    let configured = |u: &str| Transport::for_configured(&url::Url::parse(u).unwrap(), None);
    let e = CentralClient::new("http://citas.example/api/", &configured("http://citas.example/api/")).unwrap_err();
    assert!(matches!(e, ApiError::Url(ref m) if m.contains("must be https")), "{e}");
}

#[test]
fn refuses_a_ca_file_that_holds_no_certificate() {
    let t = Transport::https(Some(b"not a certificate".to_vec()));
    assert!(CentralClient::new("https://citas.example/", &t).is_err());
}

/// A server on loopback that answers every request with `answer` and counts its connections.
async fn canned(answer: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/", listener.local_addr().expect("its address"));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_redirect_to_another_host_carries_neither_the_session_nor_the_password() {
    let (elsewhere, reached) = canned(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec()).await;
    for status in ["302 Found", "307 Temporary Redirect", "308 Permanent Redirect"] {
        let redirect = format!("HTTP/1.1 {status}\r\nlocation: {elsewhere}v1/sessions\r\ncontent-length: 0\r\n\r\n");
        let (relay, _) = canned(redirect.into_bytes()).await;
        let client = CentralClient::new(&relay, &Transport::simulator()).unwrap();
        let e = client.my_bookings("VISITOR-SESSION").await.unwrap_err();
        assert!(matches!(e, ApiError::Redirected { .. }), "{status}: {e}");
        let e = client.sign_in("ana@example.com", "consulado2026").await.unwrap_err();
        assert!(matches!(e, ApiError::Redirected { .. }), "{status}: {e}");
        assert!(e.is_retryable(), "a redirect loses no booking: the outbox tries again");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "the client followed a redirect");
}

#[tokio::test]
async fn an_oversize_answer_is_cut() {
    let limit = 1024;
    let transport = Transport {
        max_answer_bytes: limit,
        ..Transport::simulator()
    };
    // Announced too long, and sent without a length, longer than the limit.
    let announced = b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n\r\n{".to_vec();
    let mut endless = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..64 {
        endless.extend_from_slice(b"40\r\n");
        endless.extend_from_slice(&[b' '; 0x40]);
        endless.extend_from_slice(b"\r\n");
    }
    endless.extend_from_slice(b"0\r\n\r\n");
    for answer in [announced, endless] {
        let (url, _) = canned(answer).await;
        let client = CentralClient::new(&url, &transport).unwrap();
        let e = client.catalogue(None).await.unwrap_err();
        assert!(matches!(e, ApiError::TooLarge { limit: l } if l == limit), "{e}");
    }
}

/// A value the server sent (here a CURP) never reaches the error a log line is made of: not
/// from an answer of the wrong shape, nor from an error answer that is not a problem document.
#[tokio::test]
async fn an_answer_that_is_not_what_it_should_be_is_named_without_its_values() {
    let curp = "GODE561231HDFRRN09";
    for answer in [
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n\"{curp}\""),
        format!("HTTP/1.1 500 Oops\r\ncontent-type: text/html\r\ncontent-length: 25\r\n\r\n<p>{curp}</p>\n\n\n"),
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 19\r\n\r\n{{\"{curp}"),
    ] {
        let (url, _) = canned(answer.into_bytes()).await;
        let client = CentralClient::new(&url, &Transport::simulator()).unwrap();
        let e = client.catalogue(None).await.unwrap_err();
        let said = format!("{e} {e:?}");
        assert!(!said.contains(curp), "the server's value is in the error: {said}");
        assert!(matches!(e, ApiError::Decode(_) | ApiError::Server { .. }), "{said}");
    }
}
