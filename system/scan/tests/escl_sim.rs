//! The eSCL client against the scanner simulator on loopback: a whole feeder, the glass, the
//! faults a visitor meets (busy, jam, cable pulled mid-page, no scanner, cancel), no job left
//! behind on the scanner after any of them; and the same exchanges over in-memory streams
//! standing in for the bulk endpoints of IPP-over-USB interfaces.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;

use kiosk_scan::escl::{ScanOptions, Scanner, SourceChoice};
use kiosk_scan::transport::{InterfacePool, Io, Tcp};
use kiosk_scan::{Budget, ScanError, build};
use kiosk_sim::scanner::{self, RunningScanner, ScannerConfig, ScannerFaults};
use tokio_util::sync::CancellationToken;

async fn sim(feeder_pages: u32, faults: ScannerFaults) -> RunningScanner {
    let mut config = ScannerConfig::new("127.0.0.1:0".parse().unwrap());
    config.feeder_pages = feeder_pages;
    config.faults = faults;
    scanner::start(config).await.unwrap()
}

fn client(sim: &RunningScanner) -> Scanner {
    let tcp = Tcp {
        host: "127.0.0.1".into(),
        port: sim.addr.port(),
    };
    Scanner::new(Arc::new(tcp), "/eSCL").unwrap()
}

fn low_res() -> ScanOptions {
    // 150 dpi keeps the tests quick; the resolution itself is tested below.
    ScanOptions {
        dpi: 150,
        ..ScanOptions::default()
    }
}

#[tokio::test]
async fn scans_every_page_in_the_feeder_and_leaves_no_job_behind() {
    let sim = sim(3, ScannerFaults::default()).await;
    let mut seen = Vec::new();
    let pages = client(&sim)
        .scan(low_res(), &CancellationToken::new(), |n| seen.push(n))
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(seen, vec![1, 2, 3]);
    assert!(pages.iter().all(|p| p.data.starts_with(&[0xFF, 0xD8]) && p.dpi == 150));
    let view = sim.control.view();
    assert_eq!((view.jobs, view.feeder_pages, view.pages_served), (0, 0, 3));
    let pdf = build(&pages, Budget::CITAS).unwrap();
    assert!(pdf.bytes.len() <= 1_000_000 && pdf.pages == 3);
}

#[tokio::test]
async fn a_page_added_to_a_document_follows_its_earlier_pages_in_one_pdf_with_a_thumbnail_each() {
    let sim = sim(2, ScannerFaults::default()).await;
    let scanner = client(&sim);
    let request = |earlier| kiosk_scan::DocumentScan {
        options: low_res(),
        earlier,
        budget: Budget::CITAS,
        thumbnail_side: 120,
    };
    let first = kiosk_scan::scan_document(&scanner, request(Vec::new()), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((first.pages.len(), first.pdf.pages, first.thumbnails.len()), (2, 2, 2));
    let earlier = first.pages.clone();
    let more = kiosk_scan::scan_document(&scanner, request(earlier), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(more.pages.len(), 3, "the glass's page after the feeder's two");
    assert_eq!(
        more.pages[..2],
        first.pages[..],
        "the earlier pages come first, untouched"
    );
    assert_eq!((more.pdf.pages, more.thumbnails.len()), (3, 3));
    assert!(more.pdf.bytes.len() <= 1_000_000);
    assert!(more.thumbnails.iter().all(|t| t.width.max(t.height) <= 120));
}

#[tokio::test]
async fn scans_one_page_from_the_glass_when_the_feeder_is_empty() {
    let sim = sim(0, ScannerFaults::default()).await;
    let options = ScanOptions {
        color: true,
        dpi: 200,
        ..ScanOptions::default()
    };
    let pages = client(&sim)
        .scan(options, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].dpi, 200);
    assert_eq!(sim.control.view().jobs, 0);
}

#[tokio::test]
async fn asking_for_the_empty_feeder_says_so() {
    let sim = sim(0, ScannerFaults::default()).await;
    let options = ScanOptions {
        source: SourceChoice::Feeder,
        ..low_res()
    };
    let e = client(&sim)
        .scan(options, &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::FeederEmpty);
    assert_eq!(sim.control.view().jobs_created, 0);
}

#[tokio::test]
async fn a_busy_scanner_is_reported_as_busy_without_starting_a_job() {
    let sim = sim(
        2,
        ScannerFaults {
            busy: true,
            ..ScannerFaults::default()
        },
    )
    .await;
    let e = client(&sim)
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::Busy);
    assert_eq!(sim.control.view().jobs_created, 0);
}

#[tokio::test]
async fn a_paper_jam_is_reported_and_the_job_deleted() {
    let sim = sim(
        3,
        ScannerFaults {
            jam: 1,
            ..ScannerFaults::default()
        },
    )
    .await;
    let scanner = client(&sim);
    let e = scanner
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::Jammed);
    let view = sim.control.view();
    assert_eq!(view.jobs, 0);
    assert!(
        !view.jammed,
        "deleting the jammed job stands for clearing the paper path"
    );
    // The visitor takes the sheets out and scans again: the jam is gone.
    let pages = scanner
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(pages.len(), 2, "the two sheets left in the feeder");
}

#[tokio::test]
async fn a_cable_pulled_mid_page_is_reported_as_disconnected() {
    let sim = sim(
        2,
        ScannerFaults {
            unplug: 1,
            ..ScannerFaults::default()
        },
    )
    .await;
    let e = client(&sim)
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::Disconnected);
    assert_eq!(sim.control.view().jobs, 0);
}

#[tokio::test]
async fn no_scanner_listening_is_reported_as_no_scanner() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let scanner = Scanner::new(
        Arc::new(Tcp {
            host: "127.0.0.1".into(),
            port,
        }),
        "/eSCL",
    )
    .unwrap();
    let e = scanner
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::NoScanner);
}

#[tokio::test]
async fn cancelling_mid_job_stops_it_and_deletes_it() {
    let sim = sim(5, ScannerFaults::default()).await;
    let cancel = CancellationToken::new();
    let on_page = {
        let cancel = cancel.clone();
        move |n: usize| {
            if n == 1 {
                cancel.cancel();
            }
        }
    };
    let e = client(&sim).scan(low_res(), &cancel, on_page).await.unwrap_err();
    assert_eq!(e, ScanError::Cancelled);
    let view = sim.control.view();
    assert_eq!(view.jobs, 0);
    assert!(view.pages_served < 5, "{view:?}");
}

#[tokio::test]
async fn asks_for_the_nearest_resolution_the_scanner_offers() {
    let sim = sim(1, ScannerFaults::default()).await;
    let options = ScanOptions {
        dpi: 250,
        ..ScanOptions::default()
    };
    let pages = client(&sim)
        .scan(options, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(pages[0].dpi, 300);
}

#[tokio::test]
async fn scans_over_interfaces_that_stay_open_as_usb_ones_do() {
    let control = scanner::control(&ScannerConfig {
        feeder_pages: 2,
        ..ScannerConfig::new("127.0.0.1:0".parse().unwrap())
    });
    let mut streams: Vec<Box<dyn Io>> = Vec::new();
    for _ in 0..2 {
        let (kiosk_end, device_end) = tokio::io::duplex(64 * 1024);
        scanner::serve_stream(&control, device_end);
        streams.push(Box::new(kiosk_end));
    }
    let pool = InterfacePool::new(streams, "localhost");
    let scanner = Scanner::new(Arc::new(pool.clone()), "/eSCL").unwrap();
    let pages = scanner
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pool.idle(), 2, "both interfaces are back in the pool");
    // And again on the same interfaces (keep-alive, nothing left unread in them).
    let again = scanner
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "the glass, now that the feeder is empty");
    assert_eq!(control.view().jobs, 0);
}

#[tokio::test]
async fn a_page_given_up_on_over_usb_is_read_to_its_end_before_the_interface_is_reused() {
    let control = scanner::control(&ScannerConfig {
        feeder_pages: 1,
        ..ScannerConfig::new("127.0.0.1:0".parse().unwrap())
    });
    let (kiosk_end, device_end) = tokio::io::duplex(16 * 1024);
    scanner::serve_stream(&control, device_end);
    let pool = InterfacePool::new(vec![Box::new(kiosk_end)], "localhost");
    let short = Scanner::new(Arc::new(pool.clone()), "/eSCL")
        .unwrap()
        .with_timeouts(kiosk_scan::escl::Timeouts {
            query: std::time::Duration::from_secs(5),
            job: std::time::Duration::from_secs(5),
            // Far too short for a page: the exchange is abandoned with the page half-sent.
            page: std::time::Duration::from_millis(1),
        });
    let e = short
        .scan(low_res(), &CancellationToken::new(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e, ScanError::Timeout);
    // The one interface is usable again: the abandoned page was read to its end first.
    let scanner = Scanner::new(Arc::new(pool), "/eSCL").unwrap();
    let status = scanner.status().await.unwrap();
    assert_eq!(status.state, "Idle");
    assert_eq!(control.view().jobs, 0);
}

#[tokio::test]
async fn stops_at_the_page_limit_and_leaves_the_rest_in_the_feeder() {
    let sim = sim(4, ScannerFaults::default()).await;
    let options = ScanOptions {
        max_pages: 2,
        ..low_res()
    };
    let pages = client(&sim)
        .scan(options, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let view = sim.control.view();
    assert_eq!((view.jobs, view.feeder_pages), (0, 2));
}
