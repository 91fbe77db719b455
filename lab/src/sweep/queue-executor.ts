import { Queue, QueueEvents, type Job } from 'bullmq';
import type { ExperimentResult } from '@visorkit/workloads';
import { VisorkitError } from '@visorkit/core';
import { pointKey, type SweepPoint } from './sweep-point.js';
import type { SweepExecutor } from './run-sweep.js';
import { redisConnection, SWEEP_QUEUE } from './redis-url.js';

/** A point failed on every attempt a worker made. */
export class SweepPointFailedError extends VisorkitError {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super('SWEEP_POINT_FAILED', `sweep point ${key} failed on the workers: ${detail}`);
  }
}

/** How often a point is tried before the sweep gives up on it (a crash, an exception). */
const ATTEMPTS = 3;

/**
 * Runs points on `visorkit worker`s through a BullMQ queue in Redis. Each point is a job whose
 * id is the point's key, so a point already done (or being done) for another sweep is not run
 * again; a worker that dies mid-point loses its lock and the point goes back to the queue for
 * another. Results come back as the JSON text the worker made, parsed here, so they are the
 * same data a local run gives.
 */
export async function queueExecutor(url: string): Promise<SweepExecutor & { close(): Promise<void> }> {
  const connection = redisConnection(url);
  const queue = new Queue(SWEEP_QUEUE, { connection });
  const events = new QueueEvents(SWEEP_QUEUE, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    async run(points, done) {
      const jobs = await queue.addBulk(
        points.map((p) => ({
          name: 'point',
          data: p,
          opts: { jobId: pointKey(p), attempts: ATTEMPTS, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 24 * 3600 } },
        })),
      );
      await Promise.all(
        jobs.map(async (job: Job<SweepPoint, string>, i) => {
          // A point that failed for good in an earlier sweep is tried afresh.
          if ((await job.getState()) === 'failed') await job.retry('failed');
          let text: string;
          try {
            text = await job.waitUntilFinished(events);
          } catch (e) {
            throw new SweepPointFailedError(job.id ?? '?', (e as Error).message);
          }
          await done(i, JSON.parse(text) as ExperimentResult);
        }),
      );
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}
