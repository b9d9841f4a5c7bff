//! `kioskctl pdf --max-bytes N --out FILE.pdf IMAGE...`: builds one PDF from JPEG or PNG files
//! with the kiosk's budget logic (the same code the Documents step uses).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use kiosk_scan::{Budget, BuiltPdf, Encoding, PdfError, ScannedPage, build};

#[derive(Debug, Args)]
pub(crate) struct PdfArgs {
    /// The largest PDF allowed, in bytes (Citas SRE: 1000000).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    max_bytes: u64,
    /// The resolution the images were scanned at.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(75..=1200))]
    dpi: u32,
    /// Never resample below this resolution.
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u32).range(75..=1200))]
    min_dpi: u32,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
    /// The pages, in order: JPEG or PNG files.
    #[arg(required = true)]
    images: Vec<PathBuf>,
}

/// `N page(s), B bytes, D dpi, how`: one line about a built PDF.
pub(crate) fn describe(pdf: &BuiltPdf) -> String {
    let how = match pdf.encoding {
        Encoding::Original => "pages embedded untouched".to_owned(),
        Encoding::Jpeg { quality } => format!("re-encoded as JPEG at quality {quality}"),
        Encoding::Bilevel => "re-encoded in black and white (CCITT G4)".to_owned(),
    };
    format!(
        "{} page(s), {} bytes, {} dpi, {how}",
        pdf.pages,
        pdf.bytes.len(),
        pdf.dpi
    )
}

pub(crate) fn run(args: &PdfArgs) -> anyhow::Result<ExitCode> {
    let mut pages = Vec::with_capacity(args.images.len());
    for path in &args.images {
        let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        pages.push(ScannedPage { data, dpi: args.dpi });
    }
    let budget = Budget {
        max_bytes: usize::try_from(args.max_bytes).unwrap_or(usize::MAX),
        min_dpi: args.min_dpi,
    };
    match build(&pages, budget) {
        Ok(pdf) => {
            std::fs::write(&args.out, &pdf.bytes).with_context(|| format!("writing {}", args.out.display()))?;
            println!("{}: {}", args.out.display(), describe(&pdf));
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (PdfError::TooLarge { .. } | PdfError::BadImage { .. } | PdfError::TooManyPixels { .. })) => {
            eprintln!("kioskctl pdf: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
