import { ProportionalShareScheduler, inject, injectable } from '@visorkit/core';
import { NativeOptions } from '../native-options.js';

/**
 * Linux's CFS as bare metal runs it, with the native plugin's latency settings.
 *
 * @public
 */
@injectable()
export class CfsScheduler extends ProportionalShareScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options.schedulerLatencyMs, options.minGranularityMs);
  }
}
