//! `kioskctl curp check`: the kiosk's CURP rules on the command line.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use kiosk_core::curp::Curp;
use kiosk_core::{Explain, Language};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub(crate) enum CurpCommand {
    /// Check CURPs: one line per argument, `VALID <CURP> <birth date> <sex> <state>` or
    /// `INVALID <input>: <reason>`. Exits 0 when all are valid, 1 when any is not.
    Check {
        /// The CURPs to check; `-` reads one per line from standard input.
        #[arg(required = true, value_name = "CURP")]
        curps: Vec<String>,
        /// Print one JSON object per line instead.
        #[arg(long)]
        json: bool,
        /// Language of the reasons.
        #[arg(long, default_value = "es", value_parser = super::parse_language)]
        lang: Language,
    },
}

pub(crate) fn run(command: CurpCommand) -> anyhow::Result<ExitCode> {
    match command {
        CurpCommand::Check { curps, json, lang } => check(&curps, json, lang),
    }
}

fn check(args: &[String], json: bool, lang: Language) -> anyhow::Result<ExitCode> {
    let mut inputs = Vec::new();
    for a in args {
        if a == "-" {
            for line in io::stdin().lock().lines() {
                inputs.push(line.context("reading standard input")?);
            }
        } else {
            inputs.push(a.clone());
        }
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_valid = true;
    for input in &inputs {
        let line = match Curp::parse(input) {
            Ok(c) if json => json!({
                "input": input,
                "valid": true,
                "curp": c.as_str(),
                "birth_date": c.birth_date().to_string(),
                "sex": c.sex().code().to_string(),
                "state": c.birth_state().code(),
                "state_name": c.birth_state().label(lang),
            })
            .to_string(),
            Ok(c) => format!(
                "VALID {} {} {} {}",
                c.as_str(),
                c.birth_date(),
                c.sex().code(),
                c.birth_state().code()
            ),
            Err(e) => {
                all_valid = false;
                if json {
                    json!({"input": input, "valid": false, "reason": e.code(), "message": e.explain(lang)}).to_string()
                } else {
                    format!("INVALID {input}: {}", e.explain(lang))
                }
            }
        };
        writeln!(out, "{line}").context("writing standard output")?;
    }
    out.flush().context("writing standard output")?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
