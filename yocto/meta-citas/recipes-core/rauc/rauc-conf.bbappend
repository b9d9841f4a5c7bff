# The kiosk's slots and keyring. The CA certificate is the fleet's (never in the repository):
# CITAS_RAUC_CA points at it on the build host (see yocto/README.md, "Signing keys"). bitbake
# checksums it while parsing, so even `bitbake -p` needs the file (yocto/check makes a
# throwaway one).
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"

SRC_URI:append:citas = " file://citas-pre-install"

RAUC_KEYRING_FILE:citas = "${CITAS_RAUC_CA}"

# rauc-conf installs system.conf and the keyring into ${nonarch_libdir}/rauc; system.conf names
# the keyring ca.cert.pem there, whatever the CA's file is called on the build host.
do_install:append:citas() {
    keyring="${D}${nonarch_libdir}/rauc/$(basename "${RAUC_KEYRING_FILE}")"
    if [ "$keyring" != "${D}${nonarch_libdir}/rauc/ca.cert.pem" ]; then
        mv "$keyring" "${D}${nonarch_libdir}/rauc/ca.cert.pem"
    fi
    # The variant's compatible (production's is the file's own): a dev image refuses production
    # bundles and production refuses dev ones, whatever key signed them.
    sed -i -e "s/^compatible=.*/compatible=${CITAS_RAUC_COMPATIBLE}/" ${D}${nonarch_libdir}/rauc/system.conf
    # Updates only move forward (system.conf's [handlers]).
    install -m 0755 ${UNPACKDIR}/citas-pre-install ${D}${nonarch_libdir}/rauc/citas-pre-install
}

# The handler is POSIX sh with sed and awk: the image's base utilities.
RDEPENDS:${PN}:append:citas = " ${VIRTUAL-RUNTIME_base-utils}"
