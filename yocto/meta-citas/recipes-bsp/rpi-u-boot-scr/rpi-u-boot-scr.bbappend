# The kiosk's boot script: RAUC's A/B slot choice, the kernel from the chosen slot.
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"
