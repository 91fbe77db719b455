import {
  BlockBackend,
  GuestPhysicalMap,
  GuestPhysicalMapToken,
  KernelNetwork,
  Machine,
  ContainerModule,
  CpuVirtualization,
  FailureScope,
  MemoryVirtualization,
  NetworkBackend,
  SimulatedTimeKeeping,
  TimeKeeping,
  VcpuScheduler,
} from '@visorkit/core';
import { NativeBlock } from './block/native-block.js';
import { NativeCpu } from './cpu/native-cpu.js';
import { OneKernelFailureScope } from './cpu/one-kernel-failure-scope.js';
import { NativeMemory } from './memory/native-memory.js';
import { NativeOptions } from './native-options.js';
import { CfsScheduler } from './scheduler/cfs-scheduler.js';

/**
 * The native plugin's wiring: each implementation once, each token pointed at it.
 *
 * @public
 */
export function nativeModule(options: NativeOptions): ContainerModule {
  return new ContainerModule((o) => {
    o.bind(NativeOptions).toConstantValue(options);
    o.bind(GuestPhysicalMapToken)
      .toDynamicValue((c) => new GuestPhysicalMap(c.get<Machine>(Machine).memory))
      .inSingletonScope();
    o.bind(NativeMemory).toSelf().inSingletonScope();
    o.bind(MemoryVirtualization).toService(NativeMemory);
    o.bind(NativeCpu).toSelf().inSingletonScope();
    o.bind(CpuVirtualization).toService(NativeCpu);
    o.bind(CfsScheduler).toSelf().inSingletonScope();
    o.bind(VcpuScheduler).toService(CfsScheduler);
    // Time on bare metal is the reference behaviour: reading a clock costs a register read.
    o.bind(TimeKeeping).to(SimulatedTimeKeeping).inSingletonScope();
    // Networking on bare metal is the reference: the kernel drives the NIC itself.
    o.bind(KernelNetwork).toSelf().inSingletonScope();
    o.bind(NetworkBackend).toService(KernelNetwork);
    o.bind(NativeBlock).toSelf().inSingletonScope();
    o.bind(BlockBackend).toService(NativeBlock);
    o.bind(OneKernelFailureScope).toSelf().inSingletonScope();
    o.bind(FailureScope).toService(OneKernelFailureScope);
  });
}
