//! The device credential goes only to the server that issued it: a kiosk whose configuration
//! now names another server (a stranger's relay) sends it nothing, unless it was provisioned
//! with a token for that server, where it enrols anew.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kiosk_sim::central::{self, CentralConfig};
use kiosk_store::{DeviceCredential, Store};
use kiosk_sync::{CentralClient, EngineError, SharedStore, Transport, ensure_enrolled};
use tokio::net::TcpListener;

async fn central(dir: &tempfile::TempDir, name: &str, token: &str) -> central::RunningCentral {
    let mut config = CentralConfig::new(
        "127.0.0.1:0".parse().expect("an address"),
        dir.path().join(format!("{name}.db")),
    );
    config.enrolment_tokens = vec![token.into()];
    central::start(config).await.expect("the simulator starts")
}

fn client(url: &str) -> CentralClient {
    CentralClient::new(url, &Transport::simulator()).expect("a client")
}

/// A relay that counts who connects to it (and answers nothing).
async fn relay() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, seen)
}

fn store() -> SharedStore {
    Arc::new(Mutex::new(Store::open_in_memory().expect("a store")))
}

#[tokio::test]
async fn a_credential_is_never_sent_to_a_server_that_did_not_issue_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let real = central(&dir, "real", "ENROL-REAL").await;
    let store = store();
    ensure_enrolled(client(&real.url), &store, Some("ENROL-REAL"), "LAX-LOBBY-1")
        .await
        .expect("enrols at the real server");
    let origin = url::Url::parse(&real.url).expect("url").origin().ascii_serialization();
    assert_eq!(
        store.lock().expect("lock").device_credential_origin().expect("read"),
        Some(origin.clone())
    );
    // Back at the real server: the same credential, no new enrolment needed.
    ensure_enrolled(client(&real.url), &store, None, "LAX-LOBBY-1")
        .await
        .expect("the real server again");

    let (relay_url, seen) = relay().await;
    let refused = ensure_enrolled(client(&relay_url), &store, None, "LAX-LOBBY-1").await;
    match refused {
        Err(EngineError::CredentialElsewhere { issued_by, .. }) => assert_eq!(issued_by, origin),
        other => panic!("the credential went to the relay: {:?}", other.map(|_| ())),
    }
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the kiosk connected to the relay");
}

#[tokio::test]
async fn a_token_for_a_new_server_enrols_there_and_binds_the_new_credential_to_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let old = central(&dir, "old", "ENROL-OLD").await;
    let new = central(&dir, "new", "ENROL-NEW").await;
    let store = store();
    ensure_enrolled(client(&old.url), &store, Some("ENROL-OLD"), "LAX-LOBBY-1")
        .await
        .expect("enrols at the old server");
    let before = store.lock().expect("lock").device_credential().expect("read");
    ensure_enrolled(client(&new.url), &store, Some("ENROL-NEW"), "LAX-LOBBY-1")
        .await
        .expect("enrols at the new server");
    let after = store.lock().expect("lock").device_credential().expect("read");
    assert_ne!(before, after, "the old server's credential was kept");
    let origin = url::Url::parse(&new.url).expect("url").origin().ascii_serialization();
    assert_eq!(
        store.lock().expect("lock").device_credential_origin().expect("read"),
        Some(origin)
    );
    // And the old server no longer gets it.
    assert!(matches!(
        ensure_enrolled(client(&old.url), &store, None, "LAX-LOBBY-1").await,
        Err(EngineError::CredentialElsewhere { .. })
    ));
}

#[tokio::test]
async fn a_credential_from_before_origins_were_kept_is_bound_to_the_first_server_it_meets() {
    let dir = tempfile::tempdir().expect("tmp");
    let real = central(&dir, "real", "ENROL-REAL").await;
    let store = store();
    store
        .lock()
        .expect("lock")
        .set_device_credential(&DeviceCredential {
            device_id: "dev-old".into(),
            credential: "from-an-older-release".into(),
        })
        .expect("store");
    ensure_enrolled(client(&real.url), &store, None, "LAX-LOBBY-1")
        .await
        .expect("used with the configured server");
    let (relay_url, seen) = relay().await;
    assert!(matches!(
        ensure_enrolled(client(&relay_url), &store, None, "LAX-LOBBY-1").await,
        Err(EngineError::CredentialElsewhere { .. })
    ));
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}
