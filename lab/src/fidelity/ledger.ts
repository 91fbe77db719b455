import {
  NIC_DRIVER_PATH,
  bundledProfileSources,
  bundledProfiles,
  profileParameters,
  type CalibrationParameter,
  type FitCell,
  type ParameterSet,
} from '@visorkit/core';
import { GUEST_FITTED, GUEST_PATH, SHELL_WORK } from '@visorkit/guest';
import { exampleRegistry } from '../examples/example-registry.js';
import { HW_ASSIST_PATH } from '@visorkit/hw-assist';
import { NATIVE_PATH } from '@visorkit/native';
import { VSERVER_PATH } from '@visorkit/vserver';
import { XEN_PATH, XEN_PV_FITTED, XEN_PV_PRIMITIVES, XEN_SCHEDULER } from '@visorkit/xen-pv';

/** A package's fitted set and where its `calibration.ts` lives (relative to the repository root). */
export interface FittedSetLocation {
  readonly set: ParameterSet;
  /** The exported constant's name in the file. */
  readonly exportName: string;
  /** `guest/src/calibration.ts`… */
  readonly file: string;
  /** What the package is, for the file's doc comment. */
  readonly describes: string;
}

/** Every fitted set: one `calibration.ts` per package that has fitted parameters. */
export const FITTED_SETS: readonly FittedSetLocation[] = [
  { set: GUEST_FITTED, exportName: 'GUEST_FITTED', file: 'guest/src/calibration.ts', describes: "The guest kernel's" },
  { set: XEN_PV_FITTED, exportName: 'XEN_PV_FITTED', file: 'plugins/xen-pv/src/calibration.ts', describes: "The xen-pv plugin's" },
];

/** Every path-length set of the core, the guest and the plugins. */
export const PATH_LENGTH_SETS: readonly ParameterSet[] = [
  NIC_DRIVER_PATH,
  GUEST_PATH,
  SHELL_WORK,
  NATIVE_PATH,
  VSERVER_PATH,
  XEN_PATH,
  XEN_SCHEDULER,
  HW_ASSIST_PATH,
];

/** Plugins' own primitives per profile (what core's hardware profiles have no name for). */
export const PLUGIN_PRIMITIVES: readonly { parameters(): CalibrationParameter[] }[] = [XEN_PV_PRIMITIVES];

/** The calibration ledger: the bundled and the examples' own profiles' primitives, plugins' own primitives, every path length, every fitted parameter. */
export function calibrationLedger(): CalibrationParameter[] {
  const bundled = new Set(bundledProfiles.map((p) => p.name));
  const exampleProfiles = exampleRegistry.filter((e) => !bundled.has(e.profile.name) && e.profileSources !== undefined);
  return [
    ...bundledProfiles.flatMap((p) => profileParameters(p, bundledProfileSources[p.name] ?? {})),
    ...exampleProfiles.flatMap((e) => profileParameters(e.profile, e.profileSources ?? {})),
    ...PLUGIN_PRIMITIVES.flatMap((s) => s.parameters()),
    ...PATH_LENGTH_SETS.flatMap((s) => s.parameters()),
    ...exampleRegistry.flatMap((e) => (e.pathLengths ?? []).flatMap((s) => s.parameters())),
    ...FITTED_SETS.flatMap((f) => f.set.parameters()),
  ];
}

/** Whether any fitted parameter was fitted to the cell (profile, platform, metric). */
export function isFittedCell(cell: FitCell): boolean {
  return FITTED_SETS.some((f) =>
    f.set.parameters().some((p) => p.fittedTo.some((c) => c.profile === cell.profile && c.platform === cell.platform && c.metric === cell.metric)),
  );
}
