import { fileIdentity } from '@visorkit/core';
import type { GuestKernel } from '@visorkit/guest';
import { ETCH_SERVER_PACKAGES, ETCH_SERVER_STATE } from '../data/debian-etch-server.js';

/**
 * Installs a typical server of the container paper's era under `root`: the packages of a
 * Debian 4.0 "etch" server (`../data/debian-etch-server.ts`, with its source), each as its
 * files, plus the state files installation and first start leave. With `unifyWith`, every
 * file that is identical on every server — all package files and the identical state — is a
 * hard link to that server's (VServer unification: immutable, copied on write); the rest is
 * the server's own.
 *
 * @public
 */
export function installServer(kernel: GuestKernel, root: string, unifyWith?: string): void {
  for (const [name, kib, files] of ETCH_SERVER_PACKAGES) {
    const bytes = Math.floor((kib * 1024) / files);
    for (let i = 0; i < files; i++) {
      const path = `${root}/pkg/${name}/${i}`;
      if (unifyWith !== undefined) kernel.fs.link(path, `${unifyWith}/pkg/${name}/${i}`);
      else kernel.fs.create(path, bytes);
    }
  }
  for (const f of ETCH_SERVER_STATE) {
    const path = `${root}${f.path}`;
    if (unifyWith !== undefined && f.identical) kernel.fs.link(path, `${unifyWith}${f.path}`);
    else {
      const inode = kernel.fs.create(path, f.kib * 1024);
      // A server's own state (keys, logs, its database) is its bytes alone, on any machine.
      if (!f.identical) inode.contentId = fileIdentity(`${kernel.domain.name}:${path}`, f.kib * 1024);
    }
  }
}
