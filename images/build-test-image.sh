#!/usr/bin/env bash
# images/build-test-image.sh ROOTFS_DIR OUT.img [BOOT_DIR]
#
# Assembles a kiosk disk image offline from a root filesystem directory, with the partition
# layout of layout.env: an MBR, a FAT32 boot partition (holding BOOT_DIR's files, if given),
# root slot A made from ROOTFS_DIR, an empty root slot B and an empty data partition. No loop
# devices and no root privileges: each filesystem is made in a file (mkfs.vfat -C + mtools,
# mkfs.ext4 -d) and spliced into the image at its offset. The real image comes from Yocto's
# wic with the same layout; this one lets CI check the layout, the checker and provisioning.
set -euo pipefail
# mkfs, sfdisk and fsck live in sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=layout.sh
. "$here/layout.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 ROOTFS_DIR OUT.img [BOOT_DIR]" >&2
    exit 2
fi
rootfs=$1
out=$2
bootdir=${3:-}
[ -d "$rootfs" ] || { echo "$0: $rootfs is not a directory" >&2; exit 1; }
[ -z "$bootdir" ] || [ -d "$bootdir" ] || { echo "$0: $bootdir is not a directory" >&2; exit 1; }
for tool in sfdisk mkfs.vfat mcopy mkfs.ext4; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (apt install fdisk dosfstools mtools e2fsprogs)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== partition table ($total_mib MiB)"
rm -f "$out"
truncate -s "${total_mib}M" "$out"
sfdisk --quiet --no-reread --no-tell-kernel "$out" <<TABLE
label: dos
label-id: $DISK_ID
unit: sectors
sector-size: $SECTOR

start=$boot_start, size=$boot_size, type=$BOOT_TYPE, bootable
start=$a_start, size=$rootfs_size, type=$ROOTFS_TYPE
start=$b_start, size=$rootfs_size, type=$ROOTFS_TYPE
start=$data_start, size=$data_size, type=$DATA_TYPE
TABLE

splice() { # FILE START_SECTOR
    dd if="$1" of="$out" bs="$SECTOR" seek="$2" conv=sparse,notrunc status=none
}

echo "== boot (FAT32, $BOOT_LABEL)"
mkfs.vfat -C -F 32 -n "$BOOT_LABEL" "$work/boot.vfat" $((BOOT_SIZE_MIB * 1024)) >/dev/null
if [ -n "$bootdir" ] && [ -n "$(ls -A "$bootdir")" ]; then
    mcopy -s -i "$work/boot.vfat" "$bootdir"/* ::/
fi
splice "$work/boot.vfat" "$boot_start"
rm "$work/boot.vfat"

echo "== rootfs A (ext4, $ROOTFS_A_LABEL) from $rootfs"
mkfs.ext4 -q -F -L "$ROOTFS_A_LABEL" -d "$rootfs" "$work/a.ext4" "${ROOTFS_SIZE_MIB}M"
splice "$work/a.ext4" "$a_start"
rm "$work/a.ext4"

echo "== rootfs B (ext4, $ROOTFS_B_LABEL, empty until the first update)"
mkfs.ext4 -q -F -L "$ROOTFS_B_LABEL" "$work/b.ext4" "${ROOTFS_SIZE_MIB}M"
splice "$work/b.ext4" "$b_start"
rm "$work/b.ext4"

echo "== data (ext4, $DATA_LABEL)"
mkfs.ext4 -q -F -L "$DATA_LABEL" "$work/data.ext4" "${DATA_SIZE_MIB}M"
splice "$work/data.ext4" "$data_start"

echo "$out: $total_mib MiB"
