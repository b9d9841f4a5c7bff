#!/usr/bin/env bash
# images/qemu/rootfs.sh KIOSK.deb KEYRING.pem OUT_DIR --provisioning-key PUB.pem --fleet-ca CA.pem [--version V] [--test-channel]
#
# The emulated appliance's root filesystem for arm64, as close to citas-kiosk-image as Debian's
# packages allow: mmdebstrap assembles Debian bookworm (systemd, udev, libinput, Mesa's GBM/EGL,
# fontconfig, rauc, nftables, systemd-timesyncd, the arm64 kernel) with the kiosk's own package
# (images/deb/build: meta-citas's units, udev rules and kiosk.toml); then the files of
# meta-citas's citas-system-conf are installed by that recipe's own do_install, RAUC gets
# meta-citas's system.conf with KEYRING.pem, the getty goes as the image recipe removes it, and
# the root is made to run read-only (writable: /data, the volatile /run, /tmp and /var/volatile).
#
# What stands in for the Pi (images/qemu/board/): the card is /dev/vda (udev gives its
# partitions the Pi's names, so fstab and RAUC's system.conf are the Pi's); U-Boot's
# environment is in the board's flash (fw_env.config); the kernel is Debian's.
# --test-channel adds the test image's command channel (images/qemu/test-channel/): a root shell
# on the virtconsole /dev/hvc0, which the production image does not have.
# --provisioning-key PUB.pem: the fleet's provisioning public key (CITAS_PROVISIONING_KEY in the
# Yocto build), which citas-system-conf installs.
# --fleet-ca CA.pem: the fleet's CA certificate (CITAS_FLEET_CA), which citas-system-conf
# installs as /etc/citas/fleet-ca.pem, the image's server.ca.
# --version V: the image's version (/etc/os-release's VERSION_ID), as a bundle names it.
# Needs root (mmdebstrap's root mode, mkfs -d keeps the owners) and binfmt for arm64
# (qemu-user-static; this script registers it when /proc/sys/fs/binfmt_misc allows).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
meta=$repo/yocto/meta-citas

usage() { echo "usage: $0 KIOSK.deb KEYRING.pem OUT_DIR --provisioning-key PUB.pem --fleet-ca CA.pem [--version V] [--test-channel]" >&2; exit 2; }
[ $# -ge 3 ] || usage
deb=$(realpath "$1")
keyring=$(realpath "$2")
out=$3
shift 3
version=test channel="" provisioning_key="" fleet_ca=""
while [ $# -gt 0 ]; do
    case "$1" in
        --provisioning-key) provisioning_key=$(realpath "$2"); shift 2 ;;
        --fleet-ca) fleet_ca=$(realpath "$2"); shift 2 ;;
        --version) version=$2; shift 2 ;;
        --test-channel) channel=1; shift ;;
        *) usage ;;
    esac
done
[ -f "$deb" ] && [ -f "$keyring" ] && [ -f "$provisioning_key" ] && [ -f "$fleet_ca" ] || usage
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (mmdebstrap's root mode)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "$0: mmdebstrap is missing (scripts/install-peers)" >&2; exit 1; }

# Foreign maintainer scripts run through binfmt: mount it and enable qemu-aarch64 if need be.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    update-binfmts --enable qemu-aarch64
fi

# What citas-kiosk-image installs, in Debian's names (the kernel and firmware are the board's).
# (mawk: the awk of RAUC's pre-install handler, busybox's in the image.)
packages=(
    systemd systemd-sysv udev systemd-timesyncd dbus kmod
    libinput10 libgbm1 libegl1 libegl-mesa0 libgles2 libxkbcommon0 fontconfig fonts-dejavu-core
    rauc rauc-service libubootenv-tool nftables e2fsprogs netbase mawk
    linux-image-arm64 initramfs-tools
)
# The checks the appliance test runs inside: ss (iproute2). Production has no shell channel.
[ -z "$channel" ] || packages+=(iproute2 procps)

# An interrupted mmdebstrap can leave /proc, /sys or /dev mounted inside: never delete through them.
if [ -d "$out" ] && grep -q " $(realpath "$out")/" /proc/mounts; then
    echo "$0: something is still mounted under $out (an interrupted run?): umount it first" >&2
    exit 1
fi
rm -rf "$out"
mkdir -p "$out"
echo "== mmdebstrap bookworm arm64 -> $out"
# file-mirror-automount: the kiosk's .deb is a path outside the chroot, which apt inside reaches.
mmdebstrap --variant=essential --architectures=arm64 --mode=root \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --include="$deb" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --aptopt='APT::Install-Recommends "false"' \
    --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/usr/share/initramfs-tools/modules.d\" && cp '$here/initramfs.conf' \"\$1/etc/initramfs-tools/conf.d/citas-board.conf\" && cp '$here/initramfs.modules' \"\$1/usr/share/initramfs-tools/modules.d/citas-board\"" \
    --customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
    bookworm "$out"

echo "== citas-system-conf (its recipe's do_install)"
# Its files as bitbake unpacks them: the recipe's own, and the keys from the build host's paths
# (a file:// URL with an absolute path lands under UNPACKDIR at that path).
unpack=$(mktemp -d)
cp -a "$meta/recipes-core/citas-system-conf/files/." "$unpack/"
install -D -m 0644 "$provisioning_key" "$unpack/$provisioning_key"
install -D -m 0644 "$fleet_ca" "$unpack/$fleet_ca"
CITAS_PROVISIONING_KEY=$provisioning_key CITAS_FLEET_CA=$fleet_ca \
    "$here/recipe-install.sh" "$meta/recipes-core/citas-system-conf/citas-system-conf_1.0.bb" "$unpack" "$out"
rm -rf "$unpack"
chroot "$out" systemctl enable citas-mark-good.path citas-on-screen.service citas-firewall.service systemd-networkd.service

echo "== RAUC: meta-citas's system.conf and the keyring"
install -D -m 0644 "$meta/recipes-core/rauc/files/system.conf" "$out/etc/rauc/system.conf"
install -D -m 0644 "$keyring" "$out/usr/lib/rauc/ca.cert.pem"
install -D -m 0755 "$meta/recipes-core/rauc/files/citas-pre-install" "$out/usr/lib/rauc/citas-pre-install"

echo "== U-Boot's environment from Linux (meta-citas's libubootenv fw_env.config: uboot.env on /boot)"
install -D -m 0644 "$meta/recipes-bsp/libubootenv/files/fw_env.config" "$out/etc/fw_env.config"

echo "== no login on the screen (citas_no_getty)"
rm -f "$out/etc/systemd/system/getty.target.wants/getty@tty1.service"
ln -sf /dev/null "$out/etc/systemd/system/getty@tty1.service"

echo "== the board: card names, U-Boot's environment, the kernel U-Boot loads, the network"
cp -a "$here/board/." "$out/"
# The slot's kernel, where boot.cmd loads it (/boot/Image: booti takes an uncompressed Image).
kernel=$(ls "$out"/boot/vmlinuz-* | head -n 1)
if gzip -t "$kernel" 2>/dev/null; then gzip -dc "$kernel" > "$out/boot/Image"; else cp "$kernel" "$out/boot/Image"; fi
# Debian's kernel has the card's drivers (virtio, ext4) as modules: its initramfs (MODULES=list,
# initramfs.modules) loads them; the boot script loads it on this board (citas_board=qemu).
initrd=$(ls "$out"/boot/initrd.img-* | head -n 1)
[ "$(stat -c %s "$initrd")" -gt 1000000 ] || { echo "$0: $initrd is no initramfs" >&2; exit 1; }
cp "$initrd" "$out/boot/initrd"
# The system's name and version, as the kiosk's heartbeat reports them (citas-kiosk-image's
# distro writes its own os-release the same way).
rm -f "$out/etc/os-release"
cat > "$out/etc/os-release" <<OS
NAME="Citas SRE kiosk"
VERSION_ID=$version
PRETTY_NAME="Citas SRE kiosk $version (emulated appliance, Debian bookworm)"
ID=citas
ID_LIKE=debian
OS
# Debian's kernel carries drivers for every arm64 machine; the board has virtio devices only.
# What it cannot have goes (about two thirds of the modules: a smaller card, a faster build).
# drivers/md stays: RAUC mounts a verity bundle through dm-verity.
kver=$(basename "$kernel" | sed 's/^vmlinuz-//')
mods=$out/usr/lib/modules/$kver/kernel
rm -rf "$mods/sound" "$mods/drivers/media" "$mods/drivers/net/wireless" "$mods/drivers/net/ethernet" \
    "$mods/drivers/infiniband" "$mods/drivers/staging" "$mods/drivers/iio" "$mods/drivers/scsi" \
    "$mods/drivers/target" "$mods/drivers/isdn" "$mods/drivers/bluetooth" \
    "$mods/net/bluetooth" "$mods/net/wireless" "$mods/net/mac80211"
find "$mods/drivers/gpu/drm" -mindepth 1 -maxdepth 1 -type d \
    ! -name virtio ! -name display ! -name ttm ! -name scheduler -exec rm -rf {} +
chroot "$out" depmod -a "$kver"

if [ -n "$channel" ]; then
    echo "== the test image's command channel (/dev/hvc0)"
    cp -a "$here/test-channel/." "$out/"
    chroot "$out" systemctl enable citas-test-channel.service
fi

echo "== read-only root"
# The state that must survive a boot is on /data; the rest of /var that programs write is
# volatile, as the image's /var/volatile (fstab in board/ mounts it).
# /tmp and /var/tmp are tmpfs mounts of their own (PrivateTmp= needs both writable).
rm -rf "$out/var/log"/* "$out/var/tmp"/* "$out/tmp"/*
mkdir -p "$out/var/volatile" "$out/data" "$out/boot"
: > "$out/etc/machine-id"
echo "$out: $(du -sh "$out" | cut -f1)"
