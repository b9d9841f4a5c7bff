//! `kioskctl`: the technician and staff command line of the citas-kiosk.
//!
//! Thin on purpose: every rule lives in `kiosk-core` (and later the other `system/` crates);
//! this binary parses arguments, calls them and prints. Exit codes: 0 success, 1 a checked
//! input was refused, 2 a usage error (clap's own code).

mod adopt;
mod config;
mod curp;
mod diagnose;
mod flash;
mod logs;
mod pdf;
mod print;
mod provision;
mod scan;
mod staff;
mod sync;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kiosk_core::Language;

#[derive(Debug, Parser)]
#[command(name = "kioskctl", version, about = "Technician and staff tools for the citas-kiosk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// CURP tools.
    Curp {
        #[command(subcommand)]
        command: curp::CurpCommand,
    },
    /// The kiosk's configuration files (kiosk.toml).
    Config {
        #[command(subcommand)]
        command: config::ConfigCommand,
    },
    /// The staff who may open maintenance with their PIN.
    Staff {
        #[command(subcommand)]
        command: staff::StaffCommand,
    },
    /// The kiosk's health, as the maintenance screen shows it: green, amber or red for the
    /// network, central server, sync, outbox, printer, scanner, disk and clock. Exit 1 if red.
    Diagnose(diagnose::DiagnoseArgs),
    /// The kiosk's recent log (journald) and the staff audit log, personal data redacted, for
    /// support: `kioskctl logs --since 1h > support.txt`.
    Logs(logs::LogsArgs),
    /// Provision one kiosk: its id, office, server, enrolment token, Wi-Fi and NTP, written as
    /// citas-kiosk.toml on the boot partition of a card (a mounted directory) or an image
    /// file, checked and read back.
    Provision(provision::ProvisionArgs),
    /// At first boot (a root service before the kiosk starts): adopt the boot partition's
    /// provisioning into /data/kiosk, write its Wi-Fi and NTP settings, wipe it from the boot
    /// partition.
    Adopt(adopt::AdoptArgs),
    /// Write a kiosk image to an SD card (only the blocks of IMAGE.bmap when it is there), then
    /// read it back and check its SHA-256; refuses a mounted card or the system's own disk.
    Flash(flash::FlashArgs),
    /// Run one sync round with the central server and print what changed.
    Sync(sync::SyncArgs),
    /// Build one PDF from JPEG or PNG pages within a byte budget (as the Documents step does).
    Pdf(pdf::PdfArgs),
    /// List the scanners connected over USB, and the network scanners named, with what they offer.
    Scanners(scan::ScannersArgs),
    /// Scan a document to a PDF within a byte budget (as the Documents step does).
    Scan(scan::ScanArgs),
    /// Build a booking's confirmation ticket: ESC/POS bytes, and a PNG preview.
    Ticket(print::TicketArgs),
    /// Print a booking's ticket, checking the printer's status before and after.
    Print(print::PrintArgs),
    /// Ask a printer for its status (paper, cover, online).
    PrinterStatus(print::StatusArgs),
    /// List the USB printers connected, and the status of the printers named.
    Printers(print::PrintersArgs),
    /// The kiosk's recent print jobs; `--reprint ID` queues a ticket again.
    PrintQueue(print::QueueArgs),
}

/// A `--lang` value.
fn parse_language(s: &str) -> Result<Language, String> {
    s.parse::<Language>().map_err(|e| e.to_string())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Curp { command } => curp::run(command),
        Command::Staff { command } => staff::run(command),
        Command::Config { command } => Ok(config::run(command)),
        Command::Pdf(args) => pdf::run(&args),
        Command::Diagnose(args) => runtime().and_then(|rt| rt.block_on(diagnose::run(args))),
        Command::Logs(args) => logs::run(&args),
        Command::Provision(args) => provision::provision(args),
        Command::Adopt(args) => adopt::adopt(&args),
        Command::Flash(args) => flash::flash(&args),
        Command::Sync(args) => runtime().and_then(|rt| rt.block_on(sync::run(args))),
        Command::Scanners(args) => runtime().and_then(|rt| rt.block_on(scan::scanners(args))),
        Command::Scan(args) => runtime().and_then(|rt| rt.block_on(scan::scan(args))),
        Command::Ticket(args) => print::ticket(&args),
        Command::Print(args) => print::print(&args),
        Command::PrinterStatus(args) => Ok(print::status(&args)),
        Command::Printers(args) => Ok(print::printers(&args)),
        Command::PrintQueue(args) => print::queue(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kioskctl: {e:#}");
            ExitCode::from(1)
        }
    }
}
