//! `kioskctl ticket`, `print`, `printer-status` and `printers`: a ticket built and printed
//! through the same layout, queue rules and printer protocol as the kiosk's confirmation.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use kiosk_core::ticket::Ticket;
use kiosk_core::{Explain, Language};
use kiosk_print::{Paper, PrintError, Printer, PrinterUri, preview, usb};

fn parse_paper(s: &str) -> Result<Paper, String> {
    s.parse::<Paper>().map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub(crate) struct TicketArgs {
    /// The booking, as JSON (see README: "The booking file").
    #[arg(long)]
    booking: PathBuf,
    /// Where to write the ESC/POS bytes.
    #[arg(long)]
    out: PathBuf,
    /// Also write the preview as a PNG.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Paper width in mm (58 or 80), or columns (32, 42 or 48).
    #[arg(long, default_value = "80", value_parser = parse_paper)]
    width: Paper,
    /// The ticket's language (default: the booking's).
    #[arg(long, value_parser = super::parse_language)]
    lang: Option<Language>,
}

#[derive(Debug, Args)]
pub(crate) struct PrintArgs {
    /// tcp://HOST:PORT, usb, usb:VVVV:PPPP or file:PATH.
    #[arg(long)]
    printer: PrinterUri,
    /// The booking, as JSON.
    #[arg(long)]
    booking: PathBuf,
    #[arg(long, default_value = "80", value_parser = parse_paper)]
    width: Paper,
    #[arg(long, value_parser = super::parse_language)]
    lang: Option<Language>,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// tcp://HOST:PORT, usb, usb:VVVV:PPPP or file:PATH.
    #[arg(long)]
    printer: PrinterUri,
    /// The language of the advice.
    #[arg(long, default_value = "es", value_parser = super::parse_language)]
    lang: Language,
}

#[derive(Debug, Args)]
pub(crate) struct PrintersArgs {
    /// A network or file printer to ask as well (repeatable).
    #[arg(long = "printer")]
    printers: Vec<PrinterUri>,
}

fn read_ticket(path: &PathBuf, lang: Option<Language>) -> anyhow::Result<Ticket> {
    let json = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let ticket: Ticket =
        serde_json::from_str(&json).with_context(|| format!("{} is not a booking file", path.display()))?;
    Ok(match lang {
        Some(l) => ticket.in_language(l),
        None => ticket,
    })
}

pub(crate) fn ticket(args: &TicketArgs) -> anyhow::Result<ExitCode> {
    let ticket = read_ticket(&args.booking, args.lang)?;
    let started = std::time::Instant::now();
    let bytes = kiosk_print::escpos::ticket(&ticket, args.width).context("building the ticket")?;
    let built = started.elapsed();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}: {} bytes of ESC/POS ({}) built in {:.0} us",
        args.out.display(),
        bytes.len(),
        args.width,
        built.as_secs_f64() * 1e6
    );
    if let Some(png) = &args.png {
        let picture = preview::ticket(&ticket, args.width).context("drawing the preview")?;
        std::fs::write(png, picture.to_png()?).with_context(|| format!("writing {}", png.display()))?;
        println!("{}: {} x {} dots", png.display(), picture.width, picture.height);
    }
    Ok(ExitCode::SUCCESS)
}

fn refused(e: &PrintError, lang: Language) -> ExitCode {
    eprintln!("kioskctl: {e}\n{}", e.explain(lang));
    ExitCode::from(1)
}

pub(crate) fn print(args: &PrintArgs) -> anyhow::Result<ExitCode> {
    let ticket = read_ticket(&args.booking, args.lang)?;
    let bytes = kiosk_print::escpos::ticket(&ticket, args.width).context("building the ticket")?;
    match Printer::new(args.printer.clone()).print(&bytes) {
        Ok(job) => {
            match job.status {
                Some(s) => println!("printed {} bytes on {}; printer: {s}", bytes.len(), args.printer),
                None => println!("written {} bytes to {} (it gives no status)", bytes.len(), args.printer),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(refused(&e, ticket.language)),
    }
}

pub(crate) fn status(args: &StatusArgs) -> ExitCode {
    match Printer::new(args.printer.clone()).status() {
        Ok(Some(s)) => {
            println!("{}: {s}\n{}", args.printer, s.explain(args.lang));
            if s.ready() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Ok(None) => {
            println!("{}: gives no status (a file)", args.printer);
            ExitCode::SUCCESS
        }
        Err(e) => refused(&e, args.lang),
    }
}

pub(crate) fn printers(args: &PrintersArgs) -> ExitCode {
    match usb::list(None) {
        Ok(list) if list.is_empty() => println!("usb: no USB printer"),
        Ok(list) => {
            for p in list {
                println!("{}", p.describe());
            }
        }
        Err(e) => println!("usb: cannot list USB devices ({e})"),
    }
    let mut failed = false;
    for uri in &args.printers {
        match Printer::new(uri.clone()).status() {
            Ok(Some(s)) => println!("{uri}: {s}"),
            Ok(None) => println!("{uri}: a file, no status"),
            Err(e) => {
                failed = true;
                println!("{uri}: {e}");
            }
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

#[derive(Debug, Args)]
pub(crate) struct QueueArgs {
    /// The kiosk's database (`/data/kiosk/kiosk.db` on the device).
    #[arg(long)]
    db: PathBuf,
    /// Queue this job's ticket again (staff's reprint); the kiosk prints it within seconds.
    #[arg(long)]
    reprint: Option<i64>,
    /// How many recent jobs to list.
    #[arg(long, default_value_t = 20)]
    last: u32,
}

/// `kioskctl print-queue`: the recent print jobs, and staff's reprint.
pub(crate) fn queue(args: &QueueArgs) -> anyhow::Result<ExitCode> {
    let (mut store, _) =
        kiosk_store::Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?;
    if let Some(id) = args.reprint {
        let new = store.reprint(id, chrono::Utc::now()).context("reprinting")?;
        store
            .audit(
                "kioskctl",
                "reprint",
                &format!("job {id} as job {new}"),
                chrono::Utc::now(),
            )
            .context("recording the reprint")?;
        println!("job {id} queued again as job {new}");
    }
    for job in store.recent_prints(args.last).context("reading the print queue")? {
        println!(
            "{:>5} {} {:<9} {:<12} attempts {}{}",
            job.id,
            job.booking_code,
            job.state,
            job.reason.as_str(),
            job.attempts,
            job.last_error.map(|e| format!("; {e}")).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
