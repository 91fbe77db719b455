import test from 'ava';
import fc from 'fast-check';
import { HYPERVISOR_OWNER, PhysicalMemory } from '../../src/machine/physical-memory.js';

// Frames written with nothing but zeros share one buffer (a DMA of never-written sectors
// allocates nothing); a later write to one of them, or to a copy, must change that frame alone.
const FRAMES = 4;
const frame = fc.integer({ min: 0, max: FRAMES - 1 });
const sector = fc.integer({ min: 0, max: 7 });
const op = fc.oneof(
  fc.tuple(fc.constant('zeros' as const), frame, sector),
  fc.tuple(fc.constant('bytes' as const), frame, sector, fc.integer({ min: 1, max: 255 })),
  fc.tuple(fc.constant('word' as const), frame, fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 0xffffffff })),
  fc.tuple(fc.constant('zero' as const), frame),
  fc.tuple(fc.constant('copy' as const), frame, frame),
);

test('frames written with zeros read back as zeros, count as written, and take later writes alone', (t) => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 5, maxLength: 60 }), (ops) => {
      const memory = new PhysicalMemory(FRAMES);
      for (let f = 0; f < FRAMES; f++) memory.allocate(HYPERVISOR_OWNER);
      const bytes = Array.from({ length: FRAMES }, () => new Uint8Array(4096));
      const written = Array.from({ length: FRAMES }, () => false);
      const keys = Array.from({ length: FRAMES }, () => 0);
      for (const o of ops) {
        if (o[0] === 'zeros' || o[0] === 'bytes') {
          const data = new Uint8Array(512).fill(o[0] === 'zeros' ? 0 : o[3]);
          memory.writeBytes(o[1], o[2] * 512, data);
          bytes[o[1]]!.set(data, o[2] * 512);
          written[o[1]] = true;
          keys[o[1]] = -1;
        } else if (o[0] === 'word') {
          memory.writeWord32(o[1], o[2], o[3]);
          new DataView(bytes[o[1]]!.buffer).setUint32(o[2] * 4, o[3], true);
          written[o[1]] = true;
          keys[o[1]] = -1;
        } else if (o[0] === 'zero') {
          memory.zero(o[1]);
          bytes[o[1]]!.fill(0);
          written[o[1]] = false;
          keys[o[1]] = 0;
        } else {
          memory.copy(o[1], o[2]);
          bytes[o[1]]!.set(bytes[o[2]]!);
          written[o[1]] = written[o[2]]!;
          keys[o[1]] = keys[o[2]]!;
        }
      }
      const read = new Uint8Array(4096);
      for (let f = 0; f < FRAMES; f++) {
        memory.readBytes(f, 0, read);
        t.deepEqual(read, bytes[f], `frame ${f}'s bytes`);
        t.is(memory.isPopulated(f), written[f]!, `frame ${f} written`);
        t.is(memory.contentOf(f), keys[f]!, `frame ${f}'s content key`);
      }
      t.is(memory.populatedFrames, written.filter(Boolean).length);
    }),
    { numRuns: 200 },
  );
});
