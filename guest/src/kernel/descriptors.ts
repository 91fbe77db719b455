import { CheckpointRefusedError, type Vcpu } from '@visorkit/core';
import { Pipe } from '../ipc/pipe.js';
import { Pty } from '../ipc/pty.js';
import type { FileDescriptor, Process } from '../process/process.js';
import { Errno } from '../program/program.js';
import { PTS_PREFIX } from './files.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';

/** The number after /dev/pts/ (decimal, no leading zero). */
const PTS_NUMBER = /^(0|[1-9][0-9]{0,5})$/;

/**
 * Descriptors and IPC: read and write dispatched by descriptor kind, close (and what the last
 * close of each kind does), pipes, pseudo-terminals (/dev/ptmx, /dev/pts/N) and select.
 */
export class Descriptors implements KernelPart<Record<string, never>> {
  /** Pseudo-terminals by number (/dev/pts/N), while their master is open. */
  readonly ptys = new Map<number, Pty>();

  constructor(readonly k: Kernel) {}

  /** Nothing of its own once no pty is open (the descriptors and pipes are the processes'); refused while one is. */
  save(): Record<string, never> {
    if (this.ptys.size > 0) throw new CheckpointRefusedError(this.k.domain.name, 'it has open pseudo-terminals, which are not checkpointed');
    return {};
  }

  load(): void {}

  /** read/write on any descriptor. */
  readWrite(vcpu: Vcpu, p: Process, call: 'read' | 'write', fd: number, bytes: number): number {
    const k = this.k;
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    // A byte count no buffer can have (negative, NaN, infinite) is refused before any work.
    if (!(bytes >= 0 && bytes < Number.POSITIVE_INFINITY)) return -Errno.EINVAL;
    if (d.kind === 'null') {
      k.charge(vcpu, 'nullIo');
      return call === 'read' ? 0 : bytes;
    }
    if (d.kind === 'file') return k.files.readWrite(vcpu, p, d, call, fd, bytes);
    if (d.kind === 'socket') return k.sockets.readWrite(vcpu, p, d.socket, call, fd, bytes);
    if (d.kind === 'pty-master' || d.kind === 'pty-slave') return this.#ptyReadWrite(vcpu, p, d.pty, d.kind === 'pty-master', call, fd, bytes);
    k.charge(vcpu, 'pipeBody');
    const pipe = d.pipe;
    if (call === 'write') {
      if (d.kind !== 'pipe-write') return -Errno.EBADF;
      if (pipe.readers === 0) return -Errno.EPIPE;
      if (pipe.buffered + bytes > pipe.capacity) {
        k.scheduler.block(p, 'pipe-write');
        pipe.waitingWriters.push(p.pid);
        // Retried when a reader drains the pipe.
        k.scheduler.restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
        return 0;
      }
      if (!k.copyFromUser(vcpu, p, bytes)) return -Errno.EFAULT;
      pipe.buffered += bytes;
      k.scheduler.wakeAll(vcpu, pipe.waitingReaders);
      return bytes;
    }
    if (d.kind !== 'pipe-read') return -Errno.EBADF;
    return this.#pipeRead(vcpu, p, pipe, fd, bytes);
  }

  /** The close system call. */
  close(vcpu: Vcpu, p: Process, fd: number): number {
    this.k.charge(vcpu, 'closeBody');
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    p.fds[fd] = undefined;
    this.drop(vcpu, d);
    return 0;
  }

  /**
   * A descriptor goes away (close or exit): the last one of a socket closes it; the last
   * writer of a pipe wakes its readers (end of file), the last reader its writers (EPIPE);
   * the last master of a pty hangs it up and removes /dev/pts/N.
   */
  drop(vcpu: Vcpu, d: FileDescriptor): void {
    const k = this.k;
    switch (d.kind) {
      case 'pipe-read':
        if (--d.pipe.readers === 0) k.scheduler.wakeAll(vcpu, d.pipe.waitingWriters);
        return;
      case 'pipe-write':
        if (--d.pipe.writers === 0) k.scheduler.wakeAll(vcpu, d.pipe.waitingReaders);
        return;
      case 'socket':
        if (--d.socket.refs === 0) k.sockets.close(d.socket);
        return;
      case 'pty-master':
        d.pty.dropMaster();
        if (!d.pty.masterOpen) {
          this.ptys.delete(d.pty.index);
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
    const s = this.k.scheduler;
    s.wakeAll(vcpu, pty.input.waitingReaders);
    s.wakeAll(vcpu, pty.input.waitingWriters);
    s.wakeAll(vcpu, pty.output.waitingReaders);
    s.wakeAll(vcpu, pty.output.waitingWriters);
  }

  /** The pipe system call: [read end, write end], or [-EMFILE, -EMFILE]. */
  pipe(vcpu: Vcpu, p: Process): [number, number] {
    this.k.charge(vcpu, 'openBody', 2);
    const pipe = new Pipe();
    const r = p.allocateFd({ kind: 'pipe-read', pipe });
    const w = p.allocateFd({ kind: 'pipe-write', pipe });
    return r < 0 || w < 0 ? [-Errno.EMFILE, -Errno.EMFILE] : [r, w];
  }

  /** Reads what `pipe` holds (up to `bytes`), sleeping while it is empty; 0 once its writers are gone. */
  #pipeRead(vcpu: Vcpu, p: Process, pipe: Pipe, fd: number, bytes: number): number {
    const k = this.k;
    if (pipe.buffered === 0) {
      if (pipe.writersGone) return 0;
      k.scheduler.block(p, 'pipe-read');
      pipe.waitingReaders.push(p.pid);
      k.scheduler.restartLater(p, { kind: 'syscall', call: 'read', args: [fd, bytes], restart: true });
      return 0;
    }
    const n = Math.min(bytes, pipe.buffered);
    pipe.buffered -= n;
    if (!k.copyToUser(vcpu, p, n)) return -Errno.EFAULT;
    k.scheduler.wakeAll(vcpu, pipe.waitingWriters);
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
    const k = this.k;
    k.charge(vcpu, 'pipeBody');
    if (call === 'write') {
      const pipe = master ? pty.input : pty.output;
      k.charge(vcpu, 'ttyLineDiscipline');
      if (pipe.readersGone) return -Errno.EIO;
      if (bytes === 0) return 0;
      const room = pipe.capacity - pipe.buffered;
      if (room === 0) {
        k.scheduler.block(p, 'pipe-write');
        pipe.waitingWriters.push(p.pid);
        k.scheduler.restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
        return 0;
      }
      const n = Math.min(bytes, room);
      if (!k.copyFromUser(vcpu, p, n)) return -Errno.EFAULT;
      pipe.buffered += n;
      k.scheduler.wakeAll(vcpu, pipe.waitingReaders);
      return n;
    }
    return this.#pipeRead(vcpu, p, master ? pty.output : pty.input, fd, bytes);
  }

  /**
   * The pty `/dev/pts/N` names, if it exists in `p`'s name space: another context's pty
   * does not (refused, counted by the policy); the host context sees all.
   */
  visiblePty(vcpu: Vcpu, p: Process, path: string): Pty | undefined {
    const n = path.slice(PTS_PREFIX.length);
    if (!PTS_NUMBER.test(n)) return undefined;
    const pty = this.ptys.get(Number(n));
    if (pty === undefined) return undefined;
    if (!this.k.policy.maySee(vcpu, p, pty.context, 'open')) return undefined;
    return pty;
  }

  /** open('/dev/pts/N'): a descriptor of the pty's slave side. */
  openPtySlave(vcpu: Vcpu, p: Process, path: string): number {
    const pty = this.visiblePty(vcpu, p, path);
    if (pty === undefined) return -Errno.ENOENT;
    const fd = p.allocateFd({ kind: 'pty-slave', pty });
    if (fd < 0) return -Errno.EMFILE;
    pty.holdSlave();
    return fd;
  }

  /** openpty / open('/dev/ptmx'): a new pty in the caller's context; returns the master's descriptor. */
  openpty(vcpu: Vcpu, p: Process): number {
    this.k.charge(vcpu, 'openBody');
    this.k.charge(vcpu, 'ptyCreate');
    // devpts hands out the lowest free number.
    let index = 0;
    while (this.ptys.has(index)) index++;
    const pty = new Pty(index, p.context);
    const fd = p.allocateFd({ kind: 'pty-master', pty });
    if (fd < 0) return -Errno.EMFILE;
    this.ptys.set(index, pty);
    return fd;
  }

  /** ptsname: the number of the pty whose master is `fd`. */
  ptsname(vcpu: Vcpu, p: Process, fd: number): number {
    this.k.charge(vcpu, 'trivialSyscall');
    const d = p.fds[fd];
    return d === undefined ? -Errno.EBADF : d.kind === 'pty-master' ? d.pty.index : -Errno.ENOTTY;
  }

  /**
   * Counts the entries of a kernel table `p` may see (sockets, ptys): its own context's
   * only, unless it is the host context; charged like reading /proc or /dev/pts.
   */
  countVisible(vcpu: Vcpu, p: Process, contexts: Iterable<{ readonly context: number }>): number {
    const k = this.k;
    k.charge(vcpu, 'listBase');
    const policy = k.policy;
    let n = 0;
    for (const o of contexts) if (policy.maySee(vcpu, p, o.context, 'list')) n++;
    k.charge(vcpu, 'listPerEntry', n);
    return n;
  }

  /** select over `fds`: how many are readable now; blocks (unless timeout 0) while none are. */
  select(vcpu: Vcpu, p: Process, fds: unknown, timeoutNs: unknown): number {
    const k = this.k;
    if (!Array.isArray(fds)) return -Errno.EFAULT;
    k.charge(vcpu, 'selectBase');
    k.charge(vcpu, 'selectPerFd', fds.length);
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
    k.scheduler.block(p, 'socket');
    for (const fd of fds) {
      const d = p.fds[fd as number]!;
      if (d.kind === 'socket') d.socket.waiters.push(p.pid);
      else if (d.kind === 'pipe-read') d.pipe.waitingReaders.push(p.pid);
      else if (d.kind === 'pty-master') d.pty.output.waitingReaders.push(p.pid);
      else if (d.kind === 'pty-slave') d.pty.input.waitingReaders.push(p.pid);
    }
    k.scheduler.restartLater(p, { kind: 'syscall', call: 'select', args: [fds, timeoutNs], restart: true });
    return 0;
  }
}
