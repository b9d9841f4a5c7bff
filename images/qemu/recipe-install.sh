#!/usr/bin/env bash
# images/qemu/recipe-install.sh RECIPE.bb FILES_DIR ROOT
#
# Runs a meta-citas recipe's own do_install into ROOT, with the variables bitbake would give it
# for a systemd distribution with merged /usr (D, UNPACKDIR, sysconfdir, systemd_unitdir,
# systemd_system_unitdir), so the emulated appliance gets the recipe's files where the image has
# them: one source for both. Only recipes whose do_install is plain shell are accepted.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 RECIPE.bb FILES_DIR ROOT" >&2; exit 2; }
recipe=$1 files=$2 root=$3
body=$(awk '/^do_install\(\) \{$/ {on=1; next} on && /^\}$/ {exit} on {print}' "$recipe")
[ -n "$body" ] || { echo "$0: no do_install() in $recipe" >&2; exit 1; }
# A bitbake-only construct (Python expansion, bbfatal, oe_runmake...) would not mean the same here.
if grep -qE '\$\{@|bb(fatal|warn|note)|oe_' <<<"$body"; then
    echo "$0: $recipe's do_install uses bitbake-only constructs" >&2
    exit 1
fi
D=$(realpath "$root") UNPACKDIR=$(realpath "$files") \
    sysconfdir=/etc systemd_unitdir=/usr/lib/systemd systemd_system_unitdir=/usr/lib/systemd/system \
    bash -euo pipefail -c "$body"
