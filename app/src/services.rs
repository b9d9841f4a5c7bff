//! The services a running kiosk gives its screens: the tokio runtime, the sync engine (the
//! central server and the store), the scanner, the ticket printer, the device's parts and what
//! maintenance needs to know of this kiosk's configuration. Made once by `main` (or the demo);
//! every screen holds a clone.

/// The services the screens call.
#[derive(Debug, Clone)]
pub struct Services {
    pub runtime: tokio::runtime::Handle,
    pub engine: kiosk_sync::SyncEngine,
    /// The document scanner (`None`: the kiosk has none, and says so at step 4).
    pub scanner: Option<kiosk_scan::DeviceUri>,
    /// The ticket printer and its queue (`None`: the kiosk prints no tickets).
    pub printing: Option<crate::printing::Printing>,
    /// The status LED, the call-staff button and the clock's state.
    pub device: crate::device::DeviceParts,
    /// Which kiosk this is (its configuration), for maintenance.
    pub kiosk: KioskInfo,
}

/// What maintenance needs to know of this kiosk's configuration.
#[derive(Debug, Clone)]
pub struct KioskInfo {
    /// The kiosk's id (printed on the test page, named in the audit log's exports).
    pub id: String,
    /// Where its database lives (the free space reported is this file system's).
    pub data_dir: std::path::PathBuf,
    /// The offices whose calendars it keeps ("sync now" refreshes them).
    pub offices: Vec<String>,
    /// When the app started.
    pub started: std::time::Instant,
    /// The provisioning file on the boot partition (`None` off the device): one left there
    /// was not adopted, and the health report says why.
    pub boot_file: Option<std::path::PathBuf>,
}

impl Services {
    /// What the health report asks, from the running kiosk's services.
    pub fn health_sources(&self) -> kiosk_health::Sources {
        kiosk_health::Sources {
            engine: self.engine.clone(),
            printer: self.printing.as_ref().map(|p| p.queue().clone()),
            scanner: self.scanner.clone(),
            data_dir: self.kiosk.data_dir.clone(),
            offices: self.kiosk.offices.clone(),
            clock: self.device.clock.clone(),
            started: Some(self.kiosk.started),
            version: env!("CARGO_PKG_VERSION").into(),
            boot_file: self.kiosk.boot_file.clone(),
        }
    }
}
