//! The kiosk's pins and clock as the app uses them (`kiosk-device`): the status LED follows the
//! kiosk's health, the call-staff button shows a notice and is counted in the next heartbeat,
//! and no booking starts while the clock is not synchronised.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kiosk_device::clock::{AssumedClock, ClockSync, KernelClock};
use kiosk_device::gpio::{Gpio, SimGpio};

/// The device parts the controller uses.
#[derive(Debug, Clone)]
pub struct DeviceParts {
    pub gpio: Arc<dyn Gpio>,
    pub clock: Arc<dyn ClockSync>,
    /// Call-staff presses since the last heartbeat.
    pub staff_calls: Arc<AtomicU32>,
    /// The display's backlight, dimmed with the screen (`None`: dimmed on screen only).
    pub backlight: Option<kiosk_device::backlight::Backlight>,
}

impl DeviceParts {
    /// A simulated board and a clock taken as right (the demo, tests, a workstation).
    pub fn simulated() -> DeviceParts {
        DeviceParts::new(Arc::new(SimGpio::default()), Arc::new(AssumedClock::new(true)))
    }

    pub fn new(gpio: Arc<dyn Gpio>, clock: Arc<dyn ClockSync>) -> DeviceParts {
        DeviceParts {
            gpio,
            clock,
            staff_calls: Arc::default(),
            backlight: None,
        }
    }

    /// The device's own: the Pi's pins when built with `rpi` (a simulated board, said in the
    /// log, when they cannot be opened) and the kernel's clock.
    pub fn of_this_machine() -> DeviceParts {
        #[cfg(feature = "rpi")]
        let gpio: Arc<dyn Gpio> = match kiosk_device::gpio::RpiGpio::open(kiosk_device::gpio::Pins::default()) {
            Ok(g) => Arc::new(g),
            Err(e) => {
                tracing::error!(error = %e, "the Pi's pins cannot be opened; LED and buttons are off");
                Arc::new(SimGpio::default())
            }
        };
        #[cfg(not(feature = "rpi"))]
        let gpio: Arc<dyn Gpio> = {
            tracing::info!("built without the rpi feature: no LED nor buttons");
            Arc::new(SimGpio::default())
        };
        DeviceParts {
            backlight: kiosk_device::backlight::Backlight::of_this_machine(),
            ..DeviceParts::new(gpio, Arc::new(KernelClock))
        }
    }

    /// Takes the count of call-staff presses for a heartbeat.
    pub fn take_staff_calls(&self) -> u32 {
        self.staff_calls.swap(0, Ordering::Relaxed)
    }
}
