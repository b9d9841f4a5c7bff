#!/usr/bin/env bash
# images/qemu/uboot-env.sh: the emulated board's own U-Boot environment (its flash), as text for
# mkenvimage: what the kiosk's Pi has compiled into its U-Boot (yocto/meta-citas/recipes-bsp/
# u-boot/files/citas-lockdown.cfg), with this board's names. The kiosk's state lives where the Pi
# keeps it, in uboot.env on the card's boot partition (16 KiB, the size of meta-citas's
# fw_env.config, which RAUC writes from Linux): bootcmd imports RAUC's three variables from that
# file and nothing else (a bootargs or bootcmd planted there is never read), then runs the boot
# script, which writes them back. citas_board=qemu tells the script this board's disk, root and
# console. bootdelay=-2: no key press stops the boot.
set -euo pipefail
cat <<'ENV'
bootdelay=-2
scriptaddr=0x40200000
kernel_addr_r=0x40400000
ramdisk_addr_r=0x48000000
citas_board=qemu
bootcmd=setenv fdt_addr ${fdtcontroladdr}; virtio scan; if load virtio 0:1 ${kernel_addr_r} uboot.env; then env import -c ${kernel_addr_r} 0x4000 BOOT_ORDER BOOT_A_LEFT BOOT_B_LEFT; fi; load virtio 0:1 ${scriptaddr} boot.scr && source ${scriptaddr}; poweroff
ENV
