import test from 'ava';
import { server2007 } from '@visorkit/core';
import { platformRegistry } from '../../src/platforms/platform-registry.js';
import { TENANTS, compromiseReach, placeTenants } from '../../src/security/compromise-reach.js';
import { entryPoints } from '../../src/security/entry-points.js';

function tenantsOn(name: string) {
  const platform = platformRegistry.find((p) => p.name === name)!;
  const hv = platform.compose(server2007, { seed: 1 });
  const exits = new Set<string>();
  const sub = hv.events.cpu.vmExits$.subscribe((e) => exits.add(e.reason));
  const tenants = placeTenants(hv, platform.isolation);
  sub.unsubscribe();
  return { hv, tenants, exits, shared: platform.isolation !== 'domains' };
}

test('a compromised shared kernel reaches every other tenant; a compromised domain kernel reaches none', (t) => {
  for (const [name, reached] of [
    ['native', TENANTS - 1],
    ['vserver', TENANTS - 1],
    ['xen-pv', 0],
  ] as const) {
    const { hv, tenants } = tenantsOn(name);
    const reach = compromiseReach(hv, tenants);
    t.is(reach.reached, reached, `${name}: ${JSON.stringify(reach)}`);
    t.true(reach.attempts > 0);
  }
});

test("entry points are counted from the tables: a shared kernel's system calls, or the hypervisor's guest hypercalls", (t) => {
  const vserver = tenantsOn('vserver');
  const shared = entryPoints(vserver.hv, vserver.tenants[0]!.kernel, vserver.exits);
  t.is(shared.sharedKernelCalls, vserver.tenants[0]!.kernel.systemCallNames.length);
  t.true(shared.sharedKernelCalls > 20, `only ${shared.sharedKernelCalls} system calls`);
  const xen = tenantsOn('xen-pv');
  const own = entryPoints(xen.hv, undefined, xen.exits);
  t.is(own.sharedKernelCalls, 0);
  const guestCalls = xen.hv.hypercalls.entries().filter((e) => e.privilege === 'any-guest');
  t.is(own.hypercalls, guestCalls.length);
  t.true(own.hypercalls > 0 && own.hypercalls < shared.sharedKernelCalls, `${own.hypercalls} hypercalls against ${shared.sharedKernelCalls} system calls`);
});
