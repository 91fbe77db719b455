/**
 * What a workload's users saw, measured where they are (the clients' side of the wire) and read
 * in windows: the service time series of the migration figures.
 *
 * @public
 */
export interface ServiceProbe {
  /** Name of the series (`throughput`, `conforming-clients`, `update-latency`, `write-rate`). */
  readonly metric: string;
  readonly unit: string;
  /** The value over the window that ends now and began `windowNs` ago; starts the next window. */
  sample(windowNs: number): number;
}

/** Bytes received by a set of clients, read as Mbit/s per window. */
export class ThroughputProbe implements ServiceProbe {
  readonly metric = 'throughput';
  readonly unit = 'Mbit/s';
  /** Bytes received in the current window (the clients add to it). */
  bytes = 0;

  sample(windowNs: number): number {
    const mbps = (this.bytes * 8 * 1000) / windowNs;
    this.bytes = 0;
    return mbps;
  }
}
