#!/usr/bin/python3
"""Tabulates and checks the anchor comparison (bench/anchors/run.sh writes its input).

Reads JSON lines from visorkit, SimGrid and SimPy (one per simulator per N), prints the table
and checks the simulated makespans against each other and against the analytic answer

    makespan = K * task * max(1, N / cores)

(equal work fairly shared: all VMs finish together once there are more VMs than cores; with
N a multiple of the cores, round-robin finishes at the same instant). SimGrid and SimPy must
match it to `--exact` (relative); visorkit may exceed SimGrid by at most `--tolerance`
(relative) and never undercut it, because it charges real overheads the others do not model
(guest boot and exec, page-table validation, world switches). Exits 1 on any disagreement.
"""
import argparse
import json
import sys

SIMULATORS = ("visorkit", "simgrid", "simpy")


def wall(seconds: float) -> str:
    """Wall seconds to three significant figures (small runs take well under a millisecond)."""
    return f"{seconds:.3g}" if seconds < 1 else f"{seconds:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="JSON lines file")
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--task-seconds", type=float, required=True)
    ap.add_argument("--cores", type=int, required=True)
    ap.add_argument("--tolerance", type=float, required=True, help="visorkit vs SimGrid, relative (0.02 = 2%%)")
    ap.add_argument("--exact", type=float, default=1e-6, help="SimGrid and SimPy vs the analytic answer, relative")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    a = ap.parse_args()

    by_n: dict[int, dict[str, dict]] = {}
    with open(a.results, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            by_n.setdefault(int(r["n"]), {})[r["simulator"]] = r

    head = ["N", "visorkit sim s", "SimGrid sim s", "SimPy sim s", "rel diff",
            "visorkit wall s", "SimGrid wall s", "SimPy wall s", "SimGrid/visorkit", "SimPy/visorkit", "check"]
    rows = []
    failures = []
    for n in sorted(by_n):
        r = by_n[n]
        missing = [s for s in SIMULATORS if s not in r]
        if missing:
            failures.append(f"N={n}: no result from {', '.join(missing)}")
            continue
        vk, sg, sp = (r[s]["simulatedSeconds"] for s in SIMULATORS)
        wv, wg, wp = (r[s]["wallSeconds"] for s in SIMULATORS)
        analytic = a.k * a.task_seconds * max(1.0, n / a.cores)
        rel = (vk - sg) / sg
        problems = []
        for name, value in (("SimGrid", sg), ("SimPy", sp)):
            if abs(value - analytic) / analytic > a.exact:
                problems.append(f"{name} {value:.9g} s vs analytic {analytic:.9g} s")
        if rel > a.tolerance:
            problems.append(f"visorkit exceeds SimGrid by {rel:.3%} (> {a.tolerance:.1%})")
        if rel < -a.exact:
            problems.append(f"visorkit is {-rel:.3%} faster than SimGrid (it cannot undercut the overhead-free answer)")
        failures.extend(f"N={n}: {p}" for p in problems)
        rows.append([f"{n:,}", f"{vk:.4f}", f"{sg:.4f}", f"{sp:.4f}", f"{rel:+.2%}",
                     wall(wv), wall(wg), wall(wp), f"{wg / wv:.3g}", f"{wp / wv:.3g}",
                     "ok" if not problems else "FAIL"])

    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---:" for _ in head) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for row in rows:
            print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    print(f"\nrel diff = (visorkit - SimGrid) / SimGrid; allowed 0 to {a.tolerance:.1%}. "
          f"SimGrid and SimPy must equal K*task*max(1, N/{a.cores}) within {a.exact:g} (relative).")
    if failures:
        print("\nDISAGREEMENT:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("All simulated times agree.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
