import {
  GuestPhysicalMapToken,
  optional,
  CostCategory,
  CpuEvents,
  GuestTransitions,
  HYPERVISOR_OWNER,
  Machine,
  Mechanisms,
  MechanismIndex,
  PTE_PRESENT,
  inject,
  injectable,
  makePte,
  pteFlags,
  pteFrame,
  readTableEntry,
  writeTableEntry,
  type Domain,
  type Gfn,
  type Vcpu,
  type Mfn,
  type GuestPhysicalMap,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';
import { HvmMemory } from './hvm-memory.js';

interface Shadow {
  readonly mfn: Mfn;
  readonly level: number;
}

/**
 * Shadow paging, the pre-EPT way: the guest's page tables are write-protected, every write
 * to them traps (a VM exit), and the hypervisor emulates it and updates a shadow table —
 * the one the hardware really walks, holding machine frames. Loading CR3 traps too. Walks
 * are one-dimensional and cheap; fork, exec and mmap, which write many entries, are not.
 *
 * @public
 */
@injectable()
export class ShadowPagingMemory extends HvmMemory {
  /** Per domain: guest table gfn → its shadow. */
  readonly #shadows: (Map<number, Shadow> | undefined)[] = [];
  readonly #cpi: number;

  constructor(
    @inject(Machine) machine: Machine,
    @inject(CpuEvents) readonly events: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap,
  ) {
    super(machine, false, mechanisms, map);
    this.#cpi = machine.profile.cpu.kernelCpi;
  }

  override domainCreated(domain: Domain): void {
    super.domainCreated(domain);
    this.#shadows[domain.id] = new Map();
  }

  override domainDestroyed(domain: Domain): void {
    for (const s of this.#shadows[domain.id]?.values() ?? []) this.machine.memory.release(s.mfn);
    this.#shadows[domain.id] = undefined;
    super.domainDestroyed(domain);
  }

  /** Shadow tables the domain has (for tests). */
  shadowCount(domain: Domain): number {
    return this.#shadows[domain.id]?.size ?? 0;
  }

  override pinPageTable(vcpu: Vcpu, frame: Gfn, level: number): void {
    this.#shadowOf(vcpu, frame, level);
  }

  override unpinPageTable(vcpu: Vcpu, frame: Gfn): void {
    const shadows = this.#shadows[vcpu.domain.id]!;
    const s = shadows.get(frame);
    if (s === undefined) return;
    this.machine.memory.release(s.mfn);
    shadows.delete(frame);
  }

  override writePte(vcpu: Vcpu, table: Gfn, index: number, entry: number): void {
    this.validateUpdate(vcpu, table, index, entry);
    // The store hits a write-protected page: exit, emulate, and keep the shadow in sync.
    this.transitions.vmExit(vcpu, 'pt-write', HW_ASSIST_PATH.value.emulatePteWrite * this.#cpi);
    vcpu.count(MechanismIndex.PteWrite);
    writeTableEntry(this.machine.memory, this.geometry, this.populate(vcpu, table), index, entry);
    this.noteWrite(vcpu, table);
    const shadow = this.#shadows[vcpu.domain.id]!.get(table);
    if (shadow !== undefined) this.#syncEntry(vcpu, shadow, index, entry);
  }

  /** Loading CR3 exits: the hypervisor finds (or builds) the root's shadow and loads that. */
  override activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    this.transitions.vmExit(vcpu, 'cr3-load', HW_ASSIST_PATH.value.shadowRootSwitch * this.#cpi);
    this.#shadowOf(vcpu, root, this.geometry.levels);
    this.loadRoot(vcpu, root, addressSpace);
  }

  /** The hardware walks the shadow of the active root (machine frames; the base turns the leaf back into a guest frame). */
  protected override walkRoot(vcpu: Vcpu): number {
    const root = this.root(vcpu);
    const shadow = root < 0 ? undefined : this.#shadows[vcpu.domain.id]!.get(root);
    return shadow === undefined ? -1 : shadow.mfn;
  }

  /** The shadow of guest table `gfn` at `level`, built (and filled from the guest table) on first use. */
  #shadowOf(vcpu: Vcpu, gfn: number, level: number): Shadow {
    const shadows = this.#shadows[vcpu.domain.id]!;
    let s = shadows.get(gfn);
    if (s !== undefined) return s;
    const mfn = this.machine.memory.allocate(HYPERVISOR_OWNER);
    s = { mfn, level };
    shadows.set(gfn, s);
    vcpu.charge(CostCategory.Hypervisor, this.costs.pageZero);
    const guestTable = this.populate(vcpu, gfn);
    const entries = 2 ** this.geometry.indexBits[this.geometry.levels - level]!;
    for (let i = 0; i < entries; i++) {
      const e = readTableEntry(this.machine.memory, this.geometry, guestTable, i);
      if ((e & PTE_PRESENT) !== 0) this.#syncEntry(vcpu, s, i, e);
    }
    return s;
  }

  /** Writes the shadow counterpart of guest entry `entry` at `index` of `shadow`. */
  #syncEntry(vcpu: Vcpu, shadow: Shadow, index: number, entry: number): void {
    let value = 0;
    if ((entry & PTE_PRESENT) !== 0) {
      const target = pteFrame(entry);
      const frame = shadow.level === 1 ? this.populate(vcpu, target) : this.#shadowOf(vcpu, target, shadow.level - 1).mfn;
      value = makePte(frame, pteFlags(entry));
    }
    writeTableEntry(this.machine.memory, this.geometry, shadow.mfn, index, value);
  }
}
