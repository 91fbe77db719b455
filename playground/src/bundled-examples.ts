/// <reference types="vite/client" />
// The examples the playground offers: every workspace under examples/ whose package.json
// declares a `visorkit` field, read the way the CLI reads it (contributionOf). Vite resolves
// the globs when it bundles, so a new example workspace appears here without editing a list.
import { contributionOf, declaresVisorkit } from '@visorkit/lab/browser';
import type { ExampleDefinition } from '@visorkit/workloads';

interface Manifest {
  readonly name: string;
  readonly visorkit?: unknown;
}

const manifests = import.meta.glob<Manifest>('../../examples/*/package.json', { eager: true, import: 'default' });
const entries = import.meta.glob<Record<string, unknown>>('../../examples/*/dist/src/index.js', { eager: true });

/** Every declared example, in workspace-folder order (as the CLI lists them). */
export const exampleRegistry: readonly ExampleDefinition[] = Object.keys(manifests)
  .sort()
  .flatMap((path) => {
    const manifest = manifests[path]!;
    if (!declaresVisorkit(manifest)) return [];
    const entry = entries[path.replace(/package\.json$/, 'dist/src/index.js')];
    if (entry === undefined) throw new Error(`${manifest.name} declares "visorkit" but has no built entry point (run npx tsc -b)`);
    return contributionOf(manifest.name, manifest.visorkit, entry).examples;
  });
