import { BlockBackend } from '../block/block-backend.js';
import { CpuVirtualization } from '../cpu/cpu-virtualization.js';
import { MemoryVirtualization } from '../memory/memory-virtualization.js';
import { DirtyLogging } from '../memory/dirty-logging.js';
import { PostCopyPaging } from '../memory/post-copy-paging.js';
import { MemoryBalloon } from '../memory/memory-balloon.js';
import { DeviceAssignment } from '../devices/device-assignment.js';
import { NetworkBackend } from '../network/network-backend.js';
import { VcpuScheduler } from '../scheduler/vcpu-scheduler.js';
import { TimeKeeping } from '../time/time-keeping.js';
import {
  DecorationError,
  DuplicateExtensionPointError,
  MissingExtensionPointError,
  MissingRequirementError,
  UnsoundCompositionError,
} from './composition-errors.js';
import { pointName, type Plugin } from './plugin.js';

/**
 * The six extension points every hypervisor needs exactly once.
 *
 * @public
 */
export const SINGLE_EXTENSION_POINTS: readonly symbol[] = [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend];

/**
 * The optional extension points: each bound by at most one plugin, which must list it in its
 * `provides` (a binding nobody declared is refused, so two plugins cannot both bind one).
 *
 * @public
 */
export const OPTIONAL_EXTENSION_POINTS: readonly symbol[] = [DirtyLogging, PostCopyPaging, MemoryBalloon, DeviceAssignment];

/**
 * What a composition will load, decided from the plugins' declarations alone: who provides
 * and who decorates each point. The plugins are in a canonical order (providers of more
 * points first, decorators last, then by name), so the plan — and everything built from it —
 * is the same whatever order the plugins were listed in.
 *
 * @beta
 */
export interface CompositionPlan {
  /** The plugins in canonical order. */
  readonly plugins: readonly Plugin[];
  /** The composition's name: the plugin names in canonical order, joined with '+'. */
  readonly name: string;
  /** Tokens whose bindings the composition chooses (declared by some plugin, or single points). */
  readonly managed: ReadonlySet<symbol>;
  /** The plugin whose binding of `token` is taken, if any. */
  provider(token: symbol): Plugin | undefined;
  /** The plugin that wraps `token`'s provider, if any. */
  decorator(token: symbol): Plugin | undefined;
}

/** Canonical rank: plugins providing more points come first, pure decorators last. */
function compareForComposition(a: Plugin, b: Plugin): number {
  const weight = (p: Plugin): number => (p.provides.length === 0 && (p.decorates?.length ?? 0) > 0 ? -1 : p.provides.length);
  return weight(b) - weight(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Why `plugin` does not offer `point`, as the remedy of a composition error: it was composed
 * `without` it, or without the point it is built on. Undefined when it was not left out.
 */
function leftOutRemedy(plugin: Plugin, point: symbol): string | undefined {
  if (!plugin.omitted.includes(point)) return undefined;
  const name = pointName(point);
  const base = (plugin.builtOn ?? []).find((d) => d.point === point && plugin.omitted.includes(d.on));
  if (base === undefined) return `'${plugin.name}' would provide it but is composed with .without(${name}): drop ${name} from that without()`;
  const on = pointName(base.on);
  return (
    `'${plugin.name}' would provide it, but its ${name} is built on its ${on}, which it is composed without (.without(${on}) leaves ${name} out too): ` +
    `have the plugin that replaces ${on} provide ${name} as well, or compose '${plugin.name}' with its ${on}`
  );
}

/**
 * The fix for `point` missing from a composition of `plugins`: "'native' would provide it but
 * is composed with .without(X): drop X from that without()" (or, for a point built on one it
 * was composed without, which plugin must provide it instead), or the plain fix.
 *
 * @internal
 */
export function remedyFor(point: symbol, plugins: readonly Plugin[]): string {
  const name = pointName(point);
  const leftOut = plugins.map((p) => leftOutRemedy(p, point)).filter((r) => r !== undefined);
  if (leftOut.length > 0) return `${leftOut.join('; ')}; or add a plugin whose provides lists ${name}.`;
  return `Add a plugin whose provides lists ${name}.`;
}

/**
 * Checks the plugins' declared metadata and decides the composition, before anything is
 * bound: no plugin twice, no declared incompatibility, each single point and each other
 * provided token provided at most (single points: exactly) once, every requirement met by
 * another plugin, every decorated point provided by another plugin and decorated at most once.
 * Throws a typed error naming the plugin, the point and the fix.
 *
 * @beta
 */
export function planComposition(plugins: readonly Plugin[]): CompositionPlan {
  const ordered = [...plugins].sort(compareForComposition);
  const names = ordered.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined)
    throw new UnsoundCompositionError(
      [dup, dup],
      'the same plugin is loaded twice; list it once (configure it with .configure(...) if the copies differ in options)',
    );
  for (const p of ordered) {
    for (const bad of p.incompatibleWith ?? []) {
      if (names.includes(bad.plugin)) throw new UnsoundCompositionError([p.name, bad.plugin], bad.reason);
    }
  }
  const managed = new Set<symbol>([...SINGLE_EXTENSION_POINTS, ...OPTIONAL_EXTENSION_POINTS]);
  for (const p of ordered) for (const t of [...p.provides, ...(p.decorates ?? []), ...p.omitted]) managed.add(t);

  const providers = new Map<symbol, Plugin>();
  for (const token of managed) {
    const by = ordered.filter((p) => p.provides.includes(token));
    if (by.length > 1)
      throw new DuplicateExtensionPointError(
        pointName(token),
        by.map((p) => p.name),
      );
    if (by.length === 1) providers.set(token, by[0]!);
  }
  const decorators = new Map<symbol, Plugin>();
  for (const p of ordered) {
    for (const token of p.decorates ?? []) {
      const other = decorators.get(token);
      if (other !== undefined)
        throw new DecorationError(
          [other.name, p.name],
          pointName(token),
          'a point takes one decorator; leave one out with .without(' + pointName(token) + '), or have one decorator wrap the other itself',
        );
      if (!providers.has(token)) throw new DecorationError([p.name], pointName(token), `no other loaded plugin provides it. ${remedyFor(token, ordered)}`);
      decorators.set(token, p);
    }
  }
  for (const p of ordered) {
    for (const token of p.requires ?? []) {
      const by = providers.get(token);
      if (by === undefined || by === p) throw new MissingRequirementError(p.name, pointName(token), remedyFor(token, ordered));
    }
  }
  for (const point of SINGLE_EXTENSION_POINTS) {
    if (!providers.has(point)) throw new MissingExtensionPointError(pointName(point), names, remedyFor(point, ordered));
  }
  return {
    plugins: ordered,
    name: names.join('+'),
    managed,
    provider: (token) => providers.get(token),
    decorator: (token) => decorators.get(token),
  };
}
