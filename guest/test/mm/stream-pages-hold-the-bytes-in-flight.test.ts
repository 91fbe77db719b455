import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { createHypervisor, server2007, type Domain, type FrameAccess, type Gfn, type Vcpu } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { FrameAllocator, StreamPages } from '../../src/index.js';

const PAGE = 4096;

/** A native machine, one domain, an allocator over its frames, and a record of the frames written. */
function setup() {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const domain = hv.createDomain({ name: 'g', memoryMiB: 4 });
  const frames = new FrameAllocator(hv.memory.frames(domain), 16);
  const written: number[] = [];
  const byDevice: number[] = [];
  const memory = hv.memory;
  const writeFrame = memory.writeFrame.bind(memory);
  const machineFrame = memory.machineFrame.bind(memory);
  memory.writeFrame = (v: Vcpu, f: Gfn) => {
    written.push(f);
    writeFrame(v, f);
  };
  // A device's write is the machine frame taken with write intent.
  memory.machineFrame = (d: Domain, f: Gfn, access: FrameAccess) => {
    if (access === 'write') byDevice.push(f);
    return machineFrame(d, f, access);
  };
  return { pages: { hv, frames }, vcpu: domain.vcpus[0]!, written, byDevice };
}

test('a stream buffer holds exactly the pages its unconsumed bytes span, writes each page an append reaches, and gives every frame back', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 70_000 }),
      fc.array(fc.record({ append: fc.boolean(), share: fc.double({ min: 0, max: 1, noNaN: true }), device: fc.boolean() }), { maxLength: 60 }),
      (capacity, ops) => {
        const { pages, vcpu, written, byDevice } = setup();
        const before = pages.frames.available;
        const s = new StreamPages(capacity);
        let head = 0;
        let tail = 0;
        for (const op of ops) {
          if (op.append) {
            const n = Math.floor((capacity - (tail - head)) * op.share);
            const [kernelBefore, deviceBefore] = [written.length, byDevice.length];
            if (!s.append(vcpu, pages, n, op.device)) return false;
            const reached = n === 0 ? 0 : Math.floor((tail + n - 1) / PAGE) - Math.floor(tail / PAGE) + 1;
            // Each page reached is written once, by the writer named (the kernel or a device).
            const [byKernel, byDma] = [written.length - kernelBefore, byDevice.length - deviceBefore];
            if ((op.device ? byDma : byKernel) !== reached || (op.device ? byKernel : byDma) !== 0) return false;
            tail += n;
          } else {
            const n = Math.floor((tail - head) * op.share);
            s.consume(pages, n);
            head += n;
          }
          const expected = head === tail ? 0 : Math.ceil(tail / PAGE) - Math.floor(head / PAGE);
          if (s.held !== tail - head || s.frames !== expected) return false;
          if (pages.frames.available + s.frames !== before) return false;
        }
        s.clear(pages);
        return s.frames === 0 && s.held === 0 && pages.frames.available === before;
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});

test('an append that cannot have its frames leaves the stream as it was; one beyond the capacity is refused', (t) => {
  const { pages, vcpu } = setup();
  const s = new StreamPages(65536);
  t.true(s.append(vcpu, pages, 100, false));
  // Take every frame left: the next append that needs a new page cannot have it.
  while (pages.frames.available > 0) pages.frames.allocate();
  t.true(s.append(vcpu, pages, 4096 - 100, false), 'the rest of a page already held needs no frame');
  t.false(s.append(vcpu, pages, 5000, false));
  t.is(s.held, 4096);
  t.is(s.frames, 1);
  t.throws(() => s.append(vcpu, pages, 65536, false), { message: /do not fit/ });
  t.throws(() => new StreamPages(0), { message: /positive whole number/ });
});
