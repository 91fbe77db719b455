import { pathLengths } from '@visorkit/core';

/**
 * Path lengths and documented constants of Linux-VServer (calibration-ledger entries; code reads them through `.value`).
 *
 * @public
 */
export const VSERVER_PATH = pathLengths('@visorkit/vserver', {
  contextCheck: {
    value: 40,
    unit: 'instructions',
    source:
      "Linux-VServer 2.x vx_check / vx_info_flags: load the task's vx_info and compare the context id and flags; estimated from the structure of the C, not measured",
  },
  networkContextCheck: {
    value: 60,
    unit: 'instructions',
    source:
      "Linux-VServer 2.x nx_check and the network-context address filter (is this address one of the context's?); estimated from the structure of the C, not measured",
  },
  tokenBucketCapacityMs: {
    value: 100,
    unit: 'ms',
    source: "Linux-VServer's token-bucket scheduler: the bucket a context at 100% share may save up, of the order of its documented defaults (tokens_max)",
  },
  tokenBucketMinimumMs: {
    value: 15,
    unit: 'ms',
    source:
      "Linux-VServer's token-bucket scheduler: tokens_min, the level a held context must refill to before it runs again (documented default of that order)",
  },
});
