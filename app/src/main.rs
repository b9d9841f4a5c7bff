//! `citas-kiosk`: the appointment kiosk. Without arguments it runs as on the device, configured
//! by `/etc/citas-kiosk/kiosk.toml` overlaid by `/data/kiosk/kiosk.toml`; `--config PATH`
//! (repeatable, later files override earlier ones) names other files; `--demo` runs against
//! in-process simulators; `--screenshots DIR` renders its screens to PNG and exits.

use std::path::PathBuf;

use anyhow::Context;
use citas_kiosk::controller::{self, Services};
use citas_kiosk::device::DeviceParts;
use citas_kiosk::{demo, screenshots, ui::AppWindow};
use clap::Parser;
use slint::ComponentHandle;

#[derive(Debug, Parser)]
#[command(name = "citas-kiosk", version, about = "The Citas SRE appointment kiosk")]
struct Args {
    /// Run against the central simulator started in-process on loopback (no server, no
    /// hardware).
    #[arg(long, conflicts_with = "config")]
    demo: bool,
    /// The kiosk's configuration (kiosk.toml; see kiosk-config's `kiosk.example.toml`),
    /// repeatable: a later file overrides an earlier one field by field. Default: the image's
    /// /etc/citas-kiosk/kiosk.toml overlaid by the provisioned /data/kiosk/kiosk.toml.
    #[arg(long, value_name = "PATH")]
    config: Vec<PathBuf>,
    /// Render every screen in both languages to PNG files in DIR and exit (needs --demo).
    #[arg(long, value_name = "DIR", requires = "demo")]
    screenshots: Option<PathBuf>,
    /// Window size for --screenshots and the benchmarks, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800", value_parser = screenshots::parse_size)]
    size: (u32, u32),
    /// Benchmark: draw the welcome screen's first frame headless, print the time since the
    /// process started (milliseconds) and exit.
    #[arg(long, hide = true, conflicts_with_all = ["demo", "bench_visit"])]
    bench_first_frame: bool,
    /// Benchmark: walk a whole visit headless (needs --demo), drawing N full frames of every
    /// screen; print the render times and the memory as JSON and exit.
    #[arg(long, hide = true, value_name = "N", requires = "demo")]
    bench_visit: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    kiosk()?;
    if citas_kiosk::maintenance::restart_requested() {
        // Staff asked for a restart: everything is closed and dropped (the demo's simulators
        // and files too); the same program starts again with the same arguments, in the same
        // process, so systemd keeps supervising it.
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe().context("finding the kiosk's program to restart it")?;
        let err = std::process::Command::new(exe).args(std::env::args_os().skip(1)).exec();
        return Err(err).context("restarting the kiosk");
    }
    Ok(())
}

fn kiosk() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    citas_kiosk::logging::init();
    let args = Args::parse();
    if args.bench_first_frame {
        let took = citas_kiosk::bench::first_frame(args.size, started)?;
        println!("{:.3}", took.as_secs_f64() * 1000.0);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if !args.demo {
        // Every problem of every file, each with its file, line and field.
        let config =
            citas_kiosk::config::Config::load_named_or_device(&args.config).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (engine, schedule) = runtime
            .block_on(citas_kiosk::config::connect(&config))
            .with_context(|| format!("starting kiosk {}", config.kiosk_id))?;
        let heartbeat =
            serde_json::json!({"app": "citas-kiosk", "kiosk": config.kiosk_id, "version": env!("CARGO_PKG_VERSION")});
        let store = engine.store();
        let queue = kiosk_print::PrintQueue::new(
            store.clone(),
            kiosk_print::Printer::new(config.printer.clone()),
            config.paper,
        );
        let printing = citas_kiosk::printing::Printing::new(queue, store);
        let services = Services {
            runtime: runtime.handle().clone(),
            engine,
            scanner: Some(config.scanner.clone()),
            printing: Some(printing),
            device: DeviceParts::of_this_machine(),
            kiosk: controller::KioskInfo {
                id: config.kiosk_id.clone(),
                data_dir: config.data_dir.clone(),
                offices: config.offices.clone(),
                started,
            },
        };
        return run_window(&runtime, services, schedule, heartbeat);
    }
    let demo = runtime.block_on(demo::start()).context("starting the demo")?;
    println!(
        "demo: central simulator at {}; try the appointment code {}; printed tickets at {}/jobs/1, 2...",
        demo.central.url, demo.sample_code, demo.printer.control_url
    );

    if let Some(frames) = args.bench_visit {
        let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code)?;
        let found = runtime.block_on(controller::find(&demo.engine, &code))?;
        let r = citas_kiosk::bench::visit(
            args.size,
            &found,
            &demo.engine,
            &demo.scanner_uri(),
            runtime.handle(),
            frames,
        )?;
        println!(
            "{}",
            serde_json::json!({
                "screens": r.screens,
                "frames": r.frames,
                "median_render_ms": r.median_render.as_secs_f64() * 1000.0,
                "max_render_ms": r.max_render.as_secs_f64() * 1000.0,
                "rss_kib": r.rss_kib,
                "peak_rss_kib": r.peak_rss_kib,
                "pss_kib": r.pss_kib,
            })
        );
        return Ok(());
    }
    if let Some(dir) = args.screenshots {
        let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code)?;
        let found = runtime.block_on(controller::find(&demo.engine, &code))?;
        let services = demo.services(runtime.handle().clone(), DeviceParts::simulated())?;
        for path in screenshots::render_all(&dir, args.size, &found, &services)? {
            println!("{}", path.display());
        }
        return Ok(());
    }

    let services = demo.services(runtime.handle().clone(), DeviceParts::simulated())?;
    run_window(
        &runtime,
        services,
        demo::schedule(),
        serde_json::json!({"app": "citas-kiosk", "mode": "demo"}),
    )
}

/// The kiosk's window, with the background sync running until it closes.
fn run_window(
    runtime: &tokio::runtime::Runtime,
    services: Services,
    schedule: kiosk_sync::Schedule,
    heartbeat: serde_json::Value,
) -> anyhow::Result<()> {
    let shutdown = tokio_util::sync::CancellationToken::new();
    let engine = services.engine.clone();
    let _sync = {
        let _guard = runtime.enter();
        let device = services.device.clone();
        // Each heartbeat says how often the call-staff button was pressed since the last one.
        let health = move || {
            let mut body = heartbeat.clone();
            if let Some(map) = body.as_object_mut() {
                map.insert("staff_calls".into(), device.take_staff_calls().into());
            }
            body
        };
        engine.spawn(schedule, health, shutdown.clone())
    };
    let ui = AppWindow::new()?;
    controller::wire(&ui, services);
    // systemd (Type=notify): ready once the first frame is drawn; the watchdog fed from the UI
    // loop, so a frozen screen gets the kiosk restarted. Nothing happens off systemd.
    slint::Timer::single_shot(std::time::Duration::ZERO, kiosk_device::systemd::ready);
    let watchdog = slint::Timer::default();
    if let Some(every) = kiosk_device::systemd::watchdog_interval() {
        watchdog.start(slint::TimerMode::Repeated, every, kiosk_device::systemd::watchdog);
    }
    ui.run()?;
    shutdown.cancel();
    Ok(())
}
