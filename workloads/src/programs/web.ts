import { Prng } from '@visorkit/core';
import type { Program, Sys } from '@visorkit/guest';

/**
 * The web server's port.
 *
 * @public
 */
export const HTTP_PORT = 80;
/** The stream used when none is given (a fixed one, so a lone server is still deterministic). */
const DEFAULT_STREAM = new Prng(1);
/** Bytes of an HTTP GET request. */
const REQUEST_BYTES = 300;
/** Bytes of response headers. */
const HEADER_BYTES = 250;
/** Instructions to parse a request and log it (Apache's request path without the content). */
const REQUEST_CYCLES = 150_000;
/** Instructions of a dynamic request (SPECweb99's CGI/ad-rotation work) beyond the static path. */
const DYNAMIC_CYCLES = 2_500_000;
/** Share of dynamic requests in SPECweb99's mix. */
const DYNAMIC_SHARE = 0.3;

/**
 * SPECweb99's file set in miniature: classes of 1, 5, 50 and 500 KiB-order files requested
 * 35/50/14/1 % of the time (the benchmark's class frequencies), a few files per class.
 *
 * @public
 */
export const WEB_FILES: readonly { readonly path: string; readonly bytes: number; readonly weight: number }[] = [
  ...[0, 1, 2, 3].map((i) => ({ path: `/www/class0/${i}`, bytes: 512 + 256 * i, weight: 0.35 / 4 })),
  ...[0, 1, 2, 3].map((i) => ({ path: `/www/class1/${i}`, bytes: 2048 + 2048 * i, weight: 0.5 / 4 })),
  ...[0, 1, 2, 3].map((i) => ({ path: `/www/class2/${i}`, bytes: 20480 + 20480 * i, weight: 0.14 / 4 })),
  ...[0, 1].map((i) => ({ path: `/www/class3/${i}`, bytes: 204800 + 204800 * i, weight: 0.01 / 2 })),
];

/**
 * The web files as `bootGuest` takes them (path → bytes).
 *
 * @public
 */
export function webFiles(): Record<string, number> {
  return Object.fromEntries(WEB_FILES.map((f) => [f.path, f.bytes]));
}

/**
 * Requests served, shared with the experiment.
 *
 * @public
 */
export interface RequestCounter {
  requests: number;
}

/**
 * A SPECweb99-like web server (Apache 1.3/2 prefork): the parent listens on `port` and forks
 * `workers` processes that each accept a connection, read the request, serve a file from the
 * SPECweb file classes (through the page cache, from disk on a miss) or run a dynamic
 * request, write the response and close (HTTP/1.0, no keep-alive). Which file is decided by
 * the server from a random stream with SPECweb99's class frequencies, standing in for the
 * URL the client would send. `random` is that stream (give it a fork of the run's
 * `Simulator.random`); each worker draws from its own fork of it.
 *
 * @public
 */
export function webServer(served: RequestCounter, options: { port?: number; workers?: number; random?: Prng } = {}): Program {
  const port = options.port ?? HTTP_PORT;
  const workers = options.workers ?? 8;
  return function* (sys: Sys) {
    const listener = yield* sys.socket();
    if ((yield* sys.bind(listener, port)) < 0 || (yield* sys.listen(listener)) < 0) return 1;
    const worker = (w: number): Program =>
      function* (s: Sys) {
        const rng = (options.random ?? DEFAULT_STREAM).fork(`httpd-worker-${w}`);
        for (;;) {
          const c = yield* s.accept(listener);
          if (c < 0) return 2;
          yield* s.read(c, REQUEST_BYTES);
          yield* s.compute(REQUEST_CYCLES);
          let body: number;
          if (rng.next() < DYNAMIC_SHARE) {
            yield* s.compute(DYNAMIC_CYCLES);
            body = 6000;
          } else {
            const file = pick(rng.next());
            const fd = yield* s.open(file.path);
            body = Math.max(0, yield* s.read(fd, file.bytes));
            yield* s.close(fd);
          }
          let left = body + HEADER_BYTES;
          while (left > 0) {
            const n = yield* s.write(c, left);
            if (n <= 0) break;
            left -= n;
          }
          yield* s.close(c);
          served.requests++;
        }
      };
    for (let w = 0; w < workers; w++) yield* sys.fork(worker(w));
    // The parent waits for its workers (which serve until the machine is stopped).
    for (let w = 0; w < workers; w++) yield* sys.wait();
    return 0;
  };
}

function pick(u: number): (typeof WEB_FILES)[number] {
  let acc = 0;
  for (const f of WEB_FILES) {
    acc += f.weight;
    if (u < acc) return f;
  }
  return WEB_FILES[WEB_FILES.length - 1]!;
}

/**
 * SPECweb99-like clients: `connections` processes each repeatedly connect to `address`,
 * send a request, read the response to the end and close; with `thinkNs`, each then pauses
 * (SPECweb99's connections each ask for a set rate), otherwise the load saturates the server.
 * Run them on another machine.
 *
 * @public
 */
export function webClients(address: string, connections: number, options: { port?: number; thinkNs?: number } = {}): Program {
  const port = options.port ?? HTTP_PORT;
  const thinkNs = options.thinkNs ?? 0;
  return function* (sys: Sys) {
    const client: Program = function* (s: Sys) {
      for (;;) {
        const c = yield* s.socket();
        if ((yield* s.connect(c, address, port)) !== 0) {
          yield* s.close(c);
          continue;
        }
        yield* s.write(c, REQUEST_BYTES);
        while ((yield* s.read(c, 65536)) > 0);
        yield* s.close(c);
        if (thinkNs > 0) yield* s.sleep(thinkNs);
      }
    };
    for (let i = 0; i < connections; i++) yield* sys.fork(client);
    for (let i = 0; i < connections; i++) yield* sys.wait();
    return 0;
  };
}
