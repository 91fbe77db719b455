/**
 * Where a charged cycle went. Per (domain, vCPU, category), so a report can say how much of a
 * benchmark's time was the guest's own work and how much the virtualisation layer's.
 *
 * @public
 */
export const CostCategory = {
  /** The guest's user-mode code. */
  GuestUser: 0,
  /** The guest kernel (ring 0 native, ring 1 on Xen PV, ring 0 non-root under VT-x). */
  GuestKernel: 1,
  /** The hypervisor (hypercall handlers, validation, VM-exit handling, world switches). */
  Hypervisor: 2,
  /** Work the control domain (Dom0) does on a guest's behalf (back-end drivers). */
  ControlDomain: 3,
  /** A pCPU with nothing to run. */
  Idle: 4,
} as const;

/**
 * One of {@link CostCategory}'s values.
 *
 * @public
 */
export type CostCategory = (typeof CostCategory)[keyof typeof CostCategory];

/**
 * Number of categories (size of per-vCPU accounting arrays).
 *
 * @internal
 */
export const COST_CATEGORY_COUNT = 5;

/**
 * Names of the categories, indexed by value, for reports.
 *
 * @public
 */
export const COST_CATEGORY_NAMES: readonly string[] = ['guest-user', 'guest-kernel', 'hypervisor', 'control-domain', 'idle'];
