import {
  BackRing,
  EventChannels,
  FrontRing,
  HYPERVISOR_OWNER,
  NO_OWNER,
  type MachineRecorder,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  PageTableBuilder,
  SharedRing,
  VisorkitError,
  bundledProfiles,
  makePte,
  pteFrame,
  gfn,
  guestSuppliedGfn,
  readTableEntry,
  type Domain,
  type Hypervisor,
  type NetFrame,
  type RingRequest,
  type RingResponse,
  type Vcpu,
} from '@visorkit/core';
import type { PlatformSpec } from '@visorkit/workloads';
import { OWN_FRAMES, PAGES, VICTIM_FIRST_GFN, VICTIM_PAGES, isVictimOperation, type FrameRef, type HostileOperation } from './hostile-operation.js';

/** A broken promise: what was reached or corrupted, and by which operation. */
export class Breach extends Error {
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(`${invariant}: ${detail}`);
  }
}

/** How a platform keeps guest page tables: machine frame numbers (PV, native) or guest frame numbers walked through nested tables. */
export type TableFormat = 'machine' | 'guest';

/** A platform under attack: the composition and how its tables and TLB entries name frames. */
export interface FuzzTarget {
  readonly plugin: string;
  readonly platform: PlatformSpec;
  readonly format: TableFormat;
  /** Xen's promise: a frame typed as a page table is never mapped writable. */
  readonly typedPageTables: boolean;
  /** Which attacks: machine-level (default) or from inside a container context of a shared kernel (container-fuzz-machine.ts). */
  readonly family?: 'machine' | 'containers';
}

const MEMORY_MIB = 128;
const DOMAIN_MIB = 16;
const ADDRESS = { attacker: '10.9.0.66', victim: '10.9.0.7', other: '10.9.0.200' } as const;
/** Word the victim writes into its disk's first sectors: no attacker frame may ever hold it. */
const VICTIM_DISK_MAGIC = 0x5ec7e75;
/** Per-op incremental checks, a sweep over both domains every SWEEP_EVERY ops, a census of every frame every CENSUS_EVERY. */
export const SWEEP_EVERY = 256;
export const CENSUS_EVERY = 4096;

interface Req extends RingRequest {
  id: number;
}
interface Rsp extends RingResponse {
  id: number;
}

/** The victim's well-behaved side of the machine, on the machine under attack or on the reference machine. */
class VictimSide {
  readonly builder: PageTableBuilder;
  /** The victim's own model of its memory: words written, by gfn·1024 + word. */
  readonly written = new Map<number, number>();

  constructor(
    readonly hv: Hypervisor,
    readonly domain: Domain,
  ) {
    const v = domain.vcpus[0]!;
    this.builder = new PageTableBuilder(hv, v, 1);
    for (let i = 0; i < VICTIM_PAGES; i++) hv.memory.zeroFrame(v, gfn(VICTIM_FIRST_GFN + i));
    this.builder.mapRange(0, VICTIM_FIRST_GFN, VICTIM_PAGES);
    hv.cpu.switchAddressSpace(v, this.builder.root, 1);
  }

  get vcpu(): Vcpu {
    return this.domain.vcpus[0]!;
  }

  /** Applies one victim operation; returns what the victim observed. */
  apply(op: HostileOperation): number {
    const hv = this.hv;
    const v = this.vcpu;
    switch (op.k) {
      case 'victim-map':
        this.builder.set(op.vpn, makePte(op.gfn, PTE_PRESENT | PTE_USER | (op.writable ? PTE_WRITABLE : 0)));
        return 0;
      case 'victim-unmap':
        this.builder.set(op.vpn, 0);
        return 0;
      case 'victim-write': {
        const mfn = hv.memory.machineFrame(this.domain, gfn(op.gfn), 'read');
        hv.machine.memory.writeWord32(mfn, op.word, op.value);
        this.written.set(op.gfn * 1024 + op.word, op.value >>> 0);
        return hv.machine.memory.readWord32(mfn, op.word);
      }
      case 'victim-translate':
        return hv.memory.translate(v, op.vpn, op.write);
      default:
        throw new Error(`not a victim operation: ${op.k}`);
    }
  }

  /** What the victim sees of its address space: every page, for reads and writes. */
  view(): number[] {
    const out: number[] = [];
    for (let p = 0; p < VICTIM_PAGES; p++) out.push(this.hv.memory.translate(this.vcpu, p, false), this.hv.memory.translate(this.vcpu, p, true));
    return out;
  }
}

/**
 * One machine under attack: an attacker domain issuing hostile operations, a well-behaved
 * victim beside it, and a reference machine where the same victim runs without the attacker.
 * After each operation it checks the isolation invariants — incrementally, on what the
 * operation touched, and in sweeps over both domains and censuses of every frame (see
 * {@link SWEEP_EVERY}): checking the whole machine after every one of a million operations
 * would cost O(frames) each, while what an operation can break is local to it, and the
 * sweeps catch what changes later (a frame given back while still mapped).
 */
export class FuzzMachine {
  readonly hv: Hypervisor;
  readonly attacker: Domain;
  readonly victim: VictimSide;
  readonly reference: VictimSide;
  /** Invariant checks made so far. */
  invariantsChecked = 0;
  /** Operations refused with a typed error (the expected answer to most hostile ones). */
  refused = 0;
  #ops = 0;
  readonly #format: TableFormat;
  readonly #typed: boolean;
  /** Entries the attacker wrote successfully: table gfn·1024 + index. */
  readonly #entries = new Set<number>();
  /** Frames the attacker pinned successfully (gfn → level). */
  readonly #pinned = new Map<number, number>();
  readonly #victimAsids = new Set<number>();
  readonly #attackerAsids = new Set<number>();
  readonly #victimMfns: number[] = [];
  #hypervisorMfns: number[] = [];
  readonly #channels: EventChannels;
  readonly #victimPorts: number[] = [];
  readonly #attackerPort: number;
  readonly #ring = new SharedRing<Req, Rsp>(8);
  readonly #front = new FrontRing<Req, Rsp>(this.#ring);
  readonly #back = new BackRing<Req, Rsp>(this.#ring);
  #ringDead = false;
  readonly #taken: { copy: Req; id: number }[] = [];
  readonly #attackerDisk: number;
  readonly #attackerIface: number;
  readonly #victimDiskFrames: number[] = [];
  readonly #received: NetFrame[] = [];
  /** What the machine really did during each operation, whatever the plugin answered. */
  readonly #recorder: MachineRecorder;

  constructor(
    readonly target: FuzzTarget,
    seed: number,
  ) {
    this.#format = target.format;
    this.#typed = target.typedPageTables;
    const profile = bundledProfiles.find((p) => p.name === 'modern')!;
    const build = (): { hv: Hypervisor; attacker: Domain; victim: Domain } => {
      const hv = target.platform.compose(profile, { seed, memoryMiB: MEMORY_MIB, cores: 2 });
      const attacker = hv.createDomain({ name: 'mallory', memoryMiB: DOMAIN_MIB });
      const victim = hv.createDomain({ name: 'alice', memoryMiB: DOMAIN_MIB });
      return { hv, attacker, victim };
    };
    const main = build();
    this.hv = main.hv;
    this.attacker = main.attacker;
    this.victim = new VictimSide(main.hv, main.victim);
    const ref = build();
    this.reference = new VictimSide(ref.hv, ref.victim);
    for (let g = 0; g < VICTIM_PAGES + 9; g++) {
      const mfn = this.hv.memory.machineFrame(main.victim, gfn(g < VICTIM_PAGES ? VICTIM_FIRST_GFN + g : g - VICTIM_PAGES + 1), 'read');
      if (mfn >= 0) this.#victimMfns.push(mfn);
    }
    this.#hypervisorMfns = this.#firstHypervisorFrames();
    // An event channel between the two, and a VIRQ of the victim's own.
    this.#channels = new EventChannels(() => {});
    const binding = this.#channels.bindInterdomain(this.attacker.id, main.victim.id);
    this.#attackerPort = binding.localPort;
    this.#victimPorts.push(binding.remotePort, this.#channels.bindVirq(main.victim.id, 0));
    // Disks: the victim writes a recognisable sector the attacker must never read.
    const hv = this.hv;
    this.#attackerDisk = hv.block.attachDisk(this.attacker, 64 * 8);
    const victimDisk = hv.block.attachDisk(main.victim, 64 * 8);
    const secret = VICTIM_FIRST_GFN + VICTIM_PAGES - 1;
    const secretMfn = hv.memory.machineFrame(main.victim, gfn(secret), 'read');
    for (let w = 0; w < 1024; w++) hv.machine.memory.writeWord32(secretMfn, w, VICTIM_DISK_MAGIC);
    this.#victimDiskFrames.push(secret);
    hv.block.submit(this.victim.vcpu, victimDisk, { operation: 'write', sector: 0, frames: [gfn(secret)] }, () => {});
    hv.runFor(1e8);
    for (let w = 0; w < 1024; w++) this.victim.written.set(secret * 1024 + w, VICTIM_DISK_MAGIC);
    this.#attackerIface = hv.network.attachInterface(this.attacker, ADDRESS.attacker, () => {});
    hv.network.attachInterface(main.victim, ADDRESS.victim, (frame) => {
      if (this.#received.length < 64) this.#received.push(frame);
      this.#check('network/no-misdelivery', frame.destination === ADDRESS.victim, `the victim's interface received a frame for ${frame.destination}`);
    });
    for (const a of [this.attacker.vcpus[0]!.asid]) this.#attackerAsids.add(a);
    this.#victimAsids.add(this.victim.vcpu.asid);
    // Recorded from here on (the set-up's own writes are not the attacker's): frames touched
    // and TLB entries used across domains, as the conformance kit checks plugins.
    this.#recorder = hv.machine.record({ accesses: false, tlb: false });
  }

  /** Operations applied so far. */
  get operations(): number {
    return this.#ops;
  }

  /** Applies one operation and checks the invariants; throws {@link Breach} on a broken one. */
  apply(op: HostileOperation): void {
    this.#ops++;
    if (isVictimOperation(op)) {
      const got = this.#recorder.as(this.victim.domain.id, () => this.victim.apply(op));
      const want = this.reference.apply(op);
      this.#check('victim/results-equal-a-run-without-the-attacker', got === want, `victim ${op.k} saw ${got}, without the attacker ${want}`);
      this.#victimAsids.add(this.victim.vcpu.asid);
    } else {
      const a = this.attacker.vcpus[0]!;
      const vCounts = Float64Array.from(this.victim.domain.counts);
      const vCycles = Float64Array.from(this.victim.vcpu.cycles);
      let result: number | undefined;
      try {
        result = this.#recorder.as(this.attacker.id, () => this.#attack(a, op));
      } catch (e) {
        if (e instanceof Breach) throw e;
        if (!VisorkitError.is(e))
          throw new Breach(
            'hypervisor/guest-input-never-crashes-it',
            `${op.k} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a typed error`,
          );
        this.refused++;
      }
      this.#afterAttack(a, op, result);
      // Receiving what is sent to it is the victim's own work (as on a real NIC); nothing else the attacker does may cost the victim.
      const sentToVictim = op.k === 'net' && op.destination === 'victim';
      if (!sentToVictim)
        this.#check(
          'accounting/the-attacker-pays-for-itself',
          sameArray(vCounts, this.victim.domain.counts) && sameArray(vCycles, this.victim.vcpu.cycles),
          `the victim's counts or cycles changed during the attacker's ${op.k}`,
        );
    }
    this.#checkRecorder(op);
    if (this.#ops % SWEEP_EVERY === 0) this.sweep();
    if (this.#ops % CENSUS_EVERY === 0) this.census();
  }

  #attack(a: Vcpu, op: HostileOperation): number | undefined {
    const hv = this.hv;
    const m = hv.memory;
    switch (op.k) {
      case 'pte': {
        const table = this.#frame(op.table);
        m.writePte(a, guestSuppliedGfn(table), op.index, makePte(this.#frame(op.frame), op.flags));
        if (Number.isInteger(table) && Number.isInteger(op.index) && op.index >= 0 && op.index < 512) this.#entries.add(table * 1024 + op.index);
        return undefined;
      }
      case 'read-pte':
        return m.readPte(a, guestSuppliedGfn(this.#frame(op.table)), op.index);
      case 'pin': {
        const f = this.#frame(op.frame);
        m.pinPageTable(a, guestSuppliedGfn(f), op.level);
        this.#pinned.set(f, op.level);
        return undefined;
      }
      case 'unpin': {
        const f = this.#frame(op.frame);
        m.unpinPageTable(a, guestSuppliedGfn(f));
        this.#pinned.delete(f);
        return undefined;
      }
      case 'switch':
        hv.cpu.switchAddressSpace(a, guestSuppliedGfn(this.#frame(op.root)), op.space);
        return undefined;
      case 'translate':
        return m.translate(a, op.vpn, op.write);
      case 'invlpg':
        m.invalidatePage(a, op.vpn);
        return undefined;
      case 'flush':
        m.flushTlb(a);
        return undefined;
      case 'zero':
        m.zeroFrame(a, guestSuppliedGfn(this.#frame(op.frame)));
        return undefined;
      case 'copy':
        m.copyFrame(a, guestSuppliedGfn(this.#frame(op.to)), guestSuppliedGfn(this.#frame(op.from)));
        return undefined;
      case 'batch':
        if (op.on) m.beginBatch(a);
        else m.flushBatch(a);
        return undefined;
      case 'balloon': {
        const frames = op.frames.map((f) => guestSuppliedGfn(this.#frame(f)));
        if (op.give) this.hv.balloon?.releaseFrames(a, frames);
        else this.hv.balloon?.reclaimFrames(a, frames);
        return undefined;
      }
      case 'hypercall':
        return hv.hypercalls.invoke(a, op.number, ...op.args);
      case 'privileged':
        for (let i = 0; i < op.times; i++) hv.cpu.privileged(a, op.op, op.fromUser);
        return undefined;
      case 'trap':
        hv.traps.install(a, op.vector, op.ring, () => {});
        if (op.deliver) hv.traps.deliver(a, op.vector);
        return undefined;
      case 'evtchn':
        return this.#eventChannel(op.what, op.asVictim ? (this.#victimPorts[op.port % this.#victimPorts.length] ?? op.port) : op.port);
      case 'ring':
        this.#ringOp(op.what, op.value);
        return undefined;
      case 'disk': {
        let status = '';
        hv.block.submit(
          a,
          this.#attackerDisk,
          { operation: op.write ? 'write' : 'read', sector: op.sector, frames: op.frames.map((f) => guestSuppliedGfn(this.#frame(f))) },
          (s) => (status = s),
        );
        hv.runFor(1e8);
        if (status === 'ok' && !op.write) {
          for (const f of op.frames) {
            const mfn = m.machineFrame(this.attacker, guestSuppliedGfn(this.#frame(f)), 'read');
            if (mfn >= 0)
              this.#check(
                'disk/no-domain-reads-anothers-sectors',
                hv.machine.memory.readWord32(mfn, 0) !== VICTIM_DISK_MAGIC,
                `the attacker read the victim's sector into its frame ${this.#frame(f)}`,
              );
          }
        }
        return undefined;
      }
      case 'net': {
        const addr = (w: 'own' | 'victim' | 'other'): string => (w === 'own' ? ADDRESS.attacker : ADDRESS[w === 'victim' ? 'victim' : 'other']);
        hv.network.transmit(a, this.#attackerIface, {
          source: addr(op.source),
          destination: addr(op.destination),
          bytes: 1500,
          ...(op.buffers.length > 0 ? { buffers: op.buffers.map((f) => this.#frame(f)) } : {}),
        } as NetFrame);
        hv.runFor(1e6);
        return undefined;
      }
      default:
        throw new Error(`unknown operation ${(op as { k: string }).k}`);
    }
  }

  #eventChannel(what: 'notify' | 'mask' | 'unmask' | 'close' | 'clear' | 'bind', port: number): number | undefined {
    const ch = this.#channels;
    const victim = this.victim.domain.id;
    const before = this.#victimPorts.map((p) => `${ch.kindOf(victim, p)}/${ch.isMasked(victim, p)}`);
    const pendingBefore = this.#victimPorts.map((p) => ch.isPending(victim, p));
    const me = this.attacker.id;
    let result: number | undefined;
    switch (what) {
      case 'notify':
        result = ch.notify(me, port) ? 1 : 0;
        break;
      case 'mask':
        ch.mask(me, port);
        break;
      case 'unmask':
        result = ch.unmask(me, port) ? 1 : 0;
        break;
      case 'close':
        ch.close(me, port);
        break;
      case 'clear':
        result = ch.clearPending(me, port) ? 1 : 0;
        break;
      case 'bind':
        result = ch.bindInterdomain(me, me).localPort;
        break;
    }
    // Closing its own end of the shared channel leaves the victim's end unbound: that is the
    // attacker's right. Anything else about the victim's ports is not its to change.
    const after = this.#victimPorts.map((p) => `${ch.kindOf(victim, p)}/${ch.isMasked(victim, p)}`);
    for (let i = 0; i < after.length; i++) {
      const legit = i === 0 && before[i] !== after[i] && after[i]!.startsWith('unbound') && what === 'close' && port === this.#attackerPort;
      this.#check(
        'event-channels/a-domain-changes-only-its-own-ports',
        before[i] === after[i] || legit,
        `victim port ${this.#victimPorts[i]} went from ${before[i]} to ${after[i]} on the attacker's ${what} of port ${port}`,
      );
      const raised = !pendingBefore[i] && ch.isPending(victim, this.#victimPorts[i]!);
      this.#check(
        'event-channels/only-a-bound-peer-raises-a-port',
        !raised || (i === 0 && what === 'notify' && port === this.#attackerPort),
        `victim port ${this.#victimPorts[i]} became pending on the attacker's ${what} of port ${port}`,
      );
    }
    return result;
  }

  #ringOp(what: 'push' | 'req-prod' | 'rsp-prod' | 'req-event' | 'slot', value: number): void {
    const ring = this.#ring;
    switch (what) {
      case 'push':
        this.#front.pushRequest({ id: value });
        this.#front.pushRequests();
        break;
      case 'req-prod':
        ring.reqProd = value as number; // the front end owns the shared page: it may write any index
        break;
      case 'rsp-prod':
        ring.rspProd = value;
        break;
      case 'req-event':
        ring.rspEvent = value;
        break;
      case 'slot': {
        const slot = ring.slots[Math.abs(Math.trunc(value)) % ring.size || 0];
        if (slot !== undefined) (slot as { id: number }).id = value;
        else ring.slots[Math.abs(Math.trunc(value)) % ring.size || 0] = { id: value } as Req;
        break;
      }
    }
    // The victim's back end serves the ring as a driver domain would, treating the peer as hostile.
    if (this.#ringDead) return;
    const inServiceBefore = (this.#back.reqCons - this.#back.rspProdPvt) >>> 0;
    try {
      for (let req = this.#back.takeRequest(); req !== undefined; req = this.#back.takeRequest()) {
        this.#taken.push({ copy: req, id: req.id });
        if (this.#taken.length > 16) this.#taken.shift();
        this.#back.pushResponse({ id: req.id });
      }
      this.#back.pushResponses();
    } catch (e) {
      if (!VisorkitError.is(e)) throw new Breach('rings/a-hostile-peer-gets-a-typed-error', `the back end threw ${String(e)}`);
      this.#ringDead = true; // a protocol error: the back end disconnects, as netback does
    }
    const inService = (this.#back.reqCons - this.#back.rspProdPvt) >>> 0;
    this.#check(
      'rings/the-peer-side-stays-consistent',
      inService <= ring.size && inServiceBefore <= ring.size,
      `the back end has ${inService} requests in service on a ${ring.size}-slot ring`,
    );
    for (const t of this.#taken)
      this.#check(
        'rings/taken-requests-cannot-change',
        Object.is(t.copy.id, t.id),
        `a request the back end took changed from ${t.id} to ${t.copy.id} after the front end wrote its slot`,
      );
  }

  #afterAttack(a: Vcpu, op: HostileOperation, result: number | undefined): void {
    this.#attackerAsids.add(a.asid);
    for (const asid of this.#attackerAsids)
      this.#check('tlb/address-space-tags-never-collide', !this.#victimAsids.has(asid), `the attacker's address-space tag ${asid} is one of the victim's`);
    if (op.k === 'translate' && result !== undefined && result >= 0) this.#checkTranslation(op.vpn, result);
    if (op.k === 'pte' && this.#format === 'machine') {
      const table = this.#frame(op.table);
      // With Xen's page types an entry of an untyped frame is data (it may hold a stale copy);
      // the sweeps check every table a walk can reach, typed through a reference or pinned.
      if (this.#entries.has(table * 1024 + op.index) && (!this.#typed || this.#pinned.has(table))) this.#checkEntry(table, op.index);
    }
    this.#checkAccounts(a);
  }

  /** A translation the attacker got must reach a frame of its own. */
  #checkTranslation(vpn: number, gfn: number): void {
    const m = this.hv.memory;
    this.#check(
      'memory/translations-stay-in-the-domain',
      Number.isInteger(gfn) && gfn < m.frames(this.attacker),
      `virtual page ${vpn} translated to guest frame ${gfn}, outside the attacker's ${m.frames(this.attacker)}`,
    );
    const mfn = m.machineFrame(this.attacker, guestSuppliedGfn(gfn), 'read');
    this.#check(
      'memory/translations-stay-in-the-domain',
      mfn >= 0 && this.hv.machine.memory.ownerOf(mfn) === this.attacker.id,
      `virtual page ${vpn} reached machine frame ${mfn}, owned by ${mfn >= 0 ? this.hv.machine.memory.ownerOf(mfn) : 'nobody'}`,
    );
    // What the TLB holds for the page is what the hardware would use.
    for (const p of this.hv.machine.pcpus) {
      const leaf = p.tlb.lookup(this.attacker.vcpus[0]!.asid, vpn);
      if (leaf < 0) continue;
      const frame = pteFrame(leaf);
      const owner =
        this.#format === 'machine' ? this.#ownerOfMachine(frame) : this.#ownerOfMachine(m.machineFrame(this.attacker, guestSuppliedGfn(frame), 'read'));
      this.#check(
        'tlb/cached-translations-stay-in-the-domain',
        owner === this.attacker.id,
        `pCPU ${p.index}'s TLB maps the attacker's page ${vpn} to a frame owned by ${owner}`,
      );
    }
  }

  /**
   * An entry the attacker wrote (machine-format tables): present ones reach only its own
   * frames; in a leaf table (of `levels`: the frames typed as tables and their levels), none
   * maps a page table writable. A frame typed as no table is data no walk reaches.
   */
  #checkEntry(table: number, index: number, levels: ReadonlyMap<number, number> = this.#pinned): void {
    const mem = this.hv.machine.memory;
    const mfn = this.hv.memory.machineFrame(this.attacker, guestSuppliedGfn(table), 'read');
    if (mfn < 0) return;
    this.#check(
      'memory/tables-stay-the-domains-own',
      this.#ownerOfMachine(mfn) === this.attacker.id,
      `the attacker's table frame ${table} is machine frame ${mfn}, owned by ${this.#ownerOfMachine(mfn)}`,
    );
    const entry = readTableEntry(mem, this.hv.memory.geometry, mfn, index);
    if ((entry & PTE_PRESENT) === 0) return;
    const target = pteFrame(entry);
    const owner = this.#ownerOfMachine(target);
    this.#check(
      'memory/no-entry-reaches-a-foreign-frame',
      owner === this.attacker.id,
      `entry ${index} of the attacker's table ${table} maps machine frame ${target}, owned by ${owner}`,
    );
    if (this.#typed && (entry & PTE_WRITABLE) !== 0 && levels.get(table) === 1) {
      const gfn = this.#gfnOf(target, levels);
      this.#check('memory/page-tables-are-never-writable', gfn < 0, `entry ${index} of leaf table ${table} maps the page table ${gfn} writable`);
    }
  }

  /**
   * The attacker's frames typed as page tables, from the machine's memory: those it pinned,
   * and every frame a present entry of a typed upper-level table references (typed one level
   * down) — all a walk from a table it may load can reach. Breaks the invariants if an entry
   * of a typed table reaches a foreign frame or a frame is typed at two levels.
   */
  #typedTables(): Map<number, number> {
    const m = this.hv.memory;
    const mem = this.hv.machine.memory;
    const levels = new Map<number, number>();
    const work: number[] = [];
    for (const [g, level] of this.#pinned)
      if (Number.isInteger(g) && g >= 0 && g < m.frames(this.attacker) && Number.isInteger(level) && level >= 1 && level <= m.geometry.levels) {
        levels.set(g, level);
        if (level > 1) work.push(g);
      }
    if (work.length === 0) return levels;
    const reverse = new Map<number, number>();
    for (let g = 0; g < m.frames(this.attacker); g++) {
      const mfn = m.machineFrame(this.attacker, guestSuppliedGfn(g), 'read');
      if (mfn >= 0) reverse.set(mfn, g);
    }
    for (let table = work.pop(); table !== undefined; table = work.pop()) {
      const level = levels.get(table)!;
      const mfn = m.machineFrame(this.attacker, guestSuppliedGfn(table), 'read');
      if (mfn < 0 || !mem.isPopulated(mfn)) continue;
      for (let i = 0; i < m.geometry.entriesPerTable[level]!; i++) {
        const entry = readTableEntry(mem, m.geometry, mfn, i);
        if ((entry & PTE_PRESENT) === 0) continue;
        const target = reverse.get(pteFrame(entry));
        this.#check(
          'memory/no-entry-reaches-a-foreign-frame',
          target !== undefined,
          `entry ${i} of the attacker's level-${level} table ${table} references machine frame ${pteFrame(entry)}, owned by ${this.#ownerOfMachine(pteFrame(entry))}`,
        );
        const had = levels.get(target!);
        this.#check(
          'memory/a-table-has-one-level',
          had === undefined || had === level - 1,
          `entry ${i} of the attacker's level-${level} table ${table} references its level-${had} table ${target} as level ${level - 1}`,
        );
        if (had === undefined) {
          levels.set(target!, level - 1);
          if (level - 1 > 1) work.push(target!);
        }
      }
    }
    return levels;
  }

  /** Every entry of every leaf table a walk can reach (typed frames): none maps a page table writable or a foreign frame. */
  #checkLeafTables(levels: ReadonlyMap<number, number>): void {
    const n = this.hv.memory.geometry.entriesPerTable[1]!;
    for (const [table, level] of levels) {
      if (level !== 1) continue;
      const mfn = this.hv.memory.machineFrame(this.attacker, guestSuppliedGfn(table), 'read');
      if (mfn < 0 || !this.hv.machine.memory.isPopulated(mfn)) continue;
      for (let i = 0; i < n; i++) this.#checkEntry(table, i, levels);
    }
  }

  #checkAccounts(a: Vcpu): void {
    this.#check(
      'accounting/adds-up',
      finiteNonNegative(a.cycles) && finiteNonNegative(this.attacker.counts),
      `the attacker's cycles or counts hold a negative or non-finite value`,
    );
  }

  /**
   * The machine-level record of the operation (the conformance kit's recorder): no frame was
   * read or written during one domain's activity, or DMA'd for it, while another domain or
   * nobody owned it, and no TLB entry filled for one domain was used by another — what the
   * hardware did, not what the plugin's tables say. Then the record is dropped, so memory
   * stays flat however many operations run.
   */
  #checkRecorder(op: HostileOperation): void {
    const rec = this.#recorder;
    const f = rec.foreign[0];
    this.#check(
      'machine/no-access-reaches-a-foreign-frame',
      f === undefined,
      f === undefined
        ? ''
        : `during ${op.k} the machine recorded a ${f.kind} of machine frame ${f.frame}, owned by ${f.owner}, in domain ${f.actor}'s activity (${rec.foreign.length} such accesses)`,
    );
    const l = rec.tlbLeaks[0];
    this.#check(
      'machine/no-tlb-entry-crosses-domains',
      l === undefined,
      l === undefined
        ? ''
        : `during ${op.k} pCPU ${l.pcpu}'s TLB entry for page ${l.page}, filled in domain ${l.insertedBy}'s activity, was used in domain ${l.usedBy}'s`,
    );
    rec.clear();
  }

  /** Both domains, whole: every entry the attacker wrote, every page it can translate, the victim's memory and view. */
  sweep(): void {
    if (this.#format === 'machine') {
      const levels = this.#typed ? this.#typedTables() : this.#pinned;
      for (const key of this.#entries) {
        const table = Math.floor(key / 1024);
        // Xen's page types: a frame typed as no table holds data (a DMA, a copy, a stale entry
        // of a table since untyped), validated only if it is ever typed; no walk reaches it.
        if (this.#typed && !levels.has(table)) continue;
        this.#checkEntry(table, key % 1024, levels);
      }
      if (this.#typed) this.#checkLeafTables(levels);
    }
    const a = this.attacker.vcpus[0]!;
    for (const p of this.hv.machine.pcpus) {
      for (let vpn = 0; vpn < PAGES; vpn++) {
        const leaf = p.tlb.lookup(a.asid, vpn);
        if (leaf < 0) continue;
        const f = pteFrame(leaf);
        const owner =
          this.#format === 'machine' ? this.#ownerOfMachine(f) : this.#ownerOfMachine(this.hv.memory.machineFrame(this.attacker, guestSuppliedGfn(f), 'read'));
        this.#check(
          'tlb/cached-translations-stay-in-the-domain',
          owner === this.attacker.id,
          `pCPU ${p.index}'s TLB maps the attacker's page ${vpn} to a frame owned by ${owner}`,
        );
      }
    }
    const got = this.victim.view();
    const want = this.reference.view();
    this.#check('victim/results-equal-a-run-without-the-attacker', sameArray(got, want), `the victim's translations differ from a run without the attacker`);
    const mem = this.hv.machine.memory;
    for (const [key, value] of this.victim.written) {
      const mfn = this.hv.memory.machineFrame(this.victim.domain, gfn(Math.floor(key / 1024)), 'read');
      this.#check('victim/memory-is-its-own', mfn >= 0 && mem.readWord32(mfn, key % 1024) === value, `victim word ${key} no longer holds what it wrote`);
    }
    for (const d of [this.attacker, this.victim.domain]) this.#checkOwnership(d, OWN_FRAMES + VICTIM_FIRST_GFN + VICTIM_PAGES);
  }

  /** Each of a domain's first `frames` guest frames is backed by a machine frame it owns, and by one no other domain's frame shares. */
  #checkOwnership(d: Domain, frames: number): void {
    const m = this.hv.memory;
    const mem = this.hv.machine.memory;
    for (let g = 0; g < Math.min(frames, m.frames(d)); g++) {
      const mfn = m.machineFrame(d, guestSuppliedGfn(g), 'read');
      if (mfn < 0) continue;
      this.#check(
        'memory/each-frame-has-one-owner',
        mem.ownerOf(mfn) === d.id,
        `${d.name}'s guest frame ${g} is backed by machine frame ${mfn}, owned by ${mem.ownerOf(mfn)}`,
      );
    }
  }

  /**
   * Every frame of the machine: the owner table agrees with both domains' frame maps (no
   * frame backs two domains), frames are conserved, and the victim's untouched frames hold
   * nothing the attacker put there.
   */
  census(): void {
    this.#census();
    for (const d of [this.attacker, this.victim.domain]) this.#checkOwnership(d, this.hv.memory.frames(d));
    const mem = this.hv.machine.memory;
    for (let i = 0; i < VICTIM_PAGES; i++) {
      const g = VICTIM_FIRST_GFN + i;
      const mfn = this.hv.memory.machineFrame(this.victim.domain, gfn(g), 'read');
      // A frame never written reads as zeros: nothing to compare unless it holds contents.
      if (mfn < 0 || !mem.isPopulated(mfn)) continue;
      for (let w = 0; w < 1024; w++) {
        const want = this.victim.written.get(g * 1024 + w) ?? 0;
        if (mem.readWord32(mfn, w) !== want)
          this.#check('victim/memory-is-its-own', false, `word ${w} of the victim's frame ${g} holds ${mem.readWord32(mfn, w)}, not ${want}`);
      }
    }
  }

  /** Scans the owner table and checks that frames are conserved. */
  #census(): void {
    const mem = this.hv.machine.memory;
    let owned = 0;
    for (let f = 0; f < mem.frames; f++) if (mem.ownerOf(f) !== NO_OWNER) owned++;
    this.#check('accounting/frames-are-conserved', owned + mem.freeFrames === mem.frames, `${owned} owned + ${mem.freeFrames} free ≠ ${mem.frames} frames`);
  }

  /** Up to 16 frames the hypervisor holds (its own tables), as targets the attacker names. */
  #firstHypervisorFrames(): number[] {
    const mem = this.hv.machine.memory;
    const out: number[] = [];
    // Hypervisor frames are allocated as domains are set up: the low frames hold them.
    for (let f = 0; f < Math.min(mem.frames, 4096) && out.length < 16; f++) if (mem.ownerOf(f) === HYPERVISOR_OWNER) out.push(f);
    return out;
  }

  #ownerOfMachine(mfn: number): number {
    const mem = this.hv.machine.memory;
    return Number.isInteger(mfn) && mfn >= 0 && mfn < mem.frames ? mem.ownerOf(mfn) : NO_OWNER;
  }

  /** The attacker's guest frame of `tables` behind a machine frame, or -1. */
  #gfnOf(mfn: number, tables: ReadonlyMap<number, number>): number {
    for (const g of tables.keys())
      if (
        Number.isInteger(g) &&
        g >= 0 &&
        g < this.hv.memory.frames(this.attacker) &&
        this.hv.memory.machineFrame(this.attacker, guestSuppliedGfn(g), 'read') === mfn
      )
        return g;
    return -1;
  }

  /** Resolves a frame the attacker names to the number it passes. */
  #frame(ref: FrameRef): number {
    if ('own' in ref) return ref.own;
    if ('raw' in ref) return ref.raw;
    if ('victimMachine' in ref) return this.#victimMfns[ref.victimMachine % Math.max(1, this.#victimMfns.length)] ?? ref.victimMachine;
    return this.#hypervisorMfns[ref.hypervisorMachine % Math.max(1, this.#hypervisorMfns.length)] ?? ref.hypervisorMachine;
  }

  #check(invariant: string, ok: boolean, detail: string): void {
    this.invariantsChecked++;
    if (!ok) throw new Breach(invariant, detail);
  }
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function finiteNonNegative(xs: ArrayLike<number>): boolean {
  for (let i = 0; i < xs.length; i++) if (!(xs[i]! >= 0 && xs[i]! < Infinity)) return false;
  return true;
}
