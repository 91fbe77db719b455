import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { CostCategory, PrivilegeViolationError, createHypervisor, server2007, type TransitionEvent } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const spent = (cycles: ArrayLike<number>): number => cycles[CostCategory.Hypervisor]!;

test('every transition is counted, charged its round trip plus the handler, and emitted on its stream and transitions$', (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ kind: fc.constantFrom('hypercall', 'trap', 'vm-exit'), cycles: fc.nat(5000) }), { maxLength: 30 }), (plan) => {
      const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
      const d = hv.createDomain({ name: 'g' });
      const v = d.vcpus[0]!;
      let handled = 0;
      hv.hypercalls.register(3, 'op', (_v, a0) => (handled++, a0 + 1));
      const seen: TransitionEvent[] = [];
      const kinds = { hypercall: 0, trap: 0, 'vm-exit': 0 };
      hv.events.cpu.transitions$.subscribe((e) => seen.push(e));
      hv.events.cpu.hypercalls$.subscribe(() => kinds.hypercall++);
      hv.events.cpu.traps$.subscribe(() => kinds.trap++);
      hv.events.cpu.vmExits$.subscribe(() => kinds['vm-exit']++);
      let expected = 0;
      const c = server2007.costs;
      for (const p of plan) {
        if (p.kind === 'hypercall') {
          t.is(hv.transitions.hypercall(v, 3, p.cycles, 41), 42);
          expected += c.hypercallRoundTrip + p.cycles;
        } else if (p.kind === 'trap') {
          hv.transitions.trap(v, 'fault', p.cycles);
          expected += c.trapRoundTrip + p.cycles;
        } else {
          hv.transitions.vmExit(v, 'exit', p.cycles);
          expected += c.vmExitRoundTrip + p.cycles;
        }
      }
      const n = (k: string): number => plan.filter((p) => p.kind === k).length;
      t.is(spent(v.cycles), expected);
      t.is(handled, n('hypercall'));
      t.deepEqual(
        seen.map((e) => e.kind),
        plan.map((p) => p.kind),
      );
      t.deepEqual(kinds, { hypercall: n('hypercall'), trap: n('trap'), 'vm-exit': n('vm-exit') });
      const counts = hv.counts(d);
      t.is(counts.hypercall ?? 0, n('hypercall'));
      t.is(counts.trap ?? 0, n('trap'));
      t.is(counts['vm-exit'] ?? 0, n('vm-exit'));
    }),
    { numRuns: 50 },
  );
});

test('a refused hypercall is paid for and counted, but neither emitted nor run; hypercalls.invoke takes the same path', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const guest = hv.createDomain({ name: 'guest' });
  const v = guest.vcpus[0]!;
  let ran = 0;
  hv.hypercalls.register(9, 'ctl', () => ran++, 'control-domain', 'the toolstack domain');
  const seen: TransitionEvent[] = [];
  hv.events.cpu.transitions$.subscribe((e) => seen.push(e));
  t.throws(() => hv.transitions.hypercall(v, 9, 100), { instanceOf: PrivilegeViolationError, message: /needs the toolstack domain/ });
  t.throws(() => hv.hypercalls.invoke(v, 9), { instanceOf: PrivilegeViolationError });
  t.is(ran, 0);
  t.deepEqual(seen, []);
  t.is(spent(v.cycles), 2 * server2007.costs.hypercallRoundTrip + 100);
  t.deepEqual([hv.counts(guest).hypercall, hv.counts(guest)['privilege-violation']], [2, 2]);
});

test('with nobody listening, a transition builds no event', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const v = hv.createDomain({ name: 'g' }).vcpus[0]!;
  let reads = 0;
  // vcpu.now() is read only to stamp an event.
  const now = v.now.bind(v);
  v.now = () => (reads++, now());
  hv.transitions.trap(v, 'fault');
  hv.transitions.vmExit(v, 'exit');
  t.is(reads, 0);
  const sub = hv.events.cpu.traps$.subscribe(() => {});
  hv.transitions.trap(v, 'fault');
  t.is(reads, 1);
  sub.unsubscribe();
});
