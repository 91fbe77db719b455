#!/usr/bin/python3
"""SimGrid side of the anchor comparison (bench/anchors/README.md).

N actors (one per VM) on one host with `cores` cores; each executes K equal tasks of
`task_flops` flops one after the other with simgrid.this_actor.execute. SimGrid shares the
host's cores fairly between the running executions (each gets at most one core).

Prints one JSON line: {"simulator": "simgrid", "n", "simulatedSeconds", "wallSeconds", ...}.
wallSeconds covers building the platform, creating the actors and Engine.run(); not the
interpreter start or `import simgrid`. Needs the Debian package python3-simgrid (3.32).
"""
import argparse
import json
import sys
import time

import simgrid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True, help="VMs (actors)")
    ap.add_argument("--k", type=int, default=4, help="tasks per VM")
    ap.add_argument("--task-flops", type=float, required=True, help="flops per task (visorkit: cycles)")
    ap.add_argument("--speed", type=float, required=True, help="flop/s of one core (visorkit: clock in Hz)")
    ap.add_argument("--cores", type=int, default=2)
    a = ap.parse_args()

    t0 = time.perf_counter()
    # SimGrid parses its own options from this list; ours are not passed on.
    engine = simgrid.Engine([sys.argv[0], "--log=root.thres:critical"])
    zone = simgrid.NetZone.create_full_zone("zone")
    host = zone.create_host("host", a.speed)
    host.core_count = a.cores
    host.seal()
    zone.seal()

    finished = []

    def vm() -> None:
        for _ in range(a.k):
            simgrid.this_actor.execute(a.task_flops)
        finished.append(simgrid.Engine.clock)

    for i in range(a.n):
        simgrid.Actor.create(f"vm{i}", host, vm)
    engine.run()
    wall = time.perf_counter() - t0
    if len(finished) != a.n:
        sys.exit(f"simgrid_tasks: only {len(finished)} of {a.n} actors finished")
    print(json.dumps({
        "simulator": "simgrid",
        "version": simgrid.simgrid_version,
        "n": a.n,
        "k": a.k,
        "simulatedSeconds": max(finished),
        "wallSeconds": wall,
    }))


if __name__ == "__main__":
    main()
