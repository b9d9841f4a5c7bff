#!/usr/bin/env bash
# images/qemu/run.sh CARD.img STATE_DIR [options]
#
# Powers on the emulated appliance: a QEMU arm64 "virt" board (TCG) that starts Debian's U-Boot,
# which runs the kiosk's own boot script (boot.scr on the card's FAT) and boots the root slot it
# chooses. What the board has, and what it stands for on the kiosk:
#
#   virtio-blk        the SD card (U-Boot's "virtio 0", Linux's /dev/vda)
#   pflash 1          U-Boot's environment, RAUC's tries (the Pi keeps them in uboot.env)
#   virtio-gpu-pci    the display: DRM/KMS, 2D only (the kiosk draws with linuxkms-software)
#   virtio-tablet     the touchscreen: absolute touches through libinput
#   i6300esb          a hardware watchdog (the Pi's bcm2835-wdt): systemd keeps it fed
#   user network      QEMU's own (slirp): the guest's 10.0.2.2 is this host's loopback. Run in
#                     a network namespace of its own with nothing but loopback (the test does:
#                     `unshare --net`), so the guest reaches the simulators and nothing else;
#                     run.sh refuses to start where the host has any other interface up.
#   qemu-xhci         the kiosk's USB ports (bus xhci.0): the test plugs a visitor's keyboard and
#                     USB stick in through QMP (device_add usb-kbd / usb-storage,drive=lobbystick,
#                     a 1 MiB stick of STATE_DIR/lobby-stick.img)
#   virtio-blk 2      with --stick FILE: a technician's USB stick (Linux's /dev/vdb), read-only,
#                     holding FILE's filesystem (the test's stick carries update bundles)
#   virtconsole       /dev/hvc0: the test image's command channel (images/qemu/test-overlay);
#                     the production image has no such device and nothing listening on it
#   ttyAMA0           the serial console, written to STATE_DIR/console.log
#   qemu.log          STATE_DIR/qemu.log: what QEMU says of the guest's mistakes (guest_errors)
#   QMP               STATE_DIR/qmp.sock: screendump (screenshots), input-send-event (touches),
#                     system_reset and quit
#
# The guest reaches the simulators the test starts on the namespace's loopback through 10.0.2.2
# (kiosk.toml's server.url https://10.0.2.2/, scanner escl+http://10.0.2.2:PORT/eSCL,
# printer tcp://10.0.2.2:PORT, NTP 10.0.2.2).
#
# Options: --size WxH (the display; 800x480, the Pi's 7" panel, by default), --stick FILE (see
# above), --foreground
# (wait for QEMU to end; by default QEMU is started in the background, its pid written to
# STATE_DIR/qemu.pid).
# The first run of a STATE_DIR writes its U-Boot flashes; later runs keep the environment the
# boot script and RAUC left there, as a card keeps its uboot.env.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    echo "usage: $0 CARD.img STATE_DIR [--size WxH] [--stick FILE] [--foreground]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
card=$(realpath "$1")
state=$2
shift 2
size=800x480
foreground="" stick=""
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size=$2; shift 2 ;;
        --stick) stick=$(realpath "$2"); shift 2 ;;
        --foreground) foreground=1; shift ;;
        *) usage ;;
    esac
done
[[ "$size" =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "$0: --size wants WxH, not $size" >&2; exit 2; }
width=${BASH_REMATCH[1]} height=${BASH_REMATCH[2]}
[ -f "$card" ] || { echo "$0: $card is not a file" >&2; exit 1; }

uboot=/usr/lib/u-boot/qemu_arm64/u-boot.bin
for need in qemu-system-aarch64 mkenvimage ip "$uboot"; do
    command -v "$need" >/dev/null 2>&1 || [ -e "$need" ] \
        || { echo "$0: $need is missing (scripts/install-peers installs it)" >&2; exit 1; }
done

mkdir -p "$state"
state=$(realpath "$state")
flash_size=$((64 << 20))
if [ ! -f "$state/flash0.img" ]; then
    cp "$uboot" "$state/flash0.img"
    truncate -s "$flash_size" "$state/flash0.img"
fi
if [ ! -f "$state/flash1.img" ]; then
    # U-Boot's environment before the first boot: what the Pi's U-Boot would find in a new
    # card's uboot.env, and the board's own names for the card. bootdelay=-2: no key press
    # stops the boot, as on the kiosk.
    "$here/uboot-env.sh" > "$state/env.txt"
    mkenvimage -s 0x40000 -o "$state/flash1.img" "$state/env.txt"
    truncate -s "$flash_size" "$state/flash1.img"
fi

# The lobby's network is never the guest's: only loopback may be up here.
others=$(ip -o link show up 2>/dev/null | awk -F': ' '$2 != "lo" {print $2}')
if [ -n "$others" ]; then
    echo "$0: this network namespace has more than loopback up ($others): run it in one of its own," \
        "e.g. unshare --net sh -c 'ip link set lo up; $0 ...'" >&2
    exit 1
fi

[ -f "$state/lobby-stick.img" ] || truncate -s 1M "$state/lobby-stick.img"
rm -f "$state/qmp.sock" "$state/shell.sock"
args=(
    -M virt -cpu cortex-a72 -smp 2 -m 1024
    -drive "if=pflash,format=raw,file=$state/flash0.img,readonly=on"
    -drive "if=pflash,format=raw,file=$state/flash1.img"
    -drive "if=none,format=raw,id=card,file=$card"
    -device virtio-blk-pci,drive=card
    -device "virtio-gpu-pci,xres=$width,yres=$height"
    -device virtio-tablet-pci
    -device i6300esb
    -device qemu-xhci,id=xhci
    -drive "if=none,format=raw,id=lobbystick,readonly=on,file=$state/lobby-stick.img"
    -watchdog-action reset
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0
    -device virtio-serial-pci
    -chardev "socket,id=shell,path=$state/shell.sock,server=on,wait=off"
    -device virtconsole,chardev=shell
    -qmp "unix:$state/qmp.sock,server=on,wait=off"
    -serial "file:$state/console.log"
    -display none
    -monitor none
    -d guest_errors -D "$state/qemu.log"
)
# KIOSK_QEMU_TRACE=PATTERN (e.g. 'virtio_gpu_cmd_*'): QEMU's trace events into qemu.log too.
if [ -n "${KIOSK_QEMU_TRACE:-}" ]; then
    args+=(-trace "enable=$KIOSK_QEMU_TRACE")
fi
if [ -n "$stick" ]; then
    [ -f "$stick" ] || { echo "$0: --stick $stick is not a file" >&2; exit 1; }
    args+=(-drive "if=none,format=raw,id=stick,readonly=on,file=$stick" -device virtio-blk-pci,drive=stick)
fi
if [ -n "$foreground" ]; then
    exec qemu-system-aarch64 "${args[@]}"
fi
qemu-system-aarch64 "${args[@]}" -daemonize -pidfile "$state/qemu.pid"
