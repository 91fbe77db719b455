import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';
import { Errno, type Program } from '../program/program.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';

const SIGKILL = 9;

/**
 * Signals: sigaction installs a handler (a program), kill sends a signal (another context's
 * process does not exist for the sender), and delivery runs the handler on top of the
 * interrupted program; a signal without a handler, and SIGKILL, end the process.
 */
export class Signals implements KernelPart<Record<string, never>> {
  constructor(readonly k: Kernel) {}

  /** Nothing of its own: handlers and pending signals are the processes'. */
  save(): Record<string, never> {
    return {};
  }

  load(): void {}

  sigaction(vcpu: Vcpu, p: Process, sig: number, handler: Program): number {
    this.k.charge(vcpu, 'sigaction');
    if (!(sig >= 1 && sig <= 64) || sig === SIGKILL) return -Errno.EINVAL;
    p.handlers.set(sig, handler);
    this.k.replay?.handlerInstalled(p, sig);
    return 0;
  }

  kill(vcpu: Vcpu, p: Process, pid: number, sig: number): number {
    const k = this.k;
    k.charge(vcpu, 'trivialSyscall');
    const target = k.processes.get(pid);
    // Another context's process does not exist as far as this one can see.
    if (target === undefined || target.state === 'zombie' || !k.policy.mayAccess(vcpu, p, target)) return -Errno.ESRCH;
    return this.#signal(vcpu, target, sig);
  }

  #signal(vcpu: Vcpu, target: Process, sig: number): number {
    if (!(sig >= 1 && sig <= 64)) return -Errno.EINVAL;
    if (sig === SIGKILL || !target.handlers.has(sig)) {
      this.k.processTable.exit(vcpu, target, 128 + sig);
      return 0;
    }
    target.pendingSignals.push(sig);
    if (target.state === 'blocked') this.k.scheduler.makeRunnable(target);
    return 0;
  }

  /** Runs `p`'s handler for `sig` (it returns through sigreturn). */
  deliver(vcpu: Vcpu, p: Process, sig: number): void {
    const handler = p.handlers.get(sig);
    if (handler === undefined) return;
    this.k.charge(vcpu, 'signalDelivery');
    p.stack.push(handler(this.k.sys));
    this.k.replay?.handlerStarted(p, sig);
  }
}
