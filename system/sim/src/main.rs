//! `kiosk-sim`: runs a simulator until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kiosk_sim::central::{self, CentralConfig};
use kiosk_sim::faults::FaultConfig;
use kiosk_sim::printer::{self, PrinterConfig};
use kiosk_sim::scanner::{self, ScannerConfig, ScannerFaults};

#[derive(Debug, Parser)]
#[command(name = "kiosk-sim", version, about = "Loopback simulators of the kiosk's peers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The central Citas server (HTTP/JSON, /v1), its state in SQLite.
    Central {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// SQLite file holding the state; created and seeded when missing.
        #[arg(long)]
        db: PathBuf,
        /// Seed set: `fixtures`, the real consulates compiled into the simulator.
        #[arg(long, default_value = "fixtures", value_parser = ["fixtures"])]
        seed: String,
        /// Faults, e.g. latency=200ms,drop=0.1,reset=0.05,error=0.05 (changeable at run time
        /// with PUT /sim/faults).
        #[arg(long, default_value = "")]
        faults: FaultConfig,
        /// Seconds a hold on a slot lasts before it must be renewed.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i64).range(5..=3600))]
        hold_ttl: i64,
        /// An enrolment token to accept (repeatable).
        #[arg(long = "enrolment-token")]
        enrolment_tokens: Vec<String>,
        /// A device credential to accept without enrolment (repeatable; contract tests, demos).
        #[arg(long = "device-credential")]
        device_credentials: Vec<String>,
    },
    /// An eSCL scanner (flatbed and document feeder) whose pages look like scanned documents.
    Scanner {
        /// Address to listen on, e.g. 127.0.0.1:8090 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Sheets in the document feeder (0: only the flatbed; load more with PUT /sim/scanner).
        #[arg(long, default_value_t = 0)]
        pages: u32,
        /// Faults: some of jam,busy,unplug (changeable at run time with PUT /sim/scanner).
        #[arg(long, default_value = "")]
        faults: ScannerFaults,
        /// Pages full of text from margin to margin (the worst case for the 1 MB budget).
        #[arg(long)]
        dense: bool,
    },
    /// An ESC/POS receipt printer on a raw TCP port (as port 9100), with an HTTP control port.
    Printer {
        /// The raw ESC/POS port, e.g. 127.0.0.1:9100 (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// The HTTP control endpoint (GET/PUT /sim/printer, GET /sim/printer/jobs/N).
        #[arg(long, default_value = "127.0.0.1:0")]
        control: SocketAddr,
        /// Directory where every job is written (job-NNNN.bin and .txt).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The paper at the start: ok, near-end or out (changeable with PUT /sim/printer).
        #[arg(long, default_value = "ok")]
        paper: printer::Paper,
        /// Start with the cover open.
        #[arg(long)]
        cover_open: bool,
    },
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Central {
            listen,
            db,
            seed: _,
            faults,
            hold_ttl,
            enrolment_tokens,
            device_credentials,
        } => {
            let mut config = CentralConfig::new(listen, db);
            config.faults = faults;
            config.hold_ttl_seconds = hold_ttl;
            config.enrolment_tokens = enrolment_tokens;
            config.device_credentials = device_credentials;
            let running = central::start(config).await.context("starting the central simulator")?;
            // The one line a supervising script waits for.
            println!("{}", running.url);
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            running.stop().await;
        }
        Command::Scanner {
            listen,
            pages,
            faults,
            dense,
        } => {
            let mut config = ScannerConfig::new(listen);
            config.feeder_pages = pages;
            config.faults = faults;
            config.dense = dense;
            let running = scanner::start(config).await.context("starting the scanner simulator")?;
            println!("{}", running.url);
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            running.stop().await;
        }
        Command::Printer {
            listen,
            control,
            out,
            paper,
            cover_open,
        } => {
            let mut config = PrinterConfig::new(listen);
            config.control = control;
            config.out = out;
            config.state.paper = paper;
            config.state.cover_open = cover_open;
            let running = printer::start(config).await.context("starting the printer simulator")?;
            // The printer's URI, then its control endpoint.
            println!("{}", running.uri);
            println!("{}", running.control_url);
            tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
            running.stop().await;
        }
    }
    Ok(())
}
