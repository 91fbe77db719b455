import { ContainerModule, NetworkBackend, VcpuScheduler } from '@visorkit/core';
import { ContextNetwork } from './network/context-network.js';
import { ContextTokenBucketScheduler } from './scheduler/context-token-bucket-scheduler.js';

/** The vserver plugin's wiring: the context-aware scheduler and network stack. */
export function vserverModule(): ContainerModule {
  return new ContainerModule((o) => {
    o.bind(ContextTokenBucketScheduler).toSelf().inSingletonScope();
    o.bind(VcpuScheduler).toService(ContextTokenBucketScheduler);
    o.bind(ContextNetwork).toSelf().inSingletonScope();
    o.bind(NetworkBackend).toService(ContextNetwork);
  });
}
