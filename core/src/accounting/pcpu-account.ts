import { COST_CATEGORY_COUNT } from './cost-category.js';

/**
 * Cycles charged on one physical CPU, by category. Every cycle of simulated time on a pCPU
 * is charged to exactly one category, so the sum equals elapsed time × clock rate.
 *
 * @public
 */
export class PcpuAccount {
  /** Cycles per {@link CostCategory}. */
  readonly cycles = new Float64Array(COST_CATEGORY_COUNT);

  /** Total cycles charged on this pCPU. */
  get total(): number {
    let t = 0;
    for (const c of this.cycles) t += c;
    return t;
  }
}
