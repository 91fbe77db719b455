import test from 'ava';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from '../packaging/pack-workspaces.js';

/**
 * Words of the bundled plugins' designs: a hypervisor's names (Xen, its Dom0, its ring-1
 * guest kernels, its schedulers and their parameters, its validation cost), a container
 * system's (VServer, a shared kernel and its faults), and the other products a plugin may
 * model. Core names hardware and contracts; a plugin names its design (STYLE.md).
 */
const VOCABULARY = /xen|vserver|\bring ?1\b|warp|ptevalidate|pte-validate|dom0|\bbvt\b|credit ?scheduler|\bhvm\b|\bkvm\b|vmware|shared ?kernel|kernel ?fault/i;

/**
 * Identifiers in core that cite the software whose documented constants they hold, not a
 * plugin: each with why. A new entry needs a reason as good.
 */
const CITATIONS: Readonly<Record<string, string>> = {
  XEN_PRECOPY: "pre-copy limits of Xen's save tool (xc_domain_save), a documented constant of the software that defined live migration",
  XEN_2005_PRECOPY: 'the same save tool as Clark et al. (NSDI 2005) measured it',
  XEN_2005_STUN_WRITE_FAULTS: "that save tool's stunning threshold (Clark et al. §5.4), a constant of the same pre-copy algorithm",
  xenPrecopyPolicy: "the save tool's stop rule, as a policy",
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Source text with comments blanked (line numbers kept). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/**
 * Lines of `text` whose code names a plugin concept. String literals of the profiles' sources
 * and descriptions are citations of the papers and manuals a primitive comes from (the
 * ledger's sources), so a profile file's strings are left out; everything else counts,
 * identifiers and messages alike.
 */
function offences(text: string, citationsOnly: boolean): string[] {
  const found: string[] = [];
  code(text)
    .split('\n')
    .forEach((line, i) => {
      const scanned = (citationsOnly ? line.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''") : line).replace(
        /\b[A-Za-z_][A-Za-z0-9_]*\b/g,
        (word) => (CITATIONS[word] !== undefined ? '' : word),
      );
      const m = VOCABULARY.exec(scanned);
      if (m !== null) found.push(`${i + 1}: '${m[0]}' in ${line.trim().slice(0, 120)}`);
    });
  return found;
}

test("core's code names no plugin concept (Xen, ring 1, BVT's warp, pteValidate, Dom0, VServer, shared kernels…)", (t) => {
  const core = join(root, 'core/src');
  const found: string[] = [];
  for (const file of sources(core)) {
    const rel = relative(root, file);
    for (const o of offences(readFileSync(file, 'utf8'), rel.startsWith('core/src/machine/profiles/'))) found.push(`${rel}:${o}`);
  }
  t.deepEqual(found, [], 'move these into the plugin that needs them, typed through its own token or extension');
});

test('the scan is real: it finds a plugin word in code and messages, not in comments, and lets the listed citations pass', (t) => {
  const sample = [
    "export type KernelPrivilege = 'ring0' | 'ring1';",
    '// Xen does this in ring 1, as a comment may say',
    "throw new Error('needs Dom0');",
    'const limits = XEN_PRECOPY;',
    'readonly warpMs?: number;',
    '/** BVT warp, in a doc comment */',
  ].join('\n');
  t.deepEqual(
    offences(sample, false).map((o) => o.split(':')[0]),
    ['1', '3', '5'],
  );
  t.deepEqual(offences("description: 'the Xen paper testbed',", true), []);
  t.is(offences("pteValidate: 120, // Xen's", true).length, 1);
});
