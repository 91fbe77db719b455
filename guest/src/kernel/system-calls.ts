import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';
import { Errno } from '../program/program.js';
import type { SyscallArgs, SyscallName, SyscallResult } from '../program/system-call-types.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';

/**
 * A handler's answer when the caller gets no result now: it sleeps (the call is issued again
 * when it wakes, or the completion leaves the result), or it is gone (exit).
 */
export const NO_RESULT: unique symbol = Symbol('no result');

/** The handler of system call `N`: typed arguments in, its typed result (or {@link NO_RESULT}) out. */
export type SyscallHandler<N extends SyscallName> = (vcpu: Vcpu, p: Process, args: SyscallArgs<N>) => SyscallResult<N> | typeof NO_RESULT;

/** One handler per system call: a call without one (or a handler without a call) does not compile. */
export type SystemCallTable = { readonly [N in SyscallName]: SyscallHandler<N> };

/**
 * The system-call entry: the platform's trap into the kernel, then the call's handler in
 * its subsystem, looked up in a typed table. A call the kernel does not have gets `-ENOSYS`
 * and is counted (mechanism `enosys`, and {@link unknownCalls}).
 */
export class SystemCalls implements KernelPart<{ readonly unknownCalls: number }> {
  readonly #table: SystemCallTable;
  #enosys: number;
  /** System calls asked for that the kernel does not implement (answered -ENOSYS). */
  unknownCalls = 0;

  /** The calls in the table: the kernel's entry points from user space. */
  get names(): readonly SyscallName[] {
    return Object.keys(this.#table) as SyscallName[];
  }

  constructor(readonly k: Kernel) {
    this.#enosys = k.hv.mechanisms.register('enosys');
    const table: SystemCallTable = {
      getppid: (vcpu, p) => {
        k.charge(vcpu, 'trivialSyscall');
        return p.parent?.pid ?? 0;
      },
      getpid: (vcpu, p) => {
        k.charge(vcpu, 'trivialSyscall');
        return p.pid;
      },
      read: (vcpu, p, [fd, bytes]) => k.descriptors.readWrite(vcpu, p, 'read', fd, bytes),
      write: (vcpu, p, [fd, bytes]) => k.descriptors.readWrite(vcpu, p, 'write', fd, bytes),
      open: (vcpu, p, [path, flags]) => k.files.open(vcpu, p, path, flags?.create === true),
      nanosleep: (vcpu, p, [ns]) => {
        k.charge(vcpu, 'trivialSyscall');
        if (!(ns >= 0) || !Number.isFinite(ns)) return -Errno.EINVAL;
        if (ns === 0) return 0;
        // A kernel timer wakes it; meanwhile it takes no CPU.
        k.scheduler.block(p, 'sleep');
        p.wakeAt = k.hv.now + ns;
        k.scheduler.armSleep(p, ns);
        return 0;
      },
      lseek: (vcpu, p, [fd, offset]) => k.files.lseek(vcpu, p, fd, offset),
      close: (vcpu, p, [fd]) => k.descriptors.close(vcpu, p, fd),
      socket: (vcpu, p, args) => k.sockets.call(vcpu, p, 'socket', args),
      bind: (vcpu, p, args) => k.sockets.call(vcpu, p, 'bind', args),
      listen: (vcpu, p, args) => k.sockets.call(vcpu, p, 'listen', args),
      accept: (vcpu, p, args) => k.sockets.call(vcpu, p, 'accept', args),
      connect: (vcpu, p, args) => k.sockets.call(vcpu, p, 'connect', args),
      select: (vcpu, p, [fds, timeoutNs]) => k.descriptors.select(vcpu, p, fds, timeoutNs),
      sockets: (vcpu, p) => k.sockets.count(vcpu, p),
      openpty: (vcpu, p) => {
        k.charge(vcpu, 'pathComponent', 2);
        return k.descriptors.openpty(vcpu, p);
      },
      ptsname: (vcpu, p, [fd]) => k.descriptors.ptsname(vcpu, p, fd),
      ptys: (vcpu, p) => k.descriptors.countVisible(vcpu, p, k.descriptors.ptys.values()),
      fsync: (vcpu, p, [fd]) => k.files.fsync(vcpu, p, fd),
      stat: (vcpu, p, [path]) => k.files.stat(vcpu, p, path),
      fork: (vcpu, p, [child]) => k.processTable.fork(vcpu, p, child),
      exec: (vcpu, p, [path]) => k.processTable.exec(vcpu, p, path),
      exit: (vcpu, p, [status]) => {
        k.processTable.exit(vcpu, p, status);
        return NO_RESULT;
      },
      wait: (vcpu, p) => k.processTable.wait(vcpu, p),
      mmap: (vcpu, p, [request]) => k.memory.mmap(vcpu, p, request),
      munmap: (vcpu, p, [address, bytes]) => k.memory.munmap(vcpu, p, address, bytes),
      brk: (_vcpu, p, [bytes]) => k.memory.brk(p, bytes),
      pipe: (vcpu, p) => k.descriptors.pipe(vcpu, p),
      sigaction: (vcpu, p, [sig, handler]) => k.signals.sigaction(vcpu, p, sig, handler),
      kill: (vcpu, p, [pid, sig]) => k.signals.kill(vcpu, p, pid, sig),
      yield: (vcpu, p) => k.scheduler.yield(vcpu, p),
      sigreturn: () => -Errno.EINVAL,
      readblocks: (vcpu, p, [pages]) => k.files.readBlocks(vcpu, p, pages),
      // gettimeofday reads the clock without entering the kernel (vsyscall / shared info page).
      now: (vcpu) => Math.round(vcpu.now()),
    };
    // No prototype: a program naming `toString` or `__proto__` asks for a call that does not exist.
    this.#table = Object.assign(Object.create(null) as object, table) as SystemCallTable;
  }

  /** How many unknown calls it has answered. */
  save(): { readonly unknownCalls: number } {
    return { unknownCalls: this.unknownCalls };
  }

  load(saved: { readonly unknownCalls: number }): void {
    this.unknownCalls = saved.unknownCalls;
  }

  /** After a live migration: mechanism indices are per hypervisor, look ours up again. */
  migrated(): void {
    this.#enosys = this.k.hv.mechanisms.register('enosys');
  }

  /**
   * Performs `call` for `p` (`restart`: a call that slept, issued again inside the kernel),
   * leaving its result in `p.result` unless it blocked or ended `p`.
   */
  dispatch(vcpu: Vcpu, p: Process, call: SyscallName, args: readonly unknown[], restart: boolean): void {
    const k = this.k;
    if (call === 'now') {
      p.result = this.#table.now(vcpu, p, []);
      return;
    }
    // A call that slept resumes inside the kernel: no second entry.
    if (!restart) {
      k.hv.cpu.systemCall(vcpu);
      k.charge(vcpu, 'syscallDispatch');
    }
    const handler = this.#table[call] as SyscallHandler<SyscallName> | undefined;
    if (handler === undefined) {
      // What Linux does with a number past its table: -ENOSYS, and nothing else happens.
      this.unknownCalls++;
      vcpu.count(this.#enosys);
      p.result = -Errno.ENOSYS;
      return;
    }
    // The arguments are the program's, untrusted: each handler checks what it relies on. The
    // one honest assertion of the dispatch — a table indexed by a runtime name cannot prove its
    // arguments' tuple type.
    const result = handler(vcpu, p, args as SyscallArgs<SyscallName>);
    if (result !== NO_RESULT) p.result = result;
  }
}
