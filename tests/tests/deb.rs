//! The Debian package (images/deb/build, cargo-deb) carries the very files meta-citas installs:
//! the Pi's binaries that app/tests/pi_build.rs ran, the units, the udev rules and kiosk.toml
//! byte for byte, every `file://` the recipe installs, and the kiosk user in the groups the
//! recipe gives it. One source, two packagings: a file changed in one place only fails here.
//! Needs the package (`KIOSK_DEB`, set by scripts/test) and the Pi's build
//! (`KIOSK_PI_BUILD_DIR`); without them it fails and says how to make them.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn deb() -> PathBuf {
    kiosk_tests::required_path(
        "KIOSK_DEB",
        "run scripts/build-aarch64, then images/deb/build, and set KIOSK_DEB to the .deb it prints",
    )
}

/// Runs `dpkg-deb ARGS... DEB [DEST]`, failing the test with its message; its standard output.
fn dpkg_deb(args: &[&str], deb: &Path, dest: Option<&Path>) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .args(dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dpkg-deb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The package unpacked into a temporary directory.
fn unpacked(deb: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    dpkg_deb(&["-x"], deb, Some(dir.path()));
    dir
}

const FILES: &str = "yocto/meta-citas/recipes-citas/citas-kiosk/files";
const RECIPE: &str = "yocto/meta-citas/recipes-citas/citas-kiosk/citas-kiosk_git.bb";

/// Where the package puts each of the recipe's files (the recipe's do_install, Debian's paths).
fn packaged_as(name: &str) -> Option<&'static str> {
    match name {
        "citas-kiosk.service" => Some("usr/lib/systemd/system/citas-kiosk.service"),
        "citas-kiosk-adopt.service" => Some("usr/lib/systemd/system/citas-kiosk-adopt.service"),
        "99-citas-kiosk.rules" => Some("usr/lib/udev/rules.d/99-citas-kiosk.rules"),
        "kiosk.toml" => Some("etc/citas-kiosk/kiosk.toml"),
        _ => None,
    }
}

#[test]
fn the_package_is_the_pis_kiosk_for_arm64_at_the_workspaces_version() {
    let deb = deb();
    let control = dpkg_deb(&["-f"], &deb, None);
    assert!(control.contains("Package: citas-kiosk\n"), "{control}");
    assert!(control.contains("Architecture: arm64\n"), "{control}");
    assert!(
        control.contains(&format!("Version: {}-1\n", env!("CARGO_PKG_VERSION"))),
        "{control}"
    );
    for lib in [
        "libinput10",
        "libudev1",
        "libgbm1",
        "libegl1",
        "libgles2",
        "libfontconfig1",
    ] {
        assert!(control.contains(lib), "Depends lacks {lib}: {control}");
    }
    let pi = kiosk_tests::required_path("KIOSK_PI_BUILD_DIR", "run scripts/build-aarch64");
    let dir = unpacked(&deb);
    for bin in ["citas-kiosk", "kioskctl"] {
        let packaged = std::fs::read(dir.path().join("usr/bin").join(bin)).unwrap();
        assert!(
            packaged == std::fs::read(pi.join(bin)).unwrap(),
            "usr/bin/{bin} is not the Pi's build in {}",
            pi.display()
        );
    }
}

#[test]
fn the_package_carries_every_file_the_recipe_installs_byte_for_byte() {
    let recipe = std::fs::read_to_string(repo().join(RECIPE)).unwrap();
    let installed: Vec<&str> = recipe
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("file://"))
        .collect();
    assert!(installed.len() >= 4, "the recipe's SRC_URI: {installed:?}");
    let dir = unpacked(&deb());
    for name in installed {
        let dest = packaged_as(name)
            .unwrap_or_else(|| panic!("the recipe installs {name}; the package does not (app/Cargo.toml's assets)"));
        let packaged =
            std::fs::read(dir.path().join(dest)).unwrap_or_else(|e| panic!("{dest} is not in the package: {e}"));
        assert!(
            packaged == std::fs::read(repo().join(FILES).join(name)).unwrap(),
            "{dest} differs from {FILES}/{name}"
        );
    }
}

#[test]
fn the_packages_kiosk_user_is_in_the_groups_the_recipe_gives_it() {
    let recipe = std::fs::read_to_string(repo().join(RECIPE)).unwrap();
    let groups = recipe
        .split("--groups ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    let dir = unpacked(&deb());
    let sysusers = std::fs::read_to_string(dir.path().join("usr/lib/sysusers.d/citas-kiosk.conf")).unwrap();
    assert!(sysusers.lines().any(|l| l.starts_with("u kiosk ")), "{sysusers}");
    for group in groups.split(',') {
        assert!(
            sysusers
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["m", "kiosk", group]),
            "the recipe puts kiosk in {group}; the package does not: {sysusers}"
        );
    }
    let scripts = unpacked_control(&deb());
    let postinst = std::fs::read_to_string(scripts.path().join("DEBIAN/postinst")).unwrap();
    assert!(
        postinst.contains("systemd-sysusers"),
        "the user is made at install: {postinst}"
    );
    assert!(
        postinst.contains("citas-kiosk.service"),
        "the kiosk's unit is enabled: {postinst}"
    );
    assert!(postinst.contains("systemd-tmpfiles"), "/data/kiosk is made: {postinst}");
}

/// The package's control files (postinst and the rest) in a temporary directory's DEBIAN/.
fn unpacked_control(deb: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    dpkg_deb(&["-e"], deb, Some(&dir.path().join("DEBIAN")));
    dir
}
