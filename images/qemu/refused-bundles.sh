#!/usr/bin/env bash
# images/qemu/refused-bundles.sh CA_DIR OUT_DIR VERSION
#
# Three bundles a production kiosk must refuse, for the emulated appliance's test; each as small
# as RAUC allows (a 4 MiB ext4 slot image of 64 KiB of noise), since RAUC refuses them before writing anything:
#   update-older.raucb       signed by the fleet's (CA_DIR's) certificate, production's
#                            compatible, a version older than VERSION: the pre-install handler
#   update-dev-signed.raucb  production's compatible and a newer version, signed by a development
#                            CA (CA_DIR/dev, made here): the keyring
#   update-dev.raucb         signed by the fleet, newer, for the development images' compatible
#                            (citas-kiosk-rpi-dev): the compatible check
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 CA_DIR OUT_DIR VERSION" >&2; exit 2; }
ca=$(realpath "$1") out=$2 version=$3
export PATH="$PATH:/usr/sbin:/sbin"
for tool in rauc mkfs.ext4 mksquashfs openssl; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is missing (scripts/install-peers installs it)" >&2; exit 1; }
done
if [ ! -f "$ca/dev/sign.cert.pem" ]; then
    mkdir -p "$ca/dev"
    (
        cd "$ca/dev"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key.pem \
            -out ca.cert.pem -days 30 -subj "/CN=citas-kiosk development test CA" 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout sign.key.pem \
            -out sign.csr -subj "/CN=citas-kiosk development test signer" 2>/dev/null
        printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,codeSigning\n' > sign.ext
        openssl x509 -req -in sign.csr -CA ca.cert.pem -CAkey ca.key.pem -CAcreateserial \
            -out sign.cert.pem -days 30 -extfile sign.ext 2>/dev/null
    )
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bundle() { # NAME COMPATIBLE VERSION SIGNER_DIR
    local dir=$work/$1
    mkdir -p "$dir/files"
    # Something that does not compress away: RAUC wants a bundle above 4 KiB.
    head -c 65536 /dev/urandom > "$dir/files/noise"
    mkfs.ext4 -q -F -d "$dir/files" "$dir/rootfs.ext4" 4M >/dev/null
    rm -rf "$dir/files"
    cat > "$dir/manifest.raucm" <<MANIFEST
[update]
compatible=$2
version=$3

[bundle]
format=verity

[image.rootfs]
filename=rootfs.ext4
MANIFEST
    rm -f "$out/$1.raucb"
    rauc bundle --cert "$4/sign.cert.pem" --key "$4/sign.key.pem" "$dir" "$out/$1.raucb" >/dev/null
    echo "$0: $out/$1.raucb ($2, $3)" >&2
}
bundle update-older citas-kiosk-rpi 0.0.1 "$ca"
bundle update-dev-signed citas-kiosk-rpi "$version+dev1" "$ca/dev"
bundle update-dev citas-kiosk-rpi-dev "$version+dev1" "$ca"
