//! The image's firewall is loaded at boot: meta-networking's nftables ships no unit, so
//! meta-citas's citas-firewall.service loads the ruleset the recipe installs, before any network
//! comes up, and is enabled; the ruleset itself is one nft (Debian's nftables) accepts, and lets
//! out only what the kiosk needs.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn conf_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../yocto/meta-citas/recipes-core/citas-system-conf")
}

#[test]
fn the_firewall_unit_loads_the_installed_ruleset_before_the_network_and_is_enabled() {
    let recipe = std::fs::read_to_string(conf_dir().join("citas-system-conf_1.0.bb")).unwrap();
    let unit = std::fs::read_to_string(conf_dir().join("files/citas-firewall.service")).unwrap();
    assert!(
        recipe.contains("${D}${sysconfdir}/nftables.conf"),
        "the recipe installs the ruleset as /etc/nftables.conf"
    );
    assert!(
        recipe.contains("${D}${systemd_system_unitdir}/") && recipe.contains("citas-firewall.service ${D}"),
        "the recipe installs the unit"
    );
    let enabled = recipe.lines().find(|l| l.starts_with("SYSTEMD_SERVICE:${PN}")).unwrap();
    assert!(
        enabled.contains("citas-firewall.service"),
        "the unit is not enabled: {enabled}"
    );
    let lines: Vec<&str> = unit.lines().map(str::trim).collect();
    for wanted in [
        "ExecStart=/usr/sbin/nft -f /etc/nftables.conf",
        "Before=network-pre.target shutdown.target",
        "Wants=network-pre.target",
        "DefaultDependencies=no",
        "WantedBy=sysinit.target",
        "Type=oneshot",
        "RemainAfterExit=yes",
    ] {
        assert!(lines.contains(&wanted), "citas-firewall.service lacks {wanted}");
    }
}

/// `nft --check --file PATH`: parsed and validated by the kernel's rules engine, never applied,
/// in a network namespace of its own (a user namespace gives it the capability it needs, so
/// this runs without root and can never touch this machine's own ruleset).
fn nft_check(path: &Path) -> std::process::Output {
    nft_check_in(path, "")
}

/// The same on a system whose /etc/protocols is empty (Debian's netbase absent, as on a
/// minimal root): nft then cannot resolve a protocol by name.
fn nft_check_without_protocols(path: &Path) -> std::process::Output {
    nft_check_in(path, "mount --bind /dev/null /etc/protocols && ")
}

/// Runs `nft --check` on `path` in a user, network and mount namespace of its own, after
/// `prelude` (shell, run as that namespace's root).
fn nft_check_in(path: &Path, prelude: &str) -> std::process::Output {
    Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "--mount", "sh", "-c"])
        .arg(format!("{prelude}exec /usr/sbin/nft --check --file \"$0\""))
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run unshare ({e}): it comes with Debian's util-linux"))
}

#[test]
fn nft_accepts_the_kiosks_ruleset() {
    let rules = conf_dir().join("files/nftables.conf");
    assert!(
        Path::new("/usr/sbin/nft").exists(),
        "no /usr/sbin/nft: scripts/install-peers installs Debian's nftables"
    );
    let out = nft_check(&rules);
    assert!(
        out.status.success(),
        "nft refuses {}: {}",
        rules.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    // And the check can fail: a rule with a typo is refused.
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("broken.conf");
    let text = std::fs::read_to_string(&rules)
        .unwrap()
        .replacen("policy drop", "policy dorp", 1);
    assert!(text.contains("policy dorp"), "the ruleset has no drop policy to break");
    std::fs::write(&broken, text).unwrap();
    assert!(!nft_check(&broken).status.success(), "nft --check accepts anything");
}

#[test]
fn the_ruleset_loads_on_a_root_without_etc_protocols() {
    let rules = conf_dir().join("files/nftables.conf");
    let out = nft_check_without_protocols(&rules);
    assert!(
        out.status.success(),
        "without /etc/protocols nft refuses {}: {}",
        rules.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check can fail: a protocol named by name is refused there (the rule the emulated
    // appliance could not load: `meta l4proto ipv6-icmp`).
    let tmp = tempfile::tempdir().unwrap();
    let named = tmp.path().join("named.conf");
    std::fs::write(
        &named,
        "table inet t {\n    chain input {\n        type filter hook input priority 0;\n        meta l4proto ipv6-icmp accept\n    }\n}\n",
    )
    .unwrap();
    assert!(
        !nft_check_without_protocols(&named).status.success(),
        "/etc/protocols was not hidden: nft resolved a protocol name"
    );
}

/// What the kiosk's ruleset lets out, loaded in a network namespace of its own where the
/// documentation network 192.0.2.0/24 is routed (through loopback, so a packet the rules let
/// out leaves and is never answered): each probe is `udp`/`tcp` and a port, and says `sent`
/// (it left), `EPERM`/`ECONNREFUSED` (the rules refused it at once) or `left` (a TCP
/// connection attempt that went out and waits for an answer).
fn outbound(rules: &Path, probes: &[(&str, u16)]) -> Vec<String> {
    let probe = r#"
import errno, socket, sys
for arg in sys.argv[1:]:
    kind, port = arg.split(":")
    if kind == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.sendto(b"x", ("192.0.2.2", int(port)))
            print("sent")
        except OSError as e:
            print(errno.errorcode[e.errno])
    else:
        s = socket.socket()
        s.settimeout(0.3)
        try:
            s.connect(("192.0.2.2", int(port)))
            print("connected")
        except socket.timeout:
            print("left")
        except OSError as e:
            print(errno.errorcode[e.errno])
"#;
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c"])
        .arg(
            "rules=$0 probe=$1; shift; ip link set lo up && ip route add 192.0.2.0/24 dev lo \
             && /usr/sbin/nft -f \"$rules\" && exec python3 -c \"$probe\" \"$@\"",
        )
        .arg(rules)
        .arg(probe)
        .args(probes.iter().map(|(kind, port)| format!("{kind}:{port}")))
        .output()
        .unwrap_or_else(|e| panic!("cannot run unshare ({e}): it comes with Debian's util-linux"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_kiosk_reaches_out_only_for_https_dns_ntp_and_dhcp() {
    let rules = conf_dir().join("files/nftables.conf");
    let probes = [
        ("tcp", 443),
        ("udp", 53),
        ("tcp", 53),
        ("udp", 123),
        ("udp", 67),
        ("tcp", 80),
        ("tcp", 22),
        ("tcp", 8443),
        ("udp", 5353),
        ("udp", 1900),
    ];
    let seen = outbound(&rules, &probes);
    let got: Vec<(String, &str)> = probes
        .iter()
        .map(|(kind, port)| format!("{kind}:{port}"))
        .zip(seen.iter().map(String::as_str))
        .collect();
    let want = [
        "left",
        "sent",
        "left",
        "sent",
        "sent",
        "ECONNREFUSED",
        "ECONNREFUSED",
        "ECONNREFUSED",
        "EPERM",
        "EPERM",
    ];
    assert_eq!(
        got,
        probes
            .iter()
            .map(|(kind, port)| format!("{kind}:{port}"))
            .zip(want)
            .collect::<Vec<_>>()
    );
    // And the probe can tell: with the output chain open, everything leaves.
    let tmp = tempfile::tempdir().unwrap();
    let open = tmp.path().join("open.conf");
    let text = std::fs::read_to_string(&rules).unwrap().replace(
        "type filter hook output priority 0; policy drop;",
        "type filter hook output priority 0; policy accept; accept",
    );
    std::fs::write(&open, text).unwrap();
    let seen = outbound(&open, &[("tcp", 22), ("udp", 5353)]);
    assert_eq!(seen, ["left", "sent"], "the probe cannot see a refusal");
}
