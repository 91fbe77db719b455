import type { Domain, DomainSpec, Hypervisor } from '@visorkit/core';
import type { ExperimentContext } from './experiment.js';

/**
 * Something a domain file asked for that visorkit does not model, and why.
 *
 * @public
 */
export interface IgnoredElement {
  /** Where it is in the file: an XPath-like path (`/domain/devices/graphics[0]`) or an xl.cfg key (`vfb`). */
  readonly path: string;
  readonly reason: string;
}

/**
 * A virtual disk as a domain file describes it.
 *
 * @public
 */
export interface DiskInput {
  /** The device name the guest sees (`xvda`, `vda`). */
  readonly target: string;
  /** The backing file or device on the host, when given. */
  readonly source?: string;
  readonly readOnly: boolean;
}

/**
 * A virtual network interface as a domain file describes it.
 *
 * @public
 */
export interface InterfaceInput {
  readonly mac?: string;
  /** IPv4 address given in the file (libvirt `<ip address>`, xl `ip=`). */
  readonly address?: string;
  /** MTU in bytes. */
  readonly mtu?: number;
}

/**
 * One domain read from a libvirt domain XML or xl.cfg file, in visorkit's terms. Plain data
 * (it crosses into worker threads and onto queues). Only what a file states is set; the
 * experiment's own defaults fill the rest.
 *
 * @public
 */
export interface DomainInput {
  /** The file it came from (for messages). */
  readonly source: string;
  readonly format: 'libvirt' | 'xl';
  readonly name?: string;
  readonly vcpus?: number;
  /** Maximum memory in MiB (libvirt `memory`, xl `maxmem`, else xl `memory`). */
  readonly memoryMiB?: number;
  /** Memory at boot in MiB when below the maximum (libvirt `currentMemory`, xl `memory` with `maxmem`): a balloon target. */
  readonly currentMemoryMiB?: number;
  /** Proportional-share weight (libvirt `cputune/shares`, xl `cpu_weight`). */
  readonly weight?: number;
  /** Cap in percent of one pCPU (libvirt `quota`/`period` × vCPUs, xl `cap`), 0 = none. */
  readonly cap?: number;
  readonly disks: readonly DiskInput[];
  readonly interfaces: readonly InterfaceInput[];
  /** Guest memory backed by huge pages of this size (KiB), from libvirt `memoryBacking/hugepages`. */
  readonly hugePageKiB?: number;
  /** Everything in the file that is not modelled, with its path. Never dropped silently. */
  readonly ignored: readonly IgnoredElement[];
}

/** The input that shapes the `index`-th domain: its own file's, else the one for every domain. */
function inputFor(ctx: ExperimentContext, index: number): DomainInput | undefined {
  return ctx.domains?.[index] ?? ctx.everyDomain;
}

/**
 * The spec of the `index`-th domain an experiment creates: the experiment's `defaults`,
 * overridden by what the `index`-th `--domain` file states (name, vCPUs, memory, weight, cap;
 * disks and interfaces recorded as labels). Marks that input as used.
 *
 * @public
 */
export function domainSpecFor(ctx: ExperimentContext, index: number, defaults: DomainSpec): DomainSpec {
  const input = inputFor(ctx, index);
  if (input === undefined) return defaults;
  if (ctx.domains?.[index] !== undefined) ctx.domainUsed?.(index);
  const labels: Record<string, string> = { ...defaults.labels, source: input.source };
  input.disks.forEach((d, i) => (labels[`disk${i}`] = d.target));
  input.interfaces.forEach((n, i) => (labels[`interface${i}`] = n.mac ?? n.address ?? 'auto'));
  return {
    ...defaults,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.vcpus !== undefined ? { vcpus: input.vcpus } : {}),
    ...(input.memoryMiB !== undefined ? { memoryMiB: input.memoryMiB } : {}),
    ...(input.weight !== undefined ? { weight: input.weight } : {}),
    ...(input.cap !== undefined ? { cap: input.cap } : {}),
    labels,
  };
}

/**
 * The guest-kernel options the `index`-th domain file sets (addresses and MTU of its interfaces).
 *
 * @public
 */
export function guestOptionsFor(ctx: ExperimentContext, index: number): { address?: string; addresses?: readonly string[]; mtu?: number } {
  const input = inputFor(ctx, index);
  if (input === undefined) return {};
  const addresses = input.interfaces.flatMap((n) => (n.address !== undefined ? [n.address] : []));
  const mtu = input.interfaces.find((n) => n.mtu !== undefined)?.mtu;
  return {
    ...(addresses[0] !== undefined ? { address: addresses[0] } : {}),
    ...(addresses.length > 1 ? { addresses: addresses.slice(1) } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
  };
}

/**
 * Creates the `index`-th domain of an experiment (see {@link domainSpecFor}) and, when its
 * file boots it below its maximum memory, sets that balloon target.
 *
 * @public
 */
export function createDomainFor(ctx: ExperimentContext, hv: Hypervisor, index: number, defaults: DomainSpec): Domain {
  const domain = hv.createDomain(domainSpecFor(ctx, index, defaults));
  const current = inputFor(ctx, index)?.currentMemoryMiB;
  if (current !== undefined && current * 256 < domain.reservationFrames) hv.setReservation(domain, Math.max(1, Math.round(current * 256)));
  return domain;
}

/**
 * Host RAM (MiB) to compose with when the first `count` domains use the files' sizes:
 * `fallback` (undefined = the profile's own) unless the files' domains plus `headroomMiB`
 * need more.
 *
 * @public
 */
export function hostMemoryFor(
  ctx: ExperimentContext,
  count: number,
  defaultDomainMiB: number,
  fallback: number | undefined,
  headroomMiB = 512,
): number | undefined {
  if ((ctx.domains === undefined || ctx.domains.length === 0) && ctx.everyDomain === undefined) return fallback;
  let need = headroomMiB;
  for (let i = 0; i < count; i++) need += inputFor(ctx, i)?.memoryMiB ?? defaultDomainMiB;
  const base = fallback ?? ctx.profile.memory.sizeMiB;
  return need > base ? need : fallback;
}

/**
 * The domain counts an experiment that sweeps a count should run: its own list, or only the
 * context's `domainCount` when a sweep sets one.
 *
 * @public
 */
export function domainCounts(ctx: ExperimentContext, own: readonly number[]): readonly number[] {
  if (ctx.domainCount === undefined) return own;
  ctx.domainCountUsed?.();
  return [ctx.domainCount];
}
