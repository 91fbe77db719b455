import test from 'ava';
import { repeatsExactly } from './run-twice.js';

// 1…128 CPU-bound instances at two time slices: the longest experiment, in a file of its own.
repeatsExactly(test, 'scalability');
