import type { Vcpu } from '@visorkit/core';
import type { Process } from '../process/process.js';
import { Errno, type Program } from '../program/program.js';
import type { Kernel } from './kernel.js';
import { Incarnation } from './replay-log.js';

const SIGKILL = 9;

/**
 * Signals: sigaction installs a handler (a program), kill sends a signal (another context's
 * process does not exist for the sender), and delivery runs the handler on top of the
 * interrupted program; a signal without a handler, and SIGKILL, end the process.
 */
export class Signals {
  constructor(readonly k: Kernel) {}

  sigaction(vcpu: Vcpu, p: Process, sig: number, handler: Program): number {
    this.k.charge(vcpu, 'sigaction');
    if (!(sig >= 1 && sig <= 64) || sig === SIGKILL) return -Errno.EINVAL;
    p.handlers.set(sig, handler);
    if (p.lineage !== undefined) {
      const from = p.lineage[p.lineage.length - 1]!;
      p.handlerOrigins.set(sig, { of: from, at: from.current });
    }
    return 0;
  }

  kill(vcpu: Vcpu, p: Process, pid: number, sig: number): number {
    const k = this.k;
    k.charge(vcpu, 'trivialSyscall');
    const target = k.processes.get(pid);
    // Another context's process does not exist as far as this one can see.
    if (target === undefined || target.state === 'zombie' || (k.hooks !== undefined && !k.hooks.mayAccess(vcpu, p, target))) return -Errno.ESRCH;
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
    const origin = p.handlerOrigins.get(sig);
    if (p.lineage !== undefined && origin !== undefined) {
      const main = p.lineage[0]!;
      const run = new Incarnation({ kind: 'handler', of: origin.of, at: origin.at });
      main.interludes.push({ at: main.current, handler: run });
      p.lineage.push(run);
    }
  }
}
