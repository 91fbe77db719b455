import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';
import { Errno, type MmapRequest, type Program, type SyscallName } from '../program/program.js';
import type { Kernel } from './kernel.js';

/** The system-call entry: the platform's trap into the kernel, then the call's subsystem. */
export class SystemCalls {
  constructor(readonly k: Kernel) {}

  /** Performs `call` for `p`, leaving its result in `p.result` (or blocking `p`). */
  dispatch(vcpu: Vcpu, p: Process, call: SyscallName, args: readonly unknown[], restart: boolean): void {
    const k = this.k;
    if (call === 'now') {
      // gettimeofday reads the clock without entering the kernel (vsyscall / shared info page).
      p.result = Math.round(vcpu.now());
      return;
    }
    // A call that slept resumes inside the kernel: no second entry.
    if (!restart) {
      k.hv.cpu.systemCall(vcpu);
      k.charge(vcpu, 'syscallDispatch');
    }
    switch (call) {
      case 'getppid':
        k.charge(vcpu, 'trivialSyscall');
        p.result = p.parent?.pid ?? 0;
        return;
      case 'getpid':
        k.charge(vcpu, 'trivialSyscall');
        p.result = p.pid;
        return;
      case 'read':
      case 'write':
        p.result = k.descriptors.readWrite(vcpu, p, call, args[0] as number, args[1] as number);
        return;
      case 'open':
        p.result = k.files.open(vcpu, p, args[0] as string, (args[1] as { create?: boolean } | undefined)?.create === true);
        return;
      case 'nanosleep': {
        const ns = args[0] as number;
        k.charge(vcpu, 'trivialSyscall');
        if (!(ns >= 0) || !Number.isFinite(ns)) {
          p.result = -Errno.EINVAL;
          return;
        }
        p.result = 0;
        if (ns === 0) return;
        // A kernel timer wakes it; meanwhile it takes no CPU.
        k.scheduler.block(p, 'sleep');
        p.wakeAt = k.hv.now + ns;
        k.scheduler.armSleep(p, ns);
        return;
      }
      case 'lseek':
        p.result = k.files.lseek(vcpu, p, args[0] as number, args[1] as number);
        return;
      case 'close':
        p.result = k.descriptors.close(vcpu, p, args[0] as number);
        return;
      case 'socket':
      case 'bind':
      case 'listen':
      case 'accept':
      case 'connect':
        p.result = k.sockets.call(vcpu, p, call, args);
        return;
      case 'select':
        p.result = k.descriptors.select(vcpu, p, args[0], args[1]);
        return;
      case 'sockets':
        p.result = k.sockets.count(vcpu, p);
        return;
      case 'openpty':
        k.charge(vcpu, 'pathComponent', 2);
        p.result = k.descriptors.openpty(vcpu, p);
        return;
      case 'ptsname':
        p.result = k.descriptors.ptsname(vcpu, p, args[0] as number);
        return;
      case 'ptys':
        p.result = k.descriptors.countVisible(vcpu, p, k.descriptors.ptys.values());
        return;
      case 'fsync':
        p.result = k.files.fsync(vcpu, p, args[0] as number);
        return;
      case 'stat':
        p.result = k.files.stat(vcpu, p, args[0] as string);
        return;
      case 'fork':
        p.result = k.processTable.fork(vcpu, p, args[0] as Program);
        return;
      case 'exec':
        p.result = k.processTable.exec(vcpu, p, args[0] as string);
        return;
      case 'exit':
        k.processTable.exit(vcpu, p, args[0] as number);
        return;
      case 'wait':
        k.processTable.wait(vcpu, p);
        return;
      case 'mmap':
        p.result = k.memory.mmap(vcpu, p, args[0] as MmapRequest);
        return;
      case 'munmap':
        p.result = k.memory.munmap(vcpu, p, args[0] as number, args[1] as number);
        return;
      case 'brk':
        p.result = k.memory.brk(p, args[0] as number);
        return;
      case 'pipe':
        p.result = k.descriptors.pipe(vcpu, p);
        return;
      case 'sigaction':
        p.result = k.signals.sigaction(vcpu, p, args[0] as number, args[1] as Program);
        return;
      case 'kill':
        p.result = k.signals.kill(vcpu, p, args[0] as number, args[1] as number);
        return;
      case 'yield':
        p.result = k.scheduler.yield(vcpu, p);
        return;
      case 'sigreturn':
        p.result = -Errno.EINVAL;
        return;
      case 'readblocks':
        k.files.readBlocks(vcpu, p, args[0] as number);
        return;
    }
  }
}
