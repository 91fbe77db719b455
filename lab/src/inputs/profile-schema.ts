import { z } from 'zod';
import type { MachineProfile } from '@visorkit/core';

// Every field's description states its unit, so an editor shows it beside the value.
const cycles = (what: string): z.ZodNumber => z.number().nonnegative().describe(`${what} (cycles of this machine's clock)`);
const count = (what: string, min = 0): z.ZodNumber => z.number().int().min(min).describe(what);

const cpu = z
  .strictObject({
    model: z.string().min(1).describe('Processor model, for humans (text)'),
    clockGhz: z.number().positive().describe('Core clock; converts cycles to nanoseconds (GHz)'),
    cores: count('Physical CPUs (cores or hardware threads) the hypervisor schedules on (count)', 1),
    kernelCpi: z.number().positive().describe('Average cycles per instruction of kernel code paths (cycles/instruction)'),
    hardwareVirtualization: z.boolean().describe('Hardware virtualisation, VT-x / AMD-V (flag)'),
    nestedPaging: z.boolean().describe('Nested paging, EPT / NPT (flag)'),
    taggedTlb: z.boolean().describe('Tagged TLB entries, VPID / ASID, so a world switch need not flush (flag)'),
  })
  .describe('Processor sizes and virtualisation features');

const memory = z
  .strictObject({
    sizeMiB: z.number().positive().describe('RAM size (MiB)'),
    referenceLatencyNs: z.number().positive().describe('Latency of a memory reference that misses every cache (ns)'),
    cacheHitCycles: cycles('Latency of a reference that hits the last-level cache'),
    pageTableFormat: z.enum(['2-level', 'pae-3-level', '4-level']).describe('Page-table format the guest kernel builds (x86 paging mode)'),
    bandwidthGBps: z.number().positive().describe('Memory bandwidth for bulk copies (GB/s)'),
  })
  .describe('RAM size and latency');

const cache = z
  .strictObject({
    l1dKiB: z.number().positive().describe('L1 data cache size (KiB)'),
    l2KiB: z.number().nonnegative().describe('L2 cache size (KiB)'),
    llcKiB: z.number().positive().describe('Last-level cache size (KiB)'),
    lineBytes: count('Cache line size (bytes)', 1),
  })
  .describe('Cache sizes');

const tlb = z
  .strictObject({
    entries: count('Data TLB entries for 4 KiB pages, all levels combined (entries)', 1),
    ways: count('Associativity of the modelled TLB (ways)', 1),
    largePageEntries: count('TLB entries for 2 MiB / 4 MiB pages (entries)'),
    pageWalkCacheEntries: count('Page-walk (paging-structure) cache entries, 0 when none (entries)'),
    missCycles: cycles("A TLB miss's fixed refill cost beyond the walk's memory references"),
  })
  .describe('TLB geometry');

const costs = z
  .strictObject({
    syscallRoundTrip: cycles("A system call's round trip from user to kernel mode and back"),
    trapRoundTrip: cycles('Delivering an exception (e.g. a page fault) to a kernel and returning'),
    hypercallRoundTrip: cycles("A hypercall's round trip into a ring-0 hypervisor and back, excluding the handler"),
    vmExitRoundTrip: cycles('A VM exit plus the following VM entry, excluding handler work; 0 without VT-x'),
    pageTableBaseSwitch: cycles('Writing the page-table base (CR3), including the untagged TLB flush it causes'),
    tlbInvalidatePage: cycles('Invalidating one TLB entry (invlpg)'),
    pteWrite: cycles('One store of a page-table entry by the kernel'),
    pageZero: cycles('Zeroing one 4 KiB page'),
    pageCopy: cycles('Copying one 4 KiB page'),
    interruptDelivery: cycles('Delivering an external interrupt to a kernel and returning'),
    registerSwitch: cycles("Saving and restoring a vCPU's or process's register state"),
  })
  .describe('Primitive costs (cycles)');

const disk = z
  .strictObject({
    kind: z.enum(['rotating', 'flash']).describe('Rotating (seek + rotation + transfer) or flash (kind)'),
    model: z.string().min(1).describe('Disk model, for humans (text)'),
    capacityGiB: z.number().positive().describe('Capacity (GiB)'),
    averageSeekMs: z.number().nonnegative().describe('Average seek time, 0 for flash (ms)'),
    rpm: z.number().nonnegative().describe('Spindle speed, 0 for flash (revolutions/minute)'),
    transferMBps: z.number().positive().describe('Sustained media transfer rate (MB/s)'),
    requestLatencyUs: z.number().nonnegative().describe('Fixed per-request latency: controller and flash access (µs)'),
  })
  .describe('The disk');

const nic = z
  .strictObject({
    model: z.string().min(1).describe('NIC model, for humans (text)'),
    gbps: z.number().positive().describe('Line rate (Gbit/s)'),
    sriovVirtualFunctions: count('SR-IOV virtual functions per physical NIC, 0 when none (count)'),
    iommu: z.boolean().describe('An IOMMU (VT-d / AMD-Vi) confines device DMA (flag)'),
  })
  .describe('Network interfaces');

const link = z
  .strictObject({
    gbps: z.number().positive().describe('Bandwidth of the link between two machines of this class (Gbit/s)'),
    latencyUs: z.number().nonnegative().describe('One-way latency (µs)'),
  })
  .describe('The link between two machines of this class (clients, migration)');

/**
 * The machine profile as a zod 4 schema: what `--profile FILE` must hold (JSON or YAML), and
 * what every bundled profile passes. Unknown keys are refused, so a misspelt field is an
 * error, not a silent default.
 */
export const machineProfileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema this file follows, for editors (URL or path; ignored)'),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe('Profile name, lower-case and dashed (text)'),
    description: z.string().min(1).describe('One line for humans (text)'),
    year: count('Year of the hardware class (year)', 1970),
    cpu,
    memory,
    cache,
    tlb,
    costs,
    disk,
    nic,
    link,
  })
  .describe("A visorkit machine profile: the simulated hardware's sizes and primitive costs");

/** What the schema accepts (a `MachineProfile`, plus an optional `$schema`). */
export type MachineProfileFile = z.infer<typeof machineProfileSchema>;

// Compile-time check that the schema and core's MachineProfile describe the same data.
const _fromProfile: (p: MachineProfile) => MachineProfileFile = (p) => p;
const _toProfile: (p: MachineProfileFile) => MachineProfile = (p) => p;

/** The JSON Schema for editors (`visorkit schema profile`, lab/schema/machine-profile.schema.json). */
export function machineProfileJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(machineProfileSchema), title: 'visorkit machine profile' };
}
