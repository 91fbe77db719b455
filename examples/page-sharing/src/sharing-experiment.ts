import { GuestPhysicalMapToken, type Hypervisor } from '@visorkit/core';
import { bootGuest, type Program, type Sys } from '@visorkit/guest';
import {
  ETCH_SERVER_PACKAGES,
  ETCH_SERVER_STATE,
  composeFor,
  installServer,
  type Experiment,
  type ExperimentContext,
  type PlatformSpec,
  type ResultRow,
} from '@visorkit/workloads';
import { PageScannerService } from './page-scanner.js';

/** Servers on the machine: the ten of the container paper's sharing comparison. */
const SERVERS = 10;
/** Memory of each VM, and of the one container host per server. */
const MEMORY_MIB_PER_SERVER = 192;
const MIB = 1 << 20;

/**
 * The packages whose files a running server has read in: the daemons it starts (web server
 * with PHP, database, mail, SSH, cron, logging), the libraries they link, and the shell and
 * tools of the init scripts — from the same Debian etch manifest the server is installed from
 * (`ETCH_SERVER_PACKAGES`). Each is read whole: an upper bound of what their start-up maps.
 */
const RUNNING = new Set([
  'libc6',
  'bash',
  'coreutils',
  'sysvinit',
  'initscripts',
  'apache2.2-common',
  'apache2-mpm-prefork',
  'libapr1',
  'libaprutil1',
  'libapache2-mod-php5',
  'php5-common',
  'php5-mysql',
  'libpcre3',
  'mysql-server-5.0',
  'mysql-common',
  'libmysqlclient15off',
  'postfix',
  'openssh-server',
  'cron',
  'sysklogd',
  'klogd',
  'libssl0.9.8',
  'zlib1g',
  'libdb4.4',
  'libstdc++6',
  'libgcc1',
  'libpam-modules',
  'libpam0g',
  'libpam-runtime',
  'libwrap0',
  'libselinux1',
  'libsepol1',
  'libncurses5',
  'libxml2',
  'libsasl2-2',
]);

/** Every file a running server under `root` has read: its daemons' packages and its state. */
function runningFiles(root: string): string[] {
  const files: string[] = [];
  for (const [name, , count] of ETCH_SERVER_PACKAGES) if (RUNNING.has(name)) for (let i = 0; i < count; i++) files.push(`${root}/pkg/${name}/${i}`);
  for (const f of ETCH_SERVER_STATE) files.push(`${root}${f.path}`);
  return files;
}

/** A server starting: it reads every file it runs from (into the page cache), then exits. */
function serverStart(root: string, started: () => void): Program {
  return function* (sys: Sys) {
    for (const path of runningFiles(root)) {
      const fd = yield* sys.open(path);
      if (fd < 0) continue;
      while ((yield* sys.read(fd, 1 << 20)) > 0);
      yield* sys.close(fd);
    }
    started();
    return 0;
  };
}

/** Machine frames backing guest memory: every populated guest frame, a shared frame counted once. */
function machineFrames(hv: Hypervisor): number {
  let frames = 0;
  for (const d of hv.domains.all()) frames += hv.service(GuestPhysicalMapToken)?.populated(d).length ?? 0;
  return frames - (hv.service(GuestPhysicalMapToken)?.framesSaved ?? 0);
}

/** Ten similar VMs, each with its own kernel and its own copy of the server image; the scanner then merges what is identical. */
function tenVms(ctx: ExperimentContext, platform: PlatformSpec): ResultRow[] {
  const hv = composeFor(ctx, platform);
  let started = 0;
  for (let s = 0; s < SERVERS; s++) {
    const d = hv.createDomain({ name: `vm${s}`, memoryMiB: MEMORY_MIB_PER_SERVER });
    const kernel = bootGuest(hv, d, { programs: { '/sbin/server': { program: serverStart('', () => started++) } }, run: ['/sbin/server'] });
    installServer(kernel, '');
  }
  hv.runWhile(() => started < SERVERS);
  const before = machineFrames(hv);
  // The scanner at its own pace for one pass over every guest frame, while the servers idle.
  const scanner = hv.service(PageScannerService);
  const pass = hv.domains.all().reduce((n, d) => n + hv.memory.frames(d), 0);
  const periods = Math.ceil(pass / (scanner?.options.pagesPerScan ?? 1)) + 1;
  const passNs = periods * (scanner?.options.scanPeriodMs ?? 0) * 1e6;
  hv.runFor(passNs);
  const after = machineFrames(hv);
  const stats = scanner?.stats ?? { scanned: 0, compared: 0, merged: 0, wakeUps: 0, cpuNs: 0 };
  const counts = {
    'pages-scanned': stats.scanned,
    'pages-compared': stats.compared,
    'pages-merged': stats.merged,
    'scanner-wake-ups': stats.wakeUps,
    ...hv.counts(),
  };
  return rowsFor(platform.name, before, after, counts, [
    // The scanner's work, charged to the pCPUs it ran on (host work takes a pCPU from the guests).
    { metric: 'scanner-cpu-ms', value: stats.cpuNs / 1e6, unit: 'ms' },
    { metric: 'scanner-pcpu-percent', value: passNs === 0 ? 0 : (100 * stats.cpuNs) / passNs, unit: '%' },
  ]);
}

/** Ten servers as contexts of one kernel: installed `unified` (hard-linked, copy on write) or each with its own files. */
function containerFrames(ctx: ExperimentContext, platform: PlatformSpec, unified: boolean): { frames: number; counts: Record<string, number> } {
  const hv = composeFor(ctx, platform);
  const host = hv.createDomain({ name: 'host', memoryMiB: MEMORY_MIB_PER_SERVER * SERVERS });
  let started = 0;
  const programs: Record<string, { program: Program }> = {};
  for (let s = 0; s < SERVERS; s++) programs[`/sbin/server${s}`] = { program: serverStart(`/vservers/s${s}`, () => started++) };
  const kernel = bootGuest(hv, host, { programs });
  for (let s = 0; s < SERVERS; s++) installServer(kernel, `/vservers/s${s}`, unified && s > 0 ? '/vservers/s0' : undefined);
  for (let s = 0; s < SERVERS; s++) kernel.spawn(`/sbin/server${s}`, s + 1);
  hv.runWhile(() => started < SERVERS);
  return { frames: machineFrames(hv), counts: hv.counts() };
}

function rowsFor(
  platform: string,
  without: number,
  withSharing: number,
  counts: Record<string, number>,
  extra: readonly { metric: string; value: number; unit: string }[] = [],
): ResultRow[] {
  const mib = (frames: number): number => (frames * 4096) / MIB;
  return [
    { platform, metric: 'memory-mib-without-sharing', value: mib(without), unit: 'MiB', counts },
    { platform, metric: 'memory-mib-with-sharing', value: mib(withSharing), unit: 'MiB', counts },
    { platform, metric: 'memory-saved-mib', value: mib(without - withSharing), unit: 'MiB', counts },
    { platform, metric: 'memory-saved-percent', value: without === 0 ? 0 : (100 * (without - withSharing)) / without, unit: '%', counts },
    ...extra.map((e) => ({ platform, ...e, counts })),
  ];
}

/**
 * Memory saved for ten similar servers: ten VMs whose identical pages a content-based sharing
 * scanner merges (each VM has its own kernel and its own copy of the image, so identical file
 * pages are identical by content, found by scanning), beside ten containers of one kernel
 * whose unified files are one inode, so one page-cache page, from the start. The server is
 * the Debian etch server of the container paper's sharing comparison; what it reads is the
 * packages of the daemons it runs. Every figure is counted frames.
 *
 * @public
 */
export const pageSharingExperiment: Experiment = {
  id: 'sharing',
  title: 'Page sharing: ten similar VMs beside ten unified containers',
  description: 'Machine memory of ten running servers without and with sharing: content-based page sharing of VMs against VServer unification.',
  sweepAllProfiles: false,
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      if (platform.isolation === 'contexts') {
        const separate = containerFrames(ctx, platform, false);
        const unified = containerFrames(ctx, platform, true);
        rows.push(...rowsFor(platform.name, separate.frames, unified.frames, unified.counts));
      } else rows.push(...tenVms(ctx, platform));
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
