import type { BootOptions } from '../kernel/boot.js';

/**
 * A small checkpointable job installed as `/bin/job`: the parent forks a worker, both
 * compute (30 M and 20 M cycles), the parent waits and records in `/tmp/done` that both
 * finished. Checkpoint, restore and migration checks use it because it has a child, a wait
 * and a file write to replay — the parts a restored kernel must get right.
 *
 * @public
 */
export const FORK_JOIN_JOB: NonNullable<BootOptions['programs']> = {
  '/bin/job': {
    program: function* (sys) {
      yield* sys.fork(function* (s) {
        yield* s.compute(30_000_000);
        return 0;
      });
      yield* sys.compute(20_000_000);
      yield* sys.wait();
      const fd = yield* sys.open('/tmp/done', { create: true });
      yield* sys.write(fd, 2);
      return 0;
    },
  },
};
