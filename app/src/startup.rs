//! Before the kiosk serves visitors: its configuration read and checked, its data opened, its
//! credential obtained from the central server (the first boot exchanges the one-time token).
//! Until all three are there the screen says what is missing, in both languages, with the
//! detail for the technician, and the status LED says it too; nothing gives up (systemd would
//! only restart the app into the same wait, with a black screen in between). Once enrolled, the
//! used token is removed from the files it came from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kiosk_device::gpio::Led;
use kiosk_sync::{ApiError, EngineError, RetryPolicy, Schedule, SyncEngine};

use crate::config::{Config, StartError, connect};
use crate::ui;

/// What the kiosk is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// No valid configuration (each problem with its file, line and field), or a kiosk never
    /// enrolled whose configuration has no token.
    NotSetUp { problems: Vec<String> },
    /// The central server did not answer, or failed (the first enrolment needs it).
    Connecting {
        attempt: u32,
        error: String,
        retry_in: Duration,
    },
    /// The central server refused the enrolment token (unknown, or used by another kiosk).
    TokenRefused { error: String, retry_in: Duration },
    /// The data directory or the database cannot be opened.
    CannotStart {
        attempt: u32,
        error: String,
        retry_in: Duration,
    },
}

impl Stage {
    /// What the technician reads under the headline (plain English, like the logs).
    pub fn detail(&self) -> String {
        let again = |d: &Duration| format!("Trying again in {} s.", d.as_secs().max(1));
        match self {
            Stage::NotSetUp { problems } => problems.join("\n"),
            Stage::Connecting {
                attempt,
                error,
                retry_in,
            }
            | Stage::CannotStart {
                attempt,
                error,
                retry_in,
            } => {
                format!("Attempt {attempt}: {error}\n{}", again(retry_in))
            }
            Stage::TokenRefused { error, retry_in } => format!("{error}\n{}", again(retry_in)),
        }
    }

    /// Whether this start-up screen proves the system it runs on good, so an update is kept:
    /// a fault of the configuration is staff's to fix whichever system runs (and a new card's
    /// "not set up" must not cost its only system its tries). Data that cannot be opened, or a
    /// server that cannot be reached or refuses the token, may be the update's doing: those
    /// leave the slot unmarked, so three boots without the welcome screen go back to the last
    /// system that reached it.
    pub fn proves_the_system(&self) -> bool {
        matches!(self, Stage::NotSetUp { .. })
    }

    /// The status LED: amber while it only waits for the network, red when a person must act.
    pub fn led(&self) -> Led {
        match self {
            Stage::Connecting { .. } => Led::Degraded,
            _ => Led::OutOfService,
        }
    }

    fn screen(&self) -> ui::Startup {
        match self {
            Stage::NotSetUp { .. } => ui::Startup::NotSetUp,
            Stage::Connecting { .. } => ui::Startup::Connecting,
            Stage::TokenRefused { .. } => ui::Startup::TokenRefused,
            Stage::CannotStart { .. } => ui::Startup::CannotStart,
        }
    }

    /// Puts it on the screen (the start-up screen covers everything else).
    pub fn show(&self, ui: &ui::AppWindow) {
        use slint::ComponentHandle as _;
        let kiosk = ui.global::<ui::Kiosk>();
        kiosk.set_startup(self.screen());
        kiosk.set_startup_detail(self.detail().into());
    }
}

/// How long the kiosk waits between attempts.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// Before reading a missing or broken configuration again.
    pub config_again: Duration,
    /// Between attempts to reach the server or open the data (jittered, growing).
    pub retry: RetryPolicy,
}

impl Default for Patience {
    fn default() -> Patience {
        Patience {
            config_again: Duration::from_secs(30),
            retry: RetryPolicy {
                min_delay: Duration::from_secs(1),
                max_delay: Duration::from_mins(1),
                factor: 2.0,
            },
        }
    }
}

/// A kiosk ready to serve visitors.
#[derive(Debug)]
pub struct Started {
    pub config: Config,
    pub engine: SyncEngine,
    pub schedule: Schedule,
}

/// Reads the configuration (`named` files, or the device's two layers), opens the data and
/// enrols, again and again until it all works; `show` hears every failed attempt. `boot` is the
/// provisioning file on the boot partition (the device's): when the kiosk is not set up because
/// `kioskctl adopt` left it there, its problems are what the technician must read first.
pub async fn until_started(
    named: &[PathBuf],
    boot: Option<&Path>,
    patience: Patience,
    show: impl Fn(Stage),
) -> Started {
    let mut delays = patience.retry.delays();
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        let config = match Config::load_named_or_device(named) {
            Ok(c) => c,
            Err(e) => {
                let mut problems = boot.map(kiosk_config::not_adopted).unwrap_or_default();
                problems.extend(e.problems.iter().map(ToString::to_string));
                tracing::error!(problems = %problems.join("; "), "the kiosk is not set up");
                show(Stage::NotSetUp { problems });
                tokio::time::sleep(patience.config_again).await;
                continue;
            }
        };
        let error = match connect(&config).await {
            Ok((engine, schedule)) => {
                if config.enrolment_token.is_some() {
                    forget_token(named);
                }
                return Started {
                    config,
                    engine,
                    schedule,
                };
            }
            Err(e) => e,
        };
        tracing::warn!(attempt, error = %error, "the kiosk cannot start yet");
        let retry_in = delays.next().unwrap_or(patience.retry.max_delay);
        let text = error.to_string();
        // A problem for staff in the configuration's last file (the one provisioning wrote).
        let in_config = |problem: &str| {
            let file = Config::named_or_device(named)
                .last()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            format!("{file}: {problem}")
        };
        let (stage, wait) = match error {
            // The fleet's CA file named by server.ca is missing or not a CA bundle: the kiosk
            // trusts no server rather than more of them.
            StartError::Config(e) => (
                Stage::NotSetUp {
                    problems: e.problems.iter().map(ToString::to_string).collect(),
                },
                patience.config_again,
            ),
            StartError::Server(ApiError::Url(_)) => (
                Stage::NotSetUp {
                    problems: vec![in_config(&format!("server: {text}"))],
                },
                patience.config_again,
            ),
            StartError::Enrol(EngineError::NoEnrolmentToken) => (
                Stage::NotSetUp {
                    problems: vec![in_config("server.enrolment_token: needed until the kiosk is enrolled")],
                },
                patience.config_again,
            ),
            // The configured server did not issue the kiosk's credential: a configuration for
            // staff to fix (a new provisioning with that server's token), not a connection to retry.
            StartError::Enrol(EngineError::CredentialElsewhere { .. }) => (
                Stage::NotSetUp {
                    problems: vec![in_config(&format!("server.url: {text}"))],
                },
                patience.config_again,
            ),
            StartError::Enrol(EngineError::Api(ApiError::Refused { status: 401, .. })) => {
                (Stage::TokenRefused { error: text, retry_in }, retry_in)
            }
            StartError::DataDir { .. } | StartError::Store(_) | StartError::Enrol(EngineError::Store(_)) => (
                Stage::CannotStart {
                    attempt,
                    error: text,
                    retry_in,
                },
                retry_in,
            ),
            StartError::Server(_) | StartError::Enrol(_) => (
                Stage::Connecting {
                    attempt,
                    error: text,
                    retry_in,
                },
                retry_in,
            ),
        };
        show(stage);
        tokio::time::sleep(wait).await;
    }
}

/// The token has been exchanged for the kiosk's credential: it leaves every file it was in.
fn forget_token(named: &[PathBuf]) {
    for path in Config::named_or_device(named) {
        match kiosk_config::forget_enrolment_token(&path) {
            Ok(true) => tracing::info!(file = %path.display(), "the used enrolment token is removed"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "the used enrolment token could not be removed"),
        }
    }
}
