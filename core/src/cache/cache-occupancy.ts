import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * One level of a cache hierarchy.
 *
 * @public
 */
export interface CacheLevel {
  readonly capacityBytes: number;
  readonly lineBytes: number;
}

/**
 * Who holds how much of each level of one processor's caches, at the granularity of owners
 * (a process's data, a kernel's data, a set of page-table pages) rather than lines: each
 * owner's working set is touched as a whole, least recently used owners are evicted first.
 * That is the model lmbench's context-switch benchmark probes: after a switch, a process
 * refetches whatever the others evicted, so the cost jumps once N × S outgrows a level.
 *
 * A working set larger than a level sweeps through it and keeps nothing there (LRU under a
 * cyclic sweep): every line of it misses that level on every pass.
 *
 * Only lines an owner held before and lost count as misses: a first touch is the caller's
 * business (the page was just zeroed, copied or read in, which brought it in already).
 *
 * @public
 */
export class CacheOccupancy {
  readonly #levels: readonly CacheLevel[];
  /** Per level: owner → bytes held, in LRU order (first = least recently used). */
  readonly #held: Map<number, number>[];
  readonly #misses: number[];
  /** Per level: the most each owner has held (what it can lose). */
  readonly #peak: Map<number, number>[];
  /** Per level: bytes held by everyone (kept, not summed, so a touch is O(evicted owners)). */
  readonly #total: number[];

  constructor(levels: readonly CacheLevel[]) {
    for (const l of levels)
      if (!(l.capacityBytes > 0) || !(l.lineBytes > 0))
        throw new InvalidArgumentError('cache level', `capacity ${l.capacityBytes} and line ${l.lineBytes} bytes must be positive`);
    this.#levels = levels;
    this.#held = levels.map(() => new Map());
    this.#misses = levels.map(() => 0);
    this.#peak = levels.map(() => new Map());
    this.#total = levels.map(() => 0);
  }

  /** Bytes `owner` holds in `level` (0 = closest to the core). */
  held(level: number, owner: number): number {
    return this.#held[level]?.get(owner) ?? 0;
  }

  /** Bytes held in `level` by every owner together (never more than its capacity). */
  occupancy(level: number): number {
    return this.#total[level] ?? 0;
  }

  /**
   * `owner` touches a working set of `bytes`. Returns, through {@link missesAt}, the lines that
   * missed each level (a line that misses level k is fetched from level k + 1, or memory).
   */
  touch(owner: number, bytes: number): void {
    for (let k = 0; k < this.#levels.length; k++) {
      const level = this.#levels[k]!;
      const held = this.#held[k]!;
      const oldest = held.keys().next().value === owner;
      let had = held.get(owner) ?? 0;
      held.delete(owner);
      this.#total[k] = this.#total[k]! - had;
      // The owner's lines that survived are its oldest; if room must be made and nobody is
      // older, its own sweep evicts them before reaching them (LRU under a cyclic sweep).
      if (oldest && this.occupancy(k) + bytes > level.capacityBytes) had = 0;
      const peak = this.#peak[k]!;
      const known = Math.min(bytes, peak.get(owner) ?? 0);
      peak.set(owner, Math.max(peak.get(owner) ?? 0, bytes));
      if (bytes > level.capacityBytes) {
        // A sweep larger than the level: nothing of it survives to the next pass, and it
        // flushes everyone else out on the way.
        this.#misses[k] = Math.ceil(known / level.lineBytes);
        held.clear();
        held.set(owner, level.capacityBytes);
        this.#total[k] = level.capacityBytes;
        continue;
      }
      const want = Math.max(had, bytes);
      this.#misses[k] = Math.ceil(Math.max(0, known - had) / level.lineBytes);
      // Make room by evicting the least recently used owners.
      let free = level.capacityBytes - this.#total[k]!;
      for (const [other, otherBytes] of held) {
        if (free >= want) break;
        const take = Math.min(otherBytes, want - free);
        if (take === otherBytes) held.delete(other);
        else held.set(other, otherBytes - take);
        free += take;
        this.#total[k] = this.#total[k]! - take;
      }
      held.set(owner, want);
      this.#total[k] = this.#total[k]! + want;
    }
  }

  /** Lines of the last {@link touch} that missed `level`. */
  missesAt(level: number): number {
    return this.#misses[level] ?? 0;
  }

  /** Forgets `owner` (its process exited): its lines are free for others. */
  forget(owner: number): void {
    this.#held.forEach((held, k) => {
      this.#total[k] = this.#total[k]! - (held.get(owner) ?? 0);
      held.delete(owner);
    });
    for (const peak of this.#peak) peak.delete(owner);
  }
}

const LAST_LEVEL = new WeakMap<object, CacheOccupancy[]>();

/**
 * The last-level cache of pCPU `pcpu` of `machine` (its `cache.llcKiB`, one per pCPU as the
 * bundled profiles' per-core L2s are): shared by every domain and process that runs there,
 * so what one evicts another refetches.
 *
 * @public
 */
export function lastLevelCache(
  machine: { readonly profile: { readonly cache: { readonly llcKiB: number; readonly lineBytes: number } }; readonly pcpus: readonly unknown[] },
  pcpu: number,
): CacheOccupancy {
  let caches = LAST_LEVEL.get(machine);
  if (caches === undefined) {
    const level = { capacityBytes: machine.profile.cache.llcKiB * 1024, lineBytes: machine.profile.cache.lineBytes };
    caches = machine.pcpus.map(() => new CacheOccupancy([level]));
    LAST_LEVEL.set(machine, caches);
  }
  return caches[Math.max(0, Math.min(caches.length - 1, pcpu))]!;
}
