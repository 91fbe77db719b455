import { Prng } from '@visorkit/core';
import type { Program, Sys } from '@visorkit/guest';

/**
 * The database's table file and write-ahead log.
 *
 * @public
 */
export const OSDB_TABLE = '/db/table';
/** @public */
export const OSDB_LOG = '/db/wal';
/**
 * Table size: 32 MiB of 8 KiB-aligned pages (OSDB's 40 MB database in miniature).
 *
 * @public
 */
export const OSDB_TABLE_BYTES = 32 << 20;

/**
 * Completed queries or transactions, shared with the experiment.
 *
 * @public
 */
export interface TransactionCounter {
  transactions: number;
}

/**
 * The database's files as `bootGuest` takes them.
 *
 * @public
 */
export function osdbFiles(): Record<string, number> {
  return { [OSDB_TABLE]: OSDB_TABLE_BYTES, [OSDB_LOG]: 0 };
}

/**
 * An OSDB-like database (the Open Source Database Benchmark on PostgreSQL), `users` backend
 * processes sharing one table file:
 * - `ir` (information retrieval): read-only queries — plan and execute (compute), read a
 *   handful of random table pages through the page cache (the disk on a miss), sort in a
 *   work buffer; the database's working set stays cached once warm;
 * - `oltp`: transactions — read a few random pages, update one, append a commit record to the
 *   write-ahead log and fsync it, so each commit waits for the disk.
 *
 * @public
 */
export function osdb(mode: 'ir' | 'oltp', done: TransactionCounter, options: { users?: number; random?: Prng; thinkNs?: number } = {}): Program {
  const users = options.users ?? 4;
  const pages = OSDB_TABLE_BYTES / 4096;
  return function* (sys: Sys) {
    // The database has been running: its table is in memory (read it once, sequentially).
    const warm = yield* sys.open(OSDB_TABLE);
    while ((yield* sys.read(warm, 1 << 20)) > 0);
    yield* sys.close(warm);
    const backend = (u: number): Program =>
      function* (s: Sys) {
        const rng = (options.random ?? new Prng(1)).fork(`osdb-user-${u}`);
        const table = yield* s.open(OSDB_TABLE);
        const log = yield* s.open(OSDB_LOG);
        const work = yield* s.mmap({ bytes: 256 << 10 });
        let logOffset = u * (1 << 20);
        for (;;) {
          const reads = mode === 'ir' ? 12 : 4;
          for (let i = 0; i < reads; i++) {
            yield* s.lseek(table, Math.floor(rng.next() * pages) * 4096);
            yield* s.read(table, 4096);
          }
          if (mode === 'ir') {
            yield* s.compute(3_000_000);
            yield* s.touch(work, 256 << 10, { stride: 64, write: true });
          } else {
            yield* s.compute(600_000);
            yield* s.lseek(table, Math.floor(rng.next() * pages) * 4096);
            yield* s.write(table, 4096);
            yield* s.lseek(log, logOffset);
            yield* s.write(log, 512);
            logOffset += 512;
            yield* s.fsync(log);
          }
          done.transactions++;
          // A user's think time between queries (none: a saturating load).
          if ((options.thinkNs ?? 0) > 0) yield* s.sleep(options.thinkNs!);
        }
      };
    for (let u = 0; u < users; u++) yield* sys.fork(backend(u));
    for (let u = 0; u < users; u++) yield* sys.wait();
    return 0;
  };
}
