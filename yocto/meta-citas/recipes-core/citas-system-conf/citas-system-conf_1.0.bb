SUMMARY = "The kiosk's system settings: watchdog, VTs, journal, firewall, time, good slot"
DESCRIPTION = "Drop-ins for systemd (hardware watchdog, logind without VTs, volatile journald, no Ctrl+Alt+Del), the kernel without SysRq, the nftables rules, the fleet's provisioning key and CA, and the links to what provisioning wrote on /data."
HOMEPAGE = "https://example.invalid/citas-kiosk"
LICENSE = "MIT"
# nooelint: oelint.var.licenseremotefile - these files are ours, under the common MIT text
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "file://watchdog.conf \
           file://logind.conf \
           file://journald.conf \
           file://nftables.conf \
           file://citas-mark-good.service \
           file://citas-mark-good.path \
           file://citas-on-screen.service \
           file://citas-firewall.service \
           file://lockdown.conf \
           file://sysctl.conf \
           file://${CITAS_PROVISIONING_KEY} \
           file://${CITAS_FLEET_CA} \
           "

inherit allarch systemd

do_install() {
    install -d ${D}${systemd_unitdir}/system.conf.d ${D}${systemd_unitdir}/logind.conf.d \
               ${D}${systemd_unitdir}/journald.conf.d ${D}${sysconfdir}
    install -m 0644 ${UNPACKDIR}/watchdog.conf ${D}${systemd_unitdir}/system.conf.d/10-citas-watchdog.conf
    install -m 0644 ${UNPACKDIR}/lockdown.conf ${D}${systemd_unitdir}/system.conf.d/10-citas-lockdown.conf
    # A keyboard plugged in at the kiosk: Ctrl+Alt+Del does nothing, SysRq is off.
    install -d ${D}${sysconfdir}/systemd/system ${D}${sysconfdir}/sysctl.d
    ln -sf /dev/null ${D}${sysconfdir}/systemd/system/ctrl-alt-del.target
    install -m 0644 ${UNPACKDIR}/sysctl.conf ${D}${sysconfdir}/sysctl.d/10-citas.conf
    install -m 0644 ${UNPACKDIR}/logind.conf ${D}${systemd_unitdir}/logind.conf.d/10-citas.conf
    install -m 0644 ${UNPACKDIR}/journald.conf ${D}${systemd_unitdir}/journald.conf.d/10-citas.conf
    install -m 0644 ${UNPACKDIR}/nftables.conf ${D}${sysconfdir}/nftables.conf
    install -d ${D}${systemd_system_unitdir}
    # The slot is marked good when the kiosk proves the system (the .path); a kiosk that never
    # gets on screen reboots the board (citas-on-screen), costing the slot a try.
    install -m 0644 ${UNPACKDIR}/citas-mark-good.service ${UNPACKDIR}/citas-mark-good.path \
        ${UNPACKDIR}/citas-on-screen.service ${D}${systemd_system_unitdir}/
    # meta-networking's nftables ships no unit: this one loads /etc/nftables.conf at boot.
    install -m 0644 ${UNPACKDIR}/citas-firewall.service ${D}${systemd_system_unitdir}/
    # The fleet's provisioning public key (never in the repository: CITAS_PROVISIONING_KEY points
    # at the build host's copy): an enrolled kiosk adopts only a provisioning file it signed.
    install -d ${D}${sysconfdir}/citas
    install -m 0644 ${UNPACKDIR}/${CITAS_PROVISIONING_KEY} ${D}${sysconfdir}/citas/provisioning.pub.pem
    # The fleet's CA (CITAS_FLEET_CA, the build host's copy): the central server's certificate
    # chains to it and to no public CA (the image's kiosk.toml names it as server.ca).
    install -m 0644 ${UNPACKDIR}/${CITAS_FLEET_CA} ${D}${sysconfdir}/citas/fleet-ca.pem
    # What provisioning wrote (kioskctl adopt) is where the read-only root looks for it.
    install -d ${D}${sysconfdir}/systemd/timesyncd.conf.d ${D}${sysconfdir}/wpa_supplicant
    ln -sf /data/network/timesyncd.conf ${D}${sysconfdir}/systemd/timesyncd.conf.d/50-citas.conf
    ln -sf /data/network/wpa_supplicant-wlan0.conf ${D}${sysconfdir}/wpa_supplicant/wpa_supplicant-wlan0.conf
    # time-sync.target means the clock is right (for units that need it; the kiosk itself
    # starts at once and shows no appointment time until then).
    install -d ${D}${sysconfdir}/systemd/system/sysinit.target.wants
    ln -sf ${systemd_system_unitdir}/systemd-time-wait-sync.service \
        ${D}${sysconfdir}/systemd/system/sysinit.target.wants/systemd-time-wait-sync.service
}

SYSTEMD_SERVICE:${PN} = "citas-mark-good.path citas-on-screen.service citas-firewall.service"
FILES:${PN} += "${systemd_unitdir}"
RDEPENDS:${PN} = "nftables rauc systemd"
