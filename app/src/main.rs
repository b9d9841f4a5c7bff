//! `citas-kiosk`: the appointment kiosk. Without arguments it runs as on the device, configured
//! by `/etc/citas-kiosk/kiosk.toml` overlaid by `/data/kiosk/kiosk.toml`; `--config PATH`
//! (repeatable, later files override earlier ones) names other files; `--demo` runs against
//! in-process simulators; `--screenshots DIR` renders its screens to PNG and exits.

use std::path::PathBuf;

use anyhow::Context;
use citas_kiosk::device::DeviceParts;
use citas_kiosk::services::{KioskInfo, Services};
use citas_kiosk::shell;
use citas_kiosk::ui::AppWindow;
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
    #[arg(long, default_value = "1280x800", value_parser = citas_kiosk::config::parse_size)]
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
    if citas_kiosk::screens::maintenance::restart_requested() {
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
    if args.bench_first_frame || args.demo {
        return demo_mode(&args, started);
    }
    // The picture turned for the panel before any thread starts (the runtime's are next).
    let display = shell::display::prepare(&args.config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    run_device(&runtime, args.config, display, started)
}

/// A build without the `demo` feature (the Pi's image) carries no simulator.
#[cfg(not(feature = "demo"))]
fn demo_mode(_: &Args, _: std::time::Instant) -> anyhow::Result<()> {
    anyhow::bail!(
        "this build of citas-kiosk has no demo: it was built without the `demo` feature (the kiosk's \
         image never carries the simulators); build it with `--features demo` to use --demo, \
         --screenshots or the benchmarks"
    )
}

/// `--demo` (and the screenshots and benchmarks, which run on it).
#[cfg(feature = "demo")]
fn demo_mode(args: &Args, started: std::time::Instant) -> anyhow::Result<()> {
    use citas_kiosk::{demo, screenshots};
    if args.bench_first_frame {
        let took = citas_kiosk::bench::first_frame(args.size, started)?;
        println!("{:.3}", took.as_secs_f64() * 1000.0);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let demo = runtime.block_on(demo::start()).context("starting the demo")?;
    println!(
        "demo: central simulator at {}; try the appointment code {}; printed tickets at {}/jobs/1, 2...",
        demo.central.url, demo.sample_code, demo.printer.control_url
    );
    if let Some(frames) = args.bench_visit {
        let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code)?;
        let found = runtime.block_on(demo.engine.find_booking(code.as_str()))?;
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
    if let Some(dir) = &args.screenshots {
        let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code)?;
        let found = runtime.block_on(demo.engine.find_booking(code.as_str()))?;
        let services = demo.services(runtime.handle().clone(), DeviceParts::simulated())?;
        for path in screenshots::render_all(dir, args.size, &found, &services)? {
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

/// The kiosk on its device: the window at once (the start-up screen while the configuration,
/// the data or the first enrolment are missing), the visitors' screens and the background sync
/// once they are there.
fn run_device(
    runtime: &tokio::runtime::Runtime,
    named: Vec<PathBuf>,
    display: kiosk_config::Display,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    use citas_kiosk::startup::{self, Patience};
    let device = DeviceParts::of_this_machine();
    let ui = AppWindow::new()?;
    ui.global::<citas_kiosk::ui::Kiosk>()
        .set_startup(citas_kiosk::ui::Startup::Connecting);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let weak = ui.as_weak();
    let handle = runtime.handle().clone();
    let stop = shutdown.clone();
    // The services, once started, go to the UI thread, which builds the shell over them and
    // keeps it for as long as the window runs.
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Services>();
    let window = ui.as_weak();
    // The shell lives here, for as long as the window runs: not in the task that builds it.
    // A task parked on a future that never wakes holds no waker, so Slint's executor drops it,
    // and with it the shell: the welcome screen stayed up and no touch did anything.
    let shell_kept = std::rc::Rc::new(std::cell::RefCell::new(None));
    let keep = shell_kept.clone();
    slint::spawn_local(async move {
        let Ok(services) = ready_rx.await else { return };
        let Some(ui) = window.upgrade() else { return };
        ui.global::<citas_kiosk::ui::Kiosk>()
            .set_startup(citas_kiosk::ui::Startup::Ready);
        *keep.borrow_mut() = Some(shell::wire(&ui, services));
        // The welcome screen, ready for visitors: the system this kiosk runs on works.
        kiosk_device::systemd::system_good();
    })?;
    runtime.spawn(async move {
        let shown = weak.clone();
        let led = device.clone();
        // The device's own layers: a provisioning left on the boot partition is read too.
        let boot = kiosk_config::device_boot_file(&named);
        let ready = startup::until_started(&named, boot.as_deref(), Patience::default(), move |stage| {
            if let Err(e) = led.gpio.set_led(stage.led()) {
                tracing::warn!(error = %e, "status LED");
            }
            if stage.proves_the_system() {
                kiosk_device::systemd::system_good();
            }
            let _ = shown.upgrade_in_event_loop(move |ui| stage.show(&ui));
        })
        .await;
        let config = ready.config;
        // The fleet's view of an update: which image and which slot each kiosk runs.
        let system = kiosk_device::system::System::of_this_machine();
        let heartbeat = serde_json::json!({
            "app": "citas-kiosk",
            "kiosk": config.kiosk_id,
            "version": env!("CARGO_PKG_VERSION"),
            "system": system.name,
            "slot": system.slot,
        });
        let store = ready.engine.store();
        let queue = kiosk_print::PrintQueue::new(
            store.clone(),
            kiosk_print::Printer::new(config.printer.clone()),
            config.paper,
        );
        let services = Services {
            runtime: handle,
            engine: ready.engine,
            scanner: Some(config.scanner.clone()),
            printing: Some(citas_kiosk::printing::Printing::new(queue, store)),
            device,
            kiosk: KioskInfo {
                id: config.kiosk_id.clone(),
                data_dir: config.data_dir.clone(),
                offices: config.offices.clone(),
                started,
                boot_file: boot,
            },
        };
        let _sync = spawn_sync(&services, ready.schedule, heartbeat, stop.clone());
        tracing::info!(kiosk = %config.kiosk_id, "ready for visitors");
        if ready_tx.send(services).is_err() {
            tracing::error!("the window closed before the kiosk was ready");
        }
        stop.cancelled().await;
    });
    run_ui(&ui, &shutdown, display)
}

/// The demo's window, with the background sync running until it closes.
#[cfg(feature = "demo")]
fn run_window(
    runtime: &tokio::runtime::Runtime,
    services: Services,
    schedule: kiosk_sync::Schedule,
    heartbeat: serde_json::Value,
) -> anyhow::Result<()> {
    let shutdown = tokio_util::sync::CancellationToken::new();
    let _sync = {
        let _guard = runtime.enter();
        spawn_sync(&services, schedule, heartbeat, shutdown.clone())
    };
    let ui = AppWindow::new()?;
    let _shell = shell::wire(&ui, services);
    run_ui(&ui, &shutdown, kiosk_config::Display::default())
}

/// The background sync (in a runtime's context). Each heartbeat says how often the call-staff
/// button was pressed since the last one.
fn spawn_sync(
    services: &Services,
    schedule: kiosk_sync::Schedule,
    heartbeat: serde_json::Value,
    shutdown: tokio_util::sync::CancellationToken,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::watch::Receiver<kiosk_sync::Round>,
) {
    let device = services.device.clone();
    let health = move || {
        let mut body = heartbeat.clone();
        if let Some(map) = body.as_object_mut() {
            map.insert("staff_calls".into(), device.take_staff_calls().into());
        }
        body
    };
    services.engine.clone().spawn(schedule, health, shutdown)
}

/// Tells systemd the kiosk is ready once its first frame is drawn. A renderer that reports its
/// frames (femtovg on the Pi) says when; Slint's software renderer reports none, so then the
/// word goes out on the event loop's second turn: linuxkms draws and presents after a turn's
/// timers, so the first turn's frame is on the display by then.
fn notify_ready_after_first_frame(ui: &AppWindow) {
    let sent = std::rc::Rc::new(std::cell::Cell::new(false));
    let once = sent.clone();
    let reported = ui.window().set_rendering_notifier(move |state, _| {
        if matches!(state, slint::RenderingState::AfterRendering) && !once.replace(true) {
            kiosk_device::systemd::ready();
        }
    });
    if reported.is_err() {
        slint::Timer::single_shot(std::time::Duration::ZERO, move || {
            slint::Timer::single_shot(std::time::Duration::ZERO, move || {
                if !sent.replace(true) {
                    kiosk_device::systemd::ready();
                }
            });
        });
    }
}

/// Runs the window until it closes, then stops the sync.
fn run_ui(
    ui: &AppWindow,
    shutdown: &tokio_util::sync::CancellationToken,
    display: kiosk_config::Display,
) -> anyhow::Result<()> {
    // systemd (Type=notify): ready once the first frame is drawn; the watchdog fed from the UI
    // loop, so a frozen screen gets the kiosk restarted. Nothing happens off systemd.
    notify_ready_after_first_frame(ui);
    // Once shown, the panel's size is known: the UI is scaled for it (a totem's 1080x1920 at
    // 1.5, so its layout is the portrait one, larger; a dense panel of known size larger too).
    let weak = ui.as_weak();
    slint::Timer::single_shot(std::time::Duration::ZERO, move || {
        if let Some(ui) = weak.upgrade() {
            citas_kiosk::shell::display::fit(&ui, &display);
        }
    });
    let watchdog = slint::Timer::default();
    if let Some(every) = kiosk_device::systemd::watchdog_interval() {
        watchdog.start(slint::TimerMode::Repeated, every, kiosk_device::systemd::watchdog);
    }
    ui.run()?;
    shutdown.cancel();
    Ok(())
}
