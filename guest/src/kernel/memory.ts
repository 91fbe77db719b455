import {
  CheckpointCorruptError,
  CostCategory,
  PRIVATE_CONTENT,
  PTE_COW,
  VisorkitError,
  fileContent,
  fileIdentity,
  lastLevelCache,
  pteFrame,
  pteHas,
  type Gfn,
  type Vcpu,
} from '@visorkit/core';
import { GUEST_FITTED } from '../calibration.js';
import type { Inode } from '../fs/file-system.js';
import { OutOfGuestMemory, type AddressSpace } from '../mm/address-space.js';
import type { Vma } from '../mm/vma.js';
import type { Process } from '../process/process.js';
import { Errno, type MmapRequest } from '../program/program.js';
import type { GuestKernelOptions } from './guest-kernel-options.js';
import type { SavedFrameAllocator } from '../mm/frame-allocator.js';
import type { Kernel } from './kernel.js';
import type { KernelPart } from './kernel-part.js';

const SIGSEGV = 11;
const SIGKILL = 9;
/**
 * Virtual pages set aside for a process's I/O buffer (16 MiB): the buffer read() fills and
 * write() sends from. Programs name only a byte count, so each process gets one buffer that
 * every transfer starts at, as a server reusing its request and file buffers does; a
 * transfer larger than the buffer wraps around it. Only the pages a transfer reaches are
 * ever mapped.
 */
const IO_BUFFER_PAGES = 4096;
/** The name of the I/O buffer's VMA. */
export const IO_BUFFER_VMA = 'io-buffer';

/** The cache owner id of a process of domain `domain` (a kernel's own data is pid 0). */
export function cacheOwner(domain: number, pid: number): number {
  return domain * 0x100000 + pid;
}

/** The cache owner id of a file's pages in domain `domain`'s page cache. */
export function fileCacheOwner(domain: number, inode: number): number {
  return -(domain * 0x100000 + inode + 1);
}

/** The memory subsystem's state in a checkpoint. */
export interface SavedMemory {
  readonly frames: SavedFrameAllocator;
  readonly ballooned: readonly number[];
  readonly residentByContext: readonly (readonly [number, number])[];
}

/**
 * Memory: a process's touches page by page, the page-fault path (demand zero, file pages
 * with fault-around, copy-on-write, the OOM killer), mmap, munmap and brk, and the balloon
 * driver that gives frames back to the hypervisor.
 */
export class Memory implements KernelPart<SavedMemory> {
  /** Frames the balloon driver gave back to the hypervisor. */
  readonly ballooned: number[] = [];
  /** Resident pages per container context (for per-context memory limits). */
  readonly residentByContext = new Map<number, number>();
  readonly #faultAround: number;
  /** Mechanism index of an out-of-memory kill (the kernel's or a context's). */
  #oomKill: number;

  constructor(
    readonly k: Kernel,
    options: GuestKernelOptions,
  ) {
    this.#faultAround = options.faultAroundPages ?? 1;
    this.#oomKill = k.hv.mechanisms.register('oom-kill');
  }

  /** The frame map, the balloon's frames and the per-context resident counts. */
  save(): SavedMemory {
    return { frames: this.k.frames.save(), ballooned: [...this.ballooned], residentByContext: [...this.residentByContext] };
  }

  load(saved: SavedMemory): void {
    if (!this.k.frames.load(saved.frames)) throw new CheckpointCorruptError("its guest kernel's frame map does not fit the domain's memory");
    this.ballooned.push(...saved.ballooned);
    for (const [c, n] of saved.residentByContext) this.residentByContext.set(c, n);
  }

  /** After a live migration: mechanism indices are per hypervisor, look ours up again. */
  migrated(): void {
    this.#oomKill = this.k.hv.mechanisms.register('oom-kill');
  }

  /** Resident pages of processes in container context `context`. */
  residentPages(context: number): number {
    return this.residentByContext.get(context) ?? 0;
  }

  /** AddressSpace's resident-page accounting. */
  residentChanged(space: AddressSpace, delta: number): void {
    this.residentByContext.set(space.context, (this.residentByContext.get(space.context) ?? 0) + delta);
  }

  /** A free frame, or OutOfGuestMemory. */
  allocate(): number {
    const f = this.k.frames.allocate();
    if (f < 0) throw new OutOfGuestMemory();
    return f;
  }

  /** The page-cache frame of a file page, read in (zero-filled: contents are not modelled) on first use. */
  cachePage(vcpu: Vcpu, inode: Inode, page: number): number {
    const { frame, missed } = this.k.fs.cachePage(inode, page);
    if (frame < 0) throw new OutOfGuestMemory();
    if (missed) {
      this.k.hv.memory.zeroFrame(vcpu, frame as Gfn);
      this.holdsFilePage(frame, inode, page);
    }
    return frame;
  }

  /**
   * Frame `frame` now holds page `page` of `inode`'s contents (read in from disk): its
   * content identity, so identical pages in other domains booted from the same image are
   * known to be identical (see `PageContent`).
   */
  holdsFilePage(frame: number, inode: Inode, page: number): void {
    this.#label(frame, fileContent(inode.contentId ?? fileIdentity(inode.path, inode.size), page));
  }

  /** Frame `frame` now holds data the guest wrote (a file page written in the cache, say). */
  holdsPrivateData(frame: number): void {
    this.#label(frame, PRIVATE_CONTENT);
  }

  #label(frame: number, key: number): void {
    const hv = this.k.hv;
    const mfn = hv.memory.machineFrame(this.k.domain, frame as Gfn, 'read');
    if (mfn >= 0) hv.machine.memory.setContent(mfn, key);
  }

  /**
   * The balloon driver: gives free frames back to the hypervisor, or takes given-back ones
   * again, until the guest holds `targetFrames` of its memory (or, shrinking, until it has
   * no free frame left). Returns the frames it holds afterwards.
   */
  balloon(targetFrames: number): number {
    const { hv, domain, frames } = this.k;
    const memory = hv.balloon;
    if (memory === undefined) {
      throw new VisorkitError(
        'NO_BALLOON',
        `'${hv.name}' has no balloon (no plugin binds the MemoryBalloon point): guest '${domain.name}' cannot change its memory`,
      );
    }
    const vcpu = domain.vcpus[0]!;
    const held = frames.frames - this.ballooned.length;
    if (targetFrames < held) {
      const out: number[] = [];
      while (out.length < held - targetFrames) {
        const f = frames.allocate();
        if (f < 0) break;
        out.push(f);
      }
      if (out.length > 0) memory.releaseFrames(vcpu, out as Gfn[]);
      this.ballooned.push(...out);
    } else if (targetFrames > held && this.ballooned.length > 0) {
      const back = this.ballooned.splice(Math.max(0, this.ballooned.length - (targetFrames - held)));
      try {
        memory.reclaimFrames(vcpu, back as Gfn[]);
      } catch (e) {
        this.ballooned.push(...back);
        throw e;
      }
      for (const f of back) frames.release(f);
    }
    return frames.frames - this.ballooned.length;
  }

  // ---- touches and faults ----------------------------------------------------------

  /** A touch operation begins (checked here, processed by {@link continueTouch}). */
  startTouch(vcpu: Vcpu, p: Process, address: number, bytes: number, write: boolean, stride: number): void {
    if (!(bytes >= 0) || !(stride > 0) || !(address >= 0)) {
      p.result = -Errno.EINVAL;
      return;
    }
    p.touch = { address, end: address + bytes, stride, write, fromMemory: this.#cacheMisses(vcpu, p, address, bytes) };
  }

  /**
   * The touch's working set against the last-level cache of the pCPU it runs on: the lines
   * of it that others evicted since this process last touched it (or never held) come back
   * from memory. The page-table lines its walks read count towards its footprint.
   */
  #cacheMisses(vcpu: Vcpu, p: Process, address: number, bytes: number): number {
    const hv = this.k.hv;
    const line = hv.profile.cache.lineBytes;
    const pages = Math.ceil(bytes / 4096);
    const footprint = bytes + pages * hv.memory.geometry.levels * line;
    const llc = lastLevelCache(hv.machine, vcpu.pcpu >= 0 ? vcpu.pcpu : vcpu.lastPcpu);
    // Shared file pages (text, libraries, the page cache) are one owner whoever touches them.
    const vma = p.space.vmaAt(Math.floor(address / 4096));
    llc.touch(
      vma !== undefined && vma.backing.kind === 'file' ? fileCacheOwner(this.k.domain.id, vma.backing.inode) : cacheOwner(this.k.domain.id, p.pid),
      footprint,
    );
    // The page-table lines refill along with the data; count only the data's lines here.
    return Math.ceil(Math.min(bytes, llc.missesAt(0) * line) / line);
  }

  /** Processes a touch page by page: one translation per page, accesses charged in bulk. */
  continueTouch(vcpu: Vcpu, p: Process, budget: number): void {
    const t = p.touch!;
    const memory = this.k.hv.memory;
    const profile = this.k.hv.profile;
    const stunning = this.k.stunning;
    // Stunning counts write faults as they happen: a process goes to the wait queue at the one over the limit.
    const watched = t.write && stunning.active;
    while (t.address < t.end && vcpu.burstCycles < budget) {
      if (watched && stunning.check(vcpu, p)) return;
      const vpn = Math.floor(t.address / 4096);
      const pageEnd = Math.min(t.end, (vpn + 1) * 4096);
      if (memory.translate(vcpu, vpn, t.write) < 0) {
        if (!this.#pageFault(vcpu, p, vpn, t.write)) return;
        continue;
      }
      const accesses = Math.max(1, Math.ceil((pageEnd - t.address) / t.stride));
      // A page first touched since the process was switched in refills its lines from the
      // cache hierarchy; sequential access lets the stream prefetcher overlap the fills.
      let cycles = accesses;
      if (!p.warmPages.has(vpn)) {
        p.warmPages.add(vpn);
        const lines = Math.min(accesses, 4096 / profile.cache.lineBytes);
        // Lines the last-level cache lost (or the vCPU was away long enough to lose them all)
        // come back from memory, streamed at its bandwidth; the rest from the L2.
        const fromMemory = p.evicted ? lines : Math.min(lines, t.fromMemory);
        t.fromMemory -= fromMemory;
        cycles += ((fromMemory * profile.cache.lineBytes) / (profile.memory.bandwidthGBps * 1e9)) * 1e9 * profile.cpu.clockGhz;
        const overlap = t.stride < profile.cache.lineBytes ? GUEST_FITTED.value.streamExposedShare : 1;
        cycles += (lines - fromMemory) * profile.memory.cacheHitCycles * overlap;
      }
      vcpu.charge(CostCategory.GuestUser, cycles);
      // On to the next access: the next page, or further when the stride skips pages.
      t.address += accesses * t.stride;
    }
    if (t.address >= t.end) p.touch = undefined;
  }

  /**
   * The page-fault path: the platform delivers the fault (trap, bounce through Xen, exit),
   * then the handler maps the page. Returns false when the process was killed (SIGSEGV).
   */
  #pageFault(vcpu: Vcpu, p: Process, vpn: number, write: boolean): boolean {
    const k = this.k;
    k.hv.cpu.pageFault(vcpu, vpn, write);
    k.charge(vcpu, 'faultHandler');
    const vma = p.space.vmaAt(vpn);
    if (vma === undefined || (write && !vma.writable)) {
      p.touch = undefined;
      k.processTable.exit(vcpu, p, 128 + SIGSEGV);
      return false;
    }
    if (!p.space.present.has(vpn) && !k.policy.mayMapPage(vcpu, p, this.residentPages(p.context))) {
      // Over its context's memory limit: the context's OOM killer takes the faulting process.
      p.touch = undefined;
      vcpu.count(this.#oomKill);
      k.processTable.exit(vcpu, p, 128 + SIGKILL);
      return false;
    }
    try {
      const existing = p.space.present.get(vpn);
      if (existing !== undefined && write && pteHas(existing, PTE_COW)) this.#breakCow(vcpu, p, vpn, existing);
      else if (existing === undefined) this.#fillPage(vcpu, p, vma, vpn, write);
      else {
        // Present and allowed but the hardware refused: a stale TLB entry. Flush it.
        k.hv.memory.invalidatePage(vcpu, vpn);
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) {
        // Memory exhausted even after the page cache gave back its clean pages: the OOM killer.
        p.touch = undefined;
        vcpu.count(this.#oomKill);
        k.processTable.exit(vcpu, p, 128 + SIGKILL);
        return false;
      }
      throw e;
    }
    return true;
  }

  #breakCow(vcpu: Vcpu, p: Process, vpn: number, entry: number): void {
    const frame = pteFrame(entry);
    const { hv, frames } = this.k;
    if (frames.refs(frame) > 1) {
      const copy = this.allocate();
      hv.memory.copyFrame(vcpu, copy as Gfn, frame as Gfn);
      frames.release(frame);
      p.space.map(vcpu, vpn, copy, true);
    } else {
      p.space.map(vcpu, vpn, frame, true);
    }
    hv.memory.invalidatePage(vcpu, vpn);
  }

  #fillPage(vcpu: Vcpu, p: Process, vma: Vma, vpn: number, write: boolean): void {
    const k = this.k;
    const memory = k.hv.memory;
    if (vma.backing.kind === 'anonymous') {
      const frame = this.allocate();
      memory.zeroFrame(vcpu, frame as Gfn);
      p.space.map(vcpu, vpn, frame, vma.writable);
      return;
    }
    const inode = k.fs.inode(vma.backing.inode);
    const page = vma.backing.firstPage + (vpn - vma.start);
    if (write) {
      // A private file mapping written: the process gets its own copy.
      const cached = this.cachePage(vcpu, inode, page);
      const copy = this.allocate();
      memory.copyFrame(vcpu, copy as Gfn, cached as Gfn);
      p.space.map(vcpu, vpn, copy, true);
      return;
    }
    // Read fault on a file: map the page and, fault-around, its cached neighbours (read-only, COW).
    memory.beginBatch(vcpu);
    const first = Math.max(vma.start, vpn - (vpn % this.#faultAround));
    const last = Math.min(vma.start + vma.pages, first + this.#faultAround);
    for (let v = first; v < last; v++) {
      if (p.space.present.has(v)) continue;
      const pg = vma.backing.firstPage + (v - vma.start);
      if (v !== vpn && inode.cache[pg]! < 0) continue;
      const frame = this.cachePage(vcpu, inode, pg);
      k.frames.share(frame);
      p.space.map(vcpu, v, frame, false, vma.writable);
      if (v !== vpn) k.charge(vcpu, 'faultAroundPerPage');
    }
    memory.flushBatch(vcpu);
  }

  // ---- the I/O buffer ----------------------------------------------------------------

  /**
   * A copy between the kernel and `p`'s I/O buffer reaches its first `bytes`: each page is
   * translated through `p`'s page tables for a write (copy_to_user) or a read
   * (copy_from_user), taking the page fault a first touch takes. A written page is written
   * as far as the platform is concerned (a dirty log sees it). The buffer's VMA is set up on
   * first use. False when `p` did not survive a fault.
   */
  touchIoBuffer(vcpu: Vcpu, p: Process, bytes: number, write: boolean): boolean {
    if (!(bytes > 0)) return true;
    const vma = this.#ioBuffer(p);
    const memory = this.k.hv.memory;
    const pages = Math.min(IO_BUFFER_PAGES, Math.ceil(bytes / 4096));
    for (let i = 0; i < pages; i++) {
      const vpn = vma.start + i;
      while (memory.translate(vcpu, vpn, write) < 0) {
        if (!this.#pageFault(vcpu, p, vpn, write)) return false;
      }
    }
    return true;
  }

  /** `p`'s I/O buffer VMA, added at the mmap cursor on first use (a fork's child inherits it). */
  #ioBuffer(p: Process): Vma {
    const space = p.space;
    for (const v of space.vmas) if (v.name === IO_BUFFER_VMA) return v;
    const vma: Vma = { start: space.mmapCursor, pages: IO_BUFFER_PAGES, writable: true, backing: { kind: 'anonymous' }, name: IO_BUFFER_VMA };
    space.mmapCursor += IO_BUFFER_PAGES + 1;
    space.vmas.push(vma);
    return vma;
  }

  // ---- mmap, munmap, brk -------------------------------------------------------------

  mmap(vcpu: Vcpu, p: Process, req: MmapRequest): number {
    const k = this.k;
    k.charge(vcpu, 'mmapBody');
    if (typeof req !== 'object' || req === null || !(req.bytes > 0)) return -Errno.EINVAL;
    const pages = Math.ceil(req.bytes / 4096);
    let backing: Vma['backing'] = { kind: 'anonymous' };
    if (req.path !== undefined) {
      const inode = k.fs.lookup(req.path);
      if (inode === undefined) return -Errno.ENOENT;
      if (pages > inode.cache.length) return -Errno.EINVAL;
      backing = { kind: 'file', inode: inode.number, firstPage: 0 };
    }
    const writable = req.writable ?? true;
    // Heuristic overcommit refuses only an obvious overcommit: a private writable mapping
    // larger than all the memory the kernel holds (there is no swap) could never be backed.
    // Smaller ones overcommit, and the OOM killer settles what touching them costs; a
    // read-only mapping commits nothing.
    if (writable && pages > k.frames.frames - this.ballooned.length) return -Errno.ENOMEM;
    const start = p.space.mmapCursor;
    p.space.mmapCursor += pages + 1;
    const vma: Vma = { start, pages, writable, backing, name: req.path ?? 'anon' };
    p.space.vmas.push(vma);
    if (req.populate === true && backing.kind === 'file') {
      // MAP_POPULATE: map every (cached) page now, in one lazy-MMU batch.
      try {
        const inode = k.fs.inode(backing.inode);
        k.hv.memory.beginBatch(vcpu);
        for (let i = 0; i < pages; i++) {
          const frame = this.cachePage(vcpu, inode, i);
          k.frames.share(frame);
          p.space.map(vcpu, start + i, frame, false, vma.writable);
        }
        k.hv.memory.flushBatch(vcpu);
        k.charge(vcpu, 'populatePerPage', pages);
      } catch (e) {
        if (e instanceof OutOfGuestMemory) return -Errno.ENOMEM;
        throw e;
      }
    }
    return start * 4096;
  }

  munmap(vcpu: Vcpu, p: Process, address: number, bytes: number): number {
    const k = this.k;
    k.charge(vcpu, 'munmapBody');
    if (!(address >= 0) || address % 4096 !== 0 || !(bytes > 0)) return -Errno.EINVAL;
    const start = address / 4096;
    const i = p.space.vmas.findIndex((v) => v.start === start);
    if (i < 0) return -Errno.EINVAL;
    const vma = p.space.vmas[i]!;
    p.space.vmas.splice(i, 1);
    const memory = k.hv.memory;
    memory.beginBatch(vcpu);
    let n = 0;
    for (let v = vma.start; v < vma.start + vma.pages; v++) {
      const e = p.space.present.get(v);
      if (e === undefined) continue;
      p.space.setLeaf(vcpu, v, 0);
      k.frames.release(pteFrame(e));
      n++;
    }
    memory.flushBatch(vcpu);
    k.charge(vcpu, vma.backing.kind === 'file' ? 'zapPerPte' : 'unmapPerPte', n);
    if (n > 0) k.hv.cpu.privileged(vcpu, 'flush-tlb');
    return 0;
  }

  /** Moves the program break up by `bytes` (the heap VMA grows with it); returns the new break. */
  brk(p: Process, bytes: number): number {
    const pages = Math.ceil(bytes / 4096);
    if (!(pages >= 0)) return -Errno.EINVAL;
    const space = p.space;
    const heap = space.vmas.find((v) => v.name === 'heap');
    if (heap === undefined) return -Errno.ENOMEM;
    space.vmas[space.vmas.indexOf(heap)] = { ...heap, pages: heap.pages + pages };
    space.brkPage = heap.start + heap.pages + pages;
    return space.brkPage * 4096;
  }
}
