import { CheckpointCorruptError, type Vcpu } from '@visorkit/core';
import { Pipe } from '../ipc/pipe.js';
import { AddressSpace, type PhysicalPages, type SavedAddressSpace } from '../mm/address-space.js';
import { Process, type BlockReason, type FileDescriptor, type TouchState } from '../process/process.js';
import type { SyscallName } from '../program/program.js';
import type { Incarnation, IncarnationReader, IncarnationWriter } from './replay-log.js';
import type { HandlerOrigin, ReplayRecorder } from './replay-recorder.js';
import type { SavedKernelParts } from './kernel.js';

/**
 * Version of the guest kernel's part of a checkpoint (inside the domain checkpoint file).
 *
 * @public
 */
export const KERNEL_CHECKPOINT_FORMAT = 2;

/**
 * A descriptor as a checkpoint holds it: pipes by their index in {@link SavedKernel.pipes}.
 *
 * @public
 */
export type SavedDescriptor =
  | { readonly kind: 'file'; readonly inode: number; readonly path: string; readonly offset: number }
  | { readonly kind: 'null' }
  | { readonly kind: 'pipe-read' | 'pipe-write'; readonly pipe: number };

/**
 * A pipe as a checkpoint holds it.
 *
 * @public
 */
export interface SavedPipe {
  readonly capacity: number;
  readonly buffered: number;
  readonly readers: number;
  readonly writers: number;
  readonly waitingReaders: readonly number[];
  readonly waitingWriters: readonly number[];
}

/**
 * A process as a checkpoint holds it: everything but its generators, which are replayed.
 *
 * @public
 */
export interface SavedProcess {
  readonly pid: number;
  readonly parent: number;
  readonly state: Process['state'];
  readonly blockedOn: BlockReason | null;
  readonly exitStatus: number;
  readonly children: readonly number[];
  readonly fds: readonly (SavedDescriptor | null)[];
  /** [signal, incarnation, operation] of each installed handler. */
  readonly handlers: readonly (readonly [number, number, number])[];
  readonly pendingSignals: readonly number[];
  /** Incarnation ids of its generator stack, innermost last. */
  readonly lineage: readonly number[];
  readonly restart: { readonly call: SyscallName; readonly args: readonly unknown[]; readonly depth: number } | null;
  readonly result: unknown;
  readonly computeLeft: number;
  readonly touch: TouchState | null;
  readonly queuedTouches: readonly TouchState[];
  readonly sliceUsedNs: number;
  readonly warmPages: readonly number[];
  readonly evicted: boolean;
  readonly context: number;
  /** The executable it runs. */
  readonly program: string;
  readonly wakeAt: number;
  readonly space: SavedAddressSpace;
}

/**
 * The guest kernel's whole state, as plain JSON data: each subsystem's own part.
 *
 * @public
 */
export interface SavedKernel {
  readonly format: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly parts: SavedKernelParts;
  readonly panicked: string | null;
  /** What its container policy held for it (`ContainerPolicy.saveFor`); absent without one. */
  readonly policy?: unknown;
}

/**
 * Writes processes and the pipes they share, for a kernel checkpoint.
 *
 * @public
 */
export class ProcessWriter {
  readonly #pipes = new Map<Pipe, number>();
  readonly pipes: SavedPipe[] = [];

  /**
   * @param incarnations numbers the generators' histories the processes refer to
   * @param replay the replay log that observed the processes' programs
   */
  constructor(
    readonly incarnations: IncarnationWriter,
    readonly replay: ReplayRecorder,
  ) {}

  /** `p` as plain data (its pipes are added to {@link pipes} on first sight). */
  save(p: Process): SavedProcess {
    const lineage = this.replay.lineageOf(p);
    if (lineage.length !== p.stack.length) throw new Error(`process ${p.pid}: replay lineage out of step with its program stack`);
    return {
      pid: p.pid,
      parent: p.parent?.pid ?? -1,
      state: p.state,
      blockedOn: p.blockedOn ?? null,
      exitStatus: p.exitStatus,
      children: [...p.children].map((c) => c.pid),
      fds: p.fds.map((d) => (d === undefined ? null : this.#descriptor(d))),
      handlers: [...this.replay.handlerOriginsOf(p)].map(([sig, o]) => [sig, this.incarnations.id(o.of), o.at] as const),
      pendingSignals: [...p.pendingSignals],
      lineage: lineage.map((i) => this.incarnations.id(i)),
      restart: p.restart === undefined ? null : { call: p.restart.op.call, args: p.restart.op.args, depth: p.restart.depth },
      result: p.result === undefined ? null : p.result,
      computeLeft: p.computeLeft,
      touch: p.touch === undefined ? null : { ...p.touch },
      queuedTouches: p.queuedTouches.map((t) => ({ ...t })),
      sliceUsedNs: p.sliceUsedNs,
      warmPages: [...p.warmPages],
      evicted: p.evicted,
      context: p.context,
      program: p.program,
      wakeAt: p.wakeAt,
      space: p.space.save(),
    };
  }

  #descriptor(d: FileDescriptor): SavedDescriptor {
    switch (d.kind) {
      case 'file':
        return { kind: 'file', inode: d.inode, path: d.path, offset: d.offset };
      case 'null':
        return { kind: 'null' };
      case 'pipe-read':
      case 'pipe-write': {
        let id = this.#pipes.get(d.pipe);
        if (id === undefined) {
          id = this.pipes.length;
          this.#pipes.set(d.pipe, id);
          const q = d.pipe;
          this.pipes.push({
            capacity: q.capacity,
            buffered: q.buffered,
            readers: q.readers,
            writers: q.writers,
            waitingReaders: [...q.waitingReaders],
            waitingWriters: [...q.waitingWriters],
          });
        }
        return { kind: d.kind, pipe: id };
      }
      default:
        throw new Error(`descriptor kind '${d.kind}' cannot be checkpointed`);
    }
  }
}

/**
 * Rebuilds the processes of a checkpoint: their address spaces (tables reinstalled in the new
 * machine's terms), descriptors and pipes, and their generators replayed from the log.
 *
 * @public
 */
export function restoreProcesses(
  saved: { readonly pipes: readonly SavedPipe[]; readonly processes: readonly SavedProcess[] },
  pages: PhysicalPages,
  vcpu: Vcpu,
  reader: IncarnationReader,
  replay: ReplayRecorder,
): Map<number, Process> {
  const pipes = saved.pipes.map((s) => {
    const q = new Pipe(s.capacity);
    q.buffered = s.buffered;
    q.readers = s.readers;
    q.writers = s.writers;
    q.waitingReaders.push(...s.waitingReaders);
    q.waitingWriters.push(...s.waitingWriters);
    return q;
  });
  const processes = new Map<number, Process>();
  const live = new Set<number>();
  for (const s of saved.processes) {
    const p = new Process(s.pid, undefined, new AddressSpace(pages, s.space.id, vcpu, s.space));
    p.state = s.state;
    p.blockedOn = s.blockedOn ?? undefined;
    p.exitStatus = s.exitStatus;
    p.fds.length = 0;
    for (const d of s.fds) p.fds.push(d === null ? undefined : descriptor(d, pipes));
    const origins = new Map<number, HandlerOrigin>();
    for (const [sig, from, at] of s.handlers) {
      const { program, origin } = reader.programAt(from, at, 'handler');
      if (origin.kind !== 'handler') throw new CheckpointCorruptError(`process ${s.pid}'s handler for signal ${sig} is malformed`);
      p.handlers.set(sig, program);
      origins.set(sig, { of: origin.of, at });
    }
    p.pendingSignals.push(...s.pendingSignals);
    const lineage: Incarnation[] = [];
    for (const id of s.lineage) {
      if (live.has(id)) throw new CheckpointCorruptError(`two generators continue guest-kernel incarnation ${id}`);
      live.add(id);
      const r = reader.get(id);
      if (r.finished) throw new CheckpointCorruptError(`process ${s.pid} continues guest-kernel incarnation ${id}, which replay finished`);
      lineage.push(r.incarnation);
      p.stack.push(r.generator);
    }
    replay.adopt(p, lineage, origins);
    if (s.restart !== null) p.restart = { op: { call: s.restart.call, args: s.restart.args }, depth: s.restart.depth };
    p.result = s.result === null ? undefined : s.result;
    p.computeLeft = s.computeLeft;
    if (s.touch !== null) p.touch = { ...s.touch, fromMemory: s.touch.fromMemory ?? 0 };
    p.queuedTouches.push(...s.queuedTouches.map((t) => ({ ...t })));
    p.sliceUsedNs = s.sliceUsedNs;
    for (const v of s.warmPages) p.warmPages.add(v);
    p.evicted = s.evicted;
    p.context = s.context;
    p.program = typeof s.program === 'string' ? s.program : '';
    p.wakeAt = s.wakeAt;
    processes.set(p.pid, p);
  }
  for (const s of saved.processes) {
    const p = processes.get(s.pid)!;
    if (s.parent >= 0) p.parent = processes.get(s.parent);
    for (const c of s.children) {
      const child = processes.get(c);
      if (child === undefined) throw new CheckpointCorruptError(`process ${s.pid}'s child ${c} is missing`);
      p.children.add(child);
    }
  }
  return processes;
}

function descriptor(d: SavedDescriptor, pipes: readonly Pipe[]): FileDescriptor {
  switch (d.kind) {
    case 'file':
      return { kind: 'file', inode: d.inode, path: d.path, offset: d.offset };
    case 'null':
      return { kind: 'null' };
    case 'pipe-read':
    case 'pipe-write': {
      const pipe = pipes[d.pipe];
      if (pipe === undefined) throw new CheckpointCorruptError(`a descriptor refers to pipe ${d.pipe}, which it does not hold`);
      return { kind: d.kind, pipe };
    }
    default:
      throw new CheckpointCorruptError(`it holds a descriptor of unknown kind '${(d as { kind: string }).kind}'`);
  }
}
