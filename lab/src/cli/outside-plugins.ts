import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExampleDefinition, Experiment, PlatformSpec } from '@visorkit/workloads';
import { bundledWorkspaces } from '../examples/example-registry.js';
import { experimentRegistry } from '../experiments/experiment-registry.js';
import { security } from '../security/security-experiment.js';
import { platformRegistry } from '../platforms/platform-registry.js';
import { UsageError } from './usage-error.js';

/**
 * What an outside module gives the CLI, as named exports or as its default export: platforms
 * for `--platforms`, examples for `run <example>:<experiment>`, experiments for
 * `run <experiment>`. A `visorkit.config.js` has the same shape plus `plugins`, module paths
 * (relative to the config file) to load as if each were given with `--plugin`.
 *
 * @example
 * ```js
 * // my-scheduler.js, run as: npx visorkit run cpu-share --profile modern --platforms native+mine --plugin ./my-scheduler.js
 * export const platforms = [definePlatform({ name: 'native+mine', description: '…', isolation: 'processes', plugins: [minePlugin, nativePlugin.without(VcpuScheduler)] })];
 * ```
 *
 * @beta
 */
export interface VisorkitConfig {
  readonly plugins?: readonly string[];
  readonly platforms?: readonly PlatformSpec[];
  readonly examples?: readonly ExampleDefinition[];
  readonly experiments?: readonly Experiment[];
}

/**
 * The platforms, examples and experiments the CLI knows: the bundled ones plus outside modules'.
 *
 * @public
 */
export interface Registries {
  readonly platforms: readonly PlatformSpec[];
  readonly examples: readonly ExampleDefinition[];
  readonly experiments: readonly Experiment[];
}

/**
 * The bundled registries alone: lab's platforms and experiments plus what the workspaces
 * found by {@link discoverWorkspaces} declare.
 *
 * @public
 */
export const bundledRegistries: Registries = {
  platforms: [...platformRegistry, ...bundledWorkspaces.platforms],
  // security runs the fuzzer (fast-check, Node's timers): the CLI's, not the browser registry's.
  examples: bundledWorkspaces.examples,
  experiments: [...experimentRegistry, ...bundledWorkspaces.experiments, security],
};

/**
 * The config file looked for in the working folder.
 *
 * @beta
 */
export const CONFIG_FILE = 'visorkit.config.js';

function contribution(mod: Record<string, unknown>, where: string): VisorkitConfig {
  const source = (typeof mod.default === 'object' && mod.default !== null ? mod.default : mod) as Record<string, unknown>;
  const out: Record<string, readonly unknown[]> = {};
  for (const key of ['plugins', 'platforms', 'examples', 'experiments'] as const) {
    const value = source[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw new UsageError(`${where}: '${key}' must be an array, got ${typeof value}`);
    out[key] = value;
  }
  return out as VisorkitConfig;
}

async function importModule(path: string, base: string): Promise<Record<string, unknown>> {
  const file = isAbsolute(path) ? path : resolve(base, path);
  if (!existsSync(file)) throw new UsageError(`plugin module '${path}' not found (looked for ${file})`);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`plugin module '${path}' failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checkShape(c: VisorkitConfig, where: string): void {
  for (const p of c.platforms ?? []) {
    const spec = p as Partial<PlatformSpec>;
    if (typeof spec.name !== 'string' || typeof spec.compose !== 'function')
      throw new UsageError(`${where}: every platform needs a name and compose() — build it with definePlatform() from @visorkit/workloads`);
  }
  for (const e of c.examples ?? []) {
    const ex = e as Partial<ExampleDefinition>;
    if (typeof ex.name !== 'string' || !Array.isArray(ex.platforms) || !Array.isArray(ex.experiments) || ex.profile === undefined)
      throw new UsageError(`${where}: every example needs a name, a profile, platforms and experiments (an ExampleDefinition)`);
  }
  for (const e of c.experiments ?? []) {
    const ex = e as Partial<Experiment>;
    if (typeof ex.id !== 'string' || typeof ex.run !== 'function') throw new UsageError(`${where}: every experiment needs an id and run() (an Experiment)`);
  }
}

function addUnique<T>(into: T[], items: readonly T[], nameOf: (x: T) => string, what: string, where: string): void {
  for (const item of items) {
    const name = nameOf(item);
    if (into.some((x) => nameOf(x) === name)) throw new UsageError(`${where} adds ${what} '${name}', but one of that name is already known; rename it`);
    into.push(item);
  }
}

/**
 * The registries with outside modules added: `visorkit.config.js` in `cwd` if there is one
 * (and the modules its `plugins` name), then each `--plugin` path (relative to `cwd`). A name
 * already taken, a module that is missing, fails to load or contributes nothing is a
 * UsageError naming it.
 *
 * @beta
 */
export async function loadRegistries(pluginPaths: readonly string[], cwd: string): Promise<Registries> {
  const platforms = [...bundledRegistries.platforms];
  const examples = [...bundledRegistries.examples];
  const experiments = [...bundledRegistries.experiments];
  const add = (c: VisorkitConfig, where: string): void => {
    checkShape(c, where);
    addUnique(platforms, c.platforms ?? [], (p) => p.name, 'platform', where);
    addUnique(examples, c.examples ?? [], (e) => e.name, 'example', where);
    addUnique(experiments, c.experiments ?? [], (e) => e.id, 'experiment', where);
  };
  const loadPlugin = async (path: string, base: string, from: string): Promise<void> => {
    const c = contribution(await importModule(path, base), `plugin module '${path}'`);
    if ((c.platforms?.length ?? 0) + (c.examples?.length ?? 0) + (c.experiments?.length ?? 0) === 0) {
      throw new UsageError(
        `plugin module '${path}'${from} contributes nothing: export platforms, examples or experiments (see docs/running-outside-plugins.md)`,
      );
    }
    add(c, `plugin module '${path}'`);
  };
  const config = resolve(cwd, CONFIG_FILE);
  if (existsSync(config)) {
    const c = contribution(await importModule(config, cwd), CONFIG_FILE);
    add(c, CONFIG_FILE);
    for (const path of c.plugins ?? []) {
      if (typeof path !== 'string') throw new UsageError(`${CONFIG_FILE}: 'plugins' lists module paths, got ${typeof path}`);
      await loadPlugin(path, dirname(config), ` (from ${CONFIG_FILE})`);
    }
  }
  for (const path of pluginPaths) await loadPlugin(path, cwd, '');
  return { platforms, examples, experiments };
}

/**
 * Commander's collector for a repeatable `--plugin` option.
 *
 * @internal
 */
export function collectPluginPath(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}
