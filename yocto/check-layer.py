#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-only
"""What bitbake's own parse does not say about meta-citas, asked through tinfoil (bitbake's API):

- every bbappend of meta-citas applies to a recipe (bitbake's own matching, not a copy of it);
- every name the layer's recipes depend on has a provider: DEPENDS at build time, RDEPENDS and
  RRECOMMENDS of each package and the image's IMAGE_INSTALL at run time;
- DISTRO_FEATURES resolves to exactly the list written in conf/distro/citas.conf (oe-core
  appends its defaults minus DISTRO_FEATURES_OPTED_OUT: a default we did not opt out of would
  sneak in);
- RAUC's system.conf names its keyring where meta-rauc's rauc-conf installs it (meta-rauc moved
  it from /etc/rauc to /usr/lib/rauc once; a kiosk with a keyring path to nowhere refuses
  every update).

Run by yocto/check inside the kas environment of one machine; prints one line per finding and
exits 1 when there is any.
"""

import os
import re
import sys

import bb.tinfoil
import bb.utils

LAYER = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "meta-citas"))


def in_layer(path):
    return os.path.realpath(path).startswith(LAYER + os.sep)


def distro_features_written():
    text = open(os.path.join(LAYER, "conf/distro/citas.conf"), encoding="utf-8").read()
    m = re.search(r'^DISTRO_FEATURES = "([^"]*)"', text, re.M)
    if not m:
        raise SystemExit("check-layer: conf/distro/citas.conf sets no DISTRO_FEATURES")
    return set(m.group(1).split())


def names(value):
    """The package or recipe names of a DEPENDS/RDEPENDS-style value (versions dropped)."""
    return list(bb.utils.explode_dep_versions2(value or "").keys())


def main():
    problems = []
    with bb.tinfoil.Tinfoil() as tinfoil:
        tinfoil.prepare(config_only=False, quiet=2)
        config = tinfoil.config_data

        # 1. bbappends: the union of what bitbake applies to every recipe file.
        recipe_files = list(tinfoil.all_recipe_files(variants=False))
        applied = set()
        for fn in recipe_files:
            applied.update(os.path.realpath(a) for a in tinfoil.get_file_appends(fn))
        appends = []
        for root, _dirs, files in os.walk(LAYER):
            appends += [os.path.join(root, f) for f in files if f.endswith(".bbappend")]
        for append in sorted(appends):
            if os.path.realpath(append) not in applied:
                problems.append(f"{os.path.relpath(append, LAYER)}: applies to no recipe")

        # 2. providers of what the layer's recipes name.
        recipes = [fn for fn in recipe_files if in_layer(fn)]
        if not recipes:
            problems.append("meta-citas: no recipe of the layer was parsed")
        checked = 0
        for fn in sorted(recipes):
            d = tinfoil.parse_recipe_file(fn)
            pn = d.getVar("PN")
            wanted = [("DEPENDS", n, False) for n in names(d.getVar("DEPENDS"))]
            for pkg in (d.getVar("PACKAGES") or "").split():
                for var in ("RDEPENDS", "RRECOMMENDS"):
                    wanted += [(f"{var}:{pkg}", n, True) for n in names(d.getVar(f"{var}:{pkg}"))]
            if bb.data.inherits_class("image", d):
                wanted += [("IMAGE_INSTALL", n, True) for n in names(d.getVar("IMAGE_INSTALL"))]
            for var, name, runtime in wanted:
                checked += 1
                if runtime:
                    # (the recipe files that provide it, the preferred one)
                    found = tinfoil.get_runtime_providers(name)[0]
                else:
                    best = tinfoil.find_best_provider(name)
                    found = best and len(best) > 3 and best[3]
                if not found:
                    problems.append(f"{pn}: {var} names {name}, which no recipe provides")
        print(f"check-layer: {len(appends)} bbappends, {len(recipes)} recipes of meta-citas, "
              f"{checked} dependencies with a provider checked")

        # 3. the distro's features, as resolved.
        resolved = set((config.getVar("DISTRO_FEATURES") or "").split())
        written = distro_features_written()
        if resolved != written:
            extra = " ".join(sorted(resolved - written)) or "none"
            missing = " ".join(sorted(written - resolved)) or "none"
            problems.append(f"DISTRO_FEATURES resolves to more or less than citas.conf writes: "
                            f"added {extra}; lost {missing}")
        else:
            print(f"check-layer: DISTRO_FEATURES = {' '.join(sorted(resolved))}")

        # 4. the keyring where rauc-conf puts it.
        # meta-rauc's own recipe, without our bbappend (whose do_install:append names the same
        # directory).
        rauc_conf = tinfoil.parse_recipe_file(tinfoil.get_recipe_file("rauc-conf"), appends=False)
        installs_into = rauc_conf.expand("${D}${nonarch_libdir}/rauc")
        if installs_into not in rauc_conf.expand(rauc_conf.getVar("do_install") or ""):
            problems.append("rauc-conf no longer installs into ${nonarch_libdir}/rauc: "
                            "check system.conf's keyring path against its do_install")
        keyring = rauc_conf.expand("${nonarch_libdir}/rauc/ca.cert.pem")
        conf = open(os.path.join(LAYER, "recipes-core/rauc/files/system.conf"), encoding="utf-8").read()
        m = re.search(r"^\[keyring\][^\[]*?^path=(\S+)", conf, re.M | re.S)
        if not m or m.group(1) != keyring:
            problems.append(f"system.conf's keyring is {m.group(1) if m else 'not set'}, "
                            f"rauc-conf installs it as {keyring}")
        else:
            print(f"check-layer: RAUC keyring {keyring}, where rauc-conf installs it")

    for p in problems:
        print(f"check-layer: ERROR: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
