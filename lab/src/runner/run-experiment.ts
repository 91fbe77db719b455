import type { Hypervisor } from '@visorkit/core';
import type { DomainInput, ExperimentCrash, ExperimentResult } from '@visorkit/workloads';
import type { RunPlan } from '../cli/resolve.js';
import { releaseKeptObjects } from './release-kept-objects.js';
import { UsageError } from '../cli/usage-error.js';
import { withProvenance } from '../fidelity/provenance.js';

/**
 * Options of one experiment run.
 *
 * @public
 */
export interface RunOptions {
  readonly seed: number;
  readonly observe?: (hv: Hypervisor, platform: string) => void;
  readonly progress?: (done: number, total: number) => void;
  /** Domains from `--domain` files: the i-th shapes the i-th domain the experiment creates. */
  readonly domains?: readonly DomainInput[];
  /** Shapes every domain without a file of its own (a sweep's `domain.*` axes). */
  readonly everyDomain?: DomainInput;
  /** Run only this many domains where the experiment sweeps a count of them. */
  readonly domainCount?: number;
  /** Told of each domain file the experiment did not use (it creates fewer domains). */
  readonly unused?: (input: DomainInput) => void;
}

/**
 * Runs a resolved plan and returns the result document. Each time the experiment composes a
 * hypervisor, the ones it has dropped become collectable (see {@link releaseKeptObjects}).
 * Guest processes that crashed on any hypervisor the experiment composed are listed in its
 * `crashes` (present only when there were some, so a clean run's document is unchanged).
 *
 * @public
 */
export function runExperiment(plan: RunPlan, options: RunOptions): ExperimentResult {
  const used = new Set<number>();
  let countUsed = false;
  const domains = options.domains !== undefined && options.domains.length > 0 ? options.domains : undefined;
  const observe = options.observe;
  const crashes: ExperimentCrash[] = [];
  const results = plan.experiment.run({
    profile: plan.profile,
    platforms: plan.platforms,
    seed: options.seed,
    observe: (hv, platform) => {
      releaseKeptObjects();
      hv.events.guest.crashes$.subscribe((e) => crashes.push({ platform, ...e }));
      observe?.(hv, platform);
    },
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(domains !== undefined ? { domains, domainUsed: (i: number) => used.add(i) } : {}),
    ...(options.everyDomain !== undefined ? { everyDomain: options.everyDomain } : {}),
    ...(options.domainCount !== undefined ? { domainCount: options.domainCount, domainCountUsed: () => (countUsed = true) } : {}),
  });
  if (options.domainCount !== undefined && !countUsed)
    throw new UsageError(`experiment '${plan.experiment.id}' sweeps no count of domains: a domain count (--vary domains=…) does not apply to it`);
  domains?.forEach((d, i) => {
    if (!used.has(i)) options.unused?.(d);
  });
  return withProvenance({
    experiment: plan.experiment.id,
    composition: plan.composition,
    profile: plan.profile.name,
    seed: options.seed,
    ...(domains !== undefined ? { domains } : {}),
    results,
    ...(crashes.length > 0 ? { crashes } : {}),
  });
}
