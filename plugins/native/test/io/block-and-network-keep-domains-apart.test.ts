import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, server2007, type BlockStatus, type NetFrame } from '@visorkit/core';
import { nativePlugin } from '../../src/index.js';

test('data written to a disk reads back byte-identical', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const v = d.vcpus[0]!;
  const disk = hv.block.attachDisk(d, 2048);
  hv.memory.zeroFrame(v, 10 as never);
  const pattern = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
  hv.machine.memory.writeBytes(hv.memory.machineFrame(d, 10 as never, 'write'), 0, pattern);
  const statuses: BlockStatus[] = [];
  hv.block.submit(v, disk, { operation: 'write', sector: 64, frames: [10 as never] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  hv.block.submit(v, disk, { operation: 'read', sector: 64, frames: [11 as never] }, (s) => statuses.push(s));
  hv.runFor(1e8);
  t.deepEqual(statuses, ['ok', 'ok']);
  const back = new Uint8Array(4096);
  hv.machine.memory.readBytes(hv.memory.machineFrame(d, 11 as never, 'read'), 0, back);
  t.deepEqual(back, pattern);
});

test("a request beyond the domain's disk completes out-of-range and writes nothing", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 16 });
  const da = hv.block.attachDisk(a, 64);
  const db = hv.block.attachDisk(b, 64);
  const va = a.vcpus[0]!;
  hv.memory.zeroFrame(va, 1 as never);
  hv.machine.memory.writeBytes(hv.memory.machineFrame(a, 1 as never, 'write'), 0, new Uint8Array(4096).fill(0xee));
  let status: BlockStatus | undefined;
  hv.block.submit(va, da, { operation: 'write', sector: 64, frames: [1 as never] }, (s) => (status = s));
  hv.runFor(1e8);
  t.is(status, 'out-of-range');
  const vb = b.vcpus[0]!;
  let read: BlockStatus | undefined;
  hv.block.submit(vb, db, { operation: 'read', sector: 0, frames: [2 as never] }, (s) => (read = s));
  hv.runFor(1e8);
  t.is(read, 'ok');
  const buf = new Uint8Array(4096);
  hv.machine.memory.readBytes(hv.memory.machineFrame(b, 2 as never, 'read'), 0, buf);
  t.true(
    buf.every((x) => x === 0),
    "the neighbour's disk is untouched",
  );
  t.throws(() => hv.block.submit(va, db, { operation: 'read', sector: 0, frames: [1 as never] }, () => {}), { message: /not one of its disks/ });
});

test('a frame reaches only the interface owning its destination; unknown destinations are counted as dropped', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const got: Record<string, NetFrame[]> = { a: [], b: [], c: [] };
  const ifs: Record<string, number> = {};
  for (const [i, n] of ['a', 'b', 'c'].entries()) {
    const d = hv.createDomain({ name: n, memoryMiB: 8 });
    ifs[n] = hv.network.attachInterface(d, `10.0.0.${i + 1}`, (f) => got[n]!.push(f));
  }
  const va = hv.domains.byName('a')!.vcpus[0]!;
  hv.network.transmit(va, ifs.a!, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 1500 });
  hv.network.transmit(va, ifs.a!, { source: '10.0.0.1', destination: '10.9.9.9', bytes: 1500 });
  hv.runFor(1e7);
  t.is(got.b!.length, 1);
  t.is(got.c!.length, 0);
  t.is(got.a!.length, 0);
  t.is(hv.network.dropped, 1);
  t.throws(() => hv.network.transmit(va, ifs.b!, { source: '10.0.0.2', destination: '10.0.0.3', bytes: 64 }), { message: /not one of its own/ });
});

test('an out-of-range request completes asynchronously and is counted against the guest', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const d = hv.createDomain({ name: 'g', memoryMiB: 16 });
  const disk = hv.block.attachDisk(d, 16);
  let status: BlockStatus | undefined;
  hv.block.submit(d.vcpus[0]!, disk, { operation: 'read', sector: 15, frames: [3 as never] }, (s) => (status = s));
  t.is(status, undefined, 'never synchronously');
  hv.runFor(1);
  t.is(status, 'out-of-range');
  t.like(hv.counts(d), { 'privilege-violation': 1, 'disk-request': 1 });
});

test("a frame to one of the sender's own addresses loops back at once; another domain's waits for the wire", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  const a = hv.createDomain({ name: 'a', memoryMiB: 8 });
  const b = hv.createDomain({ name: 'b', memoryMiB: 8 });
  const arrivals: string[] = [];
  const ia = hv.network.attachInterface(a, '10.0.0.1', () => arrivals.push(`a1@${hv.now}`));
  hv.network.attachInterface(a, '127.0.0.1', () => arrivals.push(`lo@${hv.now}`));
  hv.network.attachInterface(b, '10.0.0.2', () => arrivals.push(`b@${hv.now}`));
  const va = a.vcpus[0]!;
  hv.network.transmit(va, ia, { source: '10.0.0.1', destination: '127.0.0.1', bytes: 1500 });
  t.deepEqual(arrivals, ['lo@0']);
  hv.network.transmit(va, ia, { source: '10.0.0.1', destination: '10.0.0.2', bytes: 1500 });
  t.is(arrivals.length, 1, 'the NIC has not sent it yet');
  hv.runFor(1e7);
  t.is(arrivals.length, 2);
  const wire = (1500 * 8) / server2007.nic.gbps + server2007.link.latencyUs * 1000;
  t.true(Number(arrivals[1]!.split('@')[1]) >= wire - 1, `arrived after serialisation and latency (${arrivals[1]})`);
  t.like(hv.counts(a), { 'packet-sent': 2, 'packet-received': 1 });
  t.like(hv.counts(b), { 'packet-received': 1 });
});
