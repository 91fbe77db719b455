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
import type { Program, SyscallName } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import { OPEN_POLICY } from './container-policy.js';
import { Kernel, PART_LOAD_ORDER, PART_SAVE_ORDER, type KernelParts, type SavedKernelParts } from './kernel.js';
import type { KernelPart } from './kernel-part.js';
import { KERNEL_CHECKPOINT_FORMAT, type SavedKernel } from './kernel-checkpoint.js';

export type { GuestKernelOptions } from './guest-kernel-options.js';

/**
 * The checkpoint registry key of a guest kernel's vCPU programs.
 *
 * @public
 */
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
 *
 * @public
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
      precopyRound: (round: number, stunWriteFaults: number | undefined) => this.#k.stunning.round(round, stunWriteFaults),
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
    const from = k.domain;
    k.hv = target;
    k.domain = domain;
    k.policyMigrated(from);
    k.memory.migrated();
    k.files.migrated();
    k.syscalls.migrated();
    k.processTable.migrated();
    k.scheduler.migrated();
    k.stunning.migrated();
    const vcpu = domain.vcpus[0]!;
    for (const p of k.processes.values()) if (p.state !== 'zombie') p.space.reinstall(vcpu);
    k.sockets.migrated();
  }

  // ---- checkpoint and restore ------------------------------------------------------------

  /**
   * The kernel's whole state as plain data: each subsystem saves its own part, and its
   * container policy, if any, what it holds for this kernel. Refused (typed, nothing written)
   * when it holds what a file cannot: no replay log, a container policy that cannot save its
   * state, I/O in flight, queued network work, open sockets or ptys.
   */
  #save(): SavedKernel {
    const k = this.#k;
    if (!k.recording)
      throw new CheckpointRefusedError(
        k.domain.name,
        'its guest kernel was booted without `checkpointable: true`, so it has no replay log to rebuild its programs from',
      );
    const policy = k.policy === OPEN_POLICY ? undefined : k.policy;
    if (policy !== undefined && policy.saveFor === undefined)
      throw new CheckpointRefusedError(k.domain.name, "its guest kernel applies a container plugin's policy that cannot save its state (it has no saveFor)");
    const w = { replay: k.replay! };
    const parts: Partial<Record<keyof KernelParts, unknown>> = {};
    for (const name of PART_SAVE_ORDER) parts[name] = k[name].save(w);
    const options: Record<string, unknown> = {};
    for (const key of ['reservedFrames', 'timeSliceMs', 'faultAroundPages', 'address', 'addresses', 'mtu', 'maxProcesses', 'diskMiB'] as const) {
      const v = k.options[key];
      if (v !== undefined) options[key] = v;
    }
    const saved: SavedKernel = { format: KERNEL_CHECKPOINT_FORMAT, options, parts: parts as SavedKernelParts, panicked: k.panicked ?? null };
    return policy === undefined ? saved : { ...saved, policy: policy.saveFor!(k.domain) ?? null };
  }

  /**
   * Rebuilds a checkpointed kernel on `domain` of `hv` (its memory already restored): the
   * programs come back by replaying their logs, page tables are reinstalled in the new
   * machine's terms, sleepers' timers are armed again at their original deadlines.
   * `programOf` gives each installed executable's program by path.
   */
  static restore(hv: Hypervisor, domain: Domain, state: unknown, programOf: (path: string) => Program | undefined): GuestKernel {
    const saved = state as SavedKernel;
    if (typeof saved !== 'object' || saved === null || saved.format !== KERNEL_CHECKPOINT_FORMAT || typeof saved.parts !== 'object' || saved.parts === null) {
      throw new CheckpointCorruptError(`its guest-kernel state is not of format ${KERNEL_CHECKPOINT_FORMAT}`);
    }
    const missingPart = PART_LOAD_ORDER.find((name) => typeof saved.parts[name] !== 'object' || saved.parts[name] === null);
    if (missingPart !== undefined) throw new CheckpointCorruptError(`its guest-kernel state lacks the ${missingPart} part`);
    const missing = saved.parts.files.fs.inodes.find((i) => i.image !== undefined && programOf(i.path) === undefined);
    if (missing !== undefined) throw new CheckpointCorruptError(`it runs the guest program '${missing.path}', which the restorer was not given`);
    const kernel = new GuestKernel(hv, domain, { ...saved.options, checkpointable: true });
    const k = kernel.#k;
    if (saved.policy !== undefined) {
      // The contexts come back into the restoring hypervisor's policy, for the new domain.
      if (k.policy.loadFor === undefined)
        throw new CheckpointCorruptError(`its guest kernel applied a container policy, and '${hv.name}' has none that can take its state back`);
      k.policy.loadFor(domain, saved.policy);
    }
    const r = { replay: k.replay!, programOf };
    for (const name of PART_LOAD_ORDER) (k[name] as KernelPart<unknown>).load(saved.parts[name], r);
    if (saved.panicked !== null) k.panicked = saved.panicked;
    return kernel;
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

  /** The system calls its table dispatches: what its processes (every tenant of a shared kernel) can call into. */
  get systemCallNames(): readonly SyscallName[] {
    return this.#k.syscalls.names;
  }

  /** True when no process is left that can run (all exited). */
  get idle(): boolean {
    return this.#k.processTable.idle;
  }
}
