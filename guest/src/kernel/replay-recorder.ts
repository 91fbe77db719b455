import type { Vma } from '../mm/vma.js';
import type { Process } from '../process/process.js';
import { Incarnation } from './replay-log.js';

/** Where an installed signal handler came from: operation `at` (a sigaction) of incarnation `of`. */
export interface HandlerOrigin {
  readonly of: Incarnation;
  readonly at: number;
}

/**
 * What happens to processes' programs, as the kernel tells an observer of it. The kernel
 * calls these only when it has an observer; they change nothing the kernel does.
 */
export interface ProgramObserver {
  /** `p` starts the program of the executable at `path` (spawn, or exec replacing its programs and handlers). */
  imageStarted(p: Process, path: string, vmas: readonly Vma[]): void;
  /** `child` was forked by `parent`: its program is the one `parent`'s current operation passed. */
  forked(parent: Process, child: Process): void;
  /** `p`'s current operation (a sigaction) installed a handler for `sig`. */
  handlerInstalled(p: Process, sig: number): void;
  /** `p`'s handler for `sig` starts on top of its program. */
  handlerStarted(p: Process, sig: number): void;
  /** `p`'s innermost handler returned (sigreturn). */
  handlerReturned(p: Process): void;
  /** `value` is handed to `p`'s innermost program: the result of its last operation. */
  resultDelivered(p: Process, value: unknown): void;
  /** `p` exited: it runs nothing any more. */
  exited(p: Process): void;
}

/**
 * The replay log as an observer: it records every result handed to every program, and where
 * each program came from (an image, a fork, a sigaction), so a checkpoint can re-derive the
 * generators by replaying them (see {@link Incarnation}). The kernel has one only when booted
 * `checkpointable`; nothing is threaded through the kernel's own paths.
 */
export class ReplayRecorder implements ProgramObserver {
  /** Per process: its generators' histories, parallel to its program stack (innermost last). */
  readonly #lineage = new Map<Process, Incarnation[]>();
  /** Per process: where each installed handler came from. */
  readonly #origins = new Map<Process, Map<number, HandlerOrigin>>();

  /** `p`'s generators' histories, innermost last (empty once it exited). */
  lineageOf(p: Process): readonly Incarnation[] {
    return this.#lineage.get(p) ?? [];
  }

  /** Where `p`'s installed handlers came from, by signal. */
  handlerOriginsOf(p: Process): ReadonlyMap<number, HandlerOrigin> {
    return this.#origins.get(p) ?? EMPTY;
  }

  /** Takes on a restored process's histories and handler origins. */
  adopt(p: Process, lineage: Incarnation[], origins: Map<number, HandlerOrigin>): void {
    this.#lineage.set(p, lineage);
    if (origins.size > 0) this.#origins.set(p, origins);
  }

  imageStarted(p: Process, path: string, vmas: readonly Vma[]): void {
    this.#origins.delete(p);
    this.#lineage.set(p, [new Incarnation({ kind: 'image', path, vmas })]);
  }

  forked(parent: Process, child: Process): void {
    const from = this.#innermost(parent);
    if (from !== undefined) this.#lineage.set(child, [new Incarnation({ kind: 'fork', parent: from, at: from.current })]);
    const origins = this.#origins.get(parent);
    if (origins !== undefined) this.#origins.set(child, new Map(origins));
  }

  handlerInstalled(p: Process, sig: number): void {
    const from = this.#innermost(p);
    if (from === undefined) return;
    let origins = this.#origins.get(p);
    if (origins === undefined) this.#origins.set(p, (origins = new Map()));
    origins.set(sig, { of: from, at: from.current });
  }

  handlerStarted(p: Process, sig: number): void {
    const lineage = this.#lineage.get(p);
    const origin = this.#origins.get(p)?.get(sig);
    if (lineage === undefined || origin === undefined) return;
    // A handler shares the program's memory: replay must run it at the same point.
    const main = lineage[0]!;
    const run = new Incarnation({ kind: 'handler', of: origin.of, at: origin.at });
    main.interludes.push({ at: main.current, handler: run });
    lineage.push(run);
  }

  handlerReturned(p: Process): void {
    this.#lineage.get(p)?.pop();
  }

  resultDelivered(p: Process, value: unknown): void {
    this.#innermost(p)?.log.push(value);
  }

  exited(p: Process): void {
    this.#lineage.delete(p);
    this.#origins.delete(p);
  }

  #innermost(p: Process): Incarnation | undefined {
    const lineage = this.#lineage.get(p);
    return lineage === undefined ? undefined : lineage[lineage.length - 1];
  }
}

const EMPTY: ReadonlyMap<number, HandlerOrigin> = new Map();
