import 'reflect-metadata';
import test from 'ava';
import {
  CostCategory,
  createHypervisor,
  gfn,
  modern,
  type BlockStatus,
  type BurstExit,
  type Domain,
  type Hypervisor,
  type TransitionEvent,
  type Vcpu,
  type VcpuProgram,
} from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';

/** On its first burst: a frame to the other domain, a disk read and a page written under dirty logging; then it spins. */
class Busy implements VcpuProgram {
  #started = false;
  readonly completed: BlockStatus[] = [];
  constructor(
    readonly hv: Hypervisor,
    readonly iface: number,
    readonly to: string,
    readonly from: string,
    readonly disk: number,
  ) {}
  run(vcpu: Vcpu, budget: number): BurstExit {
    if (!this.#started) {
      this.#started = true;
      this.hv.network.transmit(vcpu, this.iface, { source: this.from, destination: this.to, bytes: 1500 });
      this.hv.block.submit(vcpu, this.disk, { operation: 'read', sector: 0, frames: [gfn(40)] }, (s) => this.completed.push(s));
      this.hv.memory.zeroFrame(vcpu, gfn(50));
    }
    vcpu.charge(CostCategory.GuestUser, Math.max(1, budget - vcpu.burstCycles));
    return 'budget';
  }
}

function traced(paging: 'ept' | 'shadow') {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ paging, interrupts: 'exit' })] });
  const all: TransitionEvent[] = [];
  let onVmExits = 0;
  hv.events.cpu.transitions$.subscribe((e) => all.push(e));
  hv.events.cpu.vmExits$.subscribe(() => onVmExits++);
  const domains: Domain[] = [hv.createDomain({ name: 'a', memoryMiB: 64 }), hv.createDomain({ name: 'b', memoryMiB: 64 })];
  const addresses = ['10.0.0.1', '10.0.0.2'];
  const ifaces = domains.map((d, i) => hv.network.attachInterface(d, addresses[i]!, () => {}));
  const disks = domains.map((d) => hv.block.attachDisk(d, 4096));
  for (const d of domains) hv.dirtyLog!.startDirtyLog(d);
  const programs = domains.map((_, i) => new Busy(hv, ifaces[i]!, addresses[1 - i]!, addresses[i]!, disks[i]!));
  domains.forEach((d, i) => hv.start(d, () => programs[i]!));
  hv.runFor(2e7);
  return { hv, all, onVmExits, domains, completed: programs.flatMap((p) => p.completed) };
}

for (const paging of ['ept', 'shadow'] as const) {
  test(`hw-assist (${paging}, exit-based interrupts): every counted VM exit is one event on core's streams — world switches, log-dirty faults and owed interrupt exits too`, (t) => {
    const { hv, all, onVmExits, domains, completed } = traced(paging);
    t.deepEqual(completed, ['ok', 'ok'], 'both disk reads completed');
    const exits = all.filter((e) => e.kind === 'vm-exit');
    t.is(onVmExits, exits.length);
    for (const d of domains) {
      const counted = hv.counts(d)['vm-exit'] ?? 0;
      t.true(counted > 0);
      // Nothing is charged privately: what the mechanism counts say happened, the streams saw.
      t.is(exits.filter((e) => e.domainId === d.id).length, counted, `${d.name}'s exits`);
    }
    const reasons = new Set(exits.map((e) => e.reason));
    for (const r of ['world-switch', 'log-dirty', 'virtio-kick', 'virtio-blk-kick', 'net-receive', 'blk-completion'])
      t.true(reasons.has(r), `${r} in ${[...reasons].join(', ')}`);
  });
}

test('an owed interrupt exit is counted when the interrupt arrives and charged at the next burst', (t) => {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin] });
  const d = hv.createDomain({ name: 'g' });
  const v = d.vcpus[0]!;
  const seen: TransitionEvent[] = [];
  hv.events.cpu.transitions$.subscribe((e) => seen.push(e));
  hv.transitions.owedVmExit(v, 'completion', 100);
  t.is(hv.counts(d)['vm-exit'], 1);
  t.is(v.cycles[CostCategory.Hypervisor], 0, 'not charged yet: the vCPU was not running');
  t.deepEqual(
    seen.map((e) => [e.kind, e.reason, e.time]),
    [['vm-exit', 'completion', hv.now]],
  );
  v.payDeferred();
  t.is(v.cycles[CostCategory.Hypervisor], modern.costs.vmExitRoundTrip + 100);
});
