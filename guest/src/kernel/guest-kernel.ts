import {
  CostCategory,
  InvalidArgumentError,
  PTE_COW,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  VisorkitError,
  makePte,
  pteFrame,
  pteHas,
  BROADCAST_ADDRESS,
  CheckpointCorruptError,
  CheckpointRefusedError,
  type BurstExit,
  type CheckpointableProgram,
  type Domain,
  type Gfn,
  type Hypervisor,
  type MigratableProgram,
  type NetFrame,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';
import { FileSystem, type ExecutableImage, type Inode } from '../fs/file-system.js';
import { Pipe } from '../ipc/pipe.js';
import { Pty } from '../ipc/pty.js';
import { ANY_ADDRESS, LOOPBACK_ADDRESS, Socket, TcpStack } from '../net/tcp-stack.js';
import { AddressSpace, OutOfGuestMemory } from '../mm/address-space.js';
import { FrameAllocator } from '../mm/frame-allocator.js';
import type { Vma } from '../mm/vma.js';
import { Process, type BlockReason, type FileDescriptor } from '../process/process.js';
import { Errno, Sys, type MmapRequest, type Operation, type Program, type SyscallName } from '../program/program.js';
import { KernelHooks } from './kernel-hooks.js';
import { Incarnation, IncarnationReader, IncarnationWriter } from './replay-log.js';
import { KERNEL_CHECKPOINT_FORMAT, ProcessWriter, restoreProcesses, type SavedKernel, type SavedProcess } from './kernel-checkpoint.js';
import { PATH, type PathName } from './path-lengths.js';

/** Boot options of a guest kernel. */
export interface GuestKernelOptions {
  /** Frames at the bottom of guest memory kept for the kernel image (default 1024 = 4 MiB). */
  readonly reservedFrames?: number;
  /** Round-robin time slice of a CPU-bound process (default 10 ms). */
  readonly timeSliceMs?: number;
  /** Pages mapped around a faulting file page (default 1: none, as in Linux 2.6; fault-around, 16 pages, came with Linux 3.15). */
  readonly faultAroundPages?: number;
  /**
   * A container plugin's context checks (name spaces, limits, chroot). Default: the hooks a
   * plugin of the hypervisor binds under the {@link KernelHooks} token, else none.
   */
  readonly hooks?: KernelHooks;
  /** The guest's network address (IPv4-like); its interface is attached on first socket use. */
  readonly address?: string;
  /**
   * More addresses the kernel owns beside `address` (aliases, each its own interface on
   * the platform's NIC) — e.g. one per container context sharing this kernel's stack. A
   * socket sends from the interface of its local address.
   */
  readonly addresses?: readonly string[];
  /** The interface's MTU in bytes (default 1500). */
  readonly mtu?: number;
  /** Most processes at once (default: as Linux 2.6 sizes threads-max from memory). */
  readonly maxProcesses?: number;
  /** Size of the domain's disk in MiB (default 1024), attached on first disk use. */
  readonly diskMiB?: number;
  /**
   * Keep the replay log that lets the domain be checkpointed (default false): every result
   * handed to a program is recorded, so its generator can be re-derived on restore. Off by
   * default because the log grows with every operation the programs perform.
   */
  readonly checkpointable?: boolean;
}

/** The checkpoint registry key of a guest kernel's vCPU programs. */
export const GUEST_KERNEL_PROGRAM = 'guest-kernel';

/** Pages read ahead of a sequential file read (Linux's 128 KiB default). */
const READAHEAD_PAGES = 32;
/** Most pages in one block request. */
const REQUEST_PAGES = 32;
/** Share of memory that may be dirty before writers are throttled to the disk (dirty_ratio). */
const DIRTY_RATIO = 0.1;
/** Share at which background write-back starts (dirty_background_ratio). */
const DIRTY_BACKGROUND_RATIO = 0.05;

/** Share of a line fill's latency a sequential stream still pays (the prefetcher hides the rest). */
const STREAM_PREFETCH_OVERLAP = 0.1;
/** Bytes of a gratuitous ARP frame (the Ethernet minimum). */
const ANNOUNCE_BYTES = 60;
const SIGSEGV = 11;
const SIGKILL = 9;
/** Where pty slaves appear, and the number after it (decimal, no leading zero). */
const PTS_PREFIX = '/dev/pts/';
const PTS_NUMBER = /^(0|[1-9][0-9]{0,5})$/;
/** Where the program image, libraries and stack live (virtual page numbers). */
const TEXT_BASE = 0x400;
const LIB_BASE = 0x20000;
const STACK_TOP = 0x7fff0;
const STACK_PAGES = 32;

/**
 * The guest OS model: one Linux-like kernel, the same code on every platform. It runs
 * processes (generator programs) on the domain's vCPUs, keeps their page tables in the
 * domain's RAM frames, and reaches the hardware only through the extension points: page-table
 * writes, TLB and address-space switches through MemoryVirtualization and CpuVirtualization,
 * so each platform charges what its mechanism really costs.
 */
export class GuestKernel {
  readonly frames: FrameAllocator;
  readonly fs: FileSystem;
  readonly processes = new Map<number, Process>();
  readonly #runQueue: Process[] = [];
  readonly #current: (Process | undefined)[];
  readonly #lastOnVcpu: (Process | undefined)[];
  /** Per vCPU: simulated time its last burst ended (to notice other domains ran meanwhile). */
  readonly #lastBurstEnd: number[];
  readonly #sys = new Sys();
  readonly #cpi: number;
  readonly #timeSliceNs: number;
  readonly #faultAround: number;
  #nextPid = 1;
  /** Frames the balloon driver gave back to the hypervisor. */
  readonly #ballooned: number[] = [];
  readonly #diskSectors: number;
  /** Processes not yet exited, and the most there may be. */
  #live = 0;
  readonly #maxProcesses: number;
  /** Dirty page-cache pages across files, and write-back requests in flight. */
  #dirtyPages = 0;
  readonly #dirtyInodes = new Set<Inode>();
  #writebackInFlight = 0;
  /** Writers throttled until write-back brings the dirty pages under the limit (by pid). */
  readonly #throttled: number[] = [];
  /** The TCP stack and interface, set up on first socket use. */
  #tcp: TcpStack | undefined;
  /** Interface number of each of the kernel's addresses, once attached. */
  readonly #ifaces = new Map<string, number>();
  /** Migrated with interfaces: announce them from the new machine on the next burst. */
  #announcePending = false;
  /** The primary address (connections to other machines leave from it). */
  readonly #address: string | undefined;
  /** Every address the kernel owns, the primary first. */
  readonly #addresses: readonly string[];
  /** Pseudo-terminals by number (/dev/pts/N), while their master is open. */
  readonly #ptys = new Map<number, Pty>();
  readonly #mtu: number;
  /**
   * Work that arrived off-CPU, run on the next vCPU burst (softirq): network frames and
   * timers as closures, expired sleeps as the process to wake (plain data, so a checkpoint
   * can hold it).
   */
  readonly #softirq: ((() => void) | Process)[] = [];
  /** Block requests submitted and not yet completed. */
  #ioInFlight = 0;
  readonly #options: GuestKernelOptions;
  readonly #recording: boolean;
  /** Resident pages per container context (for per-context memory limits). */
  readonly #residentByContext = new Map<number, number>();
  /** Sibling vCPUs woken from idle for queued work, until they run. */
  readonly #wokenIdle = new Set<Vcpu>();
  /** The vCPU the kernel is running on now (for work the stack does on its behalf). */
  #cpu: Vcpu | undefined;
  /** The domain's disk, attached on first use. */
  #disk = -1;
  #nextSpace = 1;
  /** Set when the kernel itself faulted: the domain crashed. */
  panicked: string | undefined;
  readonly #hooks: KernelHooks | undefined;
  /** Mechanism index of an out-of-memory kill (the kernel's or a context's). */
  #oomKill: number;

  constructor(
    /** The machine it runs on (another one after a live migration). */
    public hv: Hypervisor,
    /** Its domain (the target's after a live migration). */
    public domain: Domain,
    options: GuestKernelOptions = {},
  ) {
    this.frames = new FrameAllocator(hv.memory.frames(domain), options.reservedFrames ?? 1024);
    this.#diskSectors = Math.round((options.diskMiB ?? 1024) * 2048);
    this.fs = new FileSystem(this.frames, 1 << 16, this.#diskSectors);
    this.#current = domain.vcpus.map(() => undefined);
    this.#lastOnVcpu = domain.vcpus.map(() => undefined);
    this.#lastBurstEnd = domain.vcpus.map(() => -1);
    this.#cpi = hv.profile.cpu.kernelCpi;
    this.#timeSliceNs = (options.timeSliceMs ?? 10) * 1e6;
    this.#faultAround = options.faultAroundPages ?? 1;
    // A container platform's context checks apply to every kernel on it unless told otherwise.
    this.#hooks = options.hooks ?? hv.service<KernelHooks>(KernelHooks);
    this.#oomKill = hv.mechanisms.register('oom-kill');
    this.#options = options;
    this.#recording = options.checkpointable === true;
    this.#address = options.address ?? options.addresses?.[0];
    const addresses: string[] = [];
    for (const a of [...(this.#address === undefined ? [] : [this.#address]), ...(options.addresses ?? [])]) {
      if (typeof a !== 'string' || a === '' || a === ANY_ADDRESS || a === LOOPBACK_ADDRESS) {
        throw new InvalidArgumentError('address', `'${String(a)}' cannot be an interface address of guest '${domain.name}' (use a unicast address such as 10.0.0.1)`);
      }
      if (!addresses.includes(a)) addresses.push(a);
    }
    this.#addresses = addresses;
    this.#mtu = options.mtu ?? 1500;
    // Linux 2.6 sizes threads-max so kernel stacks take at most an eighth of memory.
    this.#maxProcesses = options.maxProcesses ?? Math.max(64, Math.floor(this.frames.frames / 16));
    // With an address the interface is up from boot: a connection to a closed port is refused.
    if (this.#address !== undefined) this.#net();
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
      run: (v: Vcpu, budget: number) => this.#run(v, budget),
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
    if (this.domain === domain) return;
    this.hv = target;
    this.domain = domain;
    // Mechanism indices are per hypervisor: look ours up again on the new machine.
    this.#oomKill = target.mechanisms.register('oom-kill');
    this.#disk = -1;
    for (let i = 0; i < this.#current.length; i++) {
      const p = this.#current[i];
      if (p !== undefined && p.state === 'running') {
        p.state = 'runnable';
        this.#runQueue.unshift(p);
      }
      this.#current[i] = undefined;
      this.#lastOnVcpu[i] = undefined;
      this.#lastBurstEnd[i] = -1;
    }
    const vcpu = domain.vcpus[0]!;
    for (const p of this.processes.values()) if (p.state !== 'zombie') p.space.reinstall(vcpu);
    if (this.#ifaces.size > 0) {
      for (const address of this.#addresses) this.#attach(address);
      this.#announcePending = true;
    }
  }

  // ---- checkpoint and restore ------------------------------------------------------------

  /**
   * The kernel's whole state as plain data. Refused (typed, nothing written) when it holds
   * what a file cannot: no replay log, I/O in flight, queued network work or open sockets.
   */
  #save(): SavedKernel {
    const refuse = (why: string, transient = false): never => {
      throw new CheckpointRefusedError(this.domain.name, why, transient);
    };
    if (!this.#recording) refuse('its guest kernel was booted without `checkpointable: true`, so it has no replay log to rebuild its programs from');
    if (this.#hooks !== undefined) refuse("its guest kernel runs a container plugin's hooks, which a checkpoint cannot carry");
    if (this.#ioInFlight > 0 || this.#writebackInFlight > 0 || this.#throttled.length > 0) refuse(`its kernel has ${this.#ioInFlight} block requests in flight; let it run until they complete, then pause it again`, true);
    if (this.#softirq.some((w) => typeof w === 'function')) refuse('network or disk completions are queued for its softirq; let it run until they are handled, then pause it again', true);
    if (this.#tcp?.busy === true) refuse('it has open sockets, and TCP connection state is not checkpointed');
    if (this.#ptys.size > 0) refuse('it has open pseudo-terminals, which are not checkpointed');
    const incarnations = new IncarnationWriter();
    const writer = new ProcessWriter(incarnations);
    const processes: SavedProcess[] = [];
    for (const p of this.processes.values()) {
      const held = p.fds.find((d) => d?.kind === 'socket' || d?.kind === 'pty-master' || d?.kind === 'pty-slave');
      if (held !== undefined) refuse(`process ${p.pid} holds a ${held.kind === 'socket' ? 'socket' : 'pseudo-terminal'}, which is not checkpointed`);
      processes.push(writer.save(p));
    }
    const pid = (p: Process | undefined): number => p?.pid ?? -1;
    const o = this.#options;
    const options: Record<string, unknown> = {};
    for (const key of ['reservedFrames', 'timeSliceMs', 'faultAroundPages', 'address', 'addresses', 'mtu', 'maxProcesses', 'diskMiB'] as const) {
      const v = o[key];
      if (v !== undefined) options[key] = v;
    }
    return {
      format: KERNEL_CHECKPOINT_FORMAT,
      options,
      frames: this.frames.save(),
      fs: this.fs.save(),
      incarnations: incarnations.saved,
      pipes: writer.pipes,
      processes,
      runQueue: this.#runQueue.map(pid),
      current: this.#current.map(pid),
      lastOnVcpu: this.#lastOnVcpu.map(pid),
      lastBurstEnd: [...this.#lastBurstEnd],
      nextPid: this.#nextPid,
      nextSpace: this.#nextSpace,
      live: this.#live,
      ballooned: [...this.#ballooned],
      dirtyPages: this.#dirtyPages,
      dirtyInodes: [...this.#dirtyInodes].map((i) => i.number),
      residentByContext: [...this.#residentByContext],
      wokenIdle: [...this.#wokenIdle].map((v) => v.index),
      softirqWakeups: this.#softirq.map((w) => pid(w as Process)),
      panicked: this.panicked ?? null,
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
    if (!this.frames.load(saved.frames)) throw new CheckpointCorruptError("its guest kernel's frame map does not fit the domain's memory");
    this.fs.load(saved.fs, programOf);
    const vcpu = this.domain.vcpus[0]!;
    const reader = new IncarnationReader(saved.incarnations, programOf, this.#sys, startup);
    const processes = restoreProcesses(saved, this, vcpu, reader);
    const at = (pid: number): Process | undefined => (pid < 0 ? undefined : processes.get(pid));
    for (const [pid, p] of processes) this.processes.set(pid, p);
    this.#runQueue.push(...saved.runQueue.map((pid) => at(pid)!));
    saved.current.forEach((pid, i) => (this.#current[i] = at(pid)));
    saved.lastOnVcpu.forEach((pid, i) => (this.#lastOnVcpu[i] = at(pid)));
    saved.lastBurstEnd.forEach((t, i) => (this.#lastBurstEnd[i] = t));
    this.#nextPid = saved.nextPid;
    this.#nextSpace = saved.nextSpace;
    this.#live = saved.live;
    this.#ballooned.push(...saved.ballooned);
    this.#dirtyPages = saved.dirtyPages;
    for (const n of saved.dirtyInodes) this.#dirtyInodes.add(this.fs.inode(n));
    for (const [c, n] of saved.residentByContext) this.#residentByContext.set(c, n);
    for (const i of saved.wokenIdle) this.#wokenIdle.add(this.domain.vcpus[i]!);
    for (const pid of saved.softirqWakeups) this.#softirq.push(at(pid)!);
    if (saved.panicked !== null) this.panicked = saved.panicked;
    // The page tables were the old machine's: rebuild them here, as Xen's restore does.
    for (const p of processes.values()) {
      if (p.state !== 'zombie') p.space.reinstall(vcpu);
      if (p.state === 'blocked' && p.blockedOn === 'sleep' && p.wakeAt >= 0) this.#armSleep(p, Math.max(0, p.wakeAt - this.hv.now));
    }
  }

  /** Installs an executable file: its program and image layout. */
  install(path: string, image: ExecutableImage, bytes = (image.textPages + image.dataPages) * 4096): Inode {
    return this.fs.create(path, bytes, image);
  }

  /** Starts `path` as a new process (like init spawning it) in context `context`; returns the pid. */
  spawn(path: string, context = 0): number {
    const inode = this.fs.lookup(path);
    if (inode?.image === undefined) throw new VisorkitError('GUEST_NO_PROGRAM', `Guest '${this.domain.name}' has no executable '${path}'.`);
    const vcpu = this.domain.vcpus[0]!;
    const p = new Process(this.#nextPid++, undefined, new AddressSpace(this, this.#nextSpace++, vcpu));
    p.context = context;
    p.space.context = context;
    this.#loadImage(vcpu, p, inode);
    this.processes.set(p.pid, p);
    this.#live++;
    this.#makeRunnable(p);
    return p.pid;
  }

  /**
   * The balloon driver: gives free frames back to the hypervisor, or takes given-back ones
   * again, until the guest holds `targetFrames` of its memory (or, shrinking, until it has
   * no free frame left). Returns the frames it holds afterwards. A platform without a
   * balloon refuses with a typed VisorkitError (code `NO_BALLOON`).
   */
  balloon(targetFrames: number): number {
    const memory = this.hv.memory;
    if (memory.releaseFrames === undefined || memory.reclaimFrames === undefined) {
      throw new VisorkitError('NO_BALLOON', `'${this.hv.name}' has no balloon: guest '${this.domain.name}' cannot change its memory`);
    }
    const vcpu = this.domain.vcpus[0]!;
    const held = this.frames.frames - this.#ballooned.length;
    if (targetFrames < held) {
      const out: number[] = [];
      while (out.length < held - targetFrames) {
        const f = this.frames.allocate();
        if (f < 0) break;
        out.push(f);
      }
      if (out.length > 0) memory.releaseFrames(vcpu, out as Gfn[]);
      this.#ballooned.push(...out);
    } else if (targetFrames > held && this.#ballooned.length > 0) {
      const back = this.#ballooned.splice(Math.max(0, this.#ballooned.length - (targetFrames - held)));
      try {
        memory.reclaimFrames(vcpu, back as Gfn[]);
      } catch (e) {
        this.#ballooned.push(...back);
        throw e;
      }
      for (const f of back) this.frames.release(f);
    }
    return this.frames.frames - this.#ballooned.length;
  }

  /** Resident pages of processes in container context `context`. */
  residentPages(context: number): number {
    return this.#residentByContext.get(context) ?? 0;
  }

  /** @internal AddressSpace's resident-page accounting. */
  residentChanged(space: AddressSpace, delta: number): void {
    this.#residentByContext.set(space.context, (this.#residentByContext.get(space.context) ?? 0) + delta);
  }

  /** True when no process is left that can run (all exited). */
  get idle(): boolean {
    for (const p of this.processes.values()) if (p.state !== 'zombie') return false;
    return true;
  }

  // ---- running ----------------------------------------------------------------------

  #run(vcpu: Vcpu, budget: number): BurstExit {
    const i = vcpu.index;
    this.#wokenIdle.delete(vcpu);
    // If this vCPU was off the CPU while time passed, other work ran there and evicted the
    // process's lines from the caches.
    // That holds for the process it ran last too, when the vCPU blocked and woke much later
    // (a sleeping server in a domain of its own).
    if (this.#lastBurstEnd[i]! >= 0 && vcpu.burstStart > this.#lastBurstEnd[i]! + 1) {
      const resumed = this.#current[i] ?? this.#lastOnVcpu[i];
      if (resumed !== undefined) {
        resumed.warmPages.clear();
        resumed.evicted = true;
      }
    }
    const exit = this.#runBurst(vcpu, budget);
    this.#lastBurstEnd[i] = vcpu.burstStart + Math.ceil(vcpu.burstCycles * vcpu.nsPerCycle);
    return exit;
  }

  #runBurst(vcpu: Vcpu, budget: number): BurstExit {
    const i = vcpu.index;
    this.#cpu = vcpu;
    if (this.#announcePending) this.#announce(vcpu);
    while (vcpu.burstCycles < budget) {
      if (this.#softirq.length > 0) this.#runSoftirq();
      let p = this.#current[i];
      if (p === undefined || p.state !== 'running') {
        // A sibling vCPU was woken for queued work: end this burst here so it can take some
        // of it in parallel (an SMP kernel's other CPUs pull from the run queue meanwhile).
        if (vcpu.burstCycles > 0 && this.#runQueue.length > 0 && this.#siblingWaiting(vcpu)) return 'yield';
        p = this.#pickNext();
        if (p === undefined) {
          this.#current[i] = undefined;
          return 'blocked';
        }
        this.#switchTo(vcpu, p);
      }
      const before = vcpu.now();
      this.#step(vcpu, p, budget);
      if (p.state === 'running') {
        p.sliceUsedNs += vcpu.now() - before;
        if (p.sliceUsedNs >= this.#timeSliceNs && this.#runQueue.length > 0) {
          p.state = 'runnable';
          this.#runQueue.push(p);
          this.#current[i] = undefined;
        }
      } else {
        this.#current[i] = undefined;
      }
      if (this.panicked !== undefined) return 'halted';
    }
    return 'budget';
  }

  // ---- network ---------------------------------------------------------------------

  /** The TCP stack, attaching the interfaces on first use; undefined without an address. */
  #net(): TcpStack | undefined {
    if (this.#tcp !== undefined) return this.#tcp;
    const address = this.#address;
    if (address === undefined) return undefined;
    this.#tcp = new TcpStack(
      {
        address,
        isLocal: (a) => this.#isLocal(a),
        transmit: (frame) => {
          // Loopback: the stack hands its own traffic back to itself; no device is involved.
          if (this.#isLocal(frame.destination)) {
            this.#raiseSoftirq(() => this.#tcp!.input(frame));
            return;
          }
          // Out of the interface that owns the source address (the NIC filters spoofing).
          const iface = this.#ifaces.get(frame.source);
          if (iface === undefined) this.#tcp!.dropped++;
          else this.hv.network.transmit(this.#cpu!, iface, frame);
        },
        cost: (path) => this.#kernel(this.#cpu!, path),
        wake: (socket) => this.#wakeAll(this.#cpu!, socket.waiters),
        timer: (delayNs, fn) => this.hv.sim.schedule(delayNs, () => this.#raiseSoftirq(fn)),
      },
      this.#mtu,
    );
    for (const a of this.#addresses) this.#attach(a);
    return this.#tcp;
  }

  /**
   * Attaches (or, after a migration, re-attaches) the interface for one of the kernel's
   * addresses. Frames still reaching the interface left behind on a machine the kernel has
   * migrated away from are lost, as they are at a suspended domain's virtual NIC.
   */
  #attach(address: string): void {
    const domain = this.domain;
    this.#ifaces.set(
      address,
      this.hv.network.attachInterface(domain, address, (frame: NetFrame) => {
        if (this.domain === domain) this.#raiseSoftirq(() => this.#tcp!.input(frame));
        else this.#tcp!.dropped++;
      }),
    );
  }

  /**
   * After a migration, announces each address from the new machine (the gratuitous ARP
   * Linux's netfront sends on resume), so switches learn where it lives now.
   */
  #announce(vcpu: Vcpu): void {
    this.#announcePending = false;
    for (const [address, iface] of this.#ifaces) {
      this.#kernel(vcpu, 'tcpAck');
      this.hv.network.transmit(vcpu, iface, { source: address, destination: BROADCAST_ADDRESS, bytes: ANNOUNCE_BYTES });
    }
  }

  /** One of the kernel's own addresses, or loopback: traffic to it never reaches a device. */
  #isLocal(address: string): boolean {
    return address === LOOPBACK_ADDRESS || this.#addresses.includes(address);
  }

  /**
   * The local address a socket of `p` may bind: `''` for any, a specific address, or null
   * when refused (the context's filter, or not an address of this kernel).
   */
  #bindAddress(vcpu: Vcpu, p: Process, requested: unknown): string | null {
    if (requested !== undefined && typeof requested !== 'string') return null;
    const any = requested === undefined || requested === ANY_ADDRESS;
    const asked = any ? undefined : requested;
    const hooks = this.#hooks;
    const chosen = hooks?.bindAddress === undefined ? asked : hooks.bindAddress(vcpu, p, asked);
    if (chosen === null) return null;
    if (chosen === undefined || chosen === ANY_ADDRESS) return '';
    return this.#isLocal(chosen) ? chosen : null;
  }

  /** Queues network work that arrived off-CPU and makes sure a vCPU will run it. */
  #raiseSoftirq(work: (() => void) | Process): void {
    this.#softirq.push(work);
    if (this.domain.state !== 'running') return;
    const v = this.domain.vcpus[0]!;
    if (v.state !== 'runnable') this.hv.runner.wake(v);
  }

  #runSoftirq(): void {
    // Swap out the queue first: the work may queue more (a timer re-armed).
    const work = this.#softirq.splice(0);
    for (const w of work) {
      if (typeof w === 'function') w();
      else if (w.state === 'blocked' && w.blockedOn === 'sleep' && w.wakeAt < 0) this.#makeRunnable(w);
    }
  }

  /** The nanosleep timer: on expiry the sleeper is queued for the softirq, unless woken since. */
  #armSleep(p: Process, ns: number): void {
    const at = p.wakeAt;
    this.hv.sim.schedule(ns, () => {
      if (p.wakeAt !== at) return;
      p.wakeAt = -1;
      this.#raiseSoftirq(p);
    });
  }

  /** socket, bind, listen, accept, connect. */
  #socketCall(vcpu: Vcpu, p: Process, call: 'socket' | 'bind' | 'listen' | 'accept' | 'connect', args: readonly unknown[]): number {
    const tcp = this.#net();
    if (tcp === undefined) return -Errno.ENETUNREACH;
    if (call === 'socket') {
      this.#kernel(vcpu, 'socketCreate');
      const socket = new Socket();
      socket.context = p.context;
      const fd = p.allocateFd({ kind: 'socket', socket });
      return fd < 0 ? -Errno.EMFILE : fd;
    }
    const fd = args[0] as number;
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    if (d.kind !== 'socket') return -Errno.ENOTSOCK;
    const s = d.socket;
    switch (call) {
      case 'bind': {
        this.#kernel(vcpu, 'bindBody');
        const port = args[1] as number;
        if (!Number.isInteger(port) || port < 0 || port > 65535 || (args[2] !== undefined && typeof args[2] !== 'string')) return -Errno.EINVAL;
        // Already bound (or listening, or connected).
        if (s.state !== 'new' || s.localPort !== 0) return -Errno.EINVAL;
        const local = this.#bindAddress(vcpu, p, args[2]);
        if (local === null) return -Errno.EADDRNOTAVAIL;
        return tcp.bind(s, port, local) ? 0 : -Errno.EADDRINUSE;
      }
      case 'listen': {
        this.#kernel(vcpu, 'listenBody');
        if (s.state === 'listening') return 0;
        if (s.state !== 'new') return -Errno.EINVAL;
        if (s.localPort === 0) {
          // listen on an unbound socket binds an ephemeral port, on the context's address.
          const local = this.#bindAddress(vcpu, p, undefined);
          if (local === null) return -Errno.EADDRNOTAVAIL;
          if (!tcp.bind(s, 0, local)) return -Errno.EADDRINUSE;
        }
        return tcp.listen(s) ? 0 : -Errno.EADDRINUSE;
      }
      case 'accept': {
        if (s.state !== 'listening') return -Errno.EINVAL;
        const conn = tcp.accept(s);
        if (conn === undefined) return this.#sleepOn(p, s, call, args);
        this.#kernel(vcpu, 'acceptBody');
        const nfd = p.allocateFd({ kind: 'socket', socket: conn });
        return nfd < 0 ? -Errno.EMFILE : nfd;
      }
      case 'connect': {
        if (s.state === 'established') return s.remote === '' ? -Errno.EISCONN : 0;
        if (s.reset) return -Errno.ECONNREFUSED;
        if (s.state === 'new') {
          const requested = args[1];
          const port = args[2] as number;
          if (typeof requested !== 'string' || !Number.isInteger(port) || port <= 0 || port > 65535) return -Errno.EINVAL;
          const address = this.#hooks?.connectAddress === undefined ? requested : this.#hooks.connectAddress(vcpu, p, requested);
          if (s.localPort === 0) {
            // An implicit bind: an ephemeral port, and the context's address if it has one.
            const local = this.#bindAddress(vcpu, p, undefined);
            if (local === null) return -Errno.EADDRNOTAVAIL;
            tcp.bind(s, 0, local);
          }
          // A socket bound to loopback cannot reach another machine.
          if (s.localAddress === LOOPBACK_ADDRESS && !this.#isLocal(address)) return -Errno.ENETUNREACH;
          this.#kernel(vcpu, 'connectBody');
          tcp.connect(s, address, port);
        }
        return this.#sleepOn(p, s, call, args);
      }
    }
  }

  /**
   * A descriptor goes away (close or exit): the last one of a socket closes it; the last
   * writer of a pipe wakes its readers (end of file), the last reader its writers (EPIPE);
   * the last master of a pty hangs it up and removes /dev/pts/N.
   */
  #dropDescriptor(vcpu: Vcpu, d: FileDescriptor): void {
    switch (d.kind) {
      case 'pipe-read':
        if (--d.pipe.readers === 0) this.#wakeAll(vcpu, d.pipe.waitingWriters);
        return;
      case 'pipe-write':
        if (--d.pipe.writers === 0) this.#wakeAll(vcpu, d.pipe.waitingReaders);
        return;
      case 'socket':
        if (--d.socket.refs === 0) this.#tcp?.close(d.socket);
        return;
      case 'pty-master':
        d.pty.dropMaster();
        if (!d.pty.masterOpen) {
          this.#ptys.delete(d.pty.index);
          this.#wakePty(vcpu, d.pty);
        }
        return;
      case 'pty-slave':
        d.pty.dropSlave();
        if (d.pty.input.readers === 0) this.#wakePty(vcpu, d.pty);
        return;
    }
  }

  /** Wakes everyone blocked on either direction of `pty` (a side went away). */
  #wakePty(vcpu: Vcpu, pty: Pty): void {
    this.#wakeAll(vcpu, pty.input.waitingReaders);
    this.#wakeAll(vcpu, pty.input.waitingWriters);
    this.#wakeAll(vcpu, pty.output.waitingReaders);
    this.#wakeAll(vcpu, pty.output.waitingWriters);
  }

  /** When `p` next runs, `op` (the system call it sleeps in) is issued again. */
  #restartLater(p: Process, op: { kind: 'syscall'; call: SyscallName; args: readonly unknown[]; restart: true }): void {
    p.restart = { op, depth: p.stack.length };
  }

  /** Blocks `p` on `socket` until it changes; the call is re-issued then. */
  #sleepOn(p: Process, socket: Socket, call: SyscallName, args: readonly unknown[]): number {
    this.#block(p, 'socket');
    socket.waiters.push(p.pid);
    this.#restartLater(p, { kind: 'syscall', call, args, restart: true });
    return 0;
  }

  /** read/write on a connected socket. */
  #socketReadWrite(vcpu: Vcpu, p: Process, s: Socket, call: 'read' | 'write', fd: number, bytes: number): number {
    const tcp = this.#tcp!;
    if (call === 'write') {
      if (s.reset || s.closing || s.state === 'closed') return -Errno.EPIPE;
      if (s.state !== 'established') return -Errno.ENOTCONN;
      this.#kernel(vcpu, 'socketSend');
      if (bytes === 0) return 0;
      if (s.sendSpace === 0) return this.#sleepOn(p, s, 'write', [fd, bytes]);
      const n = tcp.write(s, bytes);
      this.#copy(vcpu, n);
      return n;
    }
    this.#kernel(vcpu, 'socketReceive');
    if (s.readable === 0) {
      if (s.peerClosed || s.reset || s.state === 'closed') return 0;
      if (s.state !== 'established' && s.state !== 'connecting') return -Errno.ENOTCONN;
      return this.#sleepOn(p, s, 'read', [fd, bytes]);
    }
    const n = tcp.read(s, bytes);
    this.#copy(vcpu, n);
    return n;
  }

  /** select over `fds`: how many are readable now; blocks (unless timeout 0) while none are. */
  #select(vcpu: Vcpu, p: Process, fds: unknown, timeoutNs: unknown): number {
    if (!Array.isArray(fds)) return -Errno.EFAULT;
    this.#kernel(vcpu, 'selectBase');
    this.#kernel(vcpu, 'selectPerFd', fds.length);
    let ready = 0;
    for (const fd of fds) {
      const d = p.fds[fd as number];
      if (d === undefined) return -Errno.EBADF;
      if (d.kind === 'socket') ready += d.socket.readReady ? 1 : 0;
      else if (d.kind === 'pipe-read') ready += d.pipe.readReady ? 1 : 0;
      else if (d.kind === 'pty-master') ready += d.pty.output.readReady ? 1 : 0;
      else if (d.kind === 'pty-slave') ready += d.pty.input.readReady ? 1 : 0;
      else ready++;
    }
    if (ready > 0 || timeoutNs === 0) return ready;
    // Sleep on every socket; any change re-runs the select.
    this.#block(p, 'socket');
    for (const fd of fds) {
      const d = p.fds[fd as number]!;
      if (d.kind === 'socket') d.socket.waiters.push(p.pid);
      else if (d.kind === 'pipe-read') d.pipe.waitingReaders.push(p.pid);
      else if (d.kind === 'pty-master') d.pty.output.waitingReaders.push(p.pid);
      else if (d.kind === 'pty-slave') d.pty.input.waitingReaders.push(p.pid);
    }
    this.#restartLater(p, { kind: 'syscall', call: 'select', args: [fds, timeoutNs], restart: true });
    return 0;
  }

  /** A sibling vCPU was woken from idle for queued work and has not started yet. */
  #siblingWaiting(vcpu: Vcpu): boolean {
    for (const v of this.#wokenIdle) if (v !== vcpu && v.state === 'runnable') return true;
    return false;
  }

  #pickNext(): Process | undefined {
    const p = this.#runQueue.shift();
    if (p !== undefined) p.state = 'running';
    return p;
  }

  /** A context switch: the scheduler, then the address-space switch through the CPU model. */
  #switchTo(vcpu: Vcpu, p: Process): void {
    const i = vcpu.index;
    this.#current[i] = p;
    p.sliceUsedNs = 0;
    const last = this.#lastOnVcpu[i];
    if (last === p) return;
    this.#kernel(vcpu, 'schedule');
    vcpu.charge(CostCategory.GuestKernel, this.hv.profile.costs.registerSwitch);
    this.hv.cpu.privileged(vcpu, 'switch-kernel-stack');
    if (last === undefined || last.space !== p.space) this.hv.cpu.switchAddressSpace(vcpu, p.space.root as Gfn, p.space.id);
    p.warmPages.clear();
    p.evicted = false;
    this.#lastOnVcpu[i] = p;
  }

  #makeRunnable(p: Process): void {
    if (p.state === 'zombie') return;
    p.state = 'runnable';
    p.blockedOn = undefined;
    p.wakeAt = -1;
    this.#runQueue.push(p);
    if (this.domain.state !== 'running') return;
    for (const v of this.domain.vcpus) {
      if (v.state === 'blocked' || v.state === 'offline') {
        this.hv.runner.wake(v);
        if (this.domain.vcpus.length > 1) this.#wokenIdle.add(v);
        return;
      }
    }
    // Every vCPU is on a CPU; one may be ending its burst idle (a process spawned from
    // outside between bursts): make sure it looks at the run queue again.
    for (const v of this.domain.vcpus) {
      if (v.state === 'running') {
        this.hv.runner.wake(v);
        return;
      }
    }
  }

  #block(p: Process, reason: BlockReason): void {
    p.state = 'blocked';
    p.blockedOn = reason;
  }

  /** Runs `p` until the budget is spent, or it blocks or exits. */
  #step(vcpu: Vcpu, p: Process, budget: number): void {
    while (vcpu.burstCycles < budget && p.state === 'running') {
      if (p.computeLeft > 0) {
        const take = Math.min(p.computeLeft, budget - vcpu.burstCycles);
        vcpu.charge(CostCategory.GuestUser, take);
        p.computeLeft -= take;
        continue;
      }
      if (p.touch !== undefined) {
        this.#continueTouch(vcpu, p, budget);
        continue;
      }
      if (p.queuedTouches.length > 0) {
        p.touch = p.queuedTouches.shift();
        continue;
      }
      if (p.pendingSignals.length > 0 && p.stack.length === 1) {
        this.#deliverSignal(vcpu, p, p.pendingSignals.shift()!);
        continue;
      }
      const restart = p.restart;
      if (restart !== undefined && restart.depth === p.stack.length) {
        // A system call that slept is issued again, inside the kernel (no second entry).
        p.restart = undefined;
        this.#syscall(vcpu, p, restart.op.call, restart.op.args, true);
        continue;
      }
      const gen = p.stack[p.stack.length - 1]!;
      if (p.lineage !== undefined) p.lineage[p.lineage.length - 1]!.log.push(p.result);
      let step: IteratorResult<Operation, number | void>;
      try {
        step = gen.next(p.result);
      } catch (e) {
        // A program bug kills the process, not the domain.
        this.#exit(vcpu, p, 128 + SIGSEGV);
        void e;
        return;
      }
      p.result = undefined;
      if (step.done === true) {
        if (p.stack.length > 1) {
          // A signal handler returned: sigreturn back into the interrupted program.
          p.stack.pop();
          p.lineage?.pop();
          this.hv.cpu.systemCall(vcpu);
          this.#kernel(vcpu, 'sigreturn');
          continue;
        }
        this.#exit(vcpu, p, typeof step.value === 'number' ? step.value : 0);
        return;
      }
      const op = step.value;
      if (op.kind === 'compute') p.computeLeft = Math.max(0, op.cycles);
      else if (op.kind === 'touch') this.#startTouch(vcpu, p, op.address, op.bytes, op.write, op.stride);
      else this.#syscall(vcpu, p, op.call, op.args, op.restart === true);
    }
  }

  // ---- memory touches and faults ----------------------------------------------------

  #startTouch(vcpu: Vcpu, p: Process, address: number, bytes: number, write: boolean, stride: number): void {
    if (!(bytes >= 0) || !(stride > 0) || !(address >= 0)) {
      p.result = -Errno.EINVAL;
      return;
    }
    p.touch = { address, end: address + bytes, stride, write };
  }

  /** Processes a touch page by page: one translation per page, accesses charged in bulk. */
  #continueTouch(vcpu: Vcpu, p: Process, budget: number): void {
    const t = p.touch!;
    const memory = this.hv.memory;
    const profile = this.hv.profile;
    while (t.address < t.end && vcpu.burstCycles < budget) {
      const vpn = Math.floor(t.address / 4096);
      const pageEnd = Math.min(t.end, (vpn + 1) * 4096);
      if (memory.translate(vcpu, vpn, t.write) < 0) {
        if (!this.#pageFault(vcpu, p, vpn, t.write)) return;
        continue;
      }
      const accesses = Math.max(1, Math.ceil((pageEnd - t.address) / t.stride));
      // A page first touched since the process was switched in refills its lines from the
      // cache hierarchy; sequential access lets the stream prefetcher overlap the fills.
      let cycles = accesses;
      if (!p.warmPages.has(vpn)) {
        p.warmPages.add(vpn);
        const lines = Math.min(accesses, 4096 / profile.cache.lineBytes);
        if (p.evicted) {
          // Back from memory, streamed at the memory bandwidth.
          cycles += ((lines * profile.cache.lineBytes) / (profile.memory.bandwidthGBps * 1e9)) * 1e9 * profile.cpu.clockGhz;
        } else {
          const overlap = t.stride < profile.cache.lineBytes ? STREAM_PREFETCH_OVERLAP : 1;
          cycles += lines * profile.memory.cacheHitCycles * overlap;
        }
      }
      vcpu.charge(CostCategory.GuestUser, cycles);
      // On to the next access: the next page, or further when the stride skips pages.
      t.address += accesses * t.stride;
    }
    if (t.address >= t.end) p.touch = undefined;
  }

  /**
   * The page-fault path: the platform delivers the fault (trap, bounce through Xen, exit),
   * then the handler maps the page. Returns false when the process was killed (SIGSEGV).
   */
  #pageFault(vcpu: Vcpu, p: Process, vpn: number, write: boolean): boolean {
    this.hv.cpu.pageFault(vcpu, vpn, write);
    this.#kernel(vcpu, 'faultHandler');
    const vma = p.space.vmaAt(vpn);
    if (vma === undefined || (write && !vma.writable)) {
      p.touch = undefined;
      this.#exit(vcpu, p, 128 + SIGSEGV);
      return false;
    }
    if (this.#hooks?.mayMapPage !== undefined && !p.space.present.has(vpn) && !this.#hooks.mayMapPage(vcpu, p, this.residentPages(p.context))) {
      // Over its context's memory limit: the context's OOM killer takes the faulting process.
      p.touch = undefined;
      vcpu.count(this.#oomKill);
      this.#exit(vcpu, p, 128 + SIGKILL);
      return false;
    }
    try {
      const existing = p.space.present.get(vpn);
      if (existing !== undefined && write && pteHas(existing, PTE_COW)) this.#breakCow(vcpu, p, vpn, existing);
      else if (existing === undefined) this.#fillPage(vcpu, p, vma, vpn, write);
      else {
        // Present and allowed but the hardware refused: a stale TLB entry. Flush it.
        this.hv.memory.invalidatePage(vcpu, vpn);
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) {
        // Memory exhausted even after the page cache gave back its clean pages: the OOM killer.
        p.touch = undefined;
        vcpu.count(this.#oomKill);
        this.#exit(vcpu, p, 128 + SIGKILL);
        return false;
      }
      throw e;
    }
    return true;
  }

  #breakCow(vcpu: Vcpu, p: Process, vpn: number, entry: number): void {
    const frame = pteFrame(entry);
    if (this.frames.refs(frame) > 1) {
      const copy = this.#allocate();
      this.hv.memory.copyFrame(vcpu, copy as Gfn, frame as Gfn);
      this.frames.release(frame);
      p.space.map(vcpu, vpn, copy, true);
    } else {
      p.space.map(vcpu, vpn, frame, true);
    }
    this.hv.memory.invalidatePage(vcpu, vpn);
  }

  #fillPage(vcpu: Vcpu, p: Process, vma: Vma, vpn: number, write: boolean): void {
    const memory = this.hv.memory;
    if (vma.backing.kind === 'anonymous') {
      const frame = this.#allocate();
      memory.zeroFrame(vcpu, frame as Gfn);
      p.space.map(vcpu, vpn, frame, vma.writable);
      return;
    }
    const inode = this.fs.inode(vma.backing.inode);
    const page = vma.backing.firstPage + (vpn - vma.start);
    if (write) {
      // A private file mapping written: the process gets its own copy.
      const cached = this.#cachePage(vcpu, inode, page);
      const copy = this.#allocate();
      memory.copyFrame(vcpu, copy as Gfn, cached as Gfn);
      p.space.map(vcpu, vpn, copy, true);
      return;
    }
    // Read fault on a file: map the page and, fault-around, its cached neighbours (read-only, COW).
    memory.beginBatch(vcpu);
    const first = Math.max(vma.start, vpn - (vpn % this.#faultAround));
    const last = Math.min(vma.start + vma.pages, first + this.#faultAround);
    for (let v = first; v < last; v++) {
      if (p.space.present.has(v)) continue;
      const pg = vma.backing.firstPage + (v - vma.start);
      if (v !== vpn && inode.cache[pg]! < 0) continue;
      const frame = this.#cachePage(vcpu, inode, pg);
      this.frames.share(frame);
      p.space.map(vcpu, v, frame, false, vma.writable);
      if (v !== vpn) this.#kernel(vcpu, 'faultAroundPerPage');
    }
    memory.flushBatch(vcpu);
  }

  /** The page-cache frame of a file page, read in (zero-filled: contents are not modelled) on first use. */
  #cachePage(vcpu: Vcpu, inode: Inode, page: number): number {
    const { frame, missed } = this.fs.cachePage(inode, page);
    if (frame < 0) throw new OutOfGuestMemory();
    if (missed) this.hv.memory.zeroFrame(vcpu, frame as Gfn);
    return frame;
  }

  #allocate(): number {
    const f = this.frames.allocate();
    if (f < 0) throw new OutOfGuestMemory();
    return f;
  }

  // ---- system calls ----------------------------------------------------------------

  #kernel(vcpu: Vcpu, path: PathName, times = 1): void {
    vcpu.charge(CostCategory.GuestKernel, PATH[path] * times * this.#cpi);
  }

  #syscall(vcpu: Vcpu, p: Process, call: SyscallName, args: readonly unknown[], restart: boolean): void {
    if (call === 'now') {
      // gettimeofday reads the clock without entering the kernel (vsyscall / shared info page).
      p.result = Math.round(vcpu.now());
      return;
    }
    // A call that slept resumes inside the kernel: no second entry.
    if (!restart) {
      this.hv.cpu.systemCall(vcpu);
      this.#kernel(vcpu, 'syscallDispatch');
    }
    switch (call) {
      case 'getppid':
        this.#kernel(vcpu, 'trivialSyscall');
        p.result = p.parent?.pid ?? 0;
        return;
      case 'getpid':
        this.#kernel(vcpu, 'trivialSyscall');
        p.result = p.pid;
        return;
      case 'read':
      case 'write':
        p.result = this.#readWrite(vcpu, p, call, args[0] as number, args[1] as number);
        return;
      case 'open':
        p.result = this.#open(vcpu, p, args[0] as string, (args[1] as { create?: boolean } | undefined)?.create === true);
        return;
      case 'nanosleep': {
        const ns = args[0] as number;
        this.#kernel(vcpu, 'trivialSyscall');
        if (!(ns >= 0) || !Number.isFinite(ns)) {
          p.result = -Errno.EINVAL;
          return;
        }
        p.result = 0;
        if (ns === 0) return;
        // A kernel timer wakes it; meanwhile it takes no CPU.
        this.#block(p, 'sleep');
        p.wakeAt = this.hv.now + ns;
        this.#armSleep(p, ns);
        return;
      }
      case 'lseek': {
        const d = p.fds[args[0] as number];
        const offset = args[1] as number;
        this.#kernel(vcpu, 'trivialSyscall');
        if (d === undefined) p.result = -Errno.EBADF;
        else if (d.kind !== 'file') p.result = -Errno.ESPIPE;
        else if (!Number.isInteger(offset) || offset < 0) p.result = -Errno.EINVAL;
        else p.result = d.offset = offset;
        return;
      }
      case 'close': {
        const fd = args[0] as number;
        this.#kernel(vcpu, 'closeBody');
        const d = p.fds[fd];
        if (d === undefined) {
          p.result = -Errno.EBADF;
          return;
        }
        p.fds[fd] = undefined;
        this.#dropDescriptor(vcpu, d);
        p.result = 0;
        return;
      }
      case 'socket':
      case 'bind':
      case 'listen':
      case 'accept':
      case 'connect':
        p.result = this.#socketCall(vcpu, p, call, args);
        return;
      case 'select':
        p.result = this.#select(vcpu, p, args[0], args[1]);
        return;
      case 'sockets':
        p.result = this.#tcp === undefined ? this.#countVisible(vcpu, p, []) : this.#countVisible(vcpu, p, this.#tcp.sockets());
        return;
      case 'openpty':
        this.#kernel(vcpu, 'pathComponent', 2);
        p.result = this.#openpty(vcpu, p);
        return;
      case 'ptsname': {
        this.#kernel(vcpu, 'trivialSyscall');
        const d = p.fds[args[0] as number];
        p.result = d === undefined ? -Errno.EBADF : d.kind === 'pty-master' ? d.pty.index : -Errno.ENOTTY;
        return;
      }
      case 'ptys':
        p.result = this.#countVisible(vcpu, p, this.#ptys.values());
        return;
      case 'fsync':
        p.result = this.#fsync(vcpu, p, args[0] as number);
        return;
      case 'stat': {
        const path = this.#resolve(vcpu, p, args[0] as string);
        if (path === undefined) {
          p.result = -Errno.ENOENT;
          return;
        }
        this.#kernel(vcpu, 'pathComponent', this.fs.components(path));
        this.#kernel(vcpu, 'statBody');
        if (path === '/dev/null' || path === '/dev/ptmx') {
          p.result = 0; // character devices have no size
          return;
        }
        if (path.startsWith(PTS_PREFIX)) {
          p.result = this.#visiblePty(vcpu, p, path) === undefined ? -Errno.ENOENT : 0;
          return;
        }
        const inode = this.fs.lookup(path);
        p.result = inode === undefined ? -Errno.ENOENT : inode.size;
        return;
      }
      case 'fork':
        p.result = this.#fork(vcpu, p, args[0] as Program);
        return;
      case 'exec':
        p.result = this.#exec(vcpu, p, args[0] as string);
        return;
      case 'exit':
        this.#exit(vcpu, p, args[0] as number);
        return;
      case 'wait':
        this.#wait(vcpu, p);
        return;
      case 'mmap':
        p.result = this.#mmap(vcpu, p, args[0] as MmapRequest);
        return;
      case 'munmap':
        p.result = this.#munmap(vcpu, p, args[0] as number, args[1] as number);
        return;
      case 'brk': {
        const pages = Math.ceil((args[0] as number) / 4096);
        if (!(pages >= 0)) {
          p.result = -Errno.EINVAL;
          return;
        }
        const heap = p.space.vmas.find((v) => v.name === 'heap');
        if (heap === undefined) {
          p.result = -Errno.ENOMEM;
          return;
        }
        p.space.vmas[p.space.vmas.indexOf(heap)] = { ...heap, pages: heap.pages + pages };
        p.result = (heap.start + heap.pages + pages) * 4096;
        return;
      }
      case 'pipe': {
        this.#kernel(vcpu, 'openBody', 2);
        const pipe = new Pipe();
        const r = p.allocateFd({ kind: 'pipe-read', pipe });
        const w = p.allocateFd({ kind: 'pipe-write', pipe });
        p.result = r < 0 || w < 0 ? [-Errno.EMFILE, -Errno.EMFILE] : [r, w];
        return;
      }
      case 'sigaction': {
        this.#kernel(vcpu, 'sigaction');
        const sig = args[0] as number;
        if (!(sig >= 1 && sig <= 64) || sig === SIGKILL) {
          p.result = -Errno.EINVAL;
          return;
        }
        p.handlers.set(sig, args[1] as Program);
        if (p.lineage !== undefined) {
          const from = p.lineage[p.lineage.length - 1]!;
          p.handlerOrigins.set(sig, { of: from, at: from.current });
        }
        p.result = 0;
        return;
      }
      case 'kill': {
        this.#kernel(vcpu, 'trivialSyscall');
        const target = this.processes.get(args[0] as number);
        // Another context's process does not exist as far as this one can see.
        if (target === undefined || target.state === 'zombie' || (this.#hooks !== undefined && !this.#hooks.mayAccess(vcpu, p, target))) {
          p.result = -Errno.ESRCH;
          return;
        }
        p.result = this.#signal(vcpu, target, args[1] as number);
        return;
      }
      case 'yield': {
        this.#kernel(vcpu, 'schedule');
        if (this.#runQueue.length > 0) {
          p.state = 'runnable';
          this.#runQueue.push(p);
        }
        p.result = 0;
        return;
      }
      case 'sigreturn':
        p.result = -Errno.EINVAL;
        return;
      case 'readblocks':
        this.#readBlocks(vcpu, p, args[0] as number);
        return;
    }
  }

  /** Reads pages from the domain's disk through the platform's block back end, 32 at a time. */
  #readBlocks(vcpu: Vcpu, p: Process, pages: number): void {
    if (!(pages > 0)) {
      p.result = -Errno.EINVAL;
      return;
    }
    const disk = this.#diskDevice();
    const frames: Gfn[] = [];
    for (let i = 0; i < pages; i++) {
      const f = this.frames.allocate();
      if (f < 0) break;
      frames.push(f as Gfn);
    }
    let next = 0;
    const submitNext = (v: Vcpu): void => {
      if (next >= frames.length) {
        this.#makeRunnable(p);
        return;
      }
      const chunk = frames.slice(next, next + 32);
      const sector = next * 8;
      next += chunk.length;
      this.#ioInFlight++;
      this.hv.block.submit(v, disk, { operation: 'read', sector, frames: chunk }, () => {
        this.#ioInFlight--;
        submitNext(this.domain.vcpus[0]!);
      });
    };
    this.#block(p, 'disk');
    p.result = frames.length;
    submitNext(vcpu);
  }

  // ---- files on the disk: page cache, read-ahead, write-back ---------------------------

  /** The domain's disk, attached on first use. */
  #diskDevice(): number {
    if (this.#disk < 0) this.#disk = this.hv.block.attachDisk(this.domain, this.#diskSectors);
    return this.#disk;
  }

  /**
   * Submits block requests for `pages` of `inode` (sorted, contiguous runs of at most 32
   * pages). `done` runs, on a vCPU, once every request has completed.
   */
  #blockIo(vcpu: Vcpu, inode: Inode, operation: 'read' | 'write', pages: number[], done: () => void): void {
    const disk = this.#diskDevice();
    pages.sort((a, b) => inode.sectors[a]! - inode.sectors[b]!);
    let outstanding = 0;
    let i = 0;
    while (i < pages.length) {
      let j = i + 1;
      while (j < pages.length && j - i < REQUEST_PAGES && inode.sectors[pages[j]!] === inode.sectors[pages[j - 1]!]! + 8) j++;
      const frames = pages.slice(i, j).map((pg) => inode.cache[pg]! as Gfn);
      // Pages under I/O are pinned: reclaim must not take them meanwhile.
      for (const f of frames) this.frames.share(f);
      outstanding++;
      this.#ioInFlight++;
      this.hv.block.submit(vcpu, disk, { operation, sector: inode.sectors[pages[i]!]!, frames }, () =>
        this.#raiseSoftirq(() => {
          this.#ioInFlight--;
          for (const f of frames) this.frames.release(f);
          if (--outstanding === 0) done();
        }),
      );
      i = j;
    }
    if (outstanding === 0) done();
  }

  /** read() of a file: from the page cache, reading missing pages (and ahead) from disk first. */
  #fileRead(vcpu: Vcpu, p: Process, d: Extract<FileDescriptor, { kind: 'file' }>, fd: number, bytes: number): number {
    const inode = this.fs.inode(d.inode);
    const n = Math.max(0, Math.min(bytes, inode.size - d.offset));
    if (n === 0) return 0;
    const first = Math.floor(d.offset / 4096);
    const last = Math.floor((d.offset + n - 1) / 4096);
    const missing: number[] = [];
    try {
      const end = Math.min(Math.ceil(inode.size / 4096) - 1, last + READAHEAD_PAGES);
      for (let pg = first; pg <= end; pg++) {
        if (inode.cache[pg]! >= 0) {
          if (pg <= last) this.fs.touched(inode, pg);
          continue;
        }
        const { frame } = this.fs.cachePage(inode, pg);
        if (frame < 0) throw new OutOfGuestMemory();
        if (inode.sectors[pg]! >= 0) missing.push(pg);
        else this.hv.memory.zeroFrame(vcpu, frame as Gfn); // a hole reads as zeros
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    if (missing.length > 0) {
      this.#block(p, 'disk');
      this.#restartLater(p, { kind: 'syscall', call: 'read', args: [fd, bytes], restart: true });
      this.#blockIo(vcpu, inode, 'read', missing, () => this.#makeRunnable(p));
      return 0;
    }
    this.#copy(vcpu, n);
    d.offset += n;
    return n;
  }

  /** write() of a file: into the page cache (dirty), throttled while too much is dirty. */
  #fileWrite(vcpu: Vcpu, p: Process, d: Extract<FileDescriptor, { kind: 'file' }>, fd: number, bytes: number): number {
    if (bytes === 0) return 0;
    if (this.#dirtyPages > this.frames.frames * DIRTY_RATIO) {
      // balance_dirty_pages: the writer waits for write-back (and so runs at disk speed).
      this.#startWriteback(vcpu);
      this.#block(p, 'disk');
      this.#throttled.push(p.pid);
      this.#restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
      return 0;
    }
    const inode = this.fs.inode(d.inode);
    const first = Math.floor(d.offset / 4096);
    const last = Math.floor((d.offset + bytes - 1) / 4096);
    this.fs.ensurePages(inode, last + 1);
    try {
      for (let pg = first; pg <= last; pg++) {
        if (inode.cache[pg]! < 0) {
          const { frame } = this.fs.cachePage(inode, pg);
          if (frame < 0) throw new OutOfGuestMemory();
        }
        if (!inode.dirty.has(pg)) {
          inode.dirty.add(pg);
          this.#dirtyPages++;
          this.#dirtyInodes.add(inode);
        }
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    this.#copy(vcpu, bytes);
    d.offset += bytes;
    inode.size = Math.max(inode.size, d.offset);
    if (this.#dirtyPages > this.frames.frames * DIRTY_BACKGROUND_RATIO) this.#startWriteback(vcpu);
    return bytes;
  }

  /** Background write-back (pdflush): writes dirty pages out in batches while above the background level. */
  #startWriteback(vcpu: Vcpu): void {
    if (this.#writebackInFlight > 0 || this.#dirtyPages === 0) return;
    const batch: [Inode, number[]][] = [];
    let budget = 1024;
    for (const inode of this.#dirtyInodes) {
      const pages = this.#takeDirty(inode, budget);
      if (pages.length > 0) batch.push([inode, pages]);
      budget -= pages.length;
      if (budget <= 0) break;
    }
    for (const [inode, pages] of batch) {
      this.#writebackInFlight++;
      this.#blockIo(vcpu, inode, 'write', pages, () => {
        this.#writebackInFlight--;
        if (this.#writebackInFlight > 0) return;
        const cpu = this.#cpu!;
        if (this.#dirtyPages <= this.frames.frames * DIRTY_RATIO) this.#wakeAll(cpu, this.#throttled);
        if (this.#dirtyPages > this.frames.frames * DIRTY_BACKGROUND_RATIO || this.#throttled.length > 0) this.#startWriteback(cpu);
      });
    }
  }

  /** Takes up to `max` dirty pages of `inode` for write-back, giving them disk blocks. */
  #takeDirty(inode: Inode, max: number): number[] {
    const pages: number[] = [];
    for (const pg of inode.dirty) {
      if (pages.length >= max) break;
      if (!this.fs.assignBlock(inode, pg)) break; // disk full: the page stays dirty in memory
      pages.push(pg);
    }
    for (const pg of pages) inode.dirty.delete(pg);
    this.#dirtyPages -= pages.length;
    if (inode.dirty.size === 0) this.#dirtyInodes.delete(inode);
    return pages;
  }

  /** fsync: writes the file's dirty pages and sleeps until the disk has them. */
  #fsync(vcpu: Vcpu, p: Process, fd: number): number {
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    if (d.kind !== 'file') return -Errno.EINVAL;
    this.#kernel(vcpu, 'fsyncBody');
    const inode = this.fs.inode(d.inode);
    const pages = this.#takeDirty(inode, Number.POSITIVE_INFINITY);
    if (pages.length === 0) return 0;
    this.#block(p, 'disk');
    p.result = 0;
    this.#blockIo(vcpu, inode, 'write', pages, () => this.#makeRunnable(p));
    return 0;
  }

  /** Charges copying `bytes` between user and kernel memory. */
  #copy(vcpu: Vcpu, bytes: number): void {
    vcpu.charge(CostCategory.GuestKernel, (bytes / (this.hv.profile.memory.bandwidthGBps * 1e9)) * 1e9 * this.hv.profile.cpu.clockGhz);
  }

  /** The path as this process sees it (chroot), or undefined when it would escape its root. */
  #resolve(vcpu: Vcpu, p: Process, path: string): string | undefined {
    return this.#hooks === undefined ? path : this.#hooks.resolvePath(vcpu, p, path);
  }

  #open(vcpu: Vcpu, p: Process, requested: string, create = false): number {
    if (typeof requested !== 'string') return -Errno.EFAULT;
    const path = this.#resolve(vcpu, p, requested);
    if (path === undefined) return -Errno.ENOENT;
    this.#kernel(vcpu, 'pathComponent', this.fs.components(path));
    if (path === '/dev/ptmx') return this.#openpty(vcpu, p);
    this.#kernel(vcpu, 'openBody');
    if (path === '/dev/null') return p.allocateFd({ kind: 'null' });
    if (path.startsWith(PTS_PREFIX)) {
      const pty = this.#visiblePty(vcpu, p, path);
      if (pty === undefined) return -Errno.ENOENT;
      const fd = p.allocateFd({ kind: 'pty-slave', pty });
      if (fd < 0) return -Errno.EMFILE;
      pty.holdSlave();
      return fd;
    }
    let inode = this.fs.lookup(path);
    if (inode === undefined) {
      if (!create) return -Errno.ENOENT;
      inode = this.fs.create(path, 0);
    }
    const fd = p.allocateFd({ kind: 'file', inode: inode.number, path, offset: 0 });
    return fd < 0 ? -Errno.EMFILE : fd;
  }

  /**
   * The pty `/dev/pts/N` names, if it exists in `p`'s name space: another context's pty
   * does not (refused, counted by the hook); the host context sees all.
   */
  #visiblePty(vcpu: Vcpu, p: Process, path: string): Pty | undefined {
    const n = path.slice(PTS_PREFIX.length);
    if (!PTS_NUMBER.test(n)) return undefined;
    const pty = this.#ptys.get(Number(n));
    if (pty === undefined) return undefined;
    if (this.#hooks?.maySee !== undefined && !this.#hooks.maySee(vcpu, p, pty.context, 'open')) return undefined;
    return pty;
  }

  /** openpty / open('/dev/ptmx'): a new pty in the caller's context; returns the master's descriptor. */
  #openpty(vcpu: Vcpu, p: Process): number {
    this.#kernel(vcpu, 'openBody');
    this.#kernel(vcpu, 'ptyCreate');
    // devpts hands out the lowest free number.
    let index = 0;
    while (this.#ptys.has(index)) index++;
    const pty = new Pty(index, p.context);
    const fd = p.allocateFd({ kind: 'pty-master', pty });
    if (fd < 0) return -Errno.EMFILE;
    this.#ptys.set(index, pty);
    return fd;
  }

  /**
   * Counts the entries of a kernel table `p` may see (sockets, ptys): its own context's
   * only, unless it is the host context; charged like reading /proc or /dev/pts.
   */
  #countVisible(vcpu: Vcpu, p: Process, contexts: Iterable<{ readonly context: number }>): number {
    this.#kernel(vcpu, 'listBase');
    const hooks = this.#hooks;
    let n = 0;
    for (const o of contexts) if (hooks?.maySee === undefined || hooks.maySee(vcpu, p, o.context, 'list')) n++;
    this.#kernel(vcpu, 'listPerEntry', n);
    return n;
  }

  #readWrite(vcpu: Vcpu, p: Process, call: 'read' | 'write', fd: number, bytes: number): number {
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    if (!(bytes >= 0)) return -Errno.EINVAL;
    if (d.kind === 'null') {
      this.#kernel(vcpu, 'nullIo');
      return call === 'read' ? 0 : bytes;
    }
    if (d.kind === 'file') {
      this.#kernel(vcpu, 'nullIo');
      const inode = this.fs.inode(d.inode);
      if (call === 'write' && inode.immutable && inode.links > 1) {
        // A unified (hard-linked, immutable) file: this context gets its own copy first.
        try {
          d.inode = this.fs.copyOnWrite(d.path, (from) => {
            const to = this.#allocate();
            this.hv.memory.copyFrame(vcpu, to as Gfn, from as Gfn);
            return to;
          }).number;
        } catch (e) {
          if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
          throw e;
        }
      }
      return call === 'read' ? this.#fileRead(vcpu, p, d, fd, bytes) : this.#fileWrite(vcpu, p, d, fd, bytes);
    }
    if (d.kind === 'socket') return this.#socketReadWrite(vcpu, p, d.socket, call, fd, bytes);
    if (d.kind === 'pty-master' || d.kind === 'pty-slave') return this.#ptyReadWrite(vcpu, p, d.pty, d.kind === 'pty-master', call, fd, bytes);
    this.#kernel(vcpu, 'pipeBody');
    const pipe = d.pipe;
    if (call === 'write') {
      if (d.kind !== 'pipe-write') return -Errno.EBADF;
      if (pipe.readers === 0) return -Errno.EPIPE;
      if (pipe.buffered + bytes > pipe.capacity) {
        this.#block(p, 'pipe-write');
        pipe.waitingWriters.push(p.pid);
        // Retried when a reader drains the pipe.
        this.#restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
        return 0;
      }
      pipe.buffered += bytes;
      this.#copy(vcpu, bytes);
      this.#wakeAll(vcpu, pipe.waitingReaders);
      return bytes;
    }
    if (d.kind !== 'pipe-read') return -Errno.EBADF;
    return this.#pipeRead(vcpu, p, pipe, fd, bytes);
  }

  /** Reads what `pipe` holds (up to `bytes`), sleeping while it is empty; 0 once its writers are gone. */
  #pipeRead(vcpu: Vcpu, p: Process, pipe: Pipe, fd: number, bytes: number): number {
    if (pipe.buffered === 0) {
      if (pipe.writersGone) return 0;
      this.#block(p, 'pipe-read');
      pipe.waitingReaders.push(p.pid);
      this.#restartLater(p, { kind: 'syscall', call: 'read', args: [fd, bytes], restart: true });
      return 0;
    }
    const n = Math.min(bytes, pipe.buffered);
    pipe.buffered -= n;
    this.#copy(vcpu, n);
    this.#wakeAll(vcpu, pipe.waitingWriters);
    return n;
  }

  /**
   * read/write on a pty: the master writes `input` and reads `output`, the slave the other
   * way round. A byte stream like a pipe, through the tty layer (its line discipline costs
   * more than a pipe): a write takes what fits and blocks only when nothing does; a read
   * blocks while there is nothing, and returns 0 once the other side is gone and drained;
   * a write to a side that is gone fails with EIO (a hung-up terminal).
   */
  #ptyReadWrite(vcpu: Vcpu, p: Process, pty: Pty, master: boolean, call: 'read' | 'write', fd: number, bytes: number): number {
    this.#kernel(vcpu, 'pipeBody');
    if (call === 'write') {
      const pipe = master ? pty.input : pty.output;
      this.#kernel(vcpu, 'ttyLineDiscipline');
      if (pipe.readersGone) return -Errno.EIO;
      if (bytes === 0) return 0;
      const room = pipe.capacity - pipe.buffered;
      if (room === 0) {
        this.#block(p, 'pipe-write');
        pipe.waitingWriters.push(p.pid);
        this.#restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
        return 0;
      }
      const n = Math.min(bytes, room);
      pipe.buffered += n;
      this.#copy(vcpu, n);
      this.#wakeAll(vcpu, pipe.waitingReaders);
      return n;
    }
    return this.#pipeRead(vcpu, p, master ? pty.output : pty.input, fd, bytes);
  }

  #wakeAll(vcpu: Vcpu, pids: number[]): void {
    while (pids.length > 0) {
      const q = this.processes.get(pids.shift()!);
      if (q !== undefined && q.state === 'blocked') {
        this.#kernel(vcpu, 'wakeUp');
        this.#makeRunnable(q);
      }
    }
  }

  // ---- processes -------------------------------------------------------------------

  #fork(vcpu: Vcpu, parent: Process, childProgram: Program): number {
    if (typeof childProgram !== 'function') return -Errno.EINVAL;
    if (this.#hooks !== undefined) {
      let inContext = 0;
      for (const q of this.processes.values()) if (q.context === parent.context && q.state !== 'zombie') inContext++;
      if (!this.#hooks.mayFork(vcpu, parent, inContext)) return -Errno.EAGAIN;
    }
    // The kernel's process table is finite (threads-max), as a fork bomb finds out.
    if (this.#live >= this.#maxProcesses) return -Errno.EAGAIN;
    this.#kernel(vcpu, 'forkBase');
    let child: Process;
    try {
      child = new Process(this.#nextPid++, parent, new AddressSpace(this, this.#nextSpace++, vcpu));
      const memory = this.hv.memory;
      const cs = child.space;
      cs.context = parent.context;
      cs.vmas.push(...parent.space.vmas);
      cs.mmapCursor = parent.space.mmapCursor;
      this.#kernel(vcpu, 'forkPerVma', parent.space.vmas.length);
      // Writable private pages become copy-on-write in the parent: one store per entry into
      // its live page tables, outside any lazy-MMU section (as Linux 2.6's copy_pte_range
      // does ptep_set_wrprotect), so a platform that write-protects page tables traps each.
      for (const [vpn, e] of parent.space.present) {
        if (pteHas(e, PTE_WRITABLE)) parent.space.setLeaf(vcpu, vpn, makePte(pteFrame(e), PTE_PRESENT | PTE_USER | PTE_COW));
      }
      // The child's new tables are filled as a batch.
      memory.beginBatch(vcpu);
      for (const [vpn, e] of parent.space.present) {
        this.#kernel(vcpu, 'forkPerPte');
        cs.setLeaf(vcpu, vpn, e);
        this.frames.share(pteFrame(e));
      }
      memory.flushBatch(vcpu);
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    // The parent's writable entries changed under its TLB.
    this.hv.cpu.privileged(vcpu, 'flush-tlb');
    child.context = parent.context;
    for (const [sig, h] of parent.handlers) child.handlers.set(sig, h);
    for (const [sig, o] of parent.handlerOrigins) child.handlerOrigins.set(sig, o);
    for (let i = 0; i < parent.fds.length; i++) child.fds[i] = parent.fds[i];
    for (const d of child.fds) {
      if (d?.kind === 'pipe-read') d.pipe.readers++;
      if (d?.kind === 'pipe-write') d.pipe.writers++;
      if (d?.kind === 'socket') d.socket.refs++;
      if (d?.kind === 'pty-master') d.pty.holdMaster();
      if (d?.kind === 'pty-slave') d.pty.holdSlave();
    }
    child.stack.push(childProgram(this.#sys));
    if (parent.lineage !== undefined) {
      const from = parent.lineage[parent.lineage.length - 1]!;
      child.lineage = [new Incarnation({ kind: 'fork', parent: from, at: from.current })];
    }
    // Back in user mode, both sides write before the program sees fork's result: the
    // syscall wrapper's stack frame, and the C library's data (glibc resets the child's
    // cached pid and runs its at-fork handlers, which take and release malloc's locks).
    // These are the first writes after fork, so each takes a copy-on-write fault.
    this.#queueForkReturnWrites(parent);
    this.#queueForkReturnWrites(child);
    parent.children.add(child);
    this.processes.set(child.pid, child);
    this.#live++;
    this.#makeRunnable(child);
    return child.pid;
  }

  #queueForkReturnWrites(p: Process): void {
    const stack = (STACK_TOP - 1) * 4096;
    p.queuedTouches.push({ address: stack, end: stack + 64, stride: 64, write: true });
    const data = p.space.vmas.find((v) => v.name === 'data' && v.pages > 0);
    if (data !== undefined) p.queuedTouches.push({ address: data.start * 4096, end: data.start * 4096 + 64, stride: 64, write: true });
  }

  #exec(vcpu: Vcpu, p: Process, requested: string): number {
    const path = this.#resolve(vcpu, p, requested);
    if (path === undefined) return -Errno.ENOENT;
    this.#kernel(vcpu, 'pathComponent', this.fs.components(path));
    const inode = this.fs.lookup(path);
    if (inode === undefined) return -Errno.ENOENT;
    if (inode.image === undefined) return -Errno.EINVAL;
    this.#kernel(vcpu, 'execBase');
    const n = p.space.destroy(vcpu);
    this.#kernel(vcpu, 'unmapPerPte', n);
    p.space = new AddressSpace(this, this.#nextSpace++, vcpu);
    p.space.context = p.context;
    this.hv.cpu.switchAddressSpace(vcpu, p.space.root as Gfn, p.space.id);
    p.stack.length = 0;
    p.touch = undefined;
    p.queuedTouches.length = 0;
    p.computeLeft = 0;
    p.handlers.clear();
    p.handlerOrigins.clear();
    this.#loadImage(vcpu, p, inode);
    return 0;
  }

  /** Sets up the image's VMAs and the C runtime's start-up accesses, then the program. */
  #loadImage(vcpu: Vcpu, p: Process, inode: Inode): void {
    const image = inode.image!;
    const space = p.space;
    const vmas: Vma[] = [
      { start: TEXT_BASE, pages: image.textPages, writable: false, backing: { kind: 'file', inode: inode.number, firstPage: 0 }, name: 'text' },
      { start: TEXT_BASE + image.textPages, pages: image.dataPages, writable: true, backing: { kind: 'file', inode: inode.number, firstPage: image.textPages }, name: 'data' },
      { start: TEXT_BASE + image.textPages + image.dataPages, pages: image.bssPages, writable: true, backing: { kind: 'anonymous' }, name: 'bss' },
      { start: 0x8000, pages: 0, writable: true, backing: { kind: 'anonymous' }, name: 'heap' },
      { start: STACK_TOP - STACK_PAGES, pages: STACK_PAGES, writable: true, backing: { kind: 'anonymous' }, name: 'stack' },
    ];
    let lib = LIB_BASE;
    for (const path of image.libraries) {
      const l = this.fs.lookup(path);
      const li = l?.image;
      if (l === undefined || li === undefined) continue;
      vmas.push({ start: lib, pages: li.textPages, writable: false, backing: { kind: 'file', inode: l.number, firstPage: 0 }, name: `${path}:text` });
      vmas.push({ start: lib + li.textPages, pages: li.dataPages, writable: true, backing: { kind: 'file', inode: l.number, firstPage: li.textPages }, name: `${path}:data` });
      lib += li.textPages + li.dataPages + 16;
    }
    space.vmas.push(...vmas);
    this.#kernel(vcpu, 'execPerVma', vmas.length);
    p.stack.push(startup(this.#sys, vmas, image.program));
    if (this.#recording) p.lineage = [new Incarnation({ kind: 'image', path: inode.path, vmas })];
  }

  #exit(vcpu: Vcpu, p: Process, status: number): void {
    if (p.state === 'zombie') return;
    this.#kernel(vcpu, 'exitBase');
    const n = p.space.destroy(vcpu);
    this.#kernel(vcpu, 'unmapPerPte', n);
    // A zombie first: closing its descriptors may wake waiters, and it is no longer one.
    p.state = 'zombie';
    for (let i = 0; i < p.fds.length; i++) {
      const d = p.fds[i];
      p.fds[i] = undefined;
      if (d !== undefined) this.#dropDescriptor(vcpu, d);
    }
    this.#live--;
    p.exitStatus = status;
    p.stack.length = 0;
    if (p.lineage !== undefined) p.lineage.length = 0;
    p.handlerOrigins.clear();
    p.touch = undefined;
    p.queuedTouches.length = 0;
    for (const c of p.children) c.parent = undefined;
    const parent = p.parent;
    if (parent === undefined) this.processes.delete(p.pid);
    else if (parent.state === 'blocked' && parent.blockedOn === 'wait') {
      this.#kernel(vcpu, 'wakeUp');
      this.#makeRunnable(parent);
    }
    for (let i = 0; i < this.#lastOnVcpu.length; i++) if (this.#lastOnVcpu[i] === p) this.#lastOnVcpu[i] = undefined;
  }

  #wait(vcpu: Vcpu, p: Process): void {
    this.#kernel(vcpu, 'waitBody');
    if (p.children.size === 0) {
      p.result = -Errno.ECHILD;
      return;
    }
    for (const c of p.children) {
      if (c.state === 'zombie') {
        p.children.delete(c);
        this.processes.delete(c.pid);
        p.result = c.pid;
        return;
      }
    }
    this.#block(p, 'wait');
    this.#restartLater(p, { kind: 'syscall', call: 'wait', args: [], restart: true });
  }

  #mmap(vcpu: Vcpu, p: Process, req: MmapRequest): number {
    this.#kernel(vcpu, 'mmapBody');
    if (typeof req !== 'object' || req === null || !(req.bytes > 0)) return -Errno.EINVAL;
    const pages = Math.ceil(req.bytes / 4096);
    let backing: Vma['backing'] = { kind: 'anonymous' };
    if (req.path !== undefined) {
      const inode = this.fs.lookup(req.path);
      if (inode === undefined) return -Errno.ENOENT;
      if (pages > inode.cache.length) return -Errno.EINVAL;
      backing = { kind: 'file', inode: inode.number, firstPage: 0 };
    }
    if (pages > this.frames.available + this.frames.frames) return -Errno.ENOMEM;
    const start = p.space.mmapCursor;
    p.space.mmapCursor += pages + 1;
    const vma: Vma = { start, pages, writable: req.writable ?? true, backing, name: req.path ?? 'anon' };
    p.space.vmas.push(vma);
    if (req.populate === true && backing.kind === 'file') {
      // MAP_POPULATE: map every (cached) page now, in one lazy-MMU batch.
      try {
        const inode = this.fs.inode(backing.inode);
        this.hv.memory.beginBatch(vcpu);
        for (let i = 0; i < pages; i++) {
          const frame = this.#cachePage(vcpu, inode, i);
          this.frames.share(frame);
          p.space.map(vcpu, start + i, frame, false, vma.writable);
        }
        this.hv.memory.flushBatch(vcpu);
        this.#kernel(vcpu, 'populatePerPage', pages);
      } catch (e) {
        if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
        throw e;
      }
    }
    return start * 4096;
  }

  #munmap(vcpu: Vcpu, p: Process, address: number, bytes: number): number {
    this.#kernel(vcpu, 'munmapBody');
    if (!(address >= 0) || address % 4096 !== 0 || !(bytes > 0)) return -Errno.EINVAL;
    const start = address / 4096;
    const i = p.space.vmas.findIndex((v) => v.start === start);
    if (i < 0) return -Errno.EINVAL;
    const vma = p.space.vmas[i]!;
    p.space.vmas.splice(i, 1);
    const memory = this.hv.memory;
    memory.beginBatch(vcpu);
    let n = 0;
    for (let v = vma.start; v < vma.start + vma.pages; v++) {
      const e = p.space.present.get(v);
      if (e === undefined) continue;
      p.space.setLeaf(vcpu, v, 0);
      this.frames.release(pteFrame(e));
      n++;
    }
    memory.flushBatch(vcpu);
    this.#kernel(vcpu, vma.backing.kind === 'file' ? 'zapPerPte' : 'unmapPerPte', n);
    if (n > 0) this.hv.cpu.privileged(vcpu, 'flush-tlb');
    return 0;
  }

  #signal(vcpu: Vcpu, target: Process, sig: number): number {
    if (!(sig >= 1 && sig <= 64)) return -Errno.EINVAL;
    if (sig === SIGKILL || !target.handlers.has(sig)) {
      this.#exit(vcpu, target, 128 + sig);
      return 0;
    }
    target.pendingSignals.push(sig);
    if (target.state === 'blocked') this.#makeRunnable(target);
    return 0;
  }

  #deliverSignal(vcpu: Vcpu, p: Process, sig: number): void {
    const handler = p.handlers.get(sig);
    if (handler === undefined) return;
    this.#kernel(vcpu, 'signalDelivery');
    p.stack.push(handler(this.#sys));
    const origin = p.handlerOrigins.get(sig);
    if (p.lineage !== undefined && origin !== undefined) {
      const main = p.lineage[0]!;
      const run = new Incarnation({ kind: 'handler', of: origin.of, at: origin.at });
      main.interludes.push({ at: main.current, handler: run });
      p.lineage.push(run);
    }
  }
}

/** The C runtime start-up (ld.so and libc init): touches text, writes data and stack, then runs main. */
function* startup(sys: Sys, vmas: readonly Vma[], main: Program): Generator<Operation, number | void, unknown> {
  for (const v of vmas) {
    if (v.pages === 0) continue;
    if (v.name === 'stack') {
      yield* sys.touch((v.start + v.pages - 2) * 4096, 2 * 4096, { write: true });
    } else if (v.name === 'bss') {
      // Zero-initialised data the program uses.
      yield* sys.touch(v.start * 4096, v.pages * 4096, { write: true });
    } else if (v.writable) {
      // Relocations and initialised data: the first pages are written.
      yield* sys.touch(v.start * 4096, Math.min(v.pages, 8) * 4096, { write: true });
    } else {
      // Code executed during start-up (the dynamic linker, libc's initialisation, main's path).
      yield* sys.touch(v.start * 4096, Math.min(v.pages, 64) * 4096);
    }
  }
  return yield* main(sys);
}

