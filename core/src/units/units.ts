/**
 * Branded unit types. A machine frame number never passes for a guest frame number, and a
 * cycle count never passes for nanoseconds, without going through a checked constructor.
 * (rust-vmm uses newtypes for the same reason: `GuestAddress(u64)`.)
 */
import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * Simulated time in integer nanoseconds.
 *
 * @public
 */
export type Nanoseconds = number & { readonly __brand: 'Nanoseconds' };
/**
 * CPU cycles of the simulated machine's clock.
 *
 * @public
 */
export type Cycles = number & { readonly __brand: 'Cycles' };
/**
 * Machine frame number: an index into the host's physical RAM, in 4 KiB frames.
 *
 * @public
 */
export type Mfn = number & { readonly __brand: 'Mfn' };
/**
 * Guest (pseudo-)physical frame number, as the guest kernel sees its own RAM.
 *
 * @public
 */
export type Gfn = number & { readonly __brand: 'Gfn' };
/**
 * Domain identifier; 0 is the control domain (Dom0).
 *
 * @public
 */
export type DomainId = number & { readonly __brand: 'DomainId' };

/**
 * Bytes in a small page / frame.
 *
 * @public
 */
export const PAGE_SIZE = 4096;
/**
 * log2 of {@link PAGE_SIZE}.
 *
 * @public
 */
export const PAGE_SHIFT = 12;

function checkInteger(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(what, `expected a non-negative safe integer, got ${n}`);
}

/**
 * Checked constructor for {@link Nanoseconds}.
 *
 * @public
 */
export function ns(n: number): Nanoseconds {
  checkInteger('nanoseconds', n);
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checked constructor is where a number becomes a unit
  return n as Nanoseconds;
}
/**
 * Checked constructor for {@link Cycles}.
 *
 * @public
 */
export function cycles(n: number): Cycles {
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('cycles', `expected a non-negative number, got ${n}`);
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checked constructor is where a number becomes a unit
  return n as Cycles;
}
/**
 * Checked constructor for {@link Mfn}.
 *
 * @public
 */
export function mfn(n: number): Mfn {
  checkInteger('machine frame number', n);
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checked constructor is where a number becomes a unit
  return n as Mfn;
}
/**
 * Checked constructor for {@link Gfn}.
 *
 * @public
 */
export function gfn(n: number): Gfn {
  checkInteger('guest frame number', n);
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checked constructor is where a number becomes a unit
  return n as Gfn;
}
/**
 * A guest frame number exactly as a guest handed it over, unchecked: negative, fractional,
 * huge, past the domain's memory or another domain's. Only for hostile-input tests, fuzzers
 * and contract suites, whose point is that the plugin's own checks refuse such a number with a
 * typed error — {@link gfn} would refuse it first. Everything else uses {@link gfn}.
 *
 * @public
 */
export function guestSuppliedGfn(n: number): Gfn {
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- deliberately unchecked: the number a hostile guest passes, for the plugin to refuse
  return n as Gfn;
}
/**
 * Checked constructor for {@link DomainId}.
 *
 * @public
 */
export function domainId(n: number): DomainId {
  checkInteger('domain id', n);
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion -- the checked constructor is where a number becomes a unit
  return n as DomainId;
}

/**
 * Microseconds to nanoseconds, rounded to the nearest integer.
 *
 * @public
 */
export function usToNs(us: number): Nanoseconds {
  return ns(Math.round(us * 1000));
}
/**
 * Milliseconds to nanoseconds.
 *
 * @public
 */
export function msToNs(ms: number): Nanoseconds {
  return ns(Math.round(ms * 1_000_000));
}
