import test from 'ava';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// lab/dist/test/architecture/<file>.js → the repository root.
const root = join(fileURLToPath(import.meta.url), '../../../../..');
/** Every workspace the root package.json names (its `dir/*` globs expanded), so a new one is checked without editing a list. */
const WORKSPACES = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.flatMap((w) =>
  w.endsWith('/*')
    ? readdirSync(join(root, w.slice(0, -2)))
        .map((d) => `${w.slice(0, -2)}/${d}`)
        .filter((d) => existsSync(join(root, d, 'package.json')))
    : [w],
);
const BROWSER_SAFE = ['core', 'guest', 'conformance', 'workloads', 'plugins/native', 'plugins/xen-pv', 'plugins/vserver', 'plugins/hw-assist'];

function files(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

test('simulator packages import no Node built-ins, so they can run in a browser', (t) => {
  const offenders: string[] = [];
  for (const ws of BROWSER_SAFE) {
    for (const f of files(join(root, ws, 'dist/src'), '.js')) {
      const text = readFileSync(f, 'utf8');
      if (/from ['"](node:|fs|path|os|worker_threads|child_process)['"/]/.test(text)) offenders.push(relative(root, f));
    }
  }
  t.deepEqual(offenders, []);
});

test('core depends only on inversify, reflect-metadata and rxjs, and imports no other visorkit package', (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'core/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const deps = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  t.deepEqual([...deps].sort(), ['inversify', 'reflect-metadata', 'rxjs']);
  const importers = files(join(root, 'core/src'), '.ts').filter((f) => /from ['"]@visorkit\//.test(readFileSync(f, 'utf8')));
  t.deepEqual(importers, []);
});

test('plugins import only core (and guest), never another plugin, in their sources', (t) => {
  const offenders: string[] = [];
  for (const ws of WORKSPACES.filter((w) => w.startsWith('plugins/'))) {
    for (const f of files(join(root, ws, 'src'), '.ts')) {
      const m = readFileSync(f, 'utf8').match(/from ['"]@visorkit\/([a-z-]+)['"]/g) ?? [];
      for (const imp of m) if (!/@visorkit\/(core|guest)['"]/.test(imp)) offenders.push(`${relative(root, f)}: ${imp}`);
    }
  }
  t.deepEqual(offenders, []);
});

test('every workspace references in tsconfig exactly the visorkit packages it depends on', (t) => {
  const byName = new Map<string, string>();
  for (const ws of WORKSPACES) byName.set((JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')) as { name: string }).name, ws);
  for (const ws of WORKSPACES) {
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const tsconfig = JSON.parse(readFileSync(join(root, ws, 'tsconfig.json'), 'utf8')) as { references?: { path: string }[] };
    const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]
      .filter((d) => d.startsWith('@visorkit/'))
      .map((d) => byName.get(d) ?? d)
      .sort();
    const refs = (tsconfig.references ?? []).map((r) => relative(root, join(root, ws, r.path))).sort();
    t.deepEqual(refs, deps, `${ws}: tsconfig references vs package.json dependencies`);
  }
});
