import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import {
  ContainerModule,
  DecorationError,
  DuplicateExtensionPointError,
  MemoryVirtualization,
  MissingExtensionPointError,
  FailureScope,
  MissingRequirementError,
  NetworkBackend,
  ProportionalShareScheduler,
  UndeclaredBindingError,
  VcpuScheduler,
  createHypervisor,
  decorated,
  definePlugin,
  injectable,
  server2007,
  type Hypervisor,
  type Plugin,
} from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

/** A scheduler from an outside author: its own class, so it never collides with the base's. */
@injectable()
class RoundRobin extends ProportionalShareScheduler {
  override readonly name = 'round-robin';
}

const roundRobin = definePlugin({
  name: 'round-robin',
  version: '1.0.0',
  provides: [VcpuScheduler],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(RoundRobin).toSelf().inSingletonScope();
      o.bind(VcpuScheduler).toService(RoundRobin);
    }),
});

/** Counts what the wrapped memory is asked to translate; forwards everything. */
interface Counted {
  readonly inner: MemoryVirtualization;
  readonly calls: { translate: number };
}

function countingMemory(inner: MemoryVirtualization): MemoryVirtualization & Counted {
  const calls = { translate: 0 };
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'inner') return inner;
      if (key === 'calls') return calls;
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'translate') calls.translate++;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as MemoryVirtualization & Counted;
}

const counter = definePlugin({
  name: 'counter',
  version: '1.0.0',
  provides: [],
  decorates: [MemoryVirtualization],
  requires: [VcpuScheduler],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(MemoryVirtualization)
        .toDynamicValue((ctx) => countingMemory(ctx.get<MemoryVirtualization>(decorated(MemoryVirtualization))))
        .inSingletonScope();
    }),
});

/** What a composition is, as far as its user can tell. */
function fingerprint(hv: Hypervisor): unknown {
  const d = hv.createDomain({ name: 'a', memoryMiB: 16 });
  hv.memory.translate(d.vcpus[0]!, 1, false);
  return {
    name: hv.name,
    plugins: hv.plugins.map((p) => p.name),
    points: [hv.memory, hv.cpu, hv.scheduler, hv.time, hv.network, hv.block].map((x) => (x as object).constructor.name),
    scheduler: hv.scheduler.name,
    decorated: 'calls' in hv.memory ? (hv.memory as unknown as Counted).calls.translate : 0,
    capabilities: [...hv.capabilities].sort(),
    failureScope: hv.service(FailureScope)?.constructor.name,
    frames: hv.memory.frames(d),
  };
}

const COMPOSITIONS: readonly (readonly Plugin[])[] = [
  [minimalPlugin()],
  [minimalPlugin().without(VcpuScheduler), roundRobin],
  [minimalPlugin(), counter],
  [minimalPlugin().without(VcpuScheduler), roundRobin, counter],
];

test('the bug this fixes: a plugin listed before the base it replaces a point of composes, in either order', (t) => {
  const before = createHypervisor({ machine: server2007, plugins: [roundRobin, minimalPlugin().without(VcpuScheduler)] });
  const after = createHypervisor({ machine: server2007, plugins: [minimalPlugin().without(VcpuScheduler), roundRobin] });
  t.is(before.scheduler.name, 'round-robin');
  t.is(after.scheduler.name, 'round-robin');
  t.is(before.name, 'minimal+round-robin');
  t.is(after.name, before.name);
});

test('every composition gives the same hypervisor in every order of its plugin list', (t) => {
  for (const plugins of COMPOSITIONS) {
    const reference = fingerprint(createHypervisor({ machine: server2007, plugins }));
    fc.assert(
      fc.property(fc.shuffledSubarray([...plugins], { minLength: plugins.length, maxLength: plugins.length }), (order) => {
        t.deepEqual(fingerprint(createHypervisor({ machine: server2007, plugins: order })), reference);
      }),
      { numRuns: 24 },
    );
  }
});

test("a decorator receives the provider's binding and is what everyone else resolves", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [counter, minimalPlugin()] });
  const memory = hv.memory as unknown as Counted;
  t.is((memory.inner as object).constructor.name, 'MinimalMemory');
  // The base's own CPU injects MemoryVirtualization: it gets the decorator too.
  t.is((hv.cpu as unknown as { memory: unknown }).memory, hv.memory);
  const d = hv.createDomain({ name: 'a', memoryMiB: 16 });
  t.is(hv.memory.frames(d), 4096, 'domainCreated reached the wrapped memory');
  hv.memory.translate(d.vcpus[0]!, 0, false);
  t.is(memory.calls.translate, 1);
});

test('errors name the plugin, the point and a fix that exists', (t) => {
  const dup = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin(), roundRobin] }), { instanceOf: DuplicateExtensionPointError });
  t.regex(dup.message, /VcpuScheduler/);
  t.regex(dup.message, /minimal\.without\(VcpuScheduler\) to keep round-robin's/);
  t.notRegex(dup.message, /provide:/);

  const missing = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin().without(VcpuScheduler)] }), {
    instanceOf: MissingExtensionPointError,
  });
  t.regex(missing.message, /'minimal' would provide it but is composed with \.without\(VcpuScheduler\)/);

  const noBase = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin().without(MemoryVirtualization), counter] }), {
    instanceOf: DecorationError,
  });
  t.regex(noBase.message, /'counter' cannot decorate MemoryVirtualization: no other loaded plugin provides it/);

  const twice = definePlugin({ ...counter, name: 'counter-two' });
  const two = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin(), counter, twice] }), { instanceOf: DecorationError });
  t.regex(two.message, /'counter' and 'counter-two'/);

  const needy = definePlugin({ ...roundRobin, name: 'needy', provides: [], requires: [NetworkBackend] });
  const req = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin().without(NetworkBackend), needy] }), {
    instanceOf: MissingRequirementError,
  });
  t.regex(req.message, /Plugin 'needy' requires NetworkBackend.*drop NetworkBackend from that without\(\)/);
});

test('a module binding a point it did not declare is refused by name, whatever the order', (t) => {
  const sneaky = definePlugin({ ...roundRobin, name: 'sneaky', provides: [] });
  for (const plugins of [
    [sneaky, minimalPlugin()],
    [minimalPlugin(), sneaky],
  ]) {
    const e = t.throws(() => createHypervisor({ machine: server2007, plugins }), { instanceOf: UndeclaredBindingError });
    t.regex(e.message, /'sneaky' binds VcpuScheduler without declaring it/);
  }
});
