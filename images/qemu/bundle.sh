#!/usr/bin/env bash
# images/qemu/bundle.sh ROOTFS_DIR CA_DIR OUT.raucb --version V [--broken]
#
# An update for the emulated appliance, as meta-citas's citas-kiosk-bundle makes one for the Pi:
# the root filesystem ROOTFS_DIR (images/qemu/rootfs.sh) under a new version string
# (/etc/os-release's VERSION_ID, which the kiosk's heartbeat reports) as an ext4 slot image in
# a verity bundle for compatible "citas-kiosk-rpi", signed with CA_DIR's throwaway signing
# certificate (images/qemu/build makes it).
#
# --broken: the same system with a packaging mistake, the kiosk's libinput left out, so the
# kiosk never starts: the bundle installs and boots, its slot is never marked good, and after
# its three tries U-Boot goes back to the previous slot (what app/tests/appliance.rs shows).
# Needs root (the root filesystem's files belong to root and other users: mkfs -d keeps owners).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 ROOTFS_DIR CA_DIR OUT.raucb --version V [--broken]" >&2; exit 2; }
[ $# -ge 3 ] || usage
rootfs=$(realpath "$1") ca=$(realpath "$2") out=$3
shift 3
version="" broken=""
while [ $# -gt 0 ]; do
    case "$1" in
        --version) version=$2; shift 2 ;;
        --broken) broken=1; shift ;;
        *) usage ;;
    esac
done
[ -n "$version" ] || usage
[[ "$version" =~ ^[A-Za-z0-9.+~-]+$ ]] || { echo "$0: --version '$version' is not a version string" >&2; exit 2; }
[ -f "$rootfs/etc/os-release" ] || { echo "$0: $rootfs is not a root filesystem (no etc/os-release)" >&2; exit 1; }
[ -f "$ca/sign.cert.pem" ] && [ -f "$ca/sign.key.pem" ] || { echo "$0: no signing certificate in $ca" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (the slot image keeps the files' owners)" >&2; exit 1; }
export PATH="$PATH:/usr/sbin:/sbin"
for tool in rauc mkfs.ext4 mksquashfs; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (scripts/install-peers installs it)" >&2; exit 1; }
done
# shellcheck source=../layout.env
. "$here/../layout.env"

work=$(mktemp -d "$(dirname "$(realpath -m "$out")")/bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -a "$rootfs" "$work/rootfs"
sed -i -e "s/^VERSION_ID=.*/VERSION_ID=$version/" \
    -e "s/^PRETTY_NAME=\"Citas SRE kiosk [^ ]*/PRETTY_NAME=\"Citas SRE kiosk $version/" "$work/rootfs/etc/os-release"
if [ -n "$broken" ]; then
    libs=$(find "$work/rootfs/usr/lib" -name 'libinput.so*')
    [ -n "$libs" ] || { echo "$0: no libinput in $rootfs to leave out" >&2; exit 1; }
    rm -f $libs
fi
# The slot image: the files and a fifth more, no bigger than the slot.
size=$(( $(du -sm "$work/rootfs" | cut -f1) * 6 / 5 + 64 ))
[ "$size" -le "$ROOTFS_SIZE_MIB" ] || { echo "$0: the root needs $size MiB, the slot has $ROOTFS_SIZE_MIB" >&2; exit 1; }
mkdir "$work/bundle"
mkfs.ext4 -q -F -L "$ROOTFS_B_LABEL" -d "$work/rootfs" "$work/bundle/rootfs.ext4" "${size}M"
rm -rf "$work/rootfs"
cat > "$work/bundle/manifest.raucm" <<MANIFEST
[update]
compatible=citas-kiosk-rpi
version=$version

[bundle]
format=verity

[image.rootfs]
filename=rootfs.ext4
MANIFEST
rm -f "$out"
# lz4: the emulated board reads the bundle under TCG; Debian's kernel reads lz4 squashfs.
rauc bundle --cert "$ca/sign.cert.pem" --key "$ca/sign.key.pem" --mksquashfs-args="-comp lz4" \
    "$work/bundle" "$out" >&2
echo "$0: $out ($version$([ -n "$broken" ] && echo ', broken'), $(du -h "$out" | cut -f1))" >&2
