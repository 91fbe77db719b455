import test from 'ava';
import { XEN_SCHEDULER } from '@visorkit/xen-pv';
import { calibrationLedger } from '../../src/fidelity/ledger.js';

test("Xen's scheduler constants (BVT's and credit's) are path-length entries of the ledger, each naming the Xen source it comes from", (t) => {
  const ledger = calibrationLedger().filter((p) => p.package === '@visorkit/xen-pv');
  const names = Object.keys(XEN_SCHEDULER.value);
  t.true(names.includes('creditTickNs') && names.includes('creditRateLimitNs') && names.includes('bvtMcuNs'), names.join(', '));
  for (const name of names) {
    const entry = ledger.find((p) => p.name === name);
    t.truthy(entry, `${name} is not in the ledger`);
    t.is(entry?.kind, 'path-length', name);
    t.regex(entry?.source ?? '', /sched_(credit|bvt)\.c|sysctl\.h/, `${name}'s source names no Xen file`);
  }
});
