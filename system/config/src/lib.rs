//! # kiosk-config: `kiosk.toml`
//!
//! What it is for: the one configuration format of the kiosk, read by the app at start-up,
//! checked by `kioskctl config check`, and written by provisioning. On the device it comes in
//! layers: [`BASE`] (defaults baked into the image) overlaid by [`PROVISIONED`] (written by the
//! technician's provisioning); a field of a later layer replaces the same field of an earlier
//! one. Every field is checked; an unknown field is an error, never ignored; every problem is
//! named with its file, line and field (`/data/kiosk/kiosk.toml:7: printer.paper: ...`), all of
//! them at once.
//!
//! `kiosk.example.toml` beside this crate documents every field and is checked by the tests.
//!
//! What it is not for: connecting to anything. It depends on `kiosk-scan` and `kiosk-print`
//! only for their device address types, so a scanner or printer address is checked by the
//! same parser that will use it.

use std::fmt;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kiosk_print::{Paper, PrinterUri};
use kiosk_scan::DeviceUri;
use serde::Deserialize;
use toml::Spanned;

mod boot;
mod display;
mod enrolment;
mod files;
mod server;
pub mod signature;
pub use boot::{BOOT_FILE, BOOT_MOUNT, MAX_BOOT_FILE, REFUSED_SUFFIX, device_boot_file, not_adopted};
pub use display::{Display, display_of};
pub use enrolment::{ForgetError, forget_enrolment_token};
pub use files::replace_file;
pub use server::{FLEET_CA, MAX_CA_FILE};

/// The image's defaults.
pub const BASE: &str = "/etc/citas-kiosk/kiosk.toml";
/// What provisioning wrote for this kiosk.
pub const PROVISIONED: &str = "/data/kiosk/kiosk.toml";

/// The kiosk's configuration, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub server: url::Url,
    /// The fleet's CA file (`server.ca`): the only certificates the server's may chain to.
    pub server_ca: Option<PathBuf>,
    /// A one-time token exchanged for the device's credential on first contact.
    pub enrolment_token: Option<String>,
    pub kiosk_id: String,
    pub data_dir: PathBuf,
    /// Offices whose calendars are kept fresh, the kiosk's own first.
    pub offices: Vec<String>,
    pub sync_every: Duration,
    pub scanner: DeviceUri,
    pub printer: PrinterUri,
    pub paper: Paper,
    pub network: Network,
    pub display: Display,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server.as_str())
            .field("server_ca", &self.server_ca)
            // Whether there is one, never the token.
            .field("enrolment_token", &self.enrolment_token.as_ref().map(|_| "…"))
            .field("kiosk_id", &self.kiosk_id)
            .field("data_dir", &self.data_dir)
            .field("offices", &self.offices)
            .field("sync_every", &self.sync_every)
            .field("scanner", &self.scanner)
            .field("printer", &self.printer)
            .field("paper", &self.paper)
            .field("network", &self.network)
            .field("display", &self.display)
            .finish()
    }
}

/// Where the kiosk keeps its data when the configuration does not say.
pub const DEFAULT_DATA_DIR: &str = "/data/kiosk";

/// The network the kiosk joins and the time servers it trusts (applied to the OS at first boot
/// by `kioskctl adopt`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// `None`: wired only.
    pub wifi: Option<Wifi>,
    /// NTP servers (consulate networks may block public ones); empty: the image's defaults.
    pub ntp: Vec<String>,
}

/// A WPA2/WPA3-Personal network.
#[derive(Clone, PartialEq, Eq)]
pub struct Wifi {
    pub ssid: String,
    pub psk: String,
}

impl fmt::Debug for Wifi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wifi").field("ssid", &self.ssid).finish_non_exhaustive() // never the key
    }
}

/// One problem, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based; `None` for a field that is missing from every file.
    pub line: Option<usize>,
    /// `section.field`, or empty for a problem of the whole file.
    pub key: String,
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// Why no configuration could be made: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    server: Option<RawServer>,
    kiosk: Option<RawKiosk>,
    scanner: Option<RawScanner>,
    printer: Option<RawPrinter>,
    network: Option<RawNetwork>,
    display: Option<display::RawDisplay>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    wifi_ssid: Option<Spanned<String>>,
    wifi_psk: Option<Spanned<String>>,
    ntp: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    url: Option<Spanned<String>>,
    ca: Option<Spanned<String>>,
    enrolment_token: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKiosk {
    id: Option<Spanned<String>>,
    data_dir: Option<Spanned<String>>,
    offices: Option<Spanned<Vec<String>>>,
    sync_every: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScanner {
    device: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    uri: Option<Spanned<String>>,
    /// 58 or 80 (mm), or 32, 42 or 48 (columns), as a number or a string.
    paper: Option<Spanned<toml::Value>>,
}

/// One file, read and parsed.
struct Layer {
    path: PathBuf,
    text: String,
    raw: Raw,
}

impl Layer {
    fn line(&self, span: &Range<usize>) -> usize {
        self.text
            .get(..span.start.min(self.text.len()))
            .map_or(1, |before| before.matches('\n').count() + 1)
    }
}

/// A field's value, the last layer that set it and where.
struct Field<'a, T> {
    value: &'a T,
    layer: &'a Layer,
    span: Range<usize>,
}

fn last<'a, T>(layers: &'a [Layer], get: impl Fn(&'a Raw) -> Option<&'a Spanned<T>>) -> Option<Field<'a, T>> {
    layers.iter().rev().find_map(|layer| {
        get(&layer.raw).map(|s| Field {
            value: s.get_ref(),
            layer,
            span: s.span(),
        })
    })
}

/// Collects problems while the fields are checked.
struct Checker<'a> {
    layers: &'a [Layer],
    problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn bad<T>(&mut self, key: &str, field: &Field<'_, T>, problem: impl Into<String>) {
        self.problems.push(Problem {
            path: field.layer.path.clone(),
            line: Some(field.layer.line(&field.span)),
            key: key.to_owned(),
            problem: problem.into(),
        });
    }

    fn missing(&mut self, key: &str, problem: &str) {
        self.problems.push(Problem {
            path: self.layers.last().map(|l| l.path.clone()).unwrap_or_default(),
            line: None,
            key: key.to_owned(),
            problem: problem.to_owned(),
        });
    }

    /// The last layer's value of a field, checked; `missing` is what an absent field gives
    /// (`None` records a problem: the field is required).
    fn field<T: 'a, U>(
        &mut self,
        key: &str,
        get: impl Fn(&'a Raw) -> Option<&'a Spanned<T>>,
        missing: Option<U>,
        check: impl FnOnce(&T) -> Result<U, String>,
    ) -> Option<U> {
        let Some(field) = last(self.layers, get) else {
            if missing.is_none() {
                self.missing(key, "is missing");
            }
            return missing;
        };
        check(field.value)
            .map_err(|problem| self.bad(key, &field, problem))
            .ok()
    }

    fn required<T: 'a, U>(
        &mut self,
        key: &str,
        get: impl Fn(&'a Raw) -> Option<&'a Spanned<T>>,
        check: impl FnOnce(&T) -> Result<U, String>,
    ) -> Option<U> {
        self.field(key, get, None, check)
    }

    /// An optional field: `default` when no layer sets it.
    fn optional<T: 'a, U>(
        &mut self,
        key: &str,
        get: impl Fn(&'a Raw) -> Option<&'a Spanned<T>>,
        default: U,
        check: impl FnOnce(&T) -> Result<U, String>,
    ) -> Option<U> {
        self.field(key, get, Some(default), check)
    }
}

fn parse_layer(path: &Path, text: String) -> Result<Layer, Problem> {
    match toml::from_str::<Raw>(&text) {
        Ok(raw) => Ok(Layer {
            path: path.to_owned(),
            text,
            raw,
        }),
        Err(e) => {
            let line = e.span().map(|s| {
                text.get(..s.start.min(text.len()))
                    .map_or(1, |b| b.matches('\n').count() + 1)
            });
            Err(Problem {
                path: path.to_owned(),
                line,
                key: String::new(),
                problem: e.message().trim().to_owned(),
            })
        }
    }
}

fn check(layers: &[Layer]) -> Result<Config, Vec<Problem>> {
    let mut c = Checker {
        layers,
        problems: Vec::new(),
    };
    let server = c.required(
        "server.url",
        |r| r.server.as_ref()?.url.as_ref(),
        |u| server::check_url(u),
    );
    let server_ca = c.optional(
        "server.ca",
        |r| r.server.as_ref()?.ca.as_ref(),
        None,
        |p| server::check_ca(p),
    );
    let enrolment_token = c.optional(
        "server.enrolment_token",
        |r| r.server.as_ref()?.enrolment_token.as_ref(),
        None,
        |t| Ok(Some(t.trim().to_owned()).filter(|t| !t.is_empty())),
    );
    let kiosk_id = c.required(
        "kiosk.id",
        |r| r.kiosk.as_ref()?.id.as_ref(),
        |id| {
            let id = id.trim();
            if !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                Ok(id.to_owned())
            } else {
                Err("1 to 64 letters, digits, '-' or '_'".into())
            }
        },
    );
    let data_dir = c.optional(
        "kiosk.data_dir",
        |r| r.kiosk.as_ref()?.data_dir.as_ref(),
        PathBuf::from(DEFAULT_DATA_DIR),
        |d| {
            let p = PathBuf::from(d);
            if p.is_absolute() {
                Ok(p)
            } else {
                Err("must be an absolute path".into())
            }
        },
    );
    let offices = c.required(
        "kiosk.offices",
        |r| r.kiosk.as_ref()?.offices.as_ref(),
        |offices| {
            if offices.is_empty() {
                return Err("name at least the kiosk's own office".into());
            }
            match offices
                .iter()
                .find(|o| o.is_empty() || !o.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                Some(o) => Err(format!("{o:?} is not an office id")),
                None => Ok(offices.clone()),
            }
        },
    );
    let sync_every = c.optional(
        "kiosk.sync_every",
        |r| r.kiosk.as_ref()?.sync_every.as_ref(),
        Duration::from_secs(30),
        |s| {
            u64::try_from(*s)
                .ok()
                .filter(|s| (10..=3600).contains(s))
                .map(Duration::from_secs)
                .ok_or_else(|| "10 to 3600 seconds".into())
        },
    );
    let scanner = c.optional(
        "scanner.device",
        |r| r.scanner.as_ref()?.device.as_ref(),
        DeviceUri::Usb,
        |d| d.parse::<DeviceUri>().map_err(|e| e.to_string()),
    );
    let printer = c.optional(
        "printer.uri",
        |r| r.printer.as_ref()?.uri.as_ref(),
        PrinterUri::Usb { id: None },
        |u| u.parse::<PrinterUri>().map_err(|e| e.to_string()),
    );
    let paper = c.optional(
        "printer.paper",
        |r| r.printer.as_ref()?.paper.as_ref(),
        Paper::MM80,
        |v| {
            let text = match v {
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::String(s) => s.clone(),
                _ => return Err("58 or 80 (mm), or 32, 42 or 48 (columns)".into()),
            };
            text.parse::<Paper>().map_err(|e| e.to_string())
        },
    );
    let ssid = c.optional(
        "network.wifi_ssid",
        |r| r.network.as_ref()?.wifi_ssid.as_ref(),
        None,
        |s| {
            if (1..=32).contains(&s.len()) && !s.chars().any(char::is_control) {
                Ok(Some(s.clone()))
            } else {
                Err("1 to 32 bytes, no control characters".into())
            }
        },
    );
    let psk = c.optional(
        "network.wifi_psk",
        |r| r.network.as_ref()?.wifi_psk.as_ref(),
        None,
        |k| {
            let passphrase = (8..=63).contains(&k.len()) && k.chars().all(|c| (' '..='~').contains(&c));
            let raw = k.len() == 64 && k.chars().all(|c| c.is_ascii_hexdigit());
            if passphrase || raw {
                Ok(Some(k.clone()))
            } else {
                Err("a WPA passphrase of 8 to 63 printable ASCII characters, or 64 hex digits".into())
            }
        },
    );
    let ntp = c.optional(
        "network.ntp",
        |r| r.network.as_ref()?.ntp.as_ref(),
        Vec::new(),
        |servers| match servers.iter().find(|h| !is_host(h)) {
            Some(h) => Err(format!("{h:?} is not a host name or address")),
            None => Ok(servers.clone()),
        },
    );
    let wifi = match (ssid, psk) {
        (Some(Some(ssid)), Some(Some(psk))) => Some(Some(Wifi { ssid, psk })),
        (Some(None), Some(None)) => Some(None),
        (Some(Some(_)), Some(None)) => {
            c.missing("network.wifi_psk", "is needed with network.wifi_ssid");
            None
        }
        (Some(None), Some(Some(_))) => {
            c.missing("network.wifi_ssid", "is needed with network.wifi_psk");
            None
        }
        _ => None,
    };
    let network = match (wifi, ntp) {
        (Some(wifi), Some(ntp)) => Some(Network { wifi, ntp }),
        _ => None,
    };
    let display = display::check_display(&mut c);
    match (
        (server, server_ca),
        enrolment_token,
        kiosk_id,
        data_dir,
        offices,
        sync_every,
        scanner,
        printer,
        paper,
        network,
        display,
    ) {
        (
            (Some(server), Some(server_ca)),
            Some(enrolment_token),
            Some(kiosk_id),
            Some(data_dir),
            Some(offices),
            Some(sync_every),
            Some(scanner),
            Some(printer),
            Some(paper),
            Some(network),
            Some(display),
        ) if c.problems.is_empty() => Ok(Config {
            server,
            server_ca,
            enrolment_token,
            kiosk_id,
            data_dir,
            offices,
            sync_every,
            scanner,
            printer,
            paper,
            network,
            display,
        }),
        _ => Err(c.problems),
    }
}

/// A DNS name (letters, digits, '-', dots between labels) or an IP address.
fn is_host(h: &str) -> bool {
    if h.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// What a technician provisions for one kiosk: the file `kioskctl provision` writes on the
/// boot partition and `kioskctl adopt` moves to [`PROVISIONED`] at first boot.
#[derive(Clone, PartialEq)]
pub struct Provisioning {
    pub kiosk_id: String,
    pub office: String,
    pub server: String,
    pub enrolment_token: String,
    pub wifi: Option<Wifi>,
    pub ntp: Vec<String>,
    /// `[display] rotation` (degrees clockwise), for a panel mounted on its side.
    pub rotation: Option<u16>,
    /// `[display] diagonal_inches`.
    pub diagonal_inches: Option<f32>,
}

impl fmt::Debug for Provisioning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provisioning")
            .field("kiosk_id", &self.kiosk_id)
            .field("office", &self.office)
            .field("server", &self.server)
            .field("wifi", &self.wifi)
            .field("ntp", &self.ntp)
            .field("rotation", &self.rotation)
            .field("diagonal_inches", &self.diagonal_inches)
            .finish_non_exhaustive() // never the token
    }
}

impl Provisioning {
    /// The kiosk.toml layer, checked as the kiosk will read it (alone: everything else keeps
    /// the image's defaults).
    pub fn render(&self, path: &Path) -> Result<(String, Config), ConfigError> {
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let mut text = format!(
            "# Written by kioskctl provision for kiosk {id}; moved to {PROVISIONED} at first boot.\n\n\
             [server]\nurl = {url}\nenrolment_token = {token}\n\n[kiosk]\nid = {idq}\noffices = [{office}]\n",
            id = self.kiosk_id.replace(['\n', '\r'], " "),
            url = q(&self.server),
            token = q(&self.enrolment_token),
            idq = q(&self.kiosk_id),
            office = q(&self.office),
        );
        if self.wifi.is_some() || !self.ntp.is_empty() {
            text.push_str("\n[network]\n");
        }
        if let Some(w) = &self.wifi {
            let _ = write!(text, "wifi_ssid = {}\nwifi_psk = {}\n", q(&w.ssid), q(&w.psk));
        }
        if !self.ntp.is_empty() {
            let servers: Vec<String> = self.ntp.iter().map(|h| q(h)).collect();
            let _ = writeln!(text, "ntp = [{}]", servers.join(", "));
        }
        if self.rotation.is_some() || self.diagonal_inches.is_some() {
            text.push_str("\n[display]\n");
        }
        if let Some(degrees) = self.rotation {
            let _ = writeln!(text, "rotation = {degrees}");
        }
        if let Some(inches) = self.diagonal_inches {
            let _ = writeln!(text, "diagonal_inches = {}", toml::Value::Float(f64::from(inches)));
        }
        let config = Config::parse(&text, path)?;
        Ok((text, config))
    }
}

impl Config {
    /// One complete file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_layers(&[path])
    }

    /// Layers, each overriding the ones before it field by field. A layer that does not exist
    /// is skipped (a kiosk not provisioned yet has only the image's); none at all is an error.
    pub fn load_layers(paths: &[&Path]) -> Result<Config, ConfigError> {
        let layers = read_layers(paths).map_err(|problems| ConfigError { problems })?;
        check(&layers).map_err(|problems| ConfigError { problems })
    }

    /// The files named (`--config`, later ones overriding earlier ones), or, when none is
    /// named, the device's two layers: [`BASE`] overlaid by [`PROVISIONED`].
    pub fn load_named_or_device(named: &[PathBuf]) -> Result<Config, ConfigError> {
        let paths = Config::named_or_device(named);
        Config::load_layers(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>())
    }

    /// The files [`Config::load_named_or_device`] reads, in order.
    pub fn named_or_device(named: &[PathBuf]) -> Vec<PathBuf> {
        if named.is_empty() {
            vec![BASE.into(), PROVISIONED.into()]
        } else {
            named.to_vec()
        }
    }

    /// One file's text.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::parse_layers(vec![(path.to_owned(), text.to_owned())], Vec::new())
    }

    fn parse_layers(texts: Vec<(PathBuf, String)>, problems: Vec<Problem>) -> Result<Config, ConfigError> {
        let layers = parse_texts(texts, problems).map_err(|problems| ConfigError { problems })?;
        check(&layers).map_err(|problems| ConfigError { problems })
    }
}

/// Reads and parses the layers that exist (a kiosk not provisioned yet has only the image's);
/// none at all is a problem.
fn read_layers(paths: &[&Path]) -> Result<Vec<Layer>, Vec<Problem>> {
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::read_to_string(path) {
            Ok(text) => texts.push((path.to_path_buf(), text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push(Problem {
                path: path.to_path_buf(),
                line: None,
                key: String::new(),
                problem: format!("cannot be read: {e}"),
            }),
        }
    }
    if texts.is_empty() && problems.is_empty() {
        problems.push(Problem {
            path: paths.last().map(|p| p.to_path_buf()).unwrap_or_default(),
            line: None,
            key: String::new(),
            problem: "no configuration file exists".into(),
        });
    }
    parse_texts(texts, problems)
}

fn parse_texts(texts: Vec<(PathBuf, String)>, mut problems: Vec<Problem>) -> Result<Vec<Layer>, Vec<Problem>> {
    let mut layers = Vec::new();
    for (path, text) in texts {
        match parse_layer(&path, text) {
            Ok(layer) => layers.push(layer),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() { Ok(layers) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const GOOD: &str = r#"[server]
url = "https://citas.example/api/"
enrolment_token = "TOKEN"
[kiosk]
id = "LAX-LOBBY-1"
data_dir = "/var/lib/citas-kiosk"
offices = ["LAX", "SAN"]
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("k.toml"))
    }

    #[test]
    fn reads_a_complete_file_with_the_defaults() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.kiosk_id, "LAX-LOBBY-1");
        assert_eq!(c.sync_every, Duration::from_secs(30));
        assert_eq!(c.offices, vec!["LAX", "SAN"]);
        assert_eq!(c.enrolment_token.as_deref(), Some("TOKEN"));
        assert_eq!(c.scanner, DeviceUri::Usb);
        assert_eq!(c.printer, PrinterUri::Usb { id: None });
        assert_eq!(c.paper, Paper::MM80);
    }

    #[test]
    fn reads_the_scanner_the_printer_and_its_paper() {
        let c = parse(&format!(
            "{GOOD}[scanner]\ndevice = \"escl+http://10.0.0.9:80/eSCL\"\n[printer]\nuri = \"tcp://10.0.0.7:9100\"\npaper = 58\n"
        ))
        .unwrap();
        assert_eq!(c.scanner.to_string(), "escl+http://10.0.0.9:80/eSCL");
        assert_eq!(c.printer.to_string(), "tcp://10.0.0.7:9100");
        assert_eq!(c.paper, Paper::MM58);
        assert_eq!(
            parse(&format!("{GOOD}[printer]\npaper = \"42\"\n")).unwrap().paper,
            Paper::MM80_42
        );
    }

    #[test]
    fn names_the_file_line_and_field_of_every_problem_at_once() {
        let text = GOOD
            .replace("/var/lib/citas-kiosk", "data")
            .replace("https://citas.example/api/", "ftp://x")
            + "[printer]\npaper = 110\nuri = \"lpt1\"\n";
        let e = parse(&text).unwrap_err();
        let lines: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert_eq!(lines[0], "k.toml:2: server.url: must be an https address");
        assert_eq!(lines[1], "k.toml:6: kiosk.data_dir: must be an absolute path");
        assert!(lines[2].starts_with("k.toml:10: printer.uri: "), "{lines:?}");
        assert!(lines[3].starts_with("k.toml:9: printer.paper: "), "{lines:?}");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn refuses_an_unknown_field_with_its_line() {
        let e = parse(&GOOD.replace("offices =", "ofices =")).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].line, Some(7));
        assert!(e.problems[0].problem.contains("unknown field `ofices`"), "{e}");
    }

    #[test]
    fn refuses_a_value_of_the_wrong_type_with_its_line() {
        let e = parse(&format!("{GOOD}sync_every = \"30\"\n")).unwrap_err();
        assert_eq!(e.problems[0].line, Some(8), "{e}");
        let e = parse(&GOOD.replace("[\"LAX\", \"SAN\"]", "[]")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "k.toml:7: kiosk.offices: name at least the kiosk's own office"
        );
    }

    #[test]
    fn reads_the_network_and_keeps_the_wifi_key_and_the_token_out_of_debug_output() {
        let c = parse(&format!(
            "{GOOD}[network]\nwifi_ssid = \"Consulado\"\nwifi_psk = \"correct horse battery\"\nntp = [\"ntp.sre.example\", \"10.0.0.1\"]\n"
        ))
        .unwrap();
        let wifi = c.network.wifi.clone().unwrap();
        assert_eq!(
            (wifi.ssid.as_str(), wifi.psk.as_str()),
            ("Consulado", "correct horse battery")
        );
        assert_eq!(c.network.ntp, ["ntp.sre.example", "10.0.0.1"]);
        let debug = format!("{c:?}");
        assert!(!debug.contains("horse"), "{debug}");
        assert!(!debug.contains("TOKEN"), "{debug}");
        assert!(debug.contains("Consulado"), "{debug}");
        let e = parse(&format!(
            "{GOOD}[network]\nwifi_ssid = \"Consulado\"\nntp = [\"-bad-\"]\n"
        ))
        .unwrap_err();
        let lines: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "k.toml:10: network.ntp: \"-bad-\" is not a host name or address",
                "k.toml: network.wifi_psk: is needed with network.wifi_ssid"
            ]
        );
        let e = parse(&format!("{GOOD}[network]\nwifi_ssid = \"C\"\nwifi_psk = \"short\"\n")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("k.toml:10: network.wifi_psk: a WPA passphrase"),
            "{e}"
        );
    }

    #[test]
    fn a_provisioning_file_is_a_complete_configuration_on_its_own() {
        let p = Provisioning {
            kiosk_id: "LAX-LOBBY-1".into(),
            office: "LAX".into(),
            server: "https://citas.example/api/".into(),
            enrolment_token: "K7Q2-\"quoted\"".into(),
            wifi: Some(Wifi {
                ssid: "Consulado \"5G\"".into(),
                psk: "correct horse battery".into(),
            }),
            ntp: vec!["ntp.sre.example".into()],
            rotation: Some(270),
            diagonal_inches: Some(7.0),
        };
        let (text, c) = p.render(Path::new("boot/kiosk.toml")).unwrap();
        assert_eq!(c.display.rotation, kiosk_core::display::Rotation::Clockwise270);
        assert_eq!(c.display.diagonal_inches, Some(7.0));
        assert_eq!(c.kiosk_id, "LAX-LOBBY-1");
        assert_eq!(c.offices, ["LAX"]);
        assert_eq!(c.enrolment_token.as_deref(), Some("K7Q2-\"quoted\""));
        assert_eq!(c.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert_eq!(c.network.wifi.unwrap().ssid, "Consulado \"5G\"");
        assert!(text.starts_with("# Written by kioskctl provision for kiosk LAX-LOBBY-1"));
        assert!(!format!("{p:?}").contains("K7Q2"));
        let bad = Provisioning {
            server: "ftp://x".into(),
            ..p
        };
        assert_eq!(
            bad.render(Path::new("boot/kiosk.toml")).unwrap_err().to_string(),
            "boot/kiosk.toml:4: server.url: must be an https address"
        );
    }

    #[test]
    fn names_what_is_missing() {
        let e = parse("[server]\nurl = \"https://x/\"\n").unwrap_err();
        let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["kiosk.id", "kiosk.offices"]);
        assert_eq!(e.problems[0].to_string(), "k.toml: kiosk.id: is missing");
    }

    #[test]
    fn the_provisioned_file_overrides_the_image_defaults_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("etc.toml");
        let data = dir.path().join("data.toml");
        std::fs::write(
            &base,
            "[server]\nurl = \"https://citas.example/api/\"\n[kiosk]\ndata_dir = \"/data/kiosk\"\nsync_every = 60\n[printer]\npaper = 80\n",
        )
        .unwrap();
        std::fs::write(
            &data,
            "[server]\nenrolment_token = \"T\"\n[kiosk]\nid = \"CHI-1\"\noffices = [\"CHI\"]\n[printer]\npaper = 58\n",
        )
        .unwrap();
        let c = Config::load_layers(&[&base, &data]).unwrap();
        assert_eq!((c.kiosk_id.as_str(), c.sync_every.as_secs()), ("CHI-1", 60));
        assert_eq!(c.paper, Paper::MM58, "the later layer wins");
        assert_eq!(c.server.as_str(), "https://citas.example/api/");
        // A problem is named in the file it comes from.
        std::fs::write(&data, "[kiosk]\nid = \"CHI 1\"\noffices = [\"CHI\"]\n").unwrap();
        let e = Config::load_layers(&[&base, &data]).unwrap_err();
        assert_eq!(e.problems[0].path, data);
        assert_eq!(e.problems[0].line, Some(2));
        // A kiosk not provisioned yet runs on the image's file alone, if it is complete.
        let missing = dir.path().join("none.toml");
        assert!(
            Config::load_layers(&[&base, &missing]).is_err(),
            "no kiosk id in the base"
        );
        let e = Config::load_layers(&[&missing]).unwrap_err();
        assert!(e.to_string().contains("no configuration file exists"));
    }

    #[test]
    fn the_commented_example_documents_a_valid_file() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("kiosk.example.toml");
        let c = Config::load(&example).unwrap();
        assert_eq!(c.kiosk_id, "LAX-LOBBY-1");
        let text = std::fs::read_to_string(&example).unwrap();
        for key in [
            "url",
            "enrolment_token",
            "id",
            "data_dir",
            "offices",
            "sync_every",
            "device",
            "uri",
            "paper",
        ] {
            assert!(
                text.lines().any(|l| l.trim_start().starts_with(&format!("{key} ="))),
                "the example sets {key}"
            );
        }
    }
}
