import type { Hypervisor } from '@visorkit/core';

/**
 * How to replay one failing contract: the seed and shrink path its error printed.
 *
 * @public
 */
export interface Replay {
  /** The contract id, e.g. `memory/no-stale-tlb-entry-is-used`. */
  readonly contract: string;
  readonly seed: number;
  /** fast-check's path to the shrunk counterexample (`"3:1:0"`). */
  readonly path: string;
}

/**
 * What every contract of one kit run shares.
 *
 * @public
 */
export interface KitSettings {
  /** Base seed: the same seed gives the same scenarios and results. */
  readonly seed: number;
  /** Generated cases per property, as a multiple of each contract's default (1: the ≤ 60 s run; 10+: a soak). */
  readonly depth: number;
  /** Replays one failing case instead of generating (the values printed with a failure). */
  readonly replay?: Replay | undefined;
  /**
   * The plugin's background work (a page scanner, a balloon daemon), started on every
   * hypervisor a contract builds, after its recorder is installed: it runs while the
   * scenario runs, and the contracts judge the machine with it running.
   */
  readonly background?: ((hv: Hypervisor) => void) | undefined;
}

/**
 * Default base seed.
 *
 * @public
 */
export const DEFAULT_KIT_SEED = 20260417;

/**
 * A replay request from the environment (`VISORKIT_KIT_REPLAY="<contract>@<seed>@<path>"`),
 * read without importing Node (the kit stays browser-safe).
 *
 * @public
 */
export function replayFromEnvironment(): Replay | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const text = env?.VISORKIT_KIT_REPLAY;
  if (text === undefined || text === '') return undefined;
  const [contract, seed, path] = text.split('@');
  if (contract === undefined || seed === undefined || !Number.isInteger(Number(seed))) return undefined;
  return { contract, seed: Number(seed), path: path ?? '' };
}

/**
 * Depth from the environment (`VISORKIT_KIT_DEPTH=10` for a soak), else undefined.
 *
 * @public
 */
export function depthFromEnvironment(): number | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const d = Number(env?.VISORKIT_KIT_DEPTH);
  return Number.isFinite(d) && d > 0 ? d : undefined;
}

/**
 * Base seed from the environment (`VISORKIT_KIT_SEED=7`), else undefined.
 *
 * @public
 */
export function seedFromEnvironment(): number | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const text = env?.VISORKIT_KIT_SEED;
  return text !== undefined && text !== '' && Number.isInteger(Number(text)) ? Number(text) : undefined;
}
