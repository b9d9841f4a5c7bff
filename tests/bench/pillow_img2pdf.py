#!/usr/bin/env python3
"""The peer of `kioskctl pdf` in tests/bench/scan.sh: the same budget fitting done the usual
Python way, with Pillow (libjpeg-turbo) and img2pdf.

The same ladder as kiosk-scan: the scanner's JPEGs untouched if the PDF fits; otherwise JPEG
qualities 75, 60, 45, 35 at each resolution (the scan's, then 300, 200, 150 dpi, never below
--min-dpi), each resolution resampled once (bilinear); a rung is abandoned as soon as its pages
add up to more than the budget; grayscale documents then go black and white (CCITT G4 through
Pillow's libtiff, embedded by img2pdf) at each resolution.
Usage: pillow_img2pdf.py --max-bytes N --dpi D --out FILE.pdf PAGE.jpg...
"""
import argparse
import io
import sys

import img2pdf
from PIL import Image

QUALITIES = [75, 60, 45, 35]
RESOLUTIONS = [300, 200, 150]


def pdf_of(streams, dpi):
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    return img2pdf.convert(streams, layout_fun=layout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-bytes", type=int, default=1_000_000)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--min-dpi", type=int, default=150)
    ap.add_argument("--out", required=True)
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args()
    raw = [open(p, "rb").read() for p in a.pages]
    doc = pdf_of(raw, a.dpi)
    if len(doc) <= a.max_bytes:
        return done(a, doc, "untouched", a.dpi)
    images = [Image.open(io.BytesIO(r)) for r in raw]
    for im in images:
        im.load()
    gray = all(im.mode == "L" for im in images)
    resolutions = []
    for d in [a.dpi] + RESOLUTIONS:
        if a.min_dpi <= d <= a.dpi and d not in resolutions:
            resolutions.append(d)
    smallest = None
    for dpi in resolutions:
        scaled = [resample(im, a.dpi, dpi) for im in images]
        for q in QUALITIES:
            streams, total = [], 0
            for im in scaled:
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=q)
                streams.append(buf.getvalue())
                total += len(streams[-1])
                if total > a.max_bytes:
                    break
            if total > a.max_bytes:
                continue
            doc = pdf_of(streams, dpi)
            if len(doc) <= a.max_bytes:
                return done(a, doc, f"JPEG q{q}", dpi)
    if gray:
        for dpi in [d for d in resolutions if d <= 300]:
            streams = []
            for im in images:
                bw = resample(im, a.dpi, dpi).convert("1")
                buf = io.BytesIO()
                bw.save(buf, "TIFF", compression="group4", dpi=(dpi, dpi))
                streams.append(buf.getvalue())
            doc = pdf_of(streams, dpi)
            smallest = len(doc)
            if len(doc) <= a.max_bytes:
                return done(a, doc, "CCITT G4", dpi)
    print(f"does not fit: {smallest} bytes at best", file=sys.stderr)
    return 1


def resample(im, src, dst):
    if dst >= src:
        return im
    return im.resize((im.width * dst // src, im.height * dst // src), Image.BILINEAR)


def done(a, doc, how, dpi):
    with open(a.out, "wb") as f:
        f.write(doc)
    print(f"{a.out}: {len(doc)} bytes, {dpi} dpi, {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
