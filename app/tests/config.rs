//! A kiosk configured for a server enrols once and keeps its credential; until it has its
//! configuration, its data and its credential it says which is missing (the start-up screen)
//! and tries again, and once enrolled the used token leaves its file.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Mutex;
use std::time::Duration;

use citas_kiosk::config::{Config, connect};
use citas_kiosk::startup::{Patience, Stage, until_started};
use kiosk_device::gpio::Led;
use kiosk_sim::central::{self, CentralConfig};
use kiosk_sim::faults::FaultConfig;

fn write_config(dir: &std::path::Path, url: &str, token: Option<&str>) -> std::path::PathBuf {
    let path = dir.join("kiosk.toml");
    let token = token.map_or(String::new(), |t| format!("enrolment_token = \"{t}\"\n"));
    std::fs::write(
        &path,
        format!(
            "[server]\nurl = \"{url}\"\n{token}[kiosk]\nid = \"LAX-LOBBY-1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_kiosk_enrols_once_and_keeps_its_credential() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("central.db"));
    sim.enrolment_tokens = vec!["ONE-TIME".into()];
    let central = central::start(sim).await.unwrap();

    let config = Config::load(&write_config(dir.path(), &central.url, Some("ONE-TIME"))).unwrap();
    let (engine, schedule) = connect(&config).await.unwrap();
    assert_eq!(schedule.offices, vec!["LAX"]);
    assert!(engine.sync_catalogue(chrono::Utc::now()).await.is_ok());
    drop(engine);

    // The next start has no token: the stored credential is used.
    let config = Config::load(&write_config(dir.path(), &central.url, None)).unwrap();
    let (engine, _) = connect(&config).await.unwrap();
    engine.sync_office("LAX", chrono::Utc::now()).await.unwrap();
    central.stop().await;
}

/// Attempts come one after the other without waiting (the waits are the device's, not a test's).
fn no_patience() -> Patience {
    Patience {
        config_again: Duration::ZERO,
        retry: kiosk_sync::RetryPolicy {
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            factor: 1.0,
        },
    }
}

fn kind(stage: &Stage) -> &'static str {
    match stage {
        Stage::NotSetUp { .. } => "not-set-up",
        Stage::Connecting { .. } => "connecting",
        Stage::TokenRefused { .. } => "token-refused",
        Stage::CannotStart { .. } => "cannot-start",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_for_its_provisioning_and_the_server_then_enrols_and_forgets_the_used_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("central.db"));
    sim.enrolment_tokens = vec!["ONE-TIME".into()];
    // The server fails every call until the kiosk has said it is connecting.
    sim.faults = FaultConfig {
        error: 1.0,
        ..FaultConfig::default()
    };
    let central = central::start(sim).await.unwrap();
    let path = dir.path().join("kiosk.toml");
    let named = vec![path.clone()];

    let seen = Mutex::new(Vec::new());
    let started = until_started(&named, None, no_patience(), |stage| {
        match &stage {
            // The technician provisions it while the screen says it is not set up.
            Stage::NotSetUp { .. } => {
                write_config(dir.path(), &central.url, Some("ONE-TIME"));
            }
            // The network comes back.
            Stage::Connecting { .. } => central.faults.set(FaultConfig::default()),
            _ => {}
        }
        seen.lock().unwrap().push(stage);
    })
    .await;

    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen.iter().map(kind).collect::<Vec<_>>(),
        ["not-set-up", "connecting"],
        "{seen:?}"
    );
    let Stage::NotSetUp { problems } = &seen[0] else {
        unreachable!()
    };
    assert_eq!(problems, &[format!("{}: no configuration file exists", path.display())]);
    let Stage::Connecting { attempt, error, .. } = &seen[1] else {
        unreachable!()
    };
    assert_eq!(*attempt, 2);
    assert!(error.contains("the central server failed (50"), "{error}");
    assert_eq!(started.config.kiosk_id, "LAX-LOBBY-1");
    assert!(started.engine.sync_catalogue(chrono::Utc::now()).await.is_ok());

    // The token is gone from the file; the rest is as the technician wrote it.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("ONE-TIME"), "{text}");
    let url = &central.url;
    let data = dir.path().join("data");
    assert_eq!(
        text,
        format!(
            "[server]\nurl = \"{url}\"\n[kiosk]\nid = \"LAX-LOBBY-1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n",
            data.display()
        )
    );
    drop(started);

    // The next start needs neither: the stored credential is used.
    let again = until_started(&named, None, no_patience(), |stage| panic!("{stage:?}")).await;
    again.engine.sync_office("LAX", chrono::Utc::now()).await.unwrap();
    central.stop().await;
}

/// Runs `until_started` until it shows its first stage.
async fn first_stage(named: &[std::path::PathBuf]) -> Stage {
    first_stage_with_boot(named, None).await
}

async fn first_stage_with_boot(named: &[std::path::PathBuf], boot: Option<&std::path::Path>) -> Stage {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::select! {
        s = until_started(named, boot, no_patience(), move |stage| { let _ = tx.send(stage); }) => panic!("started: {s:?}"),
        stage = rx.recv() => stage.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn says_when_the_server_refuses_the_token_and_when_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let sim = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("central.db"));
    let central = central::start(sim).await.unwrap();

    let path = write_config(dir.path(), &central.url, Some("NOT-ISSUED"));
    let stage = first_stage(std::slice::from_ref(&path)).await;
    let Stage::TokenRefused { error, .. } = &stage else {
        panic!("{stage:?}")
    };
    assert!(error.contains("invalid-enrolment-token"), "{error}");
    assert_eq!(stage.led(), Led::OutOfService);
    // A refused token is not removed: the technician sees which one it was.
    assert!(std::fs::read_to_string(&path).unwrap().contains("NOT-ISSUED"));

    let path = write_config(dir.path(), &central.url, None);
    let stage = first_stage(std::slice::from_ref(&path)).await;
    let Stage::NotSetUp { problems } = &stage else {
        panic!("{stage:?}")
    };
    assert_eq!(
        problems,
        &[format!(
            "{}: server.enrolment_token: needed until the kiosk is enrolled",
            path.display()
        )]
    );
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn says_when_the_server_cannot_be_reached_or_the_data_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    // Nobody listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let path = write_config(dir.path(), &format!("http://127.0.0.1:{port}/"), Some("T"));
    let stage = first_stage(std::slice::from_ref(&path)).await;
    let Stage::Connecting { attempt: 1, error, .. } = &stage else {
        panic!("{stage:?}")
    };
    assert!(error.contains("no answer from the central server"), "{error}");
    assert_eq!(stage.led(), Led::Degraded);
    // An unreachable server may be an update's doing (its TLS, its network): the slot is not
    // marked good on this screen.
    assert!(!stage.proves_the_system());

    // The data directory (made by the first attempt) is now a file.
    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data"), "not a directory").unwrap();
    let stage = first_stage(std::slice::from_ref(&path)).await;
    let Stage::CannotStart { error, .. } = &stage else {
        panic!("{stage:?}")
    };
    assert!(error.contains("data directory"), "{error}");
    assert!(
        !stage.proves_the_system(),
        "data that cannot be opened proved the system good"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_the_mistake_of_a_provisioning_left_on_the_boot_partition() {
    let dir = tempfile::tempdir().unwrap();
    let named = [dir.path().join("kiosk.toml")];
    let boot = dir.path().join("citas-kiosk.toml");
    // `kioskctl adopt` left it there: the kiosk's id has a space.
    std::fs::write(
        &boot,
        "[server]\nurl = \"https://citas.example/\"\nenrolment_token = \"T\"\n[kiosk]\nid = \"LAX 1\"\noffices = [\"LAX\"]\n",
    )
    .unwrap();
    let stage = first_stage_with_boot(&named, Some(&boot)).await;
    let Stage::NotSetUp { problems } = &stage else {
        panic!("{stage:?}")
    };
    // A configuration for staff to fix: the system that says so works, and keeps its slot.
    assert!(stage.proves_the_system());
    assert_eq!(
        problems,
        &[
            format!("{}:5: kiosk.id: 1 to 64 letters, digits, '-' or '_'", boot.display()),
            format!("{}: no configuration file exists", named[0].display()),
        ]
    );
    // A good one not adopted yet (adopt runs at boot).
    std::fs::write(
        &boot,
        "[server]\nurl = \"https://citas.example/\"\n[kiosk]\nid = \"LAX-1\"\noffices = [\"LAX\"]\n",
    )
    .unwrap();
    let Stage::NotSetUp { problems } = first_stage_with_boot(&named, Some(&boot)).await else {
        panic!()
    };
    assert!(
        problems[0].ends_with("not adopted yet (kioskctl adopt takes it at boot): restart the kiosk"),
        "{problems:?}"
    );
}

/// `[server] ca` as the image names it: the kiosk enrols over https with a server its fleet's
/// CA signed; a server another CA signed gets nothing; a CA file that is not there is a
/// problem for staff in the configuration, not a connection to retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talks_https_to_the_server_its_fleet_ca_signed_and_to_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, other) = (
        kiosk_sim::tls::TestCa::new("fleet CA").unwrap(),
        kiosk_sim::tls::TestCa::new("someone else's CA").unwrap(),
    );
    let start = |ca: &kiosk_sim::tls::TestCa, db: &str| {
        let mut sim = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join(db));
        sim.enrolment_tokens = vec!["ONE-TIME".into()];
        sim.tls = Some(ca.server_config(&["127.0.0.1"]).unwrap());
        central::start(sim)
    };
    let ca_file = dir.path().join("fleet-ca.pem");
    let with_ca = |url: &str| {
        let path = write_config(dir.path(), url, Some("ONE-TIME"));
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            "[kiosk]",
            &format!("ca = \"{}\"\n[kiosk]", ca_file.display()),
            1,
        );
        std::fs::write(&path, text).unwrap();
        path
    };

    let stranger = start(&other, "stranger.db").await.unwrap();
    std::fs::write(&ca_file, fleet.pem()).unwrap();
    let config = Config::load(&with_ca(&stranger.url)).unwrap();
    let Err(e) = connect(&config).await else {
        panic!("a server another CA signed was trusted")
    };
    assert!(e.to_string().contains("no answer from the central server"), "{e}");
    stranger.stop().await;

    let ours = start(&fleet, "central.db").await.unwrap();
    assert!(ours.url.starts_with("https://"), "{}", ours.url);
    std::fs::remove_file(&ca_file).unwrap();
    let named = [with_ca(&ours.url)];
    let Stage::NotSetUp { problems } = first_stage(&named).await else {
        panic!("a missing fleet CA was not a problem of the configuration")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!("{}: server.ca: cannot be read", ca_file.display())),
        "{problems:?}"
    );
    std::fs::write(&ca_file, fleet.pem()).unwrap();
    let (engine, _) = connect(&Config::load(&named[0]).unwrap()).await.unwrap();
    engine.sync_catalogue(chrono::Utc::now()).await.unwrap();
    ours.stop().await;
}
