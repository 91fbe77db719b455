import type { ExampleDefinition } from '@visorkit/workloads';
import { discoverWorkspaces, type DiscoveredWorkspaces } from './discover-workspaces.js';

/**
 * What the bundled workspaces declare in their package.json's `visorkit` field, found when
 * lab loads (see {@link discoverWorkspaces}): a new example workspace is picked up without
 * editing a list. Node-only; the playground reads the same declarations at build time.
 *
 * @public
 */
export const bundledWorkspaces: DiscoveredWorkspaces = await discoverWorkspaces();

/**
 * The composed hypervisors of `examples/*`, runnable as `<example>:<experiment>`: every
 * example a workspace declares.
 *
 * @public
 */
export const exampleRegistry: readonly ExampleDefinition[] = bundledWorkspaces.examples;
