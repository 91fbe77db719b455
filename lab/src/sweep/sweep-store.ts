import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentResult } from '@visorkit/workloads';
import { pointKey, type SweepPoint } from './sweep-point.js';

/**
 * Finished points kept under `DIR/points/<key>.json`, so a rerun after an interruption runs
 * only what is missing. A file is written to a temporary name and renamed, so a point is
 * either wholly there or not at all.
 */
export class SweepStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = join(dir, 'points');
  }

  /** The stored result of `point`, or undefined when it has not finished yet. */
  async get(point: SweepPoint): Promise<ExperimentResult | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.#dir, `${pointKey(point)}.json`), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return (JSON.parse(text) as { result: ExperimentResult }).result;
  }

  /** Keeps `result` as `point`'s. */
  async put(point: SweepPoint, result: ExperimentResult): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, `${pointKey(point)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ point, result }));
    await rename(tmp, file);
  }
}
