import fc from 'fast-check';
import type { Hypervisor, MachineRecorder } from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { blockAndWake, computeForever, domainNames, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor, resized } from '../kit/profiles.js';

const WEIGHTS = [64, 128, 256, 384, 512, 1024];

/** One competing domain: its weight, vCPUs, and whether it runs flat out or blocks and wakes. */
interface Contender {
  readonly weight: number;
  readonly vcpus: number;
  /** Flat out when undefined; otherwise run this long (ms) then sleep that long (ms). */
  readonly duty?: { readonly runMs: number; readonly sleepMs: number } | undefined;
}

/**
 * Weighted max-min fair shares of `cores` pCPUs: each domain gets CPU in proportion to its
 * weight, no more than it asks for (its vCPUs, its duty cycle), and what one does not use is
 * shared by the others in proportion to their weights. `perVcpu`: weights count per vCPU
 * (threads of one OS) rather than per domain.
 *
 * @public
 */
export function fairShares(contenders: readonly Contender[], cores: number, perVcpu: boolean): number[] {
  const demand = contenders.map((c) => Math.min(c.vcpus, cores) * (c.duty === undefined ? 1 : c.duty.runMs / (c.duty.runMs + c.duty.sleepMs)));
  const weight = contenders.map((c) => c.weight * (perVcpu ? c.vcpus : 1));
  const share = new Array<number>(contenders.length).fill(0);
  const open = new Set(contenders.keys());
  let left = cores;
  while (open.size > 0 && left > 1e-12) {
    const total = [...open].reduce((s, i) => s + weight[i]!, 0);
    let capped = false;
    for (const i of open) {
      if (left * (weight[i]! / total) >= demand[i]! - share[i]!) {
        left -= demand[i]! - share[i]!;
        share[i] = demand[i]!;
        open.delete(i);
        capped = true;
      }
    }
    if (!capped) {
      for (const i of open) share[i] = share[i]! + left * (weight[i]! / total);
      left = 0;
    }
  }
  return share;
}

const contender = (duty: boolean, maxVcpus: number): fc.Arbitrary<Contender> =>
  fc.record({
    weight: fc.constantFrom(...WEIGHTS),
    vcpus: fc.integer({ min: 1, max: maxVcpus }),
    duty: duty
      ? fc.option(fc.record({ runMs: fc.integer({ min: 1, max: 12 }), sleepMs: fc.constantFrom(0.05, 0.2, 0.5, 1, 3) }), { nil: undefined, freq: 2 })
      : fc.constant(undefined),
  });

/** Runs contenders for `seconds`; returns each domain's recorded CPU over the window after warm-up, as pCPUs. */
function runContenders(
  compose: Compose,
  settings: KitSettings,
  machine: number,
  cores: number,
  contenders: readonly Contender[],
  seconds: number,
): { hv: Hypervisor; rec: MachineRecorder; got: number[]; windowNs: number; ids: number[] } {
  const profile = resized(machinesFor(compose)[machine]!, cores);
  const { hv, rec } = machineUnderTest(compose, profile, settings);
  const ds = domainNames(contenders.length).map((n, i) =>
    hv.createDomain({ name: n, weight: contenders[i]!.weight, vcpus: contenders[i]!.vcpus, memoryMiB: 4 }),
  );
  ds.forEach((d, i) => {
    const duty = contenders[i]!.duty;
    hv.start(d, duty === undefined ? () => computeForever : blockAndWake(hv, duty.runMs * 1e6, duty.sleepMs * 1e6));
  });
  const warm = 0.2e9;
  const end = seconds * 1e9;
  hv.runUntil(end);
  const windowNs = end - warm;
  return { hv, rec, got: ds.map((d) => rec.runTimeOf(d.id, warm, end) / windowNs), windowNs, ids: ds.map((d) => d.id) };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Proportional share on `cores` pCPUs: one check, judged on one pCPU and on several. */
function proportionalShare(contract: string, sentence: string, cores: number, settings: KitSettings, isolation: boolean): Contract {
  const perVcpu = !isolation;
  return {
    contract,
    sentence,
    check(compose, name) {
      const machines = machinesFor(compose).length;
      // Shares that fit each domain's vCPUs: pure proportion (redistributing a capped share is max-min fairness, judged with waking domains).
      const scenario = fc
        .record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.constant(cores),
          contenders: fc.array(contender(false, isolation ? 3 : 1), { minLength: 2, maxLength: 8 }),
        })
        .filter((s) => {
          const total = s.contenders.reduce((n, c) => n + c.weight * (perVcpu ? c.vcpus : 1), 0);
          return s.contenders.every((c) => (s.cores * c.weight * (perVcpu ? c.vcpus : 1)) / total <= Math.min(c.vcpus, s.cores));
        });
      checkProperty(this.contract, name, settings, scenario, 8, (s) => {
        const { got } = runContenders(compose, settings, s.machine, s.cores, s.contenders, 1.4);
        const fair = fairShares(s.contenders, s.cores, perVcpu);
        for (let i = 0; i < got.length; i++) {
          // Several pCPUs cannot split a domain's share as finely as one can: a wider absolute margin.
          if (Math.abs(got[i]! - fair[i]!) > 0.1 * fair[i]! + (Number(s.cores) === 1 ? 0.02 : 0.06))
            return `domain d${i} (weight ${s.contenders[i]!.weight}, ${s.contenders[i]!.vcpus} vCPU(s)) got ${percent(got[i]!)} of a pCPU; its fair share is ${percent(fair[i]!)} (shares ${got.map(percent).join(', ')} for weights ${s.contenders.map((c) => c.weight).join(', ')})`;
        }
        return undefined;
      });
    },
  };
}

/**
 * Scheduler contracts: generated contenders, judged on what each pCPU really ran (the recorder's bursts).
 *
 * @public
 */
export function schedulerContracts(settings: KitSettings, isolation: boolean): readonly Contract[] {
  const perVcpu = !isolation;
  const list: Contract[] = [
    proportionalShare(
      'scheduler/proportional-share',
      'runnable domains get CPU in proportion to their weights (within 10% of their fair share), 2–8 domains on one pCPU',
      1,
      settings,
      isolation,
    ),
    proportionalShare(
      'scheduler/proportional-share-across-pcpus',
      'on several pCPUs too, runnable domains get CPU in proportion to their weights (within 10% and 6 points of their fair share)',
      2,
      settings,
      isolation,
    ),
    {
      contract: 'scheduler/waking-earns-no-extra-share',
      sentence: 'domains that block and wake get no more than their fair share, and busy domains lose none of theirs to them',
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const scenario = fc
          .record({ machine: fc.integer({ min: 0, max: machines - 1 }), contenders: fc.array(contender(true, 1), { minLength: 2, maxLength: 6 }) })
          .filter((s) => s.contenders.some((c) => c.duty !== undefined) && s.contenders.some((c) => c.duty === undefined));
        checkProperty(this.contract, name, settings, scenario, 8, (s) => {
          const { got } = runContenders(compose, settings, s.machine, 1, s.contenders, 1.4);
          const fair = fairShares(s.contenders, 1, perVcpu);
          for (let i = 0; i < got.length; i++) {
            const c = s.contenders[i]!;
            const what = c.duty === undefined ? 'busy' : `blocking every ${c.duty.runMs} ms for ${c.duty.sleepMs} ms`;
            // A waking domain may take less than its demand (it waits its turn), never more than
            // its share — counting what the other waking domains really took (what they left is fair game).
            const others = s.contenders.map((o, j) =>
              j === i || o.duty === undefined ? o : { ...o, duty: { runMs: Math.max(1e-9, got[j]!), sleepMs: Math.max(1e-9, 1 - got[j]!) } },
            );
            const mine = fairShares(others, 1, perVcpu)[i]!;
            if (c.duty !== undefined && got[i]! > mine * 1.12 + 0.015)
              return `domain d${i} (weight ${c.weight}, ${what}) got ${percent(got[i]!)} of the pCPU, more than its fair share ${percent(mine)}`;
            if (c.duty === undefined && got[i]! < fair[i]! * 0.88 - 0.015)
              return `busy domain d${i} (weight ${c.weight}) got ${percent(got[i]!)}, less than its fair share ${percent(fair[i]!)}, beside ${s.contenders.filter((x) => x.duty !== undefined).length} waking domain(s)`;
          }
          return undefined;
        });
      },
    },
    {
      contract: 'scheduler/work-conserving-and-starvation-free',
      sentence: 'no pCPU idles while a vCPU is runnable, every runnable vCPU runs, and no vCPU runs on two pCPUs at once',
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const scenario = fc.record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.constantFrom(1, 2, 2),
          contenders: fc.array(contender(false, 3), { minLength: 1, maxLength: 8 }),
        });
        checkProperty(this.contract, name, settings, scenario, 10, (s) => {
          const { hv, rec, ids } = runContenders(compose, settings, s.machine, s.cores, s.contenders, 0.6);
          const vcpus = s.contenders.reduce((n, c) => n + c.vcpus, 0);
          for (const d of hv.domains.all())
            for (const v of d.vcpus)
              if (!rec.runs.some((r) => r.domain === d.id && r.vcpu === v.index)) return `${v.label} was runnable for 0.6 s and never ran`;
          // No vCPU in two places at once.
          const open = new Map<string, number>();
          for (const r of [...rec.runs].sort((a, b) => a.start - b.start)) {
            const key = `${r.domain}.${r.vcpu}`;
            if ((open.get(key) ?? -1) > r.start)
              return `vCPU d${ids.indexOf(r.domain)}.v${r.vcpu} ran on pCPU ${r.pcpu} at ${r.start} ns while still running elsewhere`;
            open.set(key, r.start + r.durationNs);
          }
          if (vcpus >= s.cores) {
            hv.runner.settleIdle();
            for (const p of hv.machine.pcpus) {
              const busy = rec.runs.filter((r) => r.pcpu === p.index).reduce((n, r) => n + r.durationNs, 0) / hv.now;
              if (busy < 0.98) return `pCPU ${p.index} ran vCPUs only ${percent(busy)} of the time with ${vcpus} busy vCPU(s) on ${s.cores} pCPU(s)`;
            }
          }
          return undefined;
        });
      },
    },
  ];
  if (isolation) {
    list.push({
      contract: 'scheduler/many-vcpus-get-no-more-than-their-share',
      sentence: 'a domain with many busy vCPUs gets no more than its weight share',
      check(compose, name) {
        const machines = machinesFor(compose).length;
        const scenario = fc.record({
          machine: fc.integer({ min: 0, max: machines - 1 }),
          cores: fc.integer({ min: 1, max: 2 }),
          many: fc.integer({ min: 2, max: 16 }),
          weight: fc.constantFrom(...WEIGHTS),
        });
        checkProperty(this.contract, name, settings, scenario, 6, (s) => {
          const contenders: Contender[] = [
            { weight: s.weight, vcpus: s.many },
            { weight: s.weight, vcpus: 1 },
            ...(s.cores > 1 ? [{ weight: s.weight, vcpus: 1 }] : []),
          ];
          const { got } = runContenders(compose, settings, s.machine, s.cores, contenders, 1.2);
          const fair = fairShares(contenders, s.cores, false);
          const last = got.length - 1;
          if (got[last]! < fair[last]! * 0.9 - 0.01)
            return `a 1-vCPU domain got ${percent(got[last]!)} of a pCPU beside a ${s.many}-vCPU domain of equal weight; its fair share is ${percent(fair[last]!)}`;
          return undefined;
        });
      },
    });
  }
  return list;
}
