import type { FitCell, FittedDefinition } from '@visorkit/core';
import type { FittedSetLocation } from './ledger.js';

/** A number as the fitter writes it: integers stay integers, others keep four significant digits. */
function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function cellLiteral(c: FitCell): string {
  return `{ profile: '${c.profile}', platform: '${c.platform}', metric: '${c.metric}' }`;
}

/**
 * The text of a package's `calibration.ts` with new values and the cells each was fitted to:
 * what `visorkit fit` writes. Sources are kept as declared.
 */
export function renderCalibrationFile(
  location: FittedSetLocation,
  values: Readonly<Record<string, number>>,
  fittedTo: Readonly<Record<string, readonly FitCell[]>>,
): string {
  const set = location.set;
  const entries = set.names().map((name) => {
    const d = set.definition(name) as FittedDefinition;
    const cells = fittedTo[name] ?? [];
    return [
      `  ${name}: {`,
      `    value: ${formatValue(values[name] ?? d.value)},`,
      `    unit: ${JSON.stringify(d.unit)},`,
      `    source: ${JSON.stringify(d.source)},`,
      cells.length === 0 ? '    fittedTo: [],' : `    fittedTo: [\n${cells.map((c) => `      ${cellLiteral(c)},`).join('\n')}\n    ],`,
      '  },',
    ].join('\n');
  });
  return `import { fittedParameters } from '@visorkit/core';

/**
 * ${location.describes} fitted parameters: the only numbers of this package set from the fit
 * set's cells (\`shared/reference/seed-results.json\`). Written by \`npx visorkit fit\`
 * (non-negative least squares over the mechanism counts of one run); do not edit the values
 * by hand — edit the sources and run the fitter again.
 *
 * @public
 */
export const ${location.exportName} = fittedParameters('${set.packageName}', {
${entries.join('\n')}
});
`;
}
