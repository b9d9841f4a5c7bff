# The kiosk's U-Boot (production and dev images alike): no prompt, no USB keyboard, no network
# or USB boot, and only RAUC's variables read from the card (files/citas-lockdown.cfg; oe-core's
# u-boot-configure merges a .cfg in SRC_URI into the board's defconfig).
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"

SRC_URI:append:citas = " file://citas-lockdown.cfg"
