# nooelint: oelint.var.mandatoryvar.SRC_URI - meta-rauc's bundle class takes the image from RAUC_SLOT_rootfs
SUMMARY = "Signed RAUC update bundle of the kiosk's root filesystem"
DESCRIPTION = "A verity bundle of citas-kiosk-image's root filesystem, signed with the fleet's key, for RAUC to install into the other root slot."
HOMEPAGE = "https://example.invalid/citas-kiosk"
LICENSE = "MIT"

inherit bundle

# The variant's compatible, as its image's system.conf says (rauc-conf.bbappend), and the
# image's own version, which the kiosk's pre-install handler compares with its own.
RAUC_BUNDLE_COMPATIBLE = "${CITAS_RAUC_COMPATIBLE}"
RAUC_BUNDLE_VERSION = "${DISTRO_VERSION}"
RAUC_BUNDLE_FORMAT = "verity"
RAUC_BUNDLE_SLOTS = "rootfs"
RAUC_SLOT_rootfs = "citas-kiosk-image"
RAUC_SLOT_rootfs[fstype] = "ext4"

# The signing key and certificate are the fleet's, never in the repository: the build host
# points at them (yocto/README.md, "Signing keys").
RAUC_KEY_FILE = "${CITAS_RAUC_KEY}"
RAUC_CERT_FILE = "${CITAS_RAUC_CERT}"
