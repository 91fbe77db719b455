/**
 * Why a guest process crashed — a failure of its program, not a fault the guest OS models
 * (a touch of unmapped memory is a modelled SIGSEGV, not a crash):
 * - `exception`: an exception escaped the program's generator;
 * - `bad-operation`: the program yielded something that is not an operation.
 *
 * @public
 */
export type ProcessCrashReason =
  | { readonly kind: 'exception'; readonly name: string; readonly message: string }
  | { readonly kind: 'bad-operation'; readonly operation: string };

/**
 * Crash records a kernel keeps (a crash loop is counted in full, not kept without bound).
 *
 * @public
 */
export const CRASHES_KEPT = 100;

/**
 * A process that crashed: the kernel ended it (status 128 + SIGSEGV) and its domain carried on.
 *
 * @public
 */
export interface ProcessCrash {
  /** Simulated time of the crash, in ns. */
  readonly time: number;
  readonly pid: number;
  /** The executable it ran. */
  readonly program: string;
  readonly reason: ProcessCrashReason;
}

/**
 * The crash reason for `thrown`, whatever a program threw.
 *
 * @public
 */
export function exceptionReason(thrown: unknown): ProcessCrashReason {
  if (thrown instanceof Error) return { kind: 'exception', name: thrown.name, message: thrown.message };
  return { kind: 'exception', name: typeof thrown, message: describe(thrown) };
}

/**
 * The crash reason for a yielded value that is not an operation.
 *
 * @public
 */
export function badOperationReason(yielded: unknown): ProcessCrashReason {
  return { kind: 'bad-operation', operation: describe(yielded) };
}

/** A short, safe description of any value (never throws, never long). */
function describe(v: unknown): string {
  let s: string;
  try {
    // oxlint-disable-next-line typescript/no-base-to-string -- describing whatever a program threw is the point; objects went through JSON first
    s = typeof v === 'object' && v !== null ? (JSON.stringify(v) ?? String(v)) : String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * A crash reason's detail in words (for logs and event streams).
 *
 * @public
 */
export function crashDetail(reason: ProcessCrashReason): string {
  return reason.kind === 'exception' ? `${reason.name}: ${reason.message}` : `yielded ${reason.operation}, which is not an operation`;
}
