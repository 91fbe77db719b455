import test from 'ava';
import { followsItsSeed } from './run-twice.js';

// Its workloads draw request mixes, database keys and file sizes from forks of the run's
// Simulator.random (one file per long experiment, so ava spreads them over its workers).
followsItsSeed(test, 'relative');
