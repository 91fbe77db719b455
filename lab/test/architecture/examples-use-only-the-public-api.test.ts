import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// lab/dist/test/architecture/<file>.js → the repository root.
const root = join(fileURLToPath(import.meta.url), '../../../../..');

/** Every workspace's package name → its folder (from the root package.json's workspaces). */
function workspaces(): Map<string, string> {
  const globs = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const out = new Map<string, string>();
  for (const w of globs) {
    const dirs = w.endsWith('/*') ? readdirSync(join(root, w.slice(0, -2))).map((d) => join(root, w.slice(0, -2), d)) : [join(root, w)];
    for (const d of dirs)
      if (existsSync(join(d, 'package.json'))) out.set((JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name: string }).name, d);
  }
  return out;
}

/** The source files of a folder, recursively. */
function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** The names each source file of the example in `dir` imports from each `@visorkit/*` package. */
function imports(dir: string): { file: string; pkg: string; name: string }[] {
  const out: { file: string; pkg: string; name: string }[] = [];
  for (const path of sources(join(dir, 'src'))) {
    const file = relative(root, path);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@visorkit\/[a-z-]+)'/g))
      for (const part of m[1]!.split(',')) {
        const name = part
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!
          .trim();
        if (name !== '') out.push({ file, pkg: m[2]!, name });
      }
    // Deep imports into another package's files would go round its public boundary.
    for (const m of text.matchAll(/from\s*'(@visorkit\/[a-z-]+\/[^']+)'/g)) out.push({ file, pkg: m[1]!, name: '(deep import)' });
  }
  return out;
}

/**
 * Examples written as an outside author would: they must build on the packages' public API
 * alone (an author outside the repository has nothing else).
 */
const OUTSIDE_AUTHORS = ['examples/page-sharing', 'examples/third-party-plugin'];

test('examples written as outside plugins import only what the packages export as public or beta: no internals, no deep imports', (t) => {
  const byName = workspaces();
  const seen = OUTSIDE_AUTHORS.flatMap((dir) => imports(join(root, dir)));
  t.true(seen.length > 20, 'the scan finds the imports');
  const offenders: string[] = [];
  for (const { file, pkg, name } of seen) {
    const dir = byName.get(pkg);
    if (dir === undefined) {
      offenders.push(`${file}: ${pkg} (${name}) is not a package's entry point`);
      continue;
    }
    const report = readFileSync(join(dir, 'etc', `${pkg.replace(/^@[^/]+\//, '')}.api.md`), 'utf8');
    const decl = new RegExp(`(// @(\\w+)[^\\n]*\\n)?(export )?(declare )?(abstract )?(class|function|const|interface|type|enum|namespace) ${name}\\b`).exec(
      report,
    );
    // Re-exports (inversify's decorators through core) stand as `export { name }`.
    if (decl === null && !report.includes(`export { ${name} }`)) offenders.push(`${file}: ${name} is not in ${pkg}'s API report`);
    else if (decl?.[2] === 'internal') offenders.push(`${file}: ${name} is @internal in ${pkg}`);
  }
  t.deepEqual(offenders, []);
});
