import { NetworkSwitch, Simulator, createHypervisor, gfn, type Domain, type Hypervisor, type MachineProfile } from '@visorkit/core';
import { bootGuest, type BootOptions, type GuestKernel } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { webFiles, webServer, type PlatformSpec } from '@visorkit/workloads';
import { STATIC_FILE_BYTES, STATIC_FILE_PATH, staticWebClients, staticWebServer } from './workloads/apache-static.js';
import { MUNCH_SHARE, mmuncher, WriteRateProbe } from './workloads/mmuncher.js';
import { gamePlayers, gameServer, LatencyProbe } from './workloads/quake3.js';
import { ThroughputProbe, type ServiceProbe } from './workloads/service-probe.js';
import { ConformanceProbe, specwebClients } from './workloads/specweb99.js';

/**
 * The paper's workloads. Names are public interface.
 *
 * @public
 */
export type WorkloadName = 'apache-static' | 'specweb99' | 'quake3' | 'mmuncher';

const SERVER_ADDRESS = '10.0.0.1';
const CLIENTS_ADDRESS = '10.0.1.1';

/**
 * Sizes of a run: the paper's by default; tests shrink them.
 *
 * @public
 */
export interface WorkloadScale {
  /** The VM's memory, MiB. */
  readonly vmMiB: number;
  /** Clients (apache-static, specweb99) or players (quake3). */
  readonly clients: number;
}

/**
 * One of the paper's migration scenarios.
 *
 * @public
 */
export interface MigrationWorkload {
  readonly name: string;
  readonly description: string;
  /** The paper's sizes (§6). */
  readonly paper: WorkloadScale;
  /** How long the service runs before the migration starts, ns (caches warm, connections up). */
  readonly warmupNs: number;
  /** Width of the service time series' windows, ns. */
  readonly windowNs: number;
  /** Boots the server in `domain` and its clients on `clients`; returns what the users saw. */
  boot(server: Hypervisor, domain: Domain, clients: Hypervisor, scale: WorkloadScale, seed: number): { kernel: GuestKernel; probe: ServiceProbe };
}

function clientsOn(clients: Hypervisor, program: NonNullable<BootOptions['programs']>): void {
  bootGuest(clients, clients.createDomain({ name: 'clients', vcpus: clients.machine.pcpus.length, memoryMiB: 1024 }), {
    address: CLIENTS_ADDRESS,
    programs: program,
    run: Object.keys(program),
  });
}

/**
 * The four workloads of Clark et al. §6.3–6.5 as guest programs with clients on another machine.
 *
 * @public
 */
export const MIGRATION_WORKLOADS: readonly MigrationWorkload[] = [
  {
    name: 'apache-static',
    description: 'Apache serving one 512 KB file to 100 concurrent clients from an 800 MB VM',
    paper: { vmMiB: 800, clients: 100 },
    warmupNs: 2e9,
    windowNs: 500e6,
    boot(server, domain, clients, scale) {
      const probe = new ThroughputProbe();
      const kernel = bootGuest(server, domain, {
        address: SERVER_ADDRESS,
        programs: { '/usr/sbin/httpd': { program: staticWebServer(scale.clients) } },
        files: { [STATIC_FILE_PATH]: STATIC_FILE_BYTES },
        run: ['/usr/sbin/httpd'],
      });
      clientsOn(clients, { '/bin/load': { program: staticWebClients(SERVER_ADDRESS, scale.clients, probe) } });
      return { kernel, probe };
    },
  },
  {
    name: 'specweb99',
    description: 'a SPECweb99-like mix at 350 clients paced to 400 kbit/s each, from an 800 MB VM',
    paper: { vmMiB: 800, clients: 350 },
    warmupNs: 4e9,
    windowNs: 2e9,
    boot(server, domain, clients, scale) {
      const probe = new ConformanceProbe(scale.clients);
      const served = { requests: 0 };
      const kernel = bootGuest(server, domain, {
        address: SERVER_ADDRESS,
        programs: { '/usr/sbin/httpd': { program: webServer(served, { workers: 64, random: server.sim.random.fork('specweb99') }) } },
        files: webFiles(),
        run: ['/usr/sbin/httpd'],
      });
      clientsOn(clients, { '/bin/specweb': { program: specwebClients(SERVER_ADDRESS, scale.clients, probe) } });
      return { kernel, probe };
    },
  },
  {
    name: 'quake3',
    description: 'a Quake 3-like game server with 6 players (a snapshot to each every 50 ms) in a 64 MB VM',
    paper: { vmMiB: 64, clients: 6 },
    warmupNs: 1e9,
    windowNs: 100e6,
    boot(server, domain, clients, scale) {
      const probe = new LatencyProbe(() => server.sim.now);
      const kernel = bootGuest(server, domain, {
        address: SERVER_ADDRESS,
        programs: { '/usr/games/q3ded': { program: gameServer(scale.clients, probe, server.sim.random.fork('quake3')) } },
        run: ['/usr/games/q3ded'],
      });
      clientsOn(clients, { '/usr/games/players': { program: gamePlayers(SERVER_ADDRESS, scale.clients, probe) } });
      return { kernel, probe };
    },
  },
  {
    name: 'mmuncher',
    description: 'a program rewriting a 256 MB region of a 512 MB VM as fast as it can',
    paper: { vmMiB: 512, clients: 0 },
    warmupNs: 1e9,
    windowNs: 500e6,
    boot(server, domain, _clients, scale) {
      const probe = new WriteRateProbe();
      const regionBytes = Math.floor(scale.vmMiB * MUNCH_SHARE) * 1048576;
      const kernel = bootGuest(server, domain, {
        address: SERVER_ADDRESS,
        programs: { '/bin/mmuncher': { program: mmuncher(probe, server.profile.costs.pageZero, regionBytes) } },
        run: ['/bin/mmuncher'],
      });
      return { kernel, probe };
    },
  },
];

/**
 * Finds a workload by name (a typed error names the known ones).
 *
 * @public
 */
export function migrationWorkload(name: string): MigrationWorkload {
  const w = MIGRATION_WORKLOADS.find((x) => x.name === name);
  if (w === undefined) throw new RangeError(`unknown workload '${name}'; known: ${MIGRATION_WORKLOADS.map((x) => x.name).join(', ')}`);
  return w;
}

/**
 * Two servers of the platform and a clients' machine on one switch and one clock, a VM running the workload.
 *
 * @public
 */
export interface Testbed {
  readonly sim: Simulator;
  readonly source: Hypervisor;
  readonly target: Hypervisor;
  readonly clients: Hypervisor;
  readonly wire: NetworkSwitch;
  readonly domain: Domain;
  /** The source's control domain (Dom0), where the save tool runs. */
  readonly dom0: Domain;
  readonly kernel: GuestKernel;
  readonly probe: ServiceProbe;
}

/** Dom0's memory on the source, MiB (it runs the save tool). */
const DOM0_MIB = 128;

/** Cores of the clients' machine: the paper drove the servers from several client machines, so clients are never the bottleneck. */
const CLIENT_CORES = 4;

/**
 * Builds the testbed for `workload`: source and target servers of `platform` on `profile`, a
 * clients' machine (bare metal), one switch. The VM's memory is populated whole, as Xen builds
 * a domain with all of its reservation (and the first pre-copy round sends all of it).
 *
 * @public
 */
export function buildTestbed(platform: PlatformSpec, profile: MachineProfile, workload: MigrationWorkload, scale: WorkloadScale, seed: number): Testbed {
  const sim = new Simulator(seed);
  const source = platform.compose(profile, { seed, simulator: sim });
  const target = platform.compose(profile, { seed: seed + 1, simulator: sim });
  const clients = createHypervisor({
    machine: { ...profile, cpu: { ...profile.cpu, cores: CLIENT_CORES } },
    plugins: [nativePlugin],
    options: { simulator: sim, seed: seed + 2 },
  });
  const wire = new NetworkSwitch();
  for (const hv of [source, target, clients]) wire.connect(hv);
  const dom0 = source.createDomain({ name: 'dom0', memoryMiB: DOM0_MIB }, 'control');
  const domain = source.createDomain({ name: workload.name, memoryMiB: scale.vmMiB });
  const v = domain.vcpus[0]!;
  const frames = source.memory.frames(domain);
  for (let g = 0; g < frames; g++) source.memory.zeroFrame(v, gfn(g));
  const { kernel, probe } = workload.boot(source, domain, clients, scale, seed);
  return { sim, source, target, clients, wire, domain, dom0, kernel, probe };
}
