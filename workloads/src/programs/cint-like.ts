import type { Program, Sys } from '@visorkit/guest';

/**
 * Progress of CPU-bound programs: iterations completed, shared with the experiment.
 *
 * @public
 */
export interface IterationCounter {
  iterations: number;
}

/**
 * A SPEC CINT2000-like CPU-bound program: iterations of integer work (compute) over a
 * working set it walks line by line (compression, compilation, routing: a few MiB each),
 * with almost no system calls. It runs until killed, counting iterations.
 *
 * @public
 */
export function cintLike(counter: IterationCounter, workingSetBytes = 2 << 20, cyclesPerIteration = 3_000_000): Program {
  return function* (sys: Sys) {
    const data = yield* sys.mmap({ bytes: workingSetBytes });
    for (;;) {
      yield* sys.compute(cyclesPerIteration);
      yield* sys.touch(data, workingSetBytes, { stride: 64 });
      counter.iterations++;
    }
  };
}
