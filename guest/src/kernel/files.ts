import { CheckpointRefusedError, type Gfn, type Vcpu } from '@visorkit/core';
import { FileSystem, type Inode, type SavedFileSystem } from '../fs/file-system.js';
import { OutOfGuestMemory } from '../mm/address-space.js';
import type { FileDescriptor, Process } from '../process/process.js';
import { Errno } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import type { Kernel } from './kernel.js';
import type { KernelPart, PartReader } from './kernel-part.js';

/** Pages read ahead of a sequential file read (Linux's 128 KiB default). */
const READAHEAD_PAGES = 32;
/** Most pages in one block request. */
const REQUEST_PAGES = 32;
/** Share of memory that may be dirty before writers are throttled to the disk (dirty_ratio). */
const DIRTY_RATIO = 0.1;
/** Share at which background write-back starts (dirty_background_ratio). */
const DIRTY_BACKGROUND_RATIO = 0.05;
/** Where pty slaves appear. */
export const PTS_PREFIX = '/dev/pts/';

type FileDescriptorOf<K extends FileDescriptor['kind']> = Extract<FileDescriptor, { kind: K }>;

/** The files subsystem's state in a checkpoint. */
export interface SavedFiles {
  readonly fs: SavedFileSystem;
  readonly dirtyPages: number;
  readonly dirtyInodes: readonly number[];
}

/**
 * Files: path resolution (through the container's chroot), open, stat, lseek, read and write
 * through the page cache with read-ahead, write-back (background and throttled writers),
 * fsync, and the domain's disk.
 */
export class Files implements KernelPart<SavedFiles> {
  readonly fs: FileSystem;
  /** Dirty page-cache pages across files, and write-back requests in flight. */
  dirtyPages = 0;
  readonly dirtyInodes = new Set<Inode>();
  writebackInFlight = 0;
  /** Writers throttled until write-back brings the dirty pages under the limit (by pid). */
  readonly throttled: number[] = [];
  /** Block requests submitted and not yet completed. */
  ioInFlight = 0;
  /** The domain's disk, attached on first use. */
  #disk = -1;
  readonly #diskSectors: number;

  constructor(
    readonly k: Kernel,
    options: GuestKernelOptions,
  ) {
    this.#diskSectors = Math.round((options.diskMiB ?? 1024) * 2048);
    this.fs = new FileSystem(k.frames, 1 << 16, this.#diskSectors);
  }

  /** The file system and its dirty pages; refused (for now) while block requests are in flight. */
  save(): SavedFiles {
    if (this.ioInFlight > 0 || this.writebackInFlight > 0 || this.throttled.length > 0) {
      throw new CheckpointRefusedError(
        this.k.domain.name,
        `its kernel has ${this.ioInFlight} block requests in flight; let it run until they complete, then pause it again`,
        true,
      );
    }
    return { fs: this.fs.save(), dirtyPages: this.dirtyPages, dirtyInodes: [...this.dirtyInodes].map((i) => i.number) };
  }

  load(saved: SavedFiles, r: PartReader): void {
    this.fs.load(saved.fs, r.programOf);
    this.dirtyPages = saved.dirtyPages;
    for (const n of saved.dirtyInodes) this.dirtyInodes.add(this.fs.inode(n));
  }

  /** After a live migration: the disk is attached again on the new machine (storage is shared). */
  migrated(): void {
    this.#disk = -1;
  }

  /** The path as this process sees it (chroot), or undefined when it would escape its root. */
  resolve(vcpu: Vcpu, p: Process, path: string): string | undefined {
    return this.k.policy.resolvePath(vcpu, p, path);
  }

  open(vcpu: Vcpu, p: Process, requested: string, create = false): number {
    const k = this.k;
    if (typeof requested !== 'string') return -Errno.EFAULT;
    const path = this.resolve(vcpu, p, requested);
    if (path === undefined) return -Errno.ENOENT;
    k.charge(vcpu, 'pathComponent', this.fs.components(path));
    if (path === '/dev/ptmx') return k.descriptors.openpty(vcpu, p);
    k.charge(vcpu, 'openBody');
    if (path === '/dev/null') return p.allocateFd({ kind: 'null' });
    if (path.startsWith(PTS_PREFIX)) return k.descriptors.openPtySlave(vcpu, p, path);
    let inode = this.fs.lookup(path);
    if (inode === undefined) {
      if (!create) return -Errno.ENOENT;
      inode = this.fs.create(path, 0);
    }
    const fd = p.allocateFd({ kind: 'file', inode: inode.number, path, offset: 0 });
    return fd < 0 ? -Errno.EMFILE : fd;
  }

  stat(vcpu: Vcpu, p: Process, requested: string): number {
    const k = this.k;
    const path = this.resolve(vcpu, p, requested);
    if (path === undefined) return -Errno.ENOENT;
    k.charge(vcpu, 'pathComponent', this.fs.components(path));
    k.charge(vcpu, 'statBody');
    if (path === '/dev/null' || path === '/dev/ptmx') return 0; // character devices have no size
    if (path.startsWith(PTS_PREFIX)) return k.descriptors.visiblePty(vcpu, p, path) === undefined ? -Errno.ENOENT : 0;
    const inode = this.fs.lookup(path);
    return inode === undefined ? -Errno.ENOENT : inode.size;
  }

  lseek(vcpu: Vcpu, p: Process, fd: number, offset: number): number {
    const d = p.fds[fd];
    this.k.charge(vcpu, 'trivialSyscall');
    if (d === undefined) return -Errno.EBADF;
    if (d.kind !== 'file') return -Errno.ESPIPE;
    if (!Number.isInteger(offset) || offset < 0) return -Errno.EINVAL;
    return (d.offset = offset);
  }

  /** read/write of a file descriptor (a unified file is copied for its writer first). */
  readWrite(vcpu: Vcpu, p: Process, d: FileDescriptorOf<'file'>, call: 'read' | 'write', fd: number, bytes: number): number {
    const k = this.k;
    k.charge(vcpu, 'nullIo');
    const inode = this.fs.inode(d.inode);
    if (call === 'write' && inode.immutable && inode.links > 1) {
      // A unified (hard-linked, immutable) file: this context gets its own copy first.
      try {
        d.inode = this.fs.copyOnWrite(d.path, (from) => {
          const to = k.memory.allocate();
          k.hv.memory.copyFrame(vcpu, to as Gfn, from as Gfn);
          return to;
        }).number;
      } catch (e) {
        if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
        throw e;
      }
    }
    return call === 'read' ? this.#fileRead(vcpu, p, d, fd, bytes) : this.#fileWrite(vcpu, p, d, fd, bytes);
  }

  /** Reads pages from the domain's disk through the platform's block back end, 32 at a time. */
  readBlocks(vcpu: Vcpu, p: Process, pages: number): number {
    const k = this.k;
    if (!(pages > 0)) return -Errno.EINVAL;
    const disk = this.#diskDevice();
    const frames: Gfn[] = [];
    for (let i = 0; i < pages; i++) {
      const f = k.frames.allocate();
      if (f < 0) break;
      frames.push(f as Gfn);
    }
    let next = 0;
    const submitNext = (v: Vcpu): void => {
      if (next >= frames.length) {
        k.scheduler.makeRunnable(p);
        return;
      }
      const chunk = frames.slice(next, next + 32);
      const sector = next * 8;
      next += chunk.length;
      this.ioInFlight++;
      k.hv.block.submit(v, disk, { operation: 'read', sector, frames: chunk }, () => {
        this.ioInFlight--;
        submitNext(k.domain.vcpus[0]!);
      });
    };
    k.scheduler.block(p, 'disk');
    submitNext(vcpu);
    // The result is there when it wakes: the pages it read (fewer when memory ran out).
    return frames.length;
  }

  /** The domain's disk, attached on first use. */
  #diskDevice(): number {
    if (this.#disk < 0) this.#disk = this.k.hv.block.attachDisk(this.k.domain, this.#diskSectors);
    return this.#disk;
  }

  /**
   * Submits block requests for `pages` of `inode` (sorted, contiguous runs of at most 32
   * pages). `done` runs, on a vCPU, once every request has completed.
   */
  #blockIo(vcpu: Vcpu, inode: Inode, operation: 'read' | 'write', pages: number[], done: () => void): void {
    const k = this.k;
    const disk = this.#diskDevice();
    pages.sort((a, b) => inode.sectors[a]! - inode.sectors[b]!);
    let outstanding = 0;
    let i = 0;
    while (i < pages.length) {
      let j = i + 1;
      while (j < pages.length && j - i < REQUEST_PAGES && inode.sectors[pages[j]!] === inode.sectors[pages[j - 1]!]! + 8) j++;
      const run = pages.slice(i, j);
      const frames = run.map((pg) => inode.cache[pg]! as Gfn);
      // Pages under I/O are pinned: reclaim must not take them meanwhile.
      for (const f of frames) k.frames.share(f);
      outstanding++;
      this.ioInFlight++;
      k.hv.block.submit(vcpu, disk, { operation, sector: inode.sectors[pages[i]!]!, frames }, () =>
        k.scheduler.raiseSoftirq(() => {
          this.ioInFlight--;
          // Pages read in hold the file's contents: what makes them identical across domains.
          if (operation === 'read') for (let x = 0; x < run.length; x++) k.memory.holdsFilePage(frames[x]!, inode, run[x]!);
          for (const f of frames) k.frames.release(f);
          if (--outstanding === 0) done();
        }),
      );
      i = j;
    }
    if (outstanding === 0) done();
  }

  /** read() of a file: from the page cache, reading missing pages (and ahead) from disk first. */
  #fileRead(vcpu: Vcpu, p: Process, d: FileDescriptorOf<'file'>, fd: number, bytes: number): number {
    const k = this.k;
    const inode = this.fs.inode(d.inode);
    const n = Math.max(0, Math.min(bytes, inode.size - d.offset));
    if (n === 0) return 0;
    const first = Math.floor(d.offset / 4096);
    const last = Math.floor((d.offset + n - 1) / 4096);
    const missing: number[] = [];
    try {
      const end = Math.min(Math.ceil(inode.size / 4096) - 1, last + READAHEAD_PAGES);
      for (let pg = first; pg <= end; pg++) {
        if (inode.cache[pg]! >= 0) {
          if (pg <= last) this.fs.touched(inode, pg);
          continue;
        }
        const { frame } = this.fs.cachePage(inode, pg);
        if (frame < 0) throw new OutOfGuestMemory();
        if (inode.sectors[pg]! >= 0) missing.push(pg);
        else k.hv.memory.zeroFrame(vcpu, frame as Gfn); // a hole reads as zeros
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    if (missing.length > 0) {
      k.scheduler.block(p, 'disk');
      k.scheduler.restartLater(p, { kind: 'syscall', call: 'read', args: [fd, bytes], restart: true });
      this.#blockIo(vcpu, inode, 'read', missing, () => k.scheduler.makeRunnable(p));
      return 0;
    }
    if (!k.copyToUser(vcpu, p, n)) return -Errno.EFAULT;
    d.offset += n;
    return n;
  }

  /** write() of a file: into the page cache (dirty), throttled while too much is dirty. */
  #fileWrite(vcpu: Vcpu, p: Process, d: FileDescriptorOf<'file'>, fd: number, bytes: number): number {
    const k = this.k;
    if (bytes === 0) return 0;
    if (this.dirtyPages > k.frames.frames * DIRTY_RATIO) {
      // balance_dirty_pages: the writer waits for write-back (and so runs at disk speed).
      this.#startWriteback(vcpu);
      k.scheduler.block(p, 'disk');
      this.throttled.push(p.pid);
      k.scheduler.restartLater(p, { kind: 'syscall', call: 'write', args: [fd, bytes], restart: true });
      return 0;
    }
    const inode = this.fs.inode(d.inode);
    const first = Math.floor(d.offset / 4096);
    const last = Math.floor((d.offset + bytes - 1) / 4096);
    this.fs.ensurePages(inode, last + 1);
    try {
      for (let pg = first; pg <= last; pg++) {
        if (inode.cache[pg]! < 0) {
          const { frame } = this.fs.cachePage(inode, pg);
          if (frame < 0) throw new OutOfGuestMemory();
        }
        // The page now holds what the writer wrote, no longer the file's original contents.
        k.memory.holdsPrivateData(inode.cache[pg]!);
        if (!inode.dirty.has(pg)) {
          inode.dirty.add(pg);
          this.dirtyPages++;
          this.dirtyInodes.add(inode);
        }
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
      throw e;
    }
    // copy_from_user into the page-cache pages: the kernel's stores write each of them.
    if (!k.copyFromUser(vcpu, p, bytes)) return -Errno.EFAULT;
    for (let pg = first; pg <= last; pg++) k.hv.memory.writeFrame(vcpu, inode.cache[pg]! as Gfn);
    d.offset += bytes;
    inode.size = Math.max(inode.size, d.offset);
    if (this.dirtyPages > k.frames.frames * DIRTY_BACKGROUND_RATIO) this.#startWriteback(vcpu);
    return bytes;
  }

  /** Background write-back (pdflush): writes dirty pages out in batches while above the background level. */
  #startWriteback(vcpu: Vcpu): void {
    const k = this.k;
    if (this.writebackInFlight > 0 || this.dirtyPages === 0) return;
    const batch: [Inode, number[]][] = [];
    let budget = 1024;
    for (const inode of this.dirtyInodes) {
      const pages = this.#takeDirty(inode, budget);
      if (pages.length > 0) batch.push([inode, pages]);
      budget -= pages.length;
      if (budget <= 0) break;
    }
    for (const [inode, pages] of batch) {
      this.writebackInFlight++;
      this.#blockIo(vcpu, inode, 'write', pages, () => {
        this.writebackInFlight--;
        if (this.writebackInFlight > 0) return;
        const cpu = k.cpu!;
        if (this.dirtyPages <= k.frames.frames * DIRTY_RATIO) k.scheduler.wakeAll(cpu, this.throttled);
        if (this.dirtyPages > k.frames.frames * DIRTY_BACKGROUND_RATIO || this.throttled.length > 0) this.#startWriteback(cpu);
      });
    }
  }

  /** Takes up to `max` dirty pages of `inode` for write-back, giving them disk blocks. */
  #takeDirty(inode: Inode, max: number): number[] {
    const pages: number[] = [];
    for (const pg of inode.dirty) {
      if (pages.length >= max) break;
      if (!this.fs.assignBlock(inode, pg)) break; // disk full: the page stays dirty in memory
      pages.push(pg);
    }
    for (const pg of pages) inode.dirty.delete(pg);
    this.dirtyPages -= pages.length;
    if (inode.dirty.size === 0) this.dirtyInodes.delete(inode);
    return pages;
  }

  /** fsync: writes the file's dirty pages and sleeps until the disk has them. */
  fsync(vcpu: Vcpu, p: Process, fd: number): number {
    const k = this.k;
    const d = p.fds[fd];
    if (d === undefined) return -Errno.EBADF;
    if (d.kind !== 'file') return -Errno.EINVAL;
    k.charge(vcpu, 'fsyncBody');
    const inode = this.fs.inode(d.inode);
    const pages = this.#takeDirty(inode, Number.POSITIVE_INFINITY);
    if (pages.length === 0) return 0;
    k.scheduler.block(p, 'disk');
    this.#blockIo(vcpu, inode, 'write', pages, () => k.scheduler.makeRunnable(p));
    return 0;
  }
}
