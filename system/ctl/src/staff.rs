//! `kioskctl staff add|remove|list`: the staff who may open maintenance, by PIN.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use kiosk_core::staff::{Pin, StaffId};
use kiosk_core::{Explain, Language};
use kiosk_store::{Store, StoreError};

#[derive(Debug, Subcommand)]
pub(crate) enum StaffCommand {
    /// Add a staff member; their PIN (6 to 12 digits) is read from standard input, never from
    /// the command line (it would stay in the shell's history).
    Add {
        id: String,
        /// The kiosk's database (`/data/kiosk/kiosk.db` on the device).
        #[arg(long)]
        db: PathBuf,
        #[arg(long, default_value = "es", value_parser = super::parse_language)]
        lang: Language,
    },
    /// Remove a staff member.
    Remove {
        id: String,
        #[arg(long)]
        db: PathBuf,
    },
    /// List the staff members.
    List {
        #[arg(long)]
        db: PathBuf,
    },
}

fn open(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(db).with_context(|| format!("opening {}", db.display()))?.0)
}

fn refused(message: &str) -> ExitCode {
    eprintln!("kioskctl: {message}");
    ExitCode::from(1)
}

pub(crate) fn run(command: StaffCommand) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now();
    match command {
        StaffCommand::Add { id, db, lang } => {
            let id = match StaffId::parse(&id) {
                Ok(id) => id,
                Err(e) => return Ok(refused(&e.explain(lang))),
            };
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the PIN")?;
            let pin = match Pin::parse(&line) {
                Ok(p) => p,
                Err(e) => return Ok(refused(&e.explain(lang))),
            };
            match open(&db)?.staff_add(&id, &pin, now) {
                Ok(()) => {
                    println!("added {id}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Conflict(why)) => Ok(refused(&why)),
                Err(e) => Err(e.into()),
            }
        }
        StaffCommand::Remove { id, db } => {
            let Ok(id) = StaffId::parse(&id) else {
                return Ok(refused(&format!("{id:?} is not a staff id")));
            };
            if open(&db)?.staff_remove(&id, now)? {
                println!("removed {id}");
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(refused(&format!("no staff member {id}")))
            }
        }
        StaffCommand::List { db } => {
            for (id, added) in open(&db)?.staff()? {
                println!("{id}\tadded {}", added.format("%Y-%m-%d %H:%M UTC"));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
