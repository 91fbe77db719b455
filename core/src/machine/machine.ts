import { PcpuAccount } from '../accounting/pcpu-account.js';
import { PAGING_GEOMETRY, type PagingGeometry } from '../memory/paging.js';
import { Tlb } from '../memory/tlb.js';
import { MachineRecorder, type RecorderOptions } from '../recorder/machine-recorder.js';
import type { Simulator } from '../sim/simulator.js';
import { Disk } from './disk.js';
import { Link } from './link.js';
import type { MachineProfile } from './machine-profile.js';
import { PhysicalMemory } from './physical-memory.js';

/**
 * Options that size a machine beyond its profile.
 *
 * @public
 */
export interface MachineOptions {
  /** Override the profile's RAM (MiB), e.g. to fit 1,000 domains. */
  readonly memoryMiB?: number;
  /** Override the number of pCPUs. */
  readonly cores?: number;
  /** Number of disks (default 1). */
  readonly disks?: number;
}

/**
 * A physical CPU: its TLB and its accounts.
 *
 * @public
 */
export class Pcpu {
  /** The TLB of this CPU (geometry from the profile). */
  readonly tlb: Tlb;
  readonly account = new PcpuAccount();
  constructor(
    readonly index: number,
    profile: MachineProfile,
  ) {
    this.tlb = new Tlb(profile.tlb.entries, profile.tlb.ways, index);
  }
}

/**
 * The simulated hardware, built from a profile: pCPUs with TLBs, RAM frames, disks, a NIC
 * transmit link and a link to the outside world (clients, a migration peer).
 *
 * @public
 */
export class Machine {
  readonly pcpus: Pcpu[];
  readonly memory: PhysicalMemory;
  readonly disks: Disk[];
  /** Transmit side of the NIC (the wire out of this machine). */
  readonly nicLink: Link;
  /** Page-table geometry of this machine's processors. */
  readonly geometry: PagingGeometry;
  /** Nanoseconds per cycle. */
  readonly nsPerCycle: number;

  constructor(
    readonly profile: MachineProfile,
    readonly sim: Simulator,
    options: MachineOptions = {},
  ) {
    const cores = options.cores ?? profile.cpu.cores;
    this.pcpus = Array.from({ length: cores }, (_, i) => new Pcpu(i, profile));
    this.memory = new PhysicalMemory(Math.floor(((options.memoryMiB ?? profile.memory.sizeMiB) * 1024 * 1024) / 4096));
    this.disks = Array.from({ length: options.disks ?? 1 }, () => new Disk(profile.disk, sim));
    this.nicLink = new Link(profile.nic.gbps, profile.link.latencyUs * 1000, sim);
    this.geometry = PAGING_GEOMETRY[profile.memory.pageTableFormat];
    this.nsPerCycle = 1 / profile.cpu.clockGhz;
  }

  /** The recorder installed by {@link record}, if any. */
  get recorder(): MachineRecorder | undefined {
    return this.#recorder;
  }
  #recorder: MachineRecorder | undefined;

  /**
   * Starts recording what this machine really does (frames touched, TLB contents, bursts,
   * disk transfers, wire crossings, alarms) and returns the recorder; calling again returns
   * the one already installed. Until this is called every hook is one `undefined` check.
   */
  record(options?: RecorderOptions): MachineRecorder {
    if (this.#recorder !== undefined) return this.#recorder;
    const recorder = new MachineRecorder(this.sim, this.memory, options);
    this.#recorder = recorder;
    this.memory.recorder = recorder;
    for (const p of this.pcpus) p.tlb.recorder = recorder;
    for (const d of this.disks) d.recorder = recorder;
    return recorder;
  }

  /** Stops recording (the recorder keeps what it has). */
  stopRecording(): void {
    this.#recorder = undefined;
    this.memory.recorder = undefined;
    for (const p of this.pcpus) p.tlb.recorder = undefined;
    for (const d of this.disks) d.recorder = undefined;
  }

  /** Converts cycles of this machine to nanoseconds. */
  cyclesToNs(cycles: number): number {
    return cycles * this.nsPerCycle;
  }

  /** Converts nanoseconds to cycles of this machine. */
  nsToCycles(ns: number): number {
    return ns * this.profile.cpu.clockGhz;
  }
}
