import { pathLengths } from '@visorkit/core';

const PKG = '@visorkit/xen-pv';
const EST = 'estimated from the structure of the C (about 2-4 x86 instructions per line of straight-line C, loops counted per iteration), not measured';

/**
 * Path lengths (instructions) of Xen's own code, turned into cycles with the profile's kernel
 * CPI. Each names the Xen function (Xen 3.0 x86_32 unless it says otherwise) and how it was
 * counted. They are calibration-ledger entries: code reads them through `.value`.
 *
 * @public
 */
export const XEN_PATH = pathLengths(PKG, {
  mmuUpdateBase: {
    value: 300,
    unit: 'instructions',
    source: `do_mmu_update (arch/x86/mm.c) per hypercall beyond its entries: argument copy-in, the preemption check, the loop set-up and the TLB-flush decision; ${EST}`,
  },
  writableTrapHandler: {
    value: 600,
    unit: 'instructions',
    source: `ptwr_do_page_fault (Xen 2.0-3.0.2 arch/x86/mm.c): decode the faulting write, find the L1 and its L2 slot, snapshot the page, unhook it and make it writable; ${EST}`,
  },
  putReference: {
    value: 20,
    unit: 'instructions',
    source: `put_page_from_l1e / put_page: one reference drop on the old frame (a locked decrement and the zero test); ${EST}`,
  },
  ptwrEmulate: {
    value: 1000,
    unit: 'instructions',
    source: `ptwr_emulated_update via x86_emulate (Xen 3.0.3+): decode and emulate one store to a page-table page before validating it; ${EST}`,
  },
  updateVaMapping: {
    value: 250,
    unit: 'instructions',
    source: `do_update_va_mapping: one guest virtual address remapped (linear page-table lookup, mod_l1_entry, invlpg); ${EST}`,
  },
  entryScanCycles: {
    value: 4,
    unit: 'cycles',
    source:
      'one iteration of alloc_l1_table / free_l1_table / the ptwr snapshot compare over a page of entries: a load, a compare and a branch, pipelined at ~4 cycles per entry on NetBurst (Agner Fog, microarchitecture guide, Pentium 4)',
  },
  mmuextBase: {
    value: 100,
    unit: 'instructions',
    source: `do_mmuext_op per call (MMUEXT_NEW_BASEPTR, MMUEXT_PIN_*): command decode and the op's bookkeeping beyond the CR3 write; ${EST}`,
  },
  balloonBase: {
    value: 400,
    unit: 'instructions',
    source: `do_memory_op (XENMEM_increase/decrease_reservation) per call: argument copy-in and the extent loop set-up; ${EST}`,
  },
  balloonPerFrame: {
    value: 120,
    unit: 'instructions',
    source: `do_memory_op per frame: alloc_domheap_pages / guest_remove_page and the p2m/m2p update; ${EST}`,
  },
  bounce: {
    value: 350,
    unit: 'instructions',
    source: `create_bounce_frame (arch/x86/x86_32/entry.S) and the fault's entry stub: building the ring-1 exception frame from the guest's trap table; counted from the assembly (~90 instructions) plus do_page_fault's dispatch, ${EST}`,
  },
  xenSwitch: {
    value: 1200,
    unit: 'instructions',
    source: `schedule() and context_switch() (common/schedule.c, arch/x86/domain.c) between two domains' vCPUs: the scheduler's pick, the timer reprogramming, saving and loading segment and debug state; ${EST}`,
  },
  upcall: {
    value: 250,
    unit: 'instructions',
    source: `evtchn_do_upcall (XenLinux drivers/xen/core/evtchn.c): scan the pending bitmaps and dispatch one port; ${EST}`,
  },
  domctl: { value: 600, unit: 'instructions', source: `do_domctl (common/domctl.c): the domctl lock, command decode and one domain operation; ${EST}` },
  setTrapTable: {
    value: 400,
    unit: 'instructions',
    source: `do_set_trap_table: copy and check 256 entries only on boot; per call, the loop over the guest's table entries given; ${EST}`,
  },
  schedOp: { value: 500, unit: 'instructions', source: `do_sched_op (SCHEDOP_block/yield): mark the vCPU blocked and enter schedule(); ${EST}` },
  setTimerOp: { value: 300, unit: 'instructions', source: `do_set_timer_op: convert the deadline and set_timer (heap insert); ${EST}` },
  physdevOp: {
    value: 800,
    unit: 'instructions',
    source: `do_physdev_op (PHYSDEVOP_set_iopl / irq ops): permission checks and the port or IRQ table update; ${EST}`,
  },
  stackSwitchMulticall: {
    value: 950,
    unit: 'instructions',
    source: `XenLinux __switch_to's multicall: do_multicall dispatching stack_switch, three update_descriptor (TLS) and fpu_taskswitch, each with its argument checks; ${EST}`,
  },
  frontRequest: { value: 150, unit: 'instructions', source: `netfront/blkfront: filling one ring request (descriptor with grant/frame references); ${EST}` },
  frontResponse: { value: 80, unit: 'instructions', source: `netfront/blkfront: consuming one response and recycling its slot; ${EST}` },
  backRequest: {
    value: 400,
    unit: 'instructions',
    source: `netback/blkback: taking, copying out and validating one request (frame ownership per segment); ${EST}`,
  },
  backSegment: { value: 120, unit: 'instructions', source: `blkback: per-segment check and DMA mapping (scatter-gather, no copy); ${EST}` },
  vfrMatch: { value: 200, unit: 'instructions', source: `the Xen 1.x virtual firewall-router matching one frame against its rule list; ${EST}` },
  flip: {
    value: 600,
    unit: 'instructions',
    source: `netback page flip: steal_page / transfer ownership and fix the p2m/m2p entries (gnttab_transfer); ${EST}`,
  },
  extentTranslate: { value: 100, unit: 'instructions', source: `blkback / Xen 1.x vbd: translating a virtual sector through the extent list; ${EST}` },
  kernelHotPages: {
    value: 24,
    unit: 'pages',
    source:
      "the Linux 2.6 i386 kernel pages a pipe-driven switch between two processes touches, walked in again after a flush because a paravirtual guest's kernel mappings are not global (Xen keeps global pages for itself): text of entry.S, sys_call_table, read_write.c, pipe.c, sched.c, process.c (__switch_to) and wait.c (7); per-CPU GDT/TSS and run queue (2); two 8 KiB kernel stacks (4); two task_structs (2); two files_structs (2); two mm_structs (2); the pipe's inode, pipe_inode_info and buffer page (3); the two struct files (2): 24, counted",
  },
  logDirtyFaultHandler: {
    value: 400,
    unit: 'instructions',
    source: `Xen's shadow-mode log-dirty fault (sh_page_fault for a write to a shadow entry log-dirty mode made read-only: look up the guest entry, set the frame's bit in the dirty bitmap, make the shadow entry writable again); ${EST}`,
  },
  rdtsc: {
    value: 30,
    unit: 'cycles',
    source: 'rdtsc, which a paravirtual guest executes directly (Agner Fog, instruction tables: tens of cycles on NetBurst)',
  },
});
