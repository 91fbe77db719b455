import { CostCategory, type Domain, type Hypervisor, type Vcpu } from '@visorkit/core';
import type { FileSystem } from '../fs/file-system.js';
import type { AddressSpace, PhysicalPages } from '../mm/address-space.js';
import { FrameAllocator } from '../mm/frame-allocator.js';
import type { Process } from '../process/process.js';
import { Sys } from '../program/program.js';
import { Descriptors } from './descriptors.js';
import { Files } from './files.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import { ContainerPolicy, OPEN_POLICY } from './container-policy.js';
import { Memory } from './memory.js';
import type { KernelPart } from './kernel-part.js';
import { PATH, type PathName } from './path-lengths.js';
import { ReplayRecorder } from './replay-recorder.js';
import { Processes } from './processes.js';
import { Scheduler } from './scheduler.js';
import { Signals } from './signals.js';
import { Sockets } from './sockets.js';
import { Stunning } from './stunning.js';
import { SystemCalls } from './system-calls.js';

/** The subsystems, by name: each saves and loads its own part of a checkpoint. */
export interface KernelParts {
  readonly memory: Memory;
  readonly files: Files;
  readonly processTable: Processes;
  readonly scheduler: Scheduler;
  readonly descriptors: Descriptors;
  readonly sockets: Sockets;
  readonly signals: Signals;
  readonly syscalls: SystemCalls;
}

/** A checkpoint's parts: what each subsystem's `save` gives. */
export type SavedKernelParts = { readonly [K in keyof KernelParts]: KernelParts[K] extends KernelPart<infer S> ? S : never };

/**
 * The order parts load in: each after what it refers to (frames, then the file system, then
 * the processes, then what names processes). Every part is listed (the compiler checks).
 */
export const PART_LOAD_ORDER = [
  'memory',
  'files',
  'processTable',
  'scheduler',
  'descriptors',
  'sockets',
  'signals',
  'syscalls',
] as const satisfies readonly (keyof KernelParts)[];

/**
 * The order parts save in, which is the order their refusals are met: what passes with time
 * (I/O in flight, queued completions) before what does not (sockets, ptys).
 */
export const PART_SAVE_ORDER = [
  'files',
  'scheduler',
  'sockets',
  'descriptors',
  'processTable',
  'memory',
  'signals',
  'syscalls',
] as const satisfies readonly (keyof KernelParts)[];

// Both orders name every part: a part added to KernelParts and left out fails here.
const _everyPartLoads: Exclude<keyof KernelParts, (typeof PART_LOAD_ORDER)[number]> extends never ? true : never = true;
const _everyPartSaves: Exclude<keyof KernelParts, (typeof PART_SAVE_ORDER)[number]> extends never ? true : never = true;

/**
 * @internal What the subsystems of one guest kernel share: the machine it runs on, its
 * memory and file system, the process table, the charge for kernel code, and each other.
 * The subsystems are built here and reach one another through it, so each keeps its own
 * state and job: {@link Scheduler} (run queue, bursts, softirq), {@link Processes} (spawn,
 * fork, exec, exit, wait), {@link Memory} (touches, faults, mmap/brk, balloon), {@link Files}
 * (VFS, page cache, write-back, disk), {@link Descriptors} (descriptors, pipes, ptys),
 * {@link Sockets} (the TCP stack's glue), {@link Signals} and {@link SystemCalls}.
 */
export class Kernel implements PhysicalPages, KernelParts {
  /** The machine it runs on (another one after a live migration). */
  hv: Hypervisor;
  /** Its domain (the target's after a live migration). */
  domain: Domain;
  /** The vCPU the kernel is running on now (for work the stack does on its behalf). */
  cpu: Vcpu | undefined;
  /** Set when the kernel itself faulted: the domain crashed. */
  panicked: string | undefined;
  readonly frames: FrameAllocator;
  readonly processes = new Map<number, Process>();
  /** The system-call interface every program is started with. */
  readonly sys = new Sys();
  readonly options: GuestKernelOptions;
  /** Keeps the replay log (booted `checkpointable`). */
  readonly recording: boolean;
  /** The replay log, observing every program's results and origins (when `recording`). */
  readonly replay: ReplayRecorder | undefined;
  /** The container policy every subsystem consults (visibility, limits, addresses). */
  policy: ContainerPolicy;
  readonly #cpi: number;

  readonly scheduler: Scheduler;
  readonly processTable: Processes;
  readonly memory: Memory;
  readonly files: Files;
  readonly descriptors: Descriptors;
  readonly sockets: Sockets;
  readonly signals: Signals;
  readonly syscalls: SystemCalls;
  /** Stunning of processes that dirty memory fast while a live migration pre-copies (off unless asked). */
  readonly stunning: Stunning;

  constructor(hv: Hypervisor, domain: Domain, options: GuestKernelOptions) {
    this.hv = hv;
    this.domain = domain;
    this.options = options;
    this.frames = new FrameAllocator(hv.memory.frames(domain), options.reservedFrames ?? 1024);
    this.#cpi = hv.profile.cpu.kernelCpi;
    // A container platform's context checks apply to every kernel on it unless told otherwise.
    this.policy = options.policy ?? hv.service(ContainerPolicy) ?? OPEN_POLICY;
    this.recording = options.checkpointable === true;
    this.replay = this.recording ? new ReplayRecorder() : undefined;
    this.files = new Files(this, options);
    this.scheduler = new Scheduler(this, options);
    this.processTable = new Processes(this, options);
    this.memory = new Memory(this, options);
    this.descriptors = new Descriptors(this);
    this.sockets = new Sockets(this, options);
    this.signals = new Signals(this);
    this.syscalls = new SystemCalls(this);
    this.stunning = new Stunning(this);
  }

  /**
   * After a live migration from `from` (`hv` and `domain` are the target's now): a policy the
   * hypervisor supplied is the target's from here on, holding what the source's held for this
   * kernel — a policy keyed by domain (contexts in each VM's kernel) would otherwise look the
   * new domain up in the source's tables. A policy given at boot, or one that cannot save its
   * state, stays as it was.
   */
  policyMigrated(from: Domain): void {
    if (this.options.policy !== undefined) return;
    const next = this.hv.service(ContainerPolicy);
    if (next === undefined || next === this.policy || this.policy.saveFor === undefined || next.loadFor === undefined) return;
    next.loadFor(this.domain, this.policy.saveFor(from));
    this.policy = next;
  }

  /** The file system (its page cache lives in {@link frames}). */
  get fs(): FileSystem {
    return this.files.fs;
  }

  /** Charges `times` runs of the kernel code path `path`. */
  charge(vcpu: Vcpu, path: PathName, times = 1): void {
    vcpu.charge(CostCategory.GuestKernel, PATH[path] * times * this.#cpi);
  }

  /** Charges copying `bytes` between user and kernel memory. */
  copy(vcpu: Vcpu, bytes: number): void {
    vcpu.charge(CostCategory.GuestKernel, (bytes / (this.hv.profile.memory.bandwidthGBps * 1e9)) * 1e9 * this.hv.profile.cpu.clockGhz);
  }

  /**
   * copy_to_user of `bytes` into `p`'s I/O buffer (what read() fills): the copy charged, and
   * the buffer's pages written through `p`'s page tables (faulted in on first use, seen by a
   * dirty log). False when `p` did not survive the fault (killed: out of memory).
   */
  copyToUser(vcpu: Vcpu, p: Process, bytes: number): boolean {
    this.copy(vcpu, bytes);
    return this.memory.touchIoBuffer(vcpu, p, bytes, true);
  }

  /** copy_from_user of `bytes` from `p`'s I/O buffer (what write() sends): the copy charged, the buffer's pages read. */
  copyFromUser(vcpu: Vcpu, p: Process, bytes: number): boolean {
    this.copy(vcpu, bytes);
    return this.memory.touchIoBuffer(vcpu, p, bytes, false);
  }

  /** AddressSpace's resident-page accounting (per container context). */
  residentChanged(space: AddressSpace, delta: number): void {
    this.memory.residentChanged(space, delta);
  }
}
