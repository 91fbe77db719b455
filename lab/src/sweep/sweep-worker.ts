import { Worker, type Job } from 'bullmq';
import { Piscina } from 'piscina';
import { redisConnection, SWEEP_QUEUE } from './redis-url.js';
import type { SweepPoint } from './sweep-point.js';

/** Options of `visorkit worker`. */
export interface SweepWorkerOptions {
  readonly queue: string;
  /** Points run at once (threads). */
  readonly concurrency: number;
  /** How long a claimed point stays this worker's without a lock renewal (ms). */
  readonly lockMs: number;
}

/**
 * Serves sweep points from the queue until closed: each point runs on a worker thread, so
 * this thread keeps renewing the job's lock; if this process dies, the lock lapses and another
 * worker's stalled-job check puts the point back on the queue.
 */
export async function startSweepWorker(o: SweepWorkerOptions, log: (line: string) => void = () => {}): Promise<{ close(): Promise<void> }> {
  const pool = new Piscina({ filename: new URL('./point-task.js', import.meta.url).href, maxThreads: o.concurrency, minThreads: 1 });
  const worker = new Worker<SweepPoint, string>(
    SWEEP_QUEUE,
    async (job: Job<SweepPoint, string>) => {
      log(`point ${job.id}: ${job.data.experiment} seed ${job.data.seed} ${JSON.stringify(job.data.assignment)} (attempt ${job.attemptsMade + 1})`);
      return (await pool.run(job.data)) as string;
    },
    {
      connection: redisConnection(o.queue),
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
      // A point may be abandoned by several dying workers before one finishes it.
      maxStalledCount: 10,
    },
  );
  worker.on('failed', (job, err) => log(`point ${job?.id}: failed: ${err.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await pool.destroy();
    },
  };
}
