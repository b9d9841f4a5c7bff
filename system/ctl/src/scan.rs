//! `kioskctl scanners` and `kioskctl scan`: what scanners are connected, and a scan to a PDF
//! within the budget through the same client and PDF logic as the Documents step.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use kiosk_core::{Explain, Language};
use kiosk_scan::escl::{ScanOptions, SourceChoice};
use kiosk_scan::{Budget, DeviceUri, ScanError, build, usb};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Args)]
pub(crate) struct ScannersArgs {
    /// The scanner to ask, e.g. escl+http://192.168.1.20:80/eSCL, or usb for the IPP-over-USB
    /// ones on the bus (repeatable; without any, the bus).
    #[arg(long = "device")]
    devices: Vec<DeviceUri>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Source {
    Auto,
    Feeder,
    Platen,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// escl+http://HOST:PORT/eSCL, or usb for the first IPP-over-USB scanner.
    #[arg(long)]
    device: DeviceUri,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
    /// The document feeder, the glass, or the feeder when it holds paper.
    #[arg(long, value_enum, default_value_t = Source::Auto)]
    source: Source,
    /// Colour (a photo ID); grayscale otherwise.
    #[arg(long)]
    color: bool,
    /// The resolution to ask for (the scanner's nearest offer is taken).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(75..=1200))]
    dpi: u32,
    /// The largest PDF allowed, in bytes (Citas SRE: 1000000).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    max_bytes: u64,
    /// The language of the message when the scan fails.
    #[arg(long, default_value = "es", value_parser = super::parse_language)]
    lang: Language,
}

async fn describe_device(uri: &DeviceUri) -> Result<String, ScanError> {
    let scanner = uri.connect().await?;
    let caps = scanner.capabilities().await?;
    let status = scanner.status().await?;
    let mut line = format!("{uri}: {}, {}", caps.make_and_model, status.state);
    for (name, input) in [("glass", &caps.platen), ("feeder", &caps.feeder)] {
        if let Some(input) = input {
            let dpis: Vec<String> = input.resolutions.iter().map(u32::to_string).collect();
            let _ = write!(
                line,
                "; {name}: {} dpi, {}, {}",
                dpis.join("/"),
                input.color_modes.join(", "),
                input.formats.join(", ")
            );
        }
    }
    if let Some(adf) = &status.adf_state {
        let _ = write!(line, "; feeder state {adf}");
    }
    Ok(line)
}

/// Exit 0 when every scanner asked about answered (and there was one); what failed goes to
/// stderr, so stdout lists only scanners.
pub(crate) async fn scanners(args: ScannersArgs) -> anyhow::Result<ExitCode> {
    let (mut found, mut failed) = (0, false);
    if args.devices.is_empty() || args.devices.contains(&DeviceUri::Usb) {
        match usb::list().await {
            Ok(list) if list.is_empty() => eprintln!("usb: no IPP-over-USB scanner"),
            Ok(list) => {
                for s in list {
                    found += 1;
                    println!("usb: {}", s.describe());
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("usb: cannot list devices ({e})");
            }
        }
    }
    for uri in args.devices.iter().filter(|d| **d != DeviceUri::Usb) {
        match describe_device(uri).await {
            Ok(line) => {
                found += 1;
                println!("{line}");
            }
            Err(e) => {
                failed = true;
                eprintln!("{uri}: {e}");
            }
        }
    }
    Ok(if found > 0 && !failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) async fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let options = ScanOptions {
        source: match args.source {
            Source::Auto => SourceChoice::Auto,
            Source::Feeder => SourceChoice::Feeder,
            Source::Platen => SourceChoice::Platen,
        },
        color: args.color,
        dpi: args.dpi,
        ..ScanOptions::default()
    };
    let budget = Budget {
        max_bytes: usize::try_from(args.max_bytes).unwrap_or(usize::MAX),
        ..Budget::CITAS
    };
    let result = async {
        let scanner = args.device.connect().await?;
        let pages = scanner
            .scan(options, &CancellationToken::new(), |n| eprintln!("page {n}"))
            .await?;
        let pdf = tokio::task::spawn_blocking(move || build(&pages, budget))
            .await
            .map_err(|e| ScanError::Protocol(e.to_string()))??;
        Ok::<_, ScanError>(pdf)
    }
    .await;
    match result {
        Ok(pdf) => {
            std::fs::write(&args.out, &pdf.bytes).with_context(|| format!("writing {}", args.out.display()))?;
            println!("{}: {}", args.out.display(), super::pdf::describe(&pdf));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("kioskctl scan: {e}\n{}", e.explain(args.lang));
            Ok(ExitCode::from(1))
        }
    }
}
