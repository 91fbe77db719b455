/**
 * @visorkit/core — the simulation kernel, machine model, domains, extension points and
 * composition. Plugins import from here only; core imports no plugin.
 */
export * from './errors/visorkit-error.js';
export * from './units/units.js';
export * from './sim/event-queue.js';
export * from './sim/prng.js';
export * from './sim/simulator.js';
export * from './machine/machine-profile.js';
export * from './machine/physical-memory.js';
export * from './machine/disk.js';
export * from './machine/link.js';
export * from './machine/machine.js';
export * from './machine/profiles/index.js';
export * from './memory/paging.js';
export * from './memory/page-walker.js';
export * from './memory/tlb.js';
export * from './memory/guest-physical-map.js';
export * from './memory/memory-virtualization.js';
export * from './cpu/privileged-operation.js';
export * from './cpu/cpu-virtualization.js';
export * from './cpu/cpu-runner.js';
export * from './scheduler/vcpu-scheduler.js';
export * from './scheduler/run-queue.js';
export * from './scheduler/proportional-share-scheduler.js';
export * from './time/time-keeping.js';
export * from './time/simulated-time-keeping.js';
export * from './network/network-backend.js';
export * from './network/interface-table.js';
export * from './block/block-backend.js';
export * from './block/disk-partitions.js';
export * from './io-ring/ring-errors.js';
export * from './io-ring/io-ring.js';
export * from './io-ring/event-channel.js';
export * from './capabilities/capability.js';
export * from './accounting/cost-category.js';
export * from './accounting/mechanisms.js';
export * from './accounting/pcpu-account.js';
export * from './domain/domain-state.js';
export * from './domain/domain.js';
export * from './domain/vcpu.js';
export * from './domain/domain-observer.js';
export * from './domain/domain-table.js';
export * from './dispatch/dispatch-errors.js';
export * from './dispatch/hypercall-table.js';
export * from './dispatch/trap-table.js';
export * from './events/event-types.js';
export * from './events/domain-events.js';
export * from './events/cpu-events.js';
export * from './events/io-events.js';
export * from './composition/composition-errors.js';
export * from './composition/plugin.js';
export * from './composition/hypervisor.js';
export * from './composition/create-hypervisor.js';
export * from './migration/migration-types.js';
export * from './migration/live-migration.js';
// Re-exported so plugins share the application's one copy of inversify.
export { ContainerModule, inject, injectable, optional, preDestroy, postConstruct } from 'inversify';
