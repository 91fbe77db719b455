import test from 'ava';
import fc from 'fast-check';
import { server2007 } from '@visorkit/core';
import { InvalidContextSettingsError, VserverContexts, type ContextSettings } from '../src/index.js';

test('settings the shared kernel could not enforce are refused with a typed error naming what was wrong', (t) => {
  const contexts = new VserverContexts(server2007);
  const bad: [number, ContextSettings][] = [
    [0, {}],
    [-1, {}],
    [1.5, {}],
    [1, { root: 'vservers/a' }],
    [1, { root: '/' }],
    [1, { root: '/vservers/a/' }],
    [1, { root: '/vservers/../etc' }],
    [1, { root: '/vservers//a' }],
    [1, { maxProcesses: -1 }],
    [1, { maxProcesses: 2.5 }],
    [1, { maxResidentMiB: 0 }],
    [1, { maxResidentMiB: Number.NaN }],
    [1, { addresses: [''] }],
  ];
  for (const [id, settings] of bad) {
    const e = t.throws(() => contexts.define(id, settings), { instanceOf: InvalidContextSettingsError }, JSON.stringify([id, settings]));
    t.is(e?.code, 'INVALID_CONTEXT_SETTINGS');
  }
});

test('any normalised root below / and any sane limits are accepted', (t) => {
  const name = fc.stringMatching(/^[a-z0-9_-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.array(name, { minLength: 1, maxLength: 4 }),
      fc.nat({ max: 4096 }),
      fc.double({ min: 0.25, max: 1 << 16, noNaN: true }),
      (id, parts, maxProcesses, maxResidentMiB) => {
        new VserverContexts(server2007).define(id, { root: `/${parts.join('/')}`, maxProcesses, maxResidentMiB, addresses: ['10.0.0.1'] });
      },
    ),
  );
  t.pass();
});
