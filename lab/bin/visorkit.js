#!/usr/bin/env node
// The `visorkit` command. It exists before the build (so `npm ci` can link it) and loads
// the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('visorkit: the CLI is not built yet: run `npm run build` (or `npm start`) first.\n');
  process.exit(2);
}
await import(main);
