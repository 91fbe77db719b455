import type { Command } from 'commander';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';
import { SWEEP_QUEUE } from './redis-url.js';

function positive(what: string, max: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new CommanderArgumentError(`'${v}' is not ${what}: expected an integer from 1 to ${max}`);
    return Number(v);
  };
}

/** Adds `visorkit worker --queue redis://HOST:PORT`. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run sweep points from a BullMQ queue in Redis until interrupted (start any number, on any machines)')
    .requiredOption('--queue <url>', 'redis://HOST:PORT')
    .option('--concurrency <n>', 'points at once (worker threads)', positive('a thread count', 64), 1)
    .option('--lock-ms <ms>', 'how long a point stays claimed by a silent worker before another takes it', positive('a duration in ms', 3_600_000), 30_000)
    .action(async (o: { queue: string; concurrency: number; lockMs: number }) => {
      const log = (line: string): void => void process.stderr.write(`visorkit worker: ${line}\n`);
      // Loaded here so other verbs do not pay for the Redis client.
      const { startSweepWorker } = await import('./sweep-worker.js');
      const w = await startSweepWorker({ queue: o.queue, concurrency: o.concurrency, lockMs: o.lockMs }, log);
      log(`serving ${SWEEP_QUEUE} on ${o.queue}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await w.close();
    });
}
