#!/usr/bin/env python3
"""Regenerates recipes-citas/citas-kiosk/citas-kiosk-crates.inc from the workspace's Cargo.lock.

The app recipe inherits oe-core's `cargo` class and lists every crate it needs as a
`crate://crates.io/NAME/VERSION` source with its SHA-256 from Cargo.lock, so bitbake fetches
them all before the build and the build itself needs no network (hermetic).

    yocto/meta-citas/scripts/update-crates-inc.py          # rewrite the .inc
    yocto/meta-citas/scripts/update-crates-inc.py --check  # exit 1 if it is out of date (CI)
"""

import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE.parents[2] / "Cargo.lock"
INC = HERE.parent / "recipes-citas" / "citas-kiosk" / "citas-kiosk-crates.inc"


def render(lock: dict) -> str:
    lines = [
        "# Generated from Cargo.lock by yocto/meta-citas/scripts/update-crates-inc.py: do not edit.",
        "# Every crate the workspace builds with, fetched by bitbake before the build (no network",
        "# during do_compile).",
        "",
        "SRC_URI += \" \\",
    ]
    sums = []
    packages = sorted(lock["package"], key=lambda p: (p["name"], p["version"]))
    for p in packages:
        source = p.get("source")
        if source is None:
            continue  # a workspace member: built from the source tree
        if not source.startswith("registry+https://github.com/rust-lang/crates.io-index"):
            raise SystemExit(f"{p['name']} {p['version']} comes from {source}: only crates.io is supported")
        name, version = p["name"], p["version"]
        lines.append(f"    crate://crates.io/{name}/{version} \\")
        sums.append(f'SRC_URI[{name}-{version}.sha256sum] = "{p["checksum"]}"')
    lines.append('"')
    lines.append("")
    lines.extend(sums)
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    with LOCK.open("rb") as f:
        text = render(tomllib.load(f))
    if sys.argv[1:] == ["--check"]:
        if not INC.exists() or INC.read_text() != text:
            print(f"{INC} does not match {LOCK}: run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{INC.name} matches Cargo.lock")
        return 0
    if sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    INC.write_text(text)
    print(f"wrote {INC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
