/**
 * Capabilities a platform may declare. The seed's features table contrasts hypervisors and
 * containers on exactly these; asking a platform for one it does not declare fails with
 * `UnsupportedCapabilityError`.
 *
 * @public
 */
export const Capability = {
  MultipleKernels: 'multiple-kernels',
  KernelModules: 'kernel-modules',
  CheckpointResume: 'checkpoint-resume',
  LiveMigration: 'live-migration',
  LiveUpdate: 'live-update',
  DevicePassthrough: 'device-passthrough',
} as const;

/**
 * One of {@link Capability}'s values.
 *
 * @public
 */
export type Capability = (typeof Capability)[keyof typeof Capability];

/**
 * Every capability, in the seed's table order.
 *
 * @public
 */
export const ALL_CAPABILITIES: readonly Capability[] = Object.values(Capability);
