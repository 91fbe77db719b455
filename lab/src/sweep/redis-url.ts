import { UsageError } from '../cli/usage-error.js';

/** Connection options for BullMQ from `redis://HOST:PORT` (optionally `/DB`). */
export function redisConnection(url: string): { host: string; port: number; db: number; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue '${url}': expected redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:' || u.hostname === '') throw new UsageError(`--queue '${url}': expected redis://HOST:PORT`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--queue '${url}': expected a database number after the port, got '${u.pathname.slice(1)}'`);
  // BullMQ's workers block on Redis, which needs ioredis' per-request retries off.
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port === '' ? 6379 : Number(u.port), db, maxRetriesPerRequest: null };
}

/** The queue every sweep and worker meets on; jobs are keyed by point, so equal points are run once. */
export const SWEEP_QUEUE = 'visorkit-sweep';
