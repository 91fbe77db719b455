import 'reflect-metadata';
import test from 'ava';
import { CostCategory, PrivilegeViolationError, createHypervisor, server2007, xeon2003, type MachineProfile, type TransitionEvent } from '@visorkit/core';
import { bootGuest } from '@visorkit/guest';
import { LOOPBACK, microBenchmark, type Results } from '@visorkit/workloads';
import { XenControl, xenPvPlugin } from '@visorkit/xen-pv';

type XenOptions = Parameters<typeof xenPvPlugin.configure>[0];

/** Runs lmbench's fork, page-fault and file I/O under xen-pv, watching core's transition streams. */
function traced(profile: MachineProfile, options: XenOptions) {
  const hv = createHypervisor({ machine: profile, plugins: [xenPvPlugin.configure(options)] });
  const all: TransitionEvent[] = [];
  const byStream = { hypercall: 0, trap: 0, 'vm-exit': 0 };
  hv.events.cpu.transitions$.subscribe((e) => all.push(e));
  hv.events.cpu.hypercalls$.subscribe(() => byStream.hypercall++);
  hv.events.cpu.traps$.subscribe(() => byStream.trap++);
  hv.events.cpu.vmExits$.subscribe(() => byStream['vm-exit']++);
  const dom0 = hv.createDomain({ name: 'dom0', memoryMiB: 64 }, 'control');
  const domain = XenControl.of(hv).createDomain(dom0, { name: 'guest', memoryMiB: 64 });
  const results: Results = {};
  const kernel = bootGuest(hv, domain, {
    programs: { '/bin/lmbench': { program: microBenchmark(['null-call', 'null-io', 'fork', 'page-fault'], results) } },
    files: { '/etc/passwd': 2048 },
    run: ['/bin/lmbench'],
    address: LOOPBACK,
  });
  hv.runWhile(() => !kernel.idle && domain.state === 'running');
  return { hv, all, byStream, counts: hv.counts(domain) };
}

for (const [profile, options] of [
  [server2007, {}],
  [xeon2003, { pageTableMode: 'batched', scheduler: 'bvt', fastSystemCalls: false }],
] as const) {
  test(`xen-pv on ${profile.name} ${JSON.stringify(options)}: every counted hypercall and trap is one event on core's streams`, (t) => {
    const { all, byStream, counts } = traced(profile, options);
    const guestHypercalls = all.filter((e) => e.kind === 'hypercall' && e.domainId !== 0).length;
    const guestTraps = all.filter((e) => e.kind === 'trap' && e.domainId !== 0).length;
    t.true(guestHypercalls > 100, `${guestHypercalls} hypercalls traced`);
    // Nothing is charged privately: what the mechanism counts say happened, the streams saw.
    t.is(guestHypercalls, counts.hypercall ?? 0);
    t.is(guestTraps, counts.trap ?? 0);
    t.is(byStream.hypercall, all.filter((e) => e.kind === 'hypercall').length);
    t.is(byStream.trap, all.filter((e) => e.kind === 'trap').length);
    // The commonest Xen operations are among them, by name.
    const names = new Set(all.filter((e) => e.kind === 'hypercall').map((e) => e.reason));
    for (const n of ['mmuext_op', 'update_va_mapping', 'domctl']) t.true(names.has(n), `${n} in ${[...names].join(', ')}`);
    if (options.pageTableMode === 'batched') t.true(names.has('mmu_update') && names.has('iret'), [...names].join(', '));
  });
}

test("Dom0's control operations — domctl, vfr_op and vbd_op — are hypercalls on core's streams, paid for by their caller; a guest's attempt is paid, counted and refused there", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const seen: { domainId: number; reason: string }[] = [];
  hv.events.cpu.hypercalls$.subscribe((e) => seen.push(e));
  const dom0 = hv.createDomain({ name: 'dom0', memoryMiB: 64 }, 'control');
  const control = XenControl.of(hv);
  const guest = control.createDomain(dom0, { name: 'guest', memoryMiB: 64 });
  const device = hv.block.attachDisk(guest, 4096);
  control.installVfrRule(dom0, { source: '*', destination: '*', action: 'accept' });
  control.setVbdExtents(dom0, device, [{ start: 0, sectors: 2048 }]);
  t.deepEqual(
    seen.map((e) => [e.domainId, e.reason]),
    [
      [dom0.id, 'domctl'],
      [dom0.id, 'vfr_op'],
      [dom0.id, 'vbd_op'],
    ],
  );
  t.is(hv.block.diskSectors(guest, device), 2048);
  t.is(hv.counts(dom0).hypercall, 3);
  const before = guest.vcpus[0]!.cycles[CostCategory.Hypervisor]!;
  t.throws(() => control.setVbdExtents(guest, device, []), { instanceOf: PrivilegeViolationError, message: /may not perform 'vbd_op'.*Dom0/ });
  t.is(hv.block.diskSectors(guest, device), 2048, 'the extents stay as they were');
  t.deepEqual([hv.counts(guest).hypercall, hv.counts(guest)['privilege-violation']], [1, 1]);
  t.is(guest.vcpus[0]!.cycles[CostCategory.Hypervisor]! - before, server2007.costs.hypercallRoundTrip, 'the refused call still trapped in');
  t.is(seen.length, 3, 'a refused call is not emitted');
});
