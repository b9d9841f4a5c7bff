#!/usr/bin/env bash
# images/qemu/uboot-env.sh: the emulated board's own U-Boot environment (its flash), as text for
# mkenvimage. The kiosk's state lives where the Pi keeps it, in uboot.env on the card's boot
# partition (16 KiB, the size of meta-citas's fw_env.config, which RAUC writes from Linux):
# bootcmd imports RAUC's variables from that file before the boot script runs (only those: the
# board's own, bootargs among them, stay the flash's), and citas_save writes it back (this
# U-Boot keeps its own environment in flash, whose writes QEMU's emulation refuses).
# The board's names for the card, which boot.cmd.in reads: "virtio 0" to U-Boot (citas_disk),
# /dev/vda to Linux (citas_root); Debian's kernel needs its initramfs (citas_initrd).
# bootdelay=-2: no key press stops the boot.
set -euo pipefail
cat <<'ENV'
bootdelay=-2
scriptaddr=0x40200000
kernel_addr_r=0x40400000
ramdisk_addr_r=0x48000000
citas_envaddr=0x40100000
citas_disk=virtio 0
citas_root=/dev/vda
citas_initrd=initrd
citas_save=env export -c -s 0x4000 ${citas_envaddr} && fatwrite virtio 0:1 ${citas_envaddr} uboot.env 0x4000
bootargs=console=ttyAMA0 panic=5
bootcmd=setenv fdt_addr ${fdtcontroladdr}; virtio scan; if load virtio 0:1 ${citas_envaddr} uboot.env; then env import -c ${citas_envaddr} 0x4000 BOOT_ORDER BOOT_A_LEFT BOOT_B_LEFT; fi; load virtio 0:1 ${scriptaddr} boot.scr && source ${scriptaddr}; poweroff
ENV
