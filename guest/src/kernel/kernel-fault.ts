import { FailureScope, type Domain, type Hypervisor } from '@visorkit/core';

/**
 * A fault in `domain`'s kernel (a driver's NULL dereference, say). With a kernel per domain
 * only that domain crashes; where the composition puts domains on one kernel — it binds a
 * {@link FailureScope}, as bare metal and container platforms do — every domain in the scope
 * goes down with it. Returns the domains crashed.
 *
 * @public
 */
export function kernelFault(hv: Hypervisor, domain: Domain, reason: string): Domain[] {
  const scope = hv.service(FailureScope)?.failingWith(domain) ?? [domain];
  const victims = scope.filter((d) => d.state === 'running' || d.state === 'paused' || d.state === 'created');
  for (const d of victims) hv.crash(d, d === domain ? reason : `shared kernel fault in '${domain.name}': ${reason}`);
  return victims;
}
