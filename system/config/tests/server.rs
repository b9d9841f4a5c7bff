//! `[server]` against a provisioning that would send the kiosk's traffic where anyone can read
//! it, and the fleet's CA as the image names it.

use std::path::Path;

use kiosk_config::{Config, MAX_CA_FILE};

const KIOSK: &str = "[kiosk]\nid = \"LAX-LOBBY-1\"\noffices = [\"LAX\"]\n";

fn parse(server: &str) -> Result<Config, kiosk_config::ConfigError> {
    Config::parse(&format!("[server]\n{server}\n{KIOSK}"), Path::new("k.toml"))
}

#[test]
fn refuses_plain_http_to_a_server_on_the_network() {
    for url in [
        "http://10.0.2.2:8080/",
        "http://citas.example/api/",
        "http://localhost.evil.example/",
    ] {
        let e = parse(&format!("url = \"{url}\"")).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].key, "server.url");
        assert!(e.problems[0].problem.starts_with("must be https"), "{url}: {e}");
    }
}

#[test]
fn refuses_https_on_a_port_the_firewall_does_not_let_out() {
    let e = parse("url = \"https://citas.example:8443/api/\"").unwrap_err();
    assert_eq!(e.problems[0].key, "server.url");
    assert!(e.problems[0].problem.contains("port 443"), "{e}");
}

#[test]
fn takes_https_anywhere_and_plain_http_to_a_simulator_on_this_machine() {
    for url in [
        "https://citas.example/api/",
        "https://10.0.2.2/",
        "https://127.0.0.1:8443/",
        "http://127.0.0.1:8080/",
        "http://[::1]:8080/",
        "http://localhost:8080/",
    ] {
        let c = parse(&format!("url = \"{url}\"")).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(c.server.as_str(), url);
    }
}

#[test]
fn the_fleet_ca_is_an_absolute_path_and_the_image_names_it() {
    let e = parse("url = \"https://x/\"\nca = \"fleet-ca.pem\"").unwrap_err();
    assert_eq!(e.problems[0].key, "server.ca", "{e}");
    let c = parse("url = \"https://x/\"").unwrap();
    assert_eq!(c.server_ca, None);
    assert_eq!(c.read_server_ca().unwrap(), None, "no CA named: the public list");
    // The image's layer names the fleet's CA; provisioning's layer inherits it.
    let base =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../yocto/meta-citas/recipes-citas/citas-kiosk/files/kiosk.toml");
    let dir = tempfile::tempdir().unwrap();
    let provisioned = dir.path().join("kiosk.toml");
    std::fs::write(&provisioned, format!("[server]\nurl = \"https://x/\"\n{KIOSK}")).unwrap();
    let c = Config::load_layers(&[&base, &provisioned]).unwrap();
    assert_eq!(c.server_ca.as_deref(), Some(Path::new(kiosk_config::FLEET_CA)));
}

#[test]
fn reads_the_fleet_ca_and_refuses_one_missing_oversize_or_not_pem() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("fleet-ca.pem");
    let named = || parse(&format!("url = \"https://x/\"\nca = \"{}\"", ca.display())).unwrap();
    let problem = |c: &Config| {
        let e = c.read_server_ca().unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].key, "server.ca");
        assert_eq!(e.problems[0].path, ca);
        e.problems[0].problem.clone()
    };
    assert!(problem(&named()).starts_with("cannot be read"));
    let pem = kiosk_sim::tls::TestCa::new("fleet CA").unwrap().pem().to_owned();
    std::fs::write(&ca, &pem).unwrap();
    assert_eq!(named().read_server_ca().unwrap().as_deref(), Some(pem.as_bytes()));
    std::fs::write(&ca, "not a certificate\n").unwrap();
    assert_eq!(problem(&named()), "holds no PEM certificate");
    let mut big = pem.repeat(usize::try_from(MAX_CA_FILE).unwrap() / pem.len() + 1);
    big.truncate(usize::try_from(MAX_CA_FILE).unwrap() + 1);
    std::fs::write(&ca, big).unwrap();
    assert!(problem(&named()).starts_with("larger than"), "{}", problem(&named()));
}
