import { CheckpointCorruptError, pathLengths, type Domain, type Hypervisor, type ProgramRegistry } from '@visorkit/core';
import { GUEST_FITTED } from '../calibration.js';
import type { ExecutableImage } from '../fs/file-system.js';
import type { Program } from '../program/program.js';
import { DYNAMIC_LINKER_WORK, LD_SO_CACHE_PATH, LD_SO_PATH } from './dynamic-linker.js';
import { GUEST_KERNEL_PROGRAM, GuestKernel, type GuestKernelOptions } from './guest-kernel.js';

/**
 * The shared C library every standard program links: 1.2 MiB of text, 32 KiB of data.
 *
 * @public
 */
export const LIBC: ExecutableImage = { program: function* () {}, textPages: 300, dataPages: 8, bssPages: 0, libraries: [] };

/**
 * The dynamic linker (glibc 2.3.6's ld-2.3.6.so, about 90 KiB of text and a page of data),
 * which the kernel maps beside every dynamically linked program and which runs first.
 *
 * @public
 */
export const LD_SO: ExecutableImage = { program: function* () {}, textPages: 23, dataPages: 1, bssPages: 0, libraries: [] };

/** What a dynamically linked program of the standard image links: the interpreter, then libc. */
const DYNAMIC = [LD_SO_PATH, '/lib/libc.so'];

/**
 * A small dynamically linked program that exits at once (lmbench's `hello`).
 *
 * @public
 */
export const HELLO: ExecutableImage = {
  program: function* () {
    return 0;
  },
  textPages: 4,
  dataPages: 1,
  bssPages: 1,
  libraries: DYNAMIC,
};

/**
 * What `sh -c cmd` does before it execs the command, as counted work (bash 3.1 on a Linux 2.6
 * distribution of 2006-07): ld.so resolves its dynamic relocations against libc, the shell
 * installs its signal handlers and searches PATH for the command.
 *
 * @public
 */
export const SHELL_WORK = pathLengths('@visorkit/guest', {
  shellRelocations: {
    value: 1100,
    unit: 'relocations',
    source:
      "bash 3.1's dynamic symbol relocations (R_386_JUMP_SLOT and R_386_GLOB_DAT against libc) as readelf -r lists them for a distribution build, about 1,100; estimated, not measured here",
  },
  shellSignals: {
    value: 14,
    unit: 'system calls',
    source:
      "bash's initialize_signals / initialize_terminating_signals: the rt_sigaction calls an `sh -c` start-up makes (strace of bash 3 shows about a dozen to fifteen)",
  },
});

/** PATH as a login shell of the era sets it: the shell tries each directory in turn. */
const SHELL_PATH_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'];

/** Signals bash installs handlers for at start-up (never SIGKILL or SIGSTOP, which take none). */
const SHELL_SIGNALS = [1, 2, 3, 15, 17, 13, 20, 21, 22, 18, 24, 25, 26, 28, 10, 12];

/**
 * /bin/sh: starts up (relocations, signal handlers), searches PATH, then execs `/bin/hello` (what `sh -c hello` does).
 *
 * @public
 */
export const SHELL: ExecutableImage = {
  program: function* (sys) {
    const work = SHELL_WORK.value;
    yield* sys.compute(work.shellRelocations * GUEST_FITTED.value.symbolLookup);
    for (let i = 0; i < work.shellSignals; i++) yield* sys.sigaction(SHELL_SIGNALS[i % SHELL_SIGNALS.length]!, function* () {});
    for (const dir of SHELL_PATH_DIRS) if ((yield* sys.stat(`${dir}/hello`)) >= 0) break;
    yield* sys.exec('/bin/hello');
    return 127;
  },
  textPages: 170,
  dataPages: 10,
  bssPages: 6,
  libraries: DYNAMIC,
};

/**
 * What {@link bootGuest} takes.
 *
 * @public
 */
export interface BootOptions extends GuestKernelOptions {
  /** Extra executables to install: path → program and, optionally, its size. */
  readonly programs?: Readonly<Record<string, { program: Program; textPages?: number; dataPages?: number; bssPages?: number }>>;
  /** Data files: path → bytes. */
  readonly files?: Readonly<Record<string, number>>;
  /** Programs to start at boot (paths). */
  readonly run?: readonly string[];
}

/**
 * Boots the guest kernel on `domain`: installs the standard image (libc, /bin/sh,
 * /bin/hello, /dev/null) plus `programs` and `files`, spawns `run`, and starts the domain.
 *
 * @public
 */
export function bootGuest(hv: Hypervisor, domain: Domain, options: BootOptions = {}): GuestKernel {
  const kernel = new GuestKernel(hv, domain, options);
  kernel.install('/lib/libc.so', LIBC);
  kernel.install(LD_SO_PATH, LD_SO);
  kernel.fs.create(LD_SO_CACHE_PATH, DYNAMIC_LINKER_WORK.value.ldSoCacheBytes);
  kernel.install('/bin/hello', HELLO);
  kernel.install('/bin/sh', SHELL);
  for (const [path, p] of Object.entries(options.programs ?? {})) {
    kernel.install(path, {
      program: p.program,
      textPages: p.textPages ?? 16,
      dataPages: p.dataPages ?? 4,
      bssPages: p.bssPages ?? 8,
      libraries: DYNAMIC,
    });
  }
  for (const [path, bytes] of Object.entries(options.files ?? {})) kernel.fs.create(path, bytes);
  for (const path of options.run ?? []) kernel.spawn(path);
  hv.start(domain, (v) => kernel.programFor(v));
  return kernel;
}

/**
 * Rebuilds checkpointed guest kernels (see {@link guestKernelRestorer}).
 *
 * @public
 */
export interface GuestKernelRestorer {
  /** Pass to `restoreDomain` (merge it with other kinds' entries if the file holds those). */
  readonly registry: ProgramRegistry;
  /** The kernel restored on `domain`, once `restoreDomain` has returned it. */
  kernelOf(domain: Domain): GuestKernel | undefined;
}

/**
 * What `restoreDomain` needs to bring back a guest kernel checkpointed with
 * `checkpointDomain` (booted with `checkpointable: true`): the programs it had installed, by
 * path, as {@link bootGuest} took them — the standard image (libc, /bin/sh, /bin/hello) is
 * known already. The kernel's processes resume by replaying their logs into those programs.
 *
 * ```ts
 * const restorer = guestKernelRestorer(programs);
 * const d = restoreDomain(hv, file, restorer.registry);
 * hv.start(d);
 * ```
 *
 * @public
 */
export function guestKernelRestorer(programs: BootOptions['programs'] = {}): GuestKernelRestorer {
  const standard: Record<string, Program> = {
    '/lib/libc.so': LIBC.program,
    [LD_SO_PATH]: LD_SO.program,
    '/bin/hello': HELLO.program,
    '/bin/sh': SHELL.program,
  };
  const programOf = (path: string): Program | undefined => programs[path]?.program ?? standard[path];
  const kernels = new WeakMap<Domain, GuestKernel>();
  return {
    registry: {
      [GUEST_KERNEL_PROGRAM]: (state, hv, domain) => {
        const other = (state as { vcpu?: unknown } | null)?.vcpu;
        if (typeof other === 'number') {
          const kernel = kernels.get(domain);
          const vcpu = domain.vcpus[other];
          if (kernel === undefined || vcpu === undefined) throw new CheckpointCorruptError(`its vCPU ${other} refers to a guest kernel it does not hold`);
          return kernel.programFor(vcpu);
        }
        const kernel = GuestKernel.restore(hv, domain, state, programOf);
        kernels.set(domain, kernel);
        return kernel.programFor(domain.vcpus[0]!);
      },
    },
    kernelOf: (domain) => kernels.get(domain),
  };
}
