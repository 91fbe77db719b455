import type { CalibrationParameter } from '@visorkit/core';
import { calibrationLedger } from './ledger.js';

/** The document `visorkit calibration --json` prints. Field names are public interface. */
export interface CalibrationDocument {
  readonly parameters: readonly CalibrationParameter[];
}

/** The ledger as `visorkit calibration` prints it: JSON, or a table grouped by kind. */
export function calibrationReport(json: boolean): string {
  const parameters = calibrationLedger();
  if (json) return JSON.stringify({ parameters } satisfies CalibrationDocument, null, 2);
  const lines: string[] = [];
  for (const kind of ['fitted', 'path-length', 'primitive'] as const) {
    const of = parameters.filter((p) => p.kind === kind);
    lines.push(`${kind} (${of.length})`);
    for (const p of of) {
      const fitted = p.fittedTo.length > 0 ? `  fitted to ${p.fittedTo.map((c) => `${c.profile}/${c.platform}/${c.metric}`).join(', ')}` : '';
      lines.push(`  ${p.package.padEnd(20)} ${p.name.padEnd(40)} ${String(p.value).padStart(10)} ${p.unit}${fitted}`);
      if (kind !== 'primitive') lines.push(`  ${''.padEnd(20)} ${p.source}`);
    }
  }
  return lines.join('\n');
}
