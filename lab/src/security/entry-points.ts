import type { Hypervisor } from '@visorkit/core';
import type { GuestKernel } from '@visorkit/guest';

/** What a guest can call into that it shares with other tenants, counted from the dispatch tables. */
export interface EntryPoints {
  /** System calls of a kernel shared with other tenants (0 when each tenant has its own kernel). */
  readonly sharedKernelCalls: number;
  /** Hypercalls any guest may make (the hypervisor's table, control-domain calls excluded). */
  readonly hypercalls: number;
  /** Distinct VM-exit reasons the platform raised while guests ran and were attacked. */
  readonly vmExits: number;
  readonly names: readonly string[];
}

/**
 * The entry points of `hv` reachable from a guest: a shared kernel's system-call table when
 * tenants share one kernel (their boundary is that kernel's interface), otherwise the
 * hypercalls in the platform's table that a guest may make and the VM exits it was seen to
 * raise (their boundary is the hypervisor's interface; each tenant's own kernel is inside its
 * own domain). Counted from the tables and the exits observed, never typed in.
 */
export function entryPoints(hv: Hypervisor, sharedKernel: GuestKernel | undefined, vmExitReasons: ReadonlySet<string>): EntryPoints {
  const hypercalls = hv.hypercalls.entries().filter((e) => e.privilege === 'any-guest');
  const calls = sharedKernel?.systemCallNames ?? [];
  return {
    sharedKernelCalls: calls.length,
    hypercalls: hypercalls.length,
    vmExits: vmExitReasons.size,
    names: [...calls.map((c) => `syscall:${c}`), ...hypercalls.map((h) => `hypercall:${h.name}`), ...[...vmExitReasons].sort().map((r) => `vm-exit:${r}`)],
  };
}
