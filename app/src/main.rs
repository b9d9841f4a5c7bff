//! `citas-kiosk`: the appointment kiosk. `--demo` runs it against an in-process simulator;
//! `--screenshots DIR` renders its screens to PNG and exits.

use std::path::PathBuf;

use anyhow::Context;
use citas_kiosk::controller::{self, Services};
use citas_kiosk::{demo, screenshots, ui::AppWindow};
use clap::Parser;
use slint::ComponentHandle;

#[derive(Debug, Parser)]
#[command(name = "citas-kiosk", version, about = "The Citas SRE appointment kiosk")]
struct Args {
    /// Run against the central simulator started in-process on loopback (no server, no
    /// hardware).
    #[arg(long)]
    demo: bool,
    /// Render every screen in both languages to PNG files in DIR and exit (needs --demo).
    #[arg(long, value_name = "DIR", requires = "demo")]
    screenshots: Option<PathBuf>,
    /// Window size for --screenshots, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800", value_parser = screenshots::parse_size)]
    size: (u32, u32),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        args.demo,
        "only --demo runs today: reading /etc/citas-kiosk/kiosk.toml to reach a real server comes with the configuration work (issue 7)"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let demo = runtime.block_on(demo::start()).context("starting the demo")?;
    println!(
        "demo: central simulator at {}; try the appointment code {}",
        demo.central.url, demo.sample_code
    );

    if let Some(dir) = args.screenshots {
        let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code)?;
        let found = runtime.block_on(controller::find(&demo.engine, &code))?;
        for path in screenshots::render_all(&dir, args.size, &found, &demo.engine, runtime.handle())? {
            println!("{}", path.display());
        }
        return Ok(());
    }

    let shutdown = tokio_util::sync::CancellationToken::new();
    let _sync = {
        let _guard = runtime.enter();
        demo.engine.clone().spawn(
            demo::schedule(),
            || serde_json::json!({"app": "citas-kiosk", "mode": "demo"}),
            shutdown.clone(),
        )
    };
    let ui = AppWindow::new()?;
    controller::wire(
        &ui,
        Services {
            runtime: runtime.handle().clone(),
            engine: demo.engine.clone(),
        },
    );
    ui.run()?;
    shutdown.cancel();
    Ok(())
}
