import {
  BlockBackend,
  ContainerModule,
  CostCategory,
  CpuVirtualization,
  DiskPartitions,
  GuestPhysicalMap,
  InterfaceTable,
  IoEvents,
  Machine,
  MemoryVirtualization,
  NetworkBackend,
  PTE_PRESENT,
  PTE_WRITABLE,
  PrivilegeViolationError,
  ProportionalShareScheduler,
  SimulatedTimeKeeping,
  Simulator,
  TRANSLATION_FAULT,
  TimeKeeping,
  VcpuScheduler,
  WalkResult,
  definePlugin,
  inject,
  injectable,
  makePte,
  pteFlags,
  pteFrame,
  readTableEntry,
  walkPageTables,
  writeTableEntry,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type FrameHandler,
  type Gfn,
  type Mfn,
  type NetFrame,
  type PrivilegedOperation,
  type Vcpu,
} from '../../src/index.js';

/** The smallest honest memory model: tables hold machine frames; no TLB (exported for tests that build a second memory plugin). */
@injectable()
export class MinimalMemory implements MemoryVirtualization {
  readonly geometry;
  readonly map: GuestPhysicalMap;
  readonly roots = new Map<Vcpu, number>();
  readonly walk = new WalkResult();
  constructor(@inject(Machine) readonly machine: Machine) {
    this.geometry = machine.geometry;
    this.map = new GuestPhysicalMap(machine.memory);
  }
  domainCreated(d: Domain): void {
    this.map.add(d);
  }
  domainDestroyed(d: Domain): void {
    this.map.remove(d);
  }
  frames(d: Domain): number {
    return this.map.frames(d);
  }
  machineFrame(d: Domain, g: Gfn): Mfn {
    return this.map.lookup(d, g);
  }
  pinPageTable(): void {}
  unpinPageTable(): void {}
  writePte(v: Vcpu, table: Gfn, i: number, e: number): void {
    const stored = (e & PTE_PRESENT) === 0 ? 0 : makePte(this.map.populate(v, pteFrame(e)), pteFlags(e));
    writeTableEntry(this.machine.memory, this.geometry, this.map.populate(v, table), i, stored);
    v.charge(CostCategory.GuestKernel, 1);
  }
  readPte(v: Vcpu, table: Gfn, i: number): number {
    const e = readTableEntry(this.machine.memory, this.geometry, this.map.populate(v, table), i);
    return (e & PTE_PRESENT) === 0 ? e : makePte(this.map.reverse(pteFrame(e)), pteFlags(e));
  }
  beginBatch(): void {}
  flushBatch(): void {}
  activate(v: Vcpu, root: Gfn): void {
    this.roots.set(v, this.map.populate(v, root));
  }
  translate(v: Vcpu, vpn: number, write: boolean): Gfn {
    const root = this.roots.get(v);
    if (root === undefined) return TRANSLATION_FAULT;
    const w = walkPageTables(this.machine.memory, this.geometry, root, vpn, this.walk);
    if (w.faulted || (write && (w.pte & PTE_WRITABLE) === 0)) return TRANSLATION_FAULT;
    return this.map.reverse(w.frame);
  }
  invalidatePage(): void {}
  flushTlb(): void {}
  worldSwitch(): void {}
  zeroFrame(v: Vcpu, g: Gfn): void {
    this.machine.memory.zero(this.map.populate(v, g));
  }
  copyFrame(v: Vcpu, to: Gfn, from: Gfn): void {
    this.machine.memory.copy(this.map.populate(v, to), this.map.populate(v, from));
  }
  writeFrame(v: Vcpu, g: Gfn): void {
    this.map.populate(v, g);
  }
}

@injectable()
class MinimalCpu implements CpuVirtualization {
  readonly kernelPrivilege = { ring: 0, nonRoot: false } as const;
  constructor(@inject(MemoryVirtualization) readonly memory: MemoryVirtualization) {}
  systemCall(v: Vcpu): void {
    v.charge(CostCategory.GuestKernel, 100);
  }
  pageFault(v: Vcpu): void {
    v.charge(CostCategory.GuestKernel, 500);
  }
  privileged(v: Vcpu, op: PrivilegedOperation, fromUser = false): void {
    if (fromUser) throw new PrivilegeViolationError(v.domain.name, op, 'ring 0');
    v.charge(CostCategory.GuestKernel, 10);
  }
  switchAddressSpace(v: Vcpu, root: Gfn, as: number): void {
    this.memory.activate(v, root, as);
  }
  deliverInterrupt(v: Vcpu): void {
    v.charge(CostCategory.GuestKernel, 100);
  }
  worldSwitch(_p: number, _from: Vcpu | undefined, to: Vcpu): void {
    to.charge(CostCategory.Hypervisor, 50);
  }
}

@injectable()
class MinimalScheduler extends ProportionalShareScheduler {}

@injectable()
class MinimalTime extends SimulatedTimeKeeping {
  constructor(@inject(Simulator) sim: Simulator, @inject(Machine) m: Machine, @inject(IoEvents) e: IoEvents) {
    super(sim, m, e);
  }
}

@injectable()
class MinimalNetwork implements NetworkBackend {
  readonly table = new InterfaceTable();
  get dropped(): number {
    return this.table.dropped;
  }
  attachInterface(d: Domain, address: string, receive: FrameHandler): number {
    return this.table.attach(d, address, receive).index;
  }
  transmit(v: Vcpu, i: number, f: NetFrame): void {
    this.table.own(v, i);
    const target = this.table.lookup(f.destination);
    if (target === undefined) this.table.drop(v);
    else this.table.deliver(target, f);
  }
}

@injectable()
class MinimalBlock implements BlockBackend {
  readonly parts: DiskPartitions;
  constructor(@inject(Machine) readonly machine: Machine) {
    this.parts = new DiskPartitions(machine.disks[0]!, machine.memory);
  }
  attachDisk(d: Domain, sectors: number): number {
    return this.parts.attach(d, sectors);
  }
  diskSectors(d: Domain, dev: number): number {
    return this.parts.get(d, dev).sectors;
  }
  submit(_v: Vcpu, _dev: number, _r: BlockRequest, done: (s: BlockStatus) => void): void {
    this.machine.sim.schedule(0, () => done('error'));
  }
}

const ALL = [MemoryVirtualization, CpuVirtualization, VcpuScheduler, TimeKeeping, NetworkBackend, BlockBackend];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor will do here
const CLASSES: Record<symbol, new (...a: any[]) => object> = {
  [MemoryVirtualization]: MinimalMemory,
  [CpuVirtualization]: MinimalCpu,
  [VcpuScheduler]: MinimalScheduler,
  [TimeKeeping]: MinimalTime,
  [NetworkBackend]: MinimalNetwork,
  [BlockBackend]: MinimalBlock,
};

/** A plugin providing `points` (default: all six) with minimal in-core implementations. */
export function minimalPlugin(name = 'minimal', points: readonly symbol[] = ALL, options: { bindNothing?: boolean } = {}) {
  return definePlugin({
    name,
    version: '0.0.0',
    provides: points,
    capabilities: [],
    defaults: { level: 1 },
    module: () =>
      new ContainerModule((o) => {
        if (options.bindNothing) return;
        for (const p of points) {
          const C = CLASSES[p]!;
          o.bind(C).toSelf().inSingletonScope();
          o.bind(p).toService(C);
        }
      }),
  });
}
