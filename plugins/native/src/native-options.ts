/**
 * Token for the native plugin's options.
 *
 * @public
 */
export const NativeOptions = Symbol.for('visorkit.NativeOptions');

/**
 * Options of the native plugin.
 *
 * @public
 */
export interface NativeOptions {
  /** CFS target latency: the period in which every runnable vCPU runs once (Linux default 6 ms). */
  readonly schedulerLatencyMs: number;
  /** CFS minimum slice (Linux default 0.75 ms). */
  readonly minGranularityMs: number;
}

/**
 * Linux's defaults.
 *
 * @public
 */
export const NATIVE_DEFAULTS: NativeOptions = { schedulerLatencyMs: 6, minGranularityMs: 0.75 };
