import fc from 'fast-check';
import type { BlockStatus, Domain, NetFrame } from '@visorkit/core';
import { gfn } from '@visorkit/core';
import type { Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { blockAndWake, computeForever, forceDestroy, isTypedRefusal, machineFaults, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor, resized } from '../kit/profiles.js';

interface Doomed {
  readonly vcpus: number;
  readonly blocks: boolean;
  readonly alarms: readonly ('real' | 'virtual')[];
  readonly iface: boolean;
  readonly io: number;
  readonly touch: number;
  /** How it ends before destroy: shut down, crashed, or never started. */
  readonly end: 'shutdown' | 'crash' | 'never-started';
  readonly at: number;
}

const doomed: fc.Arbitrary<Doomed> = fc.record({
  vcpus: fc.integer({ min: 1, max: 3 }),
  blocks: fc.boolean(),
  alarms: fc.array(fc.constantFrom<'real' | 'virtual'>('real', 'virtual'), { maxLength: 2 }),
  iface: fc.boolean(),
  io: fc.integer({ min: 0, max: 4 }),
  touch: fc.integer({ min: 0, max: 60 }),
  end: fc.constantFrom('shutdown', 'crash', 'never-started'),
  at: fc.integer({ min: 1, max: 40 }),
});

/**
 * Lifecycle contracts.
 *
 * @public
 */
export function lifecycleContracts(settings: KitSettings): readonly Contract[] {
  return [
    {
      contract: 'lifecycle/destroyed-domains-leave-nothing',
      sentence:
        'a destroyed domain leaves nothing running or held: no vCPU runs, no timer fires, no interface receives, no in-flight I/O lands, no frame stays owned',
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const scenario = fc.record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.integer({ min: 1, max: 2 }),
          doomed: fc.array(doomed, { minLength: 1, maxLength: 4 }),
          survivors: fc.integer({ min: 1, max: 3 }),
        });
        checkProperty(this.contract, name, settings, scenario, 10, (s) => {
          const { hv, rec } = machineUnderTest(compose, resized(machinesFor(compose)[s.machine]!, s.cores), settings);
          const late: string[] = [];
          const survivors = Array.from({ length: s.survivors }, (_, i) => hv.createDomain({ name: `s${i}`, memoryMiB: 8 }));
          const got: NetFrame[] = [];
          survivors.forEach((d, i) => {
            hv.network.attachInterface(d, `10.9.${i}.1`, (f) => got.push(f));
            hv.start(d, () => computeForever);
          });
          const dead: { d: Domain; spec: Doomed; address: string; dev: number }[] = s.doomed.map((spec, i) => {
            const d = hv.createDomain({ name: `x${i}`, vcpus: spec.vcpus, memoryMiB: 8 });
            const address = `10.8.${i}.1`;
            if (spec.iface)
              hv.network.attachInterface(d, address, (f) => late.push(`'${d.name}''s interface received a frame for ${f.destination} after it was destroyed`));
            for (let g = 0; g < spec.touch; g++) rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, gfn(g * 13)));
            const dev = hv.block.attachDisk(d, 256);
            if (spec.end !== 'never-started') hv.start(d, spec.blocks ? blockAndWake(hv, 2e6, 1e6) : () => computeForever);
            return { d, spec, address, dev };
          });
          for (const x of dead) {
            hv.sim.scheduleAt(x.spec.at * 1e6, () => {
              const { d, spec } = x;
              for (const clock of spec.alarms)
                hv.time.setAlarm(
                  d,
                  clock,
                  (clock === 'real' ? hv.now : hv.time.virtualTime(d)) + 5e6,
                  () => d.state === 'destroyed' && late.push(`'${d.name}''s ${clock}-time alarm fired after it was destroyed`),
                );
              for (let k = 0; k < spec.io; k++) {
                hv.block.submit(
                  d.vcpus[0]!,
                  x.dev,
                  { operation: 'read', sector: k * 16, frames: [gfn(200 + k), gfn(300 + k)] },
                  (st: BlockStatus) => d.state === 'destroyed' && st === 'ok' && late.push(`'${d.name}''s disk read completed 'ok' after it was destroyed`),
                );
              }
              if (spec.end === 'shutdown') hv.shutdown(d);
              else if (spec.end === 'crash') hv.crash(d, 'the kit crashed it');
              forceDestroy(hv, d);
            });
          }
          hv.runUntil(60e6);
          // Newcomers take the freed memory: stray DMA or a stale mapping would now hit them.
          const newcomers = s.doomed.map((_, i) => hv.createDomain({ name: `n${i}`, memoryMiB: 8 }));
          for (const n of newcomers) for (let g = 0; g < 64; g++) rec.as(n.id, () => hv.memory.zeroFrame(n.vcpus[0]!, gfn(g)));
          const runsAt = rec.runs.length;
          for (const x of dead) {
            if (x.spec.iface) {
              try {
                const sender = survivors[0]!;
                rec.as(sender.id, () => hv.network.transmit(sender.vcpus[0]!, 0, { source: '10.9.0.1', destination: x.address, bytes: 200 }));
              } catch (e) {
                if (!isTypedRefusal(e)) throw e;
              }
            }
          }
          hv.runUntil(400e6);
          if (late.length > 0) return late[0];
          // Whatever the dead held of the scheduler is gone: the survivors get the pCPUs.
          const survivorIds = new Set<number>(survivors.map((d) => d.id));
          // Run time inside the window (a run straddling an edge counts for its part inside: with
          // 30 ms slices, counting whole runs by their start would miss up to a slice).
          const used = rec.runs
            .filter((r) => survivorIds.has(r.domain))
            .reduce((n, r) => n + Math.max(0, Math.min(r.start + r.durationNs, 400e6) - Math.max(r.start, 100e6)), 0);
          const capacity = Math.min(s.cores, survivors.length) * 300e6;
          if (used < 0.95 * capacity)
            return `after the destroys, ${survivors.length} busy survivor(s) got ${((100 * used) / capacity).toFixed(1)}% of the ${Math.min(s.cores, survivors.length)} pCPU(s) they could use`;
          const deadIds = new Set<number>(dead.map((x) => x.d.id));
          const ran = rec.runs.slice(runsAt).find((r) => deadIds.has(r.domain));
          if (ran !== undefined) return `a vCPU of destroyed domain #${ran.domain} ran on pCPU ${ran.pcpu} at ${ran.start} ns`;
          const timer = rec.timers.find((t) => deadIds.has(t.domain) && t.time > 60e6);
          if (timer !== undefined) return `a ${timer.clock}-time alarm of destroyed domain #${timer.domain} fired at ${timer.time} ns`;
          for (const x of dead) {
            const held = hv.machine.memory.framesOwnedBy(x.d.id);
            if (held > 0) return `destroyed domain '${x.d.name}' still owns ${held} machine frame(s)`;
          }
          // Its address is free again for a new domain.
          for (const x of dead) {
            if (!x.spec.iface) continue;
            try {
              hv.network.attachInterface(newcomers[0]!, x.address, () => {});
            } catch (e) {
              return `a new domain could not take destroyed '${x.d.name}''s address ${x.address}: ${String(e)}`;
            }
          }
          if (hv.scheduler.queued > hv.domains.all().reduce((n, d) => n + (d.state === 'running' ? d.vcpus.length : 0), 0))
            return `the scheduler still queues ${hv.scheduler.queued} vCPU(s), more than the live domains have`;
          return machineFaults(hv, rec);
        });
      },
    },
  ];
}
