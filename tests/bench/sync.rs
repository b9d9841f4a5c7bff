//! Sync benchmark: the first full sync of one office (120 days of slots) into an empty store,
//! a delta of 100 changed slots, and a naive full refetch (what a client without cursors does
//! each round), timed and sized on the wire in the same run against the simulator on loopback.
//!
//! Run: `cargo bench -p kiosk-tests --bench sync` (release build). Goals: the delta at least 20
//! times cheaper than the refetch in time and in bytes; the first full sync under 0.5 s.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // a benchmark: failures end the run

use std::time::{Duration, Instant};

use kiosk_sim::faults::FaultConfig;
use kiosk_tests::Central;
use reqwest::Method;
use serde_json::json;

const OFFICE: &str = "LAX";
const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let central = Central::start(FaultConfig::default()).await;
        let dir = tempfile::tempdir().unwrap();

        // First full sync, each run into a new empty store.
        let mut full_times = Vec::new();
        let mut full_bytes = 0;
        let mut slots = 0;
        for i in 0..RUNS {
            let kiosk = central.kiosk(dir.path(), &format!("full{i}")).await;
            let t = Instant::now();
            let r = kiosk.sync_office(OFFICE, kiosk_tests::now()).await.unwrap();
            full_times.push(t.elapsed());
            assert!(r.full);
            full_bytes = r.bytes;
            slots = r.upserted;
        }

        // Delta of 100 changed slots, and the naive refetch of the same state, alternating.
        let kiosk = central.kiosk(dir.path(), "steady").await;
        kiosk.sync_office(OFFICE, kiosk_tests::now()).await.unwrap();
        let (mut delta_times, mut refetch_times) = (Vec::new(), Vec::new());
        let (mut delta_bytes, mut refetch_bytes) = (0, 0);
        for _ in 0..RUNS {
            central
                .admin(Method::POST, "churn", Some(json!({"office_id": OFFICE, "count": 100})))
                .await;
            let t = Instant::now();
            let d = kiosk.sync_office(OFFICE, kiosk_tests::now()).await.unwrap();
            delta_times.push(t.elapsed());
            assert_eq!((d.full, d.upserted), (false, 100));
            delta_bytes = d.bytes;

            // Naive: forget the cursor, fetch everything, replace everything.
            kiosk.with_store(|s| s.reset_cursor(OFFICE)).await.unwrap();
            let t = Instant::now();
            let r = kiosk.sync_office(OFFICE, kiosk_tests::now()).await.unwrap();
            refetch_times.push(t.elapsed());
            assert!(r.full);
            refetch_bytes = r.bytes;
        }

        let (full, delta, refetch) = (median(full_times), median(delta_times), median(refetch_times));
        let time_ratio = refetch.as_secs_f64() / delta.as_secs_f64();
        let byte_ratio = refetch_bytes as f64 / delta_bytes as f64;
        println!("office {OFFICE}: {slots} slots over 120 days; medians of {RUNS} runs");
        println!("first full sync into an empty store: {} , {full_bytes} bytes", ms(full));
        println!(
            "delta of 100 changed slots:          {} , {delta_bytes} bytes",
            ms(delta)
        );
        println!(
            "naive full refetch:                  {} , {refetch_bytes} bytes",
            ms(refetch)
        );
        println!("delta vs refetch: {time_ratio:.1}x less time, {byte_ratio:.1}x fewer bytes");
        let goals = [
            ("delta >= 20x cheaper in time", time_ratio >= 20.0),
            ("delta >= 20x cheaper in bytes", byte_ratio >= 20.0),
            ("first full sync < 0.5 s", full < Duration::from_millis(500)),
        ];
        for (goal, met) in goals {
            println!("{}: {goal}", if met { "MET" } else { "MISSED" });
        }
    });
}
