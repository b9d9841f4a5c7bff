# The kiosk's slots and keyring. The CA certificate is the fleet's (never in the repository):
# CITAS_RAUC_CA points at it on the build host (see yocto/README.md, "Signing keys").
FILESEXTRAPATHS:prepend:citas := "${THISDIR}/files:"

RAUC_KEYRING_FILE:citas = "${CITAS_RAUC_CA}"
