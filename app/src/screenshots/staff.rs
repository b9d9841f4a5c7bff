//! Staff's screens for `--screenshots`: the PIN pad, maintenance's three tabs from what the
//! demo's kiosk really reports, the visitors' out-of-service notice, the dimmed welcome screen,
//! and the start-up screen at each stage.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use kiosk_core::Explain;
use slint::ComponentHandle;

use super::{Screen, lang_of};
use crate::ui::{AppWindow, Kiosk, Page};

/// Staff's screens, from what the demo's kiosk really reports: the PIN pad, the health report,
/// the printer and scanner after a test scan, the service tab with the log's recent problems,
/// the visitors' out-of-service notice, and the dimmed welcome screen.
pub(super) fn screens(services: &crate::services::Services) -> anyhow::Result<Vec<Screen>> {
    use crate::screens::maintenance::{actions, report};
    use crate::ui::{Maintenance, MaintenanceTab, StaffPad};
    let runtime = &services.runtime;
    let observed = runtime.block_on(kiosk_health::observe(&services.health_sources()));
    let scanner = services.scanner.clone().context("the demo has a scanner")?;
    let page = runtime.block_on(actions::scan_one_page(
        scanner,
        tokio_util::sync::CancellationToken::new(),
    ))?;
    let printing = services.printing.clone().context("the demo has a printer")?;
    let jobs = runtime.block_on(printing.recent(10));
    let problems = crate::logging::recent();
    let staff = |ui: &AppWindow, tab: MaintenanceTab| {
        ui.global::<StaffPad>().set_pad_open(false);
        let s = ui.global::<Maintenance>();
        s.set_staff_id("ana.lopez".into());
        s.set_tab(tab);
        s.set_action_message("".into());
        s.set_action_failed(false);
    };
    let mut screens = vec![
        Screen::new("staff-pin-pad", Page::Welcome).with(|ui, _| {
            let s = ui.global::<StaffPad>();
            s.set_pad_open(true);
            s.set_pad_locked(false);
            s.set_digits(4);
            s.set_pad_message(
                kiosk_core::staff::PinOutcome::Wrong { tries_left: 3 }
                    .explain(lang_of(ui))
                    .into(),
            );
        }),
        Screen::new("staff-pin-pad-locked", Page::Welcome).with(|ui, _| {
            let s = ui.global::<StaffPad>();
            s.set_pad_open(true);
            s.set_digits(0);
            s.set_pad_locked(true);
            s.set_pad_message(
                kiosk_core::staff::PinOutcome::Locked { minutes_left: 15 }
                    .explain(lang_of(ui))
                    .into(),
            );
        }),
    ];
    screens.push(Screen::new("maintenance-health", Page::Maintenance).with({
        let observed = observed.clone();
        move |ui, _| {
            staff(ui, MaintenanceTab::Health);
            report::show_observations(ui, &observed, lang_of(ui));
        }
    }));
    screens.push(
        Screen::new("maintenance-devices", Page::Maintenance).with(move |ui, lang| {
            staff(ui, MaintenanceTab::Devices);
            actions::show_scan(ui, &page);
            report::show_jobs(ui, jobs.clone(), lang);
            ui.global::<Maintenance>().set_action_message(
                lang.pick(
                    "Página escaneada: revise que se lea bien. No se guarda ni se envía.",
                    "Page scanned: check that it reads well. It is neither kept nor sent.",
                )
                .into(),
            );
        }),
    );
    screens.push(
        Screen::new("maintenance-service", Page::Maintenance).with(move |ui, _| {
            staff(ui, MaintenanceTab::Service);
            report::show_problems(ui, problems.clone(), lang_of(ui));
            ui.global::<Kiosk>().set_staff_out_of_service(true);
            ui.global::<Maintenance>()
                .set_notice("Por favor use el quiosco junto a la puerta / Please use the kiosk by the door".into());
        }),
    );
    screens.push(Screen::new("out-of-service-by-staff", Page::Welcome).with(|ui, _| {
        let k = ui.global::<Kiosk>();
        k.set_staff_out_of_service(true);
        k.set_staff_notice("Por favor use el quiosco junto a la puerta / Please use the kiosk by the door".into());
    }));
    screens.push(Screen::new("welcome-dimmed", Page::Welcome).with(|ui, _| {
        ui.global::<Kiosk>().set_staff_out_of_service(false);
        ui.global::<Kiosk>().set_dimmed(true);
    }));
    screens.extend(startup_screens());
    Ok(screens)
}

/// The image's own kiosk.toml, as a new card has it (and nothing provisioned).
const SHIPPED: &str = include_str!("../../../yocto/meta-citas/recipes-citas/citas-kiosk/files/kiosk.toml");

/// The start-up screen at each stage, with the detail a technician would read: a new card (the
/// image's kiosk.toml alone: what the emulated appliance shows, app/tests/appliance.rs), a
/// provisioned file with a mistake (both checked by kiosk-config), an unreachable server, a
/// refused token, a database that cannot be opened.
fn startup_screens() -> Vec<Screen> {
    use crate::startup::Stage;
    let problems_of = |text: &str, path: &str| match kiosk_config::Config::parse(text, Path::new(path)) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    };
    let broken =
        "[server]\nurl = \"https://citas.sre.example/api/\"\n[kiosk]\nid = \"LAX LOBBY 1\"\noffices = [\"LAX\"]\n";
    let retry_in = Duration::from_secs(16);
    let stages = [
        (
            "startup-not-set-up",
            Stage::NotSetUp {
                problems: problems_of(SHIPPED, kiosk_config::BASE),
            },
        ),
        (
            "startup-provisioning-mistake",
            Stage::NotSetUp {
                problems: problems_of(broken, kiosk_config::PROVISIONED),
            },
        ),
        (
            "startup-connecting",
            Stage::Connecting {
                attempt: 4,
                error: "enrolling with the central server: no answer from the central server: connection refused"
                    .into(),
                retry_in,
            },
        ),
        (
            "startup-token-refused",
            Stage::TokenRefused {
                error: "enrolling with the central server: the central server refused (401 invalid-enrolment-token): \
                        unknown or already used enrolment token"
                    .into(),
                retry_in,
            },
        ),
        (
            "startup-cannot-start",
            Stage::CannotStart {
                attempt: 2,
                error: "the kiosk's database: disk I/O error".into(),
                retry_in,
            },
        ),
    ];
    stages
        .into_iter()
        .map(|(name, stage)| Screen::new(name, Page::Welcome).with(move |ui, _| stage.show(ui)))
        .collect()
}
