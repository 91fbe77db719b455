import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, modern, type NetFrame } from '@visorkit/core';
import { hwAssistPlugin } from '../../src/index.js';

function setup() {
  const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ io: 'sriov', interrupts: 'posted' })] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 16 });
  const got: { a: NetFrame[]; b: NetFrame[] } = { a: [], b: [] };
  const ia = hv.network.attachInterface(a, '10.0.0.1', (f) => got.a.push(f));
  hv.network.attachInterface(b, '10.0.0.2', (f) => got.b.push(f));
  return { hv, a, b, ia, got };
}

test('a VF whose descriptor points outside its domain takes an IOMMU fault: counted, dropped, nothing delivered', (t) => {
  const { hv, a, ia, got } = setup();
  const v = a.vcpus[0]!;
  hv.memory.zeroFrame(v, 3 as never);
  const outside = hv.memory.frames(a) + 10;
  hv.network.transmit(v, ia, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 1500, buffers: [3, outside] });
  hv.runFor(1e6);
  t.is(got.b.length, 0);
  t.is(hv.counts(a)['iommu-fault'], 1);
  t.is(hv.network.dropped, 1);
});

test('a VF DMA from its own frames is delivered to the destination domain only', (t) => {
  const { hv, a, ia, got } = setup();
  const v = a.vcpus[0]!;
  hv.memory.zeroFrame(v, 3 as never);
  hv.network.transmit(v, ia, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 1500, buffers: [3] });
  hv.runFor(1e6);
  t.is(got.b.length, 1);
  t.is(got.a.length, 0);
  t.is(hv.counts(a)['vm-exit'] ?? 0, 0, 'no hypervisor on the data path');
});

test('virtual functions are a bounded resource', (t) => {
  const hv = createHypervisor({
    machine: { ...modern, nic: { ...modern.nic, sriovVirtualFunctions: 1 } },
    plugins: [hwAssistPlugin.configure({ io: 'sriov' })],
  });
  const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 16 });
  hv.network.attachInterface(a, '10.0.0.1', () => {});
  t.throws(() => hv.network.attachInterface(b, '10.0.0.2', () => {}), { message: /virtual functions/ });
});

test('paravirtual rings cost the sender VM exits and host copies that SR-IOV does not', (t) => {
  const cycles = (io: 'sriov' | 'virtio'): number => {
    const hv = createHypervisor({ machine: modern, plugins: [hwAssistPlugin.configure({ io })] });
    const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
    hv.createDomain({ name: 'b', memoryMiB: 16 });
    const ia = hv.network.attachInterface(a, '10.0.0.1', () => {});
    hv.network.attachInterface(hv.domains.byName('b')!, '10.0.0.2', () => {});
    const v = a.vcpus[0]!;
    for (let i = 0; i < 100; i++) hv.network.transmit(v, ia, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 1500 });
    return v.cycles.reduce((x, y) => x + y, 0);
  };
  t.true(cycles('virtio') > 1.5 * cycles('sriov'));
});
