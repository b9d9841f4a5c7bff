#!/usr/bin/env bash
# images/verify-image.sh IMAGE
#
# Checks a kiosk disk image offline: the partition table is sound (sfdisk --verify) and is the
# layout of layout.env (four primary partitions, their starts, sizes, types and the boot flag);
# the boot partition is a clean FAT32 labelled as expected (fsck.vfat -n); every ext4
# partition is clean with its label (e2fsck -fn, dumpe2fs); and the image survives a bmaptool
# create + copy round trip (bmaptool checks each mapped range's SHA-256 as it copies). Exit 0
# only when everything holds; each failure is named.
set -euo pipefail
# mkfs, sfdisk and fsck live in sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=layout.sh
. "$here/layout.sh"

if [ $# -ne 1 ]; then
    echo "usage: $0 IMAGE" >&2
    exit 2
fi
img=$1
[ -f "$img" ] || { echo "$0: no image at $img" >&2; exit 1; }
for tool in sfdisk jq fsck.vfat e2fsck dumpe2fs bmaptool; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (apt install fdisk jq dosfstools e2fsprogs bmap-tools)" >&2; exit 1; }
done

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

if sfdisk --verify "$img" >/dev/null 2>&1; then ok "sfdisk --verify"; else fail "sfdisk --verify: $(sfdisk --verify "$img" 2>&1 | tr '\n' ' ')"; fi

table=$(sfdisk --json "$img")
[ "$(jq -r '.partitiontable.label' <<<"$table")" = dos ] && ok "MBR partition table" || fail "not an MBR (dos) partition table"
count=$(jq '.partitiontable.partitions | length' <<<"$table")
[ "$count" = 4 ] && ok "four partitions" || fail "$count partitions, the layout has 4"
[ "$(jq -r '.partitiontable.id' <<<"$table")" = "$DISK_ID" ] && ok "disk id $DISK_ID" || fail "disk id is $(jq -r '.partitiontable.id' <<<"$table"), not $DISK_ID"

check_part() { # N START SIZE TYPE NAME
    local p
    p=$(jq -c ".partitiontable.partitions[$(($1 - 1))] // {}" <<<"$table")
    local start size type
    start=$(jq -r '.start // empty' <<<"$p")
    size=$(jq -r '.size // empty' <<<"$p")
    type=$(jq -r '.type // empty' <<<"$p")
    if [ "$start" = "$2" ] && [ "$size" = "$3" ] && [ "$type" = "$4" ]; then
        ok "p$1 $5: start $2, $3 sectors, type $4"
    else
        fail "p$1 $5: start ${start:-?}, ${size:-?} sectors, type ${type:-?}; the layout says start $2, $3 sectors, type $4"
    fi
}
check_part 1 "$boot_start" "$boot_size" "$BOOT_TYPE" boot
check_part 2 "$a_start" "$rootfs_size" "$ROOTFS_TYPE" "rootfs A"
check_part 3 "$b_start" "$rootfs_size" "$ROOTFS_TYPE" "rootfs B"
# The data partition may have grown (x-systemd.growfs) on a card that has run: at least the layout's size.
p4=$(jq -c '.partitiontable.partitions[3] // {}' <<<"$table")
if [ "$(jq -r '.start // empty' <<<"$p4")" = "$data_start" ] && [ "$(jq -r '.size // 0' <<<"$p4")" -ge "$data_size" ] \
    && [ "$(jq -r '.type // empty' <<<"$p4")" = "$DATA_TYPE" ]; then
    ok "p4 data: start $data_start, at least $data_size sectors, type $DATA_TYPE"
else
    fail "p4 data: $p4; the layout says start $data_start, at least $data_size sectors, type $DATA_TYPE"
fi
[ "$(jq -r '.partitiontable.partitions[0].bootable // false' <<<"$table")" = true ] && ok "p1 bootable" || fail "p1 is not marked bootable"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dd if="$img" of="$work/boot.vfat" bs="$SECTOR" skip="$boot_start" count="$boot_size" conv=sparse status=none
if out=$(fsck.vfat -n "$work/boot.vfat" 2>&1); then ok "p1 FAT clean (fsck.vfat -n)"; else fail "p1 fsck.vfat -n: $out"; fi
label=$(fatlabel "$work/boot.vfat" 2>/dev/null | tr -d ' ' || true)
[ "$label" = "$BOOT_LABEL" ] && ok "p1 label $BOOT_LABEL" || fail "p1 label is '${label}', not $BOOT_LABEL"
rm "$work/boot.vfat"

check_ext4() { # N START LABEL
    local offset=$(($2 * SECTOR))
    local out label
    if out=$(e2fsck -fn "$img?offset=$offset" 2>&1); then ok "p$1 ext4 clean (e2fsck -fn)"; else fail "p$1 e2fsck -fn: $out"; fi
    label=$(dumpe2fs -h "$img?offset=$offset" 2>/dev/null | sed -n 's/^Filesystem volume name:[[:space:]]*//p')
    [ "$label" = "$3" ] && ok "p$1 label $3" || fail "p$1 label is '${label}', not $3"
}
check_ext4 2 "$a_start" "$ROOTFS_A_LABEL"
check_ext4 3 "$b_start" "$ROOTFS_B_LABEL"
check_ext4 4 "$data_start" "$DATA_LABEL"

# The partitions of an image without their device names.
parts() { sfdisk --json "$1" | jq -c '[.partitiontable.id, (.partitiontable.partitions[] | del(.node))]'; }
if bmaptool -q create -o "$work/image.bmap" "$img" 2>"$work/err" \
    && bmaptool -q copy --bmap "$work/image.bmap" "$img" "$work/copy.img" 2>>"$work/err" \
    && [ "$(parts "$work/copy.img")" = "$(parts "$img")" ]; then
    ok "bmaptool create + copy round trip ($(grep -c '<Range' "$work/image.bmap") mapped ranges, each checksummed)"
else
    fail "bmaptool round trip: $(tr '\n' ' ' <"$work/err")"
fi

if [ "$failures" -gt 0 ]; then
    echo "$img: $failures check(s) failed"
    exit 1
fi
echo "$img: every check passed"
