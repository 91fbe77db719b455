import type { MachineProfile } from '@visorkit/core';
import type { DomainInput, PlatformSpec } from '@visorkit/workloads';
import { UsageError } from '../cli/usage-error.js';
import { machineProfileSchema } from '../inputs/profile-schema.js';
import { platformDefinitions } from '../platforms/platform-registry.js';
import type { SweepPlatform, SweepPoint, SweepValue } from './sweep-point.js';

/** One `--vary key=v1,v2,…` axis. */
export interface SweepAxis {
  readonly key: string;
  readonly values: readonly SweepValue[];
}

/** The domain fields a `domain.<field>` axis may set. */
const DOMAIN_FIELDS = ['memoryMiB', 'currentMemoryMiB', 'vcpus', 'weight', 'cap'] as const;

/** `3` → 3, `true` → true, anything else stays text. */
function parseValue(raw: string): SweepValue {
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** Parses `key=v1,v2,…`; a key may be given once. */
export function parseVary(specs: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--vary '${spec}': expected key=v1,v2,… (e.g. profile.cpu.clockGhz=2,3, xen-pv.batchSize=1,64, domain.memoryMiB=128,256 or domains=1,4,16)`,
      );
    const key = spec.slice(0, eq).trim();
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw new UsageError(`--vary '${spec}': expected at least one value after '='`);
    if (axes.some((a) => a.key === key)) throw new UsageError(`--vary '${key}' is given twice: list all its values in one --vary`);
    axes.push({ key, values: values.map(parseValue) });
  }
  return axes;
}

/** What a sweep varies around. */
export interface SweepBase {
  readonly experiment: string;
  readonly profile: MachineProfile;
  readonly platforms: readonly PlatformSpec[];
  readonly domains: readonly DomainInput[];
}

function withPath(obj: Record<string, unknown>, path: readonly string[], value: SweepValue, key: string): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) throw new UsageError(`--vary '${key}': the profile has no field '${key.slice('profile.'.length)}'`);
  if (rest.length === 0) return { ...obj, [head]: value };
  const inner = obj[head];
  if (typeof inner !== 'object' || inner === null) throw new UsageError(`--vary '${key}': '${head}' is not a group of fields`);
  return { ...obj, [head]: withPath(inner as Record<string, unknown>, rest, value, key) };
}

/** Applies one axis value to a point under construction; checks it as it goes. */
function apply(point: SweepPoint, key: string, value: SweepValue): SweepPoint {
  const [scope, ...rest] = key.split('.');
  if (key === 'domains') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new UsageError(`--vary domains=${value}: expected a whole number of domains, at least 1`);
    return { ...point, domainCount: value };
  }
  if (scope === 'profile') {
    const changed = withPath(point.profile as unknown as Record<string, unknown>, rest, value, key);
    const ok = machineProfileSchema.safeParse(changed);
    if (!ok.success) throw new UsageError(`--vary ${key}=${value}: ${ok.error.issues.map((i) => `field '${i.path.join('.')}': ${i.message}`).join('; ')}`);
    return { ...point, profile: changed as unknown as MachineProfile };
  }
  if (scope === 'domain') {
    const field = rest.join('.') as (typeof DOMAIN_FIELDS)[number];
    if (!DOMAIN_FIELDS.includes(field)) throw new UsageError(`--vary '${key}': domains take ${DOMAIN_FIELDS.map((f) => `domain.${f}`).join(', ')}`);
    if (typeof value !== 'number' || !(value >= 0)) throw new UsageError(`--vary ${key}=${value}: expected a number`);
    const set = (d: DomainInput): DomainInput => ({ ...d, [field]: value });
    const every: DomainInput = point.everyDomain ?? { source: 'sweep', format: 'xl', disks: [], interfaces: [], ignored: [] };
    return { ...point, domains: point.domains.map(set), everyDomain: set(every) };
  }
  // A plugin's option, on every platform of the point that has that plugin.
  const option = rest.join('.');
  let found = false;
  const platforms = point.platforms.map((p): SweepPlatform => {
    const def = platformDefinitions.find((d) => d.name === p.name)!;
    const plugin = def.plugins.find((x) => x.name === scope);
    if (plugin === undefined) return p;
    found = true;
    const options = { ...p.options[scope!], [option]: value };
    try {
      plugin.configure(options);
    } catch (e) {
      throw new UsageError(`--vary ${key}=${value}: ${(e as Error).message}`);
    }
    return { ...p, options: { ...p.options, [scope!]: options } };
  });
  if (!found)
    throw new UsageError(
      `--vary '${key}': expected profile.<field>, domain.<field>, domains or <plugin>.<option> for a plugin of the chosen platforms (${[...new Set(point.platforms.flatMap((p) => platformDefinitions.find((d) => d.name === p.name)!.plugins.map((x) => x.name)))].join(', ')})`,
    );
  return { ...point, platforms };
}

/**
 * Every point of the grid: the cartesian product of the axes' values, each run with seeds
 * 1…`seeds`. Order: axes vary slowest-first as given, seeds fastest, so a table reads in order.
 */
export function sweepPoints(base: SweepBase, axes: readonly SweepAxis[], seeds: number): SweepPoint[] {
  let combos: Record<string, SweepValue>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.key]: v })));
  const start: Omit<SweepPoint, 'seed' | 'assignment'> = {
    experiment: base.experiment,
    profile: base.profile,
    platforms: base.platforms.map((p) => ({ name: p.name, options: {} })),
    domains: base.domains,
  };
  const points: SweepPoint[] = [];
  for (const assignment of combos) {
    let point: SweepPoint = { ...start, seed: 1, assignment };
    for (const [k, v] of Object.entries(assignment)) point = apply(point, k, v);
    for (let seed = 1; seed <= seeds; seed++) points.push({ ...point, seed });
  }
  return points;
}
