// The simulation's thread: runs one experiment at a time on the browser-safe packages and
// reports progress and live mechanism counts from the hypervisors' event streams.
import 'reflect-metadata';
import type { Hypervisor } from '@visorkit/core';
import type { LiveCounts, RunRequest, WorkerMessage } from './protocol.js';
import { resolveRequest } from './resolve-request.js';

const scope = self as unknown as { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<RunRequest>) => void) | null };

/** Tallies of one platform, fed by its hypervisors' streams. */
interface Tally {
  streams: Record<string, number>;
  reasons: Map<string, number>;
}

/** Posting every event would flood the page: counts go out at most every 100 ms. */
const POST_EVERY_MS = 100;

scope.onmessage = (e) => {
  const started = performance.now();
  const tallies = new Map<string, Tally>();
  let lastPost = 0;
  let sinceCheck = 0;
  const post = (force: boolean): void => {
    const now = performance.now();
    if (!force && now - lastPost < POST_EVERY_MS) return;
    lastPost = now;
    const counts: LiveCounts[] = [...tallies].map(([platform, t]) => ({
      platform,
      streams: { ...t.streams },
      reasons: Object.fromEntries([...t.reasons].sort((a, b) => b[1] - a[1]).slice(0, 6)),
    }));
    scope.postMessage({ type: 'counts', counts });
  };
  const observe = (hv: Hypervisor, platform: string): void => {
    let t = tallies.get(platform);
    if (t === undefined) {
      t = { streams: { hypercalls: 0, traps: 0, 'vm exits': 0, schedules: 0, 'i/o': 0, timers: 0, lifecycle: 0 }, reasons: new Map() };
      tallies.set(platform, t);
    }
    const tally = t;
    const count = (stream: string, reason?: string): void => {
      tally.streams[stream] = (tally.streams[stream] ?? 0) + 1;
      if (reason !== undefined) tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
      // Reading the clock on every event would cost more than the event.
      if (++sinceCheck >= 2048) {
        sinceCheck = 0;
        post(false);
      }
    };
    const { cpu, io, domains } = hv.events;
    cpu.hypercalls$.subscribe((x) => count('hypercalls', `hypercall ${x.reason}`));
    cpu.traps$.subscribe((x) => count('traps', `trap ${x.reason}`));
    cpu.vmExits$.subscribe((x) => count('vm exits', `exit ${x.reason}`));
    cpu.schedules$.subscribe(() => count('schedules'));
    io.io$.subscribe((x) => count('i/o', x.kind));
    io.timers$.subscribe(() => count('timers'));
    domains.lifecycle$.subscribe(() => count('lifecycle'));
  };
  try {
    const run = resolveRequest(e.data);
    const results = run.experiment.run({
      profile: run.profile,
      platforms: run.platforms,
      seed: e.data.seed,
      observe,
      progress: (done, total) => {
        scope.postMessage({ type: 'progress', done, total });
        post(true);
      },
    });
    post(true);
    scope.postMessage({
      type: 'done',
      result: { experiment: run.experiment.id, composition: run.composition, profile: run.profile.name, seed: e.data.seed, results },
      elapsedMs: performance.now() - started,
    });
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
