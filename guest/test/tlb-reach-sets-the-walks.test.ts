import 'reflect-metadata';
import test from 'ava';
import { MechanismIndex, server2007, type MachineProfile } from '@visorkit/core';
import type { Program } from '../src/index.js';
import { runGuest } from './helpers.js';

const SWEEPS = 10;

interface Sweeps {
  /** TLB misses over the timed sweeps. */
  readonly misses: number;
  /** Simulated nanoseconds the timed sweeps took. */
  readonly ns: number;
}

/**
 * One process maps `pages` anonymous pages, touches them once (faulting them in), then sweeps
 * them `SWEEPS` times, one access per page: what the TLB holds between sweeps decides the walks.
 */
function sweep(profile: MachineProfile, pages: number): Sweeps {
  let misses = -1;
  let ns = -1;
  runGuest(
    (env) =>
      function* (sys) {
        const bytes = pages * 4096;
        const address = yield* sys.mmap({ bytes, writable: true, populate: true });
        yield* sys.touch(address, bytes, { write: true });
        const before = env.domain.counts[MechanismIndex.TlbMiss]!;
        const start = yield* sys.now();
        for (let i = 0; i < SWEEPS; i++) yield* sys.touch(address, bytes);
        ns = (yield* sys.now()) - start;
        misses = env.domain.counts[MechanismIndex.TlbMiss]! - before;
        return 0;
      },
    profile,
  );
  return { misses, ns };
}

function withTlb(profile: MachineProfile, tlb: Partial<MachineProfile['tlb']>): MachineProfile {
  return { ...profile, name: `${profile.name}-tlb`, tlb: { ...profile.tlb, ...tlb } };
}

test('pages within the TLB reach are walked once; beyond it every sweep walks every page again', (t) => {
  const reach = server2007.tlb.entries;
  const within = sweep(server2007, reach - 16);
  const beyond = sweep(server2007, 2 * reach);
  t.true(within.misses <= reach, `within reach: ${within.misses} misses over ${SWEEPS} sweeps`);
  t.true(beyond.misses >= SWEEPS * 2 * reach * 0.9, `beyond reach: ${beyond.misses} misses over ${SWEEPS} sweeps of ${2 * reach} pages`);
  t.true(beyond.ns / (2 * reach) > within.ns / (reach - 16), 'a page beyond reach costs more per sweep than one within it');
});

test('a bigger TLB takes the same working set back within reach, and its walks with it', (t) => {
  const pages = 2 * server2007.tlb.entries;
  const small = sweep(server2007, pages);
  const big = sweep(withTlb(server2007, { entries: 4 * server2007.tlb.entries, ways: 4 * server2007.tlb.ways }), pages);
  t.true(big.misses < small.misses / 10, `${big.misses} misses with 4x the entries against ${small.misses}`);
  t.true(big.ns < small.ns, `${big.ns} ns against ${small.ns} ns`);
});

test("each miss costs the profile's refill: tlb.missCycles plus a cache hit per reference walked", (t) => {
  const pages = 2 * server2007.tlb.entries;
  const base = sweep(server2007, pages);
  const dearer = sweep(withTlb(server2007, { missCycles: server2007.tlb.missCycles + 100 }), pages);
  t.is(dearer.misses, base.misses);
  const expected = (base.misses * 100) / server2007.cpu.clockGhz;
  // Timer interrupts land at slightly different points; the sweep itself moves by exactly the refills.
  t.true(Math.abs(dearer.ns - base.ns - expected) <= 0.02 * expected, `+${(dearer.ns - base.ns).toFixed(0)} ns against ${expected.toFixed(0)} ns`);
});

test('a switch between address spaces flushes the untagged TLB, so pages within reach are walked again after every switch', (t) => {
  const pages = 16;
  const rounds = 20;
  const run = (processes: number): number => {
    let misses = -1;
    runGuest(
      (env) =>
        function* (sys) {
          const worker: Program = function* (s) {
            const address = yield* s.mmap({ bytes: pages * 4096, writable: true, populate: true });
            for (let i = 0; i < rounds; i++) {
              yield* s.touch(address, pages * 4096);
              yield* s.yieldCpu();
            }
            return 0;
          };
          const before = env.domain.counts[MechanismIndex.TlbMiss]!;
          for (let i = 0; i < processes; i++) yield* sys.fork(worker);
          for (let i = 0; i < processes; i++) yield* sys.wait();
          misses = env.domain.counts[MechanismIndex.TlbMiss]! - before;
          return 0;
        },
      server2007,
    );
    return misses;
  };
  const alone = run(1);
  const together = run(2);
  // Two processes: every yield switches spaces, and each round walks its pages again.
  t.true(together - 2 * alone >= rounds * pages, `${together} misses for two processes against ${alone} for one`);
});
