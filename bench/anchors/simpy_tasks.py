#!/usr/bin/python3
"""SimPy side of the anchor comparison (bench/anchors/README.md).

The old SimPy 2.3 API (Debian's python3-simpy): N processes (one per VM) share a
Resource(capacity=cores) — the host's cores — round-robin. A VM holds a core for one time
slice, releases it and queues again (FIFO) until its K tasks are done. The slice follows
visorkit's credit scheduler: the target latency divided among the runnable VMs, never less
than the minimum slice (30 ms and 1 ms: CreditScheduler in plugins/xen-pv).

Prints one JSON line: {"simulator": "simpy", "n", "simulatedSeconds", "wallSeconds", ...}.
wallSeconds covers building the model and simulate(); not the interpreter start or import.
"""
import argparse
import json
import sys
import time

import SimPy
from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate

# Below this many seconds of work left a task is done (the slices are summed in floating point).
EPSILON = 1e-12


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True, help="VMs (processes)")
    ap.add_argument("--k", type=int, default=4, help="tasks per VM")
    ap.add_argument("--task-seconds", type=float, required=True, help="CPU seconds of one task")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--latency-ms", type=float, default=30.0, help="scheduler target latency (credit: 30 ms)")
    ap.add_argument("--min-slice-ms", type=float, default=1.0, help="shortest slice (credit: 1 ms)")
    a = ap.parse_args()
    latency = a.latency_ms / 1e3
    min_slice = a.min_slice_ms / 1e3

    class State:
        runnable = a.n
        finished = []

    class Vm(Process):
        def run(self, cpu):
            for _ in range(a.k):
                left = a.task_seconds
                while left > EPSILON:
                    yield request, self, cpu
                    piece = min(left, max(min_slice, latency / State.runnable))
                    yield hold, self, piece
                    left -= piece
                    yield release, self, cpu
            State.runnable -= 1
            State.finished.append(now())

    t0 = time.perf_counter()
    initialize()
    cpu = Resource(capacity=a.cores, name="cores")
    for i in range(a.n):
        vm = Vm(name=f"vm{i}")
        activate(vm, vm.run(cpu))
    simulate(until=1e12)
    wall = time.perf_counter() - t0
    if len(State.finished) != a.n:
        sys.exit(f"simpy_tasks: only {len(State.finished)} of {a.n} processes finished")
    print(json.dumps({
        "simulator": "simpy",
        "version": SimPy.__version__,
        "n": a.n,
        "k": a.k,
        "simulatedSeconds": max(State.finished),
        "wallSeconds": wall,
    }))


if __name__ == "__main__":
    main()
