//! Printers by URI, and a print job's protocol with them: status before, the job in one write,
//! a barrier (`GS r 1`, answered only once everything before it is printed), status after.
//!
//! - `tcp://HOST[:PORT]`: a network printer's raw port (9100 unless given), `escpos`'s
//!   `NetworkDriver`;
//! - `usb` or `usb:VVVV:PPPP`: the first USB printer, or that vendor and product ([`crate::usb`]);
//! - `file:PATH`: a device node (`/dev/usb/lp0`, read for status without blocking) or a plain
//!   file (which gives no status: a job written to it counts as printed), `escpos`'s
//!   `FileDriver`.
//!
//! A printer that cannot answer at all (a plain file, a unidirectional USB printer) is printed
//! to without status; one that can but does not is reported ([`PrintError::NoAnswer`]).
//!
//! Everything here blocks; async callers use `spawn_blocking`.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use escpos::driver::{Driver, FileDriver, NetworkDriver};
use escpos::utils::RealTimeStatusRequest;
use serde::Serialize;

use crate::error::PrintError;
use crate::status::PrinterStatus;
use crate::usb::UsbDriver;

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum PrinterUri {
    Tcp { host: String, port: u16 },
    Usb { id: Option<(u16, u16)> },
    File(PathBuf),
}

/// The raw port of network receipt printers.
pub const RAW_PORT: u16 = 9100;

impl FromStr for PrinterUri {
    type Err = PrintError;
    fn from_str(s: &str) -> Result<PrinterUri, PrintError> {
        let bad = |why: &str| {
            PrintError::Uri(format!(
                "{s:?}: {why} (expected tcp://HOST:PORT, usb, usb:VVVV:PPPP or file:PATH)"
            ))
        };
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                    (h, p.parse::<u16>().map_err(|_| bad("the port is not a number"))?)
                }
                _ => (rest, RAW_PORT),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if host.is_empty() || port == 0 {
                return Err(bad("no host or port"));
            }
            return Ok(PrinterUri::Tcp {
                host: host.to_owned(),
                port,
            });
        }
        if s == "usb" {
            return Ok(PrinterUri::Usb { id: None });
        }
        if let Some(id) = s.strip_prefix("usb:") {
            let (v, p) = id.split_once(':').ok_or_else(|| bad("a USB id is VVVV:PPPP in hex"))?;
            let hex = |x: &str| u16::from_str_radix(x, 16).map_err(|_| bad("a USB id is VVVV:PPPP in hex"));
            return Ok(PrinterUri::Usb {
                id: Some((hex(v)?, hex(p)?)),
            });
        }
        if let Some(path) = s.strip_prefix("file:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(bad("no path"));
            }
            return Ok(PrinterUri::File(PathBuf::from(path)));
        }
        Err(bad("unknown kind of printer"))
    }
}

impl fmt::Display for PrinterUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterUri::Tcp { host, port } if host.contains(':') => write!(f, "tcp://[{host}]:{port}"),
            PrinterUri::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            PrinterUri::Usb { id: None } => f.write_str("usb"),
            PrinterUri::Usb { id: Some((v, p)) } => write!(f, "usb:{v:04x}:{p:04x}"),
            PrinterUri::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

impl From<PrinterUri> for String {
    fn from(u: PrinterUri) -> String {
        u.to_string()
    }
}

/// How long each step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting, and one write.
    pub connect: Duration,
    /// One status answer.
    pub status: Duration,
    /// The barrier after a job: the whole ticket printed and cut.
    pub finish: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(3),
            status: Duration::from_secs(2),
            finish: Duration::from_secs(20),
        }
    }
}

/// A job's end as the printer told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printed {
    /// The status after the job; `None` from a printer that gives none (a plain file, a
    /// unidirectional USB printer).
    pub status: Option<PrinterStatus>,
    /// Whether the printer answered the barrier (everything before it is printed).
    pub confirmed: bool,
}

/// A printer to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    pub uri: PrinterUri,
    pub timeouts: Timeouts,
}

/// `GS r 1`: the paper sensor status, sent in turn with print data.
const BARRIER: &[u8] = &[0x1D, 0x72, 0x01];

/// An open connection and whether it can answer at all.
struct Link {
    driver: Box<dyn Driver>,
    /// A plain file: nothing to read.
    mute: bool,
    /// A connection, whose end of stream means the printer hung up.
    stream: bool,
}

impl Printer {
    pub fn new(uri: PrinterUri) -> Printer {
        Printer {
            uri,
            timeouts: Timeouts::default(),
        }
    }

    fn open(&self) -> Result<Link, PrintError> {
        let unreachable = |e: String| PrintError::Unreachable {
            printer: self.uri.to_string(),
            reason: e,
        };
        match &self.uri {
            PrinterUri::Tcp { host, port } => {
                // NetworkDriver wants an IP address when given a timeout.
                let addr = (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(|e| unreachable(e.to_string()))?
                    .next()
                    .ok_or_else(|| unreachable(format!("{host} has no address")))?;
                let driver = NetworkDriver::open(&addr.ip().to_string(), addr.port(), Some(self.timeouts.connect))
                    .map_err(|e| unreachable(e.to_string()))?;
                // Its read timeout is the connect timeout; `read_byte` loops to its own deadline.
                Ok(Link {
                    driver: Box::new(driver),
                    mute: false,
                    stream: true,
                })
            }
            PrinterUri::Usb { id } => {
                let driver = UsbDriver::open(*id, self.timeouts.status).map_err(unreachable)?;
                Ok(Link {
                    // A unidirectional printer cannot answer: a job sent counts as printed.
                    mute: !driver.bidirectional(),
                    driver: Box::new(driver),
                    stream: false,
                })
            }
            PrinterUri::File(path) => {
                let device = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device());
                if device {
                    let driver = DeviceNode::open(path).map_err(|e| unreachable(e.to_string()))?;
                    return Ok(Link {
                        driver: Box::new(driver),
                        mute: false,
                        stream: false,
                    });
                }
                let mut options = OpenOptions::new();
                options.append(true).create(true);
                let driver = FileDriver::open_with_options(path, &options).map_err(|e| unreachable(e.to_string()))?;
                Ok(Link {
                    driver: Box::new(driver),
                    mute: true,
                    stream: false,
                })
            }
        }
    }

    /// The next byte the printer sends that `accept` takes, within `timeout`. `None`: nothing
    /// came (or the printer cannot send).
    fn read_byte(link: &Link, timeout: Duration, accept: impl Fn(u8) -> bool) -> Result<Option<u8>, PrintError> {
        if link.mute {
            return Ok(None);
        }
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 1];
        loop {
            let quiet = match link.driver.read(&mut buf) {
                Ok(1) if accept(buf[0]) => return Ok(Some(buf[0])),
                Ok(1) => false, // a late answer to an earlier request: read on, within the deadline
                Ok(_) => {
                    // End of stream: a connection the printer closed, or a device with nothing
                    // to say yet.
                    if link.stream {
                        return Err(PrintError::Io("the printer closed the connection".into()));
                    }
                    true
                }
                Err(_) => true, // a read timeout, or EAGAIN from a device node
            };
            if Instant::now() >= deadline {
                return Ok(None);
            }
            if quiet {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    fn query(&self, link: &Link) -> Result<Option<PrinterStatus>, PrintError> {
        if link.mute {
            return Ok(None);
        }
        let mut replies = [0u8; 4];
        for (reply, request) in replies.iter_mut().zip([
            RealTimeStatusRequest::Printer,
            RealTimeStatusRequest::OfflineCause,
            RealTimeStatusRequest::ErrorCause,
            RealTimeStatusRequest::RollPaperSensor,
        ]) {
            let (n, _) = <(u8, u8)>::from(request);
            link.driver
                .write(&[0x10, 0x04, n])
                .map_err(|e| PrintError::Io(e.to_string()))?;
            *reply = Self::read_byte(link, self.timeouts.status, PrinterStatus::is_status_byte)?.ok_or_else(|| {
                PrintError::NoAnswer {
                    printer: self.uri.to_string(),
                }
            })?;
        }
        PrinterStatus::from_replies(replies[0], replies[1], replies[2], replies[3])
            .map(Some)
            .map_err(PrintError::Io)
    }

    /// The printer's status now; `None` from one that gives none.
    pub fn status(&self) -> Result<Option<PrinterStatus>, PrintError> {
        let link = self.open()?;
        self.query(&link)
    }

    /// Prints one job: refused with [`PrintError::NotReady`] when the printer says it cannot
    /// print (nothing is sent), and [`PrintError::AfterJob`] when it is not healthy afterwards
    /// (the ticket may be missing or cut short: print it again).
    pub fn print(&self, job: &[u8]) -> Result<Printed, PrintError> {
        let link = self.open()?;
        if let Some(before) = self.query(&link)?
            && !before.ready()
        {
            return Err(PrintError::NotReady(before));
        }
        link.driver.write(job).map_err(|e| PrintError::Io(e.to_string()))?;
        link.driver.flush().map_err(|e| PrintError::Io(e.to_string()))?;
        if link.mute {
            return Ok(Printed {
                status: None,
                confirmed: false,
            });
        }
        link.driver.write(BARRIER).map_err(|e| PrintError::Io(e.to_string()))?;
        // The barrier's answer has bit 4 clear, which tells it from a DLE EOT answer.
        let confirmed = Self::read_byte(&link, self.timeouts.finish, |b| b & 0b1001_0000 == 0)?.is_some();
        if !confirmed {
            tracing::warn!(printer = %self.uri, "no answer to GS r after the job; judging by its status");
        }
        let after = self.query(&link)?;
        match after {
            Some(s) if !s.ready() => Err(PrintError::AfterJob(s)),
            status => Ok(Printed { status, confirmed }),
        }
    }
}

/// A printer's device node (`/dev/usb/lp0`): written blocking, read without ever blocking (a
/// printer that has nothing to say would otherwise hold the read forever).
struct DeviceNode {
    path: String,
    write: Mutex<File>,
    read: Mutex<File>,
}

impl DeviceNode {
    fn open(path: &Path) -> std::io::Result<DeviceNode> {
        let write = OpenOptions::new().write(true).open(path)?;
        let read = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        Ok(DeviceNode {
            path: path.display().to_string(),
            write: Mutex::new(write),
            read: Mutex::new(read),
        })
    }
}

fn io(e: impl fmt::Display) -> escpos::errors::PrinterError {
    escpos::errors::PrinterError::Io(e.to_string())
}

impl Driver for DeviceNode {
    fn name(&self) -> String {
        format!("device ({})", self.path)
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.write.lock().map_err(io)?.write_all(data).map_err(io)
    }
    fn read(&self, buf: &mut [u8]) -> escpos::errors::Result<usize> {
        self.read.lock().map_err(io)?.read(buf).map_err(io)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        self.write.lock().map_err(io)?.flush().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_printer_uri() {
        let p = |s: &str| s.parse::<PrinterUri>().unwrap();
        assert_eq!(
            p("tcp://10.0.0.5:9100"),
            PrinterUri::Tcp {
                host: "10.0.0.5".into(),
                port: 9100
            }
        );
        assert_eq!(p("tcp://printer.local").to_string(), "tcp://printer.local:9100");
        assert_eq!(p("tcp://[::1]:9101").to_string(), "tcp://[::1]:9101");
        assert_eq!(p("usb"), PrinterUri::Usb { id: None });
        assert_eq!(p("usb:04b8:0e28").to_string(), "usb:04b8:0e28");
        assert_eq!(p("file:/dev/usb/lp0"), PrinterUri::File("/dev/usb/lp0".into()));
        for bad in ["lpt1", "tcp://:9100", "tcp://h:port", "usb:zz:01", "file:"] {
            assert!(bad.parse::<PrinterUri>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_plain_file_takes_the_job_and_gives_no_status() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let printer = Printer::new(PrinterUri::File(path.clone()));
        assert_eq!(printer.status().unwrap(), None);
        let job = printer.print(b"\x1b@hola\n").unwrap();
        assert_eq!(job.status, None);
        printer.print(b"adios\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"\x1b@hola\nadios\n");
    }
}
