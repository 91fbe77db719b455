import 'reflect-metadata';
import test from 'ava';
import { UnsupportedCapabilityError, createHypervisor, server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { XenControl, XenControlService, xenPvPlugin } from '@visorkit/xen-pv';

test("XenControl is the composition's own service: one per hypervisor, reached by its typed token", (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  const control = hv.service(XenControlService);
  t.true(control instanceof XenControl);
  t.is(XenControl.of(hv), control!);
  t.is(control!.hv, hv);
  const other = createHypervisor({ machine: server2007, plugins: [xenPvPlugin] });
  t.not(XenControl.of(other), control);
  // Its domctl works through it: Dom0 creates a guest.
  const dom0 = hv.createDomain({ name: 'dom0' }, 'control');
  t.is(control!.createDomain(dom0, { name: 'web', memoryMiB: 64 }).name, 'web');
});

test('a hypervisor without xen-pv has no Xen control, and says so with a typed error', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin] });
  t.is(hv.service(XenControlService), undefined);
  const e = t.throws(() => XenControl.of(hv), { instanceOf: UnsupportedCapabilityError });
  t.regex(e.message, /'native' does not support Xen control: it is not composed with the xen-pv plugin/);
});
