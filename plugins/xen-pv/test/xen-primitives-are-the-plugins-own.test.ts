import test from 'ava';
import { InvalidArgumentError, bundledProfiles, xeon2003, type MachineProfile } from '@visorkit/core';
import { XEN_PV_PRIMITIVES } from '../src/index.js';

test("xen-pv's own primitives cover every bundled profile, and validating an entry costs more than storing it", (t) => {
  for (const p of bundledProfiles) {
    const { pteValidate } = XEN_PV_PRIMITIVES.of(p);
    t.true(p.costs.pteWrite < pteValidate, `${p.name}: validating an entry costs more than storing it`);
  }
  const ledger = XEN_PV_PRIMITIVES.parameters();
  t.is(ledger.length, bundledProfiles.length);
  t.true(ledger.every((e) => e.package === '@visorkit/xen-pv' && e.kind === 'primitive' && e.unit === 'cycles' && e.source.length > 0));
});

test('a profile xen-pv does not know carries its own primitives, or is refused with a typed error naming what to add', (t) => {
  const other: MachineProfile = { ...xeon2003, name: 'other-box' };
  t.throws(() => XEN_PV_PRIMITIVES.of(other), {
    instanceOf: InvalidArgumentError,
    message: /'other-box' has no xen-pv primitive 'pteValidate'.*extensions\['xen-pv'\]/,
  });
  t.is(XEN_PV_PRIMITIVES.of({ ...other, extensions: { 'xen-pv': { pteValidate: 99 } } }).pteValidate, 99);
});
