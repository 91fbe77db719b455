import fc from 'fast-check';
import type { PrivilegedOperation } from '@visorkit/core';

/**
 * Everything a guest can attempt against the machine, as plain data (so a failing sequence
 * is saved as JSON and replayed exactly). The attacker's operations carry hostile arguments:
 * frame numbers outside its memory or naming another domain's machine frames, entry indices
 * past a table, negative and huge address-space tags, unknown hypercall numbers, foreign
 * event-channel ports, ring indices moved by hand, DMA descriptors aimed at foreign frames.
 * Victim operations are a well-behaved guest's work, replayed on a machine without the
 * attacker for comparison.
 *
 * Frame-valued fields are {@link FrameRef}s resolved when applied, because "the victim's
 * third machine frame" only has a number once the machine exists.
 */
export type HostileOperation =
  | { readonly k: 'pte'; readonly table: FrameRef; readonly index: number; readonly frame: FrameRef; readonly flags: number }
  | { readonly k: 'read-pte'; readonly table: FrameRef; readonly index: number }
  | { readonly k: 'pin'; readonly frame: FrameRef; readonly level: number }
  | { readonly k: 'unpin'; readonly frame: FrameRef }
  | { readonly k: 'switch'; readonly root: FrameRef; readonly space: number }
  | { readonly k: 'translate'; readonly vpn: number; readonly write: boolean }
  | { readonly k: 'invlpg'; readonly vpn: number }
  | { readonly k: 'flush' }
  | { readonly k: 'zero'; readonly frame: FrameRef }
  | { readonly k: 'copy'; readonly to: FrameRef; readonly from: FrameRef }
  | { readonly k: 'batch'; readonly on: boolean }
  | { readonly k: 'balloon'; readonly give: boolean; readonly frames: readonly FrameRef[] }
  | { readonly k: 'hypercall'; readonly number: number; readonly args: readonly [number, number, number, number] }
  | { readonly k: 'privileged'; readonly op: PrivilegedOperation; readonly fromUser: boolean; readonly times: number }
  | { readonly k: 'trap'; readonly vector: number; readonly ring: number; readonly deliver: boolean }
  | { readonly k: 'evtchn'; readonly what: 'notify' | 'mask' | 'unmask' | 'close' | 'clear' | 'bind'; readonly port: number; readonly asVictim: boolean }
  | { readonly k: 'ring'; readonly what: 'push' | 'req-prod' | 'rsp-prod' | 'req-event' | 'slot'; readonly value: number }
  | { readonly k: 'disk'; readonly write: boolean; readonly sector: number; readonly frames: readonly FrameRef[] }
  | { readonly k: 'net'; readonly source: 'own' | 'victim' | 'other'; readonly destination: 'victim' | 'own' | 'other'; readonly buffers: readonly FrameRef[] }
  | { readonly k: 'victim-map'; readonly vpn: number; readonly gfn: number; readonly writable: boolean }
  | { readonly k: 'victim-unmap'; readonly vpn: number }
  | { readonly k: 'victim-write'; readonly gfn: number; readonly word: number; readonly value: number }
  | { readonly k: 'victim-translate'; readonly vpn: number; readonly write: boolean };

/**
 * A frame number as the attacker names it: one of its own guest frames, a raw number (out of
 * range, negative, fractional, huge), a victim's machine frame or a hypervisor-owned one —
 * used where a guest frame number is expected, as a guest that learnt them would.
 */
export type FrameRef = { readonly own: number } | { readonly raw: number } | { readonly victimMachine: number } | { readonly hypervisorMachine: number };

/** The attacker's guest frames the generators favour (small, so sequences collide on them). */
export const OWN_FRAMES = 64;
/** Virtual pages the attacker and victim use. */
export const PAGES = 64;
/** Pages the victim maps and checks. */
export const VICTIM_PAGES = 32;
/** First guest frame of the victim's data pages. */
export const VICTIM_FIRST_GFN = 200;

const hostileNumber = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: OWN_FRAMES - 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(-1, -4095, -4096, 4095, 4096, 4097, 0x7fffffff, 0xffffffff, 2 ** 40, 2 ** 52, 0.5, Number.NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
);

/** A frame the attacker names: mostly its own, often foreign or nonsense. */
export const frameRef: fc.Arbitrary<FrameRef> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: OWN_FRAMES - 1 }).map((own) => ({ own })) },
  { weight: 2, arbitrary: hostileNumber.map((raw) => ({ raw })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: VICTIM_PAGES + 8 }).map((victimMachine) => ({ victimMachine })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }).map((hypervisorMachine) => ({ hypervisorMachine })) },
);

const index = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 511 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 512, 1023, 1024, 4096, 2 ** 31, 1.5, Number.NaN) },
);
const vpn = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: PAGES - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 20, 2 ** 36 - 1, 2 ** 36, 2 ** 52, 0.5, Number.NaN) },
);
/** Flags: present/writable/user mostly, any bit sometimes (large pages, reserved bits). */
const flags = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0x7, 0x5, 0x3, 0x1, 0x0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xfff }) });
const privileged = fc.constantFrom<PrivilegedOperation>(
  'load-page-table-base',
  'flush-tlb',
  'set-trap-table',
  'halt',
  'set-timer',
  'io-access',
  'read-clock',
  'switch-kernel-stack',
);
const port = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(-1, 4095, 4096, 2 ** 31, 1.5));
const ringValue = fc.oneof(fc.integer({ min: -4, max: 40 }), fc.constantFrom(2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, 0.5, Number.NaN));

/** One attacker operation. */
export const attackerOperation: fc.Arbitrary<HostileOperation> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('pte' as const), table: frameRef, index, frame: frameRef, flags }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('read-pte' as const), table: frameRef, index }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('pin' as const),
      frame: frameRef,
      level: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -1, 5, 99, 1.5)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unpin' as const), frame: frameRef }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('switch' as const), root: frameRef, space: fc.oneof(fc.integer({ min: 0, max: 8 }), hostileNumber) }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('translate' as const), vpn, write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('invlpg' as const), vpn }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('zero' as const), frame: frameRef }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('copy' as const), to: frameRef, from: frameRef }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('batch' as const), on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('balloon' as const), give: fc.boolean(), frames: fc.array(frameRef, { maxLength: 4 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('hypercall' as const),
      number: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-1, 1023, 1024, 1.5, Number.NaN)),
      args: fc.tuple(hostileNumber, hostileNumber, hostileNumber, hostileNumber),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('privileged' as const),
      op: privileged,
      fromUser: fc.boolean(),
      times: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 200 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('trap' as const),
      vector: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(-1, 256, 0.5)),
      ring: fc.integer({ min: -1, max: 4 }),
      deliver: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('evtchn' as const),
      what: fc.constantFrom('notify' as const, 'mask' as const, 'unmask' as const, 'close' as const, 'clear' as const, 'bind' as const),
      port,
      asVictim: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('ring' as const),
      what: fc.constantFrom('push' as const, 'req-prod' as const, 'rsp-prod' as const, 'req-event' as const, 'slot' as const),
      value: ringValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('disk' as const),
      write: fc.boolean(),
      sector: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(-8, 2 ** 20, 2 ** 31, 0.5)),
      frames: fc.array(frameRef, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('net' as const),
      source: fc.constantFrom('own' as const, 'victim' as const, 'other' as const),
      destination: fc.constantFrom('victim' as const, 'own' as const, 'other' as const),
      buffers: fc.array(frameRef, { maxLength: 2 }),
    }),
  },
);

/** One operation of the well-behaved victim: maps, unmaps, writes and reads its own memory. */
export const victimOperation: fc.Arbitrary<HostileOperation> = fc.oneof(
  fc.record({
    k: fc.constant('victim-map' as const),
    vpn: fc.integer({ min: 0, max: VICTIM_PAGES - 1 }),
    gfn: fc.integer({ min: VICTIM_FIRST_GFN, max: VICTIM_FIRST_GFN + VICTIM_PAGES - 1 }),
    writable: fc.boolean(),
  }),
  fc.record({ k: fc.constant('victim-unmap' as const), vpn: fc.integer({ min: 0, max: VICTIM_PAGES - 1 }) }),
  fc.record({
    k: fc.constant('victim-write' as const),
    gfn: fc.integer({ min: VICTIM_FIRST_GFN, max: VICTIM_FIRST_GFN + VICTIM_PAGES - 1 }),
    word: fc.integer({ min: 0, max: 1023 }),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({ k: fc.constant('victim-translate' as const), vpn: fc.integer({ min: 0, max: VICTIM_PAGES - 1 }), write: fc.boolean() }),
);

/** A sequence: attacker operations interleaved with the victim's (about one in five). */
export function operationSequence(maxLength: number): fc.Arbitrary<HostileOperation[]> {
  // size 'max': fast-check's default size would cap sequences at about ten operations.
  return fc.array(fc.oneof({ weight: 4, arbitrary: attackerOperation }, { weight: 1, arbitrary: victimOperation }), { minLength: 1, maxLength, size: 'max' });
}

/** True for the victim's own (well-behaved) operations. */
export function isVictimOperation(op: HostileOperation): boolean {
  return op.k.startsWith('victim-');
}
