//! What the image promises, checked from inside the booted appliance through the test image's
//! command channel: the system running, the kiosk's unit ready and watched, no getty, the
//! firewall loaded and nothing listening past it, the root read-only, the keys and the units'
//! hardening; with the boot's figures.

use std::path::Path;
use std::time::Duration;

use kiosk_tests::qemu::Channel;

use super::{BOOT, guest};

/// What the image promises, checked from inside the running appliance; figures to evidence.
/// Returns the boot's timings, in words.
pub(crate) fn inside_the_appliance(ch: &mut Channel, ev: &Path) -> String {
    let state = ch
        .run("systemctl is-system-running --wait", BOOT)
        .unwrap_or_else(|e| panic!("is-system-running: {e}"));
    let failed = guest(ch, "systemctl --failed --no-legend --plain");
    assert_eq!(
        state.text.trim(),
        "running",
        "the system is {}; failed units:\n{failed}",
        state.text.trim()
    );

    let unit = guest(
        ch,
        "systemctl show citas-kiosk.service -p Type -p NotifyAccess -p ActiveState -p SubState -p WatchdogUSec -p User",
    );
    for want in [
        "Type=notify",
        "NotifyAccess=main",
        "ActiveState=active",
        "SubState=running",
        "WatchdogUSec=30s",
        "User=kiosk",
    ] {
        assert!(
            unit.lines().any(|l| l == want),
            "citas-kiosk.service: {want} not in\n{unit}"
        );
    }

    // The hardware watchdog (i6300esb here, bcm2835-wdt on the Pi) is armed by systemd.
    let wd = guest(
        ch,
        "systemctl show -p RuntimeWatchdogUSec; cat /sys/class/watchdog/watchdog0/identity /sys/class/watchdog/watchdog0/state",
    );
    assert!(
        !wd.contains("RuntimeWatchdogUSec=0\n") && !wd.contains("RuntimeWatchdogUSec=infinity"),
        "{wd}"
    );
    assert!(wd.lines().any(|l| l == "active"), "the watchdog is not armed:\n{wd}");

    // No login anywhere: no getty on a VT, none on the serial port (the Pi's image gives Linux
    // no serial console; this board's console=ttyAMA0 is for the test's log only).
    let gettys = guest(
        ch,
        "systemctl list-units --no-legend --plain 'getty@*' 'autovt@*' 'serial-getty@*' 'console-getty*'",
    );
    assert!(gettys.trim().is_empty(), "a getty runs on a VT: {gettys}");

    // The firewall is loaded, and nothing listens on the network but what its rules let in
    // (the DHCP clients' answers: udp 68, 546).
    let rules = guest(ch, "nft list ruleset");
    assert!(
        rules.contains("hook input") && rules.contains("policy drop"),
        "the firewall is not loaded:\n{rules}"
    );
    // And it lets out only what the kiosk needs: a web server on the host side (port 80) is
    // refused the guest's connection at once; the server's 443 carried the kiosk's enrolment.
    let output = rules.split("hook output").nth(1).unwrap_or_default();
    assert!(
        output.trim_start().starts_with("priority filter; policy drop;"),
        "the firewall lets anything out:\n{rules}"
    );
    let web = std::net::TcpListener::bind("127.0.0.1:80").expect("port 80 on the test's own loopback");
    let tried = guest(
        ch,
        "timeout 5 bash -c 'exec 3<>/dev/tcp/10.0.2.2/80' 2>&1; echo exit=$?",
    );
    assert!(
        tried.contains("Connection refused") && tried.contains("exit=1"),
        "the guest reached a web server past its firewall: {tried}"
    );
    drop(web);
    let deny = guest(ch, "systemctl show -p IPAddressDeny citas-kiosk.service");
    for prefix in ["224.0.0.0/4", "ff00::/8", "169.254.0.0/16", "fe80::/64"] {
        assert!(deny.contains(prefix), "the kiosk may send to {prefix}: {deny}");
    }
    let listening = guest(ch, "ss -H -l -t -u -n -p");
    for socket in listening.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = socket.split_whitespace().collect();
        let port = fields.get(4).and_then(|a| a.rsplit(':').next()).unwrap_or_default();
        let allowed = format!("{} dport {port} accept", fields[0]);
        assert!(
            rules.lines().any(|l| l.trim() == allowed),
            "listening where the firewall lets nothing in: {socket}\n{rules}"
        );
    }

    // The root is read-only; the kiosk can write /data/kiosk and its private /tmp, nothing else.
    let root = guest(ch, "findmnt -n -o OPTIONS /");
    assert!(root.starts_with("ro"), "/ is mounted {root}");
    let writable = guest(
        ch,
        "nsenter -t $(systemctl show -p MainPID --value citas-kiosk.service) -m findmnt -r -n -o TARGET,FSTYPE,OPTIONS \
         | awk '$3 ~ /^rw/ && $2 !~ /^(proc|sysfs|devtmpfs|devpts|mqueue|cgroup2|tmpfs|securityfs|debugfs|tracefs|configfs|bpf|pstore|efivarfs|fusectl|hugetlbfs|binfmt_misc)$/ {print $1}'",
    );
    let places: Vec<&str> = writable.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(places, ["/data/kiosk"], "the kiosk can write on disk at {places:?}");
    // Nothing written there runs: no programs, no set-uid, no device nodes on /data.
    let data = guest(ch, "findmnt -n -o OPTIONS /data");
    for option in ["nosuid", "nodev", "noexec"] {
        assert!(data.split(',').any(|o| o.trim() == option), "/data is mounted {data}");
    }
    // The fleet's provisioning key is where kioskctl adopt looks, its CA where server.ca does.
    let key = guest(
        ch,
        "head -n 1 /etc/citas/provisioning.pub.pem /etc/citas/fleet-ca.pem 2>&1; true",
    );
    assert_eq!(
        key.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        [
            "==> /etc/citas/provisioning.pub.pem <==",
            "-----BEGIN PUBLIC KEY-----",
            "==> /etc/citas/fleet-ca.pem <==",
            "-----BEGIN CERTIFICATE-----"
        ],
        "/etc/citas/provisioning.pub.pem, /etc/citas/fleet-ca.pem"
    );

    // A keyboard plugged into the kiosk: Ctrl+Alt+Del and SysRq do nothing.
    let keys = guest(
        ch,
        "systemctl is-enabled ctrl-alt-del.target; systemctl show -p CtrlAltDelBurstAction; cat /proc/sys/kernel/sysrq; true",
    );
    assert_eq!(
        keys.lines().collect::<Vec<_>>(),
        ["masked", "CtrlAltDelBurstAction=none", "0"],
        "Ctrl+Alt+Del or SysRq still works"
    );

    // Both units the kiosk brings are hardened to systemd's "OK" (exposure <= 2.0).
    let mut security = String::new();
    for service in ["citas-kiosk.service", "citas-kiosk-adopt.service"] {
        let said = guest(
            ch,
            &format!("systemd-analyze security --no-pager {service} | tail -n 1"),
        );
        let exposure = said
            .split(&format!("{service}: "))
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no exposure level in {said}"));
        assert!(exposure <= 2.0, "{service} is exposed at {exposure}: {said}");
        security += said.trim();
        security.push(' ');
    }
    let analyze = guest(
        ch,
        "systemd-analyze time; systemd-analyze critical-chain --no-pager citas-kiosk.service; \
         systemd-analyze blame --no-pager | head -n 15",
    );
    // The kiosk's own share: its process started (exec) -> READY=1 (its first frame drawn).
    let marks = guest(
        ch,
        "systemctl show citas-kiosk.service -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic",
    );
    let mark = |name: &str| -> f64 {
        marks
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or_else(
                || panic!("no {name} in {marks}"),
                |us| Duration::from_micros(us).as_secs_f64(),
            )
    };
    let (exec, ready) = (
        mark("ExecMainStartTimestampMonotonic"),
        mark("ActiveEnterTimestampMonotonic"),
    );
    let timing = format!(
        "kernel start -> kiosk process {exec:.1} s; kiosk process -> first frame (READY=1) {:.1} s\n\
         systemd-analyze security: {}\n{analyze}\n",
        ready - exec,
        security.trim()
    );
    std::fs::write(ev.join("inside.txt"), format!("{unit}\n{wd}\n{rules}\n{timing}")).unwrap();
    timing
}
