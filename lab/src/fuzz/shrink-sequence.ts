import { Breach, FuzzMachine, type FuzzTarget } from './fuzz-machine.js';
import type { HostileOperation } from './hostile-operation.js';
import { isContainerOperation, type ContainerOperation } from './container-operation.js';
import { ContainerFuzzMachine } from './container-fuzz-machine.js';

/** An operation of either family: machine-level (hostile-operation.ts) or inside a container context (container-operation.ts). */
type FuzzOperation = HostileOperation | ContainerOperation;

/** Where a sequence breaks an invariant: the breach, and the operations applied when it was seen. */
export interface SequenceFailure {
  readonly breach: Breach;
  /** Operations applied up to and including the one after which the invariant failed (the whole sequence when the closing sweep or census saw it). */
  readonly at: number;
}

/**
 * Runs `operations` on a fresh machine and says where an invariant first broke, or undefined
 * when none did (the closing sweep and census included). Only a {@link Breach} counts: any other error
 * is the harness's and is thrown.
 */
export function firstFailure(target: FuzzTarget, seed: number, operations: readonly FuzzOperation[]): SequenceFailure | undefined {
  if (target.family === 'containers') {
    const shared = new ContainerFuzzMachine(target, seed);
    try {
      for (const op of operations) {
        if (!isContainerOperation(op)) throw new Error(`${op.k} is not an operation inside a container`);
        shared.apply(op);
      }
      shared.sweep();
    } catch (e) {
      if (e instanceof Breach) return { breach: e, at: Math.min(shared.operations, operations.length) };
      throw e;
    }
    return undefined;
  }
  const machine = new FuzzMachine(target, seed);
  try {
    for (const op of operations) {
      if (isContainerOperation(op)) throw new Error(`${op.k} is not a machine-level operation`);
      machine.apply(op);
    }
    machine.sweep();
    machine.census();
  } catch (e) {
    if (e instanceof Breach) return { breach: e, at: Math.min(machine.operations, operations.length) };
    throw e;
  }
  return undefined;
}

/** Options of {@link shrinkSequence}. */
export interface ShrinkOptions {
  /** Most candidate sequences to run (each on a fresh machine); the shortest failing one found by then is kept. Default 2000. */
  readonly maxRuns?: number;
}

/** What {@link shrinkSequence} found. */
export interface ShrinkResult {
  readonly operations: readonly FuzzOperation[];
  readonly breach: Breach;
  /** Candidate sequences run. */
  readonly runs: number;
  /** False when the run budget ran out before the sequence was 1-minimal. */
  readonly minimal: boolean;
}

/**
 * Shrinks a failing sequence to a short one that breaks the same invariant, by delta
 * debugging (Zeller's ddmin) with one shortcut: the machine is deterministic, so a
 * sequence whose invariant fails after operation k fails the same way cut to its first k —
 * every candidate that fails is cut there at once. Shrinking a 1,000-operation sequence by
 * fast-check's array shrinker took tens of CPU-minutes, because it removes operations from
 * the front and re-runs each candidate whole; cutting at the failure first bounds every
 * later run by the failing prefix. Then chunks of halving size are removed while the same
 * invariant still fails, down to single operations (1-minimal: no one operation can go).
 * Bounded by a number of runs, not time, so the saved sequence is deterministic too.
 */
export function shrinkSequence(target: FuzzTarget, seed: number, operations: readonly FuzzOperation[], options: ShrinkOptions = {}): ShrinkResult | undefined {
  const maxRuns = options.maxRuns ?? 2000;
  const first = firstFailure(target, seed, operations);
  if (first === undefined) return undefined;
  const invariant = first.breach.invariant;
  let best = operations.slice(0, first.at);
  let breach = first.breach;
  let runs = 1;
  /** Runs a candidate; on the same invariant failing, keeps its failing prefix. */
  const tryCandidate = (candidate: readonly FuzzOperation[]): boolean => {
    runs++;
    const f = firstFailure(target, seed, candidate);
    if (f === undefined || f.breach.invariant !== invariant) return false;
    best = candidate.slice(0, f.at);
    breach = f.breach;
    return true;
  };
  let chunk = Math.max(1, Math.floor(best.length / 2));
  for (;;) {
    let removed = false;
    for (let start = 0; start < best.length && runs < maxRuns; ) {
      const candidate = [...best.slice(0, start), ...best.slice(start + chunk)];
      if (candidate.length > 0 && tryCandidate(candidate)) removed = true;
      else start += chunk;
    }
    if (runs >= maxRuns) return { operations: best, breach, runs, minimal: false };
    if (chunk === 1 && !removed) return { operations: best, breach, runs, minimal: true };
    chunk = removed ? Math.min(chunk, Math.max(1, Math.floor(best.length / 2))) : Math.max(1, Math.floor(chunk / 2));
  }
}
