import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * Maximum number of distinct mechanism names in one hypervisor.
 *
 * @internal
 */
export const MECHANISM_CAPACITY = 96;

/**
 * Names of the mechanism events a run counts (hypercalls, traps, TLB flushes…). Plugins
 * register their own names once at composition time and keep the returned index, so counting
 * on the hot path is one typed-array increment.
 *
 * @public
 */
export class Mechanisms {
  readonly #names: string[] = [];
  readonly #index = new Map<string, number>();

  constructor() {
    for (const name of Object.values(Mechanism)) this.register(name);
  }

  /** Index for `name`, registering it on first use. */
  register(name: string): number {
    const existing = this.#index.get(name);
    if (existing !== undefined) return existing;
    if (this.#names.length >= MECHANISM_CAPACITY)
      throw new InvalidArgumentError('mechanism', `more than ${MECHANISM_CAPACITY} mechanism names registered (adding '${name}')`);
    this.#names.push(name);
    this.#index.set(name, this.#names.length - 1);
    return this.#names.length - 1;
  }

  /** Index of a registered name, or -1. */
  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  /** All names in registration order. */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Turns a counts array into a `{ name: n }` record, leaving out zeros. */
  toRecord(counts: Float64Array): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.#names.length; i++) if (counts[i]! !== 0) out[this.#names[i]!] = counts[i]!;
    return out;
  }
}

/**
 * Mechanism names every platform shares; their indices are fixed (registration order), so
 * core and plugins can use `MechanismIndex` constants without a lookup.
 *
 * @public
 */
export const Mechanism = {
  Syscall: 'syscall',
  Trap: 'trap',
  PageFault: 'page-fault',
  Hypercall: 'hypercall',
  VmExit: 'vm-exit',
  TlbFlush: 'tlb-flush',
  TlbMiss: 'tlb-miss',
  PageWalkReference: 'page-walk-ref',
  PteWrite: 'pte-write',
  PageZero: 'page-zero',
  PageCopy: 'page-copy',
  ContextSwitch: 'context-switch',
  WorldSwitch: 'world-switch',
  Interrupt: 'interrupt',
  RingRequest: 'ring-request',
  RingResponse: 'ring-response',
  RingNotification: 'ring-notification',
  EventChannelNotify: 'event-channel-notify',
  DiskRequest: 'disk-request',
  PacketSent: 'packet-sent',
  PacketReceived: 'packet-received',
  PacketDropped: 'packet-dropped',
  PrivilegeViolation: 'privilege-violation',
} as const;

/**
 * Fixed indices of the {@link Mechanism} names.
 *
 * @public
 */
export const MechanismIndex: { readonly [K in keyof typeof Mechanism]: number } = Object.fromEntries(Object.keys(Mechanism).map((k, i) => [k, i])) as {
  [K in keyof typeof Mechanism]: number;
};
