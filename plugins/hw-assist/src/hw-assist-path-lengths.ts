import { pathLengths } from '@visorkit/core';

/**
 * Path lengths of this plugin's own (KVM-like) code: calibration-ledger entries read through `.value`.
 *
 * @public
 */
export const HW_ASSIST_PATH = pathLengths('@visorkit/hw-assist', {
  hostSwitch: {
    value: 1500,
    unit: 'instructions',
    source:
      "KVM's vCPU thread switch on the host: schedule() and context_switch() plus vmx_vcpu_load (VMPTRLD of the next VMCS); estimated from the structure of the C, not measured",
  },
  inject: {
    value: 300,
    unit: 'instructions',
    source:
      "KVM's exception or interrupt injection after an exit (kvm_queue_exception, vmx_inject_irq: the VM-entry interruption field); estimated from the structure of the C, not measured",
  },
  virtioBlkDriver: {
    value: 1500,
    unit: 'instructions',
    source:
      'Linux virtio_blk per request: do_virtblk_request, virtqueue_add_buf and the completion callback; estimated from the structure of the C, not measured',
  },
  virtioBlkBackend: {
    value: 4000,
    unit: 'instructions',
    source:
      "the host's virtio-blk back end per request (QEMU virtio_blk_handle_output: descriptor walk, submit to the host block layer); estimated from the structure of the C, not measured",
  },
  vhostNet: {
    value: 3000,
    unit: 'instructions',
    source: 'vhost-net per frame: handle_tx / handle_rx descriptor walk, the tap device and checksum; estimated from the structure of the C, not measured',
  },
  logDirtyHandler: {
    value: 400,
    unit: 'instructions',
    source: "KVM's write-protect fault for dirty logging (mark_page_dirty, restoring write access); estimated from the structure of the C, not measured",
  },
  emulatePteWrite: {
    value: 900,
    unit: 'instructions',
    source:
      'KVM shadow MMU: emulate one trapped guest page-table write and sync its shadow (kvm_mmu_pte_write); estimated from the structure of the C, not measured',
  },
  shadowRootSwitch: {
    value: 600,
    unit: 'instructions',
    source:
      'KVM shadow MMU on a trapped CR3 load: look up or build the shadow root (kvm_mmu_load, mmu_alloc_roots); estimated from the structure of the C, not measured',
  },
  eptViolation: {
    value: 1500,
    unit: 'instructions',
    source:
      "KVM's EPT-violation handler populating a frame (handle_ept_violation, tdp_page_fault, the gfn-to-pfn lookup); estimated from the structure of the C, not measured",
  },
  flushTlbExit: {
    value: 400,
    unit: 'instructions',
    source:
      "KVM shadow paging's handler for a guest TLB flush (kvm_mmu_flush_tlb / invlpg exit: drop the shadow TLB state); estimated from the structure of the C, not measured",
  },
  haltExit: {
    value: 800,
    unit: 'instructions',
    source: "KVM's HLT exit: kvm_emulate_halt and putting the vCPU thread to sleep; estimated from the structure of the C, not measured",
  },
  apicTimerExit: {
    value: 1200,
    unit: 'instructions',
    source:
      "KVM's local-APIC emulation of a timer register write (MSR or MMIO exit, apic_reg_write, hrtimer programming); estimated from the structure of the C, not measured",
  },
  ioExit: {
    value: 2500,
    unit: 'instructions',
    source:
      "KVM's port-I/O or MMIO exit: decode, then emulate the device register (emulator plus the device model); estimated from the structure of the C, not measured",
  },
});
