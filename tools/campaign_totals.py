#!/usr/bin/env python3
"""Sum the measured fuzzing campaign CPU per target from fuzz/campaign-log.md.

Each run line of the log names a target and its measured CPU seconds
("CPU 3037s" or, for the first runs sampled with ps, "CPU >= 2708s").
Prints, per decoder target: runs, CPU seconds, CPU-hours, the executions
and execs per CPU-second over the runs that recorded both, the libFuzzer
cov/ft at the end of the latest run (the binaries change between runs, so
older figures are not comparable), and whether the target has reached the
issue's 1 CPU-hour; --markdown prints a table. Oracle targets (the CPython
differential) get a row of their own and are not counted in the total.

    tools/campaign_totals.py [--log fuzz/campaign-log.md] [--markdown]
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["frame_decode", "utf8_decode", "pickle_decode", "marshal_decode", "zlib_decode",
           "auto_decode", "batched_decode", "pair_decode", "notation_parse", "stack_decode"]
# oracle targets: reported, not counted among the decoder targets the hour is for
ORACLES = ["pickle_differential"]
LINE = re.compile(r"^- \S+ (?P<t>[a-z0-9_]+): (?P<rest>.*)$")
CPU = re.compile(r"CPU (?P<ge>>= )?(?P<s>\d+)s")
EXECS = re.compile(r"^(?P<n>\d+) execs,")
COV = re.compile(r"cov: (?P<c>\d+) ft: (?P<f>\d+)")


def totals(path):
    out = {t: {"runs": 0, "cpu": 0, "lower_bound": False, "execs": 0, "execs_cpu": 0, "cov": 0, "ft": 0}
           for t in TARGETS + ORACLES}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m or m.group("t") not in out:
                continue
            c = CPU.search(m.group("rest"))
            if not c:
                continue
            r = out[m.group("t")]
            r["runs"] += 1
            r["cpu"] += int(c.group("s"))
            r["lower_bound"] |= bool(c.group("ge"))
            e = EXECS.search(m.group("rest"))
            if e and not c.group("ge"):
                r["execs"] += int(e.group("n"))
                r["execs_cpu"] += int(c.group("s"))
            v = COV.search(m.group("rest"))
            if v:
                r["cov"], r["ft"] = int(v.group("c")), int(v.group("f"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", default=os.path.join(ROOT, "fuzz", "campaign-log.md"))
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    t = totals(a.log)
    if a.markdown:
        print("| target | runs | CPU s | CPU-hours | execs | execs/CPU-s | cov (last run) | ft (last run) | >= 1 CPU-hour |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    done = 0
    for name in TARGETS + [o for o in ORACLES if t[o]["runs"]]:
        r = t[name]
        cpu = ("%s%d" % (">= " if r["lower_bound"] else "", r["cpu"]))
        ok = r["cpu"] >= 3600
        if name in TARGETS:
            done += ok
            verdict = "yes" if ok else "no (%d s short)" % (3600 - r["cpu"])
        else:
            verdict = "oracle target (not counted)"
        eps = r["execs"] // r["execs_cpu"] if r["execs_cpu"] else 0
        cells = [name, str(r["runs"]), cpu, "%.2f" % (r["cpu"] / 3600.0), str(r["execs"] or "-"), str(eps or "-"),
                 str(r["cov"] or "-"), str(r["ft"] or "-"), verdict]
        if a.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print("%-19s %3s runs  CPU %8s s  %5s h  %10s execs  %6s execs/CPU-s  cov %5s ft %6s  %s" % tuple(cells))
    total = sum(t[n]["cpu"] for n in TARGETS)
    print("%sall decoder targets: %d CPU s = %.2f CPU-hours; %d of %d targets at >= 1 CPU-hour" %
          ("\n" if a.markdown else "", total, total / 3600.0, done, len(TARGETS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
