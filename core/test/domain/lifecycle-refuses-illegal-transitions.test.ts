import 'reflect-metadata';
import test from 'ava';
import { DOMAIN_TRANSITIONS, IllegalTransitionError, createHypervisor, server2007, type Domain, type DomainState, type Hypervisor } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const STATES: DomainState[] = ['created', 'running', 'paused', 'shutdown', 'crashed', 'destroyed'];

/** Brings a fresh domain to `state` through legal operations. */
function domainIn(state: DomainState): { hv: Hypervisor; d: Domain } {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'd' });
  const path: Record<DomainState, (() => void)[]> = {
    created: [],
    running: [() => hv.start(d)],
    paused: [() => hv.start(d), () => hv.pause(d)],
    shutdown: [() => hv.start(d), () => hv.shutdown(d)],
    crashed: [() => hv.start(d), () => hv.crash(d, 'test')],
    destroyed: [() => hv.destroy(d)],
  };
  for (const step of path[state]) step();
  return { hv, d };
}

const OPS: Record<DomainState, (hv: Hypervisor, d: Domain) => void> = {
  created: () => {
    throw new IllegalTransitionError('d', 'created', 'created');
  },
  running: (hv, d) => (d.state === 'paused' ? hv.unpause(d) : hv.start(d)),
  paused: (hv, d) => hv.pause(d),
  shutdown: (hv, d) => hv.shutdown(d),
  crashed: (hv, d) => {
    d.setState('crashed');
  },
  destroyed: (hv, d) => hv.destroy(d),
};

for (const from of STATES) {
  for (const to of STATES) {
    if (to === 'created') continue;
    const legal = DOMAIN_TRANSITIONS[from].includes(to);
    test(`${from} → ${to} is ${legal ? 'allowed' : 'refused with IllegalTransitionError, state unchanged'}`, (t) => {
      const { hv, d } = domainIn(from);
      if (legal) {
        OPS[to](hv, d);
        t.is(d.state, to);
      } else {
        const e = t.throws(() => OPS[to](hv, d), { instanceOf: IllegalTransitionError });
        t.regex(e.message, new RegExp(`from ${from} to ${to}`));
        t.is(d.state, from);
      }
    });
  }
}

test('a crash stops only the crashed domain', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  const compute = { run: (v: { charge: (c: 0, n: number) => void }, budget: number) => (v.charge(0, budget), 'budget' as const) };
  hv.start(a, () => compute);
  hv.start(b, () => compute);
  hv.runUntil(1e7);
  hv.crash(a, 'guest kernel oops');
  const before = b.vcpus[0]!.runtimeNs;
  hv.runUntil(5e7);
  t.is(a.state, 'crashed');
  t.is(a.crashReason, 'guest kernel oops');
  t.true(b.vcpus[0]!.runtimeNs > before);
});
