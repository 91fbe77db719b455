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
 * - `auto-converge`: live, but a guest that re-dirties more than half of what a round sent
 *   is throttled (20%, +10% a round, as QEMU does) until the rounds converge.
 * - `post-copy`: pause, send only the vCPU state, resume on the target at once; pages
 *   follow in a background push, and a page the target touches before it arrived is a
 *   demand fault that stalls the vCPU for a round trip plus the page's transfer.
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
  #resumedAt = 0;
  #demandFaults = 0;
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
    if (this.options.mode === 'post-copy') {
      this.#postCopy(memory.populatedFrames!(this.domain));
      return;
    }
    memory.startDirtyLog!(this.domain);
    if (this.options.mode === 'auto-converge') this.#installThrottle();
    // Xen starts rate-limited (100 Mbit/s on the gigabit links of its day): a tenth of the link.
    this.#round(1, memory.populatedFrames!(this.domain), this.options.minMbps ?? this.options.linkMbps / 10);
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
      // Auto-converge keeps iterating while it throttles (up to Xen's original 30 rounds).
      const policy = this.options.policy ?? (this.options.mode === 'auto-converge' ? xenPrecopyPolicy(50, 30) : xenPrecopyPolicy());
      const decision = policy({ round, dirtyPages: dirty.length, pagesSent: pages.length, durationNs });
      if (decision === 'stop-and-copy') {
        this.#stopAndCopy(dirty);
        return;
      }
      // Next round's rate: the dirty rate observed plus 50 Mbit/s (Clark et al.), within the link.
      const dirtyMbps = (dirty.length * PAGE_SIZE * 8 * 1000) / Math.max(1, durationNs);
      // QEMU's trigger: the guest re-dirtied more than half of what this round sent.
      if (this.options.mode === 'auto-converge' && dirty.length > pages.length / 2) {
        this.#throttle = Math.min(THROTTLE_MAX, this.#throttle === 0 ? THROTTLE_INITIAL : this.#throttle + THROTTLE_STEP);
      }
      sim.schedule(this.options.latencyUs * 1000, () => this.#round(round + 1, dirty, dirtyMbps + 50));
    };
    sim.schedule(0, sendBatch);
  }

  /**
   * Post-copy: pause, send only the vCPU state, resume on the target at once; then push the
   * pages in the background while the target faults in the ones it touches first.
   */
  #postCopy(pages: readonly number[]): void {
    const sim = this.source.sim;
    const targetMemory = this.target.memory;
    if (targetMemory.expectRemotePages === undefined || targetMemory.pageArrived === undefined) {
      throw new UnsupportedCapabilityError(this.target.name, 'post-copy migration', 'its memory virtualisation cannot fault pages in from another machine');
    }
    this.#pausedAt = sim.now;
    this.source.pause(this.domain);
    const rttNs = 2 * this.options.latencyUs * 1000;
    const pageNs = (PAGE_SIZE * 8 * 1000) / this.options.linkMbps;
    sim.schedule(0, () => {
      targetMemory.expectRemotePages!(this.#target!, pages, (vcpu, gfn) => {
        // A demand fault: the vCPU waits a round trip and one page's transfer.
        this.#demandFaults++;
        vcpu.charge(CostCategory.Hypervisor, (rttNs + pageNs) / vcpu.nsPerCycle);
        this.#copyPage(gfn);
      });
      const stateNs = ((this.options.stateBytes ?? 65536) * 8 * 1000) / this.options.linkMbps + this.options.latencyUs * 1000;
      sim.schedule(stateNs, () => {
        this.#resumeOnTarget(false);
        let i = 0;
        const push = (): void => {
          const end = Math.min(i + BATCH_PAGES, pages.length);
          for (; i < end; i++) if (targetMemory.pageArrived!(this.#target!, pages[i]!)) this.#copyPage(pages[i]!);
          if (i < pages.length) sim.schedule(BATCH_PAGES * pageNs, push);
          else this.#finish(pages.length);
        };
        push();
      });
    });
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
      sim.schedule(transferNs, () => {
        this.#resumeOnTarget(true);
        this.#finish(0);
      });
    });
  }

  /** Starts the domain on the target; with `releaseSource` the source copy goes at once. */
  #resumeOnTarget(releaseSource: boolean): void {
    const target = this.#target!;
    this.source.memory.stopDirtyLog?.(this.domain);
    this.target.start(target, (v: Vcpu) => this.#programs[v.index]!.migrateTo(this.target, target));
    this.#resumedAt = this.source.sim.now;
    if (releaseSource) this.#releaseSource();
  }

  #releaseSource(): void {
    // The source's copy is gone; its frames go back to the machine.
    this.source.shutdown(this.domain);
    this.source.destroy(this.domain);
  }

  #finish(backgroundPages: number): void {
    const now = this.source.sim.now;
    if (this.options.mode === 'post-copy') {
      this.#rounds.push({ round: 1, pages: backgroundPages, mbps: this.options.linkMbps, durationMs: (now - this.#resumedAt) / 1e6 });
      this.#releaseSource();
    }
    this.#report = {
      mode: this.options.mode,
      totalMs: (now - this.#started) / 1e6,
      downtimeMs: (this.#resumedAt - this.#pausedAt) / 1e6,
      pagesSent: this.#pagesSent,
      rounds: this.#rounds,
      demandFaults: this.#demandFaults,
      throttle: this.#throttle,
    };
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
    // An all-zero page is sent like any other, but there are no bytes to move in the host.
    if (this.source.machine.memory.isPopulated(from)) {
      this.source.machine.memory.readBytes(from, 0, this.#buffer);
      this.target.machine.memory.writeBytes(to, 0, this.#buffer);
    }
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
