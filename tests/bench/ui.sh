#!/usr/bin/env bash
# The kiosk UI against the usual web-kiosk stack, in the same run:
#   1. cold start to first frame: `citas-kiosk --bench-first-frame` (headless software renderer,
#      the welcome screen) vs `chromium --headless --screenshot` of tests/bench/welcome.html, the
#      same screen as a static page; wall time of the whole process, start to exit.
#   2. memory: the kiosk after a whole visit (every screen in both languages, with the demo's
#      in-process simulator) vs headless Chromium holding the static welcome page; PSS summed
#      over every process (shared pages counted once), and the kiosk's RSS.
#   3. the median time of a full-window software render at the given size, over the visit.
# Usage: tests/bench/ui.sh [RUNS] [WIDTHxHEIGHT]. Needs chromium (installed when missing).
# KIOSK_BIN=path uses an already built release binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
size=${2:-1280x800}
if ! command -v chromium >/dev/null; then
    echo "ui.sh: installing Debian's chromium" >&2
    ${SUDO:-$( [ "$(id -u)" -eq 0 ] || echo sudo )} apt-get install -y -q chromium >&2
fi
if [ -z "${KIOSK_BIN:-}" ]; then
    cargo build --release --locked -q -p citas-kiosk
fi
kiosk=${KIOSK_BIN:-target/release/citas-kiosk}
page="file://$PWD/tests/bench/welcome.html"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chrome=(chromium --headless=new --no-sandbox --disable-gpu --no-first-run --window-size="${size/x/,}")

now() { date +%s%N; }
for i in $(seq "$runs"); do
    t0=$(now); "$kiosk" --bench-first-frame --size "$size" >/dev/null; t1=$(now)
    echo "kiosk $(( (t1 - t0) / 1000 ))" >>"$tmp/first"
    t0=$(now); "${chrome[@]}" --screenshot="$tmp/page.png" "$page" >/dev/null 2>&1; t1=$(now)
    test -s "$tmp/page.png" || { echo "ui.sh: chromium drew nothing" >&2; exit 1; }
    rm -f "$tmp/page.png"
    echo "chromium $(( (t1 - t0) / 1000 ))" >>"$tmp/first"
done

# The kiosk: a whole visit, then its own memory.
"$kiosk" --demo --bench-visit 20 --size "$size" 2>/dev/null | tail -1 >"$tmp/visit.json"

# Chromium: keep the page open until DevTools lists it, then sum PSS over its processes.
"${chrome[@]}" --remote-debugging-port=9339 --user-data-dir="$tmp/profile" "$page" >/dev/null 2>&1 &
chrome_pid=$!
for _ in $(seq 200); do
    if curl -fs http://127.0.0.1:9339/json 2>/dev/null | grep -q welcome.html; then break; fi
    # A benchmark script, not a test: polls DevTools until the page is there.
    sleep 0.05
done
pids=$(ps -o pid= --ppid "$chrome_pid"; echo "$chrome_pid")
pids="$pids $(for p in $pids; do ps -o pid= --ppid "$p"; done)"
chrome_pss=0
for p in $(echo "$pids" | tr ' ' '\n' | sort -u); do
    kib=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    chrome_pss=$((chrome_pss + ${kib:-0}))
done
kill "$chrome_pid" 2>/dev/null || true
wait "$chrome_pid" 2>/dev/null || true

python3 - "$tmp/first" "$tmp/visit.json" "$chrome_pss" "$runs" "$size" <<'PY'
import json, statistics, sys
first, visit, chrome_pss, runs, size = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3]), sys.argv[4], sys.argv[5]
t = {"kiosk": [], "chromium": []}
for line in open(first):
    who, us = line.split()
    t[who].append(int(us) / 1000)
k, c = statistics.median(t["kiosk"]), statistics.median(t["chromium"])
print(f"size {size}, {runs} cold starts each")
print(f"first frame (process start to frame, wall): kiosk {k:.1f} ms, chromium {c:.1f} ms -> {c / k:.1f}x faster (goal >= 10x)")
kp = visit["pss_kib"]
print(f"memory: kiosk after a whole visit PSS {kp / 1024:.1f} MiB (RSS {visit['rss_kib'] / 1024:.1f} MiB, peak {visit['peak_rss_kib'] / 1024:.1f} MiB); "
      f"chromium holding the welcome page PSS {chrome_pss / 1024:.1f} MiB -> {kp / chrome_pss:.2f} of chromium (goal <= 0.20)")
print(f"software render, full {size} frame: median {visit['median_render_ms']:.2f} ms, max {visit['max_render_ms']:.2f} ms "
      f"over {visit['frames']} frames of {visit['screens']} screens (goal: median < 8 ms)")
PY
