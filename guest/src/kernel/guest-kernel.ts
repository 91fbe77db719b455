import {
  CheckpointCorruptError,
  CheckpointRefusedError,
  type BurstExit,
  type CheckpointableProgram,
  type Domain,
  type Hypervisor,
  type MigratableProgram,
  type Vcpu,
} from '@visorkit/core';
import type { ExecutableImage, FileSystem, Inode } from '../fs/file-system.js';
import type { FrameAllocator } from '../mm/frame-allocator.js';
import type { Process } from '../process/process.js';
import type { ProcessCrash } from '../process/process-crash.js';
import type { Program } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import { Kernel } from './kernel.js';
import { KERNEL_CHECKPOINT_FORMAT, ProcessWriter, restoreProcesses, type SavedKernel, type SavedProcess } from './kernel-checkpoint.js';
import { startup } from './processes.js';
import { IncarnationReader, IncarnationWriter } from './replay-log.js';

export type { GuestKernelOptions } from './guest-kernel-options.js';

/** The checkpoint registry key of a guest kernel's vCPU programs. */
export const GUEST_KERNEL_PROGRAM = 'guest-kernel';

/**
 * The guest OS model: one Linux-like kernel, the same code on every platform. It runs
 * processes (generator programs) on the domain's vCPUs, keeps their page tables in the
 * domain's RAM frames, and reaches the hardware only through the extension points: page-table
 * writes, TLB and address-space switches through MemoryVirtualization and CpuVirtualization,
 * so each platform charges what its mechanism really costs.
 *
 * This class is the kernel's face: booting, installing and spawning programs, the vCPU
 * programs, migration, checkpoint and the balloon. The work is done by its subsystems
 * (see {@link Kernel}).
 */
export class GuestKernel {
  readonly #k: Kernel;

  constructor(hv: Hypervisor, domain: Domain, options: GuestKernelOptions = {}) {
    this.#k = new Kernel(hv, domain, options);
    this.#k.sockets.boot();
  }

  /** The machine it runs on (another one after a live migration). */
  get hv(): Hypervisor {
    return this.#k.hv;
  }

  /** Its domain (the target's after a live migration). */
  get domain(): Domain {
    return this.#k.domain;
  }

  /** The domain's guest-physical frames as the kernel allocates them. */
  get frames(): FrameAllocator {
    return this.#k.frames;
  }

  /** The file system and its page cache. */
  get fs(): FileSystem {
    return this.#k.fs;
  }

  /** The process table, by pid. */
  get processes(): Map<number, Process> {
    return this.#k.processes;
  }

  /** Set when the kernel itself faulted: the domain crashed. */
  get panicked(): string | undefined {
    return this.#k.panicked;
  }

  /**
   * The vCPU program that runs this kernel on `vcpu` (pass to `hv.start`). It migrates live,
   * and it can be checkpointed when the kernel keeps its replay log (`checkpointable`):
   * vCPU 0's saved state is the whole kernel, the others' name their index.
   */
  programFor(vcpu: Vcpu): MigratableProgram & CheckpointableProgram {
    return {
      kind: GUEST_KERNEL_PROGRAM,
      saveState: () => (vcpu.index === 0 ? this.#save() : { vcpu: vcpu.index }),
      run: (v: Vcpu, budget: number): BurstExit => this.#k.scheduler.run(v, budget),
      migrateTo: (target: Hypervisor, domain: Domain) => {
        this.#moveTo(target, domain);
        return this.programFor(domain.vcpus[vcpu.index]!);
      },
    };
  }

  /**
   * Continues on `domain` of `target` after a live migration moved the memory: page tables
   * are rebuilt in the new machine's terms, processes that were on a CPU go back to the run
   * queue, the disk is reattached (storage is shared, as Xen's migration assumes) and the
   * network address is claimed on the new machine, so the traffic follows.
   */
  #moveTo(target: Hypervisor, domain: Domain): void {
    const k = this.#k;
    if (k.domain === domain) return;
    k.hv = target;
    k.domain = domain;
    k.memory.migrated();
    k.files.migrated();
    k.syscalls.migrated();
    k.processTable.migrated();
    k.scheduler.migrated();
    const vcpu = domain.vcpus[0]!;
    for (const p of k.processes.values()) if (p.state !== 'zombie') p.space.reinstall(vcpu);
    k.sockets.migrated();
  }

  // ---- checkpoint and restore ------------------------------------------------------------

  /**
   * The kernel's whole state as plain data. Refused (typed, nothing written) when it holds
   * what a file cannot: no replay log, I/O in flight, queued network work or open sockets.
   */
  #save(): SavedKernel {
    const k = this.#k;
    const { scheduler, files, memory, processTable } = k;
    const refuse = (why: string, transient = false): never => {
      throw new CheckpointRefusedError(k.domain.name, why, transient);
    };
    if (!k.recording) refuse('its guest kernel was booted without `checkpointable: true`, so it has no replay log to rebuild its programs from');
    if (k.hooks !== undefined) refuse("its guest kernel runs a container plugin's hooks, which a checkpoint cannot carry");
    if (files.ioInFlight > 0 || files.writebackInFlight > 0 || files.throttled.length > 0) refuse(`its kernel has ${files.ioInFlight} block requests in flight; let it run until they complete, then pause it again`, true);
    if (scheduler.softirq.some((w) => typeof w === 'function')) refuse('network or disk completions are queued for its softirq; let it run until they are handled, then pause it again', true);
    if (k.sockets.tcp?.busy === true) refuse('it has open sockets, and TCP connection state is not checkpointed');
    if (k.descriptors.ptys.size > 0) refuse('it has open pseudo-terminals, which are not checkpointed');
    const incarnations = new IncarnationWriter();
    const writer = new ProcessWriter(incarnations);
    const processes: SavedProcess[] = [];
    for (const p of k.processes.values()) {
      const held = p.fds.find((d) => d?.kind === 'socket' || d?.kind === 'pty-master' || d?.kind === 'pty-slave');
      if (held !== undefined) refuse(`process ${p.pid} holds a ${held.kind === 'socket' ? 'socket' : 'pseudo-terminal'}, which is not checkpointed`);
      processes.push(writer.save(p));
    }
    const pid = (p: Process | undefined): number => p?.pid ?? -1;
    const o = k.options;
    const options: Record<string, unknown> = {};
    for (const key of ['reservedFrames', 'timeSliceMs', 'faultAroundPages', 'address', 'addresses', 'mtu', 'maxProcesses', 'diskMiB'] as const) {
      const v = o[key];
      if (v !== undefined) options[key] = v;
    }
    return {
      format: KERNEL_CHECKPOINT_FORMAT,
      options,
      frames: k.frames.save(),
      fs: k.fs.save(),
      incarnations: incarnations.saved,
      pipes: writer.pipes,
      processes,
      runQueue: scheduler.runQueue.map(pid),
      current: scheduler.current.map(pid),
      lastOnVcpu: scheduler.lastOnVcpu.map(pid),
      lastBurstEnd: [...scheduler.lastBurstEnd],
      nextPid: processTable.nextPid,
      nextSpace: processTable.nextSpace,
      live: processTable.live,
      ballooned: [...memory.ballooned],
      dirtyPages: files.dirtyPages,
      dirtyInodes: [...files.dirtyInodes].map((i) => i.number),
      residentByContext: [...memory.residentByContext],
      wokenIdle: [...scheduler.wokenIdle].map((v) => v.index),
      softirqWakeups: scheduler.softirq.map((w) => pid(w as Process)),
      panicked: k.panicked ?? null,
    };
  }

  /**
   * Rebuilds a checkpointed kernel on `domain` of `hv` (its memory already restored): the
   * programs come back by replaying their logs, page tables are reinstalled in the new
   * machine's terms, sleepers' timers are armed again at their original deadlines.
   * `programOf` gives each installed executable's program by path.
   */
  static restore(hv: Hypervisor, domain: Domain, state: unknown, programOf: (path: string) => Program | undefined): GuestKernel {
    const saved = state as SavedKernel;
    if (typeof saved !== 'object' || saved === null || saved.format !== KERNEL_CHECKPOINT_FORMAT) {
      throw new CheckpointCorruptError(`its guest-kernel state is not of format ${KERNEL_CHECKPOINT_FORMAT}`);
    }
    const missing = saved.fs.inodes.find((i) => i.image !== undefined && programOf(i.path) === undefined);
    if (missing !== undefined) throw new CheckpointCorruptError(`it runs the guest program '${missing.path}', which the restorer was not given`);
    const kernel = new GuestKernel(hv, domain, { ...saved.options, checkpointable: true });
    kernel.#load(saved, programOf);
    return kernel;
  }

  #load(saved: SavedKernel, programOf: (path: string) => Program | undefined): void {
    const k = this.#k;
    const { scheduler, files, memory, processTable } = k;
    if (!k.frames.load(saved.frames)) throw new CheckpointCorruptError("its guest kernel's frame map does not fit the domain's memory");
    k.fs.load(saved.fs, programOf);
    const vcpu = k.domain.vcpus[0]!;
    const reader = new IncarnationReader(saved.incarnations, programOf, k.sys, startup);
    const processes = restoreProcesses(saved, k, vcpu, reader);
    const at = (pid: number): Process | undefined => (pid < 0 ? undefined : processes.get(pid));
    for (const [pid, p] of processes) k.processes.set(pid, p);
    scheduler.runQueue.push(...saved.runQueue.map((pid) => at(pid)!));
    saved.current.forEach((pid, i) => (scheduler.current[i] = at(pid)));
    saved.lastOnVcpu.forEach((pid, i) => (scheduler.lastOnVcpu[i] = at(pid)));
    saved.lastBurstEnd.forEach((t, i) => (scheduler.lastBurstEnd[i] = t));
    processTable.nextPid = saved.nextPid;
    processTable.nextSpace = saved.nextSpace;
    processTable.live = saved.live;
    memory.ballooned.push(...saved.ballooned);
    files.dirtyPages = saved.dirtyPages;
    for (const n of saved.dirtyInodes) files.dirtyInodes.add(k.fs.inode(n));
    for (const [c, n] of saved.residentByContext) memory.residentByContext.set(c, n);
    for (const i of saved.wokenIdle) scheduler.wokenIdle.add(k.domain.vcpus[i]!);
    for (const pid of saved.softirqWakeups) scheduler.softirq.push(at(pid)!);
    if (saved.panicked !== null) k.panicked = saved.panicked;
    // The page tables were the old machine's: rebuild them here, as Xen's restore does.
    for (const p of processes.values()) {
      if (p.state !== 'zombie') p.space.reinstall(vcpu);
      if (p.state === 'blocked' && p.blockedOn === 'sleep' && p.wakeAt >= 0) scheduler.armSleep(p, Math.max(0, p.wakeAt - k.hv.now));
    }
  }

  /** Installs an executable file: its program and image layout. */
  install(path: string, image: ExecutableImage, bytes = (image.textPages + image.dataPages) * 4096): Inode {
    return this.#k.fs.create(path, bytes, image);
  }

  /** Starts `path` as a new process (like init spawning it) in context `context`; returns the pid. */
  spawn(path: string, context = 0): number {
    return this.#k.processTable.spawn(path, context);
  }

  /**
   * The balloon driver: gives free frames back to the hypervisor, or takes given-back ones
   * again, until the guest holds `targetFrames` of its memory (or, shrinking, until it has
   * no free frame left). Returns the frames it holds afterwards. A platform without a
   * balloon refuses with a typed VisorkitError (code `NO_BALLOON`).
   */
  balloon(targetFrames: number): number {
    return this.#k.memory.balloon(targetFrames);
  }

  /** Resident pages of processes in container context `context`. */
  residentPages(context: number): number {
    return this.#k.memory.residentPages(context);
  }

  /** System calls its programs asked for that it does not implement (each answered -ENOSYS). */
  get unknownSyscalls(): number {
    return this.#k.syscalls.unknownCalls;
  }

  /** The first processes that crashed (their program threw, or yielded a non-operation), oldest first. */
  get crashes(): readonly ProcessCrash[] {
    return this.#k.processTable.crashes;
  }

  /** How many processes crashed in all. */
  get crashCount(): number {
    return this.#k.processTable.crashCount;
  }

  /** True when no process is left that can run (all exited). */
  get idle(): boolean {
    return this.#k.processTable.idle;
  }
}
