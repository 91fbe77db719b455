import type { ExperimentResult, ResultRow } from '@visorkit/workloads';
import { isFittedCell } from './ledger.js';

/**
 * Stamps every row with its provenance: `fitted` when a fitted parameter of the ledger was
 * fitted to that (profile, platform, metric) cell, `predicted` otherwise.
 */
export function withProvenance(result: ExperimentResult): ExperimentResult {
  const results: ResultRow[] = result.results.map((row) => ({
    ...row,
    provenance: isFittedCell({ profile: result.profile, platform: row.platform, metric: row.metric }) ? 'fitted' : 'predicted',
  }));
  return { ...result, results };
}
