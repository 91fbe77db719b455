import { pathLengths } from '@visorkit/core';

/**
 * Path lengths of the native plugin's own code (calibration-ledger entries; code reads them through `.value`).
 *
 * @public
 */
export const NATIVE_PATH = pathLengths('@visorkit/native', {
  blockDriver: {
    value: 2500,
    unit: 'instructions',
    source:
      "Linux 2.6 block request path per request: __make_request and elevator insertion, the SCSI or ATA driver's queuecommand and the completion interrupt (scsi_io_completion, end_that_request); estimated from the structure of the C, not measured",
  },
  lidt: {
    value: 100,
    unit: 'cycles',
    source: 'lidt plus the kernel writing its trap table on boot: a serialising descriptor-table load (Agner Fog, instruction tables) and a few dozen stores',
  },
  hlt: {
    value: 50,
    unit: 'cycles',
    source: 'entering hlt from the idle loop (the wake-up is the interrupt, charged separately); estimate of the instruction and its microcode',
  },
  apicTimerWrite: {
    value: 80,
    unit: 'cycles',
    source: 'one write to the local-APIC timer register (an uncached MMIO store to the on-die APIC, tens of cycles); estimate',
  },
  ioAccess: {
    value: 300,
    unit: 'cycles',
    source: 'one uncached port or MMIO access to a device register across the chipset (~100 ns on 2003-07 chipsets); estimate',
  },
  rdtsc: { value: 30, unit: 'cycles', source: 'rdtsc latency (Agner Fog, instruction tables: tens of cycles on NetBurst and later cores)' },
  switchKernelStack: {
    value: 120,
    unit: 'cycles',
    source: "__switch_to's TSS esp0 store, three TLS descriptor stores into the GDT and stts (clts/stts is microcoded); estimate",
  },
});
