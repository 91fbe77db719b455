import {
  BlockBackend,
  ContainerModule,
  CpuVirtualization,
  DeviceAssignment,
  DirtyLogging,
  GuestPhysicalMap,
  GuestPhysicalMapToken,
  Machine,
  MemoryVirtualization,
  NetworkBackend,
  PostCopyPaging,
  ProportionalShareScheduler,
  SimulatedTimeKeeping,
  TimeKeeping,
  VcpuScheduler,
} from '@visorkit/core';
import { HvmMemory } from './memory/hvm-memory.js';
import { HvmCpu } from './cpu/hvm-cpu.js';
import { HwAssistOptions } from './hw-assist-options.js';
import { HvmBlock } from './io/hvm-block.js';
import { HvmNetwork } from './io/hvm-network.js';
import { NestedPagingMemory } from './memory/nested-paging-memory.js';
import { ShadowPagingMemory } from './memory/shadow-paging-memory.js';

/**
 * The hw-assist plugin's wiring: the paging option picks the memory model.
 *
 * @public
 */
export function hwAssistModule(options: HwAssistOptions): ContainerModule {
  return new ContainerModule((o) => {
    o.bind(HwAssistOptions).toConstantValue(options);
    // Large host pages populate in 2 MiB chunks (so one EPT entry maps each).
    o.bind(GuestPhysicalMapToken)
      .toDynamicValue((c) => new GuestPhysicalMap(c.get<Machine>(Machine).memory, options.paging === 'ept' && options.largePages))
      .inSingletonScope();
    if (options.paging === 'ept') {
      o.bind(NestedPagingMemory).toSelf().inSingletonScope();
      o.bind(HvmMemory).toService(NestedPagingMemory);
    } else {
      o.bind(ShadowPagingMemory).toSelf().inSingletonScope();
      o.bind(HvmMemory).toService(ShadowPagingMemory);
    }
    // Plugin-internal parts (CPU, I/O) reach the memory model by its class; the points go to it too.
    o.bind(MemoryVirtualization).toService(HvmMemory);
    o.bind(DirtyLogging).toService(HvmMemory);
    o.bind(PostCopyPaging).toService(HvmMemory);
    o.bind(HvmCpu).toSelf().inSingletonScope();
    o.bind(CpuVirtualization).toService(HvmCpu);
    // vCPUs are host threads: the host kernel's proportional-share scheduler runs them (as KVM
    // vCPUs run under Linux CFS), with its defaults.
    o.bind(VcpuScheduler).to(ProportionalShareScheduler).inSingletonScope();
    // The TSC runs natively with an offset, so reading time costs what it costs on bare
    // metal; alarms are the host's timers: the reference behaviour.
    o.bind(TimeKeeping).to(SimulatedTimeKeeping).inSingletonScope();
    o.bind(HvmNetwork).toSelf().inSingletonScope();
    o.bind(NetworkBackend).toService(HvmNetwork);
    // The VFs and their IOMMU: with io 'virtio' nothing is assigned, but a device could be.
    o.bind(DeviceAssignment).toService(HvmNetwork);
    o.bind(HvmBlock).toSelf().inSingletonScope();
    o.bind(BlockBackend).toService(HvmBlock);
  });
}
