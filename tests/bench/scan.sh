#!/usr/bin/env bash
# Scanned pages to a PDF within Citas SRE's 1,000,000 bytes: kiosk-scan against Pillow + img2pdf.
#   1. kiosk-sim's scanner scans three A4 pages at 300 dpi (dense text, grayscale, JPEG q85 as a
#      scanner sends them) through the eSCL job sequence; the pages are saved once.
#   2. hyperfine times, in the same run on the same page files, `kioskctl pdf` (kiosk-scan's
#      budget fitting) and tests/bench/pillow_img2pdf.py (the same ladder with Pillow and
#      img2pdf), whole processes each, and prints both sizes, time per page and the ratio.
# Usage: tests/bench/scan.sh [RUNS] [PAGES] [plain|dense]. Installs hyperfine (apt), Pillow and img2pdf
# (into .venv) when missing. KIOSKCTL_BIN= / SIM_BIN= reuse already built release binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
pages=${2:-3}
look=${3:-dense}
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v hyperfine >/dev/null || sudo_if_needed apt-get install -y -q hyperfine >&2
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c 'import PIL, img2pdf' 2>/dev/null || .venv/bin/pip install -q Pillow==11.3.0 img2pdf==0.6.1 >&2
if [ -z "${KIOSKCTL_BIN:-}" ] || [ -z "${SIM_BIN:-}" ]; then
    cargo build --release --locked -q -p kioskctl -p kiosk-sim
fi
kioskctl=${KIOSKCTL_BIN:-target/release/kioskctl}
sim=${SIM_BIN:-target/release/kiosk-sim}
tmp=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

dense=()
[ "$look" = dense ] && dense=(--dense)
"$sim" scanner --listen 127.0.0.1:0 --pages "$pages" "${dense[@]}" >"$tmp/url" 2>/dev/null &
sim_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.05; done
root=$(head -1 "$tmp/url")
settings='<scan:ScanSettings xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"><pwg:InputSource>Feeder</pwg:InputSource><scan:ColorMode>Grayscale8</scan:ColorMode><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:ScanSettings>'
job=$(curl -fsS -D - -o /dev/null -X POST --data "$settings" "$root/ScanJobs" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
files=()
for i in $(seq "$pages"); do
    curl -fsS -o "$tmp/p$i.jpg" "${root%/eSCL}$job/NextDocument"
    files+=("$tmp/p$i.jpg")
done
curl -fsS -o /dev/null -X DELETE "${root%/eSCL}$job"
echo "pages from the simulator: $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes of JPEG for $pages pages"

hyperfine -N --warmup 1 --runs "$runs" --export-json "$tmp/times.json" \
    -n kiosk-scan "$kioskctl pdf --dpi 300 --out $tmp/ours.pdf ${files[*]}" \
    -n pillow-img2pdf ".venv/bin/python tests/bench/pillow_img2pdf.py --dpi 300 --out $tmp/theirs.pdf ${files[*]}" >&2
"$kioskctl" pdf --dpi 300 --out "$tmp/ours.pdf" "${files[@]}"
.venv/bin/python tests/bench/pillow_img2pdf.py --dpi 300 --out "$tmp/theirs.pdf" "${files[@]}"
python3 - "$tmp/times.json" "$tmp/ours.pdf" "$tmp/theirs.pdf" "$pages" <<'PY'
import json, os, sys
t = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
pages = int(sys.argv[4])
ours, theirs = t["kiosk-scan"]["median"], t["pillow-img2pdf"]["median"]
so, st = os.path.getsize(sys.argv[2]), os.path.getsize(sys.argv[3])
print(f"kiosk-scan:     median {ours*1000:.0f} ms ({ours*1000/pages:.0f} ms/page), {so} bytes")
print(f"pillow-img2pdf: median {theirs*1000:.0f} ms ({theirs*1000/pages:.0f} ms/page), {st} bytes")
print(f"kiosk-scan is {theirs/ours:.2f}x faster; size ratio {so/st:.3f} (<= 1 is smaller or equal)")
PY
