import { MechanismIndex } from '../accounting/mechanisms.js';
import { serviceToken, type ServiceToken } from '../composition/service-token.js';
import { GuestRequestError } from '../dispatch/dispatch-errors.js';
import type { Domain } from '../domain/domain.js';
import type { Vcpu } from '../domain/vcpu.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { HYPERVISOR_OWNER, type PhysicalMemory } from '../machine/physical-memory.js';
import { domainId, mfn as machineFrame, type Gfn, type Mfn } from '../units/units.js';
import { PRIVATE_CONTENT } from './page-content.js';

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
  /** One byte per gfn, 1 while its machine frame is shared with other guest frames (created on first share). */
  shared: Uint8Array | undefined;
  constructor(
    readonly domain: Domain,
    frames: number,
  ) {
    this.p2m = new Int32Array(frames).fill(-1);
  }
}

/**
 * Token under which a plugin binds the machine's {@link GuestPhysicalMap}, so that a plugin
 * decorating its paging point (content-based sharing, say) reaches the same map.
 *
 * @public
 */
export const GuestPhysicalMapToken: ServiceToken<GuestPhysicalMap> = serviceToken('GuestPhysicalMap');

/**
 * Hears that guest frame `gfn` of `domain` is now backed by machine frame `mfn` (shared or
 * unshared): a platform whose hardware tables hold machine frames (EPT) rewrites its entry.
 *
 * @public
 */
export type RemapListener = (domain: Domain, gfn: Gfn, mfn: Mfn) => void;

/**
 * Says why guest frame `gfn` of `domain` may not be backed by a shared frame now, or
 * undefined when it may. A platform whose page tables hold machine frames (paravirtual paging) binds
 * one ({@link GuestPhysicalMap.guardShares}): it keeps shared frames out of every table, so
 * no table ever needs re-pointing when a share is made or broken.
 *
 * @public
 */
export type ShareGuard = (domain: Domain, gfn: Gfn) => string | undefined;

/**
 * Guest-physical memory for every domain of a machine: a p2m per domain and one m2p, with
 * frames populated on first use (so host memory follows what guests touch) and, when asked,
 * in physically contiguous 2 MiB chunks so a host can map them with large pages. Every
 * access is range-checked against the domain's reservation: a guest can never name a frame
 * outside it.
 *
 * Several guest frames, of one domain or several, may be backed by one machine frame
 * ({@link share}): content-based page sharing. A shared frame belongs to the hypervisor (no
 * domain owns it, so none is charged for it) and is freed when the last guest frame it backs
 * lets go; {@link unshare} gives a guest frame a private copy again (copy on write).
 *
 * @public
 */
export class GuestPhysicalMap {
  readonly #domains: (DomainPhysicalMap | undefined)[] = [];
  /** mfn → gfn of frames owned by a domain (-1 otherwise), in chunks allocated on first use like the RAM. */
  readonly #m2p = new MachineToGuestTable();
  /** Shared machine frames: every (domain, gfn) they back, the first being the m2p's. */
  readonly #sharers = new Map<number, { domain: Domain; gfn: number }[]>();
  readonly #remapListeners: RemapListener[] = [];
  readonly #shareGuards: ShareGuard[] = [];

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

  /** Releases every frame a destroyed domain held (a shared one once nobody else uses it). */
  remove(domain: Domain): void {
    const map = this.#domains[domain.id];
    if (map === undefined) return;
    for (let g = 0; g < map.p2m.length; g++) {
      const mfn = map.p2m[g]!;
      if (mfn < 0) continue;
      if (map.shared?.[g] === 1) this.#leave(mfn, domain, g);
      else {
        this.#m2p.set(mfn, -1);
        this.memory.release(machineFrame(mfn));
      }
    }
    this.#domains[domain.id] = undefined;
  }

  /**
   * Calls `listener` whenever {@link share} or {@link unshare} changes a guest frame's backing.
   * A platform registers one when its translation follows the map (nested paging rewrites its
   * EPT entry); sharing is refused on a map nobody follows.
   */
  onRemap(listener: RemapListener): void {
    this.#remapListeners.push(listener);
  }

  /**
   * Lets `guard` refuse shares: the map then backs by a shared frame only guest frames every
   * guard allows. A platform whose tables hold machine frames registers one instead of a
   * remap listener ({@link onRemap}) and keeps shared frames out of its tables (e.g. a frame
   * a page table maps or that is itself a page table is never shared; a mapping of a shared
   * frame breaks the share first).
   */
  guardShares(guard: ShareGuard): void {
    this.#shareGuards.push(guard);
  }

  /** True when frames can be shared on this map: a part follows remaps ({@link onRemap}) or keeps shared frames out of its tables ({@link guardShares}). */
  get sharingSupported(): boolean {
    return this.#remapListeners.length > 0 || this.#shareGuards.length > 0;
  }

  /**
   * Why guest frame `gfn` of `domain` cannot be backed by machine frame `mfn` now (what
   * {@link share} would refuse), or undefined when it can: the platform supports no sharing,
   * a frame is not a guest's, or a guard refuses `gfn` or the guest frame `mfn` backs.
   */
  shareRefusal(domain: Domain, gfn: Gfn, mfn: Mfn): string | undefined {
    if (this.largeChunks) return 'frames mapped by 2 MiB host pages cannot be shared one by one';
    if (!this.sharingSupported)
      return 'no part of this platform follows remaps or keeps shared frames out of its tables: page tables that hold machine frames (guest tables the hardware walks directly, shadow tables) would keep using the old frame; share where a second-level table follows the map (nested paging), or where the platform guards the frames its tables hold (paravirtual paging)';
    if (this.lookup(domain, gfn) < 0) return `guest frame ${gfn} of '${domain.name}' is not populated: nothing to share`;
    const first = this.#m2p.get(mfn);
    if (first < 0) return `machine frame ${mfn} backs no guest frame: only a guest's frame can be shared`;
    if (this.#shareGuards.length === 0) return undefined;
    const refused = this.#guarded(domain, gfn);
    if (refused !== undefined) return `guest frame ${gfn} of '${domain.name}' cannot be shared: ${refused}`;
    if (this.#sharers.has(mfn)) return undefined;
    const owner = this.#ownerDomain(mfn, first);
    const ownerRefused = this.#guarded(owner, asGfn(first));
    return ownerRefused === undefined
      ? undefined
      : `guest frame ${first} of '${owner.name}', which machine frame ${mfn} backs, cannot be shared: ${ownerRefused}`;
  }

  #guarded(domain: Domain, gfn: Gfn): string | undefined {
    for (const guard of this.#shareGuards) {
      const refused = guard(domain, gfn);
      if (refused !== undefined) return refused;
    }
    return undefined;
  }

  /**
   * Backs guest frame `gfn` of `domain` by machine frame `mfn`, which already backs another
   * guest frame (of this or another domain) with identical contents; the frame that backed
   * `gfn` goes back to the machine. The caller checked the contents are identical and must
   * break the share ({@link unshare}) before anything writes either guest frame. Refused with
   * a typed error for what {@link shareRefusal} names.
   */
  share(domain: Domain, gfn: Gfn, mfn: Mfn): void {
    if (this.largeChunks) throw new InvalidArgumentError('guest-physical map', 'frames mapped by 2 MiB host pages cannot be shared one by one');
    const map = this.of(domain);
    const old = this.lookup(domain, gfn);
    if (old === mfn) return;
    const refused = this.shareRefusal(domain, gfn, mfn);
    if (refused !== undefined) throw new InvalidArgumentError('guest-physical map', refused);
    const first = this.#m2p.get(mfn);
    let sharers = this.#sharers.get(mfn);
    if (sharers === undefined) {
      // The first share: the frame leaves its domain for the hypervisor (nobody's to charge).
      const owner = this.#ownerDomain(mfn, first);
      sharers = [{ domain: owner, gfn: first }];
      this.#sharers.set(mfn, sharers);
      this.#markShared(owner, first, 1);
      this.memory.transfer(mfn, HYPERVISOR_OWNER);
    }
    if (map.shared?.[gfn] === 1) this.#leave(old, domain, gfn);
    else {
      this.#m2p.set(old, -1);
      this.memory.release(old);
    }
    map.p2m[gfn] = mfn;
    sharers.push({ domain, gfn });
    this.#markShared(domain, gfn, 1);
    for (const l of this.#remapListeners) l(domain, gfn, mfn);
  }

  /** True when a platform part follows remaps ({@link onRemap}): a shared frame may stand in its tables. */
  get remapsFollowed(): boolean {
    return this.#remapListeners.length > 0;
  }

  /** True when the machine frame behind `gfn` also backs other guest frames (hot path: a byte test). */
  isShared(domain: Domain, gfn: number): boolean {
    return this.#domains[domain.id]?.shared?.[gfn] === 1;
  }

  /** Guest frames machine frame `mfn` backs: 0 when none, more than 1 when shared. */
  sharers(mfn: number): number {
    return this.#sharers.get(mfn)?.length ?? (this.#m2p.get(mfn) >= 0 ? 1 : 0);
  }

  /** Machine frames now backing more than one guest frame. */
  get sharedFrames(): number {
    return this.#sharers.size;
  }

  /** Guest frames backed by a shared frame beyond the first of each: the frames sharing saves. */
  get framesSaved(): number {
    let n = 0;
    for (const s of this.#sharers.values()) n += s.length - 1;
    return n;
  }

  /**
   * Copy on write: gives guest frame `gfn` of `domain` a private copy of the shared frame
   * behind it (owned by the domain again) and returns the new machine frame. A frame not
   * shared is returned as it is.
   */
  unshare(domain: Domain, gfn: Gfn): Mfn {
    const map = this.of(domain);
    const old = this.lookup(domain, gfn);
    if (old < 0 || map.shared?.[gfn] !== 1) return old;
    const copy = this.memory.allocate(domainId(domain.id));
    this.memory.copy(copy, old);
    this.#leave(old, domain, gfn);
    map.p2m[gfn] = copy;
    this.#m2p.set(copy, gfn);
    for (const l of this.#remapListeners) l(domain, gfn, copy);
    return copy;
  }

  /** `domain`'s `gfn` no longer uses shared frame `mfn`; the last user left takes it back. */
  #leave(mfn: number, domain: Domain, gfn: number): void {
    const sharers = this.#sharers.get(mfn)!;
    const i = sharers.findIndex((s) => s.domain === domain && s.gfn === gfn);
    if (i >= 0) sharers.splice(i, 1);
    this.#markShared(domain, gfn, 0);
    if (sharers.length > 1) {
      if (this.#m2p.get(mfn) === gfn) this.#m2p.set(mfn, sharers[0]!.gfn);
      return;
    }
    // One user left: the frame is that domain's own again.
    this.#sharers.delete(mfn);
    const last = sharers[0]!;
    this.#markShared(last.domain, last.gfn, 0);
    this.#m2p.set(mfn, last.gfn);
    this.memory.transfer(machineFrame(mfn), domainId(last.domain.id));
  }

  #markShared(domain: Domain, gfn: number, value: 0 | 1): void {
    const map = this.#domains[domain.id];
    if (map === undefined) return;
    if (map.shared === undefined) {
      if (value === 0) return;
      map.shared = new Uint8Array(map.p2m.length);
    }
    map.shared[gfn] = value;
  }

  /** The domain whose guest frame `gfn` machine frame `mfn` backs (its owner). */
  #ownerDomain(mfn: number, gfn: number): Domain {
    const owner = this.memory.ownerOf(mfn);
    const map = owner >= 0 ? this.#domains[owner] : undefined;
    if (map === undefined || map.p2m[gfn] !== mfn) throw new InvalidArgumentError('mfn', `machine frame ${mfn} is not a domain's own frame`);
    return map.domain;
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
   * The guest wrote `gfn` through a mapping (a store the simulation does not materialise): the
   * frame now holds private data (its content key, see `PageContent`). Hot path: two array reads.
   */
  wrote(domain: Domain, gfn: number): void {
    const map = this.#domains[domain.id];
    if (map === undefined) return;
    const mfn = map.p2m[gfn] ?? -1;
    // A shared frame keeps what its other users see: the write lands in the copy the
    // sharer makes first (copy on write), which is marked then.
    if (mfn < 0 || map.shared?.[gfn] === 1) return;
    if (this.memory.contentOf(mfn) !== PRIVATE_CONTENT) this.memory.setContent(mfn, PRIVATE_CONTENT);
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
    if (mfn >= 0 && map.shared?.[gfn] === 1) this.#leave(mfn, domain, gfn);
    else if (mfn >= 0) {
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
