#!/usr/bin/env bash
# A touch, before and after issue 16 (the app as one room per screen), in the same run on the
# same machine: for each screen, the same touch repeated (the language, the terms, a country,
# an office, a procedure, the marital status, colour, a day...), from the pointer's press to
# the next frame the software renderer draws at 1280x800 (median and p95, the ci-pi profile:
# release code), and the calls to Slint's Property<T>::set each touch makes (counted under
# gdb on a debug build, tests/bench/touch.gdb.py).
#   1. `git worktree` of BEFORE (default 949519f, the last commit before issue 16) beside this
#      tree; tests/bench/touch.rs copied into app/examples/ of both, its WIRE line written for
#      each version's wiring.
#   2. Both built (BEFORE in a target directory of its own), run ROUNDS times in turn; then
#      each debug build once under gdb, 6 touches a screen.
# Usage: tests/bench/touch.sh [TOUCHES_PER_SCREEN] [ROUNDS] [BEFORE]. Needs gdb (installed
# when missing). Writes target/bench-touch/report.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
touches=${1:-30}
rounds=${2:-3}
before=${3:-949519f}
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v gdb >/dev/null || sudo_if_needed apt-get install -y -q gdb >&2
out=$PWD/target/bench-touch
mkdir -p "$out"
tree_before=$out/tree-before
if [ ! -d "$tree_before/.git" ] && [ ! -f "$tree_before/.git" ]; then
    git worktree add --detach "$tree_before" "$before" >&2
else
    git -C "$tree_before" checkout -q --detach "$before"
fi
install_driver() { # tree
    local tree=$1 wire
    if [ -f "$tree/app/src/shell/mod.rs" ]; then
        wire='let _shell = citas_kiosk::shell::wire(\&ui, services);'
    else
        wire='let _shell = citas_kiosk::controller::wire(\&ui, services);'
    fi
    # A tree from before build.rs honoured SLINT_EMIT_DEBUG_INFO is taught to (a scratch checkout).
    grep -q SLINT_EMIT_DEBUG_INFO "$tree/app/build.rs" \
        || sed -i 's|\.with_debug_info(std::env::var("PROFILE").as_deref() == Ok("debug"))|.with_debug_info(std::env::var("PROFILE").as_deref() == Ok("debug") \|\| std::env::var_os("SLINT_EMIT_DEBUG_INFO").is_some())|' "$tree/app/build.rs"
    mkdir -p "$tree/app/examples"
    sed "s|let _shell = (); // WIRE|$wire|" tests/bench/touch.rs >"$tree/app/examples/bench_touch.rs"
}
build() { # tree name target-dir
    # Each tree its own target directory: cargo names a workspace's artifacts by paths within
    # it, so two checkouts of one workspace sharing a directory would take each other's crates.
    local tree=$1 name=$2 target_dir=$3
    install_driver "$tree"
    # The element tree the driver finds its buttons in (SLINT_EMIT_DEBUG_INFO), in both builds.
    (cd "$tree" && SLINT_EMIT_DEBUG_INFO=1 CARGO_TARGET_DIR=$target_dir cargo build -q --locked --profile ci-pi -p citas-kiosk --example bench_touch)
    cp "$target_dir/ci-pi/examples/bench_touch" "$out/$name.bin"
    (cd "$tree" && CARGO_TARGET_DIR=$target_dir cargo build -q --locked -p citas-kiosk --example bench_touch)
    cp "$target_dir/debug/examples/bench_touch" "$out/$name-debug.bin"
}
trap 'rm -f app/examples/bench_touch.rs; rmdir app/examples 2>/dev/null || true' EXIT
build "$tree_before" before "$out/target-before"
build "$PWD" after "$PWD/target"
: >"$out/times.txt"
for round in $(seq "$rounds"); do
    for v in before after; do
        "$out/$v.bin" "$touches" | sed "s/^/$v /" >>"$out/times.txt"
    done
done
for v in before after; do
    gdb -q -batch -x tests/bench/touch.gdb.py --args "$out/$v-debug.bin" 6 2>/dev/null | grep '^sets ' | sed "s/^/$v /" >>"$out/sets.txt.new"
done
mv "$out/sets.txt.new" "$out/sets.txt"
python3 - "$out" <<'PY' | tee "$out/report.txt"
import collections, statistics, sys
out = sys.argv[1]
t = collections.defaultdict(list)
for line in open(f"{out}/times.txt"):
    v, screen, n, med, p95 = line.split()
    t[(v, screen)].append((int(med), int(p95)))
s = {}
for line in open(f"{out}/sets.txt"):
    v, _, screen, n, per = line.split()
    s[(v, screen)] = float(per)
screens = [k[1] for k in t if k[0] == "after"]
print(f"{'screen':<14}{'median before':>14}{'median after':>13}{'p95 before':>11}{'p95 after':>10}{'sets before':>12}{'sets after':>11}{'ratio':>7}")
for sc in dict.fromkeys(screens):
    mb = statistics.median(m for m, _ in t[("before", sc)])
    ma = statistics.median(m for m, _ in t[("after", sc)])
    pb = statistics.median(p for _, p in t[("before", sc)])
    pa = statistics.median(p for _, p in t[("after", sc)])
    sb, sa = s.get(("before", sc), float("nan")), s.get(("after", sc), float("nan"))
    print(f"{sc:<14}{mb/1000:>12.2f}ms{ma/1000:>11.2f}ms{pb/1000:>9.2f}ms{pa/1000:>8.2f}ms{sb:>12.1f}{sa:>11.1f}{ma/mb:>7.2f}")
PY
