import type { Prng } from '@visorkit/core';
import type { Program, Sys } from '@visorkit/guest';
import type { ServiceProbe } from './service-probe.js';

/** Quake 3's server frame: a snapshot to every player every 50 ms (sv_fps 20). */
export const TICK_NS = 50e6;
/** Bytes of one delta-compressed snapshot (an estimate for a six-player map). */
const SNAPSHOT_BYTES = 200;
/** The game world the server keeps in memory, and pages it changes per player per frame. */
const WORLD_BYTES = 16 << 20;
const PAGES_PER_PLAYER = 2;
/** Instructions of one server frame per player (movement, collision, snapshot build): an estimate. */
const FRAME_INSTRUCTIONS_PER_PLAYER = 60_000;
const GAME_PORT = 27960;

/**
 * How late snapshots reach the players: from the moment the server's frame began to the
 * moment a player has the whole snapshot, both read off the simulation's one clock (an
 * observer's measurement, not the guests' own clocks, which differ between machines).
 */
export class LatencyProbe implements ServiceProbe {
  readonly metric = 'update-latency';
  readonly unit = 'ms';
  /** Frame start times (ns), by frame number. */
  readonly #frames: number[] = [];
  #sum = 0;
  #count = 0;

  constructor(readonly clock: () => number) {}

  /** The server began frame `k`. */
  frameBegan(k: number): void {
    this.#frames[k] = this.clock();
  }

  /** A player has received frame `k`. */
  received(k: number): void {
    const began = this.#frames[k];
    if (began === undefined) return;
    this.#sum += this.clock() - began;
    this.#count++;
  }

  sample(): number {
    const ms = this.#count === 0 ? 0 : this.#sum / this.#count / 1e6;
    this.#sum = 0;
    this.#count = 0;
    return ms;
  }
}

/**
 * A Quake 3-like game server: accepts `players` connections, then every 50 ms updates the
 * world (a few pages per player of a 16 MiB world, picked from `random`, a fork of the run's Simulator.random) and sends each
 * player a snapshot. Played over TCP here (the model has no UDP); snapshots are small enough
 * that neither protocol queues them.
 */
export function gameServer(players: number, probe: LatencyProbe, random: Prng): Program {
  return function* (sys: Sys) {
    const listener = yield* sys.socket();
    if ((yield* sys.bind(listener, GAME_PORT)) < 0 || (yield* sys.listen(listener)) < 0) return 1;
    const world = yield* sys.mmap({ bytes: WORLD_BYTES });
    const connections: number[] = [];
    for (let p = 0; p < players; p++) connections.push(yield* sys.accept(listener));
    const rng = random;
    const worldPages = WORLD_BYTES / 4096;
    const start = yield* sys.now();
    for (let k = 0; ; k++) {
      probe.frameBegan(k);
      for (let p = 0; p < players; p++) {
        for (let i = 0; i < PAGES_PER_PLAYER; i++) yield* sys.touch(world + Math.floor(rng.next() * worldPages) * 4096, 256, { write: true, stride: 64 });
        yield* sys.compute(FRAME_INSTRUCTIONS_PER_PLAYER);
      }
      for (const c of connections) yield* sys.write(c, SNAPSHOT_BYTES);
      const wait = start + (k + 1) * TICK_NS - (yield* sys.now());
      if (wait > 0) yield* sys.sleep(wait);
    }
  };
}

/** `players` game clients: each connects and reads snapshots, telling the probe when each arrived. */
export function gamePlayers(address: string, players: number, probe: LatencyProbe): Program {
  return function* (sys: Sys) {
    const player: Program = function* (s: Sys) {
      const c = yield* s.socket();
      if ((yield* s.connect(c, address, GAME_PORT)) !== 0) return 1;
      let bytes = 0;
      let frame = 0;
      for (;;) {
        const n = yield* s.read(c, 65536);
        if (n <= 0) return 0;
        bytes += n;
        for (; (frame + 1) * SNAPSHOT_BYTES <= bytes; frame++) probe.received(frame);
      }
    };
    for (let i = 0; i < players; i++) yield* sys.fork(player);
    for (let i = 0; i < players; i++) yield* sys.wait();
    return 0;
  };
}
