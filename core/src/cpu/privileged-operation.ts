/**
 * Privileged operations a guest kernel performs. On native hardware they are instructions;
 * on Xen PV they are hypercalls (attempted directly from ring 1 they fault); under VT-x some
 * cause VM exits.
 *
 * @public
 */
export type PrivilegedOperation =
  /** Load the page-table base (mov cr3 / MMUEXT_NEW_BASEPTR). */
  | 'load-page-table-base'
  /** Flush the whole TLB. */
  | 'flush-tlb'
  /** Install the trap table (lidt / HYPERVISOR_set_trap_table). */
  | 'set-trap-table'
  /** Give up the CPU until an event (hlt / SCHEDOP_block). */
  | 'halt'
  /** Program the one-shot timer (APIC / set_timer_op). */
  | 'set-timer'
  /** Access an I/O port or device register. */
  | 'io-access'
  /** Read the time-stamp counter (never privileged, sometimes trapped). */
  | 'read-clock'
  /**
   * On a process switch: point the CPU at the next process's kernel stack and thread-local
   * segments, and arm lazy FPU switching (TSS esp0, GDT entries, CR0.TS / on Xen PV the
   * stack_switch, update_descriptor and fpu_taskswitch hypercalls, in one multicall).
   */
  | 'switch-kernel-stack';
