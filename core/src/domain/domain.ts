import { MECHANISM_CAPACITY } from '../accounting/mechanisms.js';
import type { DomainId } from '../units/units.js';
import { checkTransition, type DomainState } from './domain-state.js';
import { Vcpu } from './vcpu.js';

/**
 * What a domain is for.
 *
 * @public
 */
export type DomainKind = 'control' | 'guest';

/**
 * How to create a domain.
 *
 * @public
 */
export interface DomainSpec {
  /** Name, unique in the hypervisor. */
  readonly name: string;
  /** Virtual CPUs (default 1). */
  readonly vcpus?: number;
  /** Memory reservation in MiB (default 64). */
  readonly memoryMiB?: number;
  /** Proportional-share weight (default 256). */
  readonly weight?: number;
  /** Cap in percent of one pCPU, 0 = none. */
  readonly cap?: number;
  /**
   * Plugins' own per-domain parameters, each under its plugin's key — build them with the
   * plugin's `DomainExtension` (`LotteryDomain.with({ tickets: 300 })`). JSON data.
   */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** The kernel the domain boots (default 'linux'); a different one needs multiple-kernels. */
  readonly kernel?: string;
  /** Free-form labels for experiments (workload names and such). */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A domain: one guest (or the control domain) with its vCPUs, memory reservation, state and
 * mechanism counts. Lifecycle changes go through the hypervisor facade, which emits events
 * and tells the plugins; {@link Domain.setState} only enforces the state machine.
 *
 * @public
 */
export class Domain {
  #state: DomainState = 'created';
  /** Mechanism counts for this domain (index = Mechanisms registry index). */
  readonly counts = new Float64Array(MECHANISM_CAPACITY);
  /** The vCPUs. */
  readonly vcpus: Vcpu[];
  /** Memory reservation in 4 KiB frames. */
  reservationFrames: number;
  readonly weight: number;
  readonly cap: number;
  /** Plugins' own per-domain parameters (see {@link DomainSpec.extensions}). */
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
  /** The kernel it boots. */
  readonly kernel: string;
  /** Kernel modules loaded into it. */
  readonly modules: string[] = [];
  /** Why it crashed, when it did. */
  crashReason: string | undefined;

  constructor(
    readonly id: DomainId,
    readonly name: string,
    readonly kind: DomainKind,
    spec: DomainSpec,
    nsPerCycle: number,
  ) {
    const vcpus = spec.vcpus ?? 1;
    this.vcpus = Array.from({ length: vcpus }, (_, i) => new Vcpu(this, i, nsPerCycle));
    this.reservationFrames = Math.round(((spec.memoryMiB ?? 64) * 1024 * 1024) / 4096);
    this.weight = spec.weight ?? 256;
    this.cap = spec.cap ?? 0;
    this.extensions = spec.extensions ?? {};
    this.labels = spec.labels ?? {};
    this.kernel = spec.kernel ?? 'linux';
  }

  /** Current lifecycle state. */
  get state(): DomainState {
    return this.#state;
  }

  /** True for the control domain. */
  get isControl(): boolean {
    return this.kind === 'control';
  }

  /** Moves to `to`, or throws IllegalTransitionError. Use the hypervisor facade instead. */
  setState(to: DomainState): DomainState {
    const from = this.#state;
    checkTransition(this.name, from, to);
    this.#state = to;
    return from;
  }
}
