import type { Hypervisor } from '../composition/hypervisor.js';
import { CostCategory } from '../accounting/cost-category.js';
import type { Domain } from '../domain/domain.js';
import type { BurstExit, Vcpu, VcpuProgram } from '../domain/vcpu.js';
import { InvalidArgumentError, UnsupportedCapabilityError } from '../errors/visorkit-error.js';
import { Capability } from '../capabilities/capability.js';
import { PAGE_SIZE, gfn, type Gfn } from '../units/units.js';
import type { DirtyLogging } from '../memory/dirty-logging.js';
import type { MigratableProgram, MigrationOptions, MigrationReport, MigrationRound } from './migration-types.js';
import { XEN_PRECOPY, checkPrecopyLimits, type PrecopyLimits } from './precopy-limits.js';
import { MigrationSender } from './migration-sender.js';

/** Post-copy's background push: pages sent per simulation event. */
const BATCH_PAGES = 64;
/** Largest send a TCP sender hands its NIC at once (segmentation offload), bytes. */
const TSO_SEGMENT_BYTES = 65536;
/** Auto-converge keeps iterating while it throttles, up to Xen's original 30 rounds. */
const AUTO_CONVERGE_MAX_ROUNDS = 30;
const NOTHING = (): void => {};
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
 *   previous one, at a rate that adapts to the dirty rate (+50 Mbit/s, capped); when the
 *   limits say so ({@link PrecopyLimits}: today's Xen stops at < 50 dirty pages or after 5
 *   rounds, the 2005 tool after 29 rounds, 3× the memory sent or a rate above its 500 Mbit/s
 *   cap) the guest is paused, the rest and the vCPU state are sent at the full link rate, and
 *   it resumes on the target: that pause is downtime.
 * - `auto-converge`: live, but a guest that re-dirties more than half of what a round sent
 *   is throttled (20%, +10% a round, as QEMU does) until the rounds converge.
 * - `post-copy`: pause, send only the vCPU state, resume on the target at once; pages
 *   follow in a background push, and a page the target touches before it arrived is a
 *   demand fault that stalls the vCPU for a round trip plus the page's transfer.
 * - `stop-and-copy`: pause first, send everything, resume: the non-live baseline.
 *
 * The domain's vCPU programs must be {@link MigratableProgram}s. Frame contents are really
 * copied between the machines' RAM, so the guest finds its memory as it left it.
 *
 * @public
 */
export class LiveMigration {
  readonly #rounds: MigrationRound[] = [];
  #pagesSent = 0;
  #started = 0;
  #pausedAt = 0;
  #resumedAt = 0;
  #demandFaults = 0;
  #throttle = 0;
  #stop = '';
  readonly #limits: PrecopyLimits;
  /** Skip pages written again during the current round (iterative rounds only). */
  #skipping = false;
  readonly #sender: MigrationSender | undefined;
  /** The iterative rounds' rate cap, Mbit/s. */
  readonly #maxMbps: number;
  #report: MigrationReport | undefined;
  #target: Domain | undefined;
  readonly #buffer = new Uint8Array(PAGE_SIZE);
  readonly #programs: MigratableProgram[];
  /** The source's dirty log (checked in the constructor). */
  readonly #dirtyLog: DirtyLogging;

  constructor(
    readonly source: Hypervisor,
    readonly domain: Domain,
    readonly target: Hypervisor,
    readonly options: MigrationOptions,
  ) {
    if (source.sim !== target.sim)
      throw new InvalidArgumentError('migration target', 'source and target must share one simulator (createHypervisor options.simulator)');
    source.require(Capability.LiveMigration);
    target.require(Capability.LiveMigration);
    if (source.dirtyLog === undefined) {
      throw new UnsupportedCapabilityError(source.name, 'live migration', 'no loaded plugin binds the DirtyLogging point');
    }
    this.#dirtyLog = source.dirtyLog;
    const assignment = source.deviceAssignment;
    if (assignment !== undefined && assignment.assignedDevices(domain) > 0) {
      if (options.fallBackFromPassthrough !== true) {
        throw new UnsupportedCapabilityError(
          source.name,
          'live migration',
          `'${domain.name}' has an assigned SR-IOV virtual function, which cannot move; allow fallBackFromPassthrough to switch it to a paravirtual device first`,
        );
      }
      assignment.fallBackToParavirtual(domain);
    }
    this.#limits = options.precopy ?? (options.mode === 'auto-converge' ? { ...XEN_PRECOPY, maxRounds: AUTO_CONVERGE_MAX_ROUNDS } : XEN_PRECOPY);
    checkPrecopyLimits(this.#limits);
    this.#sender = options.sender === undefined ? undefined : new MigrationSender(source, options.sender, (gfn) => this.#sendPage(gfn));
    this.#maxMbps = Math.min(this.#limits.maxMbps ?? options.linkMbps, options.linkMbps);
    this.#programs = domain.vcpus.map((v) => {
      const p = v.program as Partial<MigratableProgram> | undefined;
      if (p?.migrateTo === undefined) throw new InvalidArgumentError('domain', `'${domain.name}' vCPU ${v.index} runs a program that cannot migrate`);
      // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- checked just above: a program with migrateTo is migratable
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
    this.#target = this.target.createDomain({
      name: this.domain.name,
      vcpus: this.domain.vcpus.length,
      memoryMiB: (this.domain.reservationFrames * PAGE_SIZE) / 1048576,
      weight: this.domain.weight,
      cap: this.domain.cap,
      labels: this.domain.labels,
    });
    if (this.options.mode === 'stop-and-copy') {
      this.#stop = 'stop-and-copy';
      this.#stopAndCopy(this.#dirtyLog.populatedFrames(this.domain));
      return;
    }
    if (this.options.mode === 'post-copy') {
      this.#stop = 'post-copy';
      this.#postCopy(this.#dirtyLog.populatedFrames(this.domain));
      return;
    }
    this.#dirtyLog.startDirtyLog(this.domain);
    this.#sender?.start();
    if (this.options.mode === 'auto-converge') this.#installThrottle();
    // Xen starts rate-limited (100 Mbit/s on the gigabit links of its day): a tenth of the link.
    this.#round(1, this.#dirtyLog.populatedFrames(this.domain), this.options.minMbps ?? this.#limits.minMbps ?? this.options.linkMbps / 10);
  }

  #round(round: number, pages: readonly Gfn[], mbps: number): void {
    const sim = this.source.sim;
    const limits = this.#limits;
    const start = sim.now;
    const rate = Math.min(mbps, this.#maxMbps);
    const nsPerPage = (PAGE_SIZE * 8 * 1000) / rate;
    this.#skipping = limits.skipRedirtied;
    this.#tellGuest(round);
    let i = 0;
    let sent = 0;
    let skipped = 0;
    const sendBatch = (): void => {
      const batchStart = sim.now;
      const end = Math.min(i + limits.batchPages, pages.length);
      const batch = pages.slice(i, end);
      i = end;
      this.#pushPages(batch, (n) => {
        sent += n;
        skipped += batch.length - n;
        // Paced to the round's rate, and never faster than the wire drains.
        const next = Math.max(sim.now, batchStart + n * nsPerPage, this.#transmit(n * PAGE_SIZE));
        sim.scheduleAt(next, i < pages.length ? sendBatch : () => this.#endRound(round, start, sent, skipped, rate));
      });
    };
    sim.schedule(0, sendBatch);
  }

  /** Sends `gfns` (on the sender's vCPU when there is one); `done` gets how many were sent. */
  #pushPages(gfns: readonly Gfn[], done: (sent: number) => void): void {
    const before = this.#pagesSent;
    if (this.#sender !== undefined) {
      this.#sender.submit(gfns, () => done(this.#pagesSent - before));
      return;
    }
    for (const g of gfns) this.#sendPage(g);
    done(this.#pagesSent - before);
  }

  /** Sends one page unless the round skips it (written again since the round began). */
  #sendPage(gfn: Gfn): boolean {
    if (this.#skipping && this.#dirtyLog.peekDirty(this.domain, gfn)) return false;
    this.#copyPage(gfn);
    return true;
  }

  /** Reads and clears the dirty log, then decides between another round and the final copy. */
  #endRound(round: number, start: number, sent: number, skipped: number, rate: number): void {
    const sim = this.source.sim;
    const limits = this.#limits;
    const durationNs = sim.now - start + this.options.latencyUs * 1000;
    const dirty = this.#dirtyLog.collectDirty(this.domain);
    this.#rounds.push({ round, pages: sent, skipped, mbps: rate, startMs: (start - this.#started) / 1e6, durationMs: durationNs / 1e6, dirtied: dirty.length });
    // Next round's rate: the dirtying rate observed plus the increment (Clark et al. §5.1).
    const dirtyMbps = (dirty.length * PAGE_SIZE * 8 * 1000) / Math.max(1, durationNs);
    const nextMbps = dirtyMbps + limits.rateIncrementMbps;
    const stop = this.#stopReason(round, dirty.length, sent, durationNs, nextMbps);
    if (stop !== undefined) {
      this.#stop = stop;
      this.#stopAndCopy(dirty);
      return;
    }
    // QEMU's trigger: the guest re-dirtied more than half of what this round sent.
    if (this.options.mode === 'auto-converge' && dirty.length > sent / 2) {
      this.#throttle = Math.min(THROTTLE_MAX, this.#throttle === 0 ? THROTTLE_INITIAL : this.#throttle + THROTTLE_STEP);
    }
    sim.schedule(this.options.latencyUs * 1000, () => this.#round(round + 1, dirty, nextMbps));
  }

  #stopReason(round: number, dirtyPages: number, sent: number, durationNs: number, nextMbps: number): string | undefined {
    const limits = this.#limits;
    if (dirtyPages < limits.stopBelowPages) return 'few-dirty';
    if (round >= limits.maxRounds) return 'max-rounds';
    if (this.#pagesSent > limits.maxSentFactor * this.source.memory.frames(this.domain)) return 'sent-factor';
    if (limits.stopWhenRateExceedsMax && nextMbps > this.#maxMbps) return 'rate-cap';
    if (this.options.policy?.({ round, dirtyPages, pagesSent: sent, durationNs }) === 'stop-and-copy') return 'policy';
    return undefined;
  }

  /**
   * Puts `bytes` of the migration stream on the wire; returns when the wire is free again.
   * Through the source NIC the stream queues behind (and ahead of) the guest's own frames,
   * in segments of at most 64 KiB as a TCP sender's offloaded sends would.
   */
  #transmit(bytes: number): number {
    const sim = this.source.sim;
    if (this.options.throughSourceNic !== true) return sim.now;
    const nic = this.source.machine.nicLink;
    for (let left = bytes; left > 0; left -= TSO_SEGMENT_BYTES) nic.send(Math.min(left, TSO_SEGMENT_BYTES), NOTHING, sim.now);
    return nic.busyUntil;
  }

  /**
   * Post-copy: pause, send only the vCPU state, resume on the target at once; then push the
   * pages in the background while the target faults in the ones it touches first.
   */
  #postCopy(pages: readonly Gfn[]): void {
    const sim = this.source.sim;
    const targetMemory = this.target.postCopy;
    if (targetMemory === undefined) {
      throw new UnsupportedCapabilityError(
        this.target.name,
        'post-copy migration',
        'no loaded plugin binds the PostCopyPaging point (it cannot fault pages in from another machine)',
      );
    }
    this.#pausedAt = sim.now;
    this.source.pause(this.domain);
    const rttNs = 2 * this.options.latencyUs * 1000;
    const pageNs = (PAGE_SIZE * 8 * 1000) / this.options.linkMbps;
    sim.schedule(0, () => {
      targetMemory.expectRemotePages(this.#target!, pages, (vcpu, gfn) => {
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
          for (; i < end; i++) if (targetMemory.pageArrived(this.#target!, pages[i]!)) this.#copyPage(pages[i]!);
          if (i < pages.length) sim.schedule(BATCH_PAGES * pageNs, push);
          else this.#finish(pages.length);
        };
        push();
      });
    });
  }

  /** A cooperating guest learns that round `round` begins (0: iteration is over), when it stuns. */
  #tellGuest(round: number): void {
    const stun = this.#limits.stunWriteFaults;
    if (stun === undefined) return;
    for (const p of this.#programs) p.precopyRound?.(round, round === 0 ? undefined : stun);
  }

  #stopAndCopy(firstSet: readonly Gfn[]): void {
    const sim = this.source.sim;
    this.#tellGuest(0);
    this.#pausedAt = sim.now;
    this.source.pause(this.domain);
    this.#skipping = false;
    // Let bursts in flight end (their writes are logged), then send what is left and the state.
    sim.schedule(0, () => {
      const rest = new Set(firstSet);
      if (this.options.mode !== 'stop-and-copy') for (const g of this.#dirtyLog.collectDirty(this.domain)) rest.add(g);
      const pages = [...rest].sort((a, b) => a - b);
      const copyStart = sim.now;
      this.#sender?.start();
      this.#pushPages(pages, (n) => {
        // The last copy runs unthrottled: at the link's rate, or as fast as the NIC drains.
        const bytes = n * PAGE_SIZE + (this.options.stateBytes ?? 65536);
        const wireFree = this.#transmit(bytes);
        const transferEnd = Math.max(sim.now, copyStart + (bytes * 8 * 1000) / this.options.linkMbps, wireFree) + this.options.latencyUs * 1000;
        if (this.options.mode === 'stop-and-copy')
          this.#rounds.push({
            round: 1,
            pages: n,
            skipped: 0,
            mbps: this.options.linkMbps,
            startMs: (this.#pausedAt - this.#started) / 1e6,
            durationMs: (transferEnd - copyStart) / 1e6,
            dirtied: 0,
          });
        sim.scheduleAt(transferEnd, () => {
          this.#resumeOnTarget(true);
          this.#finish(0);
        });
      });
    });
  }

  /** Starts the domain on the target; with `releaseSource` the source copy goes at once. */
  #resumeOnTarget(releaseSource: boolean): void {
    const target = this.#target!;
    this.#dirtyLog.stopDirtyLog(this.domain);
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
      this.#rounds.push({
        round: 1,
        pages: backgroundPages,
        skipped: 0,
        mbps: this.options.linkMbps,
        startMs: (this.#resumedAt - this.#started) / 1e6,
        durationMs: (now - this.#resumedAt) / 1e6,
        dirtied: 0,
      });
      this.#releaseSource();
    }
    this.#report = {
      mode: this.options.mode,
      totalMs: (now - this.#started) / 1e6,
      downtimeMs: (this.#resumedAt - this.#pausedAt) / 1e6,
      pagesSent: this.#pagesSent,
      bytesSent: this.#pagesSent * PAGE_SIZE + (this.options.stateBytes ?? 65536),
      rounds: this.#rounds,
      pausedAtMs: (this.#pausedAt - this.#started) / 1e6,
      resumedAtMs: (this.#resumedAt - this.#started) / 1e6,
      stopReason: this.#stop,
      demandFaults: this.#demandFaults,
      throttle: this.#throttle,
    };
  }

  /** Copies one guest page's contents to the same guest frame on the target machine. */
  #copyPage(page: number): void {
    const frame = gfn(page);
    const from = this.source.memory.machineFrame(this.domain, frame, 'read');
    if (from < 0) return;
    const target = this.#target!;
    const vcpu = target.vcpus[0]!;
    let to = this.target.memory.machineFrame(target, frame, 'write');
    if (to < 0) {
      // Receiving a page populates it on the target (the restore side's work).
      this.target.memory.zeroFrame(vcpu, frame);
      to = this.target.memory.machineFrame(target, frame, 'write');
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
