import 'reflect-metadata';
import test from 'ava';
import { GuestRequestError, PrivilegeViolationError, createHypervisor, server2007, type Domain, type Hypervisor } from '@visorkit/core';
import { bootGuest, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { XenControl, xenPvPlugin } from '@visorkit/xen-pv';

const MIB = 256; // frames per MiB

function xen(): { hv: Hypervisor; control: XenControl; dom0: Domain } {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { memoryMiB: 1024 } });
  const dom0 = hv.createDomain({ name: 'dom0', memoryMiB: 128 }, 'control');
  return { hv, control: XenControl.of(hv), dom0 };
}

test('Dom0 creates, pauses, unpauses and destroys domains through domctl', (t) => {
  const { hv, control, dom0 } = xen();
  const guest = control.createDomain(dom0, { name: 'web', memoryMiB: 64 });
  hv.start(guest);
  control.pauseDomain(dom0, guest);
  t.is(guest.state, 'paused');
  control.unpauseDomain(dom0, guest);
  t.is(guest.state, 'running');
  hv.shutdown(guest);
  control.destroyDomain(dom0, guest);
  t.is(guest.state, 'destroyed');
  t.true(hv.counts(dom0).hypercall! >= 4);
});

test('a guest calling the control interface is refused with a typed error, counted, and nothing changes', (t) => {
  const { hv, control, dom0 } = xen();
  const a = control.createDomain(dom0, { name: 'a', memoryMiB: 64 });
  const b = control.createDomain(dom0, { name: 'b', memoryMiB: 64 });
  hv.start(a);
  hv.start(b);
  const attempts: Array<() => unknown> = [
    () => control.createDomain(a, { name: 'rogue', memoryMiB: 32 }),
    () => control.pauseDomain(a, b),
    () => control.setMemoryTarget(a, b, 16),
    () => control.installVfrRule(a, { source: '*', destination: '*', action: 'drop' }),
    () => control.setVbdExtents(a, 0, []),
  ];
  for (const attempt of attempts) t.throws(attempt, { instanceOf: PrivilegeViolationError });
  t.is(hv.counts(a)['privilege-violation'], attempts.length);
  t.is(hv.domains.byName('rogue'), undefined);
  t.is(b.state, 'running');
  t.is(hv.reservedFramesOf(b), 64 * MIB);
});

test('the balloon: a lower target frees machine memory for a new domain; the guest cannot take back more than Dom0 allows', (t) => {
  const { hv, control, dom0 } = xen();
  const guest = control.createDomain(dom0, { name: 'web', memoryMiB: 512 });
  const touched: number[] = [];
  const kernel = bootGuest(hv, guest, {
    programs: {
      '/bin/fill': {
        program: function* (sys: Sys) {
          const at = yield* sys.mmap({ bytes: 32 << 20 });
          yield* sys.touch(at, 32 << 20, { stride: 4096, write: true });
          touched.push(1);
          return 0;
        },
      },
    },
    run: ['/bin/fill'],
  });
  hv.runWhile(() => !kernel.idle);
  t.deepEqual(touched, [1]);
  const memory = hv.memory as unknown as { heldFrames(d: Domain): number };
  // 1024 MiB machine: dom0 128 + web 512 leave 384; a 512 MiB domain does not fit yet.
  t.throws(() => control.createDomain(dom0, { name: 'db', memoryMiB: 512 }));
  control.watchMemoryTarget(guest, (frames) => kernel.balloon(frames));
  const freeBefore = hv.machine.memory.freeFrames;
  control.setMemoryTarget(dom0, guest, 256);
  t.is(memory.heldFrames(guest), 256 * MIB);
  t.true(hv.machine.memory.freeFrames >= freeBefore + 32 * MIB, 'the frames the guest had used went back to the machine');
  const db = control.createDomain(dom0, { name: 'db', memoryMiB: 512 });
  t.is(db.state, 'created');
  // The guest's driver cannot grow past Dom0's target: Xen refuses and nothing changes.
  t.throws(() => kernel.balloon(300 * MIB), { instanceOf: GuestRequestError });
  t.is(memory.heldFrames(guest), 256 * MIB);
  // Dom0 cannot give back memory another domain now holds.
  t.throws(() => control.setMemoryTarget(dom0, guest, 512));
  // The guest still runs programs in what it kept.
  kernel.spawn('/bin/fill');
  hv.runWhile(() => !kernel.idle);
  t.deepEqual(touched, [1, 1]);
  t.is(guest.state, 'running');
});

test("a platform without a balloon refuses to change a guest's memory with a typed error", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'linux', memoryMiB: 64 });
  const kernel = bootGuest(hv, d);
  t.throws(() => kernel.balloon(8 * MIB), { message: /no balloon/ });
});
