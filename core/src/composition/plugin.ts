import type { ContainerModule } from 'inversify';
import type { Capability } from '../capabilities/capability.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { UnknownOptionError } from './composition-errors.js';

/** Names of the six single extension points, as their tokens' descriptions. */
export function pointName(token: symbol): string {
  return (token.description ?? String(token)).replace(/^visorkit\./, '');
}

/** A reason two plugins cannot be composed. */
export interface Incompatibility {
  /** The other plugin's name. */
  readonly plugin: string;
  /** Why (shown to the user). */
  readonly reason: string;
}

/** What a plugin author writes: see {@link definePlugin}. */
export interface PluginSpec<O extends object> {
  /** Plugin name (used in platform names and error messages). */
  readonly name: string;
  readonly version: string;
  /** One line for humans. */
  readonly description?: string;
  /** Extension-point tokens this plugin binds. */
  readonly provides: readonly symbol[];
  /** Capabilities this plugin makes work (the features table). */
  readonly capabilities: readonly Capability[];
  /**
   * Capabilities this plugin takes away from a composition, whoever else declares them
   * (containers on a shared kernel: no kernel modules, no second kernel, no migration).
   */
  readonly withholds?: readonly Capability[];
  /** One kernel serves every domain: a kernel fault takes all of them down. */
  readonly sharedKernel?: boolean;
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

/** A plugin, ready to compose: its spec plus the options it was configured with. */
export interface Plugin<O extends object = object> extends PluginSpec<O> {
  /** The effective options. */
  readonly options: O;
  /** A copy of this plugin with some options changed (unknown keys are refused). */
  configure(options: Partial<O>): Plugin<O>;
  /**
   * A copy that does not provide `points` (its module's bindings for them are removed), so
   * another plugin can provide them: e.g. a container plugin on native's kernel.
   */
  without(...points: symbol[]): Plugin<O>;
  /** Points this plugin's module binds but the composition must not take from it. */
  readonly omitted: readonly symbol[];
}

/**
 * Declares a plugin. The declared `provides` let `createHypervisor` check the composition
 * (each single point bound exactly once) before anything is bound, with errors that name the
 * plugin and the point.
 *
 * @example
 * export const lotteryPlugin = definePlugin({
 *   name: 'lottery', version: '1.0.0', provides: [VcpuScheduler], capabilities: [],
 *   defaults: { tickets: 100 },
 *   module: (o) => new ContainerModule(({ bind }) => { bind(VcpuScheduler).toConstantValue(new Lottery(o.tickets)); }),
 * });
 */
export function definePlugin<O extends object>(spec: PluginSpec<O>): Plugin<O> {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new InvalidArgumentError('plugin name', `'${spec.name}' must be lower-case letters, digits and dashes`);
  return makePlugin(spec, spec.defaults);
}

function makePlugin<O extends object>(spec: PluginSpec<O>, options: O, omitted: readonly symbol[] = []): Plugin<O> {
  spec.validate?.(options);
  return Object.freeze({
    ...spec,
    provides: spec.provides.filter((p) => !omitted.includes(p)),
    omitted,
    options: Object.freeze({ ...options }),
    configure(changes: Partial<O>): Plugin<O> {
      const known = Object.keys(spec.defaults);
      for (const key of Object.keys(changes)) if (!known.includes(key)) throw new UnknownOptionError(spec.name, key, known);
      return makePlugin(spec, { ...options, ...changes }, omitted);
    },
    without(...points: symbol[]): Plugin<O> {
      for (const p of points) {
        if (!spec.provides.includes(p)) throw new InvalidArgumentError('plugin', `'${spec.name}' does not provide ${pointName(p)}, so it cannot be left out`);
      }
      return makePlugin(spec, options, [...new Set([...omitted, ...points])]);
    },
  });
}
