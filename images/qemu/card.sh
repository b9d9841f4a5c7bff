#!/usr/bin/env bash
# images/qemu/card.sh ROOTFS_DIR OUT.img
#
# The emulated appliance's card: U-Boot's boot script packed as meta-citas's rpi-u-boot-scr packs
# it for a 64-bit Pi (boot.cmd.in with the kernel image type and boot command put in, mkimage),
# on the boot partition, and ROOTFS_DIR in root slot A, by images/build-test-image.sh (the
# layout of images/layout.env). Slot B and /data start empty, as on a new card.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 ROOTFS_DIR OUT.img" >&2; exit 2; }
rootfs=$1 out=$2
command -v mkimage >/dev/null || { echo "$0: mkimage is missing (apt install u-boot-tools)" >&2; exit 1; }
[ -f "$rootfs/boot/Image" ] || { echo "$0: $rootfs/boot/Image is missing (images/qemu/rootfs.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/boot"
# What rpi-u-boot-scr's do_compile does for KERNEL_IMAGETYPE "Image" (a 64-bit kernel: booti).
sed -e 's/@@KERNEL_IMAGETYPE@@/Image/' -e 's/@@KERNEL_BOOTCMD@@/booti/' \
    "$repo/yocto/meta-citas/recipes-bsp/rpi-u-boot-scr/files/boot.cmd.in" > "$work/boot.cmd"
mkimage -A arm64 -O linux -T script -C none -d "$work/boot.cmd" "$work/boot/boot.scr" >/dev/null
"$repo/images/build-test-image.sh" "$rootfs" "$out" "$work/boot"
