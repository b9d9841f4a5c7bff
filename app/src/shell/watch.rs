//! What the shell hears from outside the screen: the server's health (out of service, the
//! clock, the status LED), the call-staff button and the presence sensor, and USB scanners
//! plugged in or out. Events arrive on the runtime and reach the UI thread through the
//! bridge's one stream.

use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, Weak};
use tokio::sync::mpsc;

use super::Shell;
use crate::screens::Ctx;
use crate::services::Services;
use crate::ui::{AppWindow, Kiosk};

/// How long the "staff has been called" notice stays.
const STAFF_NOTICE: Duration = Duration::from_secs(20);

/// Something from outside, for the UI thread.
#[derive(Debug)]
enum Event {
    CallStaff,
    Presence(bool),
    ScannerPlugged,
}

/// Starts listening to the device's events (and USB hot-plug, where the scanner is on USB).
pub(super) fn start(shell: &Rc<Shell>, services: &Services) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut events = services.device.gpio.subscribe();
    let device = services.device.clone();
    let to_ui = tx.clone();
    let gpio = services.runtime.spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            let event = match events.recv().await {
                Ok(kiosk_device::gpio::DeviceEvent::CallStaff) => {
                    device.staff_calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!("the call-staff button was pressed");
                    Event::CallStaff
                }
                Ok(kiosk_device::gpio::DeviceEvent::Presence(here)) => {
                    tracing::debug!(here, "presence sensor");
                    Event::Presence(here)
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "device events arrived faster than they were read");
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            if to_ui.send(event).is_err() {
                return;
            }
        }
    });
    shell.watchers.borrow_mut().push(gpio);
    if services.scanner == Some(kiosk_scan::DeviceUri::Usb) {
        shell.watchers.borrow_mut().push(services.runtime.spawn(watch_usb(tx)));
    }
    let weak = Rc::downgrade(shell);
    // Not tied to a visit: the device's events are the kiosk's.
    shell
        .ctx
        .bridge
        .stream(&crate::bridge::Generation::default(), rx, move |event| {
            let Some(shell) = weak.upgrade() else { return };
            match event {
                Event::CallStaff => staff_called(&shell),
                Event::Presence(here) => shell.idle.presence(&shell, here),
                Event::ScannerPlugged => shell.scanner_changed(),
            }
        });
}

/// The call-staff notice on screen for [`STAFF_NOTICE`] (the press is counted for the next
/// heartbeat, so the consulate's system sees which kiosk called).
fn staff_called(shell: &Shell) {
    let Some(ui) = shell.ui.upgrade() else { return };
    ui.global::<Kiosk>().set_staff_called(true);
    let weak = ui.as_weak();
    slint::Timer::single_shot(STAFF_NOTICE, move || {
        if let Some(ui) = weak.upgrade() {
            ui.global::<Kiosk>().set_staff_called(false);
        }
    });
}

/// A USB scanner plugged in or out (`nusb::watch_devices`). Hardware-only: this machine has
/// no USB bus to watch.
async fn watch_usb(tx: mpsc::UnboundedSender<Event>) {
    use futures_util::StreamExt;
    let events = match kiosk_scan::usb::watch() {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, "USB hot-plug events are not available; the scanner is polled");
            return;
        }
    };
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        tracing::info!(?event, "USB scanner plugged in or out");
        if tx.send(Event::ScannerPlugged).is_err() {
            return;
        }
    }
}

/// Out of service: the last call failed and nothing synced for a while
/// ([`kiosk_sync::SyncStatus::out_of_service`]); or the clock is not synchronised, so no
/// appointment time could be shown right. Looking an appointment up stays available. The
/// status LED says the same: red out of service, amber while something waits (the outbox, the
/// network), green otherwise.
pub(super) fn check_health(ui: &Weak<AppWindow>, ctx: &Ctx) {
    let services = ctx.services.clone();
    let engine = services.engine.clone();
    let ui = ui.clone();
    // Not tied to a visit: the health is the kiosk's.
    ctx.bridge.spawn(
        &crate::bridge::Generation::default(),
        async move { engine.status().await },
        move |status| {
            let Some(app) = ui.upgrade() else { return };
            let now = chrono::Utc::now();
            let clock_ok = services.device.clock.synchronised();
            let (out, degraded) = match &status {
                Ok(s) => (s.out_of_service(now), !s.online || s.outbox_depth > 0),
                Err(e) => {
                    tracing::error!(error = %e, "the kiosk's store cannot be read");
                    (true, true)
                }
            };
            let k = app.global::<Kiosk>();
            // Staff took it out of service: the LED says so too.
            let staff_out = k.get_staff_out_of_service();
            if k.get_out_of_service() != out {
                tracing::warn!(out_of_service = out, "booking availability changed");
                k.set_out_of_service(out);
            }
            if k.get_clock_unsynced() == clock_ok {
                tracing::warn!(synchronised = clock_ok, "the clock's state changed");
                k.set_clock_unsynced(!clock_ok);
            }
            let led = kiosk_device::gpio::Led::for_health(out || staff_out, clock_ok, degraded);
            if let Err(e) = services.device.gpio.set_led(led) {
                tracing::warn!(error = %e, "the status LED");
            }
        },
    );
}
