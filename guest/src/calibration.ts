import { fittedParameters } from '@visorkit/core';

/**
 * The guest kernel's fitted parameters: the only numbers of this package set from the fit
 * set's cells (`shared/reference/seed-results.json`). Written by `npx visorkit fit`
 * (non-negative least squares over the mechanism counts of one run); do not edit the values
 * by hand — edit the sources and run the fitter again.
 *
 * @public
 */
export const GUEST_FITTED = fittedParameters('@visorkit/guest', {
  forkBase: {
    value: 30470,
    unit: 'instructions',
    source:
      'Linux 2.6 do_fork / copy_process beyond the memory: task struct, credentials, files, signal handlers, the scheduler fork hooks; fitted by visorkit fit',
    fittedTo: [
      { profile: 'server-2007', platform: 'native', metric: 'fork' },
      { profile: 'server-2007', platform: 'vserver', metric: 'fork' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'fork' },
      { profile: 'server-2007', platform: 'native', metric: 'exec' },
      { profile: 'server-2007', platform: 'vserver', metric: 'exec' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'exec' },
      { profile: 'server-2007', platform: 'native', metric: 'sh' },
      { profile: 'server-2007', platform: 'vserver', metric: 'sh' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'sh' },
    ],
  },
  symbolLookup: {
    value: 783.1,
    unit: 'cycles',
    source:
      "ld.so's cost to resolve one dynamic symbol relocation of a program against libc (_dl_relocate_object, _dl_lookup_symbol_x walking the ELF hash chains and comparing names); fitted by visorkit fit",
    fittedTo: [
      { profile: 'server-2007', platform: 'native', metric: 'exec' },
      { profile: 'server-2007', platform: 'vserver', metric: 'exec' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'exec' },
      { profile: 'server-2007', platform: 'native', metric: 'sh' },
      { profile: 'server-2007', platform: 'vserver', metric: 'sh' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'sh' },
    ],
  },
  streamExposedShare: {
    value: 0.1219,
    unit: 'fraction',
    source:
      "the share of an L2 line fill's latency a sequential sweep still exposes once the hardware stream prefetcher runs ahead of it (NetBurst's prefetcher tracks 8 streams and fetches ahead [IA-OPT]); fitted by visorkit fit",
    fittedTo: [
      { profile: 'server-2007', platform: 'native', metric: 'ctx-16p-64k' },
      { profile: 'server-2007', platform: 'vserver', metric: 'ctx-16p-64k' },
      { profile: 'server-2007', platform: 'xen-pv', metric: 'ctx-16p-64k' },
    ],
  },
});
