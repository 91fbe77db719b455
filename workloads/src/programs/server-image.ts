import type { GuestKernel } from '@visorkit/guest';

/**
 * A typical Linux server image of the VServer paper's era (≈ 500 MB): system files (binaries,
 * libraries, documentation, locales) that every server has identically, and files private to
 * each server (configuration, logs, spools, home directories).
 */
export const SERVER_IMAGE = {
  /** Shared system files: count and size each. 239 × 2 MiB ≈ 478 MiB. */
  systemFiles: 239,
  systemFileBytes: 2 << 20,
  /** Private files: 22 × 1 MiB. */
  privateFiles: 22,
  privateFileBytes: 1 << 20,
} as const;

/**
 * Installs a server image under `root`. With `unifyWith`, the system files are hard links to
 * that server's (VServer unification: immutable, copied on write); private files are always
 * the server's own.
 */
export function installServer(kernel: GuestKernel, root: string, unifyWith?: string): void {
  for (let i = 0; i < SERVER_IMAGE.systemFiles; i++) {
    const path = `${root}/usr/lib/file${i}`;
    if (unifyWith !== undefined) kernel.fs.link(path, `${unifyWith}/usr/lib/file${i}`);
    else kernel.fs.create(path, SERVER_IMAGE.systemFileBytes);
  }
  for (let i = 0; i < SERVER_IMAGE.privateFiles; i++) kernel.fs.create(`${root}/var/file${i}`, SERVER_IMAGE.privateFileBytes);
}
