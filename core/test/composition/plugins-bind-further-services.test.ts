import 'reflect-metadata';
import test from 'ava';
import { ContainerModule, Machine, createHypervisor, definePlugin, serviceToken, server2007 } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const Greeting = serviceToken<{ cores: number }>('test.Greeting');

/** A plugin binding one service beyond the extension points, built from the machine. */
const greeter = definePlugin({
  name: 'greeter',
  version: '0.0.0',
  provides: [],
  capabilities: [],
  defaults: {},
  module: () =>
    new ContainerModule((o) => {
      o.bind(Greeting)
        .toDynamicValue((context) => ({ cores: context.get<Machine>(Machine).profile.cpu.cores }))
        .inSingletonScope();
    }),
});

test("a plugin's further service is read through hv.service: the same instance each time, undefined where no plugin binds it", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin(), greeter] });
  const first = hv.service(Greeting);
  t.deepEqual(first, { cores: server2007.cpu.cores });
  t.is(hv.service(Greeting), first);
  const other = createHypervisor({ machine: server2007, plugins: [minimalPlugin(), greeter] });
  t.not(other.service(Greeting), first, 'each hypervisor has its own');
  const bare = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  t.is(bare.service(Greeting), undefined);
  t.is(bare.service(Greeting), undefined);
});
