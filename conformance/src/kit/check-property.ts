import fc from 'fast-check';
import { ContractViolationError } from '../contract.js';
import type { KitSettings } from './kit-settings.js';

/** Shrink attempts after the first failure. */
const MAX_SHRINK_TRIES = 60;

/** A string hash, so each contract draws its own scenarios from the base seed. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h | 0;
}

/**
 * Checks `judge` over scenarios drawn from `scenarios`. `judge` returns undefined when the
 * scenario kept the contract, or a sentence saying what the machine showed. A failure is
 * shrunk by fast-check to a small scenario and thrown as a {@link ContractViolationError}
 * naming the contract, what was seen, the scenario, and how to replay it (seed and path).
 *
 * @public
 */
export function checkProperty<T>(
  contract: string,
  name: string,
  settings: KitSettings,
  scenarios: fc.Arbitrary<T>,
  runs: number,
  judge: (scenario: T) => string | undefined,
): void {
  const replay = settings.replay?.contract === contract ? settings.replay : undefined;
  const seed = replay?.seed ?? (settings.seed ^ hash(contract)) >>> 0;
  const numRuns = Math.max(1, Math.round(runs * settings.depth));
  let detail = '';
  // Shrinking stops after a fixed number of tries (deterministic, unlike a time limit): a
  // long scenario's shrink can take many runs, and the case found first is already real.
  let triesAfterFailure = -1;
  const property = fc.property(scenarios, (scenario) => {
    if (triesAfterFailure >= MAX_SHRINK_TRIES) return true;
    if (triesAfterFailure >= 0) triesAfterFailure++;
    let seen: string | undefined;
    try {
      seen = judge(scenario);
    } catch (e) {
      seen = `it threw ${describe(e)}`;
    }
    if (seen === undefined) return true;
    if (triesAfterFailure < 0) triesAfterFailure = 0;
    detail = seen;
    return false;
  });
  const result = fc.check(property, {
    seed,
    numRuns: replay !== undefined ? 1 : numRuns,
    ...(replay !== undefined ? { path: replay.path } : {}),
  });
  if (!result.failed) return;
  const scenario = result.counterexample === null ? '(none)' : fc.stringify(result.counterexample[0]);
  throw new ContractViolationError(
    contract,
    name,
    `${detail}\n  scenario (shrunk after ${result.numShrinks} steps): ${scenario.length > 1500 ? `${scenario.slice(0, 1500)}…` : scenario}\n  replay: VISORKIT_KIT_REPLAY='${contract}@${result.seed}@${result.counterexample === null ? '' : result.counterexamplePath}' (or runConformance/contractsFor option replay: { contract: '${contract}', seed: ${result.seed}, path: '${result.counterexamplePath ?? ''}' })`,
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return String(error);
}
