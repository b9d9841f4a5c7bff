#!/usr/bin/env python3
"""Writes a Raspberry Pi Imager repository file (os_list JSON) for kiosk images.

    images/imager-list.py --url-base https://updates.example/kiosk/ --out os_list.json \
        citas-kiosk-image-raspberrypi4-64.wic.bz2 citas-kiosk-image-raspberrypi5.wic.bz2

Each image gets its download size and SHA-256, and the size and SHA-256 of what Imager writes
(the image decompressed: .bz2, .xz, .gz or none), so Imager checks both. `init_format: none`
keeps Imager from adding its own first-run script: the kiosk is provisioned with
`kioskctl provision` instead. Technicians add the file in Imager under "Use custom" or point
Imager at it with `rpi-imager --repo URL`.
"""

import argparse
import bz2
import datetime
import gzip
import hashlib
import json
import lzma
import sys
from pathlib import Path

DEVICES = {"raspberrypi4-64": ["pi4-64bit"], "raspberrypi5": ["pi5-64bit"]}
CHUNK = 1 << 20


def opener(path: Path):
    return {".bz2": bz2.open, ".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)


def digest(path: Path, decompress: bool) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with (opener(path) if decompress else open)(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def entry(path: Path, url_base: str, release: str) -> dict:
    machine = next((m for m in DEVICES if m in path.name), None)
    if machine is None:
        raise SystemExit(f"{path.name}: the file name names no known machine ({', '.join(DEVICES)})")
    download_size, download_sha = digest(path, decompress=False)
    extract_size, extract_sha = digest(path, decompress=True)
    board = "Raspberry Pi 4" if machine == "raspberrypi4-64" else "Raspberry Pi 5"
    return {
        "name": f"Citas SRE kiosk ({board})",
        "description": "Appointment kiosk for Mexican consulates: provision it with kioskctl provision before its first boot.",
        "icon": url_base + "citas-kiosk.png",
        "url": url_base + path.name,
        "extract_size": extract_size,
        "extract_sha256": extract_sha,
        "image_download_size": download_size,
        "image_download_sha256": download_sha,
        "release_date": release,
        "devices": DEVICES[machine],
        "init_format": "none",
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("images", nargs="+", type=Path)
    p.add_argument("--url-base", required=True, help="where the images are served, ending in /")
    p.add_argument("--release-date", default=datetime.date.today().isoformat())
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    if not args.url_base.endswith("/"):
        args.url_base += "/"
    os_list = {"os_list": [entry(i, args.url_base, args.release_date) for i in args.images]}
    args.out.write_text(json.dumps(os_list, indent=2) + "\n")
    print(f"wrote {args.out}: {len(os_list['os_list'])} image(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
