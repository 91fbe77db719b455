import type { Program, Sys } from '@visorkit/guest';

/**
 * The shape of one lightly loaded service, the unit of a consolidation (density) study.
 *
 * @public
 */
export interface ServiceShape {
  /** Memory the service keeps resident (its heap, touched once at start). */
  readonly residentBytes: number;
  /** Part of that memory each request walks. */
  readonly hotBytes: number;
  /** Think time between requests (the service sleeps, as an idle server waits). */
  readonly periodNs: number;
  /** CPU cycles of user work per request. */
  readonly cyclesPerRequest: number;
}

/**
 * A hosted server that is idle most of the time — what hosting providers and PlanetLab packed
 * by the hundred onto one machine: 8 MiB resident, a request every 100 ms costing about 2
 * million cycles and a walk over 256 KiB of its data.
 *
 * @public
 */
export const CONSOLIDATED_SERVICE: ServiceShape = {
  residentBytes: 8 << 20,
  hotBytes: 256 << 10,
  periodNs: 100e6,
  cyclesPerRequest: 2_000_000,
};

/**
 * Progress of one service instance, shared with the experiment.
 *
 * @public
 */
export interface ServiceProgress {
  /** Set once its memory is resident and it serves. */
  started: boolean;
  requests: number;
}

/**
 * A lightly loaded service: maps and touches its resident memory, then forever sleeps a
 * think time, does one request's work over its hot data and counts it.
 *
 * @public
 */
export function consolidatedService(progress: ServiceProgress, shape: ServiceShape = CONSOLIDATED_SERVICE): Program {
  return function* (sys: Sys) {
    const heap = yield* sys.mmap({ bytes: shape.residentBytes });
    yield* sys.touch(heap, shape.residentBytes, { write: true });
    progress.started = true;
    for (;;) {
      yield* sys.sleep(shape.periodNs);
      yield* sys.compute(shape.cyclesPerRequest);
      yield* sys.touch(heap, shape.hotBytes, { stride: 64 });
      progress.requests++;
    }
  };
}
