import 'reflect-metadata';
import test from 'ava';
import { PrivilegeViolationError, UnknownHypercallError, createHypervisor, server2007 } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

test('an unknown hypercall is refused with a typed error and counted', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'g' });
  t.throws(() => hv.hypercalls.invoke(d.vcpus[0]!, 77), { instanceOf: UnknownHypercallError, message: /hypercall 77/ });
  t.is(hv.counts(d)['privilege-violation'], 1);
});

test('a control-domain hypercall reaches its handler from Dom0 and is refused to a guest', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const dom0 = hv.createDomain({ name: 'dom0' }, 'control');
  const guest = hv.createDomain({ name: 'guest' });
  const calls: string[] = [];
  hv.hypercalls.register(40, 'domctl', (v, a0) => (calls.push(`${v.domain.name}:${a0}`), 0), 'control-domain');
  t.is(hv.hypercalls.invoke(dom0.vcpus[0]!, 40, 5), 0);
  t.throws(() => hv.hypercalls.invoke(guest.vcpus[0]!, 40, 6), { instanceOf: PrivilegeViolationError, message: /guest.*domctl.*the control domain/ });
  t.deepEqual(calls, ['dom0:5']);
});

test('a trap reaches the handler the domain installed; with none, delivery reports failure', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'g' });
  const v = d.vcpus[0]!;
  t.false(hv.traps.deliver(v, 14));
  let got = -1;
  hv.traps.install(v, 14, 1, (_v, _vec, info) => (got = info));
  t.true(hv.traps.deliver(v, 14, 0xdead));
  t.is(got, 0xdead);
});
