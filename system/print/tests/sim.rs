//! Printing through kiosk-sim's ESC/POS printer on loopback: the same protocol (status before,
//! the job, the barrier, status after) and the same queue rules as with a real printer.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use kiosk_core::ticket::Ticket;
use kiosk_print::{JobOutcome, Paper, PaperLevel, PrintError, PrintQueue, Printer, PrinterUri, Timeouts};
use kiosk_sim::printer::{self, PrinterChange, PrinterConfig, RunningPrinter};
use kiosk_store::{PrintReason, PrintState, Store};

fn booking() -> Ticket {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/booking-lax.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn sim() -> RunningPrinter {
    printer::start(PrinterConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap()
}

fn printer(sim: &RunningPrinter) -> Printer {
    Printer::new(sim.uri.parse::<PrinterUri>().unwrap())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_prints_the_ticket_with_its_accents_and_qr_code() {
    let sim = sim().await;
    let p = printer(&sim);
    let job = blocking(move || p.print(&kiosk_print::escpos::ticket(&booking(), Paper::MM58).unwrap()))
        .await
        .unwrap();
    assert!(job.confirmed && job.status.unwrap().ready());
    let jobs = sim.control.jobs();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].cut && jobs[0].unknown.is_empty(), "{:?}", jobs[0].unknown);
    assert_eq!(jobs[0].qr, vec!["K7M4XR2P".to_owned()]);
    assert!(
        jobs[0].text.contains("Consulado General de México en\nLos Ángeles"),
        "{}",
        jobs[0].text
    );
    assert!(jobs[0].text.contains("¿No puede venir?"), "{}", jobs[0].text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_cover_refuses_the_job_and_nothing_is_sent() {
    let sim = sim().await;
    sim.control.change(PrinterChange {
        cover_open: Some(true),
        ..PrinterChange::default()
    });
    let p = printer(&sim);
    let err = blocking(move || p.print(b"\x1b@hola\n\x1dVA\x00")).await.unwrap_err();
    assert!(matches!(err, PrintError::NotReady(s) if s.cover_open), "{err}");
    assert!(sim.control.jobs().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_near_end_still_prints_and_says_so() {
    let sim = sim().await;
    sim.control.change(PrinterChange {
        paper: Some(printer::Paper::NearEnd),
        ..PrinterChange::default()
    });
    let p = printer(&sim);
    let job = blocking(move || p.print(b"\x1b@hola\n\x1dVA\x00")).await.unwrap();
    let status = job.status.unwrap();
    assert_eq!(status.paper, PaperLevel::NearEnd);
    assert!(status.ready() && status.needs_attention());
    assert_eq!(sim.control.jobs().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_never_answers_is_reported_not_waited_for() {
    // Accepts connections and reads, but says nothing: a printer in a bad state, or not one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut sink = tokio::io::sink();
                let _ = tokio::io::copy(&mut s, &mut sink).await;
            });
        }
    });
    let mut p = Printer::new(format!("tcp://{addr}").parse().unwrap());
    p.timeouts = Timeouts {
        connect: Duration::from_millis(300),
        status: Duration::from_millis(300),
        finish: Duration::from_millis(300),
    };
    let err = blocking(move || p.status()).await.unwrap_err();
    assert!(matches!(err, PrintError::NoAnswer { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_is_off_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = Printer::new(format!("tcp://127.0.0.1:{port}").parse().unwrap());
    let err = blocking(move || p.status()).await.unwrap_err();
    assert!(matches!(err, PrintError::Unreachable { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_abandons_an_unreadable_ticket_and_prints_the_next() {
    let sim = sim().await;
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let (bad, good) = {
        let mut s = store.lock().unwrap();
        let bad = s
            .queue_print("XXXX2345", "{not json", PrintReason::Reprint, Utc::now())
            .unwrap();
        let good = s
            .queue_print(
                "K7M4XR2P",
                &serde_json::to_string(&booking()).unwrap(),
                PrintReason::Confirmation,
                Utc::now(),
            )
            .unwrap();
        (bad, good)
    };
    let queue = PrintQueue::new(store.clone(), printer(&sim), Paper::MM80);
    let round = blocking(move || queue.run()).await.unwrap();
    assert!(
        matches!(&round[..], [JobOutcome::Abandoned { id: a, .. }, JobOutcome::Printed { id: b, .. }] if *a == bad && *b == good),
        "{round:?}"
    );
    let s = store.lock().unwrap();
    assert_eq!(s.print_job(bad).unwrap().unwrap().state, PrintState::Abandoned);
    assert_eq!(s.print_job(good).unwrap().unwrap().state, PrintState::Printed);
    assert_eq!(sim.control.jobs().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_out_stops_the_round_and_keeps_every_ticket_in_order() {
    let sim = sim().await;
    sim.control.change(PrinterChange {
        paper: Some(printer::Paper::Out),
        ..PrinterChange::default()
    });
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    for _ in 0..2 {
        store
            .lock()
            .unwrap()
            .queue_print(
                "K7M4XR2P",
                &serde_json::to_string(&booking()).unwrap(),
                PrintReason::Confirmation,
                Utc::now(),
            )
            .unwrap();
    }
    let queue = PrintQueue::new(store.clone(), printer(&sim), Paper::MM80);
    let q = queue.clone();
    let round = blocking(move || q.run()).await.unwrap();
    assert_eq!(round.len(), 1, "the round stops at the first ticket that cannot print");
    assert_eq!(store.lock().unwrap().queued_prints().unwrap().len(), 2);
    sim.control.change(PrinterChange {
        paper: Some(printer::Paper::Ok),
        ..PrinterChange::default()
    });
    let round = blocking(move || queue.run()).await.unwrap();
    assert!(
        round.iter().all(|o| matches!(o, JobOutcome::Printed { .. })),
        "{round:?}"
    );
    assert_eq!(sim.control.jobs().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_older_than_the_limit_wait_for_staff_instead_of_printing_alone() {
    let sim = sim().await;
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let ticket = serde_json::to_string(&booking()).unwrap();
    let (old, fresh) = {
        let mut s = store.lock().unwrap();
        let old = s
            .queue_print(
                "K7M4XR2P",
                &ticket,
                PrintReason::Confirmation,
                Utc::now() - chrono::Duration::hours(2),
            )
            .unwrap();
        let fresh = s
            .queue_print("K7M4XR2P", &ticket, PrintReason::Confirmation, Utc::now())
            .unwrap();
        (old, fresh)
    };
    let queue = PrintQueue::new(store.clone(), printer(&sim), Paper::MM80).with_max_age(chrono::Duration::minutes(30));
    let round = blocking(move || queue.run()).await.unwrap();
    assert!(
        matches!(&round[..], [JobOutcome::Printed { id, .. }] if *id == fresh),
        "{round:?}"
    );
    let queued = store.lock().unwrap().queued_prints().unwrap();
    assert_eq!(
        queued.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![old],
        "the old one stays queued for staff"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_page_prints_outside_the_queue_with_spanish_accents_and_its_qr() {
    let sim = sim().await;
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let queue = PrintQueue::new(store.clone(), printer(&sim), Paper::MM80);
    let q = queue.clone();
    let printed = blocking(move || q.test_page("LAX-LOBBY-1", "2026-11-28 17:00"))
        .await
        .unwrap();
    assert!(printed.confirmed && printed.status.unwrap().ready());
    let jobs = sim.control.jobs();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].cut && jobs[0].unknown.is_empty(), "{:?}", jobs[0].unknown);
    assert_eq!(jobs[0].qr, vec!["TEST".to_owned()]);
    for words in [
        "PRUEBA DE IMPRESIÓN",
        "LAX-LOBBY-1",
        "áéíóú ÁÉÍÓÚ ñÑ üÜ ¿? ¡! €",
        &"1234567890".repeat(4),
    ] {
        assert!(jobs[0].text.contains(words), "{words:?} in {}", jobs[0].text);
    }
    // Nothing was queued for it, and the status query answers between jobs.
    assert!(store.lock().unwrap().recent_prints(10).unwrap().is_empty());
    let q = queue.clone();
    assert!(blocking(move || q.status()).await.unwrap().unwrap().ready());
}
