import fc from 'fast-check';
import { Breach, FuzzMachine, type FuzzTarget } from './fuzz-machine.js';
import { FUZZ_TARGETS } from './fuzz-targets.js';
import { operationSequence, type HostileOperation } from './hostile-operation.js';
import { shrinkSequence } from './shrink-sequence.js';
import { containerSequence, isContainerOperation, type ContainerOperation } from './container-operation.js';
import { ContainerFuzzMachine } from './container-fuzz-machine.js';

/** An operation of either family: machine-level (hostile-operation.ts) or inside a container context (container-operation.ts). */
export type FuzzOperation = HostileOperation | ContainerOperation;

/** What `npm run fuzz -- --json` prints. Field names are public interface. */
export interface FuzzReport {
  readonly plugin: string;
  /** Operations applied (attacker and victim, shrinking runs not counted). */
  readonly ops: number;
  readonly breaches: number;
  readonly invariantsChecked: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

/** A breach, with the shortest sequence shrinking found that still breaks the invariant: a replayable file. */
export interface BreachRecord {
  readonly plugin: string;
  readonly platform: string;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
  readonly operations: readonly FuzzOperation[];
}

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly plugin: string;
  readonly ops: number;
  readonly seed: number;
  /** Machines to attack instead of the bundled plugin's (a plugin under development, a planted bug). */
  readonly targets?: readonly FuzzTarget[];
  /** Longest sequence on one machine (default 1000): long enough for state to pile up, short enough to shrink. */
  readonly sequenceLength?: number;
  /** Called after each batch with the operations done so far. */
  readonly progress?: (done: number, total: number) => void;
  /** Resident set size sampler (Node's `process.memoryUsage().rss`); none: peakRssMb is 0. */
  readonly rss?: () => number;
  /** Clock in ms for `seconds` (default Date.now is not used in the simulation, only to time the run). */
  readonly clock?: () => number;
  /** Most candidate sequences shrinking a breach may run (default 2000, see {@link shrinkSequence}); the shortest failing one found is saved. */
  readonly shrinkRuns?: number;
}

/** Unknown plugin name for the fuzzer. */
export class UnknownFuzzPluginError extends Error {
  constructor(readonly plugin: string) {
    super(`no fuzz target for plugin '${plugin}' (known: ${Object.keys(FUZZ_TARGETS).join(', ')})`);
  }
}

/** The targets of a plugin name. */
export function fuzzTargets(plugin: string): readonly FuzzTarget[] {
  const t = FUZZ_TARGETS[plugin];
  if (t === undefined) throw new UnknownFuzzPluginError(plugin);
  return t;
}

/**
 * Runs one sequence on a fresh machine; throws Breach on a broken invariant. Returns invariants
 * checked. The machine sweeps both domains and takes a census of every frame at the end (sequences
 * are shorter than {@link CENSUS_EVERY} operations).
 */
export function runSequence(target: FuzzTarget, seed: number, operations: readonly FuzzOperation[]): number {
  if (target.family === 'containers') {
    const shared = new ContainerFuzzMachine(target, seed);
    for (const op of operations) shared.apply(op as ContainerOperation);
    shared.sweep();
    return shared.invariantsChecked;
  }
  const machine = new FuzzMachine(target, seed);
  for (const op of operations) machine.apply(op as HostileOperation);
  machine.sweep();
  machine.census();
  return machine.invariantsChecked;
}

type Sequence = [number, FuzzOperation[]];

/**
 * One fuzz run's bookkeeping: which batch comes next, the operations and invariant checks so
 * far, the breach if any. A batch is one fast-check `check` of up to 64 sequences, each on a
 * fresh machine (so memory stays flat however many operations run); fast-check stops at the
 * first failing one, {@link shrinkSequence} shrinks it to a short sequence that still breaks
 * the same invariant, and the run stops there.
 */
class FuzzRun {
  readonly targets: readonly FuzzTarget[];
  readonly sequences: fc.Arbitrary<Sequence>;
  readonly #length: number;
  readonly #started: number;
  #batch = 0;
  #ops = 0;
  #invariants = 0;
  #peak: number;
  #shrinking = false;
  #breach: BreachRecord | undefined;

  constructor(readonly options: FuzzOptions) {
    this.targets = options.targets ?? fuzzTargets(options.plugin);
    this.#length = options.sequenceLength ?? 1000;
    const length = this.#length;
    const targets = this.targets;
    this.sequences = targets.every((t) => t.family !== 'containers')
      ? fc.tuple(fc.nat({ max: targets.length - 1 }), operationSequence(length))
      : fc
          .nat({ max: targets.length - 1 })
          .chain((t) => (targets[t]!.family === 'containers' ? containerSequence(length) : operationSequence(length)).map((ops): Sequence => [t, ops]));
    this.#started = options.clock?.() ?? 0;
    this.#peak = options.rss?.() ?? 0;
  }

  get done(): boolean {
    return this.#ops >= this.options.ops || this.#breach !== undefined;
  }

  /** fast-check's parameters for the next batch. */
  parameters(): fc.Parameters<[Sequence]> {
    // Sequence lengths are about uniform in 1..length: length/2 operations a run.
    const runs = Math.max(1, Math.min(64, Math.ceil((this.options.ops - this.#ops) / (this.#length / 2))));
    // endOnFailure: no fast-check shrinking — it re-ran whole 1,000-operation candidates; shrinkSequence cuts at the failure first.
    return { numRuns: runs, seed: (Math.imul(this.options.seed, 0x9e3779b1) + this.#batch++) | 0, endOnFailure: true, reporter: () => {} };
  }

  /** The property: one sequence on a fresh machine. */
  property([t, operations]: Sequence): void {
    let checked: number;
    try {
      checked = runSequence(this.targets[t]!, this.options.seed, operations);
    } catch (e) {
      this.#shrinking = true; // every later call of this batch is fast-check shrinking the failure
      throw e;
    }
    if (!this.#shrinking) {
      this.#ops += operations.length;
      this.#invariants += checked;
    }
  }

  /** Takes a batch's outcome. */
  absorb(result: fc.RunDetails<[Sequence]>): void {
    this.#shrinking = false;
    if (result.failed && result.counterexample !== null) {
      const [t, failing] = result.counterexample[0];
      const target = this.targets[t]!;
      let invariant = 'harness';
      let message = String(result.errorInstance);
      let operations: readonly FuzzOperation[] = failing;
      try {
        const shrunk = shrinkSequence(target, this.options.seed, failing, this.options.shrinkRuns === undefined ? {} : { maxRuns: this.options.shrinkRuns });
        if (shrunk !== undefined) {
          operations = shrunk.operations;
          invariant = shrunk.breach.invariant;
          message = shrunk.breach.message;
        }
      } catch (e) {
        // Not a breach: the harness (or a plugin throwing past the machine) failed; saved as it came.
        if (e instanceof Breach) invariant = e.invariant;
        message = e instanceof Error ? e.message : String(e);
      }
      this.#breach = { plugin: this.options.plugin, platform: target.platform.name, seed: this.options.seed, invariant, message, operations };
    }
    this.#peak = Math.max(this.#peak, this.options.rss?.() ?? 0);
    this.options.progress?.(Math.min(this.#ops, this.options.ops), this.options.ops);
  }

  finish(): { report: FuzzReport; breach?: BreachRecord } {
    const report: FuzzReport = {
      plugin: this.options.plugin,
      ops: this.#ops,
      breaches: this.#breach === undefined ? 0 : 1,
      invariantsChecked: this.#invariants,
      seconds: Math.round(((this.options.clock?.() ?? 0) - this.#started) / 10) / 100,
      peakRssMb: Math.round(this.#peak / 1048576),
    };
    return this.#breach === undefined ? { report } : { report, breach: this.#breach };
  }
}

/**
 * Attacks `plugin` with at least `ops` operations in sequences generated by fast-check and
 * stops at the first breach, shrunk to the shortest sequence that still breaks the invariant.
 * Each sequence starts a new job, so each finished machine can be collected (see
 * {@link runFuzzSync} for why that matters).
 */
export async function runFuzz(options: FuzzOptions): Promise<{ report: FuzzReport; breach?: BreachRecord }> {
  const run = new FuzzRun(options);
  while (!run.done) {
    const property = fc.asyncProperty(run.sequences, async (input) => {
      await nextJob();
      run.property(input);
    });
    run.absorb(await fc.check(property, run.parameters()));
  }
  return run.finish();
}

/**
 * {@link runFuzz} in one synchronous job, for experiments (whose runs are synchronous).
 * Objects held only by WeakRefs (inversify's caches hold whole machines so) live until the
 * job that made them ends: memory grows with the sequences run, so keep `ops` modest here and
 * soak with {@link runFuzz}.
 */
export function runFuzzSync(options: FuzzOptions): { report: FuzzReport; breach?: BreachRecord } {
  const run = new FuzzRun(options);
  while (!run.done)
    run.absorb(
      fc.check(
        fc.property(run.sequences, (input) => run.property(input)),
        run.parameters(),
      ),
    );
  return run.finish();
}

function nextJob(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Replays a saved breach: undefined when the sequence no longer breaks anything. */
export function replayBreach(record: BreachRecord, targets: readonly FuzzTarget[] = fuzzTargets(record.plugin)): Breach | undefined {
  // A platform attacked in two families (vserver): the operations say which.
  const containers = record.operations.some(isContainerOperation);
  const target = targets.find((t) => t.platform.name === record.platform && (t.family === 'containers') === containers);
  if (target === undefined) throw new UnknownFuzzPluginError(`${record.plugin} (${record.platform})`);
  try {
    runSequence(target, record.seed, record.operations);
    return undefined;
  } catch (e) {
    if (e instanceof Breach) return e;
    throw e;
  }
}

/** A breach record as JSON; non-finite numbers (NaN, ±Infinity) survive the round trip. */
export function breachToJson(record: BreachRecord): string {
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { number: String(v) } : v), 2);
}

/** Parses {@link breachToJson}'s output. */
export function breachFromJson(text: string): BreachRecord {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && 'number' in v && Object.keys(v).length === 1 ? Number((v as { number: string }).number) : v,
  ) as BreachRecord;
}
