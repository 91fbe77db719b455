import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  Capability,
  ContainerModule,
  DirtyLogging,
  InvalidArgumentError,
  Machine,
  MemoryBalloon,
  MemoryVirtualization,
  MissingRequirementError,
  PostCopyPaging,
  UnsupportedCapabilityError,
  createHypervisor,
  definePlugin,
  pointName,
  server2007,
  type Domain,
  type Gfn,
} from '../../src/index.js';
import { MinimalMemory, minimalPlugin } from '../support/minimal-plugin.js';

/** A dirty log that can only work on its own plugin's memory: it reads that memory's frame count. */
class OwnDirtyLog {
  constructor(readonly memory: MemoryVirtualization) {}
  startDirtyLog(): void {}
  collectDirty(): Gfn[] {
    return [];
  }
  peekDirty(): boolean {
    return false;
  }
  stopDirtyLog(): void {}
  populatedFrames(d: Domain): Gfn[] {
    return Array.from({ length: this.memory.frames(d) }, (_, i) => i as Gfn);
  }
}

const base = minimalPlugin('base');
/** 'base' plus a dirty log built on its memory, declared so. */
const withLog = definePlugin({
  ...base,
  name: 'with-log',
  provides: [...base.provides, DirtyLogging],
  builtOn: [{ point: DirtyLogging, on: MemoryVirtualization }],
  capabilities: [Capability.LiveMigration],
  module: (o: object) =>
    new ContainerModule((opts) => {
      const loaded = base.module(o as typeof base.options).load(opts);
      opts.bind(DirtyLogging).toDynamicValue((c) => new OwnDirtyLog(c.get(MemoryVirtualization)));
      return loaded;
    }),
});
/** Another plugin's memory, to replace 'with-log''s. */
const otherMemory = definePlugin({
  name: 'other-memory',
  version: '0.0.0',
  provides: [MemoryVirtualization],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(MemoryVirtualization)
        .toDynamicValue((c) => new MinimalMemory(c.get(Machine)))
        .inSingletonScope();
    }),
});

test("without(MemoryVirtualization) also leaves out the points built on it, so a replacing memory plugin is never given the first plugin's dirty log", (t) => {
  const bare = withLog.without(MemoryVirtualization);
  t.false(bare.provides.includes(DirtyLogging));
  t.true(bare.omitted.includes(DirtyLogging));
  for (const plugins of [
    [bare, otherMemory],
    [otherMemory, bare],
  ]) {
    const hv = createHypervisor({ machine: server2007, plugins });
    t.is(hv.dirtyLog, undefined, "with-log's dirty log would read a memory nobody uses");
    t.false(hv.has(Capability.LiveMigration));
    const e = t.throws(() => hv.require(Capability.LiveMigration), { instanceOf: UnsupportedCapabilityError });
    // The plugin, the point, the point it is built on, and the fix.
    t.regex(e.message, /needs the DirtyLogging point/);
    t.regex(e.message, /'with-log' would provide it, but its DirtyLogging is built on its MemoryVirtualization, which it is composed without/);
    t.regex(e.message, /have the plugin that replaces MemoryVirtualization provide DirtyLogging as well, or compose 'with-log' with its MemoryVirtualization/);
  }
  // Whole, the plugin keeps both.
  const whole = createHypervisor({ machine: server2007, plugins: [withLog] });
  t.not(whole.dirtyLog, undefined);
  t.true(whole.has(Capability.LiveMigration));
});

test('a plugin that requires a point left out with the one it is built on is told which plugin, which point and the fix', (t) => {
  const migrator = minimalPlugin('migrator', []);
  const needy = definePlugin({ ...migrator, requires: [DirtyLogging] });
  const e = t.throws(() => createHypervisor({ machine: server2007, plugins: [needy, withLog.without(MemoryVirtualization), otherMemory] }), {
    instanceOf: MissingRequirementError,
  });
  t.regex(e.message, /Plugin 'migrator' requires DirtyLogging/);
  t.regex(e.message, /'with-log' would provide it, but its DirtyLogging is built on its MemoryVirtualization/);
  t.true(createHypervisor({ machine: server2007, plugins: [needy, withLog] }).dirtyLog !== undefined);
});

test('without() leaves out exactly the points built on the given ones, transitively (any dependency graph)', (t) => {
  const points = [DirtyLogging, PostCopyPaging, MemoryBalloon];
  const all = [MemoryVirtualization, ...points];
  // Edges only from later to earlier points in `all`, so the graph has no cycle.
  const edge = fc.tuple(fc.integer({ min: 1, max: all.length - 1 }), fc.nat(all.length - 2)).map(([from, to]) => ({ point: all[from]!, on: all[to % from]! }));
  fc.assert(
    fc.property(fc.array(edge, { maxLength: 6 }), fc.subarray(all, { minLength: 1 }), (builtOn, left) => {
      const p = definePlugin({ ...base, name: 'graph', provides: [...base.provides, ...points], builtOn });
      const expected = new Set(left);
      for (let grew = true; grew; ) {
        grew = false;
        for (const d of builtOn)
          if (expected.has(d.on) && !expected.has(d.point)) {
            expected.add(d.point);
            grew = true;
          }
      }
      const names = (xs: Iterable<symbol>): string[] => [...xs].map(pointName).sort();
      const out = p.without(...left);
      t.deepEqual(names(out.omitted), names(expected));
      for (const x of all) t.is(out.provides.includes(x), !expected.has(x));
      // Leaving out in two steps is the same as in one.
      t.deepEqual(names(p.without(left[0]!).without(...left.slice(1)).omitted), names(expected));
    }),
    { numRuns: 100 },
  );
});

test('a builtOn entry naming a point the plugin does not provide is refused by name', (t) => {
  const e = t.throws(() => definePlugin({ ...base, name: 'wrong', builtOn: [{ point: MemoryBalloon, on: MemoryVirtualization }] }), {
    instanceOf: InvalidArgumentError,
  });
  t.regex(e.message, /'wrong' declares its MemoryBalloon built on its MemoryVirtualization, but it neither provides nor decorates MemoryBalloon/);
  t.throws(() => definePlugin({ ...base, name: 'loop', builtOn: [{ point: MemoryVirtualization, on: MemoryVirtualization }] }), {
    instanceOf: InvalidArgumentError,
  });
});
