import test from 'ava';
import { repeatsExactly } from './run-twice.js';

// The density search fills the machine run after run: a file of its own.
repeatsExactly(test, 'density');
