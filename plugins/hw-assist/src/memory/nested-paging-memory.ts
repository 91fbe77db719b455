import {
  GuestPhysicalMapToken,
  optional,
  CpuEvents,
  GuestTransitions,
  InvalidArgumentError,
  Machine,
  Mechanisms,
  PTE_LARGE,
  PTE_PRESENT,
  Tlb,
  inject,
  injectable,
  makePte,
  pteFlags,
  pteFrame,
  readTableEntry,
  tableIndex,
  type Domain,
  type Vcpu,
  type GuestPhysicalMap,
} from '@visorkit/core';
import { HW_ASSIST_PATH } from '../hw-assist-path-lengths.js';
import { HwAssistOptions } from '../hw-assist-options.js';
import { EptTables } from './ept-tables.js';
import { HvmMemory } from './hvm-memory.js';

/**
 * Nested paging (Intel EPT / AMD NPT): the guest owns its page tables and writes them with
 * plain stores — no exit, no validation. The price is paid on TLB misses: every guest table
 * reference is itself translated through the host's EPT, so a 4-level guest walk over a
 * 4-level EPT makes up to 24 memory references (5 EPT walks of 4 plus 4 guest reads). Page-
 * walk caches keep EPT translations of guest table frames; 2 MiB host pages cut each EPT
 * walk to 3 references. Tagged TLBs (VPID) mean neither address-space nor world switches
 * flush.
 *
 * @public
 */
@injectable()
export class NestedPagingMemory extends HvmMemory {
  readonly #ept: (EptTables | undefined)[] = [];
  /** Per pCPU: cached EPT translations of guest page-table frames (paging-structure cache). */
  readonly #walkCaches: (Tlb | undefined)[];
  readonly #largePages: boolean;

  constructor(
    @inject(Machine) machine: Machine,
    @inject(HwAssistOptions) options: HwAssistOptions,
    @inject(CpuEvents) readonly events: CpuEvents,
    @inject(GuestTransitions) readonly transitions: GuestTransitions,
    @inject(Mechanisms) mechanisms: Mechanisms,
    @inject(GuestPhysicalMapToken) @optional() map?: GuestPhysicalMap,
  ) {
    super(machine, options.largePages, mechanisms, map);
    if (!machine.profile.cpu.nestedPaging) {
      throw new InvalidArgumentError('machine profile', `'${machine.profile.name}' has no nested paging (EPT/NPT): use hw-assist with { paging: 'shadow' }`);
    }
    this.#largePages = options.largePages;
    const pwc = options.pageWalkCache ? machine.profile.tlb.pageWalkCacheEntries : 0;
    this.#walkCaches = machine.pcpus.map(() => (pwc > 0 ? new Tlb(pwc, Math.min(4, pwc)) : undefined));
    // The EPT follows the map: a guest frame shared or unshared is re-pointed (and the
    // walk caches, which hold machine frames of guest tables, start over).
    this.map.onRemap((domain, gfn, mfn) => {
      this.#ept[domain.id]?.map(gfn, mfn);
      for (const c of this.#walkCaches) c?.flushAll();
    });
  }

  override domainCreated(domain: Domain): void {
    super.domainCreated(domain);
    this.#ept[domain.id] = new EptTables(this.machine.memory, this.#largePages);
  }

  override domainDestroyed(domain: Domain): void {
    this.#ept[domain.id]?.release();
    this.#ept[domain.id] = undefined;
    super.domainDestroyed(domain);
  }

  /** The domain's EPT (for tests and tools). */
  ept(domain: Domain): EptTables {
    const ept = this.#ept[domain.id];
    if (ept === undefined) throw new InvalidArgumentError('domain', `'${domain.name}' has no EPT`);
    return ept;
  }

  override populate(vcpu: Vcpu, gfn: number): number {
    const before = this.map.lookup(vcpu.domain, gfn);
    if (before >= 0) return before;
    const mfn = super.populate(vcpu, gfn);
    // With large pages the whole 2 MiB chunk was populated and one entry maps it.
    this.ept(vcpu.domain).map(gfn, mfn);
    return mfn;
  }

  // The guest's tables are its own business: pins, stores, reads, loads and translation are
  // the base's (guest-format tables, plain stores); only the miss is nested paging's.

  /** A TLB miss is the two-dimensional walk. */
  protected override refill(vcpu: Vcpu, virtualPage: number): number {
    return this.#walk2d(vcpu, virtualPage);
  }

  /** Memory references of the last two-dimensional walk (for tests and the bench). */
  lastWalkReferences = 0;

  /** The two-dimensional walk; returns the guest leaf (gfn-based) or -1 on a guest fault. */
  #walk2d(vcpu: Vcpu, vpn: number): number {
    const root = this.root(vcpu);
    if (root < 0) return -1;
    const ept = this.ept(vcpu.domain);
    const memory = this.machine.memory;
    const geometry = this.geometry;
    const pwc = this.#walkCaches[vcpu.pcpu >= 0 ? vcpu.pcpu : 0];
    let refs = 0;
    let tableGfn = root;
    let leaf = -1;
    for (let level = geometry.levels; level >= 1; level--) {
      let tableMfn = pwc === undefined ? -1 : pwc.lookup(vcpu.asid, tableGfn);
      if (tableMfn < 0) {
        tableMfn = ept.translate(tableGfn);
        refs += ept.references;
        if (tableMfn < 0) tableMfn = this.#eptViolation(vcpu, tableGfn);
        pwc?.insert(vcpu.asid, tableGfn, tableMfn);
      }
      const entry = readTableEntry(memory, geometry, tableMfn, tableIndex(geometry, vpn, level));
      refs++;
      if ((entry & PTE_PRESENT) === 0) break;
      if (level === 1 || (level === 2 && (entry & PTE_LARGE) !== 0)) {
        const gfn = level === 1 ? pteFrame(entry) : pteFrame(entry) + (vpn % 512);
        leaf = makePte(gfn, pteFlags(entry));
        break;
      }
      tableGfn = pteFrame(entry);
    }
    if (leaf >= 0) {
      // The data page's guest-physical address goes through the EPT too.
      const gfn = pteFrame(leaf);
      if (ept.translate(gfn) < 0) this.#eptViolation(vcpu, gfn);
      refs += ept.references;
    }
    this.lastWalkReferences = refs;
    this.chargeMiss(vcpu, refs);
    return leaf;
  }

  /** First touch of an unpopulated guest frame: exit, the host allocates and maps it. */
  #eptViolation(vcpu: Vcpu, gfn: number): number {
    this.transitions.vmExit(vcpu, 'ept-violation', HW_ASSIST_PATH.value.eptViolation * this.machine.profile.cpu.kernelCpi);
    return this.populate(vcpu, gfn);
  }
}
