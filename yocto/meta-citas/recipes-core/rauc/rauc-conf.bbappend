# The kiosk's slots and keyring. The CA certificate is the fleet's (never in the repository):
# CITAS_RAUC_CA points at it on the build host (see yocto/README.md, "Signing keys"). bitbake
# checksums it while parsing, so even `bitbake -p` needs the file (yocto/check makes a
# throwaway one).
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"

RAUC_KEYRING_FILE:citas = "${CITAS_RAUC_CA}"

# rauc-conf installs system.conf and the keyring into ${nonarch_libdir}/rauc; system.conf names
# the keyring ca.cert.pem there, whatever the CA's file is called on the build host.
do_install:append:citas() {
    keyring="${D}${nonarch_libdir}/rauc/$(basename "${RAUC_KEYRING_FILE}")"
    if [ "$keyring" != "${D}${nonarch_libdir}/rauc/ca.cert.pem" ]; then
        mv "$keyring" "${D}${nonarch_libdir}/rauc/ca.cert.pem"
    fi
}
