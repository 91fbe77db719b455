import 'reflect-metadata';
import test from 'ava';
import { PrivilegeViolationError, Simulator, connectMachines, createHypervisor, server2007 } from '@visorkit/core';
import { bootGuest, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { type ContextNetwork, vserverOn } from '../src/index.js';

/** Sends 8 MiB from a context to a peer machine; returns Mbit/s, with the context capped at `capMbps` (0: none). */
function sendRate(capMbps: number): number {
  const sim = new Simulator();
  const hv = createHypervisor({
    machine: server2007,
    plugins: vserverOn(nativePlugin),
    options: { simulator: sim, cores: 1 },
  });
  const peer = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  connectMachines(hv, peer);
  const admin = hv.createDomain({ name: 'admin', memoryMiB: 32 }, 'control');
  const ctx = hv.createDomain({ name: 'web', memoryMiB: 128 });
  if (capMbps > 0) (hv.network as ContextNetwork).setBandwidth(admin.vcpus[0]!, ctx, capMbps);
  const bytes = 8 << 20;
  let t0 = 0;
  let t1 = 0;
  const sender = bootGuest(hv, ctx, {
    address: '10.0.0.5',
    programs: {
      '/bin/send': {
        program: function* (sys: Sys) {
          const s = yield* sys.socket();
          yield* sys.connect(s, '10.0.9.9', 9000);
          t0 = yield* sys.now();
          for (let left = bytes; left > 0; ) left -= yield* sys.write(s, left);
          yield* sys.close(s);
          return 0;
        },
      },
    },
    run: ['/bin/send'],
  });
  const receiver = bootGuest(peer, peer.createDomain({ name: 'sink', memoryMiB: 128 }), {
    address: '10.0.9.9',
    programs: {
      '/bin/recv': {
        program: function* (sys: Sys) {
          const l = yield* sys.socket();
          yield* sys.bind(l, 9000);
          yield* sys.listen(l);
          const c = yield* sys.accept(l);
          while ((yield* sys.read(c, 65536)) > 0);
          t1 = yield* sys.now();
          return 0;
        },
      },
    },
    run: ['/bin/recv'],
  });
  hv.runWhile(() => !(sender.idle && receiver.idle) && sim.now < 30e9);
  return (bytes * 8) / ((t1 - t0) / 1e9) / 1e6;
}

test("a context's transmit bandwidth is held to the share the administrative context gives it", (t) => {
  const free = sendRate(0);
  const capped = sendRate(100);
  t.true(free > 500, `uncapped ${free.toFixed(0)} Mbit/s`);
  t.true(capped > 80 && capped <= 101, `capped at 100: ${capped.toFixed(1)} Mbit/s`);
});

test('only the administrative context may set bandwidth shares', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: vserverOn(nativePlugin) });
  const a = hv.createDomain({ name: 'a' });
  const b = hv.createDomain({ name: 'b' });
  t.throws(() => (hv.network as ContextNetwork).setBandwidth(a.vcpus[0]!, b, 1), { instanceOf: PrivilegeViolationError });
  t.is(hv.counts(a)['privilege-violation'], 1);
});
