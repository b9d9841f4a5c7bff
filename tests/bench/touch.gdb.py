# gdb: counts the calls to Slint's Property<T>::set made during each measured touch of
# tests/bench/touch.rs (between its bench_touch_begin and bench_touch_end marks), per screen.
# Run by tests/bench/touch.sh: gdb -batch -x touch.gdb.py --args <debug bench_touch> <touches>
import collections

import gdb

SCREENS = ["welcome", "lookup", "sign_in", "my_procedures", "location", "procedures",
           "applicant", "documents", "date_time"]
sets = collections.Counter()
touches = collections.Counter()
state = {"screen": None}


class Begin(gdb.Breakpoint):
    def stop(self):
        screen = int(gdb.parse_and_eval("$rdi")) & 0xFFFFFFFF
        state["screen"] = screen
        touches[screen] += 1
        return False


class End(gdb.Breakpoint):
    def stop(self):
        state["screen"] = None
        return False


class Set(gdb.Breakpoint):
    def stop(self):
        if state["screen"] is not None:
            sets[state["screen"]] += 1
        return False


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set print thread-events off")
gdb.execute("handle SIGPIPE nostop noprint pass")
gdb.execute("starti")
# Rust's legacy mangling hides `Property<T>`'s type from gdb's names: the instantiations are
# found with nm (`nm -C` shows each as `i_slint_core::properties::Property<T>::set`) and broken
# on by address, the executable's load address added (it is position-independent).
import os
import subprocess

exe = gdb.current_progspace().filename
symbols = subprocess.run(["nm", "-C", exe], capture_output=True, text=True, check=True).stdout.splitlines()


def named(name):
    return [int(line.split()[0], 16) for line in symbols if line.endswith(" " + name)]


offsets = named("i_slint_core::properties::Property<T>::set")
if not offsets:
    raise SystemExit("touch.gdb.py: no Property<T>::set found in the binary")
mappings = gdb.execute("info proc mappings", to_string=True).splitlines()
real = os.path.realpath(exe)
base = min(int(l.split()[0], 16) for l in mappings if l.strip().endswith(real))
for off in offsets:
    Set(f"*{base + off:#x}", internal=True)
for cls, name in [(Begin, "bench_touch::bench_touch_begin"), (End, "bench_touch::bench_touch_end")]:
    (off,) = named(name)
    cls(f"*{base + off:#x}", internal=True)
addresses = offsets
gdb.write(f"touch.gdb.py: counting {len(addresses)} Property<T>::set instantiations\n", gdb.STDERR)
gdb.execute("continue")
for i, name in enumerate(SCREENS):
    if touches[i]:
        print(f"sets {name} {touches[i]} {sets[i] / touches[i]:.1f}")
