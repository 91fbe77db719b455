import type { Hypervisor } from '../composition/hypervisor.js';
import { CostCategory } from '../accounting/cost-category.js';
import type { Domain } from '../domain/domain.js';
import type { BurstExit, Vcpu, VcpuProgram } from '../domain/vcpu.js';
import { InvalidArgumentError, UnsupportedCapabilityError } from '../errors/visorkit-error.js';
import { Capability } from '../capabilities/capability.js';
import { PAGE_SIZE } from '../units/units.js';
import { xenPrecopyPolicy, type MigratableProgram, type MigrationOptions, type MigrationReport, type MigrationRound } from './migration-types.js';

/** Pages sent per simulation event: the guest keeps running between batches. */
const BATCH_PAGES = 64;
/** Auto-converge: first throttle and step per round (QEMU's defaults: 20%, +10%). */
const THROTTLE_INITIAL = 0.2;
const THROTTLE_STEP = 0.1;
const THROTTLE_MAX = 0.99;

/**
 * Moves a running domain from one machine to another over a simulated link, on the clock
 * the two hypervisors share (`createHypervisor({ options: { simulator } })`).
 *
 * - `live`: pre-copy (Clark et al., NSDI 2005). Round 1 sends every populated page while the
 *   guest runs with dirty logging on; each later round sends the pages dirtied during the
 *   previous one, at a rate that adapts to the dirty rate (+50 Mbit/s, capped by the link);
 *   when the policy says so (Xen: < 50 dirty pages or 5 rounds) the guest is paused, the
 *   rest and the vCPU state are sent, and it resumes on the target: that pause is downtime.
 * - `auto-converge`: live, but a guest that dirties faster than the link drains is
 *   throttled (20%, +10% a round) until the rounds converge.
 * - `stop-and-copy`: pause first, send everything, resume: the non-live baseline.
 *
 * The domain's vCPU programs must be {@link MigratableProgram}s. Frame contents are really
 * copied between the machines' RAM, so the guest finds its memory as it left it.
 */
export class LiveMigration {
  readonly #rounds: MigrationRound[] = [];
  #pagesSent = 0;
  #started = 0;
  #pausedAt = 0;
  #throttle = 0;
  #report: MigrationReport | undefined;
  #target: Domain | undefined;
  readonly #buffer = new Uint8Array(PAGE_SIZE);
  readonly #programs: MigratableProgram[];

  constructor(
    readonly source: Hypervisor,
    readonly domain: Domain,
    readonly target: Hypervisor,
    readonly options: MigrationOptions,
  ) {
    if (source.sim !== target.sim) throw new InvalidArgumentError('migration target', 'source and target must share one simulator (createHypervisor options.simulator)');
    source.require(Capability.LiveMigration);
    target.require(Capability.LiveMigration);
    const memory = source.memory;
    if (memory.startDirtyLog === undefined || memory.collectDirty === undefined || memory.populatedFrames === undefined) {
      throw new UnsupportedCapabilityError(source.name, 'live migration', 'its memory virtualisation keeps no dirty log');
    }
    if ((source.network.passthroughDevices?.(domain) ?? 0) > 0) {
      if (options.fallBackFromPassthrough !== true || source.network.fallBackToParavirtual === undefined) {
        throw new UnsupportedCapabilityError(source.name, 'live migration', `'${domain.name}' has an assigned SR-IOV virtual function, which cannot move; allow fallBackFromPassthrough to switch it to a paravirtual device first`);
      }
      source.network.fallBackToParavirtual(domain);
    }
    this.#programs = domain.vcpus.map((v) => {
      const p = v.program as Partial<MigratableProgram> | undefined;
      if (p?.migrateTo === undefined) throw new InvalidArgumentError('domain', `'${domain.name}' vCPU ${v.index} runs a program that cannot migrate`);
      return p as MigratableProgram;
    });
  }

  /** The report, once the migration has finished. */
  get report(): MigrationReport | undefined {
    return this.#report;
  }

  /** The domain on the target machine, once created. */
  get migrated(): Domain | undefined {
    return this.#target;
  }

  /** Starts migrating; run the shared simulator until {@link report} is set. */
  start(): void {
    const sim = this.source.sim;
    this.#started = sim.now;
    const memory = this.source.memory;
    this.#target = this.target.createDomain({
      name: this.domain.name,
      vcpus: this.domain.vcpus.length,
      memoryMiB: (this.domain.reservationFrames * PAGE_SIZE) / 1048576,
      weight: this.domain.weight,
      cap: this.domain.cap,
      labels: this.domain.labels,
    });
    if (this.options.mode === 'stop-and-copy') {
      this.#stopAndCopy(memory.populatedFrames!(this.domain));
      return;
    }
    memory.startDirtyLog!(this.domain);
    if (this.options.mode === 'auto-converge') this.#installThrottle();
    this.#round(1, memory.populatedFrames!(this.domain), this.options.minMbps ?? 100);
  }

  #round(round: number, pages: readonly number[], mbps: number): void {
    const sim = this.source.sim;
    const start = sim.now;
    const rate = Math.min(mbps, this.options.linkMbps);
    const nsPerPage = (PAGE_SIZE * 8 * 1000) / rate;
    let i = 0;
    const sendBatch = (): void => {
      const end = Math.min(i + BATCH_PAGES, pages.length);
      for (; i < end; i++) this.#copyPage(pages[i]!);
      if (i < pages.length) {
        sim.schedule(BATCH_PAGES * nsPerPage, sendBatch);
        return;
      }
      const durationNs = sim.now - start + this.options.latencyUs * 1000;
      this.#rounds.push({ round, pages: pages.length, mbps: rate, durationMs: durationNs / 1e6 });
      const dirty = this.source.memory.collectDirty!(this.domain);
      const policy = this.options.policy ?? xenPrecopyPolicy();
      const decision = policy({ round, dirtyPages: dirty.length, pagesSent: pages.length, durationNs });
      if (decision === 'stop-and-copy') {
        this.#stopAndCopy(dirty);
        return;
      }
      // Next round's rate: the dirty rate observed plus 50 Mbit/s (Clark et al.), within the link.
      const dirtyMbps = (dirty.length * PAGE_SIZE * 8 * 1000) / Math.max(1, durationNs);
      if (this.options.mode === 'auto-converge' && dirtyMbps > this.options.linkMbps * 0.9) {
        this.#throttle = Math.min(THROTTLE_MAX, this.#throttle === 0 ? THROTTLE_INITIAL : this.#throttle + THROTTLE_STEP);
      }
      sim.schedule(this.options.latencyUs * 1000, () => this.#round(round + 1, dirty, dirtyMbps + 50));
    };
    sim.schedule(0, sendBatch);
  }

  #stopAndCopy(firstSet: readonly number[]): void {
    const sim = this.source.sim;
    this.#pausedAt = sim.now;
    this.source.pause(this.domain);
    // Let bursts in flight end (their writes are logged), then send what is left and the state.
    sim.schedule(0, () => {
      const rest = new Set(firstSet);
      if (this.options.mode !== 'stop-and-copy') for (const g of this.source.memory.collectDirty!(this.domain)) rest.add(g);
      const pages = [...rest].sort((a, b) => a - b);
      for (const g of pages) this.#copyPage(g);
      const bytes = pages.length * PAGE_SIZE + (this.options.stateBytes ?? 65536);
      const transferNs = (bytes * 8 * 1000) / this.options.linkMbps + this.options.latencyUs * 1000;
      if (this.options.mode === 'stop-and-copy') this.#rounds.push({ round: 1, pages: pages.length, mbps: this.options.linkMbps, durationMs: transferNs / 1e6 });
      sim.schedule(transferNs, () => this.#resumeOnTarget());
    });
  }

  #resumeOnTarget(): void {
    const target = this.#target!;
    this.source.memory.stopDirtyLog?.(this.domain);
    this.target.start(target, (v: Vcpu) => this.#programs[v.index]!.migrateTo(this.target, target));
    const now = this.source.sim.now;
    this.#report = {
      mode: this.options.mode,
      totalMs: (now - this.#started) / 1e6,
      downtimeMs: (now - this.#pausedAt) / 1e6,
      pagesSent: this.#pagesSent,
      rounds: this.#rounds,
      demandFaults: 0,
      throttle: this.#throttle,
    };
    // The source's copy is gone; its frames go back to the machine.
    this.source.shutdown(this.domain);
    this.source.destroy(this.domain);
  }

  /** Copies one guest page's contents to the same guest frame on the target machine. */
  #copyPage(gfn: number): void {
    const from = this.source.memory.machineFrame(this.domain, gfn as never);
    if (from < 0) return;
    const target = this.#target!;
    const vcpu = target.vcpus[0]!;
    let to = this.target.memory.machineFrame(target, gfn as never);
    if (to < 0) {
      // Receiving a page populates it on the target (the restore side's work).
      this.target.memory.zeroFrame(vcpu, gfn as never);
      to = this.target.memory.machineFrame(target, gfn as never);
    }
    this.source.machine.memory.readBytes(from, 0, this.#buffer);
    this.target.machine.memory.writeBytes(to, 0, this.#buffer);
    this.#pagesSent++;
  }

  /** Auto-converge: wraps each vCPU's program so a share of every burst is taken away. */
  #installThrottle(): void {
    for (const v of this.domain.vcpus) {
      const inner = v.program!;
      const throttled: VcpuProgram = {
        run: (vcpu: Vcpu, budget: number): BurstExit => {
          if (this.#throttle === 0) return inner.run(vcpu, budget);
          const exit = inner.run(vcpu, budget * (1 - this.#throttle));
          // The forced sleep: the vCPU holds the pCPU but does no guest work.
          vcpu.charge(CostCategory.Hypervisor, budget * this.#throttle);
          return exit;
        },
      };
      v.program = throttled;
    }
  }
}
