import {
  DomainTable,
  GuestPhysicalMapToken,
  Machine,
  PAGE_SIZE,
  PRIVATE_CONTENT,
  Simulator,
  gfn as toGfn,
  mfn as toMfn,
  inject,
  injectable,
  serviceToken,
  type ServiceToken,
  type Domain,
  type GuestPhysicalMap,
} from '@visorkit/core';
import { PageSharingOptions } from './page-sharing-options.js';

/**
 * What the scanner did so far.
 *
 * @public
 */
export interface ScanStats {
  /** Guest frames looked at. */
  readonly scanned: number;
  /** Guest frames merged into a frame of identical contents (each frees a machine frame). */
  readonly merged: number;
  /** Host CPU time the scans took (reading each page for its checksum, comparing candidates), ns. */
  readonly cpuNs: number;
}

/**
 * Token under which the plugin binds its {@link PageScanner}: `hv.service(PageScannerService)`.
 *
 * @public
 */
export const PageScannerService: ServiceToken<PageScanner> = serviceToken('example-page-sharing.PageScanner');

/**
 * The background scanner of content-based page sharing (VMware ESX's page sharing, Linux's
 * ksmd): every {@link PageSharingOptions.scanPeriodMs} it looks at the next
 * {@link PageSharingOptions.pagesPerScan} guest frames, round-robin over every domain, keys
 * each by what it holds (its content identity: a zero page, page p of a file, or private
 * data, which is never merged), and backs a frame whose key and bytes equal an earlier
 * frame's by that frame (`GuestPhysicalMap.share`). A table of one frame per key stands for
 * KSM's stable tree.
 *
 * It runs on a daemon timer, so it never keeps an idle simulation alive. Its CPU time is the
 * pages it reads at the machine's memory bandwidth; it is reported ({@link stats}), not
 * charged to a guest (ksmd is a host thread).
 *
 * @public
 */
@injectable()
export class PageScanner {
  readonly #candidates = new Map<number, number>();
  readonly #a = new Uint8Array(PAGE_SIZE);
  readonly #b = new Uint8Array(PAGE_SIZE);
  /** The same two buffers as words, compared four bytes at a time. */
  readonly #aWords = new Uint32Array(this.#a.buffer);
  readonly #bWords = new Uint32Array(this.#b.buffer);
  /** Nanoseconds to stream one page from memory: the profile's bandwidth. */
  readonly #pageReadNs: number;
  #running = false;
  /** Round-robin position: the domain id and guest frame to look at next. */
  #domain = -1;
  #gfn = 0;
  #scanned = 0;
  #merged = 0;
  #cpuNs = 0;

  constructor(
    @inject(GuestPhysicalMapToken) readonly map: GuestPhysicalMap,
    @inject(Machine) readonly machine: Machine,
    @inject(Simulator) readonly sim: Simulator,
    @inject(DomainTable) readonly domains: DomainTable,
    @inject(PageSharingOptions) readonly options: PageSharingOptions,
  ) {
    this.#pageReadNs = PAGE_SIZE / machine.profile.memory.bandwidthGBps;
  }

  /** What the scanner did so far. */
  get stats(): ScanStats {
    return { scanned: this.#scanned, merged: this.#merged, cpuNs: this.#cpuNs };
  }

  /** Starts the periodic scan (once; later calls do nothing). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const period = this.options.scanPeriodMs * 1e6;
    const tick = (): void => {
      this.scan(this.options.pagesPerScan);
      this.sim.scheduleDaemon(period, tick);
    };
    this.sim.scheduleDaemon(period, tick);
  }

  /** Looks at the next `pages` guest frames (one wake-up of the scanner). */
  scan(pages: number): void {
    const all = this.domains.all();
    if (all.length === 0) return;
    for (let n = 0; n < pages; n++) {
      const d = this.#next(all);
      if (d === undefined) return;
      this.#look(d, this.#gfn - 1);
    }
  }

  /** The domain of the next frame to look at, advancing the cursor; undefined when none has frames. */
  #next(all: readonly Domain[]): Domain | undefined {
    for (let tries = 0; tries <= all.length; tries++) {
      const d = this.domains.get(this.#domain);
      if (d !== undefined && this.#gfn < this.map.frames(d)) {
        this.#gfn++;
        return d;
      }
      // On to the next domain by id (wrapping round), from its first frame.
      const ids = all.map((x) => x.id).sort((a, b) => a - b);
      this.#domain = ids.find((id) => id > this.#domain) ?? ids[0]!;
      this.#gfn = 0;
    }
    return undefined;
  }

  #look(d: Domain, g: number): void {
    const map = this.map;
    const mfn = map.lookup(d, g);
    if (mfn < 0 || map.isShared(d, g)) return;
    this.#scanned++;
    const memory = this.machine.memory;
    const key = memory.contentOf(mfn);
    // The checksum pass reads the page.
    this.#cpuNs += this.#pageReadNs;
    if (key === PRIVATE_CONTENT) return;
    const candidate = this.#candidates.get(key);
    if (candidate === undefined || candidate === mfn || !this.#stillHolds(candidate, key)) {
      this.#candidates.set(key, mfn);
      return;
    }
    // Identity says equal; the bytes must agree too before two guests share a frame.
    this.#cpuNs += 2 * this.#pageReadNs;
    if (!this.#sameBytes(candidate, mfn)) return;
    map.share(d, toGfn(g), toMfn(candidate));
    this.#merged++;
  }

  /** The candidate still backs a guest frame and still holds `key` (it may have been unshared, freed or rewritten). */
  #stillHolds(mfn: number, key: number): boolean {
    return this.map.sharers(mfn) > 0 && this.machine.memory.contentOf(mfn) === key;
  }

  #sameBytes(x: number, y: number): boolean {
    const memory = this.machine.memory;
    const px = memory.isPopulated(x);
    const py = memory.isPopulated(y);
    if (!px && !py) return true;
    memory.readBytes(x, 0, this.#a);
    memory.readBytes(y, 0, this.#b);
    const a = this.#aWords;
    const b = this.#bWords;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}
