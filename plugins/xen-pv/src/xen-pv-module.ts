import {
  BlockBackend,
  ContainerModule,
  CpuVirtualization,
  Machine,
  DirtyLogging,
  GuestPhysicalMap,
  GuestPhysicalMapToken,
  MemoryBalloon,
  MemoryVirtualization,
  PostCopyPaging,
  NetworkBackend,
  SimulatedTimeKeeping,
  TimeKeeping,
  VcpuScheduler,
} from '@visorkit/core';
import { XenControl, XenControlService } from './control/xen-control.js';
import { XenPvCpu } from './cpu/xen-pv-cpu.js';
import { XenIoOptions } from './io/xen-io-options.js';
import { XenSplitBlock } from './io/xen-split-block.js';
import { XenSplitNetwork } from './io/xen-split-network.js';
import { XenPvMemory } from './memory/xen-pv-memory.js';
import { BvtScheduler, CreditScheduler } from './scheduler/xen-schedulers.js';
import { XenPvOptions } from './xen-pv-options.js';

/**
 * The xen-pv plugin's wiring.
 *
 * @public
 */
export function xenPvModule(options: XenPvOptions): ContainerModule {
  return new ContainerModule((o) => {
    o.bind(XenPvOptions).toConstantValue(options);
    o.bind(XenIoOptions).toConstantValue({ receive: options.receive, backend: options.backend, ringSize: 256 });
    o.bind(GuestPhysicalMapToken)
      .toDynamicValue((c) => new GuestPhysicalMap(c.get<Machine>(Machine).memory))
      .inSingletonScope();
    o.bind(XenPvMemory).toSelf().inSingletonScope();
    o.bind(MemoryVirtualization).toService(XenPvMemory);
    o.bind(DirtyLogging).toService(XenPvMemory);
    o.bind(PostCopyPaging).toService(XenPvMemory);
    o.bind(MemoryBalloon).toService(XenPvMemory);
    o.bind(XenPvCpu).toSelf().inSingletonScope();
    o.bind(CpuVirtualization).toService(XenPvCpu);
    if (options.scheduler === 'bvt') {
      o.bind(BvtScheduler).toSelf().inSingletonScope();
      o.bind(VcpuScheduler).toService(BvtScheduler);
    } else {
      o.bind(CreditScheduler).toSelf().inSingletonScope();
      o.bind(VcpuScheduler).toService(CreditScheduler);
    }
    // Xen's time (Xen paper §3.3.3): real time since boot, per-domain virtual time, wall-clock
    // time kept in each domain's shared-info page, and a real and a virtual alarm per domain —
    // the reference behaviour.
    o.bind(TimeKeeping).to(SimulatedTimeKeeping).inSingletonScope();
    o.bind(XenSplitNetwork).toSelf().inSingletonScope();
    o.bind(NetworkBackend).toService(XenSplitNetwork);
    o.bind(XenSplitBlock).toSelf().inSingletonScope();
    o.bind(BlockBackend).toService(XenSplitBlock);
    o.bind(XenControl).toSelf().inSingletonScope();
    o.bind(XenControlService).toService(XenControl);
  });
}
