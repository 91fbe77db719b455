/**
 * Token for the split-driver I/O options.
 *
 * @public
 */
export const XenIoOptions = Symbol.for('visorkit.XenIoOptions');

/**
 * How Xen's split drivers are configured.
 *
 * @public
 */
export interface XenIoOptions {
  /** Receive path: exchange pages with the guest (page flipping, the seed's design) or copy into its buffers. */
  readonly receive: 'flip' | 'copy';
  /** Where the back ends run: in Xen itself (Xen 1.x) or in Dom0's kernel (Xen 2/3). */
  readonly backend: 'xen' | 'dom0';
  /** Slots per I/O ring (a power of two). */
  readonly ringSize: number;
}
