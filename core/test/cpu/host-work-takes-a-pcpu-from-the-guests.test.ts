import 'reflect-metadata';
import test from 'ava';
import { CostCategory, HostWork, InvalidArgumentError, createHypervisor, server2007, type MachineProfile, type VcpuProgram } from '../../src/index.js';
import { minimalPlugin } from '../support/minimal-plugin.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };
const oneCore: MachineProfile = { ...server2007, cpu: { ...server2007.cpu, cores: 1 } };

/** A compute-bound guest on one pCPU for a second, with `hostCycles` of host work every 10 ms. */
function run(hostCycles: number): { guestNs: number; hostCycles: number; total: number; elapsed: number } {
  const hv = createHypervisor({ machine: oneCore, plugins: [minimalPlugin()] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 4 });
  hv.start(d, () => compute);
  const tick = (): void => {
    hv.hostWork.run(hostCycles);
    hv.sim.scheduleDaemon(1e7, tick);
  };
  hv.sim.scheduleDaemon(1e7, tick);
  hv.runFor(1e9);
  hv.runner.settleIdle();
  const acc = hv.machine.pcpus[0]!.account;
  return { guestNs: d.vcpus[0]!.runtimeNs, hostCycles: acc.cycles[CostCategory.Hypervisor]!, total: acc.total, elapsed: hv.now };
}

test('host work takes pCPU time from a compute-bound guest and is charged to the pCPU as hypervisor time', (t) => {
  const quiet = run(0);
  const busy = run(3e6); // ~1 ms of a 3 GHz core every 10 ms
  t.true(busy.hostCycles >= 99 * 3e6, `the pCPU account holds the host work (${busy.hostCycles} cycles)`);
  t.true(busy.guestNs < quiet.guestNs, 'the guest ran less');
  // Runtime is counted a whole burst at a time: equal to within one scheduler slice.
  const stolenNs = quiet.guestNs - busy.guestNs;
  const hostNs = busy.hostCycles / oneCore.cpu.clockGhz;
  t.true(Math.abs(stolenNs - hostNs) <= 1.2e7, `the guest lost what the host work took (${stolenNs} ns vs ${hostNs} ns)`);
  // Every cycle is still charged once: the account adds up to elapsed time, less the burst in flight.
  const elapsedCycles = busy.elapsed * oneCore.cpu.clockGhz;
  t.true(busy.total <= elapsedCycles + 1 && busy.total > elapsedCycles - 1.2e7 * oneCore.cpu.clockGhz, `${busy.total} cycles charged in ${elapsedCycles}`);
});

test('on an idle machine host work runs at once on an idle pCPU, and a simulation with nothing else to do still ends', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  const p = hv.hostWork.run(3e6);
  t.is(p, 0, 'the first idle pCPU');
  hv.sim.run();
  hv.runner.settleIdle();
  t.is(hv.machine.pcpus[0]!.account.cycles[CostCategory.Hypervisor], 3e6);
  t.true(hv.now >= 3e6 / server2007.cpu.clockGhz);
  t.is(hv.hostWork.cycles, 3e6);
});

test('bad amounts of host work are refused, typed', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [minimalPlugin()] });
  t.throws(() => hv.hostWork.run(-1), { instanceOf: InvalidArgumentError });
  t.throws(() => hv.hostWork.run(Number.NaN), { instanceOf: InvalidArgumentError });
  t.is(hv.hostWork.run(0), -1);
  t.throws(() => new HostWork().run(5), { instanceOf: InvalidArgumentError, message: /no CPU runner/ });
});
