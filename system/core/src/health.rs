//! The kiosk's health at a glance: what was observed (gathered elsewhere, with I/O) graded
//! green, amber or red, and said in staff's words in either language.
//!
//! Green: nothing to do. Amber: it still serves visitors, but something needs looking at soon
//! (paper near its end, slow or lagging sync, confirmations waiting to be sent). Red: visitors
//! cannot do something now (book, scan, get a ticket) until staff or a technician acts.
//!
//! The maintenance screen and `kioskctl diagnose` show the same [`Report`].

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lang::Language;

/// How a part is doing. Ordered: the worst is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Green,
    Amber,
    Red,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Green => "green",
            Level::Amber => "amber",
            Level::Red => "red",
        }
    }

    /// The level in a word, so it is never told by colour alone.
    pub fn word(self, lang: Language) -> &'static str {
        match self {
            Level::Green => lang.pick("Correcto", "OK"),
            Level::Amber => lang.pick("Atención", "Attention"),
            Level::Red => lang.pick("Falla", "Fault"),
        }
    }
}

/// Central server calls slower than this are amber.
pub const SLOW_CENTRAL_MS: u64 = 1500;
/// Availability older than this is amber ...
pub const SYNC_LAG_AMBER_MINUTES: i64 = 2;
/// ... and older than this red: the kiosk stops taking new bookings (kiosk-sync's
/// out-of-service rule uses the same figure).
pub const SYNC_LAG_RED_MINUTES: i64 = 5;
/// An outbox entry waiting longer than this is red: a visitor's confirmation or cancellation
/// has not reached the server.
pub const OUTBOX_RED_MINUTES: i64 = 30;
/// Free space on the data partition below these is amber / red.
pub const DISK_AMBER_BYTES: u64 = 512 * 1024 * 1024;
pub const DISK_RED_BYTES: u64 = 128 * 1024 * 1024;

/// The central server, as a probe found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Central {
    Reachable { latency_ms: u64 },
    Unreachable { reason: String },
}

/// The ticket printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum PrinterState {
    /// The kiosk has no printer configured: visitors get no ticket.
    NotConfigured,
    /// It answered and can print.
    Ready {
        paper_near_end: bool,
    },
    /// A printer that cannot report its state (a one-way USB printer, a file).
    Silent,
    PaperOut,
    CoverOpen,
    /// Offline, or reporting an error (a cutter jam, an overheated head).
    Fault,
    /// Not found, or it did not answer.
    Unreachable {
        reason: String,
    },
}

/// The document scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ScannerState {
    NotConfigured,
    Ready,
    /// Scanning (a visitor's document, or another client's job).
    Busy,
    /// Not connected, or not answering.
    Absent,
    /// Connected but stopped (`Stopped`, `Down`, a jam): the reason as the scanner says it.
    Stopped {
        reason: String,
    },
}

/// Free space where the database lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disk {
    pub free_bytes: u64,
    pub total_bytes: u64,
}

/// Everything the health report is made from: facts, gathered by kiosk-health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observations {
    pub at: DateTime<Utc>,
    /// Whether the kiosk has a network route out (`None`: could not tell).
    pub network: Option<bool>,
    pub central: Central,
    pub last_sync: Option<DateTime<Utc>>,
    pub outbox_depth: u64,
    pub oldest_outbox: Option<DateTime<Utc>>,
    pub printer: PrinterState,
    /// Tickets waiting in the print queue.
    pub queued_tickets: u64,
    pub scanner: ScannerState,
    /// `None`: the data directory's file system could not be read.
    pub disk: Option<Disk>,
    pub clock_synchronised: bool,
    /// Staff took the kiosk out of service, with this message for visitors.
    pub out_of_service: Option<String>,
    pub version: String,
    /// The image's name and version (`None`: not the kiosk's image, or unreadable).
    #[serde(default)]
    pub system: Option<String>,
    /// The RAUC slot booted (`A`/`B`; `None` off the kiosk's image).
    #[serde(default)]
    pub slot: Option<String>,
    /// Why a provisioning file left on the boot partition was not adopted (empty: none left).
    /// The kiosk runs on its previous configuration meanwhile.
    #[serde(default)]
    pub not_adopted: Vec<String>,
    /// Seconds the kiosk app has been running (`None` from a tool outside it).
    pub app_uptime_s: Option<u64>,
    /// Seconds since the device booted.
    pub system_uptime_s: Option<u64>,
}

/// What is checked, in the order the screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Service,
    Network,
    Central,
    Sync,
    Outbox,
    Printer,
    Scanner,
    Disk,
    Clock,
    Software,
}

impl Area {
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Area::Service => lang.pick("Servicio", "Service"),
            Area::Network => lang.pick("Red", "Network"),
            Area::Central => lang.pick("Servidor central", "Central server"),
            Area::Sync => lang.pick("Sincronización", "Sync"),
            Area::Outbox => lang.pick("Envíos pendientes", "Waiting to send"),
            Area::Printer => lang.pick("Impresora", "Printer"),
            Area::Scanner => lang.pick("Escáner", "Scanner"),
            Area::Disk => lang.pick("Espacio en /data", "Space on /data"),
            Area::Clock => lang.pick("Reloj", "Clock"),
            Area::Software => lang.pick("Software", "Software"),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub area: Area,
    pub level: Level,
    /// What was found, in the report's language.
    pub detail: String,
}

/// The graded observations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub overall: Level,
    pub checks: Vec<Check>,
    pub observations: Observations,
}

fn duration_words(seconds: u64) -> String {
    let (d, h, m, s) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

fn mib(bytes: u64) -> String {
    if bytes >= 10 * 1024 * 1024 * 1024 {
        format!("{} GiB", bytes / (1024 * 1024 * 1024))
    } else {
        format!("{} MiB", bytes / (1024 * 1024))
    }
}

impl Report {
    /// Grades `o` and says it in `lang`.
    pub fn grade(o: &Observations, lang: Language) -> Report {
        let w = |es: &str, en: &str| lang.pick(es, en).to_owned();
        let mut checks = Vec::new();
        let mut add = |area, level, detail: String| checks.push(Check { area, level, detail });

        match &o.out_of_service {
            Some(message) => add(
                Area::Service,
                Level::Red,
                match lang {
                    Language::Es => format!("Fuera de servicio (puesto por el personal): «{message}»"),
                    Language::En => format!("Out of service (set by staff): “{message}”"),
                },
            ),
            None => add(Area::Service, Level::Green, w("En servicio", "In service")),
        }

        let reachable = matches!(o.central, Central::Reachable { .. });
        match o.network {
            _ if reachable => add(Area::Network, Level::Green, w("Conectada", "Connected")),
            Some(true) => add(
                Area::Network,
                Level::Green,
                w("Hay ruta de red", "A network route is up"),
            ),
            Some(false) => add(
                Area::Network,
                Level::Red,
                w(
                    "Sin red: revise el cable o la Wi-Fi",
                    "No network: check the cable or the Wi-Fi",
                ),
            ),
            None => add(Area::Network, Level::Amber, w("No se pudo saber", "Could not tell")),
        }

        match &o.central {
            Central::Reachable { latency_ms } if *latency_ms > SLOW_CENTRAL_MS => add(
                Area::Central,
                Level::Amber,
                match lang {
                    Language::Es => format!("Responde lento ({latency_ms} ms)"),
                    Language::En => format!("Answers slowly ({latency_ms} ms)"),
                },
            ),
            Central::Reachable { latency_ms } => add(
                Area::Central,
                Level::Green,
                match lang {
                    Language::Es => format!("Responde en {latency_ms} ms"),
                    Language::En => format!("Answers in {latency_ms} ms"),
                },
            ),
            Central::Unreachable { reason } => add(
                Area::Central,
                Level::Red,
                match lang {
                    Language::Es => format!("No responde ({reason})"),
                    Language::En => format!("Not answering ({reason})"),
                },
            ),
        }

        match o.last_sync {
            None => add(
                Area::Sync,
                Level::Red,
                w("Nunca se ha sincronizado", "Never synchronised"),
            ),
            Some(at) => {
                let behind = (o.at - at).num_seconds().max(0);
                let level = if behind > SYNC_LAG_RED_MINUTES * 60 {
                    Level::Red
                } else if behind > SYNC_LAG_AMBER_MINUTES * 60 {
                    Level::Amber
                } else {
                    Level::Green
                };
                let ago = duration_words(behind.unsigned_abs());
                add(
                    Area::Sync,
                    level,
                    match lang {
                        Language::Es => format!("Última hace {ago}"),
                        Language::En => format!("Last {ago} ago"),
                    },
                );
            }
        }

        match (o.outbox_depth, o.oldest_outbox) {
            (0, _) => add(Area::Outbox, Level::Green, w("Nada pendiente", "Nothing waiting")),
            (n, oldest) => {
                let waited = oldest.map(|t| (o.at - t).num_seconds().max(0).unsigned_abs());
                let level = if waited.is_some_and(|s| s > OUTBOX_RED_MINUTES.unsigned_abs() * 60) {
                    Level::Red
                } else {
                    Level::Amber
                };
                let since = waited.map(duration_words).unwrap_or_default();
                add(
                    Area::Outbox,
                    level,
                    match lang {
                        Language::Es => format!("{n} por enviar al servidor; el más antiguo hace {since}"),
                        Language::En => format!("{n} to send to the server; the oldest {since} ago"),
                    },
                );
            }
        }

        let queued = match (o.queued_tickets, lang) {
            (0, _) => String::new(),
            (n, Language::Es) => format!("; {n} comprobante(s) en espera"),
            (n, Language::En) => format!("; {n} ticket(s) waiting"),
        };
        let (level, words) = match &o.printer {
            PrinterState::NotConfigured => (
                Level::Amber,
                w(
                    "No hay impresora configurada: no se entregan comprobantes",
                    "No printer configured: no tickets are given",
                ),
            ),
            PrinterState::Ready { paper_near_end: false } => (Level::Green, w("Lista", "Ready")),
            PrinterState::Ready { paper_near_end: true } => (
                Level::Amber,
                w(
                    "Queda poco papel: cambie el rollo pronto",
                    "Paper is running low: change the roll soon",
                ),
            ),
            PrinterState::Silent => (
                Level::Green,
                w(
                    "Conectada (no informa si tiene papel)",
                    "Connected (it does not report its paper)",
                ),
            ),
            PrinterState::PaperOut => (
                Level::Red,
                w("Sin papel: ponga un rollo nuevo", "Out of paper: load a new roll"),
            ),
            PrinterState::CoverOpen => (Level::Red, w("Tapa abierta: ciérrela", "Cover open: close it")),
            PrinterState::Fault => (
                Level::Red,
                w(
                    "Fuera de línea o con error: revise el papel y la cuchilla, apáguela y enciéndala",
                    "Offline or in error: check the paper and the cutter, switch it off and on",
                ),
            ),
            PrinterState::Unreachable { reason } => (
                Level::Red,
                match lang {
                    Language::Es => format!("No responde: revise el cable y la corriente ({reason})"),
                    Language::En => format!("Not answering: check its cable and power ({reason})"),
                },
            ),
        };
        let level = if o.queued_tickets > 0 {
            level.max(Level::Amber)
        } else {
            level
        };
        add(Area::Printer, level, words + &queued);

        let (level, words) = match &o.scanner {
            ScannerState::NotConfigured => (
                Level::Amber,
                w(
                    "No hay escáner configurado: no se pueden escanear documentos",
                    "No scanner configured: documents cannot be scanned",
                ),
            ),
            ScannerState::Ready => (Level::Green, w("Listo", "Ready")),
            ScannerState::Busy => (Level::Amber, w("Escaneando", "Scanning")),
            ScannerState::Absent => (
                Level::Red,
                w(
                    "No conectado: revise el cable USB y la corriente",
                    "Not connected: check its USB cable and power",
                ),
            ),
            ScannerState::Stopped { reason } => (
                Level::Red,
                match lang {
                    Language::Es => format!("Detenido ({reason}): revise si hay papel atorado"),
                    Language::En => format!("Stopped ({reason}): check for a paper jam"),
                },
            ),
        };
        add(Area::Scanner, level, words);

        match o.disk {
            None => add(Area::Disk, Level::Amber, w("No se pudo leer", "Could not be read")),
            Some(d) => {
                let level = if d.free_bytes < DISK_RED_BYTES {
                    Level::Red
                } else if d.free_bytes < DISK_AMBER_BYTES {
                    Level::Amber
                } else {
                    Level::Green
                };
                let (free, total) = (mib(d.free_bytes), mib(d.total_bytes));
                add(
                    Area::Disk,
                    level,
                    match lang {
                        Language::Es => format!("{free} libres de {total}"),
                        Language::En => format!("{free} free of {total}"),
                    },
                );
            }
        }

        if o.clock_synchronised {
            add(Area::Clock, Level::Green, w("Sincronizado", "Synchronised"));
        } else {
            add(
                Area::Clock,
                Level::Red,
                w(
                    "Sin sincronizar: no se muestran ni se reservan horarios",
                    "Not synchronised: no times are shown or booked",
                ),
            );
        }

        let mut software = match lang {
            Language::Es => format!("Versión {}", o.version),
            Language::En => format!("Version {}", o.version),
        };
        if let Some(system) = &o.system {
            software.push_str(lang.pick(" en ", " on "));
            software.push_str(system);
        }
        if let Some(slot) = &o.slot {
            software.push_str(lang.pick(", ranura ", ", slot "));
            software.push_str(slot);
        }
        if let Some(s) = o.app_uptime_s {
            let (es, en) = ("; en marcha desde hace ", "; running for ");
            software.push_str(lang.pick(es, en));
            software.push_str(&duration_words(s));
        }
        if let Some(s) = o.system_uptime_s {
            let (es, en) = ("; equipo encendido desde hace ", "; device up for ");
            software.push_str(lang.pick(es, en));
            software.push_str(&duration_words(s));
        }
        let level = if let Some(first) = o.not_adopted.first() {
            software.push_str(lang.pick(
                "; configuración nueva sin adoptar (partición de arranque): ",
                "; new provisioning not adopted (boot partition): ",
            ));
            software.push_str(first);
            Level::Amber
        } else {
            Level::Green
        };
        add(Area::Software, level, software);

        let overall = checks.iter().map(|c| c.level).max().unwrap_or(Level::Green);
        Report {
            overall,
            checks,
            observations: o.clone(),
        }
    }

    pub fn check(&self, area: Area) -> Option<&Check> {
        self.checks.iter().find(|c| c.area == area)
    }

    /// The report as lines of text: `LEVEL  Area  detail`.
    pub fn text(&self, lang: Language) -> String {
        let width = self
            .checks
            .iter()
            .map(|c| c.area.label(lang).chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "{}: {}\n",
            lang.pick("Estado general", "Overall"),
            self.overall.word(lang)
        );
        for c in &self.checks {
            let label = c.area.label(lang);
            let pad = width - label.chars().count();
            let _ = writeln!(out, "{:<9} {label}{:pad$}  {}", c.level.word(lang), "", c.detail);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;

    fn healthy() -> Observations {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 17, 0, 0).unwrap();
        Observations {
            at,
            network: Some(true),
            central: Central::Reachable { latency_ms: 42 },
            last_sync: Some(at - chrono::Duration::seconds(20)),
            outbox_depth: 0,
            oldest_outbox: None,
            printer: PrinterState::Ready { paper_near_end: false },
            queued_tickets: 0,
            scanner: ScannerState::Ready,
            disk: Some(Disk {
                free_bytes: 3 << 30,
                total_bytes: 4 << 30,
            }),
            clock_synchronised: true,
            out_of_service: None,
            version: "0.1.0".into(),
            system: Some("Citas SRE kiosk 1.0 (wrynose)".into()),
            slot: Some("B".into()),
            not_adopted: Vec::new(),
            app_uptime_s: Some(3700),
            system_uptime_s: Some(90_000),
        }
    }

    fn level(o: &Observations, area: Area) -> Level {
        Report::grade(o, Language::En).check(area).unwrap().level
    }

    #[test]
    fn a_healthy_kiosk_is_green_everywhere_in_both_languages() {
        for lang in [Language::Es, Language::En] {
            let r = Report::grade(&healthy(), lang);
            assert_eq!(r.overall, Level::Green, "{}", r.text(lang));
            assert_eq!(r.checks.len(), 10);
        }
        let text = Report::grade(&healthy(), Language::En).text(Language::En);
        assert!(text.contains("Answers in 42 ms"), "{text}");
        assert!(text.contains("running for 1 h 1 min; device up for 1 d 1 h"), "{text}");
        let es = Report::grade(&healthy(), Language::Es).text(Language::Es);
        assert!(
            es.contains("Servidor central") && es.contains("Responde en 42 ms"),
            "{es}"
        );
    }

    #[test]
    fn sync_lag_turns_amber_then_red_at_the_out_of_service_figure() {
        let mut o = healthy();
        o.last_sync = Some(o.at - chrono::Duration::minutes(3));
        assert_eq!(level(&o, Area::Sync), Level::Amber);
        o.last_sync = Some(o.at - chrono::Duration::minutes(6));
        assert_eq!(level(&o, Area::Sync), Level::Red);
        o.last_sync = None;
        assert_eq!(level(&o, Area::Sync), Level::Red);
    }

    #[test]
    fn paper_out_is_red_and_near_end_or_a_waiting_ticket_amber() {
        let mut o = healthy();
        o.printer = PrinterState::PaperOut;
        let r = Report::grade(&o, Language::Es);
        assert_eq!(r.overall, Level::Red);
        assert!(r.check(Area::Printer).unwrap().detail.contains("Sin papel"));
        o.printer = PrinterState::Ready { paper_near_end: true };
        assert_eq!(level(&o, Area::Printer), Level::Amber);
        o.printer = PrinterState::Ready { paper_near_end: false };
        o.queued_tickets = 2;
        assert_eq!(level(&o, Area::Printer), Level::Amber);
        let r = Report::grade(&o, Language::En);
        assert!(r.check(Area::Printer).unwrap().detail.ends_with("2 ticket(s) waiting"));
    }

    #[test]
    fn an_outbox_entry_waiting_half_an_hour_is_red() {
        let mut o = healthy();
        o.outbox_depth = 1;
        o.oldest_outbox = Some(o.at - chrono::Duration::minutes(4));
        assert_eq!(level(&o, Area::Outbox), Level::Amber);
        o.oldest_outbox = Some(o.at - chrono::Duration::minutes(31));
        assert_eq!(level(&o, Area::Outbox), Level::Red);
    }

    #[test]
    fn an_unreachable_server_is_red_and_slow_one_amber() {
        let mut o = healthy();
        o.central = Central::Reachable { latency_ms: 2500 };
        assert_eq!(level(&o, Area::Central), Level::Amber);
        o.central = Central::Unreachable {
            reason: "timed out".into(),
        };
        o.network = Some(false);
        assert_eq!(level(&o, Area::Central), Level::Red);
        assert_eq!(level(&o, Area::Network), Level::Red);
    }

    #[test]
    fn low_disk_unsynchronised_clock_and_staff_out_of_service_are_faults() {
        let mut o = healthy();
        o.disk = Some(Disk {
            free_bytes: 300 << 20,
            total_bytes: 4 << 30,
        });
        assert_eq!(level(&o, Area::Disk), Level::Amber);
        o.disk = Some(Disk {
            free_bytes: 100 << 20,
            total_bytes: 4 << 30,
        });
        assert_eq!(level(&o, Area::Disk), Level::Red);
        o.clock_synchronised = false;
        assert_eq!(level(&o, Area::Clock), Level::Red);
        o.out_of_service = Some("Vuelva mañana".into());
        let r = Report::grade(&o, Language::En);
        assert_eq!(r.check(Area::Service).unwrap().level, Level::Red);
        assert!(r.check(Area::Service).unwrap().detail.contains("Vuelva mañana"));
    }

    #[test]
    fn a_missing_scanner_is_red_and_a_busy_one_amber() {
        let mut o = healthy();
        o.scanner = ScannerState::Absent;
        assert_eq!(level(&o, Area::Scanner), Level::Red);
        o.scanner = ScannerState::Busy;
        assert_eq!(level(&o, Area::Scanner), Level::Amber);
    }

    #[test]
    fn observations_round_trip_through_json() {
        let mut o = healthy();
        o.printer = PrinterState::Unreachable {
            reason: "no USB".into(),
        };
        let json = serde_json::to_string(&o).unwrap();
        assert!(
            json.contains(r#""printer":{"state":"unreachable","reason":"no USB"}"#),
            "{json}"
        );
        let back: Observations = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn the_software_line_names_the_system_and_the_slot_booted() {
        let mut o = healthy();
        let detail = |o: &Observations, lang| Report::grade(o, lang).check(Area::Software).unwrap().detail.clone();
        assert!(
            detail(&o, Language::Es).starts_with("Versión 0.1.0 en Citas SRE kiosk 1.0 (wrynose), ranura B; "),
            "{}",
            detail(&o, Language::Es)
        );
        assert!(detail(&o, Language::En).starts_with("Version 0.1.0 on Citas SRE kiosk 1.0 (wrynose), slot B; "));
        o.system = None;
        o.slot = None;
        assert!(detail(&o, Language::En).starts_with("Version 0.1.0; running for"));
        // A report saved before these facts existed still reads.
        let mut json: serde_json::Value = serde_json::to_value(&o).unwrap();
        json.as_object_mut().unwrap().remove("slot");
        assert_eq!(serde_json::from_value::<Observations>(json).unwrap(), o);
    }

    #[test]
    fn a_provisioning_left_on_the_boot_partition_makes_the_software_line_amber() {
        let mut o = healthy();
        o.not_adopted = vec!["/boot/citas-kiosk.toml:4: kiosk.id: 1 to 64 letters, digits, '-' or '_'".into()];
        let r = Report::grade(&o, Language::Es);
        let software = r.check(Area::Software).unwrap();
        assert_eq!(software.level, Level::Amber);
        assert!(
            software
                .detail
                .ends_with("configuración nueva sin adoptar (partición de arranque): /boot/citas-kiosk.toml:4: kiosk.id: 1 to 64 letters, digits, '-' or '_'"),
            "{}",
            software.detail
        );
        assert_eq!(r.overall, Level::Amber);
    }
}
