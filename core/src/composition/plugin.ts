import type { ContainerModule } from 'inversify';
import type { Capability } from '../capabilities/capability.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { UnknownOptionError } from './composition-errors.js';

/**
 * Names of the six single extension points, as their tokens' descriptions.
 *
 * @public
 */
export function pointName(token: symbol): string {
  return (token.description ?? String(token)).replace(/^visorkit\./, '');
}

/**
 * A reason two plugins cannot be composed.
 *
 * @public
 */
export interface Incompatibility {
  /** The other plugin's name. */
  readonly plugin: string;
  /** Why (shown to the user). */
  readonly reason: string;
}

/**
 * A point a plugin provides only on top of another point of its own: its implementation of
 * `point` is part of its implementation of `on` (hw-assist's dirty logging and post-copy
 * paging are its paging model's; xen-pv's balloon is its memory's), so it cannot back another
 * plugin's `on`. See {@link PluginSpec.builtOn}.
 *
 * @public
 */
export interface PointDependency {
  /** The dependent point (e.g. `DirtyLogging`). */
  readonly point: symbol;
  /** The point of the same plugin it is built on (e.g. `MemoryVirtualization`). */
  readonly on: symbol;
}

/**
 * What a plugin author writes: see {@link definePlugin}.
 *
 * @public
 */
export interface PluginSpec<O extends object> {
  /** Plugin name (used in platform names and error messages). */
  readonly name: string;
  readonly version: string;
  /** One line for humans. */
  readonly description?: string;
  /**
   * Tokens this plugin binds and offers to the composition: extension points, and any other
   * service a second plugin might also offer (only one of them is then taken).
   */
  readonly provides: readonly symbol[];
  /**
   * Tokens this plugin needs another loaded plugin to provide (e.g. the kernel a container
   * plugin runs on). Checked before anything is bound.
   */
  readonly requires?: readonly symbol[];
  /**
   * Points this plugin wraps: another loaded plugin provides each of them, and this plugin's
   * module binds the point to its own implementation, which receives the wrapped one by
   * injecting {@link decorated}(point). The decorator is what everyone else resolves; it must
   * forward what it does not change (including the `DomainObserver` calls).
   */
  readonly decorates?: readonly symbol[];
  /**
   * Points this plugin provides only on top of another of its points. Composing the plugin
   * `without(on)` leaves each `point` built on it out too (transitively), since a replacing
   * plugin's `on` could not back it; the composition's errors then say so and how to fix it.
   */
  readonly builtOn?: readonly PointDependency[];
  /** Capabilities this plugin makes work (the features table). */
  readonly capabilities: readonly Capability[];
  /**
   * Capabilities this plugin takes away from a composition, whoever else declares them
   * (containers on a shared kernel: no kernel modules, no second kernel, no migration).
   */
  readonly withholds?: readonly Capability[];
  /** Plugins this one cannot be composed with, and why. */
  readonly incompatibleWith?: readonly Incompatibility[];
  /** Default options; the keys are the only options accepted. */
  readonly defaults: O;
  // Method syntax (not function-typed properties) keeps Plugin<O> assignable to Plugin.
  /** Checks option values (throw InvalidArgumentError). */
  validate?(options: O): void;
  /** Builds the inversify module that binds this plugin's implementations, given its options. */
  module(options: O): ContainerModule;
}

/**
 * A plugin, ready to compose: its spec plus the options it was configured with.
 *
 * @public
 */
export interface Plugin<O extends object = object> extends PluginSpec<O> {
  /** The effective options. */
  readonly options: O;
  /** A copy of this plugin with some options changed (unknown keys are refused). */
  configure(options: Partial<O>): Plugin<O>;
  /**
   * A copy that does not provide (or decorate) `points`, nor the points its spec declares
   * {@link PluginSpec.builtOn | built on} them: the composition never loads its module's
   * bindings for them, so another plugin can provide them — e.g. a container plugin on
   * native's kernel. Where the copy stands in the plugin list does not matter.
   */
  without(...points: symbol[]): Plugin<O>;
  /**
   * Points this plugin's module binds but the composition must not take from it: those named
   * in `without` and those built on them.
   */
  readonly omitted: readonly symbol[];
}

/**
 * Declares a plugin. The declared `provides`, `requires` and `decorates` let `createHypervisor`
 * check the composition (each single point provided exactly once, every requirement met, every
 * decorated point provided by someone else) before anything is bound, with errors that name
 * the plugin, the point and a fix; then it loads only the bindings it chose, so the order of
 * the plugin list never matters.
 *
 * @example
 * export const lotteryPlugin = definePlugin({
 *   name: 'lottery', version: '1.0.0', provides: [VcpuScheduler], capabilities: [],
 *   defaults: { tickets: 100 },
 *   module: (o) => new ContainerModule(({ bind }) => { bind(VcpuScheduler).toConstantValue(new Lottery(o.tickets)); }),
 * });
 *
 * @public
 */
export function definePlugin<O extends object>(spec: PluginSpec<O>): Plugin<O> {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new InvalidArgumentError('plugin name', `'${spec.name}' must be lower-case letters, digits and dashes`);
  for (const p of spec.decorates ?? []) {
    if (spec.provides.includes(p))
      throw new InvalidArgumentError(
        'plugin',
        `'${spec.name}' both provides and decorates ${pointName(p)}: a plugin either provides a point or wraps another plugin's`,
      );
  }
  const offered = (p: symbol): boolean => spec.provides.includes(p) || (spec.decorates ?? []).includes(p);
  for (const d of spec.builtOn ?? []) {
    for (const p of [d.point, d.on]) {
      if (!offered(p))
        throw new InvalidArgumentError(
          'plugin',
          `'${spec.name}' declares its ${pointName(d.point)} built on its ${pointName(d.on)}, but it neither provides nor decorates ${pointName(p)}: list ${pointName(p)} in its provides, or drop that builtOn entry`,
        );
    }
    if (d.point === d.on) throw new InvalidArgumentError('plugin', `'${spec.name}' declares ${pointName(d.point)} built on itself`);
  }
  return makePlugin(spec, spec.defaults);
}

/** `points` and, transitively, every point `spec` declares built on one of them. */
function withDependents(spec: PluginSpec<object>, points: Iterable<symbol>): symbol[] {
  const left = new Set(points);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of spec.builtOn ?? []) {
      if (left.has(d.on) && !left.has(d.point)) {
        left.add(d.point);
        grew = true;
      }
    }
  }
  return [...left];
}

function makePlugin<O extends object>(spec: PluginSpec<O>, options: O, omitted: readonly symbol[] = []): Plugin<O> {
  spec.validate?.(options);
  return Object.freeze({
    ...spec,
    provides: spec.provides.filter((p) => !omitted.includes(p)),
    decorates: (spec.decorates ?? []).filter((p) => !omitted.includes(p)),
    omitted,
    options: Object.freeze({ ...options }),
    configure(changes: Partial<O>): Plugin<O> {
      const known = Object.keys(spec.defaults);
      for (const key of Object.keys(changes)) if (!known.includes(key)) throw new UnknownOptionError(spec.name, key, known);
      return makePlugin(spec, { ...options, ...changes }, omitted);
    },
    without(...points: symbol[]): Plugin<O> {
      for (const p of points) {
        if (!spec.provides.includes(p) && !(spec.decorates ?? []).includes(p)) {
          throw new InvalidArgumentError(
            'plugin',
            `'${spec.name}' neither provides nor decorates ${pointName(p)}, so it cannot be left out (it provides ${spec.provides.map(pointName).join(', ') || 'nothing'})`,
          );
        }
      }
      return makePlugin(spec, options, withDependents(spec, [...omitted, ...points]));
    },
  });
}
