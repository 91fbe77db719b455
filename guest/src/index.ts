/**
 * @visorkit/guest — the guest OS model: one Linux-like kernel that runs unmodified on every
 * platform, reaching the hardware only through the extension points.
 */
export * from './program/program.js';
export * from './kernel/path-lengths.js';
export * from './kernel/container-policy.js';
export * from './kernel/guest-kernel.js';
export * from './kernel/kernel-fault.js';
export * from './kernel/replay-log.js';
export * from './kernel/kernel-checkpoint.js';
export * from './mm/frame-allocator.js';
export * from './mm/vma.js';
export * from './mm/address-space.js';
export * from './mm/stream-pages.js';
export * from './mm/page-set.js';
export * from './fs/file-system.js';
export * from './ipc/pipe.js';
export * from './ipc/pty.js';
export * from './process/process.js';
export * from './process/process-crash.js';
export * from './program/system-call-types.js';
export * from './kernel/boot.js';
export * from './program/fork-join-job.js';
export * from './kernel/dynamic-linker.js';
export * from './calibration.js';
