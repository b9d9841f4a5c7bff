# Where U-Boot's environment is, for RAUC's bootloader backend.
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"

SRC_URI:append:citas = " file://fw_env.config"

do_install:append:citas() {
    install -d ${D}${sysconfdir}
    install -m 0644 ${UNPACKDIR}/fw_env.config ${D}${sysconfdir}/fw_env.config
}

FILES:${PN}:append:citas = " ${sysconfdir}/fw_env.config"
