import { MechanismIndex } from '../accounting/mechanisms.js';
import { GuestRequestError } from '../dispatch/dispatch-errors.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import type { PhysicalMemory } from '../machine/physical-memory.js';
import { mfn as machineFrame, type Gfn, type Mfn } from '../units/units.js';

/**
 * Frames in a 2 MiB large page.
 *
 * @public
 */
export const FRAMES_PER_LARGE_PAGE = 512;

/**
 * A p2m entry of a frame the guest gave back (ballooned out): not to be touched.
 *
 * @public
 */
export const BALLOONED = -2;

/**
 * One domain's guest-physical to machine map.
 *
 * @public
 */
export class DomainPhysicalMap {
  /** gfn → mfn, -1 while not populated, {@link BALLOONED} while given back. */
  readonly p2m: Int32Array;
  /** Frames given back through the balloon. */
  ballooned = 0;
  /** While dirty logging is on: one byte per gfn, 1 when written since the last collection. */
  dirty: Uint8Array | undefined;
  /** Frames written since the last collection. */
  dirtyCount = 0;
  /** Post-copy: one byte per gfn, 1 while the page still lives on the source machine. */
  remote: Uint8Array | undefined;
  /** Post-copy: fetches a remote page on first touch (and charges the toucher). */
  fetch: ((vcpu: Vcpu, gfn: Gfn) => void) | undefined;
  constructor(
    readonly domain: Domain,
    frames: number,
  ) {
    this.p2m = new Int32Array(frames).fill(-1);
  }
}

/**
 * Guest-physical memory for every domain of a machine: a p2m per domain and one m2p, with
 * frames populated on first use (so host memory follows what guests touch) and, when asked,
 * in physically contiguous 2 MiB chunks so a host can map them with large pages. Every
 * access is range-checked against the domain's reservation: a guest can never name a frame
 * outside it.
 *
 * @public
 */
export class GuestPhysicalMap {
  readonly #domains: (DomainPhysicalMap | undefined)[] = [];
  /** mfn → gfn of frames owned by a domain (-1 otherwise), in chunks allocated on first use like the RAM. */
  readonly #m2p = new MachineToGuestTable();

  constructor(
    readonly memory: PhysicalMemory,
    /** Populate in aligned 512-frame chunks (for 2 MiB host mappings). */
    readonly largeChunks = false,
  ) {}

  /** Sets up a created domain's (empty) map. */
  add(domain: Domain): DomainPhysicalMap {
    const map = new DomainPhysicalMap(domain, domain.reservationFrames);
    this.#domains[domain.id] = map;
    return map;
  }

  /** Releases every frame a destroyed domain held. */
  remove(domain: Domain): void {
    const map = this.#domains[domain.id];
    if (map === undefined) return;
    for (const mfn of map.p2m) {
      if (mfn >= 0) {
        this.#m2p.set(mfn, -1);
        this.memory.release(machineFrame(mfn));
      }
    }
    this.#domains[domain.id] = undefined;
  }

  /** The domain's map; a typed error when it has none (not created, or destroyed). */
  of(domain: Domain): DomainPhysicalMap {
    const map = this.#domains[domain.id];
    if (map === undefined) throw new GuestRequestError(domain.name, 'memory access', 'the domain has no memory (not created or already destroyed)');
    return map;
  }

  /** Guest frames of a domain. */
  frames(domain: Domain): number {
    return this.of(domain).p2m.length;
  }

  /** Starts recording writes to the domain's frames (log-dirty mode, for live migration). */
  startDirtyLog(domain: Domain): void {
    const map = this.of(domain);
    map.dirty = new Uint8Array(map.p2m.length);
    map.dirtyCount = 0;
  }

  /** Stops recording writes. */
  stopDirtyLog(domain: Domain): void {
    this.of(domain).dirty = undefined;
  }

  /**
   * Marks `gfn` written. Returns true the first time in a logging round: that write took a
   * log-dirty fault (the page was write-protected for tracking), which the caller charges.
   */
  markDirty(domain: Domain, gfn: number): boolean {
    const map = this.#domains[domain.id];
    const dirty = map?.dirty;
    if (dirty === undefined || dirty[gfn] === 1) return false;
    dirty[gfn] = 1;
    map!.dirtyCount++;
    return true;
  }

  /** Whether `gfn` was written since the log was last collected (false when not logging). */
  isDirty(domain: Domain, gfn: number): boolean {
    return this.#domains[domain.id]?.dirty?.[gfn] === 1;
  }

  /** The frames written since the last call (ascending), and clears the log. */
  collectDirty(domain: Domain): Gfn[] {
    const map = this.of(domain);
    const dirty = map.dirty;
    if (dirty === undefined) return [];
    const out: Gfn[] = [];
    for (let g = 0; g < dirty.length; g++) if (dirty[g] === 1) out.push(asGfn(g));
    dirty.fill(0);
    map.dirtyCount = 0;
    return out;
  }

  /** Every populated gfn of the domain, ascending. */
  populated(domain: Domain): Gfn[] {
    const out: Gfn[] = [];
    const p2m = this.of(domain).p2m;
    for (let g = 0; g < p2m.length; g++) if (p2m[g]! >= 0) out.push(asGfn(g));
    return out;
  }

  /** The machine frame behind `gfn`, or -1 when not populated, ballooned out or out of range. */
  lookup(domain: Domain, gfn: number): Mfn {
    const p2m = this.of(domain).p2m;
    const mfn = gfn >= 0 && gfn < p2m.length ? p2m[gfn]! : -1;
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- p2m entries are machine frames (or the -1/-2 sentinels, reported as -1)
    return (mfn < 0 ? -1 : mfn) as Mfn;
  }

  /** The guest frame behind machine frame `mfn`, or -1. */
  reverse(mfn: number): Gfn {
    // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- m2p entries are guest frames (or -1)
    return this.#m2p.get(mfn) as Gfn;
  }

  /** True when `gfn` is inside the domain's reservation. */
  inRange(domain: Domain, gfn: number): boolean {
    return Number.isInteger(gfn) && gfn >= 0 && gfn < this.of(domain).p2m.length;
  }

  /**
   * The machine frame behind `gfn` of `vcpu`'s domain, populating it on first use. A frame
   * outside the reservation is refused (typed error, counted as a privilege violation).
   */
  populate(vcpu: Vcpu, gfn: number): number {
    const p2m = this.of(vcpu.domain).p2m;
    if (!(gfn >= 0 && gfn < p2m.length) || !Number.isInteger(gfn)) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'memory access', `guest frame ${gfn} is outside its ${p2m.length} frames`);
    }
    const map = this.#domains[vcpu.domain.id]!;
    if (p2m[gfn] === BALLOONED) {
      vcpu.count(MechanismIndex.PrivilegeViolation);
      throw new GuestRequestError(vcpu.domain.name, 'memory access', `guest frame ${gfn} was given back through the balloon`);
    }
    const mfn = p2m[gfn]! >= 0 ? p2m[gfn]! : this.#fill(vcpu.domain, p2m, gfn);
    const remote = map.remote;
    if (remote !== undefined && remote[gfn] === 1) {
      remote[gfn] = 0;
      map.fetch!(vcpu, asGfn(gfn));
    }
    return mfn;
  }

  /** True when `gfn` is currently given back through the balloon. */
  isBallooned(domain: Domain, gfn: number): boolean {
    return this.of(domain).p2m[gfn] === BALLOONED;
  }

  /** Balloon out: the machine frame behind `gfn` (if any) returns to the machine. */
  giveBack(domain: Domain, gfn: number): void {
    const map = this.of(domain);
    const mfn = map.p2m[gfn]!;
    if (mfn === BALLOONED) return;
    if (mfn >= 0) {
      this.#m2p.set(mfn, -1);
      this.memory.release(machineFrame(mfn));
    }
    map.p2m[gfn] = BALLOONED;
    map.ballooned++;
  }

  /** Balloon in: `gfn` may be populated again (on first touch). */
  takeBack(domain: Domain, gfn: number): void {
    const map = this.of(domain);
    if (map.p2m[gfn] !== BALLOONED) return;
    map.p2m[gfn] = -1;
    map.ballooned--;
  }

  /** Frames the domain holds: its reservation less what it gave back. */
  held(domain: Domain): number {
    const map = this.of(domain);
    return map.p2m.length - map.ballooned;
  }

  /**
   * Post-copy: `gfns` are still on the source machine. The first touch of one calls
   * `fetch`, which copies it over (and charges the stall); {@link arrived} marks pages the
   * background push delivered.
   */
  expectRemote(domain: Domain, gfns: readonly number[], fetch: (vcpu: Vcpu, gfn: Gfn) => void): void {
    const map = this.of(domain);
    map.remote = new Uint8Array(map.p2m.length);
    for (const g of gfns) map.remote[g] = 1;
    map.fetch = fetch;
  }

  /** Post-copy: true when `gfn` has not arrived yet; marks it arrived. */
  arrived(domain: Domain, gfn: number): boolean {
    const remote = this.of(domain).remote;
    if (remote === undefined || remote[gfn] !== 1) return false;
    remote[gfn] = 0;
    return true;
  }

  #fill(domain: Domain, p2m: Int32Array, gfn: number): number {
    if (!this.largeChunks) {
      const mfn = this.memory.allocate(domain.id);
      p2m[gfn] = mfn;
      this.#m2p.set(mfn, gfn);
      return mfn;
    }
    const base = gfn - (gfn % FRAMES_PER_LARGE_PAGE);
    const count = Math.min(FRAMES_PER_LARGE_PAGE, p2m.length - base);
    const first = this.memory.allocateContiguous(domain.id, count, FRAMES_PER_LARGE_PAGE);
    for (let i = 0; i < count; i++) {
      p2m[base + i] = first + i;
      this.#m2p.set(first + i, base + i);
    }
    return p2m[gfn]!;
  }
}

/** An index into a p2m, which is a guest frame by construction (hot path: no check). */
function asGfn(index: number): Gfn {
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- p2m indices are guest frames
  return index as Gfn;
}

/** Frames per chunk of the m2p table (64 Ki: a 256 KiB chunk covers 256 MiB of RAM). */
const M2P_CHUNK_BITS = 16;
const M2P_CHUNK_MASK = (1 << M2P_CHUNK_BITS) - 1;

/**
 * The machine-to-guest frame table: an array lookup on every reverse translation (page-table
 * reads hold machine frames), with memory only for the parts of RAM guests have touched.
 */
class MachineToGuestTable {
  readonly #chunks: (Int32Array | undefined)[] = [];

  /** The gfn behind `mfn`, or -1. */
  get(mfn: number): number {
    const chunk = this.#chunks[mfn >>> M2P_CHUNK_BITS];
    return chunk === undefined ? -1 : chunk[mfn & M2P_CHUNK_MASK]!;
  }

  /** Records `mfn` → `gfn` (-1: the frame no longer backs a guest frame). */
  set(mfn: number, gfn: number): void {
    const index = mfn >>> M2P_CHUNK_BITS;
    let chunk = this.#chunks[index];
    if (chunk === undefined) {
      if (gfn < 0) return;
      chunk = new Int32Array(1 << M2P_CHUNK_BITS).fill(-1);
      this.#chunks[index] = chunk;
    }
    chunk[mfn & M2P_CHUNK_MASK] = gfn;
  }
}
