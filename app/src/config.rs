//! `citas-kiosk --config PATH`: where the central server is, who this kiosk is and where it
//! keeps its data. TOML, checked whole before anything starts; every problem names its key.
//!
//! ```toml
//! [server]
//! url = "https://citas.sre.gob.mx/api/"
//! # Needed only the first time a data directory meets the server.
//! enrolment_token = "K7Q2-..."
//!
//! [kiosk]
//! id = "LAX-LOBBY-1"
//! data_dir = "/var/lib/citas-kiosk"
//! # The offices whose calendars are kept fresh (the kiosk's own first).
//! offices = ["LAX", "SAN"]
//! # Seconds between sync rounds (10 to 3600; 30 when absent).
//! sync_every = 30
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The kiosk's configuration, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub server: url::Url,
    pub enrolment_token: Option<String>,
    pub kiosk_id: String,
    pub data_dir: PathBuf,
    pub offices: Vec<String>,
    pub sync_every: Duration,
    /// The document scanner: `usb` (the first IPP-over-USB scanner, the default) or
    /// `escl+http://HOST:PORT/eSCL`.
    pub scanner: kiosk_scan::DeviceUri,
    /// The ticket printer and its paper (`[printer] uri`, `paper`; default `usb`, 80 mm).
    pub printer: kiosk_print::PrinterUri,
    pub paper: kiosk_print::Paper,
}

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid TOML for the kiosk: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {key}: {problem}")]
    Value {
        path: PathBuf,
        key: &'static str,
        problem: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    server: RawServer,
    kiosk: RawKiosk,
    scanner: Option<RawScanner>,
    printer: Option<RawPrinter>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    uri: Option<String>,
    /// 58 or 80 (mm), or 32, 42 or 48 (columns).
    paper: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScanner {
    device: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    url: String,
    enrolment_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKiosk {
    id: String,
    data_dir: PathBuf,
    offices: Vec<String>,
    sync_every: Option<u64>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
        let bad = |key: &'static str, problem: &str| ConfigError::Value {
            path: path.to_owned(),
            key,
            problem: problem.to_owned(),
        };
        let server = url::Url::parse(&raw.server.url).map_err(|e| bad("server.url", &e.to_string()))?;
        if !matches!(server.scheme(), "https" | "http") {
            return Err(bad("server.url", "must be an http(s) address"));
        }
        let id = raw.kiosk.id.trim().to_owned();
        if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad("kiosk.id", "1 to 64 letters, digits, '-' or '_'"));
        }
        if !raw.kiosk.data_dir.is_absolute() {
            return Err(bad("kiosk.data_dir", "must be an absolute path"));
        }
        if raw.kiosk.offices.is_empty() {
            return Err(bad("kiosk.offices", "name at least the kiosk's own office"));
        }
        if let Some(o) = raw
            .kiosk
            .offices
            .iter()
            .find(|o| o.is_empty() || !o.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(bad("kiosk.offices", &format!("{o:?} is not an office id")));
        }
        let sync_every = raw.kiosk.sync_every.unwrap_or(30);
        if !(10..=3600).contains(&sync_every) {
            return Err(bad("kiosk.sync_every", "10 to 3600 seconds"));
        }
        let scanner = match raw.scanner {
            None => kiosk_scan::DeviceUri::Usb,
            Some(s) => s
                .device
                .parse()
                .map_err(|e: kiosk_scan::device::BadDeviceUri| bad("scanner.device", &e.to_string()))?,
        };
        let (printer, paper) = match raw.printer {
            None => (kiosk_print::PrinterUri::Usb { id: None }, kiosk_print::Paper::MM80),
            Some(p) => {
                let uri = match p.uri {
                    None => kiosk_print::PrinterUri::Usb { id: None },
                    Some(u) => u
                        .parse()
                        .map_err(|e: kiosk_print::PrintError| bad("printer.uri", &e.to_string()))?,
                };
                let paper = match p.paper {
                    None => kiosk_print::Paper::MM80,
                    Some(v) => {
                        let text = match v {
                            toml::Value::Integer(n) => n.to_string(),
                            toml::Value::String(s) => s,
                            _ => String::new(), // refused below, as a paper no printer has
                        };
                        text.parse()
                            .map_err(|e: kiosk_print::layout::PaperError| bad("printer.paper", &e.to_string()))?
                    }
                };
                (uri, paper)
            }
        };
        Ok(Config {
            printer,
            paper,
            scanner,
            server,
            enrolment_token: raw.server.enrolment_token.filter(|t| !t.trim().is_empty()),
            kiosk_id: id,
            data_dir: raw.kiosk.data_dir,
            offices: raw.kiosk.offices,
            sync_every: Duration::from_secs(sync_every),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        [server]
        url = "https://citas.example/api/"
        enrolment_token = "TOKEN"
        [kiosk]
        id = "LAX-LOBBY-1"
        data_dir = "/var/lib/citas-kiosk"
        offices = ["LAX", "SAN"]
    "#;

    #[test]
    fn reads_a_complete_configuration_with_defaults() {
        let c = Config::parse(GOOD, Path::new("kiosk.toml")).unwrap();
        assert_eq!(c.kiosk_id, "LAX-LOBBY-1");
        assert_eq!(c.sync_every, Duration::from_secs(30));
        assert_eq!(c.offices, vec!["LAX", "SAN"]);
        assert_eq!(c.scanner, kiosk_scan::DeviceUri::Usb);
        assert_eq!(c.printer, kiosk_print::PrinterUri::Usb { id: None });
        assert_eq!(c.paper, kiosk_print::Paper::MM80);
        let net = Config::parse(
            &format!("{GOOD}\n[scanner]\ndevice = \"escl+http://10.0.0.9:80/eSCL\"\n"),
            Path::new("k.toml"),
        )
        .unwrap();
        assert_eq!(net.scanner.to_string(), "escl+http://10.0.0.9:80/eSCL");
        let e = Config::parse(&format!("{GOOD}\n[scanner]\ndevice = \"lpt1\"\n"), Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().starts_with("k.toml: scanner.device"), "{e}");
    }

    #[test]
    fn reads_the_printer_and_its_paper() {
        let c = Config::parse(
            &format!("{GOOD}\n[printer]\nuri = \"tcp://10.0.0.7:9100\"\npaper = 58\n"),
            Path::new("k.toml"),
        )
        .unwrap();
        assert_eq!(c.printer.to_string(), "tcp://10.0.0.7:9100");
        assert_eq!(c.paper, kiosk_print::Paper::MM58);
        let c = Config::parse(&format!("{GOOD}\n[printer]\npaper = \"42\"\n"), Path::new("k.toml")).unwrap();
        assert_eq!(c.paper, kiosk_print::Paper::MM80_42);
        let e = Config::parse(&format!("{GOOD}\n[printer]\npaper = 110\n"), Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().starts_with("k.toml: printer.paper"), "{e}");
        let e = Config::parse(&format!("{GOOD}\n[printer]\nuri = \"lpt1\"\n"), Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().starts_with("k.toml: printer.uri"), "{e}");
    }

    #[test]
    fn names_the_key_that_is_wrong() {
        let e = Config::parse(&GOOD.replace("/var/lib/citas-kiosk", "data"), Path::new("k.toml")).unwrap_err();
        assert_eq!(e.to_string(), "k.toml: kiosk.data_dir: must be an absolute path");
        let e = Config::parse(
            &GOOD.replace("https://citas.example/api/", "ftp://x"),
            Path::new("k.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("k.toml: server.url"), "{e}");
        let e = Config::parse(&GOOD.replace("[\"LAX\", \"SAN\"]", "[]"), Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().contains("kiosk.offices"), "{e}");
    }

    #[test]
    fn refuses_unknown_keys_rather_than_ignoring_a_typo() {
        let e = Config::parse(&GOOD.replace("offices =", "ofices ="), Path::new("k.toml")).unwrap_err();
        assert!(e.to_string().contains("ofices"), "{e}");
    }
}

/// Why the kiosk could not reach its server or open its data at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("the kiosk's database: {0}")]
    Store(#[from] kiosk_store::StoreError),
    #[error("the central server: {0}")]
    Server(#[from] kiosk_sync::ApiError),
    #[error("enrolling with the central server: {0}")]
    Enrol(#[from] kiosk_sync::EngineError),
}

/// Opens the kiosk's store under `data_dir`, enrols it with the server on first contact and
/// returns the engine and the schedule its background loop keeps.
pub async fn connect(config: &Config) -> Result<(kiosk_sync::SyncEngine, kiosk_sync::Schedule), StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let (store, _) = kiosk_store::Store::open(&config.data_dir.join("kiosk.db"))?;
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let client = kiosk_sync::CentralClient::new(config.server.as_str(), kiosk_sync::Timeouts::default())?;
    let client =
        kiosk_sync::ensure_enrolled(client, &store, config.enrolment_token.as_deref(), &config.kiosk_id).await?;
    let schedule = kiosk_sync::Schedule {
        offices: config.offices.clone(),
        round: config.sync_every,
        heartbeat_every_rounds: 2,
    };
    Ok((kiosk_sync::SyncEngine::new(client, store), schedule))
}
