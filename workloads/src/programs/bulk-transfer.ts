import type { Program, Sys } from '@visorkit/guest';

/**
 * The port the bulk-transfer receiver listens on (ttcp's).
 *
 * @public
 */
export const TTCP_PORT = 5001;

/**
 * What a bulk transfer reports: bytes moved and when the first and last arrived (ns).
 *
 * @public
 */
export interface TransferLog {
  bytes: number;
  startNs: number;
  endNs: number;
}

/**
 * ttcp-style sender: connects to `address`, writes `bytes` in 64 KiB writes as fast as the
 * socket takes them, closes. Imitates `ttcp -t` (and netperf TCP_STREAM's sender).
 *
 * @public
 */
export function bulkSend(address: string, bytes: number, log: TransferLog): Program {
  return function* (sys: Sys) {
    const s = yield* sys.socket();
    if ((yield* sys.connect(s, address, TTCP_PORT)) !== 0) return 1;
    log.startNs = yield* sys.now();
    let left = bytes;
    while (left > 0) {
      const n = yield* sys.write(s, Math.min(left, 65536));
      if (n < 0) return 2;
      left -= n;
    }
    yield* sys.close(s);
    return 0;
  };
}

/**
 * ttcp-style receiver: accepts one connection and reads it to the end (`ttcp -r`).
 *
 * @public
 */
export function bulkReceive(log: TransferLog): Program {
  return function* (sys: Sys) {
    const l = yield* sys.socket();
    yield* sys.bind(l, TTCP_PORT);
    yield* sys.listen(l);
    const c = yield* sys.accept(l);
    for (;;) {
      const n = yield* sys.read(c, 65536);
      if (n <= 0) break;
      log.bytes += n;
    }
    log.endNs = yield* sys.now();
    return 0;
  };
}
