/**
 * Token for the hw-assist plugin's options.
 *
 * @public
 */
export const HwAssistOptions = Symbol.for('visorkit.HwAssistOptions');

/**
 * Options of the hw-assist plugin. Names are public interface.
 *
 * @public
 */
export interface HwAssistOptions {
  /** Memory virtualisation: nested paging (EPT/NPT) or shadow page tables. */
  readonly paging: 'ept' | 'shadow';
  /** Map guest memory with 2 MiB host pages (EPT only). */
  readonly largePages: boolean;
  /** Page-walk (paging-structure) caches for nested walks. */
  readonly pageWalkCache: boolean;
  /** Guest devices: SR-IOV virtual functions (network) or paravirtual virtio rings. */
  readonly io: 'sriov' | 'virtio';
  /** Interrupt delivery to guests: by VM exit, or posted (no exit). */
  readonly interrupts: 'exit' | 'posted';
}

/**
 * Defaults: nested paging, 4 KiB host pages, walk caches on, virtio, exit-based interrupts.
 *
 * @public
 */
export const HW_ASSIST_DEFAULTS: HwAssistOptions = { paging: 'ept', largePages: false, pageWalkCache: true, io: 'virtio', interrupts: 'exit' };
