import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, server2007, xeon2003, type MachineProfile, type TransitionEvent } from '@visorkit/core';
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
