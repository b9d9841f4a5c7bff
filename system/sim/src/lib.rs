//! # kiosk-sim: real loopback simulators of the kiosk's peers
//!
//! What it is for: servers that speak the real protocols on loopback so the kiosk's clients
//! are tested, demonstrated and benchmarked through the same code paths as in the field. Today:
//! [`central`], the central Citas API over HTTP/JSON with its state in SQLite, with
//! [`faults`] injected on demand; [`scanner`], an eSCL scanner with a flatbed and a feeder whose
//! pages look like scanned documents, with jams, a busy panel and a cable pulled mid-page;
//! [`printer`], an ESC/POS receipt printer on a raw TCP port that answers status requests,
//! holds its work while out of paper and records every job; [`tls`], a throwaway CA
//! so the central simulator serves HTTPS as the real server does.
//!
//! What it is not for: sharing code with the kiosk's clients. It depends on `kiosk-core` for
//! the domain rules only, never on `kiosk-sync`, so a client bug cannot hide behind a matching
//! simulator bug; both sides are checked against `system/sync/openapi.yaml`.

pub mod central;
pub mod faults;
pub mod printer;
pub mod problem;
pub mod scanner;
pub mod tls;
