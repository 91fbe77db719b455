import type { Program, Sys } from '@visorkit/guest';
import type { ServiceProbe } from './service-probe.js';

/** The share of its VM that MMuncher rewrites: 256 MB of 512 MB (Clark et al. §6.4). */
export const MUNCH_SHARE = 0.5;
/** Bytes written between looks at the clock. */
const CHUNK_BYTES = 1 << 20;

/** Megabytes written per second. */
export class WriteRateProbe implements ServiceProbe {
  readonly metric = 'write-rate';
  readonly unit = 'MB/s';
  bytes = 0;

  sample(windowNs: number): number {
    const mbs = this.bytes / 1e6 / (windowNs / 1e9);
    this.bytes = 0;
    return mbs;
  }
}

/**
 * MMuncher: writes a region (256 MB in the paper) over and over as fast as it can. Each page is written
 * whole: one store stream per page, whose data moves at the memory bandwidth — the profile's
 * page-zero cost, which is exactly 4 KiB written at that bandwidth.
 */
export function mmuncher(probe: WriteRateProbe, pageWriteCycles: number, regionBytes: number): Program {
  return function* (sys: Sys) {
    const region = yield* sys.mmap({ bytes: regionBytes });
    for (;;) {
      for (let off = 0; off < regionBytes; off += CHUNK_BYTES) {
        yield* sys.touch(region + off, CHUNK_BYTES, { write: true, stride: 4096 });
        yield* sys.compute((CHUNK_BYTES / 4096) * pageWriteCycles);
        probe.bytes += CHUNK_BYTES;
      }
    }
  };
}
