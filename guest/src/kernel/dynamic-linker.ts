import { pathLengths } from '@visorkit/core';
import { GUEST_FITTED } from '../calibration.js';
import type { Operation, Sys } from '../program/program.js';

/**
 * The dynamic linker's path: what ld.so is and does when a dynamically linked program starts.
 *
 * @public
 */
export const LD_SO_PATH = '/lib/ld-linux.so.2';

/**
 * ld.so's cache of library locations, which it maps and searches at every start.
 *
 * @public
 */
export const LD_SO_CACHE_PATH = '/etc/ld.so.cache';

/**
 * The counted work of ld.so (glibc 2.3.6, the C library of Linux distributions of 2006-07) at
 * a program's start beyond its system calls, which go through the kernel as real calls.
 * Calibration-ledger path lengths.
 *
 * @public
 */
export const DYNAMIC_LINKER_WORK = pathLengths('@visorkit/guest', {
  libcSymbolRelocations: {
    value: 200,
    unit: 'relocations',
    source:
      "libc.so.6's own relocations against symbols (R_386_GLOB_DAT and R_386_TLS_* for the data it exports and may have interposed: stdin/stdout, errno, environ, the malloc hooks…) that ld.so resolves at every start with _dl_lookup_symbol_x; its few R_386_JUMP_SLOT are bound lazily. Estimated from glibc 2.3's exported data symbols, about 200; not measured here",
  },
  libcRelativeRelocations: {
    value: 1200,
    unit: 'relocations',
    source:
      "libc.so.6's R_386_RELATIVE relocations (pointers in its data to its own code and data: jump tables, string tables, the stdio vtables), each a load, an add and a store in elf_dynamic_do_rel's loop; estimated at about 1,200 for glibc 2.3 on i386, not measured here",
  },
  relativeRelocationCycles: {
    value: 6,
    unit: 'cycles',
    source:
      "one R_386_RELATIVE relocation in elf_dynamic_do_rel: load the word, add the load address, store it back and loop: ~4 instructions, dependent, ~6 cycles on NetBurst's integer core (Agner Fog, instruction tables: 0.5-1 cycle ALU ops, 2-cycle L1 loads, stores pipelined)",
  },
  ldSoCacheBytes: {
    value: 24576,
    unit: 'bytes',
    source:
      '/etc/ld.so.cache of a Debian 4.0 server install: a header and one entry (flags, two string offsets) per library in /lib and /usr/lib plus the strings, about 24 KiB for the ~400 libraries such a system holds; estimated',
  },
  ldSoCachePagesSearched: {
    value: 2,
    unit: 'pages',
    source:
      "_dl_load_cache_lookup's binary search over the cache's sorted entries and the string it compares against: the header page and one page of entries (the 24 KiB file's entries span 2-3 pages); counted from the search's structure",
  },
  elfHeaderBytes: {
    value: 512,
    unit: 'bytes',
    source:
      "open_verify in glibc's dl-load.c reads the first 512 bytes of each library (its ELF header and program headers) before mapping it; modelled as that much of the library's first page read through the page cache",
  },
});

/**
 * A library ld.so loads: its path and the address its text is mapped at.
 *
 * @public
 */
export interface LoadedLibrary {
  readonly path: string;
  readonly textAddress: number;
}

/**
 * What ld.so does before `main` of a program linked against `libraries`: look in
 * /etc/ld.so.preload (absent), map and search /etc/ld.so.cache, open each library, read its
 * headers, stat and close it (the library's segments themselves are mapped by the image
 * loader, one `execPerVma` each), set up the static TLS block, unmap the cache, then relocate
 * libc — its symbol relocations at the fitted cost of one symbol look-up each, its relative
 * ones at a few cycles each. Each system call goes through the guest kernel as a real call,
 * so it costs what the platform makes a system call, an mmap and a page fault cost.
 *
 * The header read is served through the page cache as a read of the library's first page
 * (which its mapping shares): this kernel's file reads go to the disk when a page is not
 * cached while its file faults fill the page cache without I/O, so a read() here would make
 * every guest's first start wait on a disk seek that its own faults on the same page never do.
 *
 * @public
 */
export function* dynamicLinkerStartup(sys: Sys, libraries: readonly LoadedLibrary[]): Generator<Operation, void, unknown> {
  if (libraries.length === 0) return;
  const work = DYNAMIC_LINKER_WORK.value;
  yield* sys.brk(0);
  // access("/etc/ld.so.preload", R_OK): absent on a standard install.
  yield* sys.stat('/etc/ld.so.preload');
  const cacheFd = yield* sys.open(LD_SO_CACHE_PATH);
  if (cacheFd >= 0) {
    yield* sys.stat(LD_SO_CACHE_PATH);
    const cache = yield* sys.mmap({ bytes: work.ldSoCacheBytes, path: LD_SO_CACHE_PATH });
    yield* sys.close(cacheFd);
    if (cache >= 0) {
      yield* sys.touch(cache, work.ldSoCachePagesSearched * 4096);
      yield* sys.munmap(cache, work.ldSoCacheBytes);
    }
  }
  for (const library of libraries) {
    const fd = yield* sys.open(library.path);
    if (fd < 0) continue;
    yield* sys.touch(library.textAddress, work.elfHeaderBytes);
    yield* sys.stat(library.path);
    yield* sys.close(fd);
  }
  // The static TLS block and the thread descriptor: one anonymous page, written.
  const tls = yield* sys.mmap({ bytes: 4096, writable: true });
  if (tls >= 0) yield* sys.touch(tls, 64, { write: true });
  if (libraries.some((l) => l.path === '/lib/libc.so'))
    yield* sys.compute(work.libcSymbolRelocations * GUEST_FITTED.value.symbolLookup + work.libcRelativeRelocations * work.relativeRelocationCycles);
}
