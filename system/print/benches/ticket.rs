//! How long a ticket takes to build: layout, ESC/POS bytes and the PNG preview, for a typical
//! booking (two procedures, four documents) on 58 and 80 mm paper.
//!
//! Run: `cargo bench -p kiosk-print --bench ticket` (release build).

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // a benchmark: failures end the run

use std::hint::black_box;
use std::time::{Duration, Instant};

use kiosk_core::ticket::Ticket;
use kiosk_print::{Paper, preview};

const RUNS: usize = 2000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    median(samples)
}

fn main() {
    let ticket: Ticket = serde_json::from_str(include_str!("../../../tests/fixtures/booking-lax.json")).unwrap();
    for paper in [Paper::MM58, Paper::MM80] {
        let bytes = kiosk_print::escpos::ticket(&ticket, paper).unwrap();
        let escpos = time(RUNS, || {
            black_box(kiosk_print::escpos::ticket(black_box(&ticket), paper).unwrap());
        });
        let png = time(RUNS / 20, || {
            black_box(preview::ticket(black_box(&ticket), paper).unwrap().to_png().unwrap());
        });
        println!(
            "{paper}: ESC/POS {} bytes in {:.1} us (median of {RUNS}); preview PNG in {:.2} ms (median of {})",
            bytes.len(),
            escpos.as_secs_f64() * 1e6,
            png.as_secs_f64() * 1e3,
            RUNS / 20
        );
    }
}
