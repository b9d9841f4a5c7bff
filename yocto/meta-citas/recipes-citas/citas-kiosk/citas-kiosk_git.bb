SUMMARY = "Citas SRE appointment kiosk and its technician tool (kioskctl)"
DESCRIPTION = "The touchscreen app that books Citas SRE appointments in a consulate's lobby, \
scans documents on an IPP-over-USB scanner and prints tickets on an ESC/POS printer."
HOMEPAGE = "https://example.invalid/citas-kiosk"
SECTION = "utils"
LICENSE = "GPL-3.0-only"
LIC_FILES_CHKSUM = "file://LICENSE;md5=1ebbd3e34237af26da5dc08a4e440464"

DEPENDS += "fontconfig libinput libxkbcommon udev virtual/egl virtual/libgbm virtual/libgles2"

PV = "0.1.0+git"

# The release build sets CITAS_KIOSK_SRC and SRCREV_citas-kiosk to the tagged commit (kas
# local_conf_header); a development build follows the branch.
CITAS_KIOSK_SRC ?= "git://example.invalid/citas-kiosk.git;protocol=https;branch=main"
SRC_URI = "${CITAS_KIOSK_SRC};name=citas-kiosk \
           file://citas-kiosk.service \
           file://citas-kiosk-adopt.service \
           file://99-citas-kiosk.rules \
           file://kiosk.toml \
           "
# nooelint: oelint.vars.autorev - the release build pins it (see the comment above)
SRCREV_citas-kiosk ?= "${AUTOREV}"
SRCREV_FORMAT = "citas-kiosk"

# Every crate from Cargo.lock, fetched before the build (no network while compiling).
require citas-kiosk-crates.inc

inherit cargo cargo-update-recipe-crates systemd useradd

# The Pi build of the app: linuxkms (no X, no Wayland), femtovg on OpenGL ES, the pins.
CARGO_BUILD_FLAGS += "--no-default-features --features pi -p citas-kiosk -p kioskctl"

USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system gpio"
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
