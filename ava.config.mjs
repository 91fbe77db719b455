// Tests run against compiled output (tsc -b first): esbuild-based loaders drop the
// decorator metadata that inversify relies on.
//
// Workspaces are read from the root package.json's "workspaces" globs (a trailing `/*`
// means every folder below with a package.json), so a new plugin or example's tests are
// picked up without editing a list here.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const patterns = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
const workspaces = patterns.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return existsSync(join(root, pattern, 'package.json')) ? [pattern] : [];
  const parent = pattern.slice(0, -2);
  return readdirSync(join(root, parent), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'package.json')))
    .map((d) => `${parent}/${d.name}`)
    .sort();
});
// The playground's tests drive a browser (`npm run test:browser`), not part of this suite.
const nodeWorkspaces = workspaces.filter((ws) => ws !== 'playground');

export default {
  files: nodeWorkspaces.map((ws) => `${ws}/test/**/*.test.ts`),
  typescript: {
    rewritePaths: Object.fromEntries(workspaces.map((ws) => [`${ws}/`, `${ws}/dist/`])),
    compile: false,
  },
  require: ['reflect-metadata'],
  timeout: '300s',
  workerThreads: true,
};
