import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { visorkit } from '../cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'visorkit-domains-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

interface Row {
  platform: string;
  metric: string;
  value: number;
  domain?: string;
  weight?: number;
}

test('run --domain shapes the domains the experiment creates: a heavier xl.cfg domain gets more CPU', (t) => {
  const heavy = file('heavy.cfg', 'name = "heavy"\ncpu_weight = 2048\nmemory = 64\nvfb = [ "vnc=1" ]\n');
  const plain = visorkit('run', 'cpu-share', '--profile', 'server-2007', '--platforms', 'xen-pv', '--json');
  const shaped = visorkit('run', 'cpu-share', '--profile', 'server-2007', '--platforms', 'xen-pv', '--json', '--domain', heavy);
  t.is(plain.status, 0, plain.stderr);
  t.is(shaped.status, 0, shaped.stderr);
  t.regex(shaped.stderr, /heavy\.cfg: ignored vfb: no framebuffer is modelled/);
  const share = (out: string, domain: string): Row =>
    (JSON.parse(out) as { results: Row[] }).results.find((r) => r.metric === 'cpu-share' && r.domain === domain)!;
  const before = share(plain.stdout, 'w0');
  const after = share(shaped.stdout, 'heavy');
  t.is(after.weight, 2048);
  t.true(after.value > 3 * before.value, `weight 2048 instead of 128: share ${after.value} vs ${before.value}`);
  const doc = JSON.parse(shaped.stdout) as { domains: { source: string; ignored: unknown[] }[] };
  t.is(doc.domains[0]!.source, heavy);
});

test('a libvirt XML written elsewhere runs the micro-benchmarks on native and xen-pv', (t) => {
  const xml = file(
    'web.xml',
    "<domain type='xen'><name>web</name><memory unit='MiB'>1536</memory><vcpu>1</vcpu><devices><graphics type='vnc'/></devices></domain>",
  );
  const r = visorkit('run', 'micro', '--profile', 'server-2007', '--platforms', 'native,xen-pv', '--json', '--domain', xml);
  t.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { domains: { memoryMiB: number }[]; results: Row[] };
  t.is(doc.domains[0]!.memoryMiB, 1536);
  t.deepEqual([...new Set(doc.results.map((x) => x.platform))], ['native', 'xen-pv']);
  t.regex(r.stderr, /web\.xml: ignored \/domain\/devices\[0\]\/graphics\[0\]/);
});

test('a malformed xl.cfg exits 2 with one line naming the file and the line', (t) => {
  const bad = file('bad.cfg', 'name = "x"\nmemory = 512\ndisk = [ "phy:/dev/x,xvda,w"\nvcpus = 1\n');
  const r = visorkit('run', 'micro', '--profile', 'server-2007', '--platforms', 'native', '--domain', bad);
  t.is(r.status, 2);
  t.is(r.stdout, '');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /bad\.cfg:4: expected ',' or '\]' in the list opened on line 3/);
});

test('files beyond the domains an experiment creates are reported as not used', (t) => {
  const a = file('a.cfg', 'memory = 64\n');
  const r = visorkit(
    'run',
    'cpu-share',
    '--profile',
    'server-2007',
    '--platforms',
    'native',
    '--json',
    ...Array.from({ length: 17 }, () => ['--domain', a]).flat(),
  );
  t.is(r.status, 0, r.stderr);
  t.regex(r.stderr, /a\.cfg: not used/);
});
