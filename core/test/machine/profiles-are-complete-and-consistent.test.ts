import test from 'ava';
import { InvalidArgumentError } from '../../src/errors/visorkit-error.js';
import type { MachineProfile } from '../../src/machine/machine-profile.js';
import { bundledProfiles, findProfile, modern, server2007, xeon2003 } from '../../src/machine/profiles/index.js';

const NAMES = ['xeon-2003', 'server-2007', 'modern'];

/** Every numeric leaf of a profile, with its dotted path. */
function numericFields(value: unknown, path: string): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => numericFields(v, path === '' ? key : `${path}.${key}`));
}

test('the bundled profiles are exactly xeon-2003, server-2007 and modern, oldest first', (t) => {
  t.deepEqual(
    bundledProfiles.map((p) => p.name),
    NAMES,
  );
  t.deepEqual([xeon2003.name, server2007.name, modern.name], NAMES);
  t.true(bundledProfiles.every((p, i) => i === 0 || p.year > bundledProfiles[i - 1]!.year));
});

test('every numeric field is finite and non-negative, and the clock is positive', (t) => {
  for (const p of bundledProfiles) {
    const fields = numericFields(p, '');
    t.true(fields.length >= 36, `${p.name} has all 36 numeric fields of MachineProfile (found ${fields.length})`);
    for (const [path, v] of fields) t.true(Number.isFinite(v) && v >= 0, `${p.name}.${path} = ${v}`);
    t.true(p.cpu.clockGhz > 0, `${p.name}.cpu.clockGhz`);
    t.true(p.cpu.cores >= 1 && Number.isInteger(p.cpu.cores), `${p.name}.cpu.cores`);
  }
});

test('VM exits cost something exactly when the CPU has hardware virtualisation, and nested paging needs it', (t) => {
  for (const p of bundledProfiles) {
    t.is(p.costs.vmExitRoundTrip === 0, !p.cpu.hardwareVirtualization, p.name);
    if (p.cpu.nestedPaging) t.true(p.cpu.hardwareVirtualization, `${p.name}: nested paging without VT-x`);
    if (p.cpu.taggedTlb) t.true(p.cpu.hardwareVirtualization, `${p.name}: tagged TLB without VT-x`);
  }
});

test('each era has the hardware features the brief assigns it', (t) => {
  const features = (p: MachineProfile) => [p.cpu.hardwareVirtualization, p.cpu.nestedPaging, p.cpu.taggedTlb, p.memory.pageTableFormat];
  t.deepEqual(features(xeon2003), [false, false, false, '2-level']);
  t.deepEqual(features(server2007), [true, false, false, 'pae-3-level']);
  t.deepEqual(features(modern), [true, true, true, '4-level']);
  t.true(modern.nic.sriovVirtualFunctions > 0 && modern.nic.iommu);
  for (const p of [xeon2003, server2007]) t.true(p.nic.sriovVirtualFunctions === 0 && !p.nic.iommu, p.name);
});

test('a flash disk has no spindle and no seek; a rotating one has both', (t) => {
  for (const p of bundledProfiles) {
    if (p.disk.kind === 'flash') {
      t.is(p.disk.rpm, 0, p.name);
      t.is(p.disk.averageSeekMs, 0, p.name);
    } else {
      t.true(p.disk.rpm > 0 && p.disk.averageSeekMs > 0, p.name);
    }
  }
  t.is(modern.disk.kind, 'flash');
});

test('sizes and costs are internally consistent', (t) => {
  for (const p of bundledProfiles) {
    t.true(p.cache.llcKiB >= p.cache.l2KiB && p.cache.l2KiB > p.cache.l1dKiB, `${p.name}: cache sizes`);
    t.true(p.costs.pageCopy > p.costs.pageZero, `${p.name}: a copy moves twice the bytes of a zero`);
    t.true(p.costs.pteWrite < p.costs.syscallRoundTrip && p.costs.syscallRoundTrip <= p.costs.trapRoundTrip, `${p.name}: store < syscall <= trap`);
    t.true(p.memory.referenceLatencyNs * p.cpu.clockGhz > p.memory.cacheHitCycles, `${p.name}: DRAM slower than a cache hit`);
    t.true(p.link.gbps <= p.nic.gbps, `${p.name}: link no faster than the NIC`);
  }
});

test('findProfile returns bundled profiles by name', (t) => {
  for (const name of NAMES) t.is(findProfile(name).name, name);
  t.is(findProfile('modern'), modern);
});

test('findProfile of an unknown name throws InvalidArgumentError naming the known profiles', (t) => {
  const e = t.throws(() => findProfile('pentium-pro'), { instanceOf: InvalidArgumentError });
  t.regex(e!.message, /pentium-pro/);
  for (const name of NAMES) t.true(e!.message.includes(name), `message names ${name}: ${e!.message}`);
});
