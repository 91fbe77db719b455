import test from 'ava';
import { followsItsSeed } from './run-twice.js';

// Its workloads draw which file each web request reads from forks of the run's
// Simulator.random (one file per long experiment, so ava spreads them over its workers).
followsItsSeed(test, 'concurrent');
