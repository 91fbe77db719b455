import type { MachineProfile } from '../machine/machine-profile.js';
import type { CalibrationParameter } from './calibration-parameter.js';
import { pluginPrimitiveUnit } from './plugin-primitives.js';

type NumericLeaf<T> = {
  [K in keyof T & string]: T[K] extends number ? K : T[K] extends object ? `${K}.${NumericLeaf<T[K]>}` : never;
}[keyof T & string];

/**
 * Every numeric field of a machine profile that reaches a figure, as a dotted path (`costs.pteWrite`).
 *
 * @public
 */
export type ProfileParameterPath = Exclude<NumericLeaf<MachineProfile>, 'year'>;

/**
 * A profile's sources, one per numeric field: the compiler refuses a profile with one missing.
 *
 * @public
 */
export type ProfileSources = Readonly<Record<ProfileParameterPath, string>>;

/**
 * The unit of each profile field.
 *
 * @public
 */
export const PROFILE_PARAMETER_UNITS: Readonly<Record<ProfileParameterPath, string>> = {
  'cpu.clockGhz': 'GHz',
  'cpu.cores': 'cores',
  'cpu.kernelCpi': 'cycles/instruction',
  'memory.sizeMiB': 'MiB',
  'memory.referenceLatencyNs': 'ns',
  'memory.cacheHitCycles': 'cycles',
  'memory.bandwidthGBps': 'GB/s',
  'cache.l1dKiB': 'KiB',
  'cache.l2KiB': 'KiB',
  'cache.llcKiB': 'KiB',
  'cache.lineBytes': 'bytes',
  'tlb.entries': 'entries',
  'tlb.ways': 'ways',
  'tlb.largePageEntries': 'entries',
  'tlb.pageWalkCacheEntries': 'entries',
  'tlb.missCycles': 'cycles',
  'costs.syscallRoundTrip': 'cycles',
  'costs.trapRoundTrip': 'cycles',
  'costs.hypercallRoundTrip': 'cycles',
  'costs.vmExitRoundTrip': 'cycles',
  'costs.pageTableBaseSwitch': 'cycles',
  'costs.tlbInvalidatePage': 'cycles',
  'costs.pteWrite': 'cycles',
  'costs.pageZero': 'cycles',
  'costs.pageCopy': 'cycles',
  'costs.interruptDelivery': 'cycles',
  'costs.registerSwitch': 'cycles',
  'disk.capacityGiB': 'GiB',
  'disk.averageSeekMs': 'ms',
  'disk.rpm': 'rpm',
  'disk.transferMBps': 'MB/s',
  'disk.requestLatencyUs': 'us',
  'nic.gbps': 'Gbit/s',
  'nic.sriovVirtualFunctions': 'functions',
  'link.gbps': 'Gbit/s',
  'link.latencyUs': 'us',
};

/**
 * The profile's value at a dotted path, or undefined when the path names no number.
 *
 * @public
 */
export function profileValue(profile: MachineProfile, path: string): number | undefined {
  let at: unknown = profile;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' ? at : undefined;
}

/**
 * Every numeric field path of `profile` (walked, not declared: what the data really holds).
 *
 * @public
 */
export function profileNumericPaths(profile: MachineProfile): string[] {
  const paths: string[] = [];
  const walk = (o: object, prefix: string): void => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix === '' ? k : `${prefix}.${k}`;
      if (typeof v === 'number' && p !== 'year') paths.push(p);
      else if (typeof v === 'object' && v !== null) walk(v, p);
    }
  };
  walk(profile, '');
  return paths;
}

/**
 * A profile's primitives as calibration-ledger entries, named `<profile>.<path>`. Every
 * numeric field walked from the profile gets one; a field without a source gets the source
 * `''`, which the ledger's completeness test refuses.
 *
 * @public
 */
export function profileParameters(profile: MachineProfile, sources: Readonly<Record<string, string>>): CalibrationParameter[] {
  return profileNumericPaths(profile).map((path) => ({
    name: `${profile.name}.${path}`,
    package: '@visorkit/core',
    value: profileValue(profile, path)!,
    unit: (PROFILE_PARAMETER_UNITS as Readonly<Record<string, string>>)[path] ?? extensionUnit(path) ?? '?',
    kind: 'primitive' as const,
    source: sources[path] ?? '',
    fittedTo: [],
  }));
}

/** The unit of `extensions.<key>.<name>`, as the plugin that declares it says. */
function extensionUnit(path: string): string | undefined {
  const m = /^extensions\.([^.]+)\.(.+)$/.exec(path);
  return m === null ? undefined : pluginPrimitiveUnit(m[1]!, m[2]!);
}
