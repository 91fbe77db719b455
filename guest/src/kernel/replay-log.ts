import { CheckpointCorruptError } from '@visorkit/core';
import type { Vma } from '../mm/vma.js';
import type { Operation, Program, Sys } from '../program/program.js';

/**
 * A guest program is a generator, and a generator's position cannot be written to a file.
 * It can be re-derived, though: a program is a deterministic function of the results the
 * kernel hands it, so its position after n steps is the position reached by feeding it the
 * same n results again (deterministic replay, as ReVirt-style loggers do). An incarnation is
 * one generator's history: where its code came from and every result it was given.
 *
 * @public
 */
export type Origin =
  /** `startup(vmas, main)` of the executable installed at `path` (spawn or exec). */
  | { readonly kind: 'image'; readonly path: string; readonly vmas: readonly Vma[] }
  /** The child program the `at`-th operation (a fork) of `parent` passed. */
  | { readonly kind: 'fork'; readonly parent: Incarnation; readonly at: number }
  /** The handler the `at`-th operation (a sigaction) of `of` installed. */
  | { readonly kind: 'handler'; readonly of: Incarnation; readonly at: number };

/**
 * One generator's history: its origin and the results it was given, in order.
 *
 * @public
 */
export class Incarnation {
  /** `log[i]` is the value the i-th `next` was called with; operation i is what that call yielded. */
  readonly log: unknown[] = [];
  /**
   * Signal handlers that ran while this (main) program stood at operation `at`, in order: a
   * handler shares the program's memory, so replay must run them at the same points.
   */
  readonly interludes: { readonly at: number; readonly handler: Incarnation }[] = [];
  /** @param origin where its program came from */
  constructor(readonly origin: Origin) {}

  /** The index of the operation being handled now (the one the last `next` returned). */
  get current(): number {
    return this.log.length - 1;
  }
}

/**
 * An incarnation as it is written into a checkpoint.
 *
 * @public
 */
export type SavedIncarnation = (
  | { readonly id: number; readonly kind: 'image'; readonly path: string; readonly vmas: readonly Vma[] }
  | { readonly id: number; readonly kind: 'fork' | 'handler'; readonly from: number; readonly at: number }
) & {
  readonly log: readonly unknown[];
  /** [operation, handler incarnation] pairs (see {@link Incarnation.interludes}). */
  readonly interludes: readonly (readonly [number, number])[];
};

/**
 * Numbers incarnations and writes each (and those it derives from) once.
 *
 * @public
 */
export class IncarnationWriter {
  readonly #ids = new Map<Incarnation, number>();
  readonly saved: SavedIncarnation[] = [];

  /** The id of `inc` in the file, writing it (after its ancestors) on first sight. */
  id(inc: Incarnation): number {
    const known = this.#ids.get(inc);
    if (known !== undefined) return known;
    const o = inc.origin;
    const from = o.kind === 'fork' ? this.id(o.parent) : o.kind === 'handler' ? this.id(o.of) : -1;
    const id = this.saved.length;
    this.#ids.set(inc, id);
    this.saved.length = id + 1; // its place, kept while its handlers are numbered (filled below)
    const log = encodeLog(inc.log);
    const interludes = inc.interludes.map((i) => [i.at, this.id(i.handler)] as const);
    this.saved[id] =
      o.kind === 'image' ? { id, kind: 'image', path: o.path, vmas: o.vmas, log, interludes } : { id, kind: o.kind, from, at: o.at, log, interludes };
    return id;
  }
}

/**
 * What a replayed incarnation gives back: its generator at the saved position (for live ones).
 *
 * @public
 */
export interface Replayed {
  readonly incarnation: Incarnation;
  readonly generator: Generator<Operation, number | void, unknown>;
}

/**
 * Rebuilds incarnations from a checkpoint by replaying each one's log into a fresh generator
 * of its program: images from `programs` (by path), forked children and signal handlers from
 * the operations of the incarnation that created them. Each is replayed once, to its full
 * log; the generators come back positioned exactly where the checkpointed ones were.
 *
 * @public
 */
export class IncarnationReader {
  readonly #saved: readonly SavedIncarnation[];
  readonly #replayed = new Map<number, Replayed & { readonly ops: (Operation | undefined)[]; finished: boolean }>();

  /**
   * @param saved the checkpoint's incarnations
   * @param programs an installed executable's program by path
   * @param sys the system-call interface programs are started with
   * @param startup the C runtime start-up that runs an image's main
   */
  constructor(
    saved: readonly SavedIncarnation[],
    readonly programs: (path: string) => Program | undefined,
    readonly sys: Sys,
    readonly startup: (sys: Sys, vmas: readonly Vma[], main: Program) => Generator<Operation, number | void, unknown>,
  ) {
    saved.forEach((s, i) => {
      if (s?.id !== i || !Array.isArray(s.log) || !Array.isArray(s.interludes))
        throw new CheckpointCorruptError(`its guest-kernel incarnation ${i} is malformed`);
      if (s.kind !== 'image' && !(Number.isInteger(s.from) && s.from >= 0 && s.from < i))
        throw new CheckpointCorruptError(`its guest-kernel incarnation ${i} derives from an unknown one`);
    });
    this.#saved = saved;
  }

  /** Incarnation `id`, replayed to the end of its log (with the handlers that ran inside it). */
  get(id: number): Replayed & { readonly finished: boolean } {
    const known = this.#replayed.get(id);
    if (known !== undefined) return known;
    const s = this.#saved[id];
    if (s === undefined) throw new CheckpointCorruptError(`it refers to guest-kernel incarnation ${id}, which it does not hold`);
    let origin: Origin;
    let program: () => Generator<Operation, number | void, unknown>;
    if (s.kind === 'image') {
      const main = this.programs(s.path);
      if (main === undefined) throw new CheckpointCorruptError(`it runs the guest program '${s.path}', which the restorer was not given`);
      origin = { kind: 'image', path: s.path, vmas: s.vmas };
      program = () => this.startup(this.sys, s.vmas, main);
    } else {
      const made = this.programAt(s.from, s.at, s.kind);
      origin = made.origin;
      program = () => made.program(this.sys);
    }
    const incarnation = new Incarnation(origin);
    const record = { incarnation, generator: program(), ops: [] as (Operation | undefined)[], finished: false };
    // Registered before replaying: a handler it runs may have been installed by it.
    this.#replayed.set(id, record);
    const log = decodeLog(s.log);
    let next = 0;
    const interludesAt = (at: number): void => {
      while (next < s.interludes.length && s.interludes[next]![0] === at) {
        const h = this.get(s.interludes[next]![1]);
        incarnation.interludes.push({ at, handler: h.incarnation });
        next++;
      }
    };
    interludesAt(-1);
    for (let i = 0; i < log.length; i++) {
      incarnation.log.push(log[i]);
      let step: IteratorResult<Operation, number | void>;
      try {
        step = record.generator.next(log[i]);
      } catch (e) {
        throw new CheckpointCorruptError(`replaying guest-kernel incarnation ${id} threw (${(e as Error).message})`);
      }
      if (step.done === true) {
        if (i !== log.length - 1) throw new CheckpointCorruptError(`replaying guest-kernel incarnation ${id} ended early (the program is not deterministic)`);
        record.finished = true;
        break;
      }
      record.ops.push(step.value.kind === 'syscall' && (step.value.call === 'fork' || step.value.call === 'sigaction') ? step.value : undefined);
      interludesAt(i);
    }
    if (next !== s.interludes.length) throw new CheckpointCorruptError(`guest-kernel incarnation ${id} holds handler runs at operations it never reached`);
    return record;
  }

  /** The program operation `at` of incarnation `id` passed as a fork child or signal handler. */
  programAt(id: number, at: number, kind: 'fork' | 'handler'): { program: Program; origin: Origin } {
    const from = this.get(id);
    const op = this.#replayed.get(id)!.ops[at];
    const fn = op?.kind === 'syscall' ? op.args[kind === 'fork' ? 0 : 1] : undefined;
    if (typeof fn !== 'function')
      throw new CheckpointCorruptError(
        `replaying guest-kernel incarnation ${id} did not reach the ${kind} at operation ${at} (the program is not deterministic)`,
      );
    return { program: fn as Program, origin: kind === 'fork' ? { kind, parent: from.incarnation, at } : { kind, of: from.incarnation, at } };
  }
}

/** Results as JSON: undefined becomes null (the kernel never returns null), runs of it a count. */
function encodeLog(log: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  let run = 0;
  const flush = (): void => {
    if (run === 1) out.push(null);
    else if (run > 1) out.push({ u: run });
    run = 0;
  };
  for (const v of log) {
    if (v === undefined || v === null) run++;
    else {
      flush();
      out.push(v);
    }
  }
  flush();
  return out;
}

function decodeLog(saved: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of saved) {
    if (v === null) out.push(undefined);
    else if (typeof v === 'object' && !Array.isArray(v) && typeof (v as { u?: unknown }).u === 'number') {
      for (let i = 0; i < (v as { u: number }).u; i++) out.push(undefined);
    } else out.push(v);
  }
  return out;
}
