//! IPP-over-USB scanners straight through `nusb`, without the `ipp-usb` daemon.
//!
//! A device qualifies when its active configuration has at least two IPP-over-USB interfaces:
//! class 7 (printer), subclass 1, protocol 4, or HP's 255/9/1, looked for on every alternate
//! setting (7/1/4 is often alt 1 behind a 7/1/2 alt 0), each with a bulk IN and a bulk OUT
//! endpoint, as OpenPrinting's `ipp-usb` matches them. Each claimed interface becomes one
//! stream of an [`InterfacePool`] (HTTP/1.1 over its two bulk endpoints, `Host: localhost`).
//!
//! Tested only on hardware: claiming interfaces and bulk transfers (this build machine has no
//! USB at all). The interface matching is tested here on descriptor data, and the pool and
//! the HTTP exchanges over it are tested with in-memory streams (`tests/escl_sim.rs`).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use nusb::transfer::{Bulk, In, Out};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::ScanError;
use crate::transport::{InterfacePool, Io};

/// Bulk transfers are queued in pieces of this size.
const TRANSFER: usize = 16 * 1024;

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

/// An IPP-over-USB interface to claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IppInterface {
    pub interface: u8,
    pub alt: u8,
    pub bulk_in: u8,
    pub bulk_out: u8,
}

fn is_ipp_usb(a: &AltSetting) -> bool {
    matches!((a.class, a.subclass, a.protocol), (7, 1, 4) | (255, 9, 1))
}

/// The IPP-over-USB interfaces among `alts` (every alternate setting of every interface of the
/// active configuration): the first qualifying alt of each interface, with its bulk endpoints.
pub fn ipp_interfaces(alts: &[AltSetting]) -> Vec<IppInterface> {
    let mut found: Vec<IppInterface> = Vec::new();
    for a in alts.iter().filter(|a| is_ipp_usb(a)) {
        if found.iter().any(|f| f.interface == a.interface) {
            continue;
        }
        let bulk_in = a.endpoints.iter().find(|(_, is_in, bulk)| *is_in && *bulk);
        let bulk_out = a.endpoints.iter().find(|(_, is_in, bulk)| !*is_in && *bulk);
        if let (Some(&(bulk_in, ..)), Some(&(bulk_out, ..))) = (bulk_in, bulk_out) {
            found.push(IppInterface {
                interface: a.interface,
                alt: a.alt,
                bulk_in,
                bulk_out,
            });
        }
    }
    found
}

/// Whether a device with these interfaces can serve a kiosk: two interfaces at least, so one
/// can answer a status request while the other carries a page.
pub fn usable(interfaces: &[IppInterface]) -> bool {
    interfaces.len() >= 2
}

/// An IPP-over-USB device found on the bus.
#[derive(Debug, Clone)]
pub struct UsbScanner {
    pub vendor_id: u16,
    pub product_id: u16,
    pub manufacturer: String,
    pub product: String,
    pub serial: String,
    pub interfaces: Vec<IppInterface>,
    info: nusb::DeviceInfo,
}

impl UsbScanner {
    /// `vvvv:pppp Manufacturer Product (serial)`.
    pub fn describe(&self) -> String {
        format!(
            "{:04x}:{:04x} {} {} ({}), {} IPP-over-USB interfaces",
            self.vendor_id,
            self.product_id,
            self.manufacturer,
            self.product,
            self.serial,
            self.interfaces.len()
        )
    }

    pub fn id(&self) -> nusb::DeviceId {
        self.info.id()
    }
}

/// A cheap first look (no device opened): an interface of class 7, or HP's 255/9/1.
fn may_be_ipp_usb(info: &nusb::DeviceInfo) -> bool {
    info.interfaces()
        .any(|i| i.class() == 7 || (i.class(), i.subclass(), i.protocol()) == (255, 9, 1))
}

fn unreachable(e: impl std::fmt::Display) -> ScanError {
    ScanError::Unreachable(e.to_string())
}

/// What the device's active configuration offers, read from its descriptors.
async fn inspect(info: nusb::DeviceInfo) -> Result<Option<UsbScanner>, ScanError> {
    let device = info.open().await.map_err(unreachable)?;
    let config = device.active_configuration().map_err(unreachable)?;
    let alts: Vec<AltSetting> = config
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
        .collect();
    let interfaces = ipp_interfaces(&alts);
    if !usable(&interfaces) {
        return Ok(None);
    }
    Ok(Some(UsbScanner {
        vendor_id: info.vendor_id(),
        product_id: info.product_id(),
        manufacturer: info.manufacturer_string().unwrap_or_default().to_owned(),
        product: info.product_string().unwrap_or_default().to_owned(),
        serial: info.serial_number().unwrap_or_default().to_owned(),
        interfaces,
        info,
    }))
}

/// The IPP-over-USB devices on the bus (devices that cannot be opened are skipped with a log
/// line: usually a permissions problem the image's udev rule fixes).
pub async fn list() -> Result<Vec<UsbScanner>, ScanError> {
    let devices = nusb::list_devices().await.map_err(unreachable)?;
    let mut found = Vec::new();
    for info in devices.filter(may_be_ipp_usb) {
        match inspect(info).await {
            Ok(Some(s)) => found.push(s),
            Ok(None) => {}
            Err(e) => tracing::info!(error = %e, "a USB device with a printer interface could not be inspected"),
        }
    }
    Ok(found)
}

/// One claimed interface: its bulk IN and OUT endpoints as one byte stream.
struct UsbStream {
    reader: nusb::io::EndpointRead<Bulk>,
    writer: nusb::io::EndpointWrite<Bulk>,
}

impl AsyncRead for UsbStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for UsbStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }
}

impl Io for UsbStream {}

/// Claims every IPP-over-USB interface of `scanner` (detaching the kernel's `usblp` where it
/// holds one) and pools them.
pub async fn open(scanner: &UsbScanner) -> Result<InterfacePool, ScanError> {
    let device = scanner.info.open().await.map_err(unreachable)?;
    let mut streams: Vec<Box<dyn Io>> = Vec::new();
    for i in &scanner.interfaces {
        let interface = device
            .detach_and_claim_interface(i.interface)
            .await
            .map_err(unreachable)?;
        if i.alt != 0 {
            interface.set_alt_setting(i.alt).await.map_err(unreachable)?;
        }
        let reader = interface
            .endpoint::<Bulk, In>(i.bulk_in)
            .map_err(unreachable)?
            .reader(TRANSFER);
        let writer = interface
            .endpoint::<Bulk, Out>(i.bulk_out)
            .map_err(unreachable)?
            .writer(TRANSFER);
        streams.push(Box::new(UsbStream { reader, writer }));
    }
    Ok(InterfacePool::new(streams, "localhost"))
}

/// A scanner plugged in or out.
#[derive(Debug, Clone)]
pub enum UsbEvent {
    Connected(Box<UsbScanner>),
    Disconnected(nusb::DeviceId),
}

/// Scanners being plugged in and out, from `nusb::watch_devices`. Devices that are not
/// IPP-over-USB scanners are left out of `Connected`; every `Disconnected` is passed on (the
/// caller knows which ids are its scanners).
pub fn watch() -> Result<impl Stream<Item = UsbEvent>, ScanError> {
    let events = nusb::watch_devices().map_err(unreachable)?;
    Ok(events.filter_map(|event| async move {
        match event {
            nusb::hotplug::HotplugEvent::Connected(info) if may_be_ipp_usb(&info) => inspect(info)
                .await
                .ok()
                .flatten()
                .map(|s| UsbEvent::Connected(Box::new(s))),
            nusb::hotplug::HotplugEvent::Connected(_) => None,
            nusb::hotplug::HotplugEvent::Disconnected(id) => Some(UsbEvent::Disconnected(id)),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(interface: u8, alt: u8, class: (u8, u8, u8), endpoints: &[(u8, bool, bool)]) -> AltSetting {
        AltSetting {
            interface,
            alt,
            class: class.0,
            subclass: class.1,
            protocol: class.2,
            endpoints: endpoints.to_vec(),
        }
    }

    const BULK_PAIR: [(u8, bool, bool); 2] = [(0x81, true, true), (0x02, false, true)];

    #[test]
    fn finds_ipp_usb_interfaces_behind_a_printer_alt_setting() {
        // A typical multifunction device: interface 0 is a plain printer at alt 0 and IPP-USB
        // at alt 1; interfaces 1 and 2 are IPP-USB at alt 0; interface 3 is a fax (vendor).
        let alts = [
            alt(0, 0, (7, 1, 2), &BULK_PAIR),
            alt(0, 1, (7, 1, 4), &[(0x83, true, true), (0x04, false, true)]),
            alt(1, 0, (7, 1, 4), &[(0x85, true, true), (0x06, false, true)]),
            alt(2, 0, (7, 1, 4), &[(0x87, true, true), (0x08, false, true)]),
            alt(3, 0, (255, 0, 0), &BULK_PAIR),
        ];
        let found = ipp_interfaces(&alts);
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0],
            IppInterface {
                interface: 0,
                alt: 1,
                bulk_in: 0x83,
                bulk_out: 0x04
            }
        );
        assert!(usable(&found));
    }

    #[test]
    fn takes_hps_vendor_class_and_skips_interfaces_without_bulk_pairs() {
        let alts = [
            alt(0, 0, (255, 9, 1), &BULK_PAIR),
            alt(1, 0, (255, 9, 1), &[(0x83, true, false), (0x04, false, true)]),
            alt(2, 0, (7, 1, 4), &[(0x85, true, true)]),
        ];
        let found = ipp_interfaces(&alts);
        assert_eq!(found.len(), 1);
        assert!(
            !usable(&found),
            "one interface is not enough to scan and ask for status"
        );
    }
}
