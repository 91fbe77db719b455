/** Token for the native plugin's options. */
export const NativeOptions = Symbol.for('visorkit.NativeOptions');

/** Options of the native plugin. */
export interface NativeOptions {
  /** CFS target latency: the period in which every runnable vCPU runs once (Linux default 6 ms). */
  readonly schedulerLatencyMs: number;
  /** CFS minimum slice (Linux default 0.75 ms). */
  readonly minGranularityMs: number;
}

/** Linux's defaults. */
export const NATIVE_DEFAULTS: NativeOptions = { schedulerLatencyMs: 6, minGranularityMs: 0.75 };
