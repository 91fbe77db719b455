import type { ExperimentResult } from '@visorkit/workloads';

/** What the page asks the simulation worker to run: a composition, as the URL holds it. */
export interface RunRequest {
  /** An experiment id (`micro`) or an example's experiment (`xen-2003:micro`). */
  readonly target: string;
  /** Profile and platforms of an ad hoc run (an example fixes its own). */
  readonly profile: string;
  readonly platforms: readonly string[];
  readonly seed: number;
}

/** Mechanism events seen so far on one platform's hypervisors, by stream and by reason. */
export interface LiveCounts {
  readonly platform: string;
  readonly streams: Readonly<Record<string, number>>;
  /** The most frequent reasons (hypercall names, exit reasons, I/O kinds). */
  readonly reasons: Readonly<Record<string, number>>;
}

/** What the worker reports back. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'counts'; readonly counts: readonly LiveCounts[] }
  | { readonly type: 'done'; readonly result: ExperimentResult; readonly elapsedMs: number }
  | { readonly type: 'error'; readonly message: string };
