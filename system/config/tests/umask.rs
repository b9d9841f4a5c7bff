//! Files written under a strict umask (its own process: the umask is the process's).

use std::os::unix::fs::PermissionsExt;

#[test]
fn a_replaced_file_gets_its_mode_whatever_the_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timesyncd.conf");
    kiosk_config::replace_file(&path, "[Time]\nNTP=10.0.2.2\n", 0o644).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "systemd-timesyncd (another user) could not read it");
}
