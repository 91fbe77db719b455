import {
  CheckpointRefusedError,
  PTE_COW,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  VisorkitError,
  makePte,
  pteFrame,
  pteHas,
  type Gfn,
  type Vcpu,
} from '@visorkit/core';
import type { Inode } from '../fs/file-system.js';
import { AddressSpace, OutOfGuestMemory } from '../mm/address-space.js';
import type { Vma } from '../mm/vma.js';
import { Process } from '../process/process.js';
import { CRASHES_KEPT, crashDetail, type ProcessCrash, type ProcessCrashReason } from '../process/process-crash.js';
import { Errno, type Operation, type Program, type Sys } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import type { Kernel } from './kernel.js';
import { ProcessWriter, restoreProcesses, type SavedPipe, type SavedProcess } from './kernel-checkpoint.js';
import { LD_SO_PATH, dynamicLinkerStartup, type LoadedLibrary } from './dynamic-linker.js';
import type { KernelPart, PartReader, PartWriter } from './kernel-part.js';
import { IncarnationReader, IncarnationWriter, type SavedIncarnation } from './replay-log.js';
import { NO_RESULT } from './system-calls.js';

/** Where the program image, libraries and stack live (virtual page numbers). */
const TEXT_BASE = 0x400;
const LIB_BASE = 0x20000;
const STACK_TOP = 0x7fff0;
const STACK_PAGES = 32;
const SIGSEGV = 11;

/** The process table in a checkpoint: every process but its generators, which replay rebuilds from the log. */
export interface SavedProcessTable {
  readonly nextPid: number;
  readonly nextSpace: number;
  readonly live: number;
  readonly crashCount: number;
  readonly crashes: readonly ProcessCrash[];
  readonly incarnations: readonly SavedIncarnation[];
  readonly pipes: readonly SavedPipe[];
  readonly processes: readonly SavedProcess[];
}

/**
 * The process table and the life of a process: spawn, fork (copy-on-write), exec (a new
 * image), exit and wait.
 */
export class Processes implements KernelPart<SavedProcessTable> {
  nextPid = 1;
  nextSpace = 1;
  /** Processes not yet exited, and the most there may be. */
  live = 0;
  readonly #maxProcesses: number;
  /** The first crashes (at most {@link CRASHES_KEPT}), and how many there were. */
  readonly crashes: ProcessCrash[] = [];
  crashCount = 0;
  /** Mechanism index of a process crash. */
  #crashMechanism: number;

  constructor(
    readonly k: Kernel,
    options: GuestKernelOptions,
  ) {
    // Linux 2.6 sizes threads-max so kernel stacks take at most an eighth of memory.
    this.#maxProcesses = options.maxProcesses ?? Math.max(64, Math.floor(k.frames.frames / 16));
    this.#crashMechanism = k.hv.mechanisms.register('process-crash');
  }

  /** The processes, their pipes and their programs' histories; refused while one holds a socket or a pty. */
  save(w: PartWriter): SavedProcessTable {
    const incarnations = new IncarnationWriter();
    const writer = new ProcessWriter(incarnations, w.replay);
    const processes: SavedProcess[] = [];
    for (const p of this.k.processes.values()) {
      const held = p.fds.find((d) => d?.kind === 'socket' || d?.kind === 'pty-master' || d?.kind === 'pty-slave');
      if (held !== undefined)
        throw new CheckpointRefusedError(
          this.k.domain.name,
          `process ${p.pid} holds a ${held.kind === 'socket' ? 'socket' : 'pseudo-terminal'}, which is not checkpointed`,
        );
      processes.push(writer.save(p));
    }
    return {
      nextPid: this.nextPid,
      nextSpace: this.nextSpace,
      live: this.live,
      crashCount: this.crashCount,
      crashes: this.crashes.map((c) => ({ ...c })),
      incarnations: incarnations.saved,
      pipes: writer.pipes,
      processes,
    };
  }

  /** Rebuilds the processes (their programs by replaying their logs) and reinstalls their page tables in this machine's terms. */
  load(saved: SavedProcessTable, r: PartReader): void {
    const k = this.k;
    const vcpu = k.domain.vcpus[0]!;
    const reader = new IncarnationReader(saved.incarnations, r.programOf, k.sys, startup);
    const processes = restoreProcesses(saved, k, vcpu, reader, r.replay);
    for (const [pid, p] of processes) k.processes.set(pid, p);
    this.nextPid = saved.nextPid;
    this.nextSpace = saved.nextSpace;
    this.live = saved.live;
    this.crashCount = saved.crashCount;
    this.crashes.push(...saved.crashes);
    // The page tables were the old machine's: rebuild them here, as Xen's restore does.
    for (const p of processes.values()) if (p.state !== 'zombie') p.space.reinstall(vcpu);
  }

  /** After a live migration: mechanism indices are per hypervisor, look ours up again. */
  migrated(): void {
    this.#crashMechanism = this.k.hv.mechanisms.register('process-crash');
  }

  /**
   * `p`'s program failed (`reason`): the process ends as a SIGSEGV would end it — its
   * domain carries on — and the crash is counted (mechanism `process-crash`), kept and
   * emitted on the hypervisor's guest event stream.
   */
  crash(vcpu: Vcpu, p: Process, reason: ProcessCrashReason): void {
    const k = this.k;
    this.crashCount++;
    vcpu.count(this.#crashMechanism);
    const time = Math.round(vcpu.now());
    if (this.crashes.length < CRASHES_KEPT) this.crashes.push({ time, pid: p.pid, program: p.program, reason });
    const events = k.hv.events.guest;
    if (events.crashesObserved) {
      events.emitCrash({
        time,
        domainId: k.domain.id,
        domain: k.domain.name,
        pid: p.pid,
        program: p.program,
        reason: reason.kind,
        detail: crashDetail(reason),
      });
    }
    this.exit(vcpu, p, 128 + SIGSEGV);
  }

  /** True when no process is left that can run (all exited). */
  get idle(): boolean {
    for (const p of this.k.processes.values()) if (p.state !== 'zombie') return false;
    return true;
  }

  /** Starts `path` as a new process (like init spawning it) in context `context`; returns the pid. */
  spawn(path: string, context: number): number {
    const k = this.k;
    const inode = k.fs.lookup(path);
    if (inode?.image === undefined) throw new VisorkitError('GUEST_NO_PROGRAM', `Guest '${k.domain.name}' has no executable '${path}'.`);
    const vcpu = k.domain.vcpus[0]!;
    const p = new Process(this.nextPid++, undefined, new AddressSpace(k, this.nextSpace++, vcpu));
    p.context = context;
    p.space.context = context;
    this.#loadImage(vcpu, p, inode);
    k.processes.set(p.pid, p);
    this.live++;
    k.scheduler.makeRunnable(p);
    return p.pid;
  }

  fork(vcpu: Vcpu, parent: Process, childProgram: Program): number {
    const k = this.k;
    if (typeof childProgram !== 'function') return -Errno.EINVAL;
    const inContext = (): number => {
      let n = 0;
      for (const q of k.processes.values()) if (q.context === parent.context && q.state !== 'zombie') n++;
      return n;
    };
    if (!k.policy.mayFork(vcpu, parent, inContext)) return -Errno.EAGAIN;
    // The kernel's process table is finite (threads-max), as a fork bomb finds out.
    if (this.live >= this.#maxProcesses) return -Errno.EAGAIN;
    k.charge(vcpu, 'forkBase');
    let child: Process;
    try {
      child = new Process(this.nextPid++, parent, new AddressSpace(k, this.nextSpace++, vcpu));
      const memory = k.hv.memory;
      const cs = child.space;
      cs.context = parent.context;
      cs.vmas.push(...parent.space.vmas);
      cs.mmapCursor = parent.space.mmapCursor;
      cs.brkPage = parent.space.brkPage;
      k.charge(vcpu, 'forkPerVma', parent.space.vmas.length);
      // Writable private pages become copy-on-write in the parent: one store per entry into
      // its live page tables, outside any lazy-MMU section (as Linux 2.6's copy_pte_range
      // does ptep_set_wrprotect), so a platform that write-protects page tables traps each.
      for (const [vpn, e] of parent.space.present) {
        if (pteHas(e, PTE_WRITABLE)) parent.space.setLeaf(vcpu, vpn, makePte(pteFrame(e), PTE_PRESENT | PTE_USER | PTE_COW));
      }
      // The child's new tables are filled as a batch.
      memory.beginBatch(vcpu);
      for (const [vpn, e] of parent.space.present) {
        k.charge(vcpu, 'forkPerPte');
        cs.setLeaf(vcpu, vpn, e);
        k.frames.share(pteFrame(e));
      }
      memory.flushBatch(vcpu);
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    // The parent's writable entries changed under its TLB.
    k.hv.cpu.privileged(vcpu, 'flush-tlb');
    child.context = parent.context;
    child.program = parent.program;
    for (const [sig, h] of parent.handlers) child.handlers.set(sig, h);
    for (let i = 0; i < parent.fds.length; i++) child.fds[i] = parent.fds[i];
    for (const d of child.fds) {
      if (d?.kind === 'pipe-read') d.pipe.readers++;
      if (d?.kind === 'pipe-write') d.pipe.writers++;
      if (d?.kind === 'socket') d.socket.refs++;
      if (d?.kind === 'pty-master') d.pty.holdMaster();
      if (d?.kind === 'pty-slave') d.pty.holdSlave();
    }
    child.stack.push(childProgram(k.sys));
    k.replay?.forked(parent, child);
    // Back in user mode, both sides write before the program sees fork's result: the
    // syscall wrapper's stack frame, and the C library's data (glibc resets the child's
    // cached pid and runs its at-fork handlers, which take and release malloc's locks).
    // These are the first writes after fork, so each takes a copy-on-write fault.
    this.#queueForkReturnWrites(parent);
    this.#queueForkReturnWrites(child);
    parent.children.add(child);
    k.processes.set(child.pid, child);
    this.live++;
    k.scheduler.makeRunnable(child);
    return child.pid;
  }

  #queueForkReturnWrites(p: Process): void {
    const stack = (STACK_TOP - 1) * 4096;
    p.queuedTouches.push({ address: stack, end: stack + 64, stride: 64, write: true, fromMemory: 0 });
    const data = p.space.vmas.find((v) => v.name === 'data' && v.pages > 0);
    if (data !== undefined) p.queuedTouches.push({ address: data.start * 4096, end: data.start * 4096 + 64, stride: 64, write: true, fromMemory: 0 });
  }

  exec(vcpu: Vcpu, p: Process, requested: string): number {
    const k = this.k;
    const path = k.files.resolve(vcpu, p, requested);
    if (path === undefined) return -Errno.ENOENT;
    k.charge(vcpu, 'pathComponent', k.fs.components(path));
    const inode = k.fs.lookup(path);
    if (inode === undefined) return -Errno.ENOENT;
    if (inode.image === undefined) return -Errno.EINVAL;
    k.charge(vcpu, 'execSetup');
    k.charge(vcpu, 'execCopyStrings');
    k.charge(vcpu, 'execLoadElf');
    // A dynamically linked image names its interpreter, which open_exec looks up too.
    if (inode.image.libraries.length > 0) k.charge(vcpu, 'pathComponent', k.fs.components(LD_SO_PATH));
    const n = p.space.destroy(vcpu);
    k.charge(vcpu, 'unmapPerPte', n);
    p.space = new AddressSpace(k, this.nextSpace++, vcpu);
    p.space.context = p.context;
    k.hv.cpu.switchAddressSpace(vcpu, p.space.root as Gfn, p.space.id);
    p.stack.length = 0;
    p.touch = undefined;
    p.queuedTouches.length = 0;
    p.computeLeft = 0;
    p.handlers.clear();
    this.#loadImage(vcpu, p, inode);
    return 0;
  }

  /** Sets up the image's VMAs and the C runtime's start-up accesses, then the program. */
  #loadImage(vcpu: Vcpu, p: Process, inode: Inode): void {
    const k = this.k;
    const image = inode.image!;
    const space = p.space;
    const vmas: Vma[] = [
      { start: TEXT_BASE, pages: image.textPages, writable: false, backing: { kind: 'file', inode: inode.number, firstPage: 0 }, name: 'text' },
      {
        start: TEXT_BASE + image.textPages,
        pages: image.dataPages,
        writable: true,
        backing: { kind: 'file', inode: inode.number, firstPage: image.textPages },
        name: 'data',
      },
      { start: TEXT_BASE + image.textPages + image.dataPages, pages: image.bssPages, writable: true, backing: { kind: 'anonymous' }, name: 'bss' },
      // The heap starts empty at the space's program break and grows with brk.
      { start: space.brkPage, pages: 0, writable: true, backing: { kind: 'anonymous' }, name: 'heap' },
      { start: STACK_TOP - STACK_PAGES, pages: STACK_PAGES, writable: true, backing: { kind: 'anonymous' }, name: 'stack' },
    ];
    let lib = LIB_BASE;
    for (const path of image.libraries) {
      const l = k.fs.lookup(path);
      const li = l?.image;
      if (l === undefined || li === undefined) continue;
      vmas.push({ start: lib, pages: li.textPages, writable: false, backing: { kind: 'file', inode: l.number, firstPage: 0 }, name: `${path}:text` });
      vmas.push({
        start: lib + li.textPages,
        pages: li.dataPages,
        writable: true,
        backing: { kind: 'file', inode: l.number, firstPage: li.textPages },
        name: `${path}:data`,
      });
      lib += li.textPages + li.dataPages + 16;
    }
    space.vmas.push(...vmas);
    k.charge(vcpu, 'execPerVma', vmas.length);
    p.program = inode.path;
    p.stack.push(startup(k.sys, vmas, image.program));
    k.replay?.imageStarted(p, inode.path, vmas);
  }

  /** `p` ends with `status`: its memory and descriptors go, its parent is told. */
  exit(vcpu: Vcpu, p: Process, status: number): void {
    const k = this.k;
    if (p.state === 'zombie') return;
    k.charge(vcpu, 'exitBase');
    const n = p.space.destroy(vcpu);
    k.charge(vcpu, 'unmapPerPte', n);
    // A zombie first: closing its descriptors may wake waiters, and it is no longer one.
    p.state = 'zombie';
    for (let i = 0; i < p.fds.length; i++) {
      const d = p.fds[i];
      p.fds[i] = undefined;
      if (d !== undefined) k.descriptors.drop(vcpu, d);
    }
    this.live--;
    p.exitStatus = status;
    p.stack.length = 0;
    k.replay?.exited(p);
    p.touch = undefined;
    p.queuedTouches.length = 0;
    for (const c of p.children) c.parent = undefined;
    const parent = p.parent;
    if (parent === undefined) k.processes.delete(p.pid);
    else if (parent.state === 'blocked' && parent.blockedOn === 'wait') {
      k.charge(vcpu, 'wakeUp');
      k.scheduler.makeRunnable(parent);
    }
    k.scheduler.forget(p);
  }

  /** The wait system call: reaps an exited child (its pid), or sleeps until one exits. */
  wait(vcpu: Vcpu, p: Process): number | typeof NO_RESULT {
    const k = this.k;
    k.charge(vcpu, 'waitBody');
    if (p.children.size === 0) return -Errno.ECHILD;
    for (const c of p.children) {
      if (c.state === 'zombie') {
        p.children.delete(c);
        k.processes.delete(c.pid);
        return c.pid;
      }
    }
    k.scheduler.block(p, 'wait');
    k.scheduler.restartLater(p, { kind: 'syscall', call: 'wait', args: [], restart: true });
    return NO_RESULT;
  }
}

/**
 * The C runtime start-up: ld.so's work for a dynamically linked image (its system calls and
 * libc's relocations, {@link dynamicLinkerStartup}), then the code and data start-up touches
 * (text executed, data and stack written), then main.
 */
export function* startup(sys: Sys, vmas: readonly Vma[], main: Program): Generator<Operation, number | void, unknown> {
  const libraries: LoadedLibrary[] = [];
  for (const v of vmas) {
    if (v.name.endsWith(':text') && v.name !== `${LD_SO_PATH}:text`) libraries.push({ path: v.name.slice(0, -':text'.length), textAddress: v.start * 4096 });
  }
  yield* dynamicLinkerStartup(sys, libraries);
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
