import { ContainerModule, Machine, NetworkBackend, VcpuScheduler } from '@visorkit/core';
import { ContainerPolicy } from '@visorkit/guest';
import { VserverContexts } from './guest/vserver-contexts.js';
import { ContextNetwork } from './network/context-network.js';
import { ContextTokenBucketScheduler } from './scheduler/context-token-bucket-scheduler.js';

/**
 * The vserver plugin's wiring: the context-aware scheduler and network stack, and one context
 * table that every guest kernel on the hypervisor (the shared kernel) consults.
 *
 * @public
 */
export function vserverModule(): ContainerModule {
  return new ContainerModule((o) => {
    o.bind(ContextTokenBucketScheduler).toSelf().inSingletonScope();
    o.bind(VcpuScheduler).toService(ContextTokenBucketScheduler);
    o.bind(ContextNetwork).toSelf().inSingletonScope();
    o.bind(NetworkBackend).toService(ContextNetwork);
    o.bind(ContainerPolicy)
      .toDynamicValue((context) => new VserverContexts(context.get<Machine>(Machine).profile))
      .inSingletonScope();
  });
}
