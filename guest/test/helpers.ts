import 'reflect-metadata';
import { createHypervisor, server2007, type Domain, type Hypervisor, type MachineProfile } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { bootGuest, crashDetail, type GuestKernel, type Program } from '../src/index.js';

/** What a test program can reach while it runs. */
export interface GuestEnv {
  readonly hv: Hypervisor;
  readonly domain: Domain;
  kernel: GuestKernel;
}

/**
 * Boots a guest on native with `main(env)` as /bin/main and runs until every process exited.
 * A process that crashed (its program threw) fails the run, unless `expectCrashes`: a test
 * whose checks live inside the guest program cannot pass by its program dying early.
 */
export function runGuest(
  main: (env: GuestEnv) => Program,
  profile: MachineProfile = server2007,
  seed = 1,
  options: { readonly expectCrashes?: boolean } = {},
): GuestEnv {
  const hv = createHypervisor({ machine: profile, plugins: [nativePlugin], options: { cores: 1, seed } });
  const domain = hv.createDomain({ name: 'guest', memoryMiB: 128 });
  const env = { hv, domain } as GuestEnv;
  env.kernel = bootGuest(hv, domain, {
    programs: { '/bin/main': { program: main(env) } },
    files: { '/etc/motd': 1000, '/data/file': 1 << 20 },
    run: ['/bin/main'],
  });
  hv.runWhile(() => !env.kernel.idle && domain.state === 'running');
  if (options.expectCrashes !== true) assertNoCrashes(env.kernel);
  return env;
}

/** Throws, naming each, if any process of `kernel` crashed. */
export function assertNoCrashes(kernel: GuestKernel): void {
  if (kernel.crashCount === 0) return;
  const list = kernel.crashes.map((c) => `pid ${c.pid} (${c.program}) at ${c.time} ns: ${crashDetail(c.reason)}`).join('; ');
  throw new Error(`${kernel.crashCount} guest process(es) crashed unexpectedly: ${list}`);
}
