//! USB receipt printers through `nusb`, as an `escpos` [`Driver`].
//!
//! `escpos`'s own `NativeUsbDriver` claims the device's first interface and takes the first
//! alternate setting's endpoints, which is wrong on printers whose printer-class interface is
//! not the first (a printer with a USB hub or a HID keypad in front, a multifunction device).
//! This driver looks at every alternate setting for the USB printer class (7/1/1
//! unidirectional or 7/1/2 bidirectional, the latter preferred: only it answers status
//! requests), or, for a device named by `vid:pid`, any interface with a bulk OUT endpoint
//! (vendor-class clones).
//!
//! Tested only on hardware: these build machines have no USB bus. The interface choice is
//! tested on descriptor data.

use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::Duration;

use escpos::driver::Driver;
use escpos::errors::PrinterError;
use nusb::MaybeFuture;
use nusb::transfer::{Bulk, In, Out};

/// One alternate setting of an interface, as its descriptor says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltSetting {
    pub interface: u8,
    pub alt: u8,
    pub class: u8,
    pub subclass: u8,
    pub protocol: u8,
    /// (address, is IN, is bulk)
    pub endpoints: Vec<(u8, bool, bool)>,
}

/// The interface to print through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterInterface {
    pub interface: u8,
    pub alt: u8,
    pub bulk_out: u8,
    /// Present on bidirectional printers: the status channel.
    pub bulk_in: Option<u8>,
}

/// The best printer interface among `alts`: a bidirectional printer-class one, else a
/// unidirectional one, else (only when `any_class`) the first with a bulk OUT endpoint.
pub fn printer_interface(alts: &[AltSetting], any_class: bool) -> Option<PrinterInterface> {
    let candidate = |a: &AltSetting| {
        let bulk_out = a.endpoints.iter().find(|(_, is_in, bulk)| !*is_in && *bulk)?.0;
        let bulk_in = a.endpoints.iter().find(|(_, is_in, bulk)| *is_in && *bulk).map(|e| e.0);
        Some(PrinterInterface {
            interface: a.interface,
            alt: a.alt,
            bulk_out,
            bulk_in,
        })
    };
    let class = |protocol: u8| {
        alts.iter()
            .filter(|a| (a.class, a.subclass, a.protocol) == (7, 1, protocol))
            .find_map(candidate)
    };
    class(2)
        .filter(|i| i.bulk_in.is_some())
        .or_else(|| class(1))
        .or_else(|| class(2))
        .or_else(|| {
            any_class
                .then(|| {
                    alts.iter()
                        .filter(|a| a.class != 7 || a.subclass != 1)
                        .find_map(candidate)
                })
                .flatten()
        })
}

fn alt_settings(device: &nusb::Device) -> Result<Vec<AltSetting>, String> {
    let config = device.active_configuration().map_err(|e| e.to_string())?;
    Ok(config
        .interface_alt_settings()
        .map(|a| AltSetting {
            interface: a.interface_number(),
            alt: a.alternate_setting(),
            class: a.class(),
            subclass: a.subclass(),
            protocol: a.protocol(),
            endpoints: a
                .endpoints()
                .map(|e| {
                    (
                        e.address(),
                        e.direction() == nusb::transfer::Direction::In,
                        e.transfer_type() == nusb::descriptors::TransferType::Bulk,
                    )
                })
                .collect(),
        })
        .collect())
}

/// A USB printer on the bus.
#[derive(Debug, Clone)]
pub struct UsbPrinter {
    pub vendor_id: u16,
    pub product_id: u16,
    pub manufacturer: String,
    pub product: String,
    pub serial: String,
    info: nusb::DeviceInfo,
}

impl UsbPrinter {
    pub fn describe(&self) -> String {
        format!(
            "usb:{:04x}:{:04x} {} {} ({})",
            self.vendor_id, self.product_id, self.manufacturer, self.product, self.serial
        )
    }
}

/// Devices with a printer-class interface, or the one named by `id` (`vid`, `pid`).
pub fn list(id: Option<(u16, u16)>) -> Result<Vec<UsbPrinter>, String> {
    Ok(nusb::list_devices()
        .wait()
        .map_err(|e| e.to_string())?
        .filter(|d| match id {
            Some((v, p)) => d.vendor_id() == v && d.product_id() == p,
            None => d
                .interfaces()
                .any(|i| i.class() == 7 && i.subclass() == 1 && i.protocol() != 4),
        })
        .map(|info| UsbPrinter {
            vendor_id: info.vendor_id(),
            product_id: info.product_id(),
            manufacturer: info.manufacturer_string().unwrap_or("").to_owned(),
            product: info.product_string().unwrap_or("").to_owned(),
            serial: info.serial_number().unwrap_or("").to_owned(),
            info,
        })
        .collect())
}

/// An open USB printer.
pub struct UsbDriver {
    name: String,
    interface: PrinterInterface,
    claimed: Mutex<nusb::Interface>,
    timeout: Duration,
}

impl std::fmt::Debug for UsbDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbDriver")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl UsbDriver {
    /// Opens the first printer (or the one named by `id`) and claims its printer interface.
    pub fn open(id: Option<(u16, u16)>, timeout: Duration) -> Result<UsbDriver, String> {
        let printer = list(id)?.into_iter().next().ok_or("no USB printer is connected")?;
        let device = printer.info.open().wait().map_err(|e| e.to_string())?;
        let interface = printer_interface(&alt_settings(&device)?, id.is_some())
            .ok_or("the USB device has no printer interface with a bulk OUT endpoint")?;
        let claimed = device
            .detach_and_claim_interface(interface.interface)
            .wait()
            .map_err(|e| e.to_string())?;
        if interface.alt != 0 {
            claimed
                .set_alt_setting(interface.alt)
                .wait()
                .map_err(|e| e.to_string())?;
        }
        Ok(UsbDriver {
            name: printer.describe(),
            interface,
            claimed: Mutex::new(claimed),
            timeout,
        })
    }
}

impl UsbDriver {
    /// Whether the printer can answer status requests (it has a bulk IN endpoint).
    pub fn bidirectional(&self) -> bool {
        self.interface.bulk_in.is_some()
    }
}

fn io(e: impl std::fmt::Display) -> PrinterError {
    PrinterError::Io(e.to_string())
}

impl Driver for UsbDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        let claimed = self.claimed.lock().map_err(io)?;
        let endpoint = claimed.endpoint::<Bulk, Out>(self.interface.bulk_out).map_err(io)?;
        let mut writer = endpoint.writer(16 * 1024).with_write_timeout(self.timeout);
        writer.write_all(data).map_err(io)?;
        writer.flush().map_err(io)
    }

    fn read(&self, buf: &mut [u8]) -> escpos::errors::Result<usize> {
        let Some(bulk_in) = self.interface.bulk_in else {
            return Ok(0); // unidirectional: no status, as from a file
        };
        let claimed = self.claimed.lock().map_err(io)?;
        let endpoint = claimed.endpoint::<Bulk, In>(bulk_in).map_err(io)?;
        let packet = endpoint.max_packet_size();
        let mut reader = endpoint.reader(packet).with_read_timeout(self.timeout);
        let mut data = Vec::new();
        let mut until = reader.until_short_packet();
        until.read_to_end(&mut data).map_err(io)?;
        until.consume_end().map_err(io)?;
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(interface: u8, class: (u8, u8, u8), eps: &[(u8, bool)]) -> AltSetting {
        AltSetting {
            interface,
            alt: 0,
            class: class.0,
            subclass: class.1,
            protocol: class.2,
            endpoints: eps.iter().map(|&(a, is_in)| (a, is_in, true)).collect(),
        }
    }

    #[test]
    fn picks_the_bidirectional_printer_interface_even_when_not_first() {
        let alts = [
            alt(0, (3, 0, 0), &[(0x81, true)]),
            alt(1, (7, 1, 1), &[(0x02, false)]),
            alt(2, (7, 1, 2), &[(0x03, false), (0x83, true)]),
        ];
        let i = printer_interface(&alts, false).unwrap();
        assert_eq!((i.interface, i.bulk_out, i.bulk_in), (2, 0x03, Some(0x83)));
    }

    #[test]
    fn takes_a_vendor_class_interface_only_for_a_named_device() {
        let alts = [alt(0, (255, 0, 0), &[(0x01, false), (0x82, true)])];
        assert_eq!(printer_interface(&alts, false), None);
        assert_eq!(printer_interface(&alts, true).unwrap().bulk_out, 0x01);
    }

    #[test]
    fn never_takes_an_ipp_over_usb_interface_for_esc_pos() {
        let alts = [alt(0, (7, 1, 4), &[(0x01, false), (0x81, true)])];
        assert_eq!(printer_interface(&alts, false), None);
    }
}
