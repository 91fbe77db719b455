import type { Program, Sys } from '@visorkit/guest';
import type { ThroughputProbe } from './service-probe.js';

/** The one file served: 512 KB (Clark et al. §6.3). */
export const STATIC_FILE_BYTES = 512 * 1024;
export const STATIC_FILE_PATH = '/www/static-512k';
/** Bytes of an HTTP/1.0 GET and of the response headers. */
const REQUEST_BYTES = 300;
const HEADER_BYTES = 250;
/**
 * Instructions of Apache's static request path without the content (parse, map the URL, stat,
 * log) — the same estimate as the workloads package's web server uses.
 */
const STATIC_REQUEST_INSTRUCTIONS = 150_000;

/**
 * Apache (prefork) serving one static file: the parent listens and forks `workers` processes
 * that each accept a connection, read the request, read the file through the page cache, write
 * it out and close (HTTP/1.0). Apache 1.3's MaxClients (150) exceeds the 100 clients, so every
 * client has a process of its own.
 */
export function staticWebServer(workers: number, port = 80): Program {
  return function* (sys: Sys) {
    const listener = yield* sys.socket();
    if ((yield* sys.bind(listener, port)) < 0 || (yield* sys.listen(listener)) < 0) return 1;
    const worker: Program = function* (s: Sys) {
      for (;;) {
        const c = yield* s.accept(listener);
        if (c < 0) return 2;
        yield* s.read(c, REQUEST_BYTES);
        yield* s.compute(STATIC_REQUEST_INSTRUCTIONS);
        const fd = yield* s.open(STATIC_FILE_PATH);
        const body = Math.max(0, yield* s.read(fd, STATIC_FILE_BYTES));
        yield* s.close(fd);
        let left = body + HEADER_BYTES;
        while (left > 0) {
          const n = yield* s.write(c, left);
          if (n <= 0) break;
          left -= n;
        }
        yield* s.close(c);
      }
    };
    for (let w = 0; w < workers; w++) yield* sys.fork(worker);
    for (let w = 0; w < workers; w++) yield* sys.wait();
    return 0;
  };
}

/**
 * `connections` clients fetching the file back to back (no think time), each counting what it
 * receives into `probe`.
 */
export function staticWebClients(address: string, connections: number, probe: ThroughputProbe, port = 80): Program {
  return function* (sys: Sys) {
    const client: Program = function* (s: Sys) {
      for (;;) {
        const c = yield* s.socket();
        if ((yield* s.connect(c, address, port)) !== 0) {
          yield* s.close(c);
          continue;
        }
        yield* s.write(c, REQUEST_BYTES);
        for (;;) {
          const n = yield* s.read(c, 65536);
          if (n <= 0) break;
          probe.bytes += n;
        }
        yield* s.close(c);
      }
    };
    for (let i = 0; i < connections; i++) yield* sys.fork(client);
    for (let i = 0; i < connections; i++) yield* sys.wait();
    return 0;
  };
}
