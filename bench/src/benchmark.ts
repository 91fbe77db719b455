/** One figure a benchmark reports. Names are public interface (`npm run bench -- --json`). */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** A benchmark: measures and returns its figures (host time, never asserted in tests). */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchFigure[]>;
}
