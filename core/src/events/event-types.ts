import type { DomainState } from '../domain/domain-state.js';

/**
 * A domain changed lifecycle state.
 *
 * @public
 */
export interface LifecycleEvent {
  readonly time: number;
  readonly domainId: number;
  readonly domain: string;
  readonly from: DomainState;
  readonly to: DomainState;
}

/**
 * A pCPU started running a vCPU burst.
 *
 * @public
 */
export interface ScheduleEvent {
  readonly time: number;
  readonly pcpu: number;
  readonly domainId: number;
  readonly vcpu: number;
  /** Burst length in ns (known when the burst ends). */
  readonly durationNs: number;
}

/**
 * A trap, hypercall or VM exit.
 *
 * @public
 */
export interface CpuTransitionEvent {
  readonly time: number;
  readonly domainId: number;
  readonly vcpu: number;
  /** Hypercall name, trap vector name, or exit reason. */
  readonly reason: string;
}

/**
 * Any guest → hypervisor transition, with its kind: what `transitions$` carries.
 *
 * @public
 */
export interface TransitionEvent extends CpuTransitionEvent {
  readonly kind: 'hypercall' | 'trap' | 'vm-exit';
}

/**
 * A ring request or response, packet or disk request.
 *
 * @public
 */
export interface IoEvent {
  readonly time: number;
  readonly domainId: number;
  /** `ring-request`, `ring-response`, `packet`, `disk-request`, `disk-complete`… */
  readonly kind: string;
  readonly bytes: number;
  readonly detail?: string;
}

/**
 * A timer or alarm fired.
 *
 * @public
 */
export interface TimerEvent {
  readonly time: number;
  readonly domainId: number;
  readonly clock: 'real' | 'virtual';
}

/**
 * A guest process crashed: its program failed in a way the guest OS did not ask for (an
 * exception escaped it, or it asked for something that is not an operation). The guest OS
 * ends the process — the domain carries on — and reports it here.
 *
 * @public
 */
export interface GuestCrashEvent {
  readonly time: number;
  readonly domainId: number;
  readonly domain: string;
  readonly pid: number;
  /** The program it ran (the executable's path). */
  readonly program: string;
  /** What kind of failure: `exception`, `bad-operation`… */
  readonly reason: string;
  /** The failure's own words (an exception's name and message). */
  readonly detail: string;
}
