import 'reflect-metadata';
import test from 'ava';
import {
  BlockBackend,
  DuplicateExtensionPointError,
  InvalidArgumentError,
  MemoryVirtualization,
  MissingExtensionPointError,
  NetworkBackend,
  UnknownOptionError,
  UnsoundCompositionError,
  CpuVirtualization,
  TimeKeeping,
  VcpuScheduler,
  createHypervisor,
  definePlugin,
  server2007,
} from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const FIVE = [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend];

test('a composition missing an extension point fails with an error naming the point', (t) => {
  const e = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin('partial', FIVE)] }), { instanceOf: MissingExtensionPointError });
  t.regex(e.message, /BlockBackend/);
  t.regex(e.message, /partial/);
});

test('two plugins providing the same point fail with an error naming both', (t) => {
  const e = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin('one'), minimalPlugin('two', [BlockBackend])] }), {
    instanceOf: DuplicateExtensionPointError,
  });
  t.regex(e.message, /'one' and 'two'/);
  t.regex(e.message, /BlockBackend/);
});

test('a plugin that declares a point but does not bind it is caught after loading', (t) => {
  t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin('liar', undefined, { bindNothing: true })] }), {
    instanceOf: MissingExtensionPointError,
  });
});

test('unknown plugin options and unknown hypervisor options are refused by name', (t) => {
  const e = t.throws(() => minimalPlugin().configure({ levle: 2 } as never), { instanceOf: UnknownOptionError });
  t.regex(e.message, /'levle'.*level/);
  const h = t.throws(() => createHypervisor({ machine: server2007, plugins: [minimalPlugin()], options: { sede: 1 } as never }), {
    instanceOf: InvalidArgumentError,
  });
  t.regex(h.message, /sede/);
});

test('plugins declared incompatible are refused with the reason', (t) => {
  const a = definePlugin({ ...minimalPlugin('a', FIVE), incompatibleWith: [{ plugin: 'b', reason: 'b rewrites the page tables a validates' }] });
  const b = minimalPlugin('b', [BlockBackend]);
  const e = t.throws(() => createHypervisor({ machine: server2007, plugins: [a, b] }), { instanceOf: UnsoundCompositionError });
  t.regex(e.message, /rewrites the page tables/);
});

test('points are resolved once: the facade holds the same instances', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  t.is(hv.memory, hv.memory);
  t.is(hv.scheduler, hv.runner.scheduler);
  t.is(hv.name, 'minimal');
});

test('a domain whose reservation does not fit the machine is refused, naming the sizes', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()], options: { memoryMiB: 256 } });
  hv.createDomain({ name: 'a', memoryMiB: 200 });
  const e = t.throws(() => hv.createDomain({ name: 'b', memoryMiB: 100 }), { instanceOf: InvalidArgumentError });
  t.regex(e.message, /100 MiB.*56 MiB/);
});
