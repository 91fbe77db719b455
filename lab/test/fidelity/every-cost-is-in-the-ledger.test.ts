import test from 'ava';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledProfileSources, bundledProfiles, profileNumericPaths } from '@visorkit/core';
import { calibrationLedger } from '../../src/fidelity/ledger.js';

// lab/dist/test/fidelity/<file>.js → the repository root.
const root = join(fileURLToPath(import.meta.url), '../../../../..');
/** Where cost constants live: the guest, every plugin, and the core's shared driver paths. */
const SCANNED = [
  'guest/src',
  'plugins/native/src',
  'plugins/xen-pv/src',
  'plugins/vserver/src',
  'plugins/hw-assist/src',
  'core/src/network',
  'core/src/cpu',
  'core/src/memory',
  'core/src/scheduler',
];

/**
 * Top-level numeric constants that are not costs, each with why: identifiers fixed by an ABI
 * or protocol, address-space layout, format versions, and sizes the model needs to be a
 * model at all. A new numeric constant in a scanned package must either go through a ledger
 * set (`pathLengths` / `fittedParameters`) or be added here with its reason.
 */
const NOT_COSTS: Readonly<Record<string, string>> = {
  HEADER_BYTES: 'protocol: Ethernet + IP + TCP header bytes (54)',
  SOCKET_BUFFER: "documented Linux default: tcp_rmem/tcp_wmem's 64 KiB default buffer",
  ACCEPT_BACKLOG: 'documented Linux default: SOMAXCONN (128)',
  RTO_NS: 'documented Linux constant: TCP_RTO_MIN (200 ms)',
  DELAYED_ACK_NS: 'documented Linux constant: TCP_DELACK_MIN (40 ms)',
  SYN: 'protocol: TCP flag bit',
  ACK: 'protocol: TCP flag bit',
  FIN: 'protocol: TCP flag bit',
  RST: 'protocol: TCP flag bit',
  RECLAIM_BATCH: 'documented Linux constant: SWAP_CLUSTER_MAX (32 pages per reclaim pass)',
  KERNEL_EXTRA_ENTRIES: 'address layout: the kernel half of the modelled address space',
  KERNEL_CHECKPOINT_FORMAT: 'format version',
  READAHEAD_PAGES: 'documented Linux constant: VM_MAX_READAHEAD (128 KiB = 32 pages)',
  REQUEST_PAGES: 'documented Linux constant: a 128 KiB maximum block request (max_sectors 256)',
  DIRTY_RATIO: 'documented Linux default: vm.dirty_ratio (10% in 2.6.22+)',
  DIRTY_BACKGROUND_RATIO: 'documented Linux default: vm.dirty_background_ratio (5%)',
  ANNOUNCE_BYTES: 'protocol: a gratuitous ARP frame (60 bytes with padding)',
  SIGSEGV: 'ABI: signal number',
  SIGKILL: 'ABI: signal number',
  TEXT_BASE: 'address layout: where text is mapped (page number)',
  LIB_BASE: 'address layout: where libraries are mapped (page number)',
  STACK_TOP: 'address layout: top of the user stack (page number)',
  STACK_PAGES: 'address layout: the stack region reserved (pages)',
  PAGE_KEY: 'data structure: key packing of the page cache map',
  PTY_CAPACITY: 'documented Linux constant: N_TTY_BUF_SIZE (4096)',
  PIPE_CAPACITY: 'documented Linux constant: a pipe holds 16 pages (64 KiB) since 2.6.11',
  HYPERCALL_DOMCTL: "ABI: Xen's public hypercall number",
  HYPERCALL_VFR_OP: 'ABI: hypercall number of the virtual firewall-router',
  HYPERCALL_VBD_OP: "ABI: hypercall number of the virtual block devices' control operation",
  HYPERCALL_IRET: "ABI: Xen's public hypercall number",
  HYPERCALL_EVENT_CHANNEL_OP: "ABI: Xen's public hypercall number",
  FRAMES_PER_LARGE_PAGE: 'architecture: 4 KiB frames per 2 MiB page',
  PTE_PRESENT: 'architecture: x86 page-table entry bit',
  PTE_WRITABLE: 'architecture: x86 page-table entry bit',
  PTE_USER: 'architecture: x86 page-table entry bit',
  PTE_ACCESSED: 'architecture: x86 page-table entry bit',
  PTE_DIRTY: 'architecture: x86 page-table entry bit',
  PTE_LARGE: 'architecture: x86 page-table entry bit',
  PTE_COW: 'architecture: a software-available x86 page-table entry bit',
  BALLOONED: 'sentinel: a guest frame given back by the balloon',
  M2P_CHUNK_BITS: 'data structure: chunk size of the machine-to-physical table',
  TRANSLATION_FAULT: 'sentinel: a translation that faulted',
  ZERO_CONTENT: 'sentinel: the content key of a page that reads as zeros',
  PRIVATE_CONTENT: 'sentinel: the content key of private data',
  PAGES_PER_FILE: 'data structure: key packing of file-page content keys (2^21 pages per file)',
  FILE_IDENTITIES: 'data structure: key packing of file-page content keys (31-bit file identities)',
  VPIDS_PER_DOMAIN: 'data structure: the VPID tags of one domain (one per vCPU, shared beyond)',
  ADDRESS_SPACES_PER_TAG_BLOCK: 'architecture: address spaces one block of TLB tags tells apart (12 bits, as x86 PCIDs)',
  CRASHES_KEPT: 'bookkeeping: how many crash records a guest kernel keeps for the report',
  NICE_0_LOAD: 'documented Linux constant: the CFS weight of nice 0 (1024, kernel/sched.c prio_to_weight)',
  IO_BUFFER_PAGES: "address layout: the virtual pages set aside for a process's I/O buffer (16 MiB)",
  INDEXED_WAYS: "data structure: the TLB's sets wider than this are found through a hash index (same entries, same slots)",
  INITIAL_SLOTS: "data structure: a new PageSet's table size before it grows",
};

/**
 * Costs still declared as loose constants, each with the change that removes it. The test
 * fails if one disappears without being taken off this list, so it cannot rot.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Names of top-level `const NAME = <number>`, cost tables (`const X_INSTRUCTIONS = { a: 12 }`) and cost properties (`instructions: 400`) in source text. */
function looseConstants(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(
    /^(?:export )?const ([A-Za-z_][A-Za-z0-9_]*)(?:: [^=]+)? = (-?[0-9][0-9_.e]*|[0-9][0-9_]* \* [0-9_.e]+|[0-9]+ << [0-9]+|2 \*\* [0-9]+|0x[0-9a-f]+);/gm,
  ))
    found.push(m[1]!);
  for (const m of text.matchAll(/^(?:export )?const ([A-Z_]*(?:INSTRUCTIONS|CYCLES|COSTS?)[A-Z_]*)(?:: [^=]+)? = \{([^;]*?)\}/gm))
    if (/:\s*[1-9][0-9_]*/.test(m[2]!)) found.push(m[1]!);
  for (const m of text.matchAll(/\b(\w*(?:[Ii]nstructions|[Cc]ycles))\s*:\s*[1-9][0-9_]*\s*[,}]/g)) found.push(`${m[1]} (property)`);
  return found;
}

test('every numeric field of every bundled profile has a source in the ledger', (t) => {
  const ledger = new Map(calibrationLedger().map((p) => [`${p.package} ${p.name}`, p]));
  for (const profile of bundledProfiles) {
    const sources = bundledProfileSources[profile.name];
    t.truthy(sources, `${profile.name} has no sources`);
    for (const path of profileNumericPaths(profile)) {
      const entry = ledger.get(`@visorkit/core ${profile.name}.${path}`);
      t.truthy(entry, `${profile.name}.${path} is not in the ledger`);
      t.true((entry?.source ?? '').trim().length > 0, `${profile.name}.${path} has no source`);
      t.is(entry?.kind, 'primitive');
    }
  }
});

test('no cost constant in the guest, the plugins or the core hides outside the ledger', (t) => {
  const offenders: string[] = [];
  const gapsSeen = new Set<string>();
  for (const dir of SCANNED) {
    for (const file of files(join(root, dir))) {
      for (const name of looseConstants(readFileSync(file, 'utf8'))) {
        if (NOT_COSTS[name] !== undefined) continue;
        if (KNOWN_GAPS[name] !== undefined) {
          gapsSeen.add(name);
          continue;
        }
        offenders.push(`${relative(root, file)}: ${name}`);
      }
    }
  }
  t.deepEqual(offenders, [], 'declare these through a ledger set (pathLengths / fittedParameters) or, if not a cost, in NOT_COSTS with the reason');
  t.deepEqual([...gapsSeen].sort(), Object.keys(KNOWN_GAPS).sort(), 'a known gap was removed: take it off KNOWN_GAPS');
});

test('the scan is real: it finds a cost constant, a cost table and a cost property, and passes ledger declarations', (t) => {
  const sample =
    "const FOO_INSTRUCTIONS = 500;\nconst BAR_CYCLES = { a: 12 };\nconst T = { x: { instructions: 400 } };\nexport const P = pathLengths('@x/y', { a: { value: 3, unit: 'instructions', source: 's' } });\n";
  t.deepEqual(looseConstants(sample).sort(), ['BAR_CYCLES', 'FOO_INSTRUCTIONS', 'instructions (property)']);
});

test('at most 7 fitted parameters, each fitted to at least 2 cells of the fit set, every parameter sourced', (t) => {
  const ledger = calibrationLedger();
  const fitted = ledger.filter((p) => p.kind === 'fitted');
  t.true(fitted.length <= 7, `${fitted.length} fitted parameters`);
  for (const p of fitted) t.true(p.fittedTo.length >= 2, `${p.package} ${p.name} is fitted to ${p.fittedTo.length} cells`);
  for (const p of ledger) t.true(p.source.trim().length > 0, `${p.package} ${p.name} has no source`);
  const names = ledger.map((p) => `${p.package} ${p.name}`);
  t.is(new Set(names).size, names.length, 'ledger names are unique per package');
});
