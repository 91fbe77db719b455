import type { ContainerPolicy } from './container-policy.js';

/**
 * Boot options of a guest kernel.
 *
 * @public
 */
export interface GuestKernelOptions {
  /** Frames at the bottom of guest memory kept for the kernel image (default 1024 = 4 MiB). */
  readonly reservedFrames?: number;
  /** Round-robin time slice of a CPU-bound process (default 10 ms). */
  readonly timeSliceMs?: number;
  /** Pages mapped around a faulting file page (default 1: none, as in Linux 2.6; fault-around, 16 pages, came with Linux 3.15). */
  readonly faultAroundPages?: number;
  /**
   * The container policy its subsystems consult (name spaces, limits, chroot, addresses).
   * Default: the policy a plugin of the hypervisor binds under the {@link ContainerPolicy}
   * token, else the open one (no containers).
   */
  readonly policy?: ContainerPolicy;
  /** The guest's network address (IPv4-like); its interface is attached on first socket use. */
  readonly address?: string;
  /**
   * More addresses the kernel owns beside `address` (aliases, each its own interface on
   * the platform's NIC) — e.g. one per container context sharing this kernel's stack. A
   * socket sends from the interface of its local address.
   */
  readonly addresses?: readonly string[];
  /** The interface's MTU in bytes (default 1500). */
  readonly mtu?: number;
  /** Most processes at once (default: as Linux 2.6 sizes threads-max from memory). */
  readonly maxProcesses?: number;
  /** Size of the domain's disk in MiB (default 1024), attached on first disk use. */
  readonly diskMiB?: number;
  /**
   * Keep the replay log that lets the domain be checkpointed (default false): every result
   * handed to a program is recorded, so its generator can be re-derived on restore. Off by
   * default because the log grows with every operation the programs perform.
   */
  readonly checkpointable?: boolean;
}
