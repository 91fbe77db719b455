/**
 * Realistic broken plugins, one per bug class a backend author makes, each derived from the
 * reference plugin by subclassing one extension point. Each keys on nothing the kit's
 * scenarios name (no domain names, sectors or addresses): the kit must find the bug by
 * generating situations and reading the machine's records.
 */
import {
  BlockBackend,
  Capability,
  ContainerModule,
  CpuVirtualization,
  DiskPartitions,
  IoEvents,
  KernelNetwork,
  Machine,
  gfn,
  mfn,
  MechanismIndex,
  MemoryVirtualization,
  NetworkBackend,
  SECTORS_PER_FRAME,
  SimulatedTimeKeeping,
  Simulator,
  TimeKeeping,
  VcpuScheduler,
  createHypervisor,
  definePlugin,
  inject,
  injectable,
  pteFrame,
  writeTableEntry,
  PTE_PRESENT,
  type AlarmClock,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type FrameAccess,
  type Gfn,
  type Mfn,
  type NetFrame,
  type Uplink,
  type Vcpu,
} from '@visorkit/core';
import { CfsScheduler, NativeBlock, NativeCpu, NativeMemory, NativeOptions, nativePlugin } from '@visorkit/native';
import type { Compose } from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any injectable class
type Injectable = new (...args: any[]) => object;

/** Native with one extension point replaced by `Broken` (optionally declaring capabilities). */
export function brokenNative(
  name: string,
  point: symbol,
  Broken: Injectable,
  capabilities: readonly Capability[] = [],
  alsoServes: readonly symbol[] = [],
): Compose {
  const broken = definePlugin({
    name,
    version: '0.0.0',
    provides: [point, ...alsoServes],
    capabilities: [...capabilities],
    defaults: {},
    module: () =>
      new ContainerModule((o) => {
        o.bind(Broken).toSelf().inSingletonScope();
        o.bind(point).toService(Broken);
        for (const other of alsoServes) o.bind(other).toService(Broken);
      }),
  });
  return (machine) => createHypervisor({ machine, plugins: [nativePlugin.without(point), broken] });
}

// ---- memory -------------------------------------------------------------------------------

/** Leaks: forgets to give a destroyed domain's frames back. */
@injectable()
export class LeakyMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override domainDestroyed(): void {}
}

/**
 * A batching memory plugin (queues page-table writes in lazy-MMU mode, like Xen's
 * mmu_update) whose batch path skips the ownership check its single-write path makes: a
 * queued entry naming a frame beyond the domain is stored as given.
 */
@injectable()
export class UncheckedBatchMemory extends NativeMemory {
  readonly #queue = new Map<Vcpu, { table: Gfn; index: number; entry: number }[]>();
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override beginBatch(vcpu?: Vcpu): void {
    this.#queue.set(vcpu!, []);
  }
  override writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    const q = this.#queue.get(vcpu);
    if (q === undefined) return super.writePte(vcpu, table, index, entry);
    q.push({ table, index, entry });
  }
  override flushBatch(vcpu?: Vcpu): void {
    const v = vcpu!;
    const q = this.#queue.get(v) ?? [];
    this.#queue.delete(v);
    for (const u of q) {
      const present = (u.entry & PTE_PRESENT) !== 0;
      if (present && pteFrame(u.entry) >= this.frames(v.domain)) {
        // "validated by the batch path": stored as a machine frame, unchecked
        writeTableEntry(this.machine.memory, this.geometry, this.populatedFrame(v, u.table), u.index, u.entry);
      } else super.writePte(v, u.table, u.index, u.entry);
    }
  }
}

/** Switches address spaces without flushing, and tags entries by domain only. */
@injectable()
export class NoFlushOnSwitchMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    const tlbs = this.machine.pcpus.map((p) => p.tlb);
    const flushes = tlbs.map((t) => t.flushAll);
    for (const t of tlbs) t.flushAll = () => {};
    try {
      super.activate(vcpu, root, addressSpace);
    } finally {
      tlbs.forEach((t, i) => (t.flushAll = flushes[i]!));
    }
    vcpu.asid = vcpu.domain.id * 4096;
  }
}

/** Forgets to drop a page's TLB entry when the kernel changes its mapping. */
@injectable()
export class NoInvalidateMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override invalidatePage(): void {}
}

/**
 * Uses tagged TLBs where the machine has them, skipping the flush on address-space loads —
 * but builds the tag from the address-space id alone, so two domains share tags.
 */
@injectable()
export class DomainBlindTagsMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    if (!this.machine.profile.cpu.taggedTlb) return super.activate(vcpu, root, addressSpace);
    const tlbs = this.machine.pcpus.map((p) => p.tlb);
    const flushes = tlbs.map((t) => t.flushAll);
    for (const t of tlbs) t.flushAll = () => {};
    try {
      super.activate(vcpu, root, addressSpace);
    } finally {
      tlbs.forEach((t, i) => (t.flushAll = flushes[i]!));
    }
    vcpu.asid = addressSpace % 4096;
  }
  override invalidatePage(vcpu: Vcpu, virtualPage: number): void {
    this.machine.pcpus[vcpu.pcpu >= 0 ? vcpu.pcpu : Math.max(0, vcpu.lastPcpu)]!.tlb.invalidate(vcpu.asid, virtualPage);
  }
}

/**
 * Page sharing done wrong: a background scanner merges identical frames across domains,
 * but a later copy into a merged frame writes the shared frame instead of breaking the share.
 */
@injectable()
export class SharingWithoutCopyOnWriteMemory extends NativeMemory {
  readonly #shared = new Map<string, number>();
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override machineFrame(domain: Domain, frame: Gfn, access: FrameAccess): Mfn {
    const shared = this.#shared.get(`${domain.id}:${frame}`);
    return shared === undefined ? super.machineFrame(domain, frame, access) : mfn(shared);
  }
  override copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    const shared = this.#shared.get(`${vcpu.domain.id}:${to}`);
    if (shared === undefined) return super.copyFrame(vcpu, to, from);
    this.machine.memory.copy(shared, this.machineFrame(vcpu.domain, from, 'read'));
  }
  /** The scanner: frames 10.. with equal contents in several domains map to the first one's. */
  scan(domains: readonly Domain[]): void {
    const seen = new Map<string, number>();
    const bytes = new Uint8Array(64);
    for (const d of domains) {
      for (let g = 10; g < 40; g++) {
        const mfn = super.machineFrame(d, g as never, 'read');
        if (mfn < 0) continue;
        this.machine.memory.readBytes(mfn, 0, bytes);
        const key = bytes.join(',');
        const first = seen.get(key);
        if (first === undefined) seen.set(key, mfn);
        else if (first !== mfn) this.#shared.set(`${d.id}:${g}`, first);
      }
    }
  }
}

/**
 * Checkpoint and migration support whose frame list misses frames the guest only ever
 * copied into, and whose dirty log misses page copies.
 */
@injectable()
export class ForgetfulSnapshotMemory extends NativeMemory {
  readonly #touched = new Map<number, Set<number>>();
  readonly #dirty = new Map<number, Set<number>>();
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override zeroFrame(vcpu: Vcpu, frame: Gfn): void {
    super.zeroFrame(vcpu, frame);
    this.#note(vcpu.domain, frame);
  }
  override copyFrame(vcpu: Vcpu, to: Gfn, from: Gfn): void {
    super.copyFrame(vcpu, to, from); // not noted: neither listed nor logged dirty
  }
  override populatedFrames(domain: Domain): Gfn[] {
    return [...(this.#touched.get(domain.id) ?? [])].sort((a, b) => a - b).map(gfn);
  }
  override startDirtyLog(domain: Domain): void {
    this.#dirty.set(domain.id, new Set());
  }
  override peekDirty(domain: Domain, frame: Gfn): boolean {
    return this.#dirty.get(domain.id)?.has(frame) ?? false;
  }
  override collectDirty(domain: Domain): Gfn[] {
    const d = this.#dirty.get(domain.id);
    if (d === undefined) return [];
    const out = [...d].sort((a, b) => a - b).map(gfn);
    d.clear();
    return out;
  }
  override stopDirtyLog(domain: Domain): void {
    this.#dirty.delete(domain.id);
  }
  #note(domain: Domain, frame: number): void {
    let t = this.#touched.get(domain.id);
    if (t === undefined) this.#touched.set(domain.id, (t = new Set()));
    t.add(frame);
    this.#dirty.get(domain.id)?.add(frame);
  }
}

// ---- CPU ----------------------------------------------------------------------------------

/** Lets user code program the timer (the "harmless" privileged operation). */
@injectable()
export class LaxTimerCpu extends NativeCpu {
  constructor(@inject(Machine) machine: Machine, @inject(MemoryVirtualization) memory: MemoryVirtualization) {
    super(machine, memory);
  }
  override privileged(vcpu: Vcpu, operation: Parameters<NativeCpu['privileged']>[1], fromUser = false): void {
    super.privileged(vcpu, operation, fromUser && operation !== 'set-timer');
  }
}

/** Charges a domain's system calls to its first vCPU, whichever vCPU made them. */
@injectable()
export class MischargingCpu extends NativeCpu {
  constructor(@inject(Machine) machine: Machine, @inject(MemoryVirtualization) memory: MemoryVirtualization) {
    super(machine, memory);
  }
  override systemCall(vcpu: Vcpu): void {
    super.systemCall(vcpu.domain.vcpus[0]!);
  }
}

// ---- scheduler ----------------------------------------------------------------------------

/** Gives a vCPU woken from blocking a full latency period of credit every time it wakes. */
@injectable()
export class WakeCreditScheduler extends CfsScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options);
  }
  protected override wakeCredit(): number {
    return 50e6;
  }
}

/** Holds back the lightest domain while heavier ones are runnable ("it can wait"). */
@injectable()
export class StarvingScheduler extends CfsScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options);
  }
  override pick(pcpu?: number, now?: number): Vcpu | undefined {
    const held: Vcpu[] = [];
    let v = super.pick(pcpu, now);
    while (v !== undefined && v.domain.weight < 256) {
      held.push(v);
      v = super.pick(pcpu, now);
    }
    for (const h of held) this.requeue(h);
    return v ?? (held.length > 0 ? super.pick(pcpu, now) : undefined);
  }
}

/** Weighs each vCPU, not each domain: a domain with many vCPUs takes more than its share. */
@injectable()
export class PerVcpuWeightScheduler extends CfsScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options);
  }
}

/** Keeps the second pCPU for itself: work waits while it idles. */
@injectable()
export class LazySecondCpuScheduler extends CfsScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options);
  }
  override pick(pcpu?: number, now?: number): Vcpu | undefined {
    return pcpu === 1 ? undefined : super.pick(pcpu, now);
  }
}

// ---- time ---------------------------------------------------------------------------------

/** Virtual time from the domain's first start, as if it ran all the time. */
@injectable()
export class WallVirtualTime extends SimulatedTimeKeeping {
  readonly #started = new Map<number, number>();
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(sim, machine, events);
  }
  override virtualTime(domain: Domain): number {
    const ran = super.virtualTime(domain);
    if (ran === 0) return 0;
    if (!this.#started.has(domain.id)) this.#started.set(domain.id, this.sim.now - ran);
    return this.sim.now - this.#started.get(domain.id)!;
  }
}

/** Programs real-time alarms in whole milliseconds (a jiffy-style timer). */
@injectable()
export class MillisecondAlarmTime extends SimulatedTimeKeeping {
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(sim, machine, events);
  }
  override setAlarm(domain: Domain, clock: AlarmClock, deadline: number, fire: () => void): void {
    super.setAlarm(domain, clock, clock === 'real' ? Math.ceil(deadline / 1e6) * 1e6 : deadline, fire);
  }
}

/** Forgets a destroyed domain's alarms. */
@injectable()
export class UndeadAlarmTime extends SimulatedTimeKeeping {
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(sim, machine, events);
  }
  override domainDestroyed(): void {}
}

// ---- network ------------------------------------------------------------------------------

/** Delivers every frame to the first interface attached. */
@injectable()
export class MisdeliveringNetwork extends KernelNetwork {
  readonly #handlers: ((f: NetFrame) => void)[] = [];
  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }
  override attachInterface(domain: Domain, address: string, receive: (f: NetFrame) => void): number {
    this.#handlers.push(receive);
    return super.attachInterface(domain, address, (f) => this.#handlers[0]!(f));
  }
}

/** A transmit queue of 64 frames that silently discards what does not fit in a burst. */
@injectable()
export class SilentOverflowNetwork extends KernelNetwork {
  #inBurst = 0;
  #at = -1;
  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }
  override transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    if (this.machine.sim.now !== this.#at) {
      this.#at = this.machine.sim.now;
      this.#inBurst = 0;
    }
    if (++this.#inBurst > 64) return; // queue full: dropped, not counted
    super.transmit(vcpu, iface, frame);
  }
}

/** Anti-spoofing on local delivery only: frames for the uplink skip the filter. */
@injectable()
export class UplinkFilterGapNetwork extends KernelNetwork {
  readonly #mine = new Map<number, string>();
  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }
  override attachInterface(domain: Domain, address: string, receive: (f: NetFrame) => void): number {
    const i = super.attachInterface(domain, address, receive);
    this.#mine.set(i, address);
    return i;
  }
  override transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    if (frame.source !== this.#mine.get(iface) && this.owns(frame.destination)) {
      vcpu.count(MechanismIndex.PacketDropped);
      this.spoofDrops++;
      return;
    }
    super.transmit(vcpu, iface, frame);
  }
  spoofDrops = 0;
  override get dropped(): number {
    return super.dropped + this.spoofDrops;
  }
}

/** Never forgets a destroyed domain's interfaces. */
@injectable()
export class UndeadInterfaceNetwork extends KernelNetwork {
  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }
  override domainDestroyed(): void {}
}

/** An assigned device (SR-IOV-like) whose IOMMU check looks at a frame's first buffer only. */
@injectable()
export class FirstBufferIommuNetwork extends KernelNetwork {
  constructor(
    @inject(Machine) machine: Machine,
    @inject(IoEvents) events: IoEvents,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
  ) {
    super(machine, events);
  }
  assignedDevices(): number {
    return 1;
  }
  fallBackToParavirtual(): void {}
  iommuTranslate(domain: Domain, frame: Gfn): Mfn {
    return this.memory.machineFrame(domain, frame, 'read');
  }
  #dropped = 0;
  override get dropped(): number {
    return super.dropped + this.#dropped;
  }
  override transmit(vcpu: Vcpu, iface: number, frame: NetFrame): void {
    const first = frame.buffers?.[0];
    if (first !== undefined && !(first >= 0 && first < this.memory.frames(vcpu.domain))) {
      this.#dropped++;
      return;
    }
    super.transmit(vcpu, iface, frame);
  }
}

// ---- disk ---------------------------------------------------------------------------------

/** Clamps a request past the disk's end instead of refusing it. */
@injectable()
export class ClampingBlock extends NativeBlock {
  constructor(@inject(Machine) machine: Machine, @inject(MemoryVirtualization) memory: MemoryVirtualization, @inject(IoEvents) events: IoEvents) {
    super(machine, memory, events);
  }
  override submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (s: BlockStatus) => void): void {
    const size = this.diskSectors(vcpu.domain, device);
    const count = request.frames.length * SECTORS_PER_FRAME;
    super.submit(vcpu, device, { ...request, sector: Math.max(0, Math.min(request.sector, size - count)) }, done);
  }
}

/**
 * A block driver that translates only a request's first page and assumes the rest follow it
 * in machine memory (a contiguous-buffer shortcut).
 */
@injectable()
export class FirstPageOnlyBlock implements BlockBackend {
  readonly #parts: DiskPartitions;
  constructor(
    @inject(Machine) readonly machine: Machine,
    @inject(MemoryVirtualization) readonly memory: MemoryVirtualization,
  ) {
    this.#parts = new DiskPartitions(machine.disks[0]!, machine.memory);
  }
  attachDisk(domain: Domain, sectors: number): number {
    return this.#parts.attach(domain, sectors);
  }
  diskSectors(domain: Domain, device: number): number {
    return this.#parts.get(domain, device).sectors;
  }
  submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (s: BlockStatus) => void): void {
    const part = this.#parts.get(vcpu.domain, device);
    const count = request.frames.length * SECTORS_PER_FRAME;
    if (!this.#parts.inRange(part, request.sector, count)) return void this.machine.sim.schedule(0, () => done('out-of-range'));
    this.memory.zeroFrame(vcpu, request.frames[0]!);
    const first = this.memory.machineFrame(vcpu.domain, request.frames[0]!, 'read');
    const mfns = request.frames.map((_, i) => first + i);
    this.#parts.disk.submit(
      part.start + request.sector,
      count,
      () => done(this.#parts.dma(request.operation, part.start + request.sector, mfns) ? 'ok' : 'error'),
      vcpu.domain,
    );
  }
}

/** Checks a request's first frame against the domain's memory; later frames are taken as given. */
@injectable()
export class FirstFrameCheckedBlock extends NativeBlock {
  constructor(@inject(Machine) machine: Machine, @inject(MemoryVirtualization) memory: MemoryVirtualization, @inject(IoEvents) events: IoEvents) {
    super(machine, memory, events);
  }
  override submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (s: BlockStatus) => void): void {
    const limit = this.memory.frames(vcpu.domain);
    // "the rest were checked when the buffer was set up": out-of-range frames wrap into the domain
    const frames = request.frames.map((g, i) => (i === 0 ? g : ((g % limit) as Gfn)));
    super.submit(vcpu, device, { ...request, frames }, done);
  }
}

// ---- composition shortcuts ----------------------------------------------------------------

export { BlockBackend, CpuVirtualization, MemoryVirtualization, NetworkBackend, TimeKeeping, VcpuScheduler, Capability };
export type { Uplink };
