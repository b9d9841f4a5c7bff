SUMMARY = "The Citas SRE kiosk: read-only root, A/B updates, nothing but the kiosk"
DESCRIPTION = "The kiosk's SD card image for a Raspberry Pi 4 or 5: the app on a read-only root with two RAUC slots and a /data partition."
HOMEPAGE = "https://example.invalid/citas-kiosk"
LICENSE = "MIT"

inherit core-image

IMAGE_FEATURES += "read-only-rootfs"
# No SSH, no getty, no package manager in production (kas/dev.yml adds SSH for development).
# rauc-service by name, not only as rauc's recommendation: `rauc status mark-good` asks the
# service over D-Bus, and without it every boot fails citas-mark-good (the emulated appliance
# showed it, its slot losing a try each boot).
IMAGE_INSTALL = "packagegroup-core-boot \
                 citas-kiosk \
                 citas-system-conf \
                 rauc \
                 rauc-service \
                 kernel-image \
                 u-boot-fw-utils \
                 nftables \
                 wpa-supplicant \
                 linux-firmware-rpidistro-bcm43455 \
                 linux-firmware-rpidistro-bcm43456 \
                 ttf-dejavu-sans \
                 mesa-megadriver \
                 kernel-modules \
                 "
IMAGE_LINGUAS = ""
# The Wi-Fi chips' firmware (meta-raspberrypi names both, bcm43455 and bcm43456, for the Pi 4 and
# the Pi 5): the machines only recommend it through MACHINE_EXTRA_RRECOMMENDS, which reaches an
# image through packagegroup-base, and this image has none. Bluetooth's firmware stays out (no bluetooth).
# kernel-image: each root slot carries its kernel in /boot (U-Boot loads it from the slot it
# boots, boot.cmd), so an update brings its kernel with its modules. At run time the boot
# partition is mounted over /boot; U-Boot reads the slot's file system, not the mount.

IMAGE_FSTYPES = "wic.bz2 wic.bmap ext4"
WKS_FILE = "citas-kiosk-sdimage.wks"
# The slot image RAUC installs is the ext4 root; the card image is the wic.

# No login prompt on the screen: the kiosk app is the only thing on it.
ROOTFS_POSTPROCESS_COMMAND += "citas_no_getty"
citas_no_getty() {
    rm -f ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/getty.target.wants/getty@tty1.service
    ln -sf /dev/null ${IMAGE_ROOTFS}${sysconfdir}/systemd/system/getty@tty1.service
}
