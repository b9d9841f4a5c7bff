SUMMARY = "Citas SRE appointment kiosk and its technician tool (kioskctl)"
DESCRIPTION = "The touchscreen app that books Citas SRE appointments in a consulate's lobby, \
scans documents on an IPP-over-USB scanner and prints tickets on an ESC/POS printer."
HOMEPAGE = "https://example.invalid/citas-kiosk"
SECTION = "utils"
LICENSE = "GPL-3.0-only"
LIC_FILES_CHKSUM = "file://LICENSE;md5=1ebbd3e34237af26da5dc08a4e440464"

DEPENDS += "fontconfig libinput libxkbcommon udev virtual/egl virtual/libgbm virtual/libgles2"

PV = "0.1.0+git"

# The app comes from the repository that holds this layer (CITAS_KIOSK_REPO, layer.conf), at
# the commit it is at: the image and the layer are always one version, and nothing is fetched
# from a server for it. A build of another clone or commit sets CITAS_KIOSK_SRC and
# SRCREV_citas-kiosk in local.conf (yocto/README.md).
CITAS_KIOSK_SRC ?= "git://${CITAS_KIOSK_REPO};protocol=file;nobranch=1"
SRC_URI = "${CITAS_KIOSK_SRC};name=citas-kiosk \
           file://citas-kiosk.service \
           file://citas-kiosk-adopt.service \
           file://99-citas-kiosk.rules \
           file://kiosk.toml \
           "
SRCREV_citas-kiosk ?= "${@citas_kiosk_head(d)}"

def citas_kiosk_head(d):
    """The commit (HEAD) of the repository holding this layer. Its HEAD, branch and packed refs
    are marked as dependencies of the parse, so a new commit is parsed again, not cached."""
    import os
    import subprocess
    repo = d.getVar('CITAS_KIOSK_REPO')

    def git(*args):
        return subprocess.run(['git', '-C', repo] + list(args), check=True, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.strip()

    try:
        head = git('rev-parse', '--verify', 'HEAD^{commit}')
        for ref in ('HEAD', git('rev-parse', '--symbolic-full-name', 'HEAD'), 'packed-refs'):
            path = os.path.join(repo, git('rev-parse', '--git-path', ref))
            if os.path.exists(path):
                bb.parse.mark_dependency(d, path)
    except (OSError, subprocess.CalledProcessError) as e:
        bb.fatal("citas-kiosk: cannot read the commit of %s (%s); set SRCREV_citas-kiosk"
                 % (repo, getattr(e, 'stderr', None) or e))
    return head

SRCREV_FORMAT = "citas-kiosk"

# Every crate from Cargo.lock, fetched before the build (no network while compiling).
require citas-kiosk-crates.inc

# pkgconfig: the -sys crates (libudev, libinput, xkbcommon, gbm, fontconfig) find their
# libraries with pkg-config, which is not among bitbake's host tools.
inherit cargo cargo-update-recipe-crates pkgconfig systemd useradd

# The Pi build of the app: linuxkms (no X, no Wayland), femtovg on OpenGL ES, the pins.
CARGO_BUILD_FLAGS += "--no-default-features --features pi -p citas-kiosk -p kioskctl"

USERADD_PACKAGES = "${PN}"
# render is made by systemd's udev package, which may be installed after this one: made here
# too (useradd skips a group that exists).
GROUPADD_PARAM:${PN} = "--system gpio; --system render"
USERADD_PARAM:${PN} = "--system --home-dir /data/kiosk --no-create-home --shell /sbin/nologin \
                       --groups video,render,input,lp,gpio --user-group kiosk"

SYSTEMD_SERVICE:${PN} = "citas-kiosk.service citas-kiosk-adopt.service"
SYSTEMD_AUTO_ENABLE = "enable"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${UNPACKDIR}/citas-kiosk.service ${D}${systemd_system_unitdir}/
    install -m 0644 ${UNPACKDIR}/citas-kiosk-adopt.service ${D}${systemd_system_unitdir}/
    install -d ${D}${nonarch_base_libdir}/udev/rules.d
    install -m 0644 ${UNPACKDIR}/99-citas-kiosk.rules ${D}${nonarch_base_libdir}/udev/rules.d/
    install -d ${D}${sysconfdir}/citas-kiosk
    install -m 0644 ${UNPACKDIR}/kiosk.toml ${D}${sysconfdir}/citas-kiosk/kiosk.toml
}

FILES:${PN} += "${systemd_system_unitdir} ${nonarch_base_libdir}/udev/rules.d"
RDEPENDS:${PN} += "fontconfig ttf-dejavu-sans"
