#!/usr/bin/python3
"""One table of line and branch coverage per source file, from gcovr's
--json-summary output (used by `make coverage`).

    tools/cov_summary.py build/coverage/summary.json > build/coverage/summary.txt
    tools/cov_summary.py --min LINES BRANCHES build/coverage/summary.json

With --min it prints nothing but a complaint and exits 1 when the total line
or branch coverage (percent) is below LINES or BRANCHES (an empty value
skips that check): `make coverage COV_MIN_LINES=95 COV_MIN_BRANCHES=90`.

gcovr 5.2 (Debian bookworm) prints lines or branches in one text report, not
both; this puts them side by side with the totals.
"""
import json
import sys


def pct(covered, total):
    return "%6.1f%%" % (100.0 * covered / total) if total else "     - "


def check(min_lines, min_branches, data):
    bad = []
    for what, want, cov, tot in (("lines", min_lines, "line_covered", "line_total"),
                                 ("branches", min_branches, "branch_covered", "branch_total")):
        if want == "":
            continue
        got = 100.0 * data[cov] / data[tot] if data[tot] else 100.0
        if got < float(want):
            bad.append("%s %.1f%% < %s%%" % (what, got, want))
    if bad:
        sys.stderr.write("coverage below the minimum: %s\n" % ", ".join(bad))
        return 1
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "--min":
        with open(argv[4], encoding="utf-8") as f:
            return check(argv[2], argv[3], json.load(f))
    if len(argv) != 2:
        sys.stderr.write("usage: cov_summary.py [--min LINES BRANCHES] SUMMARY.json\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    rows = sorted(data["files"], key=lambda r: r["filename"])
    width = max([len(r["filename"]) for r in rows] + [5])
    head = "%-*s %15s %8s %15s %8s %9s" % (
        width, "file", "lines", "lines%", "branches", "branch%", "funcs%")
    out = [head, "-" * len(head)]

    def line(name, r):
        return "%-*s %15s %8s %15s %8s %9s" % (
            width, name,
            "%d/%d" % (r["line_covered"], r["line_total"]),
            pct(r["line_covered"], r["line_total"]),
            "%d/%d" % (r["branch_covered"], r["branch_total"]),
            pct(r["branch_covered"], r["branch_total"]),
            pct(r["function_covered"], r["function_total"]))

    for r in rows:
        out.append(line(r["filename"], r))
    out.append("-" * len(head))
    out.append(line("TOTAL", data))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
