import test from 'ava';
import { platforms, repeatsExactly } from './run-twice.js';

// Experiments that draw no random numbers: run twice in one process with one seed they must
// give identical results.json — no state leaks from one run into the next, no wall clock,
// no Math.random.
for (const id of ['micro', 'tcp', 'features', 'cpu-share', 'fault-isolation']) repeatsExactly(test, id);
// These need a platform that can do them: sharing compares contexts with domains, migration needs a movable domain.
repeatsExactly(test, 'sharing', platforms('native', 'vserver'));
repeatsExactly(test, 'migration', platforms('xen-pv'));
