//! The kiosk's client, engine and store against the central simulator on loopback.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bytes::Bytes;
use kiosk_core::catalogue::DocumentKind;
use kiosk_sim::faults::FaultConfig;
use kiosk_sync::ConfirmOutcome;
use kiosk_sync::client::ApiError;
use kiosk_tests::{Central, documents, now, passport_booking};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_kiosks_racing_for_three_places_get_three_holds_and_47_slot_taken() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let slot = central.slot("LAX", 3, 5).await;
    let mut kiosks = Vec::new();
    for i in 0..50 {
        kiosks.push(central.kiosk(dir.path(), &format!("k{i}")).await);
    }
    let tasks: Vec<_> = kiosks
        .into_iter()
        .map(|k| {
            let slot = slot.clone();
            tokio::spawn(async move { k.hold(&slot).await })
        })
        .collect();
    let mut held = 0;
    let mut taken = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => held += 1,
            Err(kiosk_sync::EngineError::Api(e)) if e.problem() == Some("slot-taken") => taken += 1,
            Err(e) => panic!("unexpected answer: {e}"),
        }
    }
    assert_eq!((held, taken), (3, 47));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_kiosks_confirming_three_places_get_three_bookings_and_47_slot_taken() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let slot = central.slot("LAX", 3, 5).await;
    let mut kiosks = Vec::new();
    for i in 0..50 {
        let k = central.kiosk(dir.path(), &format!("k{i}")).await;
        let docs = documents(&k).await;
        kiosks.push((k, docs));
    }
    let tasks: Vec<_> = kiosks
        .into_iter()
        .map(|(k, docs)| {
            let request = passport_booking(&slot, &docs);
            tokio::spawn(async move { k.confirm(&request, Duration::from_secs(10)).await.unwrap() })
        })
        .collect();
    let mut outcomes = HashMap::new();
    for t in tasks {
        let o = t.await.unwrap();
        let key = match o {
            ConfirmOutcome::Confirmed(_) => "confirmed",
            ConfirmOutcome::SlotTaken => "taken",
            other => panic!("unexpected outcome {other:?}"),
        };
        *outcomes.entry(key).or_insert(0) += 1;
    }
    assert_eq!(outcomes["confirmed"], 3);
    assert_eq!(outcomes["taken"], 47);
    let on_server: Vec<_> = central
        .bookings()
        .await
        .into_iter()
        .filter(|b| b["slot_id"] == slot.as_str())
        .collect();
    assert_eq!(on_server.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_bookings_through_the_outbox_survive_twenty_percent_of_every_fault() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let kiosk = central.kiosk(dir.path(), "faulty").await;
    let docs = documents(&kiosk).await;
    let mut slots = Vec::new();
    for i in 0..200 {
        slots.push(central.slot("CHI", 1, 3 + i % 60).await);
    }
    central
        .admin(
            Method::PUT,
            "faults",
            Some(json!({"latency_ms": 1, "drop": 0.2, "reset": 0.2, "error": 0.2})),
        )
        .await;
    let mut pending = 0;
    let mut confirmed = 0;
    for chunk in slots.chunks(10) {
        let tasks: Vec<_> = chunk
            .iter()
            .map(|slot| {
                let k = kiosk.clone();
                let request = passport_booking(slot, &docs);
                tokio::spawn(async move { k.confirm(&request, Duration::from_millis(300)).await.unwrap() })
            })
            .collect();
        for t in tasks {
            match t.await.unwrap() {
                ConfirmOutcome::Confirmed(_) => confirmed += 1,
                ConfirmOutcome::Pending { .. } => pending += 1,
                other => panic!("a capacity-1 slot of its own cannot be refused: {other:?}"),
            }
        }
    }
    // The outbox finishes the rest, still under faults.
    for _ in 0..500 {
        kiosk.retry_now().await.unwrap();
        if kiosk.drain().await.unwrap().still_pending == 0 {
            break;
        }
    }
    central.admin(Method::PUT, "faults", Some(json!({}))).await;
    let status = kiosk.status().await.unwrap();
    assert_eq!(
        status.outbox_depth, 0,
        "every booking delivered ({confirmed} at once, {pending} later)"
    );
    let server = central.bookings().await;
    eprintln!(
        "{confirmed} confirmed at once, {pending} later; {} answers replayed by key",
        central.replays().await
    );
    assert_eq!(server.len(), 200, "none lost, none doubled");
    let keys: HashSet<&str> = server.iter().map(|b| b["idempotency_key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 200, "one booking per outbox row");
    let per_slot: HashSet<&str> = server.iter().map(|b| b["slot_id"].as_str().unwrap()).collect();
    assert_eq!(per_slot.len(), 200);
    let local: HashSet<String> = kiosk
        .with_store(|s| s.bookings())
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.code)
        .collect();
    let remote: HashSet<String> = server.iter().map(|b| b["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(local, remote, "the kiosk knows exactly the bookings the server made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_availability_in_full_then_by_delta_and_reloads_on_an_expired_cursor() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let kiosk = central.kiosk(dir.path(), "k").await;
    let first = kiosk.sync_office("LAX", now()).await.unwrap();
    assert!(first.full);
    assert!(first.upserted > 1000, "120 days of slots: {first:?}");
    let again = kiosk.sync_office("LAX", now()).await.unwrap();
    assert_eq!((again.full, again.upserted, again.removed), (false, 0, 0));
    central
        .admin(Method::POST, "churn", Some(json!({"office_id": "LAX", "count": 100})))
        .await;
    let delta = kiosk.sync_office("LAX", now()).await.unwrap();
    assert!(!delta.full);
    assert_eq!(delta.upserted, 100);
    assert!(delta.bytes * 10 < first.bytes, "{delta:?} vs {first:?}");
    // A cursor from another server state: 410, then a full reload.
    kiosk
        .with_store(|s| {
            s.apply_availability(
                &kiosk_store::AvailabilityUpdate {
                    office_id: "LAX".into(),
                    full: false,
                    slots: vec![],
                    removed: vec![],
                    cursor: "deadbeef.1".into(),
                },
                now(),
            )
        })
        .await
        .unwrap();
    let reload = kiosk.sync_office("LAX", now()).await.unwrap();
    assert!(reload.full);
    assert_eq!(reload.upserted, first.upserted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_the_catalogue_once_and_then_only_when_its_etag_changes() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let kiosk = central.kiosk(dir.path(), "k").await;
    assert!(kiosk.sync_catalogue(now()).await.unwrap());
    assert!(!kiosk.sync_catalogue(now()).await.unwrap());
    let (_, body) = kiosk.with_store(|s| s.catalogue()).await.unwrap().unwrap();
    let catalogue: kiosk_sync::api::Catalogue = serde_json::from_str(&body).unwrap();
    assert_eq!(catalogue.offices.len(), 10);
    assert!(
        catalogue
            .offices
            .iter()
            .any(|o| o.id == "PHX" && o.tz == "America/Phoenix")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_gives_its_place_back() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let a = central.kiosk(dir.path(), "a").await;
    let b = central.kiosk(dir.path(), "b").await;
    let slot = central.slot("NYC", 1, 4).await;
    let hold = a.hold(&slot).await.unwrap();
    assert!(b.hold(&slot).await.is_err());
    a.renew_hold(&hold.id).await.unwrap();
    central
        .admin(Method::POST, "clock", Some(json!({"seconds": 301})))
        .await;
    let err = a.renew_hold(&hold.id).await.unwrap_err();
    assert!(
        matches!(&err, kiosk_sync::EngineError::Api(e) if e.problem() == Some("hold-expired")),
        "{err}"
    );
    assert!(b.hold(&slot).await.is_ok(), "the expired hold's place is free again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_hold_frees_its_place_at_once() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let a = central.kiosk(dir.path(), "a").await;
    let b = central.kiosk(dir.path(), "b").await;
    let slot = central.slot("NYC", 1, 4).await;
    let hold = a.hold(&slot).await.unwrap();
    a.release_hold(&hold.id).await.unwrap();
    assert_eq!(a.status().await.unwrap().outbox_depth, 0);
    assert!(b.hold(&slot).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn looks_up_cancels_and_lists_bookings() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    let client = k.client().clone();
    // An account, confirmed through the e-mail the server sent.
    client
        .register(&kiosk_sync::api::Registration {
            email: "ana@example.com".into(),
            password: "Consulado#2026".into(),
            given_names: "Ana".into(),
            first_last_name: "López".into(),
            second_last_name: None,
            phone: None,
            country: Some("US".into()),
            state: None,
            default_office: Some("LAX".into()),
            birth_country: Some("MX".into()),
            nationality: Some("MX".into()),
            procedures_for: Some("self".into()),
            language: Some(kiosk_core::Language::Es),
        })
        .await
        .unwrap();
    let denied = client.sign_in("ana@example.com", "Consulado#2026").await.unwrap_err();
    assert_eq!(denied.problem(), Some("account-not-confirmed"));
    let mail = central.admin(Method::GET, "mailbox?to=ana@example.com", None).await;
    let body = mail["messages"][0]["body"].as_str().unwrap();
    let token = body.rsplit(' ').next().unwrap();
    client.confirm_account(token).await.unwrap();
    let session = client.sign_in("ana@example.com", "Consulado#2026").await.unwrap();
    let wrong = client.sign_in("ana@example.com", "Consulado#2027").await.unwrap_err();
    assert_eq!(wrong.problem(), Some("bad-credentials"));

    let slot = central.slot("LAX", 2, 6).await;
    let docs = documents(&k).await;
    let mut request = passport_booking(&slot, &docs);
    request.account_token = Some(session.token.clone());
    let ConfirmOutcome::Confirmed(booking) = k.confirm(&request, Duration::from_secs(5)).await.unwrap() else {
        panic!()
    };
    let mail = central.admin(Method::GET, "mailbox?to=ana@example.com", None).await;
    assert!(
        mail["messages"][1]["body"].as_str().unwrap().contains(&booking.code),
        "booking confirmation mailed"
    );
    let listed = client.my_bookings(&session.token).await.unwrap();
    assert_eq!(listed.bookings[0].code, booking.code);
    let found = client.booking(&booking.code.to_lowercase()).await.unwrap();
    assert_eq!(found.status, "confirmed");
    assert_eq!(client.cancel(&booking.code).await.unwrap().status, "cancelled");
    assert_eq!(
        client.cancel(&booking.code).await.unwrap().status,
        "cancelled",
        "cancelling twice is harmless"
    );
    assert_eq!(
        client.booking("ZZZZZZZZ").await.unwrap_err().problem(),
        Some("booking-not-found")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llave_mx_sign_in_follows_the_device_authorization_grant() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    let client = k.client().clone();
    let start = client.llave_start().await.unwrap();
    assert!(start.verification_uri_complete.unwrap().contains(&start.user_code));
    let pending = client.llave_poll(&start.device_code).await.unwrap_err();
    assert!(
        matches!(&pending, ApiError::Refused { problem, .. } if problem.error.as_deref() == Some("authorization_pending"))
    );
    let too_fast = client.llave_poll(&start.device_code).await.unwrap_err();
    assert!(matches!(&too_fast, ApiError::Refused { problem, .. } if problem.error.as_deref() == Some("slow_down")));
    central
        .admin(
            Method::POST,
            "llave/approve",
            Some(json!({"user_code": start.user_code, "email": "zoe@example.com"})),
        )
        .await;
    central.admin(Method::POST, "clock", Some(json!({"seconds": 6}))).await;
    let token = client.llave_poll(&start.device_code).await.unwrap();
    assert_eq!(token.email, "zoe@example.com");
    let reused = client.llave_poll(&start.device_code).await.unwrap_err();
    assert!(matches!(&reused, ApiError::Refused { problem, .. } if problem.error.as_deref() == Some("invalid_grant")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_documents_that_are_too_large_not_pdf_or_corrupted_in_transit() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    let client = k.client().clone();
    let mut big = kiosk_tests::PDF.to_vec();
    big.resize(1_000_001, b' ');
    let e = client
        .upload_document(DocumentKind::ProofOfIdentity, Bytes::from(big))
        .await
        .unwrap_err();
    assert_eq!(e.problem(), Some("document-too-large"));
    let mut exact = kiosk_tests::PDF.to_vec();
    exact.resize(1_000_000, b' ');
    assert!(
        client
            .upload_document(DocumentKind::ProofOfIdentity, Bytes::from(exact))
            .await
            .is_ok()
    );
    let e = client
        .upload_document(DocumentKind::ProofOfIdentity, Bytes::from_static(b"GIF89a"))
        .await
        .unwrap_err();
    assert_eq!(e.problem(), Some("not-a-pdf"));
    // The same bytes uploaded twice are the same document.
    let a = client
        .upload_document(DocumentKind::ProofOfIdentity, Bytes::from_static(kiosk_tests::PDF))
        .await
        .unwrap();
    let b = client
        .upload_document(DocumentKind::ProofOfIdentity, Bytes::from_static(kiosk_tests::PDF))
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_the_nearest_offices_and_whose_curp_it_is() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    let client = k.client().clone();
    let near = client.offices_near("US", "92101").await.unwrap();
    assert_eq!(near.offices[0].office_id, "SAN");
    assert_eq!(near.offices[1].office_id, "LAX");
    assert!(near.offices[0].next_available.is_some());
    let ca = client.offices_near("CA", "h3a 1v4").await.unwrap();
    assert_eq!(
        (ca.postal_code.as_str(), ca.offices[0].office_id.as_str()),
        ("H3A1V4", "YUL")
    );
    assert_eq!(
        client.offices_near("US", "ABCDE").await.unwrap_err().problem(),
        Some("invalid-postal-code")
    );
    let person = client.curp("godE561231hdfrrn00").await.unwrap();
    assert_eq!(
        (person.given_names.as_str(), person.birth_state.as_str()),
        ("Enrique", "DF")
    );
    assert_eq!(
        client.curp("GODE561231HDFRRN05").await.unwrap_err().problem(),
        Some("invalid-curp")
    );
    let unknown = format!(
        "GODE561231MDFRRN0{}",
        kiosk_core::curp::check_digit("GODE561231MDFRRN0").unwrap()
    );
    assert_eq!(
        client.curp(&unknown).await.unwrap_err().problem(),
        Some("curp-not-found")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_without_a_device_credential_are_refused() {
    let central = Central::start(FaultConfig::default()).await;
    let client = kiosk_sync::CentralClient::new(central.url(), &kiosk_sync::Transport::simulator()).unwrap();
    let e = client.offices_near("US", "90057").await.unwrap_err();
    assert_eq!(e.problem(), Some("unauthorized"));
    let e = client.enrol("not-a-token", "k1").await.unwrap_err();
    assert_eq!(e.problem(), Some("invalid-enrolment-token"));
    let token = central.enrolment_token().await;
    client.enrol(&token, "k1").await.unwrap();
    assert!(
        client.enrol(&token, "k2").await.is_err(),
        "an enrolment token works once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_wait_in_the_outbox_while_offline_and_only_the_newest_is_kept_with_every_count() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    k.heartbeat(json!({"seq": 1, "outbox_depth": 0})).await.unwrap();
    let got = central.admin(Method::GET, "heartbeats", None).await;
    assert_eq!(got["heartbeats"][0]["body"]["seq"], 1);
    // The server fails every call: heartbeats wait, and a newer one replaces the older in the
    // outbox (an injected 5xx may come after the server stored it, as real failures do).
    central.admin(Method::PUT, "faults", Some(json!({"error": 1.0}))).await;
    // Each says how often a visitor called staff since the last one: those counts add up.
    k.heartbeat(json!({"seq": 2, "staff_calls": 2})).await.unwrap();
    k.heartbeat(json!({"seq": 3, "staff_calls": 1})).await.unwrap();
    let status = k.status().await.unwrap();
    assert_eq!(status.outbox_depth, 1);
    assert!(status.last_error.is_some());
    central.admin(Method::PUT, "faults", Some(json!({}))).await;
    k.retry_now().await.unwrap();
    assert_eq!(k.drain().await.unwrap().delivered, 1);
    let got = central.admin(Method::GET, "heartbeats", None).await;
    assert_eq!(got["heartbeats"][0]["body"]["seq"], 3);
    assert_eq!(
        got["heartbeats"][0]["body"]["staff_calls"], 3,
        "a staff call was lost with the heartbeat it waited in"
    );
    assert_eq!(k.status().await.unwrap().outbox_depth, 0);
    assert!(k.status().await.unwrap().online);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_keeps_the_cache_fresh_and_stops_on_shutdown() {
    let central = Central::start(FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let k = central.kiosk(dir.path(), "k").await;
    let schedule = kiosk_sync::Schedule {
        offices: vec!["PHX".into(), "YUL".into()],
        round: Duration::from_millis(20),
        heartbeat_every_rounds: 1,
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let (task, mut rounds) = k
        .clone()
        .spawn(schedule, || json!({"version": "test"}), shutdown.clone());
    // Wait for rounds as they are published, not for time to pass.
    let bound = Duration::from_secs(30);
    let first = tokio::time::timeout(bound, rounds.wait_for(|r| r.number >= 1))
        .await
        .unwrap()
        .unwrap()
        .clone();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(first.slots_changed > 1000, "two offices loaded in full: {first:?}");
    central
        .admin(Method::POST, "churn", Some(json!({"office_id": "YUL", "count": 7})))
        .await;
    let before = first.slots_changed_total;
    let after = rounds
        .wait_for(|r| r.slots_changed_total >= before + 7)
        .await
        .unwrap()
        .clone();
    let changed = after.slots_changed_total - before;
    assert_eq!(changed, 7, "the churned slots reach the cache by delta");
    let beats = central.admin(Method::GET, "heartbeats", None).await;
    assert!(!beats["heartbeats"].as_array().unwrap().is_empty());
    shutdown.cancel();
    task.await.unwrap();
}
