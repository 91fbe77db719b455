import { PageSet } from '../mm/page-set.js';
import type { AddressSpace } from '../mm/address-space.js';
import type { Pipe } from '../ipc/pipe.js';
import type { Pty } from '../ipc/pty.js';
import type { Socket } from '../net/tcp-stack.js';
import type { Operation, Program, SyscallName } from '../program/program.js';

/**
 * An open file descriptor.
 *
 * @public
 */
export type FileDescriptor =
  | { readonly kind: 'file'; inode: number; readonly path: string; offset: number }
  | { readonly kind: 'null' }
  | { readonly kind: 'pipe-read'; readonly pipe: Pipe }
  | { readonly kind: 'pipe-write'; readonly pipe: Pipe }
  | { readonly kind: 'socket'; readonly socket: Socket }
  | { readonly kind: 'pty-master'; readonly pty: Pty }
  | { readonly kind: 'pty-slave'; readonly pty: Pty };

/**
 * Why a process sleeps.
 *
 * @public
 */
export type BlockReason = 'wait' | 'pipe-read' | 'pipe-write' | 'disk' | 'socket' | 'sleep' | 'stunned';

/**
 * A memory touch in progress (it may span bursts and faults).
 *
 * @public
 */
export interface TouchState {
  address: number;
  readonly end: number;
  readonly stride: number;
  readonly write: boolean;
  /** Lines of it still to come from memory (the last-level cache lost them). */
  fromMemory: number;
}

/**
 * A process: its address space, program (a stack of generators: the main program, and a
 * signal handler while one runs), file descriptors, signal handlers, and what it is doing.
 *
 * @public
 */
export class Process {
  state: 'runnable' | 'running' | 'blocked' | 'zombie' = 'runnable';
  blockedOn: BlockReason | undefined;
  exitStatus = 0;
  readonly children = new Set<Process>();
  readonly fds: (FileDescriptor | undefined)[] = [{ kind: 'null' }, { kind: 'null' }, { kind: 'null' }];
  readonly handlers = new Map<number, Program>();
  readonly pendingSignals: number[] = [];
  /** Generators, innermost last: [main] or [main, handler]. */
  readonly stack: Generator<Operation, number | void, unknown>[] = [];
  /** A system call it slept in, to issue again when it runs (at this program-stack depth). */
  restart: { readonly op: { readonly call: SyscallName; readonly args: readonly unknown[] }; readonly depth: number } | undefined;
  /** Value to send into the generator on its next step. */
  result: unknown = undefined;
  /** Cycles left of a compute operation. */
  computeLeft = 0;
  touch: TouchState | undefined;
  /** Touches the C library makes on the process's behalf before its program goes on. */
  readonly queuedTouches: TouchState[] = [];
  /** Nanoseconds run in the current slice. */
  sliceUsedNs = 0;
  /** Pages touched since it was last switched in (their cache lines are warm). */
  readonly warmPages = new PageSet();
  /** Another domain ran on the CPU meanwhile: cold lines come back from memory, not cache. */
  evicted = false;
  /** The executable it runs (set by spawn and exec, inherited on fork). */
  program = '';
  /** Container context (0: the host), inherited on fork. */
  context = 0;
  /** Sleeping in nanosleep: when its timer fires (ns), -1 once it has fired. */
  wakeAt = -1;

  constructor(
    readonly pid: number,
    public parent: Process | undefined,
    public space: AddressSpace,
  ) {}

  /** A free descriptor number, or -1. */
  allocateFd(fd: FileDescriptor): number {
    for (let i = 0; i < 256; i++) {
      if (this.fds[i] === undefined) {
        this.fds[i] = fd;
        return i;
      }
    }
    return -1;
  }
}
