import 'reflect-metadata';
import test from 'ava';
import { createHypervisor, server2007 } from '@visorkit/core';
import { bootGuest, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { vserverOn } from '../src/index.js';

/** Two contexts writing to disk flat out; returns the bytes each wrote in `seconds`. */
function writers(weights: [number, number], seconds: number): number[] {
  const hv = createHypervisor({ machine: server2007, plugins: vserverOn(nativePlugin) });
  const written = [0, 0];
  weights.forEach((weight, i) => {
    const d = hv.createDomain({ name: `ctx${i}`, weight, memoryMiB: 64 });
    bootGuest(hv, d, {
      programs: {
        '/bin/dd': {
          program: function* (sys: Sys) {
            const fd = yield* sys.open('/scratch/out', { create: true });
            for (let off = 0; ; off = (off + 65536) % (128 << 20)) {
              yield* sys.lseek(fd, off);
              written[i]! += Math.max(0, yield* sys.write(fd, 65536));
            }
          },
        },
      },
      run: ['/bin/dd'],
    });
  });
  hv.runUntil(seconds * 1e9);
  return written;
}

test('contexts competing for the disk share it by weight: three times the weight, over twice the throughput', (t) => {
  // Turns go to the context with the least weighted disk time; a turn lasts up to 20 ms. The
  // heavier context falls short of 3:1 only while its write-back has nothing queued.
  const [light, heavy] = writers([256, 768], 6);
  const ratio = heavy! / light!;
  t.true(ratio > 2 && ratio < 4, `heavy/light = ${ratio.toFixed(2)} (weights 3:1)`);
  const [a, b] = writers([512, 512], 6);
  t.true(Math.abs(a! / b! - 1) < 0.25, `equal weights: ${(a! / b!).toFixed(2)}`);
});
