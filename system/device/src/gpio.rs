//! The kiosk's pins: a status LED (green and red: green ok, both (amber) degraded, red out of
//! service), a call-staff button and a presence sensor, behind [`Gpio`] so the app never knows
//! whether it runs on a Pi ([`RpiGpio`], feature `rpi`) or not ([`SimGpio`]).

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

/// What the status LED shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Led {
    Ok,
    Degraded,
    OutOfService,
}

impl Led {
    /// What the kiosk's state shows: red when visitors cannot book (out of service, or the
    /// clock not synchronised), amber while something waits (the outbox, the network), green
    /// otherwise.
    pub fn for_health(out_of_service: bool, clock_synchronised: bool, waiting: bool) -> Led {
        if out_of_service || !clock_synchronised {
            Led::OutOfService
        } else if waiting {
            Led::Degraded
        } else {
            Led::Ok
        }
    }

    /// (green, red).
    pub fn lamps(self) -> (bool, bool) {
        match self {
            Led::Ok => (true, false),
            Led::Degraded => (true, true),
            Led::OutOfService => (false, true),
        }
    }
}

/// Something that happened at the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceEvent {
    /// The call-staff button was pressed (once per press, however it bounced).
    CallStaff,
    /// Someone stands in front of the kiosk (`true`) or no one any more (`false`).
    Presence(bool),
}

#[derive(Debug, thiserror::Error)]
pub enum GpioError {
    #[error("GPIO: {0}")]
    Pins(String),
}

/// The kiosk's pins.
pub trait Gpio: Send + Sync + fmt::Debug {
    fn set_led(&self, led: Led) -> Result<(), GpioError>;
    /// Events from the button and the sensor.
    fn subscribe(&self) -> broadcast::Receiver<DeviceEvent>;
}

/// Presses closer together than this are one press (contacts bounce; a visitor presses twice).
pub const PRESS_GAP: Duration = Duration::from_millis(500);

/// Turns raw button edges into presses.
#[derive(Debug, Default)]
pub struct Debouncer {
    last: Option<Instant>,
}

impl Debouncer {
    /// Whether an edge at `at` is a new press.
    pub fn press(&mut self, at: Instant) -> bool {
        let new = self.last.is_none_or(|l| at.duration_since(l) >= PRESS_GAP);
        if new {
            self.last = Some(at);
        }
        new
    }
}

/// A board in memory: tests and machines without GPIO drive it.
#[derive(Debug)]
pub struct SimGpio {
    led: Mutex<Option<Led>>,
    events: broadcast::Sender<DeviceEvent>,
    button: Mutex<Debouncer>,
}

impl Default for SimGpio {
    fn default() -> SimGpio {
        SimGpio {
            led: Mutex::new(None),
            events: broadcast::Sender::new(16),
            button: Mutex::new(Debouncer::default()),
        }
    }
}

impl SimGpio {
    /// What the LED shows (`None` before anything set it).
    pub fn led(&self) -> Option<Led> {
        *self.led.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A raw edge of the call-staff button at `at`.
    pub fn button_edge(&self, at: Instant) {
        if self.button.lock().unwrap_or_else(PoisonError::into_inner).press(at) {
            let _ = self.events.send(DeviceEvent::CallStaff);
        }
    }

    pub fn presence(&self, here: bool) {
        let _ = self.events.send(DeviceEvent::Presence(here));
    }
}

impl Gpio for SimGpio {
    fn set_led(&self, led: Led) -> Result<(), GpioError> {
        *self.led.lock().unwrap_or_else(PoisonError::into_inner) = Some(led);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<DeviceEvent> {
        self.events.subscribe()
    }
}

/// Which BCM pins the kiosk's parts are wired to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pins {
    pub led_green: u8,
    pub led_red: u8,
    /// To ground when pressed (internal pull-up).
    pub button: u8,
    /// High while someone is in front (a PIR sensor's output).
    pub presence: u8,
}

impl Default for Pins {
    fn default() -> Pins {
        Pins {
            led_green: 23,
            led_red: 24,
            button: 17,
            presence: 27,
        }
    }
}

/// The Pi's pins through `rppal`. Tested only on a Pi: off one, `open` fails ("Unknown
/// Raspberry Pi model").
#[cfg(feature = "rpi")]
pub struct RpiGpio {
    green: Mutex<rppal::gpio::OutputPin>,
    red: Mutex<rppal::gpio::OutputPin>,
    // Kept so their interrupts stay armed.
    _button: rppal::gpio::InputPin,
    _presence: rppal::gpio::InputPin,
    events: broadcast::Sender<DeviceEvent>,
}

#[cfg(feature = "rpi")]
impl fmt::Debug for RpiGpio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpiGpio").finish_non_exhaustive()
    }
}

#[cfg(feature = "rpi")]
impl RpiGpio {
    pub fn open(pins: Pins) -> Result<RpiGpio, GpioError> {
        use rppal::gpio::{Gpio as Chip, Trigger};
        let err = |e: rppal::gpio::Error| GpioError::Pins(e.to_string());
        let chip = Chip::new().map_err(err)?;
        let events = broadcast::Sender::new(16);
        let green = chip.get(pins.led_green).map_err(err)?.into_output_low();
        let red = chip.get(pins.led_red).map_err(err)?.into_output_low();
        let mut button = chip.get(pins.button).map_err(err)?.into_input_pullup();
        let tx = events.clone();
        let debouncer = Mutex::new(Debouncer::default());
        button
            .set_async_interrupt(Trigger::FallingEdge, Some(Duration::from_millis(30)), move |_| {
                if debouncer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .press(Instant::now())
                {
                    let _ = tx.send(DeviceEvent::CallStaff);
                }
            })
            .map_err(err)?;
        let mut presence = chip.get(pins.presence).map_err(err)?.into_input();
        let tx = events.clone();
        presence
            .set_async_interrupt(Trigger::Both, Some(Duration::from_millis(200)), move |e| {
                let _ = tx.send(DeviceEvent::Presence(e.trigger == Trigger::RisingEdge));
            })
            .map_err(err)?;
        Ok(RpiGpio {
            green: Mutex::new(green),
            red: Mutex::new(red),
            _button: button,
            _presence: presence,
            events,
        })
    }
}

#[cfg(feature = "rpi")]
impl Gpio for RpiGpio {
    fn set_led(&self, led: Led) -> Result<(), GpioError> {
        let (green, red) = led.lamps();
        let set = |pin: &Mutex<rppal::gpio::OutputPin>, on: bool| {
            let mut p = pin.lock().unwrap_or_else(PoisonError::into_inner);
            if on { p.set_high() } else { p.set_low() }
        };
        set(&self.green, green);
        set(&self.red, red);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<DeviceEvent> {
        self.events.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bouncing_button_makes_one_call() {
        let gpio = SimGpio::default();
        let mut rx = gpio.subscribe();
        let t0 = Instant::now();
        for ms in [0, 3, 9, 40, 120] {
            gpio.button_edge(t0 + Duration::from_millis(ms));
        }
        gpio.button_edge(t0 + Duration::from_millis(900));
        assert_eq!(rx.try_recv().ok(), Some(DeviceEvent::CallStaff));
        assert_eq!(rx.try_recv().ok(), Some(DeviceEvent::CallStaff), "the second press");
        assert!(rx.try_recv().is_err(), "and nothing else");
    }

    #[test]
    fn the_led_is_red_whenever_visitors_cannot_book() {
        assert_eq!(Led::for_health(true, true, false), Led::OutOfService);
        assert_eq!(Led::for_health(false, false, false), Led::OutOfService);
        assert_eq!(Led::for_health(false, true, true), Led::Degraded);
        assert_eq!(Led::for_health(false, true, false), Led::Ok);
    }

    #[test]
    fn the_led_is_amber_when_degraded_and_red_out_of_service() {
        assert_eq!(Led::Degraded.lamps(), (true, true));
        assert_eq!(Led::OutOfService.lamps(), (false, true));
        let gpio = SimGpio::default();
        assert_eq!(gpio.led(), None);
        gpio.set_led(Led::Ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(gpio.led(), Some(Led::Ok));
    }

    #[test]
    fn presence_reaches_every_listener() {
        let gpio = SimGpio::default();
        let (mut a, mut b) = (gpio.subscribe(), gpio.subscribe());
        gpio.presence(true);
        assert_eq!(a.try_recv().ok(), Some(DeviceEvent::Presence(true)));
        assert_eq!(b.try_recv().ok(), Some(DeviceEvent::Presence(true)));
    }
}
