import type { Program, Sys } from '@visorkit/guest';
import type { ServiceProbe } from './service-probe.js';

/**
 * SPECweb99's run rules: a simultaneous connection conforms while it sustains at least
 * 320 kbit/s; the benchmark's clients pace each connection at 400 kbit/s.
 */
export const CONFORMING_KBPS = 320;
export const CLIENT_TARGET_KBPS = 400;
const REQUEST_BYTES = 300;
const HTTP_PORT = 80;

/**
 * Counts the connections that conformed in each window: each client adds what it received to
 * its own slot; a window's value is the number of slots at or above 320 kbit/s.
 */
export class ConformanceProbe implements ServiceProbe {
  readonly metric = 'conforming-clients';
  readonly unit = 'clients';
  /** Bytes received per client in the current window. */
  readonly bytes: Float64Array;

  constructor(readonly clients: number) {
    this.bytes = new Float64Array(clients);
  }

  sample(windowNs: number): number {
    const threshold = (CONFORMING_KBPS * 1000 * windowNs) / 8e9;
    let conforming = 0;
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i]! >= threshold) conforming++;
      this.bytes[i] = 0;
    }
    return conforming;
  }
}

/**
 * SPECweb99-like clients: `connections` processes, each fetching from the server's file mix
 * paced to 400 kbit/s (sleeping when ahead of that rate since it began, catching up without
 * pause when behind), counting what it receives into its slot of `probe`.
 */
export function specwebClients(address: string, connections: number, probe: ConformanceProbe): Program {
  const bytesPerNs = (CLIENT_TARGET_KBPS * 1000) / 8e9;
  return function* (sys: Sys) {
    const client = (slot: number): Program =>
      function* (s: Sys) {
        const began = yield* s.now();
        let received = 0;
        for (;;) {
          const c = yield* s.socket();
          if ((yield* s.connect(c, address, HTTP_PORT)) !== 0) {
            yield* s.close(c);
            continue;
          }
          yield* s.write(c, REQUEST_BYTES);
          for (;;) {
            const n = yield* s.read(c, 65536);
            if (n <= 0) break;
            received += n;
            probe.bytes[slot] = probe.bytes[slot]! + n;
          }
          yield* s.close(c);
          const ahead = began + received / bytesPerNs - (yield* s.now());
          if (ahead > 0) yield* s.sleep(ahead);
        }
      };
    for (let i = 0; i < connections; i++) yield* sys.fork(client(i));
    for (let i = 0; i < connections; i++) yield* sys.wait();
    return 0;
  };
}
