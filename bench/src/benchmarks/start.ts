import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Benchmark } from '../benchmark.js';

/** `start-s`: wall seconds of the main job (`visorkit start`, already built). */
export const start: Benchmark = {
  name: 'start',
  description: 'wall seconds of the whole main job',
  async run() {
    const root = join(fileURLToPath(import.meta.url), '../../../../..');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'lab/dist/src/main.js'), 'start', '--out', join(root, 'report')], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`visorkit start failed: ${r.stderr}`);
    return [{ name: 'start-s', value: (performance.now() - t0) / 1000, unit: 's' }];
  },
};
