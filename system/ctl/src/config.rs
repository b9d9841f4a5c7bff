//! `kioskctl config check PATH...`: the kiosk's configuration checked as the kiosk reads it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use kiosk_config::Config;

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check kiosk.toml files as the kiosk reads them: each later file overrides the earlier
    /// ones field by field (the device reads /etc/citas-kiosk/kiosk.toml, then
    /// /data/kiosk/kiosk.toml). Prints every problem with its file, line and field; exit 1 if
    /// any.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

pub(crate) fn run(command: ConfigCommand) -> ExitCode {
    match command {
        ConfigCommand::Check { paths } => {
            let layers: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
            // Each file named must exist here: a missing one is a typo, not a layer to skip.
            if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                eprintln!("{}: no such file", missing.display());
                return ExitCode::from(1);
            }
            match Config::load_layers(&layers) {
                Ok(c) => {
                    println!(
                        "ok: kiosk {} of {} (offices {}), data in {}, scanner {}, printer {} ({})",
                        c.kiosk_id,
                        c.server,
                        c.offices.join(", "),
                        c.data_dir.display(),
                        c.scanner,
                        c.printer,
                        c.paper
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    for p in &e.problems {
                        eprintln!("{p}");
                    }
                    ExitCode::from(1)
                }
            }
        }
    }
}
