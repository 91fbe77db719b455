import {
  DomainTable,
  GuestPhysicalMapToken,
  HostWork,
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
import { PAGE_SHARING_PATH } from './page-sharing-path-lengths.js';

/**
 * What the scanner did so far.
 *
 * @public
 */
export interface ScanStats {
  /** Guest frames looked at. */
  readonly scanned: number;
  /** Pages compared byte for byte with a candidate of the same content identity. */
  readonly compared: number;
  /** Guest frames merged into a frame of identical contents (each frees a machine frame). */
  readonly merged: number;
  /** Wake-ups that found pages to look at. */
  readonly wakeUps: number;
  /** Host CPU time the scans took, charged to the pCPUs they ran on (see {@link PageScanner}), ns. */
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
 * KSM's stable tree. Where the platform refuses a frame (Xen shares none a page table maps or
 * that is one), it is passed over until a later pass.
 *
 * It runs on a daemon timer, so it never keeps an idle simulation alive. Each wake-up is a
 * host thread's work on a pCPU ({@link HostWork}, as ksmd is a kernel thread of the host): the
 * switch in and out (two register switches), each page read for its checksum and each
 * candidate pair read for the byte comparison (at the profile's memory bandwidth), and each
 * merge's path (`PAGE_SHARING_PATH.mergeHandler`) with its two page-table writes (the frame
 * write-protected, then replaced) and a TLB invalidation. Those cycles take the pCPU from the
 * guests and are charged to it as hypervisor time.
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
  /** Cycles to stream one page from memory: the profile's bandwidth. */
  readonly #pageReadCycles: number;
  /** Cycles of one wake-up's switch in and out. */
  readonly #wakeCycles: number;
  /** Cycles of one merge. */
  readonly #mergeCycles: number;
  #running = false;
  /** Round-robin position: the domain id and guest frame to look at next. */
  #domain = -1;
  #gfn = 0;
  #scanned = 0;
  #compared = 0;
  #merged = 0;
  #wakeUps = 0;
  #cycles = 0;
  /** Cycles of the wake-up in progress. */
  #tick = 0;

  constructor(
    @inject(GuestPhysicalMapToken) readonly map: GuestPhysicalMap,
    @inject(Machine) readonly machine: Machine,
    @inject(Simulator) readonly sim: Simulator,
    @inject(DomainTable) readonly domains: DomainTable,
    @inject(HostWork) readonly hostWork: HostWork,
    @inject(PageSharingOptions) readonly options: PageSharingOptions,
  ) {
    const profile = machine.profile;
    this.#pageReadCycles = (PAGE_SIZE / profile.memory.bandwidthGBps) * profile.cpu.clockGhz;
    this.#wakeCycles = 2 * profile.costs.registerSwitch;
    this.#mergeCycles = PAGE_SHARING_PATH.value.mergeHandler * profile.cpu.kernelCpi + 2 * profile.costs.pteWrite + profile.costs.tlbInvalidatePage;
  }

  /** What the scanner did so far. */
  get stats(): ScanStats {
    return {
      scanned: this.#scanned,
      compared: this.#compared,
      merged: this.#merged,
      wakeUps: this.#wakeUps,
      cpuNs: this.machine.cyclesToNs(this.#cycles),
    };
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

  /** Looks at the next `pages` guest frames (one wake-up of the scanner) and runs the work on a pCPU. */
  scan(pages: number): void {
    const all = this.domains.all();
    if (all.length === 0) return;
    this.#tick = this.#wakeCycles;
    for (let n = 0; n < pages; n++) {
      const d = this.#next(all);
      if (d === undefined) break;
      this.#look(d, this.#gfn - 1);
    }
    if (this.#tick === this.#wakeCycles) return; // nothing to look at: ksmd sleeps on
    this.#wakeUps++;
    this.#cycles += this.#tick;
    this.hostWork.run(this.#tick);
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
    this.#tick += this.#pageReadCycles;
    if (key === PRIVATE_CONTENT) return;
    const gfn = toGfn(g);
    // The platform's rules first (Xen shares no frame a page table maps or that is one): a
    // frame refused now is looked at again on the next pass.
    if (map.shareRefusal(d, gfn, mfn) !== undefined) return;
    const candidate = this.#candidates.get(key);
    if (candidate === undefined || candidate === mfn || !this.#stillHolds(candidate, key) || map.shareRefusal(d, gfn, toMfn(candidate)) !== undefined) {
      this.#candidates.set(key, mfn);
      return;
    }
    // Identity says equal; the bytes must agree too before two guests share a frame.
    this.#tick += 2 * this.#pageReadCycles;
    this.#compared++;
    if (!this.#sameBytes(candidate, mfn)) return;
    map.share(d, gfn, toMfn(candidate));
    this.#tick += this.#mergeCycles;
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
