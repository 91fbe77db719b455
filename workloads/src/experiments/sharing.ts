import { bootGuest, type Program, type Sys } from '@visorkit/guest';
import { composeFor, type Experiment, type ExperimentContext, type PlatformSpec, type ResultRow } from '../experiment/experiment.js';
import { installServer } from '../programs/server-image.js';

const MB = 1 << 20;
/** What a booting kernel reads from its disk before init: the kernel image and the initrd. */
const KERNEL_AND_INITRD_PAGES = (12 * MB) / 4096;
/** Instructions the kernel spends initialising each page frame of its memory (mem_map, zones). */
const INIT_INSTRUCTIONS_PER_FRAME = 120;
/** Instructions of the rest of kernel initialisation (devices, subsystems, mounting root). */
const KERNEL_INIT_INSTRUCTIONS = 40_000_000;

/** Storage of `servers` servers in one kernel's file system, unified or not, in MB. */
function storageMb(ctx: ExperimentContext, platform: PlatformSpec, servers: number, unified: boolean): { mb: number; counts: Record<string, number> } {
  const hv = composeFor(ctx, platform);
  const d = hv.createDomain({ name: 'host', memoryMiB: 256 });
  const kernel = bootGuest(hv, d);
  for (let s = 0; s < servers; s++) installServer(kernel, `/vservers/s${s}`, unified && s > 0 ? '/vservers/s0' : undefined);
  return { mb: (kernel.fs.blocks * 4096) / MB, counts: { 'disk-blocks': kernel.fs.blocks } };
}

/** Time from starting an instance until its server's init runs, in ms. */
function startupMs(ctx: ExperimentContext, platform: PlatformSpec): { ms: number; counts: Record<string, number> } {
  const hv = composeFor(ctx, platform);
  let startedAt = -1;
  const server: Program = function* (sys: Sys) {
    startedAt = yield* sys.now();
    return 0;
  };
  if (platform.isolation === 'contexts') {
    // A container starts on the running kernel: a new context and its init, nothing to boot.
    const host = hv.createDomain({ name: 'host', memoryMiB: 256 });
    const kernel = bootGuest(hv, host, { programs: { '/sbin/init': { program: server } } });
    hv.runFor(1e6);
    const t0 = hv.now;
    kernel.spawn('/sbin/init');
    hv.runWhile(() => startedAt < 0);
    return { ms: (startedAt - t0) / 1e6, counts: hv.counts() };
  }
  // A VM boots a kernel: it reads its image and initrd from its virtual disk, initialises its
  // memory and devices, then runs init.
  const vm = hv.createDomain({ name: 'vm', memoryMiB: 256 });
  const frames = hv.memory.frames(vm);
  const boot: Program = function* (sys: Sys) {
    yield* sys.readBlocks(KERNEL_AND_INITRD_PAGES);
    yield* sys.compute((frames * INIT_INSTRUCTIONS_PER_FRAME + KERNEL_INIT_INSTRUCTIONS) * hv.profile.cpu.kernelCpi);
    yield* sys.exec('/sbin/init');
    return 1;
  };
  const t0 = hv.now;
  bootGuest(hv, vm, { programs: { '/boot/vmlinuz': { program: boot }, '/sbin/init': { program: server } }, run: ['/boot/vmlinuz'] });
  hv.runWhile(() => startedAt < 0);
  return { ms: (startedAt - t0) / 1e6, counts: hv.counts() };
}

/**
 * The container paper's sharing results: a server image's storage for 1 and 10 servers,
 * without and with unification (hard-linked, immutable, copy-on-write system files shared by
 * contexts of one kernel — VMs, each with its own kernel and disk, cannot share them), and
 * the start-up time of a container against a VM's boot. Every figure is counted: blocks of
 * distinct inodes, disk service times, kernel initialisation paths.
 *
 * @public
 */
export const sharing: Experiment = {
  id: 'sharing',
  title: 'Sharing: unified images and start-up time',
  description: 'Storage for 1 and 10 servers with and without unification; container start-up against a VM boot.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      if (platform.isolation === 'processes') continue;
      const one = storageMb(ctx, platform, 1, false);
      const ten = storageMb(ctx, platform, 10, false);
      // Unification needs one kernel under all servers; VMs each have their own.
      const unified = platform.isolation === 'contexts' ? storageMb(ctx, platform, 10, true) : ten;
      rows.push({ platform: platform.name, metric: 'memory-mb-1', value: one.mb, unit: 'MB', counts: one.counts });
      rows.push({ platform: platform.name, metric: 'memory-mb-10', value: ten.mb, unit: 'MB', counts: ten.counts });
      rows.push({ platform: platform.name, metric: 'memory-mb-10-unified', value: unified.mb, unit: 'MB', counts: unified.counts });
      const start = startupMs(ctx, platform);
      rows.push({ platform: platform.name, metric: 'startup-ms', value: start.ms, unit: 'ms', counts: start.counts });
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
