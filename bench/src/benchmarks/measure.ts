import { Bench } from 'tinybench';

/**
 * Runs `fn` (which performs `opsPerCall` operations per call) under tinybench and returns
 * operations per host second, from the mean latency of a call.
 */
export async function opsPerSecond(name: string, opsPerCall: number, fn: () => void, timeMs = 400): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: 50, iterations: 3 });
  bench.add(name, fn);
  await bench.run();
  const latencyMs = meanLatency(bench);
  if (latencyMs === undefined || !(latencyMs > 0)) throw new Error(`benchmark ${name} produced no timing`);
  return (opsPerCall / latencyMs) * 1000;
}

/** Mean wall milliseconds of one call of `fn`. */
export async function wallMs(name: string, fn: () => void, timeMs = 300): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: 0, iterations: 1 });
  bench.add(name, fn);
  await bench.run();
  return meanLatency(bench) ?? Number.NaN;
}

function meanLatency(bench: Bench): number | undefined {
  const result = bench.tasks[0]?.result;
  return result !== undefined && 'latency' in result ? result.latency.mean : undefined;
}
