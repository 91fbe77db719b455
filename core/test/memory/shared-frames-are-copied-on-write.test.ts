import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  Capability,
  ContainerModule,
  DirtyLogging,
  GuestPhysicalMap,
  HYPERVISOR_OWNER,
  InvalidArgumentError,
  PRIVATE_CONTENT,
  ZERO_CONTENT,
  createHypervisor,
  definePlugin,
  describeContent,
  fileContent,
  fileIdentity,
  gfn,
  mfn,
  server2007,
  type Domain,
  type Hypervisor,
} from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const FRAMES = 8;

/** A machine with three domains and a map of its own that a platform follows (a listener). */
function setup(): { hv: Hypervisor; map: GuestPhysicalMap; ds: Domain[]; remaps: number[] } {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const map = new GuestPhysicalMap(hv.machine.memory);
  const remaps: number[] = [];
  map.onRemap((_d, g) => remaps.push(g));
  const ds = [0, 1, 2].map((i) => hv.createDomain({ name: `d${i}`, memoryMiB: 1 }));
  for (const d of ds) {
    map.add(d);
    for (let g = 0; g < FRAMES; g++) map.populate(d.vcpus[0]!, g);
  }
  return { hv, map, ds, remaps };
}

test('content keys: a fresh frame is zero, written bytes make it private, a copy carries its source, a file page names its file', (t) => {
  const { hv, map, ds } = setup();
  const memory = hv.machine.memory;
  const m = map.lookup(ds[0]!, 1);
  t.is(memory.contentOf(m), ZERO_CONTENT);
  memory.setContent(m, fileContent(fileIdentity('/lib/libc.so', 4096), 3));
  t.deepEqual(describeContent(memory.contentOf(m)), { kind: 'file', file: fileIdentity('/lib/libc.so', 4096), page: 3 });
  const n = map.lookup(ds[1]!, 1);
  memory.copy(n, m);
  t.is(memory.contentOf(n), memory.contentOf(m));
  memory.writeWord32(n, 0, 1);
  t.is(memory.contentOf(n), PRIVATE_CONTENT);
  map.wrote(ds[0]!, 1);
  t.is(memory.contentOf(m), PRIVATE_CONTENT, 'a store through a mapping makes the page private');
  memory.zero(m);
  t.is(memory.contentOf(m), ZERO_CONTENT);
  t.throws(() => fileContent(-1, 0), { instanceOf: InvalidArgumentError });
});

test('any sequence of shares, unshares, writes and destroys keeps every frame accounted for and every domain seeing only its own writes', (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('share' as const), d: fc.nat(2), g: fc.nat(FRAMES - 1), into: fc.nat(2), h: fc.nat(FRAMES - 1) }),
    fc.record({ kind: fc.constant('write' as const), d: fc.nat(2), g: fc.nat(FRAMES - 1), byte: fc.integer({ min: 1, max: 255 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const { hv, map, ds } = setup();
      const memory = hv.machine.memory;
      const free = memory.freeFrames;
      // What each guest frame must read: its last write, or what it held when it was shared.
      const expect = new Map<string, number>();
      for (const o of ops) {
        const d = ds[o.d]!;
        if (o.kind === 'write') {
          const m = map.unshare(d, gfn(o.g));
          memory.writeBytes(m, 0, Uint8Array.of(o.byte));
          expect.set(`${o.d}:${o.g}`, o.byte);
        } else {
          const other = ds[o.into]!;
          const target = map.lookup(other, o.h);
          if (target === map.lookup(d, o.g)) continue;
          // Only frames with identical bytes are shared: give d's frame the target's bytes first.
          const byte = expect.get(`${o.into}:${o.h}`) ?? 0;
          map.share(d, gfn(o.g), target);
          expect.set(`${o.d}:${o.g}`, byte);
        }
      }
      const one = new Uint8Array(1);
      for (const [key, byte] of expect) {
        const [di, g] = key.split(':').map(Number) as [number, number];
        memory.readBytes(map.lookup(ds[di]!, g), 0, one);
        if (one[0] !== byte) return false;
      }
      // Shared frames belong to the hypervisor; every guest frame is backed.
      for (const d of ds) for (let g = 0; g < FRAMES; g++) if (map.isShared(d, g) !== (memory.ownerOf(map.lookup(d, g)) === HYPERVISOR_OWNER)) return false;
      for (const d of ds) map.remove(d);
      return memory.freeFrames === free + 3 * FRAMES && map.sharedFrames === 0;
    }),
    { numRuns: 100, seed: 20 },
  );
  t.pass();
});

test('sharing is refused where no platform part follows a remap, and on 2 MiB host pages', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'd', memoryMiB: 1 });
  const map = new GuestPhysicalMap(hv.machine.memory);
  map.add(d);
  const a = mfn(map.populate(d.vcpus[0]!, 1));
  map.populate(d.vcpus[0]!, 2);
  t.throws(() => map.share(d, gfn(2), a), { instanceOf: InvalidArgumentError, message: /nested paging/ });
  const large = new GuestPhysicalMap(hv.machine.memory, true);
  large.onRemap(() => {});
  t.throws(() => large.share(d, gfn(2), a), { message: /2 MiB/ });
});

test("a composition's capabilities follow from the points bound: live migration needs a dirty log, whatever a plugin declares", (t) => {
  const claims = definePlugin({
    name: 'claims',
    version: '0.0.0',
    provides: [],
    capabilities: [Capability.LiveMigration, Capability.DevicePassthrough],
    defaults: {},
    module: () => new ContainerModule(() => {}),
  });
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin(), claims] });
  t.is(hv.dirtyLog, undefined);
  t.false(hv.has(Capability.LiveMigration), 'declared, but no plugin binds DirtyLogging');
  t.false(hv.has(Capability.DevicePassthrough), 'declared, but no plugin binds DeviceAssignment');
  const log: DirtyLogging = { startDirtyLog() {}, collectDirty: () => [], peekDirty: () => false, stopDirtyLog() {}, populatedFrames: () => [] };
  const logs = definePlugin({
    name: 'logs',
    version: '0.0.0',
    provides: [DirtyLogging],
    capabilities: [],
    defaults: {},
    module: () =>
      new ContainerModule((o) => {
        o.bind(DirtyLogging).toConstantValue(log);
      }),
  });
  const bound = createHypervisor({ machine: server2007, plugins: [logs, minimalPlugin()] });
  t.is(bound.dirtyLog, log);
  t.true(bound.has(Capability.LiveMigration), 'bound, though nobody declared it');
  // A binding of an optional point nobody declared is refused.
  const sneaky = definePlugin({
    name: 'sneaky',
    version: '0.0.0',
    provides: [],
    capabilities: [],
    defaults: {},
    module: () =>
      new ContainerModule((o) => {
        o.bind(DirtyLogging).toConstantValue(log);
      }),
  });
  t.throws(() => createHypervisor({ machine: server2007, plugins: [sneaky, minimalPlugin()] }), { message: /DirtyLogging/ });
});

test('a platform may guard shares instead of following remaps: only frames every guard allows are shared, on either side', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'd', memoryMiB: 1 });
  const map = new GuestPhysicalMap(hv.machine.memory);
  map.add(d);
  const v = d.vcpus[0]!;
  for (const g of [1, 2, 3]) map.populate(v, g);
  t.false(map.sharingSupported);
  const tables = new Set([3]);
  map.guardShares((_domain, g) => (tables.has(g) ? 'it is a page table' : undefined));
  t.true(map.sharingSupported);
  t.false(map.remapsFollowed);
  const one = mfn(map.lookup(d, 1));
  const three = mfn(map.lookup(d, 3));
  t.regex(map.shareRefusal(d, gfn(3), one) ?? '', /guest frame 3 .* page table/);
  t.regex(map.shareRefusal(d, gfn(2), three) ?? '', /guest frame 3 of 'd', which machine frame .* backs, cannot be shared: it is a page table/);
  t.throws(() => map.share(d, gfn(2), three), { instanceOf: InvalidArgumentError, message: /page table/ });
  t.is(map.shareRefusal(d, gfn(2), one), undefined);
  map.share(d, gfn(2), one);
  t.is(map.lookup(d, 2), one);
  t.is(map.framesSaved, 1);
});
