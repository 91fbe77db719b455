import { PluginPrimitives } from '@visorkit/core';

const NETBURST =
  "[est] the hardware side of validating one page-table entry, the same work on both NetBurst profiles: a bounds check, an owner check in frame_table (an L2 hit, ~20-27 cycles) and one locked cmpxchg on the frame's reference count, ~100 cycles on NetBurst [Agner]. The instruction path that Xen runs around it (get_page_from_l1e) is xen-pv's ledger entry, so xeon-2003 and server-2007 no longer disagree (they were 150 and 60)";

/**
 * Xen's own primitives per machine profile: what its design costs on a machine that plain
 * hardware has no name for. `pteValidate` is the hardware side of Xen validating one
 * page-table entry (frame ownership and type checks: `get_page_from_l1e`'s bounds and owner
 * checks and its locked cmpxchg), read as `XEN_PV_PRIMITIVES.of(profile).pteValidate`.
 * A profile xen-pv does not know carries its own under `extensions['xen-pv']`.
 *
 * @public
 */
export const XEN_PV_PRIMITIVES = new PluginPrimitives(
  '@visorkit/xen-pv',
  'xen-pv',
  { pteValidate: 'cycles' },
  {
    'xeon-2003': { pteValidate: { value: 120, source: NETBURST } },
    'server-2007': { pteValidate: { value: 125, source: NETBURST } },
    modern: {
      pteValidate: {
        value: 60,
        source:
          "[est] same work as Xen's get_page_from_l1e on older profiles, but a locked cmpxchg costs ~20 cycles on Golden Cove [Agner]: 1-2 locked ops + frame-table lookups that hit L2",
      },
    },
  },
);
